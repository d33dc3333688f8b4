"""`Character`: what a sheet says about one character, as plain frozen values."""

from __future__ import annotations

from collections.abc import Mapping

import attrs


def _frozen_map(value: Mapping[str, int]) -> Mapping[str, int]:
    return dict(value)


@attrs.frozen
class Character:
    """A character as its sheet defines it. The campaign journal holds its life."""

    name: str
    faction: str
    kind: str
    member: str | None = None
    attributes: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen_map)
    abilities: tuple[str, ...] = ()
    resources: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen_map)
    tracks: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen_map)
    conditions: frozenset[str] = frozenset()
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
