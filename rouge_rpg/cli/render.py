"""Text for people: resolutions, odds and what changed."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from rouge_rpg.cli.output import fraction, percent, printable
from rouge_rpg.engine import Applied, CheckOdds, Resolution


def _resolution_lines(r: Resolution, *, explain: bool = False) -> list[str]:
    """A resolution as the GM reads it at the table."""
    against = f" vs {r.target}" if r.target else ""
    head = f"{r.actor}: {r.title}{against}"
    details = [r.check] if r.check and r.check != r.name else []
    details += [f"{k} {v}" for k, v in r.parameters if r.action == "check"]
    if details:
        head += f" ({', '.join(str(d) for d in details)})"
    lines = [head]
    for faced in r.free_will:
        # The constraint faced first: shown when dice rolled or it stopped the act.
        if faced.rolled is None and faced.allowed:
            continue
        first = resolution_lines(attrs.evolve(faced, effects=()))
        lines.append(f"  first, {first[0]}")
        lines.extend(f"  {line}" for line in first[1:])
    for name, before in r.pushed:
        lines.append(f"  rolled    {before.detail}, then pushed: {name}")
    if r.roll_detail:
        lines.append(f"  roll      {r.roll_detail}")
    for m in r.modifiers:
        if not m.applied:
            continue
        typed = f" {m.type}" if m.type else ""
        where = f" ({m.location})" if m.location and explain else ""
        note = f": {m.note}" if m.note else ""
        lines.append(f"  modifier  {m.shown}{typed} from {m.whose}{where}{note}")
    if r.vs_detail is not None:
        lines.append(f"  vs        {r.vs_detail}")
    if r.margin is not None:
        lines.append(f"  margin    {r.margin:+d}")
    verdict = ""
    if r.allowed is not None and r.action != "use":
        verdict = " (the act goes ahead)" if r.allowed else " (the act does not happen)"
    lines.append(f"{r.outcome}{verdict}: {r.narrative}" if r.narrative else f"{r.outcome}{verdict}")
    changes = [e for e in r.effects if e.verb != "narrate"]
    if changes:
        lines.append("effects:")
        lines.extend(f"  {e.describe()}" for e in changes)
    if explain:
        lines.append("why:")
        # The trace names every modifier considered, with why it applied or not.
        lines.extend(f"  {t}" for t in r.trace)
    return lines


def _applied_lines(applied: Sequence[Applied]) -> list[str]:
    """What the changes did to the characters' state."""
    if not applied:
        return []
    return ["state:", *(f"  {a.note}" for a in applied)]


def _odds_lines(title: str, o: CheckOdds) -> list[str]:
    """Exact odds of each outcome, with the fraction and a percentage."""
    width = max(len(k) for k in o.outcomes)
    lines = [f"{title}: {'exact ' if o.exact else ''}odds"]
    for m in o.modifiers:
        if m.applied:
            typed = f" {m.type}" if m.type else ""
            lines.append(f"  modifier  {m.shown}{typed} from {m.whose}")
    for outcome, p in o.outcomes.items():
        lines.append(f"  {outcome:<{width}}  {percent(p):>8}  {fraction(p)}")
    if o.allowed is not None:
        lines.append(f"  the act goes ahead: {percent(o.allowed)} ({fraction(o.allowed)})")
    if o.note:
        lines.append(f"  note: {o.note}")
    return lines


# The public forms: every line passed through `printable` (names come from sheets and rules).


def resolution_lines(r: Resolution, *, explain: bool = False) -> list[str]:
    """A resolution as the GM reads it at the table."""
    return [printable(line) for line in _resolution_lines(r, explain=explain)]


def applied_lines(applied: Sequence[Applied]) -> list[str]:
    """What a resolution changed, one line each."""
    return [printable(line) for line in _applied_lines(applied)]


def odds_lines(title: str, o: CheckOdds) -> list[str]:
    """A check's odds, outcome by outcome."""
    return [printable(line) for line in _odds_lines(title, o)]
