"""Abilities and powers: who may use them, prerequisites, costs, their check and effects.

`plan_use` decides, before any dice, whether the actor may use the ability now
(refused if not), what it costs, and which acts it performs (`performs
harm_human when target.is(human)`) that a constraint binding the actor
governs. `resolve_use` first faces each such act (the free-will machinery of
`free_will`: a verdict, or a free-will check rolled before anything else);
if one is not allowed, the ability does not go ahead (outcome `blocked`, no
costs, no effects but the free-will check's own). Otherwise it rolls the
ability's check, if it has one, and works out the effects of the outcome and
of the ability itself.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import attrs

from rouge_rpg.beings import Being
from rouge_rpg.engine.checks import IdentityCache, article, blocked, check_odds, resolve_check
from rouge_rpg.engine.effects import Settled, effect_changes, settle
from rouge_rpg.engine.free_will import binding_constraints, free_will_odds, resolve_free_will
from rouge_rpg.engine.results import Change, CheckOdds, Refusal, Resolution
from rouge_rpg.errors import RougeError
from rouge_rpg.record import Record
from rouge_rpg.rules import ast
from rouge_rpg.rules.evaluate import Context, RollValues, Value, number, test, value
from rouge_rpg.rules.explain import words
from rouge_rpg.rules.rulebook import Rulebook


def may_hold(rulebook: Rulebook, ability: ast.Ability, actor: Being) -> bool:
    """Whether the ability's `for` lines admit the character (no lines: anyone)."""
    if not ability.holders:
        return True
    c = actor.character
    for h in ability.holders:
        ids = {i.text for i in h.ids}
        if h.kind == "faction" and c.faction in ids:
            return True
        if h.kind == "member" and c.member in ids:
            return True
        if h.kind == "kind" and any(rulebook.is_kind(c.kind, k) for k in ids):
            return True
    return False


def check_arguments(call: ast.CheckCall, check: ast.Check, ctx: Context) -> dict[str, Value]:
    """An ability's arguments to its check, evaluated."""
    order = [p.name.text for p in check.params]
    types = {p.name.text: p.type.text if p.type else None for p in check.params}
    args: dict[str, Value] = {}
    for position, argument in enumerate(call.arguments):
        name = argument.name.text if argument.name else order[position]
        node = argument.value
        if (
            types.get(name) not in (None, "number")
            and isinstance(node, ast.Reference)
            and len(node.path) == 1
            and node.root not in ctx.params
        ):
            args[name] = node.root
        else:
            args[name] = value(node, ctx)
    return args


@attrs.frozen(repr=False, eq=False, slots=False)
class UsePlan(Record):
    """An ability judged usable: its costs, and the check it calls with its arguments."""

    ability: ast.Ability
    costs: tuple[Change, ...]
    check: ast.Check | None
    args: Mapping[str, Value]
    trace: tuple[str, ...]
    #: The acts it performs here that a constraint binding the actor governs, in order.
    acts: tuple[str, ...] = ()
    #: (reaction index, outcome) or "effects" → its effects worked out once, if `settle` could.
    settled: dict[object, Settled] = attrs.field(factory=dict, eq=False, repr=False)


_USE_PLANS: IdentityCache[UsePlan] = IdentityCache()


def planned_use(
    rulebook: Rulebook,
    actor: Being,
    ability_id: str,
    *,
    target: Being | None = None,
    pays: bool = True,
) -> UsePlan:
    """`plan_use`, built once per rulebook, actor and target, with its fixed effects settled."""

    def build() -> UsePlan:
        plan = plan_use(rulebook, actor, ability_id, target=target, pays=pays)
        ability = plan.ability
        ctx = Context(rulebook, actor, target, dict(plan.args))
        for index, reaction in enumerate(ability.outcomes):
            for outcome in reaction.outcomes:
                found = settle(reaction.effects, ctx, f"{outcome} of {ability.id}")
                if found is not None:
                    plan.settled[(index, outcome.text)] = found
        found = settle(ability.effects, ctx, str(ability.id))
        if found is not None:
            plan.settled["effects"] = found
        return plan

    return _USE_PLANS.get((rulebook,), (actor, target, ability_id, pays), build)


