"""A character with everything the rulebook derives from its sheet, as JSON data.

`describe(character, rulebook)` is what `rouge sheet show` prints: the
character's identity with titles, its attributes with their ranges, the
modifiers it carries and where each comes from (its conditions', faction's
and member's `modifier` lines), its abilities with their costs and rules, its
resources, tracks and conditions. The shape is documented in
docs/character-sheets.md.
"""

from __future__ import annotations

from typing import Any

from rouge_rpg.beings import Character
from rouge_rpg.errors import RougeError
from rouge_rpg.rules import ast
from rouge_rpg.rules.explain import explain
from rouge_rpg.rules.rulebook import Rulebook

Json = dict[str, Any]


def _ref(rulebook: Rulebook, id: str | None) -> Json | None:
    if id is None:
        return None
    d = rulebook.get(id)
    return {"id": id, "title": d.title if d is not None else None}


def describe(character: Character, rulebook: Rulebook) -> Json:
    """The character as JSON data; see docs/character-sheets.md for its shape."""
    definitions = list(rulebook.definitions.values())
    member = _ref(rulebook, character.member)
    found = rulebook.get(character.member) if character.member else None
    if member is not None:
        member["deceased"] = isinstance(found, ast.Member) and found.deceased
    return {
        "file": character.file,
        "name": character.name,
        "faction": _ref(rulebook, character.faction),
        "kind": _ref(rulebook, character.kind),
        "member": member,
        "attributes": [
            {
                "id": d.id.text,
                "title": d.title,
                "value": character.attributes.get(d.id.text),
                "low": d.low,
                "high": d.high,
                "default": d.default,
                "skill": d.skill,
            }
            for d in definitions
            if isinstance(d, ast.Attribute)
        ],
        "modifiers": modifiers(character, rulebook),
        "abilities": [ability(rulebook, a) for a in character.abilities],
        "resources": [
            {
                "id": d.id.text,
                "title": d.title,
                "value": character.resources[d.id.text],
                "max": d.maximum,
                "decay": {"amount": d.decay, "per": d.decay_unit} if d.decay else None,
            }
            for d in definitions
            if isinstance(d, ast.Resource) and d.id.text in character.resources
        ],
        "tracks": [
            {
                "id": d.id.text,
                "title": d.title,
                "value": character.tracks.get(d.id.text, d.low),
                "low": d.low,
                "high": d.high,
                "clock": d.clock,
            }
            for d in definitions
            if isinstance(d, ast.Track)
        ],
        "conditions": [
            {
                "id": d.id.text,
                "title": d.title,
                "blocks": [b.text for b in d.blocks],
                "lasts": str(d.lasts) if d.lasts else None,
                "description": d.description,
            }
            for d in definitions
            if isinstance(d, ast.Condition) and d.id.text in character.conditions
        ],
        "notes": character.notes,
    }


def sources(
    character: Character, rulebook: Rulebook
) -> list[ast.Condition | ast.Faction | ast.Member]:
    """What gives the character modifiers: its conditions (in rulebook order), faction, member."""
    found: list[ast.Condition | ast.Faction | ast.Member] = [
        d
        for d in rulebook.definitions.values()
        if isinstance(d, ast.Condition) and d.id.text in character.conditions
    ]
    for id in (character.faction, character.member):
        d = rulebook.get(id) if id else None
        if isinstance(d, ast.Faction | ast.Member):
            found.append(d)
    return found


def modifiers(character: Character, rulebook: Rulebook) -> list[Json]:
    """Every `modifier` line the character carries, with its source and what it is now."""
    from rouge_rpg.beings import Being
    from rouge_rpg.rules.evaluate import Context, number, rolls_dice, test

    ctx = Context(rulebook, Being.of(character))
    out: list[Json] = []
    for d in sources(character, rulebook):
        for m in d.modifiers:
            value: int | None
            try:
                value = (
                    None if m.kind != "total" or rolls_dice(m.value, ctx) else number(m.value, ctx)
                )
            except (RougeError, KeyError, ValueError):
                value = None
            holds: bool | None = True
            if m.when is not None:
                try:
                    holds = None if rolls_dice(m.when, ctx) else test(m.when, ctx)
                except (RougeError, KeyError, ValueError):
                    holds = None
            text = str(m).removeprefix("modifier ")
            span = m.span or d.id.span
            out.append(
                {
                    "value": value,
                    "expression": m.shown,
                    "type": m.type.text if m.type else None,
                    "direction": m.direction,
                    "check": m.selector.text if m.selector else None,
                    "when": str(m.when) if m.when is not None else None,
                    "note": m.note,
                    "holds_now": holds,
                    "text": text,
                    "source": {"kind": d.kind, "id": d.id.text},
                    "file": d.file,
                    "line": span.line if span else None,
                }
            )
    return out


def ability(rulebook: Rulebook, id: str) -> Json:
    """An ability or power: its costs, target, check and its rules in one line."""
    d = rulebook.get(id)
    if not isinstance(d, ast.Ability):
        return {
            "id": id,
            "title": None,
            "kind": None,
            "costs": [],
            "rules": "",
            "description": None,
        }
    lines = explain(d, rulebook)
    rules = [line for line in lines[1:] if line != d.description and not line.startswith("Costs ")]
    return {
        "id": id,
        "title": d.title,
        "kind": d.kind,
        "holders": [{"kind": h.kind, "ids": [i.text for i in h.ids]} for h in d.holders],
        "costs": [{"resource": c.resource.text, "amount": str(c.amount)} for c in d.costs],
        "target": d.target,
        "check": str(d.check).removeprefix("check ") if d.check else None,
        "rules": " ".join(rules) or lines[0],
        "description": d.description,
    }
