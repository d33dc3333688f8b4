"""Modifiers: which ones touch a check, whether each holds, how they stack, and how
they change the roll.

A modifier comes from the check itself, from a condition or the faction or
member of the actor (`to`), or of the target (`against`), or from the GM's
`--mod`. It changes the total (`+2`, or dice it rolls: `+1d4`), the number of
dice in the roll's pool (`+1d`), or the roll by advantage or disadvantage.
Typed modifiers do not stack: per type, the best bonus and the worst penalty
apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from rouge_rpg.beings import Being
from rouge_rpg.dice import ast as dice
from rouge_rpg.engine.results import AppliedModifier
from rouge_rpg.rules import ast
from rouge_rpg.rules.evaluate import Context, number, rolls_dice, substitute, test
from rouge_rpg.rules.explain import words
from rouge_rpg.rules.rulebook import Rulebook

if TYPE_CHECKING:
    from fractions import Fraction


def _location(d: ast.Definition, m: ast.Modifier) -> str | None:
    line = m.span.line if m.span else (d.id.span.line if d.id.span else None)
    return f"{d.file}:{line}" if line else d.file or None


def sources(
    rulebook: Rulebook, being: Being, direction: str
) -> list[tuple[ast.Definition, ast.Modifier]]:
    """The modifiers a being carries in one direction, with the definition of each."""
    found: list[tuple[ast.Definition, ast.Modifier]] = []
    for condition in sorted(being.conditions):
        d = rulebook.get(condition)
        if isinstance(d, ast.Condition):
            found.extend((d, m) for m in d.modifiers if m.direction == direction)
    for holder in (being.character.faction, being.character.member):
        d = rulebook.get(holder) if holder else None
        if isinstance(d, ast.Faction | ast.Member):
            found.extend((d, m) for m in d.modifiers if m.direction == direction)
    return found


def gather(
    check: ast.Check, ctx: Context, extra: Sequence[tuple[int, str]] = ()
) -> list[AppliedModifier]:
    """Every modifier that could touch this check, judged and stacked."""
    rulebook = ctx.rulebook
    candidates: list[tuple[ast.Definition, ast.Modifier, str | None]] = [
        (check, m, None) for m in check.modifiers
    ]
    if ctx.actor is not None:
        name = ctx.actor.name
        candidates += [(d, m, name) for d, m in sources(rulebook, ctx.actor, "to")]
    if ctx.target is not None:
        name = ctx.target.name
        candidates += [(d, m, name) for d, m in sources(rulebook, ctx.target, "against")]
    considered: list[AppliedModifier] = []
    for d, m, bearer in candidates:
        if m.selector is not None and m.selector.text != check.id.text:
            continue
        source = f"{d.kind} {d.id}"
        location = _location(d, m)
        rolls: dice.Expr | None = None
        if m.kind == "total" and rolls_dice(m.value, ctx):
            rolls = substitute(m.value, ctx)
            amount = 0
        else:
            amount = number(m.value, ctx)
        type_ = m.type.text if m.type else None
        holds, why = True, "applies"
        if m.when is not None:
            holds = test(m.when, ctx)
            why = f"{'applies' if holds else 'not applied'}: {words(m.when)}"
            why += "" if holds else " does not hold"
        considered.append(
            AppliedModifier(
                amount, type_, source, location, m.note, holds, why, bearer, m.kind, rolls
            )
        )
    for amount, source in extra:
        considered.append(AppliedModifier(amount, None, source, None, None, True, "applies"))
    return stack(considered)


def stack(modifiers: list[AppliedModifier]) -> list[AppliedModifier]:
    """How modifiers combine: per bonus type, only the best bonus and the worst penalty
    to the total (dice by their mean) and to the pool apply; advantage and disadvantage
    apply once however many there are, and cancel each other."""
    best: dict[tuple[str, str], int] = {}
    worst: dict[tuple[str, str], int] = {}
    weights = [_weight(m) if m.type is not None else m.value for m in modifiers]
    for i, m in enumerate(modifiers):
        if not m.applied or m.type is None or m.kind not in ("total", "pool"):
            continue
        key, weight = (m.kind, m.type), weights[i]
        if weight > 0 and (key not in best or weight > weights[best[key]]):
            best[key] = i
        if weight < 0 and (key not in worst or weight < weights[worst[key]]):
            worst[key] = i
    edges = {m.kind for m in modifiers if m.applied and m.kind in ("advantage", "disadvantage")}
    out = []
    for i, m in enumerate(modifiers):
        weight = weights[i]
        if m.applied and len(edges) == 2 and m.kind in edges:
            m = attrs.evolve(
                m, applied=False, reason="not applied: advantage and disadvantage cancel"
            )
        elif m.applied and m.type is not None and m.kind in ("total", "pool") and weight != 0:
            winner = (best if weight > 0 else worst).get((m.kind, m.type))
            if winner != i:
                kind = "bonus" if weight > 0 else "penalty"
                m = attrs.evolve(
                    m,
                    applied=False,
                    reason=f"not applied: a {'higher' if weight > 0 else 'worse'} "
                    f"{m.type} {kind} applies",
                )
        out.append(m)
    return out


def _weight(m: AppliedModifier) -> int | Fraction:
    """How much a modifier adds: its value, or the mean of the dice it rolls (exact)."""
    if m.rolls is None:
        return m.value
    from fractions import Fraction

    from rouge_rpg.dice.odds import distribution

    return Fraction(distribution(m.rolls).die.mean())


def reshape(
    roll: dice.Expr, modifiers: Sequence[AppliedModifier]
) -> tuple[dice.Expr, list[AppliedModifier]]:
    """The roll with the pool and advantage modifiers applied to its first dice term.

    `+1d` adds a die to that term and `-1d` takes one away (never below none);
    then advantage (disadvantage) rolls one die more and keeps the highest
    (lowest) of the term's number. A term that already keeps or drops dice cannot
    take advantage: the modifier is shown as not applied, with why.
    """
    out = list(modifiers)
    pool = sum(m.value for m in modifiers if m.applied and m.kind == "pool")
    edges = {m.kind for m in modifiers if m.applied and m.kind in ("advantage", "disadvantage")}
    if not pool and not edges:
        return roll, out
    first = next((n for n in dice.walk(roll) if isinstance(n, dice.Dice)), None)
    if first is None:
        return roll, [_refused(m, "the roll has no dice") for m in out]
    count = max(first.count + pool, 0)
    changed = attrs.evolve(first, count=count)
    if edges:
        if first.select is not None:
            out = [
                _refused(m, f"'{first}' already keeps or drops dice") if m.kind in edges else m
                for m in out
            ]
        else:
            high = "advantage" in edges
            keep = dice.Select(keep=True, high=high, count=count)
            changed = attrs.evolve(changed, count=count + 1, select=keep)
    return _replace(roll, first, changed), out


def _refused(m: AppliedModifier, why: str) -> AppliedModifier:
    if not m.applied or m.kind not in ("pool", "advantage", "disadvantage"):
        return m
    return attrs.evolve(m, applied=False, reason=f"not applied: {why}")


def _replace(node: dice.Node, old: dice.Node, new: dice.Node) -> Any:
    """`node` with the node object `old` in it replaced by `new`."""
    if node is old:
        return new
    children = node.children()
    if not children:
        return node
    return node.with_children([_replace(c, old, new) for c in children])
