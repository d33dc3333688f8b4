"""Completion of the ids the commands take, for the shells and for `rouge table`.

The same callbacks serve both: Click calls them for bash, zsh and fish
(`eval "$(_ROUGE_COMPLETE=bash_source rouge)"`), and the table shell asks Click
for completions with itself as the context's `obj`. A character is named
by its id in the campaign (`check rouge reflex`) or by its sheet's path.

Nothing here may fail: a completion that cannot be computed is no completion.
Everything is imported only when a completion is asked for.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from rouge_rpg.rules.rulebook import Rulebook

Completer = Callable[[click.Context, click.Parameter, str], "list[CompletionItem]"]


def _item(value: str, **extra: Any) -> CompletionItem:
    """Click's `CompletionItem`: its module is imported only when something is completed."""
    from click.shell_completion import CompletionItem

    return CompletionItem(value, **extra)


def table_of(ctx: click.Context) -> Any:
    """The `rouge table` session this command runs in (`cli.shell.Table`), or None."""
    obj = ctx.find_root().obj
    return obj if getattr(obj, "is_rouge_table", False) is True else None


def in_table(ctx: click.Context) -> bool:
    """Whether the command runs inside `rouge table`."""
    return table_of(ctx) is not None


def _param(ctx: click.Context, name: str) -> Any:
    """A parameter's value given so far, in this context or a parent's."""
    current: click.Context | None = ctx
    while current is not None:
        if current.params.get(name) is not None:
            return current.params[name]
        current = current.parent
    return None


def members(ctx: click.Context) -> dict[str, dict[str, Any]]:
    """Campaign members: id → the sheet recorded when they joined."""
    if in_table(ctx):
        found: dict[str, dict[str, Any]] = table_of(ctx).members()
        return found
    try:
        from rouge_rpg.campaign.journal import Journal, campaign_path

        path = campaign_path(_param(ctx, "campaign"))
        if path is None or not path.is_file():
            return {}
        with Journal.open(path) as journal:
            state = journal.state()
        return {c.id: dict(c.sheet) for c in state.characters.values()}
    except Exception:  # no campaign, a damaged one: nothing to complete
        return {}


def rulebook(ctx: click.Context) -> Rulebook | None:
    """The rulebook the command would use: --rulebook, the campaign's, or the bundled one."""
    if in_table(ctx):
        found: Rulebook = table_of(ctx).rulebook
        return found
    try:
        from rouge_rpg.rules import load

        folders = tuple(_param(ctx, "rulebooks") or ())
        if not folders:
            from rouge_rpg.campaign.journal import Journal, campaign_path

            path = campaign_path(_param(ctx, "campaign"))
            if path is not None and path.is_file():
                with Journal.open(path) as journal:
                    folders = tuple(journal.meta("rulebooks") or ())
        return load(*folders)
    except Exception:  # a rulebook with errors, a damaged campaign: nothing to complete
        return None


def _items(values: Iterable[tuple[str, str | None]], incomplete: str) -> list[CompletionItem]:
    seen: set[str] = set()
    items = []
    for value, help in values:
        if value.startswith(incomplete) and value not in seen:
            seen.add(value)
            items.append(_item(value, help=help))
    return items


def definitions(*kinds: str) -> Completer:
    """Ids of the rulebook's definitions of these kinds (all kinds with none)."""

    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        book = rulebook(ctx)
        if book is None:
            return []
        found = book.of_kind(*kinds) if kinds else list(book.definitions.values())
        return _items(((d.id.text, d.display) for d in found), incomplete)

    return complete


def _sheet_path(sheet: Mapping[str, Any]) -> str | None:
    file = sheet.get("file")
    return str(file) if file else None


def sheets(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """A character: a campaign member's id, or a sheet file."""
    found = members(ctx)
    items = _items(((i, str(s.get("name", i))) for i, s in found.items()), incomplete)
    if in_table(ctx) and items:
        return items
    return [*items, _item(incomplete, type="file")]


def member_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """A member's id (`campaign feed NAME`)."""
    found = members(ctx)
    return _items(((i, str(s.get("name", i))) for i, s in found.items()), incomplete)


def versus(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """`--vs SHEET[:ATTRIBUTE]`: a character, then after the colon an attribute."""
    head, colon, tail = incomplete.rpartition(":")
    if not colon:
        return sheets(ctx, param, incomplete)
    attributes = definitions("attribute")(ctx, param, tail)
    return [_item(f"{head}:{item.value}", help=item.help) for item in attributes]


def _character_sheet(ctx: click.Context, given: str) -> Mapping[str, Any] | None:
    """The sheet (as the journal records it, or read from its file) of the character typed."""
    found = members(ctx)
    if given in found:
        return found[given]
    resolved = os.path.realpath(given)
    for sheet in found.values():
        path = _sheet_path(sheet)
        if path and os.path.realpath(path) == resolved:
            return sheet
    book = rulebook(ctx)
    if book is None or not Path(given).is_file():
        return None
    try:
        from rouge_rpg.sheets import read_character

        character = read_character(Path(given), book)
    except Exception:  # an invalid sheet: complete every ability instead
        return None
    return {"abilities": list(character.abilities), "name": character.name}


def abilities(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The abilities of the character typed so far (every ability if it is unknown)."""
    everything = definitions("ability")(ctx, param, incomplete)
    given = ctx.params.get("sheet")
    sheet = _character_sheet(ctx, str(given)) if given else None
    if sheet is None or not sheet.get("abilities"):
        return everything
    own = set(sheet["abilities"])
    return [item for item in everything if item.value in own]


def checks_and_attributes(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """`check SHEET CHECK_OR_ATTRIBUTE`: the rulebook's checks, then its attributes."""
    return definitions("check")(ctx, param, incomplete) + definitions("attribute")(
        ctx, param, incomplete
    )


def kinds(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The kinds of definition (`rules list --kind`)."""
    book = rulebook(ctx)
    if book is None:
        return []
    found = sorted({d.kind for d in book.definitions.values()})
    return _items(((k, None) for k in found), incomplete)


def pushes(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The names of the rulebook's `push` lines (`push`, `check --push`)."""
    book = rulebook(ctx)
    if book is None:
        return []
    from rouge_rpg.rules import ast

    found = [
        (p.name.text, f"{p.display} ({c.id})")
        for c in book.of_kind("check")
        if isinstance(c, ast.Check)
        for p in c.pushes
    ]
    return _items(found, incomplete)
