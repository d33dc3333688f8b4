"""The GM's hand: set, raise or lower a value, add or remove a condition, damage and heal.

Each adjustment is one journal event, with an optional note, undoable and
shown in the log. Values are clamped to their ranges and thresholds fire, as
when a rule changes them (`rouge_rpg.engine.apply`).
"""

from __future__ import annotations

import re
from typing import Literal

from rouge_rpg.campaign.actions import apply_to
from rouge_rpg.campaign.gametime import format_duration, parse_duration
from rouge_rpg.campaign.journal import CampaignError, Journal
from rouge_rpg.campaign.members import find
from rouge_rpg.engine import Change
from rouge_rpg.rules import ast
from rouge_rpg.rules.rulebook import Rulebook

Move = Literal["set", "raise", "lower"]
_AMOUNT = re.compile(r"^([+-]?)(\d{1,9})$")


def amount(text: str) -> tuple[Move, int]:
    """`+2` raises by 2, `-1` lowers by 1, `3` sets to 3."""
    found = _AMOUNT.match(text.strip())
    if found is None:
        raise CampaignError(
            f"'{text}' is not an amount: write +N to raise, -N to lower, or N to set"
        )
    sign, digits = found.groups()
    move: Move = "raise" if sign == "+" else "lower" if sign == "-" else "set"
    return move, int(digits)


def _record(
    journal: Journal,
    rulebook: Rulebook,
    character_id: str,
    step: tuple[ast.EffectVerb, str | None, int | None, ast.Duration | None],
    summary: str,
    note: str | None,
) -> list[str]:
    with journal.transaction():
        state = journal.state()
        who = find(state, character_id)
        verb, what, number, lasting = step
        change = Change("actor", who.name, verb, what, number, lasting, source="the GM")
        entries, notes = apply_to(state, rulebook, who, [change], state.time)
        text = f"{who.name}: {summary}" + (f" ({note})" if note else "")
        payload = {"applied": entries, "note": note, "notes": notes, "summary": text}
        journal.append(state, "adjust", state.time, payload, character=who.id)
    return notes or [f"{who.name}: nothing changed"]


def adjust(
    journal: Journal,
    rulebook: Rulebook,
    character_id: str,
    what: str,
    text: str,
    *,
    note: str | None = None,
) -> list[str]:
    """Set, raise or lower a resource, track or clock: `harm +2`, `nectar -1`, `heat 3`."""
    found = rulebook.get(what)
    if not isinstance(found, ast.Resource | ast.Track):
        kinds = rulebook.of_kind("resource", "track", "clock")
        raise CampaignError(
            f"'{what}' is not a resource, track or clock",
            hint="one of: " + ", ".join(d.id.text for d in kinds),
        )
    move, number = amount(text)
    verb: ast.EffectVerb
    if move == "set":
        verb = "set"
    elif isinstance(found, ast.Resource):
        verb = "gain" if move == "raise" else "lose"
    else:
        verb = "advance" if move == "raise" else "reduce"
    return _record(
        journal, rulebook, character_id, (verb, what, number, None), f"{what} {text}", note
    )


def harm(
    journal: Journal,
    rulebook: Rulebook,
    character_id: str,
    verb: Literal["damage", "heal"],
    number: int,
    *,
    note: str | None = None,
) -> list[str]:
    """Damage or heal on the rulebook's damage track."""
    track = rulebook.damage_track
    if track is None:
        raise CampaignError("the rulebook has no track that takes damage")
    if number < 1:
        raise CampaignError(f"{verb} takes an amount of at least 1")
    return _record(
        journal,
        rulebook,
        character_id,
        (verb, track.id.text, number, None),
        f"{verb} {number}",
        note,
    )


_ENCOUNTER_UNITS: dict[str, ast.TimeUnit] = {"round": "round", "turn": "turn", "scene": "scene"}
_ROUNDS = re.compile(r"^\s*(\d{1,4})?\s*(round|rounds|turn|turns|scene|scenes)\s*$")


def lasting(text: str) -> ast.Duration:
    """`6h`, `1d12h` (game time), `2 rounds`, `1 turn` or `1 scene` (an encounter's clock)."""
    found = _ROUNDS.match(text.lower())
    if found is not None:
        amount = int(found.group(1) or 1)
        unit: ast.TimeUnit = _ENCOUNTER_UNITS[found.group(2).rstrip("s")]
        if amount < 1:
            raise CampaignError("a duration must be longer than zero")
        return ast.Duration(amount, unit)
    return ast.Duration(parse_duration(text), "minute")


def condition(
    journal: Journal,
    rulebook: Rulebook,
    character_id: str,
    name: str,
    *,
    add: bool,
    duration: ast.Duration | None = None,
    note: str | None = None,
) -> list[str]:
    """Add a condition (for a while, or as long as its rule says) or remove one."""
    rulebook.require(name, ast.Condition)
    verb: ast.EffectVerb = "gain" if add else "lose"
    shown = ""
    if duration is not None:
        minutes = duration.unit == "minute"
        shown = f" for {format_duration(duration.amount) if minutes else duration}"
    summary = f"{'gains' if add else 'loses'} {name}{shown}"
    return _record(journal, rulebook, character_id, (verb, name, None, duration), summary, note)
