"""The Click group of `rouge`: every command, its help and its usage errors.

Subcommands are imported only when used, so `rouge roll` does not pay for the
rules language, YAML or icepool. Every `RougeError` becomes `Error: ...` on
stderr with the error's own exit status; no traceback reaches the user.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from rouge_rpg import __version__
from rouge_rpg.cli import error_line
from rouge_rpg.errors import RougeError

#: command name → (module, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": ("rouge_rpg.cli.demo", "demo", "A short scene: a check, free will and a power"),
    "roll": ("rouge_rpg.cli.dice", "roll", "Roll dice: rouge roll 4d6kh3+2"),
    "odds": ("rouge_rpg.cli.dice", "odds", "Exact odds of a dice expression: rouge odds 2d6+3>=10"),
    "rules": ("rouge_rpg.cli.rules", "rules", "Check, list and explain a rulebook's rules"),
    "sheet": (
        "rouge_rpg.cli.sheet",
        "sheet",
        "Validate, create, show and describe character sheets",
    ),
    "check": (
        "rouge_rpg.cli.play",
        "check",
        "Roll a check for a character: rouge check SHEET reflex",
    ),
    "free-will": ("rouge_rpg.cli.play", "free_will", "A Nean faces the Asimov Code: --act disobey"),
    "use": ("rouge_rpg.cli.play", "use", "Use an ability or power: rouge use SHEET thunderbolt"),
    "push": ("rouge_rpg.cli.play", "push", "Push the last roll: reroll some of its dice"),
    "encounter": (
        "rouge_rpg.cli.encounter",
        "encounter",
        "Run a fight: initiative, turns, rounds, durations by round",
    ),
    # cli/gm.py adds the GM's own commands to the campaign group.
    "campaign": ("rouge_rpg.cli.gm", "campaign", "Keep a campaign: time, Nectar, every roll"),
    "table": (
        "rouge_rpg.cli.shell",
        "table",
        "At the table: a session with everything loaded once, tab completion",
    ),
    "lsp": (
        "rouge_rpg.lsp.command",
        "lsp",
        "A language server for .rouge rulebooks, for editors (the [lsp] extra)",
    ),
}


#: Two or three real examples at the end of the help of `rouge` and of each group
#: (tests/test_newcomer.py runs them). Sheets by name are the bundled sheets.
EXAMPLES: dict[str, list[str]] = {
    "rouge": [
        "rouge demo --seed 4",
        "rouge roll 4d6kh3+2 --seed 1",
        "rouge check rouge.yaml reflex --dc 9 --odds",
    ],
    "rules": [
        "rouge rules check",
        "rouge rules list --kind check",
        "rouge rules show asimov_code",
    ],
    "sheet": [
        "rouge sheet show rouge",
        "rouge sheet new --faction ochrona --kind human --member naomi --name Naomi -o naomi.yaml",
        "rouge sheet validate naomi.yaml noid_262",
    ],
    "campaign": [
        "rouge campaign init",
        "rouge campaign join rouge noid_262 ash",
        "rouge campaign status",
    ],
}


def examples_epilog(name: str) -> str:
    """The examples of `name` as a help epilog (kept as written: `\b`)."""
    return "\b\nExamples:\n" + "\n".join(f"  {e}" for e in EXAMPLES[name])


class LazyGroup(click.Group):
    """A group whose commands load on first use, and that shows `RougeError`s."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        if cmd_name in EXAMPLES and not command.epilog:
            command.epilog = examples_epilog(cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RougeError as error:
            report(error)
            ctx.exit(error.exit_code)


def report(error: RougeError) -> None:
    """Print `Error: ...` on stderr."""
    click.echo(error_line(error), err=True)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=examples_epilog("rouge"),
)
@click.version_option(__version__, prog_name="rouge")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the cache folder (as ROUGE_NO_CACHE=1 does).",
)
@click.pass_context
def cli(ctx: click.Context, no_cache: bool) -> None:
    """rouge: a narrative rules engine for Metallic Rouge tabletop games."""
    if no_cache:
        import os

        from rouge_rpg.cache import NO_CACHE_ENV

        before = os.environ.get(NO_CACHE_ENV)
        os.environ[NO_CACHE_ENV] = "1"

        def restore() -> None:
            if before is None:
                os.environ.pop(NO_CACHE_ENV, None)
            else:
                os.environ[NO_CACHE_ENV] = before

        ctx.call_on_close(restore)