def plan_use(
    rulebook: Rulebook,
    actor: Being,
    ability_id: str,
    *,
    target: Being | None = None,
    pays: bool = True,
) -> UsePlan:
    """Whether `actor` may use the ability now (refused if not), and what it will cost.

    With `pays` false (a second or later target of one use), only the costs
    said `per target` are paid.
    """
    ability = rulebook.require(ability_id, ast.Ability, role="ability or power")
    name = actor.name
    if ability.id.text not in actor.character.abilities:
        raise Refusal(
            f"{name} does not have the {ability.kind} {ability.display}",
            hint=f"its sheet lists: {', '.join(actor.character.abilities) or 'nothing'}",
        )
    if not may_hold(rulebook, ability, actor):
        raise Refusal(
            f"{name} may not use {ability.display}: it is for "
            + "; ".join(f"{h.kind} {', '.join(i.text for i in h.ids)}" for h in ability.holders)
        )
    # A condition that blocks the ability, or the check it calls, refuses it before anything.
    called = [ability.check.check.text] if ability.check is not None else []
    reason = blocked(rulebook, actor, [ability.id.text, *called])
    if reason:
        raise Refusal(reason)
    if ability.target == "required" and target is None:
        raise RougeError(f"{ability.display} needs a target: give one with --target SHEET")
    if ability.target == "none" and target is not None:
        raise RougeError(f"{ability.display} takes no target")
    ctx = Context(rulebook, actor, target)
    line = ability.id.span.line if ability.id.span else 0
    trace = [f"{ability.kind} {ability.id} ({ability.file}:{line})"]
    for requirement in ability.requires:
        if not test(requirement, ctx):
            raise Refusal(
                f"{ability.display} requires that {words(requirement)}; for {name} it does not hold"
            )
        trace.append(f"requires {requirement}: yes")
    costs: list[Change] = []
    for cost in ability.costs:
        if not pays and not cost.per_target:
            continue  # paid once, with the first target
        amount = number(cost.amount, ctx)
        have = actor.resources.get(cost.resource.text, 0)
        resource = rulebook.get(cost.resource.text)
        label = resource.display if resource else cost.resource.text
        if have < amount:
            raise Refusal(
                f"not enough {label}: {ability.display} costs {amount}, {name} has {have}"
            )
        each = " per target" if cost.per_target else ""
        trace.append(f"cost {amount} {cost.resource}{each}: {name} has {have}")
        costs.append(
            Change(
                "actor", name, "lose", cost.resource.text, amount, source=f"cost of {ability.id}"
            )
        )
    acts: list[str] = []
    for performs in ability.performs:
        act = performs.act.text
        if performs.when is not None:
            holds = test(performs.when, ctx)
            trace.append(f"performs {act} when {performs.when}: {'yes' if holds else 'no'}")
            if not holds:
                continue
        else:
            trace.append(f"performs {act}")
        if binding_constraints(rulebook, actor):
            acts.append(act)
        else:
            kind = actor.character.kind
            trace.append(f"no constraint binds {article(kind)} {kind}: {name} need not face it")
    check = None
    args: dict[str, Value] = {}
    if ability.check is not None:
        check = rulebook.require(ability.check.check.text, ast.Check)
        args = check_arguments(ability.check, check, ctx)
    return UsePlan(ability, tuple(costs), check, args, tuple(trace), tuple(acts))


def _face_acts(
    rulebook: Rulebook, actor: Being, plan: UsePlan, target: Being | None, rng: random.Random
) -> tuple[Resolution, ...]:
    """Face each act the ability performs, in order, until one is not allowed."""
    faced: list[Resolution] = []
    for act in plan.acts:
        found = resolve_free_will(rulebook, actor, act, by=target, rng=rng)
        faced.append(found)
        if not found.allowed:
            break
    return tuple(faced)


