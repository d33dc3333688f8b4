"""What the engine gives back: resolutions, the changes they make, modifiers, odds, refusals.

All are frozen values. Text for people is built from them by `rouge_rpg.cli.render`
(and the trace here); `to_json` gives the documented JSON shapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, assert_never

import attrs

from rouge_rpg.dice import ast as dice
from rouge_rpg.dice.roll import Roll, render
from rouge_rpg.errors import RougeError
from rouge_rpg.record import Record
from rouge_rpg.rules import ast

if TYPE_CHECKING:
    from fractions import Fraction

    from rouge_rpg.rules.evaluate import Value


class Refusal(RougeError):
    """The action cannot be taken: blocked, not allowed, or not paid for. Exit status 1."""

    exit_code = 1


@attrs.frozen(repr=False, eq=False, slots=False)
class AppliedModifier(Record):
    """A modifier considered for a roll: its value, where it comes from, and whether it counts."""

    value: int
    type: str | None
    source: str
    location: str | None
    note: str | None
    applied: bool
    reason: str
    #: Whose condition, faction or member it is (None: the check's own, or the GM's).
    bearer: str | None = None
    #: What it changes: the total, the pool's number of dice, or the roll by advantage.
    kind: ast.ModifierKind = "total"
    #: The dice a modifier of the total rolls (`1d4`), as a pure dice expression; its
    #: `value` is then 0.
    rolls: dice.Expr | None = None

    @property
    def shown(self) -> str:
        """The change: `+2`, `+1d4`, `+1d`, `advantage`."""
        match self.kind:
            case "advantage" | "disadvantage":
                return self.kind
            case "pool":
                return f"{self.value:+d}d"
            case "total":
                if self.rolls is None:
                    return f"{self.value:+d}"
                written = str(self.rolls)
                return written if written.startswith("-") else "+" + written
            case _:
                assert_never(self.kind)

    @property
    def whose(self) -> str:
        """Where it comes from: `Giallon's armored` (a condition), `Rouge Redstar's faction
        aletheia`, `Giallon (member giallon)`, or the check's own or `--mod` as they are."""
        if not self.bearer:
            return self.source
        if self.source.startswith("condition "):
            return f"{self.bearer}'s {self.source.removeprefix('condition ')}"
        if self.source.startswith("member "):
            return f"{self.bearer} ({self.source})"
        return f"{self.bearer}'s {self.source}"

    def to_json(self) -> dict[str, object]:
        return {
            "value": self.value,
            "kind": self.kind,
            "dice": None if self.rolls is None else str(self.rolls),
            "type": self.type,
            "source": self.source,
            "bearer": self.bearer,
            "location": self.location,
            "note": self.note,
            "applied": self.applied,
        }


@attrs.frozen(repr=False, eq=False, slots=False)
class Change(Record):
    """One effect to apply to a character: pay Nectar, take damage, gain a condition."""

    who: ast.Who
    name: str  # the character's name
    verb: ast.EffectVerb
    what: str | None = None
    amount: int | None = None
    duration: ast.Duration | None = None
    text: str | None = None
    detail: str | None = None
    source: str = ""

    def describe(self) -> str:
        if self.verb == "narrate":
            return self.text or ""
        amount = "" if self.amount is None else f" {self.amount}"
        what = f" {self.what}" if self.what else ""
        lasting = f" for {self.duration}" if self.duration else ""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.name}: {self.verb}{what}{amount}{lasting}{detail}"

    def to_json(self) -> dict[str, object]:
        return {
            "who": self.who,
            "name": self.name,
            "verb": self.verb,
            "what": self.what,
            "amount": self.amount,
            "duration": str(self.duration) if self.duration else None,
            "text": self.text,
            "detail": self.detail,
            "source": self.source,
        }


