"""A JSON Schema (draft 2020-12) for the sheets of one rulebook, for editors.

Editors that know JSON Schema (VS Code's YAML extension, JetBrains IDEs) use
it to complete ids and flag mistakes as the GM types. It says what it can:
the keys, their types, the ids of each kind of definition, the ranges of
attributes, resources and tracks, the attributes without defaults, and, per
faction, the kinds and members that fit it and the resources it grants; per
ability with `for` lines, who may hold it. What a schema cannot say well
(prerequisites, duplicate ids, warnings) is left to `rouge sheet validate`,
which remains the authority.
"""

from __future__ import annotations

from typing import Any

from rouge_rpg.rules import ast
from rouge_rpg.rules.rulebook import Rulebook

#: The JSON Schema dialect of the generated schema.
DIALECT = "https://json-schema.org/draft/2020-12/schema"

Schema = dict[str, Any]


def _ids(rulebook: Rulebook, cls: type[ast.Definition]) -> list[str]:
    return [d.id.text for d in rulebook.definitions.values() if isinstance(d, cls)]


def _one_of(ids: list[str]) -> Schema | bool:
    """`{"enum": ids}`, or `false` (nothing is allowed) when there are none."""
    return {"enum": ids} if ids else False


def _titled(d: ast.Definition, text: str) -> str:
    return f"{d.display} ({d.id}): {text}"


def _numbers(entries: dict[str, tuple[ast.Definition, int, int, str]]) -> Schema:
    return {
        id: {
            "type": "integer",
            "minimum": low,
            "maximum": high,
            "description": _titled(d, text),
        }
        for id, (d, low, high, text) in entries.items()
    }


def schema(rulebook: Rulebook) -> Schema:
    """The JSON Schema of a sheet for `rulebook`, as plain JSON data."""
    definitions = list(rulebook.definitions.values())
    attributes = [d for d in definitions if isinstance(d, ast.Attribute)]
    resources = [d for d in definitions if isinstance(d, ast.Resource)]
    tracks = [d for d in definitions if isinstance(d, ast.Track)]
    factions = [d for d in definitions if isinstance(d, ast.Faction)]
    members = [d for d in definitions if isinstance(d, ast.Member)]
    abilities = [d for d in definitions if isinstance(d, ast.Ability)]
    kinds = _ids(rulebook, ast.Kind)

    required_attributes = [a.id.text for a in attributes if a.default is None]
    attribute_schema: Schema = {
        "type": "object" if required_attributes else ["object", "null"],
        "description": "Attribute id: a whole number within its range.",
        "properties": _numbers(
            {
                a.id.text: (
                    a,
                    a.low,
                    a.high,
                    f"{a.low}..{a.high}"
                    + (f", default {a.default}" if a.default is not None else ", required"),
                )
                for a in attributes
            }
        ),
        "additionalProperties": False,
    }
    if required_attributes:
        attribute_schema["required"] = required_attributes

    properties: Schema = {
        "name": {
            "type": "string",
            "minLength": 1,
            "pattern": "\\S",
            "description": "The character's name.",
        },
        "faction": {
            **_enum_schema(_ids(rulebook, ast.Faction)),
            "description": "A faction id: " + ", ".join(f"{f.id} ({f.display})" for f in factions),
        },
        "kind": {
            **_enum_schema(kinds),
            "description": "A kind id; optional when the faction fixes the kind.",
        },
        "member": {
            **_enum_schema([m.id.text for m in members]),
            "description": "A member id of the character's faction.",
        },
        "attributes": attribute_schema,
        "abilities": {
            "type": ["array", "null"],
            "description": "Ability and power ids.",
            "items": _one_of([a.id.text for a in abilities]),
        },
        "resources": {
            "type": ["object", "null"],
            "description": "Resource id: its current value, from 0 to its maximum. "
            "Only resources the faction grants.",
            "properties": _numbers(
                {r.id.text: (r, 0, r.maximum, f"0..{r.maximum}") for r in resources}
            ),
            "additionalProperties": False,
        },
        "tracks": {
            "type": ["object", "null"],
            "description": "Track or clock id: its value; a missing one is at its low end.",
            "properties": _numbers(
                {t.id.text: (t, t.low, t.high, f"{t.kind}, {t.low}..{t.high}") for t in tracks}
            ),
            "additionalProperties": False,
        },
        "conditions": {
            "type": ["array", "null"],
            "description": "Condition ids.",
            "items": _one_of(_ids(rulebook, ast.Condition)),
        },
        "notes": {"type": ["string", "null"], "description": "Free text."},
    }
    rules: list[Schema] = [_faction_rule(rulebook, f, members, kinds) for f in factions]
    rules.extend(_holder_rule(rulebook, a, factions, kinds) for a in abilities if a.holders)
    out: Schema = {
        "$schema": DIALECT,
        "title": f"Character sheet for {rulebook.title}",
        "$comment": "Generated by `rouge sheet schema`; `rouge sheet validate` is the authority.",
        "type": "object",
        "properties": properties,
        "required": ["name", "faction", *(["attributes"] if required_attributes else [])],
        "additionalProperties": False,
    }
    if rules:
        out["allOf"] = rules
    return out


def _enum_schema(ids: list[str]) -> Schema:
    return {"type": "string", "enum": ids} if ids else {"not": {}}


def _faction_rule(
    rulebook: Rulebook, faction: ast.Faction, members: list[ast.Member], kinds: list[str]
) -> Schema:
    """If the sheet is of this faction: its kinds, its members, its resources."""
    own = [m.id.text for m in members if m.faction.text == faction.id.text]
    granted = [g.resource.text for g in faction.grants]
    then: Schema = {
        "properties": {
            "member": _one_of(own),
            "resources": {"propertyNames": _one_of(granted)},
        }
    }
    if faction.being is not None:
        fitting = [k for k in kinds if rulebook.is_kind(k, faction.being.text)]
        then["properties"]["kind"] = _one_of(fitting)
    else:
        then["required"] = ["kind"]
    return {
        "if": {"required": ["faction"], "properties": {"faction": {"const": faction.id.text}}},
        "then": then,
    }


def _holder_rule(
    rulebook: Rulebook, ability: ast.Ability, factions: list[ast.Faction], kinds: list[str]
) -> Schema:
    """If the sheet lists this ability: one of its `for` lines must admit the character."""
    ways: list[Schema] = []
    for h in ability.holders:
        ids = [i.text for i in h.ids]
        if h.kind == "kind":
            below = [k for k in kinds if any(rulebook.is_kind(k, i) for i in ids)]
            ways.append({"required": ["kind"], "properties": {"kind": _one_of(below)}})
            by_faction = [
                f.id.text for f in factions if f.being is not None and f.being.text in below
            ]
            if by_faction:
                ways.append(
                    {
                        "not": {"required": ["kind"]},
                        "required": ["faction"],
                        "properties": {"faction": {"enum": by_faction}},
                    }
                )
        else:
            ways.append({"required": [h.kind], "properties": {h.kind: {"enum": ids}}})
    return {
        "if": {
            "required": ["abilities"],
            "properties": {"abilities": {"type": "array", "contains": {"const": ability.id.text}}},
        },
        "then": {"anyOf": ways},
    }
