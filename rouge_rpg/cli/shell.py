"""`rouge table`: an interactive session at the table.

The campaign's journal stays open and its rulebook loaded for the whole
session; every `rouge` command works without the `rouge` prefix, and a
character may be named by its id in the campaign (`check rouge reflex --dc 9`).
Tab completes commands, options, character ids, checks, attributes, acts,
the abilities of the character typed so far, and conditions (`campaign add`),
through the same Click callbacks as the shells' completion (`cli/complete.py`).
History is kept across sessions in the private cache folder. `help` lists the
commands, `help COMMAND` explains one; Ctrl-C cancels the line, Ctrl-D (or
`exit`) leaves.

`Table` is the session without a terminal (tests and benchmarks use it);
`loop` adds the line editor, prompt_toolkit, imported only here.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem, ShellComplete

from rouge_rpg.cli.active import campaign_option, campaign_rulebook, keep, release, rulebook_option

if TYPE_CHECKING:
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output

    from rouge_rpg.campaign.journal import Journal
    from rouge_rpg.rules.rulebook import Rulebook

#: The file of the shell's history, in the private cache folder.
HISTORY_FILE = "table-history"
#: Words of the shell itself, besides the commands.
SHELL_WORDS = {"help": "List the commands; help COMMAND explains one", "exit": "Leave the table"}


class Table:
    """A session: the active campaign's journal open, its rulebook loaded."""

    #: How `cli/complete.py` recognises a command running at the table.
    is_rouge_table = True

    def __init__(self, campaign: str | None = None, rulebooks: tuple[str, ...] = ()) -> None:
        from rouge_rpg.campaign.journal import Journal, campaign_path
        from rouge_rpg.rules import load

        self.path = campaign_path(campaign)
        self.journal: Journal | None = Journal.open(self.path) if self.path else None
        if self.journal is not None:
            self.journal.remembers = True  # read at every command: fold each event once
        try:
            self.rulebooks = tuple(rulebooks)
            self.rulebook: Rulebook = (
                campaign_rulebook(self.journal, self.rulebooks)
                if self.journal is not None
                else load(*self.rulebooks)
            )
        except BaseException:
            if self.journal is not None:
                self.journal.close()
            raise
        self._saved = os.environ.get("ROUGE_CAMPAIGN")
        if self.journal is not None and self.path is not None:
            os.environ["ROUGE_CAMPAIGN"] = str(self.path.resolve())
            keep(self.journal)
        self._members: dict[str, dict[str, Any]] = {}
        self._members_at = -1

    def close(self) -> None:
        """Leave: the journal closed, `ROUGE_CAMPAIGN` as it was."""
        if self.journal is not None:
            release(self.journal)
            self.journal.close()
            self.journal = None
            if self._saved is None:
                os.environ.pop("ROUGE_CAMPAIGN", None)
            else:
                os.environ["ROUGE_CAMPAIGN"] = self._saved

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what completion needs ----------------------------------------------------------
    def members(self) -> dict[str, dict[str, Any]]:
        """The campaign's active characters: id → the sheet recorded when they joined."""
        if self.journal is None:
            return {}
        try:
            row = self.journal.db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
            seq = int(row[0])
            if seq != self._members_at:
                state = self.journal.state()
                self._members = {c.id: dict(c.sheet) for c in state.characters.values()}
                self._members_at = seq
        except Exception:  # a damaged journal: the command itself will say so
            return {}
        return self._members

    # -- a line -------------------------------------------------------------------------
    def run(self, line: str) -> int:
        """Run one command line as `rouge` would; its exit status."""
        try:
            words = shlex.split(line, comments=True)
        except ValueError as error:
            click.echo(f"Error: {error}", err=True)
            return 2
        if words and words[0] == "rouge":
            words = words[1:]
        if not words:
            return 0
        if words[0] in ("help", "?"):
            if len(words) == 1:
                _help()
            words = [*words[1:], "--help"]
        if words[0] == "table":
            click.echo("Error: already at the table", err=True)
            return 2
        from rouge_rpg.cli.app import cli

        try:
            result = cli.main(words, prog_name="rouge", standalone_mode=False, obj=self)
        except click.exceptions.Exit as stop:
            return stop.exit_code
        except click.ClickException as error:
            error.show()
            return error.exit_code
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            return 1
        except SystemExit as stop:
            return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except Exception as error:  # a bug: say so, and keep the table going
            click.echo(f"Error: unexpected {type(error).__name__}: {error}", err=True)
            return 1
        return result if isinstance(result, int) else 0

    def complete(self, text: str) -> list[CompletionItem]:
        """What may follow `text`, the line typed so far, as Click completes it."""
        try:
            words = shlex.split(text)
        except ValueError:  # inside an unclosed quote
            return []
        incomplete = "" if not text or text[-1].isspace() or not words else words.pop()
        if words and words[0] in ("help", "?"):
            words = words[1:]
        from rouge_rpg.cli.app import cli

        try:
            items = ShellComplete(cli, {"obj": self}, "rouge", "_ROUGE_COMPLETE").get_completions(
                words, incomplete
            )
        except Exception:  # a completion that cannot be computed is no completion
            return []
        found: list[CompletionItem] = []
        for item in items:
            if item.type in ("file", "dir"):
                found.extend(_paths(item.value, folders_only=item.type == "dir"))
            elif item.value not in ("table",):
                found.append(item)
        if not words:
            found += [
                CompletionItem(w, help=h)
                for w, h in SHELL_WORDS.items()
                if w.startswith(incomplete)
            ]
        return found


