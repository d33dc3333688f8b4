"""Exact odds of a whole check, with the sheet's modifiers and the target's values.

The roll line is reduced to a pure dice expression for this actor and target,
and its joint distribution of (dice alone, value) is built from the exact odds
of each dice term. The `vs` line gives the opposition's distribution. Every
combination is read through the ladder, so each outcome's probability is an
exact fraction. Nothing is rolled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

import attrs

from rouge_rpg.dice import ast as dice
from rouge_rpg.dice.odds import odds as dice_odds
from rouge_rpg.engine.being import Being
from rouge_rpg.engine.evaluate import RollValues, Value
from rouge_rpg.engine.resolve import (
    AppliedModifier,
    Refusal,
    blocked,
    plan_free_will,
    plan_use,
    prepare_check,
)
from rouge_rpg.errors import DiceError, LimitError
from rouge_rpg.rules import ast
from rouge_rpg.rules.rulebook import Rulebook

#: Largest number of (roll, opposition) pairs read through a ladder, or combined in one step.
MAX_COMBINATIONS = 1_000_000

Joint = dict[tuple[int, int], Fraction]


@attrs.frozen
class CheckOdds:
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


class _Joint:
    """Joint distributions of (dice alone, value) for pure dice expressions."""

    def __init__(self) -> None:
        self.exact = True

    def of(self, node: dice.Expr) -> Joint:
        if isinstance(node, dice.Literal):
            return {(0, node.value): Fraction(1)}
        if isinstance(node, dice.Dice | dice.Group):
            result = dice_odds(node)
            self.exact = self.exact and result.exact
            return {(o, o): p for o, p in result.distribution.items()}
        if isinstance(node, dice.Parenthetical | dice.Labeled):
            return self.of(node.inner)
        if isinstance(node, dice.Negate):
            return {(d, -v): p for (d, v), p in self.of(node.operand).items()}
        if isinstance(node, dice.Compare):
            check = dice.COMPARISONS[node.op]
            return self.combine(
                node, self.of(node.left), self.of(node.right), lambda a, b: int(check(a, b))
            )
        total = self.of(node.first)
        for op, term in node.rest:
            total = self.combine(term, total, self.of(term), dice.ARITHMETIC[op])
        return total

    def combine(
        self, node: dice.Expr, left: Joint, right: Joint, op: Callable[[int, int], int]
    ) -> Joint:
        if len(left) * len(right) > MAX_COMBINATIONS:
            raise LimitError(f"the exact odds of '{node}' are too large to compute here", node.span)
        out: defaultdict[tuple[int, int], Fraction] = defaultdict(Fraction)
        for (d1, v1), p1 in left.items():
            for (d2, v2), p2 in right.items():
                try:
                    out[(d1 + d2, op(v1, v2))] += p1 * p2
                except ZeroDivisionError:
                    raise DiceError(
                        f"division by zero is possible in '{node}'", node.span
                    ) from None
        return dict(out)


def check_odds(
    rulebook: Rulebook,
    check: ast.Check,
    actor: Being,
    *,
    target: Being | None = None,
    args: Mapping[str, Value] | None = None,
    extra_modifiers: Sequence[tuple[int, str]] = (),
    action_ids: Sequence[str] = (),
) -> CheckOdds:
    """The exact probability of each outcome of `check` for `actor` (against `target`)."""
    reason = blocked(rulebook, actor, [check.id.text, *action_ids])
    if reason:
        raise Refusal(reason)
    plan = prepare_check(
        rulebook, check, actor, target=target, args=args, extra_modifiers=extra_modifiers
    )
    joint = _Joint()
    rolls = joint.of(plan.roll_expr)
    opposition: dict[int, Fraction] = {0: Fraction(1)}
    if plan.vs_expr is not None:
        opposition = {}
        for (_, v), p in joint.of(plan.vs_expr).items():
            opposition[v] = opposition.get(v, Fraction(0)) + p
    if len(rolls) * len(opposition) > MAX_COMBINATIONS:
        raise LimitError(f"the exact odds of check '{check.id}' are too large to compute")
    outcomes = {r.name.text: Fraction(0) for r in check.rungs}
    for (dice_sum, raw), p in rolls.items():
        for against, q in opposition.items():
            rung, _ = plan.outcome(RollValues(raw + plan.bonus, dice_sum, against))
            outcomes[rung.name.text] += p * q
    note = None if joint.exact else "exploding dice are followed to a stated depth; not exact"
    return CheckOdds(check.id.text, outcomes, joint.exact, plan.modifiers, note=note)


def free_will_odds(
    rulebook: Rulebook,
    actor: Being,
    act_id: str,
    *,
    by: Being | None = None,
    extra_modifiers: Sequence[tuple[int, str]] = (),
) -> CheckOdds:
    """The chance of each outcome of a free-will attempt, and of the act going ahead."""
    plan = plan_free_will(rulebook, actor, act_id, by=by)
    if plan.verdict is not None:
        certain = Fraction(1 if plan.verdict.allowed else 0)
        return CheckOdds(plan.act.id.text, {plan.verdict.outcome: Fraction(1)}, allowed=certain)
    assert plan.check is not None
    result = check_odds(
        rulebook,
        plan.check,
        actor,
        target=by,
        args=plan.args,
        extra_modifiers=extra_modifiers,
        action_ids=[plan.act.id.text],
    )
    last = plan.check.rungs[-1].name.text
    return attrs.evolve(result, allowed=1 - result.outcomes[last])


def use_odds(
    rulebook: Rulebook,
    actor: Being,
    ability_id: str,
    *,
    target: Being | None = None,
    extra_modifiers: Sequence[tuple[int, str]] = (),
) -> CheckOdds:
    """The chance of each outcome of an ability's check (refused as `use` would be)."""
    plan = plan_use(rulebook, actor, ability_id, target=target)
    if plan.check is None:
        return CheckOdds(plan.ability.id.text, {"used": Fraction(1)})
    return check_odds(
        rulebook,
        plan.check,
        actor,
        target=target,
        args=plan.args,
        extra_modifiers=extra_modifiers,
        action_ids=[plan.ability.id.text],
    )
