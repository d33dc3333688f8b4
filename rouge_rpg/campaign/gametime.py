"""Game time: durations like `6h` or `2d12h`, counted in minutes."""

from __future__ import annotations

import re

from rouge_rpg.errors import RougeError
from rouge_rpg.units import MAX_GAME_TIME, MINUTES

_SHORT = {"m": "minute", "h": "hour", "d": "day", "w": "week"}
_PART = r"(\d+)\s*([a-z]+)"  # compiled by `re` when a duration is first read


def parse_duration(text: str) -> int:
    """`6h`, `2d`, `1d12h`, `90m`, `3 days` → minutes."""
    cleaned = text.strip().lower()
    if not cleaned:
        raise RougeError("empty duration; try 6h, 2d or 1w")
    if len(cleaned) > 40:  # no duration of ten years or less needs more
        raise RougeError(f"'{cleaned[:40]}...' is too long for a duration; try 6h, 2d or 1w")
    position = 0
    total = 0
    for match in re.finditer(_PART, cleaned):
        if cleaned[position : match.start()].strip():
            break
        amount, unit = int(match.group(1)), match.group(2)
        name = _SHORT.get(unit) or unit.rstrip("s")
        if name not in MINUTES:
            raise RougeError(
                f"unknown unit '{unit}' in duration '{text}'; use m, h, d or w (minutes, hours, "
                "days, weeks)"
            )
        total += amount * MINUTES[name]
        position = match.end()
    if position != len(cleaned) or position == 0:
        raise RougeError(f"'{text}' is not a duration; try 6h, 2d, 1d12h or 1w")
    if total <= 0:
        raise RougeError("a duration must be longer than zero")
    if total > MAX_GAME_TIME:
        raise RougeError("a duration may be at most ten years of game time")
    return total


def format_time(minutes: int) -> str:
    """Game time since the campaign began: `day 3, 06:00`."""
    days, rest = divmod(minutes, MINUTES["day"])
    hours, mins = divmod(rest, 60)
    return f"day {days + 1}, {hours:02d}:{mins:02d}"


def format_duration(minutes: int) -> str:
    """`2d 6h`, `90m` → readable."""
    parts = []
    for name, size in (("d", MINUTES["day"]), ("h", 60), ("m", 1)):
        count, minutes = divmod(minutes, size)
        if count:
            parts.append(f"{count}{name}")
    return " ".join(parts) or "0m"


def unit_minutes(unit: str) -> int | None:
    """Minutes in one `unit` of game time; None for rounds and scenes."""
    return MINUTES.get(unit)