def _help() -> None:
    click.echo(
        "At the table every rouge command works without 'rouge': check rouge reflex --dc 9.\n"
        "Tab completes; help COMMAND explains one; Ctrl-C cancels the line; Ctrl-D or\n"
        "exit leaves.\n"
    )


def _paths(incomplete: str, *, folders_only: bool) -> list[CompletionItem]:
    """Files and folders that start with `incomplete` (folders end with /)."""
    folder, _, start = incomplete.rpartition("/")
    base = Path(os.path.expanduser(folder + "/" if folder else "."))
    prefix = f"{folder}/" if folder else ""
    found = []
    try:
        for entry in sorted(os.scandir(base), key=lambda e: e.name):
            if not entry.name.startswith(start) or (entry.name.startswith(".") and not start):
                continue
            if entry.is_dir():
                found.append(CompletionItem(f"{prefix}{entry.name}/"))
            elif not folders_only:
                found.append(CompletionItem(f"{prefix}{entry.name}"))
    except OSError:
        return []
    return found


def history_path() -> Path | None:
    """Where the history is kept: the private cache folder (none without one)."""
    from rouge_rpg.cache import cache_dir

    folder = cache_dir()
    return folder / HISTORY_FILE if folder is not None else None


def loop(table: Table, *, input: Input | None = None, output: Output | None = None) -> None:
    """Read lines and run them until Ctrl-D or `exit`."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.document import Document
    from prompt_toolkit.history import FileHistory, History, InMemoryHistory

    class TableCompleter(Completer):
        def get_completions(self, document: Document, complete_event: Any) -> Any:
            text = document.text_before_cursor
            typed = "" if not text or text[-1].isspace() else text.split()[-1]
            for item in table.complete(text):
                yield Completion(
                    item.value, start_position=-len(typed), display_meta=item.help or ""
                )

    where = history_path()
    history: History = FileHistory(str(where)) if where is not None else InMemoryHistory()
    session: PromptSession[str] = PromptSession(
        history=history,
        completer=TableCompleter(),
        complete_while_typing=False,
        input=input,
        output=output,
    )
    while True:
        try:
            line = session.prompt("rouge> ")
        except KeyboardInterrupt:  # Ctrl-C: the line is dropped, the table stays
            continue
        except EOFError:  # Ctrl-D
            break
        if line.strip() in ("exit", "quit"):
            break
        try:
            table.run(line)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)


@click.command("table")
@campaign_option
@rulebook_option
def table(campaign: str | None, rulebooks: tuple[str, ...]) -> None:
    """An interactive session on the campaign: everything loaded once, tab completion."""
    with Table(campaign, rulebooks) as session:
        where = f"{session.path} " if session.path is not None else "no campaign, "
        click.echo(f"At the table: {where}({session.rulebook.title}). help lists the commands.")
        loop(session)
