"""Resolving actions: checks, free-will checks against constraints, abilities and powers.

`resolve_check`, `resolve_free_will` and `resolve_use` are pure: they read the
rulebook and the beings and return a `Resolution` (outcome, dice, every
modifier with its source, effects to apply, narrative, trace); they write
nothing. Refusals (a blocked action, a missing cost) raise `Refusal`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from rouge_rpg.dice.roll import Roll, roller
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
from rouge_rpg.engine.prepare import (
    IdentityCache,
    PreparedCheck,
    cached,
    fixed,
    freeze,
    own_dice,
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
    bonus: int = 0
    prologue: tuple[str, ...] = ()
    bindings: tuple[str, ...] = ()
    reads: tuple[tuple[str, bool], ...] = ()
    ladder: ast.Check | None = attrs.field(default=None, repr=False, eq=False)
    epilogue: tuple[str, ...] = ()

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
        if not self.bonus:
            return self.rolled.detail
        return f"{self.rolled.detail}, {self.bonus:+d} modifiers = {self.total}"

    @property
    def vs_detail(self) -> str | None:
        if self.vs_rolled is None:
            return None
        return self.vs_rolled.detail if self.vs_is_roll else str(self.vs_rolled.total)

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
                sign = f"+{m.value}" if m.value >= 0 else str(m.value)
                typed = f" {m.type}" if m.type else ""
                where = f" ({m.location})" if m.location else ""
                lines.append(f"modifier {sign}{typed} from {m.source}{where}: {m.reason}")
            lines.append(f"roll {check.roll} → {self.roll_detail}")
            if check.versus is not None:
                lines.append(f"vs {check.versus} → {self.vs_detail}")
            tests = {r.name.text: r.when for r in check.rungs}
            margin = self.margin if self.margin is not None else self.total
            for name, holds in self.reads:
                lines.append(
                    f"{name} when {tests[name]}: {'yes' if holds else 'no'} "
                    f"(total {self.total}, dice {self.dice}, margin {margin})"
                )
            if not self.reads or not self.reads[-1][1]:
                lines.append(f"{self.outcome}: otherwise")
        lines.extend(self.epilogue)
        return tuple(lines)

    def to_json(self) -> dict[str, object]:
        return {
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
    if not being.conditions:
        return None
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


@attrs.frozen
class _Rolled:
    """An effect whose amount rolls dice of its own: all but the amount worked out."""

    change: Change
    roll: Callable[[random.Random], Roll]


@attrs.frozen
class Settled:
    """Effects worked out before the roll: their changes (some still to roll) and lines."""

    items: tuple[Change | _Rolled, ...]
    lines: tuple[str, ...]

    def changes(self, rng: random.Random) -> tuple[Change, ...]:
        """The changes, rolling in order the amounts that roll dice."""
        if not any(isinstance(i, _Rolled) for i in self.items):
            return self.items  # type: ignore[return-value]
        out: list[Change] = []
        for item in self.items:
            if isinstance(item, Change):
                out.append(item)
                continue
            rolled, c = item.roll(rng), item.change
            out.append(
                Change(
                    c.who,
                    c.name,
                    c.verb,
                    c.what,
                    rolled.total,
                    c.duration,
                    None,
                    str(rolled),
                    c.source,
                )
            )
        return tuple(out)


def settle(effects: Sequence[ast.Effect], ctx: Context, source: str) -> Settled | None:
    """Effects worked out once for this actor, target and parameters.

    None when one of them reads the roll (`total`...), rolls dice through a
    constant, or cannot be worked out: those are evaluated at each roll, as
    `effect_changes` does, so that any error is raised in its place.
    """
    items: list[Change | _Rolled] = []
    lines: list[str] = []
    damage = ctx.rulebook.damage_track
    try:
        for e in effects:
            if e.verb == "narrate":
                text = e.text or ""
                if not all(fixed(_placeholder(p), ctx) for p in _PLACEHOLDER.findall(text)):
                    return None
                lines.append(interpolate(text, ctx))
            elif e.amount is None or fixed(e.amount, ctx):
                found, _ = effect_changes([e], ctx, source)
                items.extend(found)
            else:
                pure = own_dice(e.amount, ctx)
                if pure is None:
                    return None
                being = ctx.being(e.who)
                what = e.what.text if e.what else (damage.id.text if damage else None)
                duration = str(e.duration) if e.duration else None
                change = Change(e.who, being.name, e.verb, what, None, duration, None, None, source)
                items.append(_Rolled(change, roller(pure)))
    except RougeError:
        return None
    return Settled(tuple(items), tuple(lines))


def _placeholder(inner: str) -> ast.Reference:
    return ast.Reference(tuple(ast.Name(p) for p in inner.strip().split(".")))


def _settle_rungs(plan: PreparedCheck) -> None:
    """Work out once the effects and narrative of each rung that does not depend on the roll."""
    ctx = plan.ctx
    for rung, _ in plan.rungs:
        text = rung.narrative or ""
        if "{" in text and not all(fixed(_placeholder(p), ctx) for p in _PLACEHOLDER.findall(text)):
            continue
        found = settle(rung.effects, ctx, f"{rung.name} of {plan.check.id}")
        if found is None:
            continue
        if "{" in text:
            text = interpolate(text, ctx)
        plan.settled[rung.name.text] = (found, " ".join(filter(None, [text, *found.lines])))


def prepare_check(
    rulebook: Rulebook,
    check: ast.Check,
    actor: Being,
    *,
    target: Being | None = None,
    args: Mapping[str, Value] | None = None,
    extra_modifiers: Sequence[tuple[int, str]] = (),
) -> PreparedCheck:
    """The check bound to this actor, target and arguments (cached)."""

    def build() -> PreparedCheck:
        ctx = Context(rulebook, actor, target)
        bind(check, dict(args or {}), ctx)
        modifiers = gather_modifiers(check, ctx, extra_modifiers)
        trace: list[str] = []
        if ctx.params:
            trace.append("parameters: " + ", ".join(f"{k} = {v}" for k, v in ctx.params.items()))
        plan = PreparedCheck(rulebook, check, ctx, modifiers, trace)
        _settle_rungs(plan)
        return plan

    extra = tuple(extra_modifiers) if extra_modifiers else ()
    return cached((rulebook, check, actor, target), (freeze(args or {}), extra), build)


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
    return Resolution(
        **_check_fields(
            rulebook,
            check,
            actor,
            target=target,
            args=args,
            extra_modifiers=extra_modifiers,
            rng=rng,
            action=action,
            action_ids=action_ids,
        )
    )


def _check_fields(
    rulebook: Rulebook,
    check: ast.Check,
    actor: Being,
    *,
    target: Being | None,
    args: Mapping[str, Value] | None,
    extra_modifiers: Sequence[tuple[int, str]],
    rng: random.Random,
    action: str,
    action_ids: Sequence[str],
) -> dict[str, Any]:
    """`resolve_check`, as the fields of its `Resolution`: callers may add to them first."""
    reason = blocked(rulebook, actor, [check.id.text, *action_ids])
    if reason:
        raise Refusal(reason)
    plan = prepare_check(
        rulebook, check, actor, target=target, args=args, extra_modifiers=extra_modifiers
    )
    rolled = plan.roll(rng)
    total = rolled.total + plan.bonus
    opposition = 0
    vs_rolled = plan.vs_fixed
    if vs_rolled is None and plan.vs is not None:
        vs_rolled = plan.vs(rng)
    if vs_rolled is not None:
        opposition = vs_rolled.total
    values = RollValues(total, plan.natural(rolled), opposition)
    rung, reads = plan.outcome(values)
    settled = plan.settled.get(rung.name.text)
    if settled is not None:
        changes = settled[0].changes(rng)
        narrative = settled[1]
    else:
        ctx = Context(rulebook, actor, target, dict(plan.ctx.params), values, rng)
        found, lines = effect_changes(rung.effects, ctx, f"{rung.name} of {check.id}")
        changes = tuple(found)
        text = interpolate(rung.narrative, ctx) if rung.narrative else ""
        narrative = " ".join(filter(None, [text, *lines]))
    return {
        "action": action,
        "actor": actor.name,
        "target": target.name if target else None,
        "name": check.id.text,
        "title": check.display,
        "outcome": rung.name.text,
        "total": total,
        "dice": values.dice,
        "opposition": opposition if check.versus is not None else None,
        "modifiers": plan.modifiers,
        "effects": changes,
        "narrative": narrative,
        "check": check.id.text,
        "parameters": plan.parameters,
        "rolled": rolled,
        "vs_rolled": vs_rolled,
        "vs_is_roll": plan.vs_rolls,
        "bonus": plan.bonus,
        "bindings": plan.trace,
        "reads": reads,
        "ladder": check,
    }


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
    fields = _check_fields(
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
    allowed = fields["outcome"] != check.rungs[-1].name.text
    verdict = (
        f"{actor.name} overcomes {constraint.display}: the act goes ahead."
        if allowed
        else f"{constraint.display} holds: {actor.name} does not {act.display.lower()}."
    )
    fields.update(
        name=act.id.text,
        title=act.display,
        allowed=allowed,
        narrative=" ".join(filter(None, [fields["narrative"], verdict])),
        prologue=plan.trace,
    )
    return Resolution(**fields)


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
    #: (reaction index, outcome) or "effects" → its effects worked out once, if `settle` could.
    settled: dict[object, Settled] = attrs.field(factory=dict, eq=False, repr=False)


_USE_PLANS: IdentityCache[UsePlan] = IdentityCache()
_FREE_WILL_PLANS: IdentityCache[FreeWillPlan] = IdentityCache()


def planned_use(
    rulebook: Rulebook, actor: Being, ability_id: str, *, target: Being | None = None
) -> UsePlan:
    """`plan_use`, built once per rulebook, actor and target, with its fixed effects settled."""

    def build() -> UsePlan:
        plan = plan_use(rulebook, actor, ability_id, target=target)
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

    return _USE_PLANS.get((rulebook, actor, target), (ability_id,), build)


def planned_free_will(
    rulebook: Rulebook, actor: Being, act_id: str, *, by: Being | None = None
) -> FreeWillPlan:
    """`plan_free_will`, built once per rulebook, actor and other party."""
    return _FREE_WILL_PLANS.get(
        (rulebook, actor, by), (act_id,), lambda: plan_free_will(rulebook, actor, act_id, by=by)
    )


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
    plan = planned_use(rulebook, actor, ability_id, target=target)
    ability = plan.ability
    ctx = Context(rulebook, actor, target, rng=rng)
    changes = list(plan.costs)
    lines: list[str] = []
    settled = plan.settled
    fields: dict[str, Any]
    if plan.check is not None:
        fields = _check_fields(
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
        outcome = fields["outcome"]
        changes.extend(fields["effects"])
        if fields["narrative"]:
            lines.append(fields["narrative"])
        ctx.params = dict(plan.args)
        ctx.roll = RollValues(fields["total"] or 0, fields["dice"] or 0, fields["opposition"] or 0)
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
        fields = {
            "actor": actor.name,
            "target": target.name if target else None,
            "outcome": "used",
        }
    found = settled.get("effects")
    if found is None:
        more, narrated = effect_changes(ability.effects, ctx, str(ability.id))
    else:
        more, narrated = list(found.changes(rng)), list(found.lines)
    changes.extend(more)
    lines.extend(narrated)
    fields.update(
        action="use",
        name=ability.id.text,
        title=ability.display,
        effects=tuple(changes),
        narrative=" ".join(lines),
        prologue=plan.trace,
    )
    return Resolution(**fields)