@attrs.frozen(repr=False, eq=False, slots=False)
class Resolution(Record):
    """What happened when an action was resolved, and why.

    The dice are kept as `Roll`s; their text and the trace are built when read.
    """

    action: str  # check, free-will, use
    actor: str
    target: str | None
    name: str  # the check, act or ability resolved
    title: str
    outcome: str
    total: int | None = None
    dice: int | None = None
    opposition: int | None = None
    modifiers: tuple[AppliedModifier, ...] = ()
    effects: tuple[Change, ...] = ()
    narrative: str = ""
    allowed: bool | None = None
    check: str | None = None
    parameters: tuple[tuple[str, Value], ...] = ()
    rolled: Roll | None = attrs.field(default=None, repr=False)
    vs_rolled: Roll | None = attrs.field(default=None, repr=False)
    vs_is_roll: bool = False
    #: The ladder's own dice (`total + 1d4 >= dc`), rolled once each, in order.
    drawn: tuple[Roll, ...] = attrs.field(default=(), repr=False)
    bonus: int = 0
    #: The dice the modifiers roll (`+1d4`), each labelled with its source, rolled after
    #: the roll line.
    boosted: Roll | None = attrs.field(default=None, repr=False)
    prologue: tuple[str, ...] = ()
    bindings: tuple[str, ...] = ()
    reads: tuple[tuple[str, bool], ...] = ()
    ladder: ast.Check | None = attrs.field(default=None, repr=False, eq=False)
    epilogue: tuple[str, ...] = ()
    #: A use: the constraint faced for each act the ability performs, before anything else.
    free_will: tuple[Resolution, ...] = ()
    #: The pushes made on the roll, in order: each push's name and the roll before it
    #: (`rolled` is the roll as pushed last).
    pushed: tuple[tuple[str, Roll], ...] = attrs.field(default=(), repr=False)
    #: What the ladder read off the roll's dice one by one: `(("highest", 5), ("count(6)", 0))`.
    readings: tuple[tuple[str, Value], ...] = ()

    @property
    def margin(self) -> int | None:
        if self.total is None or self.opposition is None:
            return None
        return self.total - self.opposition

    @property
    def roll_detail(self) -> str:
        """`2d6 (5, 4) + 4 = 13`, with the modifiers' sum when there are any."""
        if self.rolled is None:
            return ""
        if not self.bonus and self.boosted is None:
            return self.rolled.detail
        parts = [self.rolled.detail]
        if self.bonus:
            parts.append(f"{self.bonus:+d} modifiers")
        if self.boosted is not None:
            shown = render(self.boosted.expression, self.boosted.raw)
            parts.append(shown if shown.startswith("-") else "+" + shown)
        return f"{', '.join(parts)} = {self.total}"

    @property
    def vs_detail(self) -> str | None:
        if self.vs_rolled is None:
            return None
        return self.vs_rolled.detail if self.vs_is_roll else str(self.vs_rolled.total)

    @property
    def drawn_detail(self) -> tuple[str, ...]:
        """Each of the ladder's own dice as rolled: `1d4 (3) = 3`."""
        return tuple(r.detail for r in self.drawn)

    @property
    def trace(self) -> tuple[str, ...]:
        """Each rule consulted, and why it applied or not."""
        lines = list(self.prologue)
        check = self.ladder
        if check is not None:
            line = check.id.span.line if check.id.span else 0
            lines.append(f"{check.kind} {check.id} ({check.file}:{line})")
            lines.extend(self.bindings)
            for m in self.modifiers:
                typed = f" {m.type}" if m.type else ""
                where = f" ({m.location})" if m.location else ""
                lines.append(f"modifier {m.shown}{typed} from {m.source}{where}: {m.reason}")
            for name, before in self.pushed:
                lines.append(f"roll {check.roll} → {before.detail}, then pushed: {name}")
            lines.append(f"roll {check.roll} → {self.roll_detail}")
            if check.versus is not None:
                lines.append(f"vs {check.versus} → {self.vs_detail}")
            lines.extend(f"the ladder's dice: {d}" for d in self.drawn_detail)
            tests = {r.name.text: r.when for r in check.rungs}
            margin = self.margin if self.margin is not None else self.total
            seen = f"total {self.total}, dice {self.dice}"
            if check.versus is not None:
                seen += f", margin {margin}"
            seen += "".join(f", {name} {shown(value)}" for name, value in self.readings)
            for name, holds in self.reads:
                lines.append(f"{name} when {tests[name]}: {'yes' if holds else 'no'} ({seen})")
            if not self.reads or not self.reads[-1][1]:
                lines.append(f"{self.outcome}: otherwise")
        lines.extend(self.epilogue)
        return tuple(lines)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "action": self.action,
            "name": self.name,
            "title": self.title,
            "actor": self.actor,
            "target": self.target,
            "check": self.check,
            "parameters": dict(self.parameters),
            "outcome": self.outcome,
            "allowed": self.allowed,
            "total": self.total,
            "dice": self.roll_detail,
            "natural": self.dice,
            "opposition": self.opposition,
            "vs": self.vs_detail,
            "drawn": list(self.drawn_detail),
            "pushes": [{"push": name, "before": before.detail} for name, before in self.pushed],
            "readings": dict(self.readings),
            "margin": self.margin,
            "modifiers": [m.to_json() for m in self.modifiers if m.applied],
            "ignored_modifiers": [m.to_json() for m in self.modifiers if not m.applied],
            "effects": [e.to_json() for e in self.effects],
            "narrative": self.narrative,
            "trace": list(self.trace),
        }
        if self.action == "use":
            data["free_will"] = [f.to_json() for f in self.free_will]
        return data


def shown(value: Value) -> str:
    """A reading as people say it: `5`, `yes`."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@attrs.frozen(repr=False, eq=False, slots=False)
class CheckOdds(Record):
    """The chance of each outcome of a check, in ladder order."""

    check: str
    outcomes: dict[str, Fraction]
    exact: bool = True
    modifiers: tuple[AppliedModifier, ...] = ()
    allowed: Fraction | None = None
    note: str | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "check": self.check,
            "odds": {k: f"{v.numerator}/{v.denominator}" for k, v in self.outcomes.items()},
            "exact": self.exact,
            "modifiers": [m.to_json() for m in self.modifiers if m.applied],
        }
        if self.allowed is not None:
            data["allowed"] = f"{self.allowed.numerator}/{self.allowed.denominator}"
        if self.note:
            data["note"] = self.note
        return data