def resolve_use(
    rulebook: Rulebook,
    actor: Being,
    ability_id: str,
    *,
    target: Being | None = None,
    extra_modifiers: Sequence[tuple[int, str]] = (),
    rng: random.Random,
    pays: bool = True,
) -> Resolution:
    """Use an ability or power: who may, prerequisites, costs, its check and effects.

    A use against several targets is resolved once for each, in turn; the
    first pays the costs, the others only those said `per target` (`pays`).
    """
    plan = planned_use(rulebook, actor, ability_id, target=target, pays=pays)
    ability = plan.ability
    faced = _face_acts(rulebook, actor, plan, target, rng)
    faced_changes = [e for f in faced for e in f.effects]
    prologue = plan.trace + tuple(line for f in faced for line in f.trace)
    if faced and not faced[-1].allowed:
        return Resolution(
            action="use",
            actor=actor.name,
            target=target.name if target else None,
            name=ability.id.text,
            title=ability.display,
            outcome="blocked",
            allowed=False,
            effects=tuple(faced_changes),
            narrative=f"{ability.display} does not happen.",
            prologue=prologue,
            free_will=faced,
        )
    ctx = Context(rulebook, actor, target, rng=rng)
    changes = faced_changes + list(plan.costs)
    lines: list[str] = []
    settled = plan.settled
    if plan.check is not None:
        rolled = resolve_check(
            rulebook,
            plan.check,
            actor,
            target=target,
            args=plan.args,
            extra_modifiers=extra_modifiers,
            rng=rng,
            action="use",
            action_ids=[ability.id.text],
        )
        outcome = rolled.outcome
        changes.extend(rolled.effects)
        if rolled.narrative:
            lines.append(rolled.narrative)
        ctx.params = dict(plan.args)
        ctx.roll = RollValues(
            rolled.total or 0,
            rolled.dice or 0,
            rolled.opposition or 0,
            tuple(d.total for d in rolled.drawn),
        )
        for index, reaction in enumerate(ability.outcomes):
            if any(n.text == outcome for n in reaction.outcomes):
                found = settled.get((index, outcome))
                if found is None:
                    more, narrated = effect_changes(
                        reaction.effects, ctx, f"{outcome} of {ability.id}"
                    )
                else:
                    more, narrated = list(found.changes(rng)), list(found.lines)
                changes.extend(more)
                lines.extend(narrated)
    else:
        rolled = Resolution(
            action="use",
            actor=actor.name,
            target=target.name if target else None,
            name=ability.id.text,
            title=ability.display,
            outcome="used",
        )
    found = settled.get("effects")
    if found is None:
        more, narrated = effect_changes(ability.effects, ctx, str(ability.id))
    else:
        more, narrated = list(found.changes(rng)), list(found.lines)
    changes.extend(more)
    lines.extend(narrated)
    return attrs.evolve(
        rolled,
        action="use",
        name=ability.id.text,
        title=ability.display,
        effects=tuple(changes),
        narrative=" ".join(lines),
        prologue=prologue,
        allowed=True if faced else None,
        free_will=faced,
    )


def use_odds(
    rulebook: Rulebook,
    actor: Being,
    ability_id: str,
    *,
    target: Being | None = None,
    extra_modifiers: Sequence[tuple[int, str]] = (),
) -> CheckOdds:
    """The chance of each outcome of an ability's check (refused as `use` would be).

    When the ability performs an act a constraint governs, `allowed` is the
    chance that every such act is allowed, each outcome is scaled by it, and
    `blocked` takes the rest.
    """
    from fractions import Fraction  # only odds need exact fractions

    plan = planned_use(rulebook, actor, ability_id, target=target)
    if plan.check is None:
        found = CheckOdds(plan.ability.id.text, {"used": Fraction(1)})
    else:
        found = check_odds(
            rulebook,
            plan.check,
            actor,
            target=target,
            args=plan.args,
            extra_modifiers=extra_modifiers,
            action_ids=[plan.ability.id.text],
        )
    if not plan.acts:
        return found
    allowed = Fraction(1)
    for act in plan.acts:
        chance = free_will_odds(rulebook, actor, act, by=target).allowed
        allowed *= Fraction(1) if chance is None else chance
    outcomes = {k: v * allowed for k, v in found.outcomes.items()}
    if allowed < 1:
        outcomes["blocked"] = 1 - allowed
    return attrs.evolve(found, outcomes=outcomes, allowed=allowed)
