"""Resolving actions: checks, free-will checks against constraints, abilities and powers.

`resolve_check`, `resolve_free_will` and `resolve_use` are pure: they read the
rulebook and the beings and return a `Resolution` (outcome, dice, every
modifier with its source, effects to apply, narrative, trace); they write
nothing. Refusals (a blocked action, a missing cost) raise `Refusal`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence

import attrs

from rouge_rpg.dice.roll import natural, roll
from rouge_rpg.engine.being import Being
from rouge_rpg.engine.evaluate import (
    Context,
    EvaluationError,
    RollValues,
    Value,
    has_dice,
    number,
    substitute,
    test,
    value,
)
from rouge_rpg.errors import RougeError
from rouge_rpg.rules import ast
from rouge_rpg.rules.explain import words
from rouge_rpg.rules.rulebook import Rulebook


class Refusal(RougeError):
    """The action cannot be taken: blocked, not allowed, or not paid for. Exit status 1."""

    exit_code = 1


@attrs.frozen
class AppliedModifier:
    """A modifier considered for a roll: its value, where it comes from, and whether it counts."""

    value: int
    type: str | None
    source: str
    location: str | None
    note: str | None
    applied: bool
    reason: str

    def to_json(self) -> dict[str, object]:
        return {
            "value": self.value,
            "type": self.type,
            "source": self.source,
            "location": self.location,
            "note": self.note,
            "applied": self.applied,
        }


@attrs.frozen
class Change:
    """One effect to apply to a character: pay Nectar, take damage, gain a condition."""

    who: str  # actor or target
    name: str  # the character's name
    verb: str
    what: str | None = None
    amount: int | None = None
    duration: str | None = None
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
            "duration": self.duration,
            "text": self.text,
            "detail": self.detail,
            "source": self.source,
        }


@attrs.frozen
class Resolution:
    """What happened when an action was resolved, and why."""

    action: str  # check, free-will, use
    actor: str
    target: str | None
    name: str  # the check, act or ability resolved
    title: str
    outcome: str
    total: int | None = None
    dice: int | None = None
    opposition: int | None = None
    roll_detail: str = ""
    vs_detail: str | None = None
    modifiers: tuple[AppliedModifier, ...] = ()
    effects: tuple[Change, ...] = ()
    narrative: str = ""
    trace: tuple[str, ...] = ()
    allowed: bool | None = None
    check: str | None = None

    @property
    def margin(self) -> int | None:
        if self.total is None or self.opposition is None:
            return None
        return self.total - self.opposition

    def to_json(self) -> dict[str, object]:
        return {
            "action": self.action,
            "name": self.name,
            "title": self.title,
            "actor": self.actor,
            "target": self.target,
            "check": self.check,
            "outcome": self.outcome,
            "allowed": self.allowed,
            "total": self.total,
            "dice": self.roll_detail,
            "natural": self.dice,
            "opposition": self.opposition,
            "vs": self.vs_detail,
            "margin": self.margin,
            "modifiers": [m.to_json() for m in self.modifiers if m.applied],
            "ignored_modifiers": [m.to_json() for m in self.modifiers if not m.applied],
            "effects": [e.to_json() for e in self.effects],
            "narrative": self.narrative,
            "trace": list(self.trace),
        }


# -- modifiers ------------------------------------------------------------------------


def _location(rulebook: Rulebook, d: ast.Definition, m: ast.Modifier) -> str | None:
    line = m.span.line if m.span else (d.id.span.line if d.id.span else None)
    return f"{d.file}:{line}" if line else d.file or None


def _sources(
    rulebook: Rulebook, being: Being, direction: str
) -> list[tuple[ast.Definition, ast.Modifier]]:
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


def gather_modifiers(
    check: ast.Check, ctx: Context, extra: Sequence[tuple[int, str]] = ()
) -> list[AppliedModifier]:
    """Every modifier that could touch this check, judged and stacked."""
    rulebook = ctx.rulebook
    candidates: list[tuple[ast.Definition, ast.Modifier]] = [(check, m) for m in check.modifiers]
    if ctx.actor is not None:
        candidates += _sources(rulebook, ctx.actor, "to")
    if ctx.target is not None:
        candidates += _sources(rulebook, ctx.target, "against")
    considered: list[AppliedModifier] = []
    for d, m in candidates:
        if m.selector is not None and m.selector.text != check.id.text:
            continue
        source = f"{d.kind} {d.id}"
        location = _location(rulebook, d, m)
        if has_dice(substitute(m.value, ctx)):
            raise EvaluationError(
                f"the modifier at {location} rolls dice; a modifier is a fixed number"
            )
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
                )
            )
            continue
        why = f"applies: {words(m.when)}" if m.when is not None else "applies"
        considered.append(AppliedModifier(amount, type_, source, location, m.note, True, why))
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


# -- checks ----------------------------------------------------------------------------


def bind(check: ast.Check, args: Mapping[str, Value], ctx: Context) -> dict[str, Value]:
    """The check's parameters: given values, then defaults; unknown or missing ones refused."""
    rulebook = ctx.rulebook
    names = {p.name.text for p in check.params}
    for name in args:
        if name not in names:
            have = ", ".join(sorted(names)) or "none"
            raise RougeError(
                f"check '{check.id}' has no parameter '{name}' (its parameters: {have})"
            )
    bound: dict[str, Value] = {}
    ctx.params = bound
    for p in check.params:
        kind = p.type.text if p.type else None
        if p.name.text in args:
            given = args[p.name.text]
            if kind and kind != "number":
                found = rulebook.get(str(given))
                if found is None or (kind != found.KIND and found.kind != kind):
                    raise RougeError(
                        f"'{given}' is not {_article(kind)} {kind}",
                        hint=_did_you_mean(
                            str(given),
                            [i for i, d in rulebook.definitions.items() if kind == d.KIND],
                        ),
                    )
            bound[p.name.text] = given
        elif p.default is not None:
            bound[p.name.text] = value(p.default, ctx)
        else:
            raise RougeError(f"check '{check.id}' needs a value for {p.name}")
    return bound


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _did_you_mean(name: str, candidates: list[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def blocked(rulebook: Rulebook, being: Being, action_ids: Sequence[str]) -> str | None:
    """Why `being` cannot act (a condition that blocks it), or None."""
    for condition in sorted(being.conditions):
        d = rulebook.get(condition)
        if not isinstance(d, ast.Condition):
            continue
        for b in d.blocks:
            if b.text == "all" or b.text in action_ids:
                what = "every action" if b.text == "all" else b.text
                return f"{being.name} is {d.display.lower()}: {d.id} blocks {what}"
    return None


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def interpolate(text: str, ctx: Context) -> str:
    """Fill `{actor.name}`, `{total}`... into a narrative line."""

    def fill(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        path = tuple(ast.Name(p) for p in inner.split("."))
        try:
            result = value(ast.Reference(path), ctx)
        except (RougeError, KeyError):
            return match.group(0)
        return str(result)

    return _PLACEHOLDER.sub(fill, text)


def effect_changes(
    effects: Sequence[ast.Effect], ctx: Context, source: str
) -> tuple[list[Change], list[str]]:
    """Effects as concrete changes (dice in amounts rolled), and narrative lines."""
    changes: list[Change] = []
    lines: list[str] = []
    damage = ctx.rulebook.damage_track
    for e in effects:
        if e.verb == "narrate":
            lines.append(interpolate(e.text or "", ctx))
            continue
        being = ctx.being(e.who)
        before = len(ctx.rolls)
        amount = None if e.amount is None else number(e.amount, ctx)
        detail = str(ctx.rolls[-1][1]) if len(ctx.rolls) > before else None
        what = e.what.text if e.what else (damage.id.text if damage else None)
        changes.append(
            Change(
                e.who,
                being.name,
                e.verb,
                what,
                amount,
                str(e.duration) if e.duration else None,
                None,
                detail,
                source,
            )
        )
    return changes, lines


def resolve_check(
    rulebook: Rulebook,
    check: ast.Check,
    actor: Being,
    *,
    target: Being | None = None,
    args: Mapping[str, Value] | None = None,
    extra_modifiers: Sequence[tuple[int, str]] = (),
    rng: random.Random,
    action: str = "check",
    action_ids: Sequence[str] = (),
) -> Resolution:
    """Roll a check for `actor` (against `target`), and read its outcome off the ladder."""
    reason = blocked(rulebook, actor, [check.id.text, *action_ids])
    if reason:
        raise Refusal(reason)
    ctx = Context(rulebook, actor, target, rng=rng)
    params = bind(check, args or {}, ctx)
    trace = [f"{check.kind} {check.id} ({check.file}:{check.id.span.line if check.id.span else 0})"]
    if params:
        trace.append("parameters: " + ", ".join(f"{k} = {v}" for k, v in params.items()))
    modifiers = gather_modifiers(check, ctx, extra_modifiers)
    for m in modifiers:
        sign = f"+{m.value}" if m.value >= 0 else str(m.value)
        typed = f" {m.type}" if m.type else ""
        where = f" ({m.location})" if m.location else ""
        trace.append(f"modifier {sign}{typed} from {m.source}{where}: {m.reason}")
    bonus = sum(m.value for m in modifiers if m.applied)
    pure = substitute(check.roll, ctx)
    rolled = roll(pure, rng=rng)
    dice_sum = natural(rolled)
    total = rolled.total + bonus
    roll_detail = rolled.detail if not bonus else f"{rolled.detail}, {bonus:+d} modifiers = {total}"
    trace.append(f"roll {check.roll} → {roll_detail}")
    opposition = 0
    vs_detail = None
    if check.versus is not None:
        vs_pure = substitute(check.versus, ctx)
        vs_rolled = roll(vs_pure, rng=rng)
        opposition = vs_rolled.total
        vs_detail = vs_rolled.detail if has_dice(vs_pure) else str(opposition)
        trace.append(f"vs {check.versus} → {vs_detail}")
    ctx.roll = RollValues(total, dice_sum, opposition)
    chosen = check.rungs[-1]
    for rung in check.rungs:
        if rung.when is None:
            trace.append(f"{rung.name}: otherwise")
            chosen = rung
            break
        holds = test(rung.when, ctx)
        trace.append(
            f"{rung.name} when {rung.when}: {'yes' if holds else 'no'}"
            + f" (total {total}, dice {dice_sum}, margin {total - opposition})"
        )
        if holds:
            chosen = rung
            break
    changes, lines = effect_changes(chosen.effects, ctx, f"{chosen.name} of {check.id}")
    narrative = " ".join([interpolate(chosen.narrative, ctx)] if chosen.narrative else [])
    if lines:
        narrative = " ".join([narrative, *lines]).strip()
    return Resolution(
        action=action,
        actor=actor.name,
        target=target.name if target else None,
        name=check.id.text,
        title=check.display,
        outcome=chosen.name.text,
        total=total,
        dice=dice_sum,
        opposition=opposition if check.versus is not None else None,
        roll_detail=roll_detail,
        vs_detail=vs_detail,
        modifiers=tuple(modifiers),
        effects=tuple(changes),
        narrative=narrative,
        trace=tuple(trace),
        check=check.id.text,
    )


# -- free will -----------------------------------------------------------------------------


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


@attrs.frozen
class FreeWillPlan:
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
            f"{actor.name} is {_article(kind)} {kind}: no constraint binds a {kind} "
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
                trace=tuple(trace),
            ),
        )

    for c in constraints:
        for exempt in c.exempt:
            if test(exempt, ctx):
                trace.append(f"{c.kind} {c.id}: exempt, {words(exempt)}")
                return verdict(
                    "free", True, f"{actor.name} is not bound by {c.display} ({words(exempt)})."
                )
    for c in constraints:
        for rule in c.rules:
            if rule.act.text != act.id.text:
                continue
            if rule.when is not None:
                try:
                    applies = test(rule.when, ctx)
                except EvaluationError as error:
                    raise RougeError(
                        f"{c.display} {rule.mode}s {act.id} when {words(rule.when)}: "
                        f"{error.message}",
                        hint="say who is involved with --by SHEET",
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
    plan = plan_free_will(rulebook, actor, act_id, by=by)
    if plan.verdict is not None:
        return plan.verdict
    assert plan.check is not None and plan.constraint is not None
    act, check, constraint = plan.act, plan.check, plan.constraint
    result = resolve_check(
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
    allowed = result.outcome != check.rungs[-1].name.text
    verdict = (
        f"{actor.name} overcomes {constraint.display}: the act goes ahead."
        if allowed
        else f"{constraint.display} holds: {actor.name} does not {act.display.lower()}."
    )
    return attrs.evolve(
        result,
        name=act.id.text,
        title=act.display,
        allowed=allowed,
        narrative=" ".join(filter(None, [result.narrative, verdict])),
        trace=(*plan.trace, *result.trace),
    )


# -- abilities and powers -------------------------------------------------------------------


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


@attrs.frozen
class UsePlan:
    """An ability judged usable: its costs, and the check it calls with its arguments."""

    ability: ast.Ability
    costs: tuple[Change, ...]
    check: ast.Check | None
    args: Mapping[str, Value]
    trace: tuple[str, ...]


def plan_use(
    rulebook: Rulebook, actor: Being, ability_id: str, *, target: Being | None = None
) -> UsePlan:
    """Whether `actor` may use the ability now (refused if not), and what it will cost."""
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
    reason = blocked(rulebook, actor, [ability.id.text])
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
        amount = number(cost.amount, ctx)
        have = actor.resources.get(cost.resource.text, 0)
        resource = rulebook.get(cost.resource.text)
        label = resource.display if resource else cost.resource.text
        if have < amount:
            raise Refusal(
                f"not enough {label}: {ability.display} costs {amount}, {name} has {have}"
            )
        trace.append(f"cost {amount} {cost.resource}: {name} has {have}")
        costs.append(
            Change(
                "actor", name, "lose", cost.resource.text, amount, source=f"cost of {ability.id}"
            )
        )
    check = None
    args: dict[str, Value] = {}
    if ability.check is not None:
        check = rulebook.require(ability.check.check.text, ast.Check)
        args = check_arguments(ability.check, check, ctx)
    return UsePlan(ability, tuple(costs), check, args, tuple(trace))


def resolve_use(
    rulebook: Rulebook,
    actor: Being,
    ability_id: str,
    *,
    target: Being | None = None,
    extra_modifiers: Sequence[tuple[int, str]] = (),
    rng: random.Random,
) -> Resolution:
    """Use an ability or power: who may, prerequisites, costs, its check and effects."""
    plan = plan_use(rulebook, actor, ability_id, target=target)
    ability = plan.ability
    ctx = Context(rulebook, actor, target, rng=rng)
    changes = list(plan.costs)
    trace = list(plan.trace)
    result: Resolution | None = None
    lines: list[str] = []
    if plan.check is not None:
        result = resolve_check(
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
        changes.extend(result.effects)
        trace.extend(result.trace)
        if result.narrative:
            lines.append(result.narrative)
        ctx.params = dict(plan.args)
        ctx.roll = RollValues(result.total or 0, result.dice or 0, result.opposition or 0)
        for reaction in ability.outcomes:
            if result.outcome in {n.text for n in reaction.outcomes}:
                more, narrated = effect_changes(
                    reaction.effects, ctx, f"{result.outcome} of {ability.id}"
                )
                changes.extend(more)
                lines.extend(narrated)
    more, narrated = effect_changes(ability.effects, ctx, str(ability.id))
    changes.extend(more)
    lines.extend(narrated)
    base = result or Resolution(
        action="use",
        actor=actor.name,
        target=target.name if target else None,
        name=ability.id.text,
        title=ability.display,
        outcome="used",
    )
    return attrs.evolve(
        base,
        action="use",
        name=ability.id.text,
        title=ability.display,
        effects=tuple(changes),
        narrative=" ".join(lines),
        trace=tuple(trace),
    )
