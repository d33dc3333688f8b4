"""Modifiers: which ones touch a check, whether each holds, and how typed ones stack.

A modifier comes from the check itself, from a condition or the faction or
member of the actor (`to`), or of the target (`against`), or from the GM's
`--mod`. Typed modifiers do not stack: per type, the best bonus and the worst
penalty apply.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from rouge_rpg.beings import Being
from rouge_rpg.engine.results import AppliedModifier
from rouge_rpg.rules import ast
from rouge_rpg.rules.evaluate import Context, number, test
from rouge_rpg.rules.explain import words
from rouge_rpg.rules.rulebook import Rulebook


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
        amount = number(m.value, ctx)
        type_ = m.type.text if m.type else None
        if m.when is not None and not test(m.when, ctx):
            considered.append(
                AppliedModifier(
                    amount,
                    type_,
                    source,
                    location,
                    m.note,
                    False,
                    f"not applied: {words(m.when)} does not hold",
                    bearer,
                )
            )
            continue
        why = f"applies: {words(m.when)}" if m.when is not None else "applies"
        considered.append(
            AppliedModifier(amount, type_, source, location, m.note, True, why, bearer)
        )
    for amount, source in extra:
        considered.append(AppliedModifier(amount, None, source, None, None, True, "applies"))
    return stack(considered)


def stack(modifiers: list[AppliedModifier]) -> list[AppliedModifier]:
    """Typed modifiers do not stack: per type, the best bonus and the worst penalty apply."""
    best: dict[str, int] = {}
    worst: dict[str, int] = {}
    for i, m in enumerate(modifiers):
        if not m.applied or m.type is None:
            continue
        if m.value > 0 and (m.type not in best or m.value > modifiers[best[m.type]].value):
            best[m.type] = i
        if m.value < 0 and (m.type not in worst or m.value < modifiers[worst[m.type]].value):
            worst[m.type] = i
    out = []
    for i, m in enumerate(modifiers):
        if m.applied and m.type is not None and m.value != 0:
            winner = best.get(m.type) if m.value > 0 else worst.get(m.type)
            if winner != i:
                kind = "bonus" if m.value > 0 else "penalty"
                m = attrs.evolve(
                    m,
                    applied=False,
                    reason=f"not applied: a {'higher' if m.value > 0 else 'worse'} "
                    f"{m.type} {kind} applies",
                )
        out.append(m)
    return out
