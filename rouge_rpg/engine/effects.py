"""Effects as changes: `damage target 2d6` becomes `Change(verb="damage", amount=7)`.

`effect_changes` works effects out at resolution, rolling their dice with the
resolution's generator. `settle` works out once, for an actor, target and
parameters, the effects that do not depend on the roll, leaving only their
own dice to roll each time.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

import attrs

from rouge_rpg.dice.roll import Roll, roller
from rouge_rpg.engine.results import Change
from rouge_rpg.errors import RougeError
from rouge_rpg.record import Record
from rouge_rpg.rules import ast
from rouge_rpg.rules.evaluate import (
    Context,
    mentions_roll,
    number,
    rolls_dice,
    substitute,
    value,
)

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def interpolate(text: str, ctx: Context) -> str:
    """Fill `{actor.name}`, `{total}`... into a narrative line."""

    def fill(match: re.Match[str]) -> str:
        try:
            result = value(placeholder(match.group(1), ctx), ctx)
        except (RougeError, KeyError):
            return match.group(0)
        return str(result)

    return PLACEHOLDER.sub(fill, text)


def placeholder(inner: str, ctx: Context) -> ast.Test:
    """What a `{...}` placeholder names: a check's `let` value, or a reference."""
    name = inner.strip()
    let = ctx.lets.get(name)
    if let is not None:
        return let
    return ast.Reference(tuple(ast.Name(p) for p in name.split(".")))


def _what(e: ast.Effect, ctx: Context) -> str | None:
    damage = ctx.rulebook.damage_track
    return e.what.text if e.what else (damage.id.text if damage else None)


#: The verbs that move a value by their amount: with an amount of 0 they change nothing,
#: and are left out (a `set` to 0 is a change).
BY_AN_AMOUNT = frozenset({"damage", "heal", "gain", "lose", "advance", "reduce"})


def effect_changes(
    effects: Sequence[ast.Effect], ctx: Context, source: str
) -> tuple[list[Change], list[str]]:
    """Effects as concrete changes (dice in amounts rolled), and narrative lines."""
    changes: list[Change] = []
    lines: list[str] = []
    for e in effects:
        if e.verb == "narrate":
            lines.append(interpolate(e.text or "", ctx))
            continue
        being = ctx.being(e.who)
        before = len(ctx.rolls)
        amount = None if e.amount is None else number(e.amount, ctx)
        detail = str(ctx.rolls[-1][1]) if len(ctx.rolls) > before else None
        if amount == 0 and e.verb in BY_AN_AMOUNT and detail is None:
            continue  # `lose fate_points invokes` with no invokes: nothing changes
        changes.append(
            Change(
                e.who,
                being.name,
                e.verb,
                _what(e, ctx),
                amount,
                e.duration,
                None,
                detail,
                source,
            )
        )
    return changes, lines


@attrs.frozen(repr=False, eq=False, slots=False)
class _Rolled(Record):
    """An effect whose amount rolls dice of its own: all but the amount worked out."""

    change: Change
    roll: Callable[[random.Random], Roll]


@attrs.frozen(repr=False, eq=False, slots=False)
class Settled(Record):
    """Effects worked out before the roll: their changes (some still to roll) and lines."""

    items: tuple[Change | _Rolled, ...]
    lines: tuple[str, ...]

    def changes(self, rng: random.Random) -> tuple[Change, ...]:
        """The changes, rolling in order the amounts that roll dice."""
        out: list[Change] = []
        for item in self.items:
            if isinstance(item, Change):
                out.append(item)
                continue
            rolled = item.roll(rng)
            out.append(attrs.evolve(item.change, amount=rolled.total, detail=str(rolled)))
        return tuple(out)


def fixed(node: ast.Test, ctx: Context) -> bool:
    """Whether `node` has one value for this actor, target and parameters.

    Not if it reads the roll (`total`, `margin`...) or rolls dice, itself or
    through a constant: those are worked out at each roll.
    """
    return not mentions_roll(node, ctx) and not rolls_dice(node, ctx)


def settle(effects: Sequence[ast.Effect], ctx: Context, source: str) -> Settled | None:
    """Effects worked out once for this actor, target and parameters.

    None when one of them reads the roll (`total`...) or cannot be worked out:
    those are evaluated at each roll, as `effect_changes` does, so that any
    error is raised in its place.
    """
    items: list[Change | _Rolled] = []
    lines: list[str] = []
    try:
        for e in effects:
            if e.verb == "narrate":
                text = e.text or ""
                if not all(fixed(placeholder(p, ctx), ctx) for p in PLACEHOLDER.findall(text)):
                    return None
                lines.append(interpolate(text, ctx))
            elif e.amount is None or fixed(e.amount, ctx):
                found, _ = effect_changes([e], ctx, source)
                items.extend(found)
            elif mentions_roll(e.amount, ctx):
                return None
            else:
                being = ctx.being(e.who)
                change = Change(
                    e.who,
                    being.name,
                    e.verb,
                    _what(e, ctx),
                    None,
                    e.duration,
                    None,
                    None,
                    source,
                )
                items.append(_Rolled(change, roller(substitute(e.amount, ctx))))
    except RougeError:
        return None
    return Settled(tuple(items), tuple(lines))
