"""Free will: a being bound by a constraint (the Asimov Code) attempts an act it governs.

`plan_free_will` works out, before any dice, which constraint binds the act
for this being and what it takes to defy it: a verdict (required, forbidden,
exempt, unbound) or a check to pass. The act goes ahead when no rule forbids
it, or when the being passes the check: any outcome but the ladder's last.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import attrs

from rouge_rpg.beings import Being
from rouge_rpg.engine.checks import (
    IdentityCache,
    article,
    blocked,
    check_odds,
    resolve_check,
)
from rouge_rpg.engine.results import CheckOdds, Refusal, Resolution
from rouge_rpg.record import Record
from rouge_rpg.rules import ast
from rouge_rpg.rules.evaluate import Context, EvaluationError, Value, test
from rouge_rpg.rules.explain import words
from rouge_rpg.rules.rulebook import Rulebook


def _act_param(check: ast.Check) -> str | None:
    for p in check.params:
        if p.type is not None and p.type.text == "act":
            return p.name.text
    return None


def binding_constraints(rulebook: Rulebook, actor: Being) -> list[ast.Constraint]:
    """The constraints whose kinds include the actor's kind."""
    return [
        c
        for c in rulebook.of_kind("constraint")
        if isinstance(c, ast.Constraint)
        and any(rulebook.is_kind(actor.character.kind, k.text) for k in c.applies)
    ]


@attrs.frozen(repr=False, eq=False, slots=False)
class FreeWillPlan(Record):
    """What a free-will attempt comes to before any dice: a verdict, or a check to roll."""

    act: ast.Act
    verdict: Resolution | None
    constraint: ast.Constraint | None = None
    check: ast.Check | None = None
    args: Mapping[str, Value] = attrs.field(factory=dict)
    trace: tuple[str, ...] = ()


def plan_free_will(
    rulebook: Rulebook, actor: Being, act_id: str, *, by: Being | None = None
) -> FreeWillPlan:
    """Which constraint binds this act for this being, and what it takes to defy it."""
    act = rulebook.require(act_id, ast.Act)
    reason = blocked(rulebook, actor, [act.id.text])
    if reason:
        raise Refusal(reason)
    constraints = binding_constraints(rulebook, actor)
    kind = actor.character.kind
    if not constraints:
        kinds = sorted(
            {
                k.text
                for c in rulebook.of_kind("constraint")
                if isinstance(c, ast.Constraint)
                for k in c.applies
            }
        )
        bound = ", ".join(kinds) or "no kind"
        raise Refusal(
            f"{actor.name} is {article(kind)} {kind}: no constraint binds a {kind} "
            f"(constraints bind {bound}), so there is no free-will check to make"
        )
    ctx = Context(rulebook, actor, by)
    trace: list[str] = []

    def verdict(outcome: str, allowed: bool, narrative: str) -> FreeWillPlan:
        return FreeWillPlan(
            act,
            Resolution(
                action="free-will",
                actor=actor.name,
                target=by.name if by else None,
                name=act.id.text,
                title=act.display,
                outcome=outcome,
                allowed=allowed,
                narrative=narrative,
                prologue=tuple(trace),
            ),
        )

    # An exemption lifts its own constraint, not every constraint on the being.
    exempted: list[tuple[ast.Constraint, ast.Test]] = []
    for c in constraints:
        for exempt in c.exempt:
            if test(exempt, ctx):
                trace.append(f"{c.kind} {c.id}: exempt, {words(exempt)}")
                exempted.append((c, exempt))
                break
    for c in constraints:
        if any(c is e for e, _ in exempted):
            continue
        for rule in c.rules:
            if rule.act.text != act.id.text:
                continue
            if rule.when is not None:
                try:
                    applies = test(rule.when, ctx)
                except EvaluationError as error:
                    raise EvaluationError(
                        f"{c.display} {rule.mode}s {act.id} when {words(rule.when)}: "
                        f"{error.message}",
                        missing=error.missing,
                    ) from None
                trace.append(
                    f"{c.id}: {rule.mode} {act.id} when {rule.when}: {'yes' if applies else 'no'}"
                )
                if not applies:
                    continue
            if rule.mode == "require":
                return verdict(
                    "required", True, f"{c.display} requires this of {actor.name}: no struggle."
                )
            if rule.unless is None:
                return verdict(
                    "forbidden", False, f"{c.display} forbids it outright; no will overcomes it."
                )
            check = rulebook.require(rule.unless.text, ast.Check)
            param = _act_param(check)
            trace.insert(0, f"{c.kind} {c.id}: {rule.mode} {act.id}, unless passes {check.id}")
            return FreeWillPlan(
                act,
                None,
                c,
                check,
                {param: act.id.text} if param else {},
                tuple(trace),
            )
    if exempted:
        c, exempt = exempted[0]
        return verdict("free", True, f"{actor.name} is not bound by {c.display} ({words(exempt)}).")
    return verdict("unbound", True, f"Nothing forbids {actor.name} to {act.display.lower()} here.")


def resolve_free_will(
    rulebook: Rulebook,
    actor: Being,
    act_id: str,
    *,
    by: Being | None = None,
    extra_modifiers: Sequence[tuple[int, str]] = (),
    rng: random.Random,
) -> Resolution:
    """A being attempts an act that a constraint (the Asimov Code) may forbid.

    The act goes ahead when no rule forbids it, or when the being passes the
    rule's check: any outcome but the ladder's last (`otherwise`) rung.
    """
    plan = planned_free_will(rulebook, actor, act_id, by=by)
    if plan.verdict is not None:
        return plan.verdict
    assert plan.check is not None and plan.constraint is not None
    act, check, constraint = plan.act, plan.check, plan.constraint
    rolled = resolve_check(
        rulebook,
        check,
        actor,
        target=by,
        args=plan.args,
        extra_modifiers=extra_modifiers,
        rng=rng,
        action="free-will",
        action_ids=[act.id.text],
    )
    allowed = rolled.outcome != check.rungs[-1].name.text
    verdict = (
        f"{actor.name} overcomes {constraint.display}: the act goes ahead."
        if allowed
        else f"{constraint.display} holds: {actor.name} does not {act.display.lower()}."
    )
    return attrs.evolve(
        rolled,
        name=act.id.text,
        title=act.display,
        allowed=allowed,
        narrative=" ".join(filter(None, [rolled.narrative, verdict])),
        prologue=plan.trace,
    )


_FREE_WILL_PLANS: IdentityCache[FreeWillPlan] = IdentityCache()


def planned_free_will(
    rulebook: Rulebook, actor: Being, act_id: str, *, by: Being | None = None
) -> FreeWillPlan:
    """`plan_free_will`, built once per rulebook, actor and other party."""
    return _FREE_WILL_PLANS.get(
        (rulebook,), (actor, by, act_id), lambda: plan_free_will(rulebook, actor, act_id, by=by)
    )


def free_will_odds(
    rulebook: Rulebook,
    actor: Being,
    act_id: str,
    *,
    by: Being | None = None,
    extra_modifiers: Sequence[tuple[int, str]] = (),
) -> CheckOdds:
    """The chance of each outcome of a free-will attempt, and of the act going ahead."""
    from fractions import Fraction  # only odds need exact fractions

    plan = planned_free_will(rulebook, actor, act_id, by=by)
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
