"""Read a character sheet's structure, without a rulebook.

`load(path)` parses the YAML (see `yamlsource`) and checks the shape of each
key: the name is text, `attributes` a mapping of ids to whole numbers,
`abilities` a list of ids, and so on. Values of the wrong type become error
diagnostics and are kept as `None`, so that `validate` knows the key was
given; unknown top-level keys are warnings. Whether the ids exist, and the
values are in range, is `validate`'s business, since that needs the rulebook.

Only unreadable files raise (`InputError`, `LimitError`: exit status 2).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Generic, TypeVar

import attrs

from rouge_rpg.diagnostics import Diagnostic
from rouge_rpg.sheets.nodes import Document, Mapping, Node, Scalar, Sequence
from rouge_rpg.sheets.types import describe, expect_number, expect_str, expected
from rouge_rpg.sheets.yamlsource import load_yaml, parse_yaml

T = TypeVar("T")

#: The keys a sheet may have at its top level, in the order a sheet lists them.
KEYS = (
    "name",
    "faction",
    "kind",
    "member",
    "attributes",
    "abilities",
    "resources",
    "tracks",
    "conditions",
    "notes",
)


@attrs.frozen
class Field(Generic[T]):
    """A top-level key, its value node, and the value read from it.

    `value` is None when the node has the wrong type (already reported).
    """

    key: Scalar
    node: Node
    value: T | None


@attrs.frozen
class Entry:
    """One `id: number` line of `attributes`, `resources` or `tracks`.

    `value` is None when it is not a whole number (already reported).
    """

    id: str
    key: Scalar
    node: Node
    value: int | None


@attrs.frozen
class Item:
    """One id of the `abilities` or `conditions` list."""

    id: str
    node: Node


@attrs.frozen
class Sheet:
    """A sheet's fields as written, each with its nodes, and the problems of their shapes."""

    document: Document
    name: Field[str] | None = None
    faction: Field[str] | None = None
    kind: Field[str] | None = None
    member: Field[str] | None = None
    attributes: Field[tuple[Entry, ...]] | None = None
    abilities: Field[tuple[Item, ...]] | None = None
    resources: Field[tuple[Entry, ...]] | None = None
    tracks: Field[tuple[Entry, ...]] | None = None
    conditions: Field[tuple[Item, ...]] | None = None
    notes: Field[str] | None = None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def file(self) -> str:
        return self.document.file

    @property
    def source(self) -> str:
        return self.document.source

    @property
    def root(self) -> Mapping:
        return self.document.root


def locate(path: str | os.PathLike[str]) -> Path:
    """The sheet file that `path` names: a path wins, else a bundled sheet of that name.

    `rouge.yaml` (or `rouge`) that is not a file here, given without a folder, is
    the bundled sheet `rulebooks/metallic_rouge/sheets/rouge.yaml` if there is one,
    else the first of that name among the other bundled rulebooks' sheets
    (`keeler`: `rulebooks/pbta/sheets/keeler.yaml`). Anything else is left as
    given (and reported if it cannot be read).
    """
    given = Path(path)
    try:
        there = given.exists()
    except (OSError, ValueError):  # a name too long, a NUL: `load_yaml` says why
        return given
    if there or len(given.parts) != 1 or given.name in (".", ".."):
        return given
    name = given.name if given.suffix in (".yaml", ".yml") else f"{given.name}.yaml"
    from rouge_rpg import resources

    bundled = resources.bundled_rulebook() / "sheets" / name
    if bundled.is_file():
        return bundled
    for other in resources.bundled_rulebooks():
        found = resources.data_dir("rulebooks") / other / "sheets" / name
        if found.is_file():
            return found
    return given


def load(path: str | os.PathLike[str]) -> Sheet:
    """Read the sheet at `path`, or the bundled sheet it names (see `locate`).

    Spans name the file as given, or the bundled file's path.
    """
    return read(load_yaml(locate(path)))


def parse(text: str, file: str) -> Sheet:
    """Read sheet text; `file` names it in diagnostics."""
    return read(parse_yaml(text, file))


