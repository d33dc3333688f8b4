"""The campaign at a glance: a table of the characters, or one character in full."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rouge_rpg.campaign.gametime import format_time
from rouge_rpg.cli.output import printable

if TYPE_CHECKING:
    from rouge_rpg.campaign.state import CampaignState, CharacterState
    from rouge_rpg.rules.rulebook import Rulebook


def _conditions(who: CharacterState, now: int) -> str:
    """`exposed (until day 2, 06:00), armored`: when each condition runs out, if it does."""
    shown = []
    for name, expires in sorted(who.conditions.items()):
        if expires is None:
            shown.append(name)
        elif expires <= now + 1 and expires > now:
            shown.append(f"{name} (this scene)")
        else:
            shown.append(f"{name} (until {format_time(expires)})")
    return ", ".join(shown) or "-"


def _status_lines(state: CampaignState) -> list[str]:
    """One row per character present: id, name, what it carries, conditions and when they end."""
    people = [c for c in state.characters.values() if c.active]
    if not people:
        return ["No characters yet: rouge campaign join SHEET..."]
    columns: list[str] = []
    for c in people:
        for key in [*c.resources, *c.tracks]:
            if key not in columns:
                columns.append(key)
    rows = [
        [
            c.id,
            c.name + (" (aside)" if c.benched else ""),
            *[str({**c.resources, **c.tracks}.get(k, "-")) for k in columns],
            _conditions(c, state.time),
        ]
        for c in people
    ]
    header = ["id", "character", *columns, "conditions"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


def _member_lines(who: CharacterState, rulebook: Rulebook, now: int) -> list[str]:
    """One character in full: what it is, each value against its range, and its conditions."""
    from rouge_rpg.rules import ast

    sheet = who.sheet
    where = "left the campaign" if not who.active else "set aside" if who.benched else "present"
    lines = [
        f"{who.id}: {who.name} ({sheet.get('faction')}, {sheet.get('kind')}), {where}",
    ]
    values = {**who.resources, **who.tracks}
    width = max((len(k) for k in values), default=0)
    for key, value in values.items():
        found = rulebook.get(key)
        if isinstance(found, ast.Resource):
            shown = f"{value} of {found.maximum}"
        elif isinstance(found, ast.Track):
            shown = f"{value} ({found.low}..{found.high})"
        else:
            shown = str(value)
        lines.append(f"  {key:<{width}}  {shown}")
    lines.append(f"  conditions: {_conditions(who, now)}")
    attributes = sheet.get("attributes") or {}
    if attributes:
        lines.append("  " + ", ".join(f"{k} {v}" for k, v in attributes.items()))
    if sheet.get("file"):
        lines.append(f"  sheet: {sheet['file']}")
    return lines


# The public forms: every line passed through `printable` (names come from sheets).


def status_lines(state: CampaignState) -> list[str]:
    """One row per character present: id, name, what it carries, conditions and when they end."""
    return [printable(line) for line in _status_lines(state)]


def member_lines(who: CharacterState, rulebook: Rulebook, now: int) -> list[str]:
    """One character in full."""
    return [printable(line) for line in _member_lines(who, rulebook, now)]
