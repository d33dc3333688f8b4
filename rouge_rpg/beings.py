"""Characters and beings: plain values at the bottom of the code, immutable all the way down.

A `Character` is what a sheet says about one character; a `Being` is that
character as it is now in play (its sheet plus the campaign's changes). Both
are frozen attrs classes whose mappings are `FrozenMap`s, so a value never
changes once made and equal values hash alike: caches can be keyed by value.
Nothing here knows the rules; reading a value the rulebook's way (defaults,
what is an attribute) is `rouge_rpg.rules.evaluate.stat`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from rouge_rpg.record import Record


class FrozenMap(Mapping[str, int]):
    """A mapping of names to numbers that cannot change, and hashes by its contents."""

    __slots__ = ("_hash", "_items")

    def __init__(self, items: Mapping[str, int] | Iterable[tuple[str, int]] = ()) -> None:
        self._items: dict[str, int] = dict(items)
        self._hash: int | None = None

    def __getitem__(self, key: str) -> int:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._items.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def replace(self, **changes: int) -> FrozenMap:
        """A copy with `changes` made."""
        return FrozenMap({**self._items, **changes})


def frozen_map(value: Mapping[str, int] | None) -> FrozenMap:
    """`value` as a `FrozenMap` (itself when it already is one)."""
    if isinstance(value, FrozenMap):
        return value
    return FrozenMap(value or {})


def _names(value: Iterable[str]) -> frozenset[str]:
    return value if isinstance(value, frozenset) else frozenset(value)


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else tuple(value)


@attrs.frozen(repr=False, eq=False, slots=False)
class Character(Record):
    """A character as its sheet defines it. The campaign journal holds its life."""

    name: str
    faction: str
    kind: str
    member: str | None = None
    attributes: FrozenMap = attrs.field(factory=FrozenMap, converter=frozen_map)
    abilities: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    resources: FrozenMap = attrs.field(factory=FrozenMap, converter=frozen_map)
    tracks: FrozenMap = attrs.field(factory=FrozenMap, converter=frozen_map)
    conditions: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    notes: str = ""
    file: str | None = attrs.field(default=None, eq=False)

    @property
    def id(self) -> str:
        """A stable handle: the sheet's file stem, or the name in lower case."""
        if self.file:
            stem = self.file.replace("\\", "/").rsplit("/", 1)[-1]
            return stem.rsplit(".", 1)[0]
        return "_".join(self.name.lower().split())

    def value(self, name: str) -> int | None:
        """The attribute, resource or track `name`, or None."""
        for table in (self.attributes, self.resources, self.tracks):
            if name in table:
                return table[name]
        return None


@attrs.frozen(repr=False, eq=False, slots=False)
class Being(Record):
    """What the engine reads of a character: its sheet and its current state."""

    character: Character
    resources: FrozenMap = attrs.field(converter=frozen_map)
    tracks: FrozenMap = attrs.field(converter=frozen_map)
    conditions: frozenset[str] = attrs.field(converter=_names)

    @classmethod
    def of(
        cls,
        character: Character,
        *,
        resources: Mapping[str, int] | None = None,
        tracks: Mapping[str, int] | None = None,
        conditions: Iterable[str] | None = None,
    ) -> Being:
        """The character as its sheet says, with any of its state replaced."""
        return cls(
            character,
            character.resources if resources is None else resources,
            character.tracks if tracks is None else tracks,
            character.conditions if conditions is None else conditions,
        )

    @property
    def name(self) -> str:
        return self.character.name