def read(document: Document) -> Sheet:
    """The structure of a parsed sheet."""
    problems: list[Diagnostic] = []
    texts: dict[str, Field[str]] = {}
    numbers: dict[str, Field[tuple[Entry, ...]]] = {}
    lists: dict[str, Field[tuple[Item, ...]]] = {}
    for key, node in document.root.items():
        name = key.value
        if not isinstance(name, str) or name not in KEYS:
            problems.append(_unknown_key(key))
        elif name == "notes" and isinstance(node, Scalar) and node.is_null:
            texts[name] = Field(key, node, "")
        elif name in ("name", "faction", "kind", "member", "notes"):
            texts[name] = Field(key, node, _text(node, problems))
        elif name in ("attributes", "resources", "tracks"):
            numbers[name] = Field(key, node, _numbers(node, problems))
        else:
            lists[name] = Field(key, node, _ids(node, name, problems))
    return Sheet(
        document,
        name=texts.get("name"),
        faction=texts.get("faction"),
        kind=texts.get("kind"),
        member=texts.get("member"),
        attributes=numbers.get("attributes"),
        abilities=lists.get("abilities"),
        resources=numbers.get("resources"),
        tracks=numbers.get("tracks"),
        conditions=lists.get("conditions"),
        notes=texts.get("notes"),
        diagnostics=tuple(problems),
    )


def _unknown_key(key: Scalar) -> Diagnostic:
    shown = key.value if isinstance(key.value, str) else key.text
    close = difflib.get_close_matches(str(shown).lower(), KEYS, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else "a sheet's keys are: " + ", ".join(KEYS)
    return Diagnostic("warning", f"unknown key '{shown}', which is ignored", key.span, hint)


def _text(node: Node, problems: list[Diagnostic]) -> str | None:
    found = expect_str(node)
    if isinstance(found, Diagnostic):
        problems.append(found)
        return None
    return found


def whole_number(node: Node) -> int | Diagnostic:
    """`expected a number, got 'three'`; `expected a whole number, got 3.5`."""
    found = expect_number(node)
    if isinstance(found, Diagnostic):
        return found
    if not isinstance(found, int):
        return expected(node, "a whole number")
    return found


def _numbers(node: Node, problems: list[Diagnostic]) -> tuple[Entry, ...] | None:
    """`id: number` lines; nothing written (`attributes:`) is an empty mapping."""
    if isinstance(node, Scalar) and node.is_null:
        return ()
    if not isinstance(node, Mapping):
        problems.append(expected(node, "a mapping of ids to numbers"))
        return None
    entries = []
    for key, value in node.items():
        if not isinstance(key.value, str):
            problems.append(expected(key, "an id"))
            continue
        number = whole_number(value)
        if isinstance(number, Diagnostic):
            problems.append(number)
            entries.append(Entry(key.value, key, value, None))
        else:
            entries.append(Entry(key.value, key, value, number))
    return tuple(entries)


def _ids(node: Node, name: str, problems: list[Diagnostic]) -> tuple[Item, ...] | None:
    """A list of ids; nothing written (`conditions:`) is an empty list."""
    if isinstance(node, Scalar) and node.is_null:
        return ()
    if not isinstance(node, Sequence):
        hint = None
        if isinstance(node, Scalar) and isinstance(node.value, str):
            hint = f"write a list, even of one: {name}: [{node.value}]"
        problems.append(expected(node, "a list of ids", hint))
        return None
    items: list[Item] = []
    first: dict[str, Node] = {}
    for item in node:
        found = item.value if isinstance(item, Scalar) else None
        if not isinstance(found, str):
            problems.append(Diagnostic("error", f"expected an id, got {describe(item)}", item.span))
            continue
        if found in first:
            problems.append(
                Diagnostic(
                    "warning",
                    f"'{found}' is listed twice (first at line {first[found].span.line})",
                    item.span,
                )
            )
            continue
        first[found] = item
        items.append(Item(found, item))
    return tuple(items)
