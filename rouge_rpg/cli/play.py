"""`rouge check`, `rouge free-will` and `rouge use`: the GM's commands at the table.

With an active campaign the command reads the character's state from the
journal, and records the resolution and its effects there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rouge_rpg.cli import complete
from rouge_rpg.cli.campaign import campaign_option, campaign_rulebook, journal_at, read_sheet
from rouge_rpg.cli.output import echo_json
from rouge_rpg.cli.rules import rulebook_option
from rouge_rpg.errors import RougeError

if TYPE_CHECKING:
    from rouge_rpg.engine import ActionKind


def _common(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every table command shares."""
    options = [
        rulebook_option,
        campaign_option,
        click.option("--no-campaign", is_flag=True, help="Do not read or record any campaign."),
        click.option(
            "--mod",
            "mods",
            type=int,
            multiple=True,
            help="An extra modifier to the roll (repeatable).",
        ),
        click.option("--seed", type=int, default=None, help="Seed for a reproducible roll."),
        click.option(
            "--secret",
            is_flag=True,
            help="In a campaign: a roll the players do not see (hidden by export --players).",
        ),
        click.option(
            "--again",
            is_flag=True,
            help="In a campaign: record a seeded roll that is already recorded, once more.",
        ),
        click.option("--explain", is_flag=True, help="Show the trace: every rule consulted."),
        click.option(
            "--odds",
            "show_odds",
            is_flag=True,
            help="Print the exact chance of each outcome instead of rolling.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print JSON."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def split_vs(text: str) -> tuple[str, str | None]:
    """`ash.yaml:reflex` → (`ash.yaml`, `reflex`); a plain path → (path, None)."""
    head, sep, tail = text.rpartition(":")
    if sep and tail.isidentifier() and not Path(text).exists():
        return head, tail
    return text, None


def _table_command(
    kind: ActionKind,
    name: str,
    sheet: str,
    other: str | None,
    *,
    args: dict[str, Any] | None = None,
    defense: str | None = None,
    rulebooks: tuple[str, ...],
    campaign: str | None,
    no_campaign: bool,
    mods: tuple[int, ...],
    seed: int | None,
    again: bool,
    secret: bool,
    explain: bool,
    show_odds: bool,
    as_json: bool,
) -> None:
    """Load, resolve (or give odds), record in the campaign if there is one, and print.

    SHEET and the other party are sheet files, or in a campaign the ids of its members.
    """
    from rouge_rpg.campaign.actions import Request, action_of, new_seed, play, run
    from rouge_rpg.campaign.journal import campaign_path
    from rouge_rpg.campaign.members import seat_for
    from rouge_rpg.cli.render import applied_lines, odds_lines, resolution_lines
    from rouge_rpg.engine import Being, apply_resolution, odds
    from rouge_rpg.rules import load

    path = None if no_campaign else campaign_path(campaign)
    journal = journal_at(path) if path is not None else None
    try:
        rulebook = campaign_rulebook(journal, rulebooks) if journal else load(*rulebooks)

        def read(file: Path) -> Any:
            return read_sheet(file, rulebook)

        notes: list[str] = []
        if journal is not None:
            state = journal.state()
            try:
                seats = [seat_for(state, sheet, journal.path, read)]
            except RougeError as error:
                raise _swapped(error, kind, name, sheet, rulebook) from None
            if other is not None:
                seats.append(seat_for(state, other, journal.path, read))
            actor, target = seats[0].being, seats[1].being if other is not None else None
            ids = [s.member.id for s in seats]
            notes = [n for s in seats for n in s.notes]
        else:
            try:
                actor_sheet = read_sheet(Path(sheet), rulebook)
            except RougeError as error:
                raise _swapped(error, kind, name, sheet, rulebook) from None
            target_sheet = read_sheet(Path(other), rulebook) if other else None
            actor = Being.of(actor_sheet)
            target = Being.of(target_sheet) if target_sheet else None
            ids = [actor_sheet.id, *([target_sheet.id] if target_sheet else [])]
        request = Request(
            kind,
            name,
            ids[0],
            ids[1] if len(ids) > 1 else None,
            dict(args or {}),
            tuple(mods),
            seed if seed is not None else new_seed(),
            defense,
        )
        for note in notes:
            click.echo(f"note: {note}", err=True)
        if show_odds:
            found = odds(rulebook, action_of(request, actor, target))
            if as_json:
                echo_json(found.to_json())
            else:
                found_definition = rulebook.get(found.check if kind == "check" else name)
                title = found_definition.display if found_definition is not None else name
                for line in odds_lines(f"{actor.name}: {title}", found):
                    click.echo(line)
            return
        if journal is not None:
            result, landed = play(
                journal, rulebook, request, seeded=seed is not None, again=again, secret=secret
            )
            state_lines = ["state:", *(f"  {n}" for n in landed)] if landed else []
            state_lines.append(f"recorded in {journal.path}")
        else:
            result = run(rulebook, request, actor, target)
            state_lines = applied_lines(apply_resolution(rulebook, actor, target, result)[2])
        if as_json:
            data = result.to_json()
            data["seed"] = request.seed
            echo_json(data)
            return
        for line in resolution_lines(result, explain=explain):
            click.echo(line)
        for line in state_lines:
            click.echo(line)
        if seed is None and journal is None:
            click.echo(f"seed {request.seed} (rouge ... --seed {request.seed} rolls it again)")
    finally:
        if journal is not None:
            journal.close()


def _swapped(
    error: RougeError, kind: ActionKind, name: str, sheet: str, rulebook: Any
) -> RougeError:
    """The error, with a hint when SHEET names a rule and the rule's place holds a sheet."""
    if rulebook.get(sheet) is not None and rulebook.get(name) is None and error.hint is None:
        order = {
            "check": "rouge check SHEET CHECK",
            "free-will": "rouge free-will SHEET --act ACT",
            "use": "rouge use SHEET ABILITY",
        }[kind]
        error.hint = f"the arguments look swapped: '{sheet}' is a rule; write {order}"
    return error


@click.command("check")
@click.argument("sheet", type=click.Path(), shell_complete=complete.sheets)
@click.argument(
    "action", metavar="CHECK_OR_ATTRIBUTE", shell_complete=complete.checks_and_attributes
)
@click.option("--dc", type=int, default=None, help="The difficulty (the check's dc parameter).")
@click.option(
    "--vs",
    "versus",
    default=None,
    metavar="SHEET[:ATTRIBUTE]",
    help="An opposed roll against another character, defending with ATTRIBUTE.",
    shell_complete=complete.versus,
)
@_common
def check(sheet: str, action: str, dc: int | None, versus: str | None, **options: Any) -> None:
    """Roll a check or an attribute for the character of SHEET."""
    if dc is not None and versus is not None:
        raise RougeError("give --dc or --vs, not both")
    other, defense = split_vs(versus) if versus else (None, None)
    args = {"dc": dc} if dc is not None else {}
    _table_command("check", action, sheet, other, args=args, defense=defense, **options)


@click.command("free-will")
@click.argument("sheet", type=click.Path(), shell_complete=complete.sheets)
@click.option(
    "--act",
    required=True,
    help="The act attempted, e.g. disobey or harm.",
    shell_complete=complete.definitions("act"),
)
@click.option(
    "--by",
    "by",
    default=None,
    metavar="SHEET",
    help="The other party: the human who gave the order, or would be harmed.",
    shell_complete=complete.sheets,
)
@_common
def free_will(sheet: str, act: str, by: str | None, **options: Any) -> None:
    """A Nean faces the Asimov Code: may the character of SHEET do ACT?"""
    _table_command("free-will", act, sheet, by, **options)


@click.command("use")
@click.argument("sheet", type=click.Path(), shell_complete=complete.sheets)
@click.argument("ability", shell_complete=complete.abilities)
@click.option(
    "--target",
    "target",
    default=None,
    metavar="SHEET",
    help="The target's sheet.",
    shell_complete=complete.sheets,
)
@_common
def use(sheet: str, ability: str, target: str | None, **options: Any) -> None:
    """Use a faction ability or an Immortal Nine power, paying its cost."""
    _table_command("use", ability, sheet, target, **options)
