"""`Being`: a character as it is now, its sheet plus the campaign's changes."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from rouge_rpg.rules import ast
from rouge_rpg.rules.rulebook import Rulebook
from rouge_rpg.sheets.model import Character


@attrs.frozen
class Being:
    """What the engine reads of a character: its sheet and its current state."""

    character: Character
    resources: Mapping[str, int]
    tracks: Mapping[str, int]
    conditions: frozenset[str]

    @classmethod
    def of(
        cls,
        character: Character,
        *,
        resources: Mapping[str, int] | None = None,
        tracks: Mapping[str, int] | None = None,
        conditions: frozenset[str] | None = None,
    ) -> Being:
        """The character as its sheet says, with any of its state replaced."""
        return cls(
            character,
            dict(character.resources if resources is None else resources),
            dict(character.tracks if tracks is None else tracks),
            character.conditions if conditions is None else conditions,
        )

    @property
    def name(self) -> str:
        return self.character.name

    def number(self, name: str, rulebook: Rulebook) -> int:
        """The current value of attribute, resource or track `name`."""
        found = rulebook.get(name)
        if isinstance(found, ast.Attribute):
            value = self.character.attributes.get(name)
            if value is None:
                value = found.default if found.default is not None else found.low
            return value
        if isinstance(found, ast.Resource):
            return self.resources.get(name, 0)
        if isinstance(found, ast.Track):
            return self.tracks.get(name, found.low)
        raise KeyError(name)
