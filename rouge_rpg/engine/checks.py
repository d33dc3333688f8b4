"""Checks: bind parameters, gather modifiers, roll, read the ladder; or give exact odds.

A check is prepared once for an actor, a target and a set of arguments
(`prepare`): parameters bound, modifiers gathered and stacked, the roll and
`vs` lines reduced to pure dice expressions, the ladder's own dice taken out
as draws (`rouge_rpg.rules.evaluate.draws`) and its tests compiled to
functions of the roll's values. Rolling and exact odds then read the same
ladder function: rolling feeds it one roll; odds feed it every outcome of the
joint distribution of the roll, the opposition and the draws (icepool's
`map`), so what is rolled and what the odds say cannot disagree.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, assert_never, cast

import attrs

from rouge_rpg.beings import Being
from rouge_rpg.dice import ast as dice
from rouge_rpg.dice.roll import (
    Roll,
    faces,
    natural,
    reroll,
    rerolled,
    rerolled_with,
    roller,
)
from rouge_rpg.engine.apply import apply_changes
from rouge_rpg.engine.effects import (
    PLACEHOLDER,
    Settled,
    effect_changes,
    fixed,
    interpolate,
    placeholder,
    settle,
)
from rouge_rpg.engine.modifiers import gather, reshape
from rouge_rpg.engine.results import (
    AppliedModifier,
    Change,
    CheckOdds,
    Refusal,
    Resolution,
)
from rouge_rpg.errors import LimitError, RougeError
from rouge_rpg.rules import ast
from rouge_rpg.rules.evaluate import (
    Context,
    Drawn,
    Node,
    RollValues,
    Value,
    compare,
    draws,
    has_dice,
    mentions_roll,
    substitute,
    value,
)
from rouge_rpg.rules.explain import words as said
from rouge_rpg.rules.rulebook import Rulebook, UnknownDefinition

if TYPE_CHECKING:
    from fractions import Fraction

#: Largest number of joint outcomes (roll × opposition × the ladder's dice) read for odds.
MAX_COMBINATIONS = 1_000_000
#: What a chain of explosions cut short is raised by, to see whether the cut can matter.
CEILING = 10**12

Probe = Callable[[RollValues], Value]
#: A push made on a roll: the name of the check's `push` line, and the seed it rerolls with.
Pushing = tuple[str, int]
#: Most pushes made on one roll.
MAX_PUSHES = 100


# -- which check ------------------------------------------------------------------------


def check_for(
    rulebook: Rulebook, action: str, *, opposed: bool = False
) -> tuple[ast.Check, dict[str, Value]]:
    """The check an action names, with the arguments naming implies.

    A check id is itself. An attribute rolls the rulebook's default check with
    the attribute as its first attribute parameter; when the roll is opposed,
    the first check whose `vs` line reads the target is used instead.
    """
    check, implied = _CHOSEN.get(
        (rulebook,), (action, opposed), lambda: _check_for(rulebook, action, opposed)
    )
    return check, dict(implied)


def _check_for(
    rulebook: Rulebook, action: str, opposed: bool
) -> tuple[ast.Check, tuple[tuple[str, Value], ...]]:
    found = rulebook.get(action)
    if isinstance(found, ast.Check):
        return found, ()
    if isinstance(found, ast.Attribute):
        check = rulebook.default_check
        if opposed:
            check = next(
                (
                    c
                    for c in rulebook.of_kind("check")
                    if isinstance(c, ast.Check)
                    and ast.mentions(c.versus, "target")
                    and attribute_params(c)
                ),
                check,
            )
        if check is None:
            raise RougeError(
                f"'{action}' is an attribute, but the rulebook has no default check to roll it",
                hint="mark one check as default: check action(stat: attribute) default:",
            )
        params = attribute_params(check)
        if not params:
            raise RougeError(f"check '{check.id}' takes no attribute to roll '{action}' with")
        return check, ((params[0], action),)
    if found is None:
        import difflib

        names = [d.id.text for d in rulebook.of_kind("check", "attribute")]
        close = difflib.get_close_matches(action, names, n=1, cutoff=0.6)
        raise UnknownDefinition(
            f"the rulebook has no check or attribute '{action}'",
            hint=f"did you mean '{close[0]}'?" if close else None,
        )
    hint = None
    if isinstance(found, ast.Act):
        hint = f"an act is attempted with: rouge free-will SHEET --act {action}"
    elif isinstance(found, ast.Ability):
        hint = f"an ability is used with: rouge use SHEET {action}"
    from rouge_rpg.rules.check import kind_word

    raise UnknownDefinition(
        f"'{action}' is {kind_word(found.kind)}, not a check or attribute", hint=hint
    )


def attribute_params(check: ast.Check) -> list[str]:
    """The check's parameters that name an attribute, in order."""
    return [p.name.text for p in check.params if p.type is not None and p.type.text == "attribute"]


def defense_param(check: ast.Check) -> str | None:
    """The attribute parameter the `vs` line reads the target with (`target[defense]`)."""
    if check.versus is None:
        return None
    for node in ast.walk(check.versus):
        if isinstance(node, ast.Reference) and node.root == "target" and node.index is not None:
            return node.index.text
    return None


# -- binding ------------------------------------------------------------------------------


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
    ctx.choices = frozenset(c.text for p in check.params for c in p.choices)
    for p in check.params:
        kind = p.type.text if p.type else None
        if p.name.text in args:
            given = args[p.name.text]
            if p.choices:
                words = [c.text for c in p.choices]
                if given not in words:
                    raise RougeError(
                        f"'{given}' is not a choice of {p.name}: it is one of {', '.join(words)}",
                        hint=did_you_mean(str(given), words),
                    )
            elif isinstance(given, str) and kind in (None, "number"):
                if given.removeprefix("-").isdigit():
                    given = int(given)
                elif kind == "number" or (
                    p.default is not None and isinstance(value(p.default, ctx), int)
                ):
                    raise RougeError(f"{p.name} is a number, not '{given}'")
            elif kind and kind != "number":
                found = rulebook.get(str(given))
                if found is None or (kind != found.KIND and found.kind != kind):
                    raise RougeError(
                        f"'{given}' is not {article(kind)} {kind}",
                        hint=did_you_mean(
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


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def did_you_mean(name: str, candidates: list[str]) -> str | None:
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


# -- the ladder as a function of the roll ---------------------------------------------------


def compile_value(node: ast.Test, ctx: Context) -> Probe:
    """`node` as a function of the roll's values (and the ladder's draws); the rest fixed now."""
    if not mentions_roll(node, ctx):
        fixed_value = value(node, ctx)
        return lambda rv: fixed_value
    n: Node = node
    match n:
        case ast.Reference():
            root = n.root
            if root == "margin":
                return lambda rv: rv.total - rv.opposition
            return lambda rv: cast(int, getattr(rv, root))
        case ast.Count():
            point = n.point
            return lambda rv: rv.count(point)
        case Drawn():
            index = n.index
            return lambda rv: rv.drawn[index]
        case dice.Compare():
            left, right, op = compile_value(n.left, ctx), compile_value(n.right, ctx), n.op
            return lambda rv: compare(op, left(rv), right(rv))
        case ast.AllOf():
            parts = [compile_value(o, ctx) for o in n.operands]
            return lambda rv: all(p(rv) for p in parts)
        case ast.AnyOf():
            parts = [compile_value(o, ctx) for o in n.operands]
            return lambda rv: any(p(rv) for p in parts)
        case ast.Not():
            inner = compile_value(n.operand, ctx)
            return lambda rv: not inner(rv)
        case dice.Parenthetical() | dice.Labeled():
            return compile_value(n.inner, ctx)
        case dice.Negate():
            operand = compile_value(n.operand, ctx)
            return lambda rv: -_int(operand(rv))
        case dice.Sum() | dice.Product():
            return _chain(n, ctx)
        case dice.Group():
            return _group(n, ctx)
        case ast.Extreme():
            parts = [compile_value(o, ctx) for o in n.operands]
            pick = max if n.high else min
            return lambda rv: pick(_int(p(rv)) for p in parts)
        case ast.Choice():
            when, then, otherwise = (compile_value(c, ctx) for c in (n.test, n.then, n.otherwise))
            return lambda rv: then(rv) if when(rv) else otherwise(rv)
        case ast.Named():
            return compile_value(n.inner, ctx)
        case ast.Call() | ast.Boolean() | dice.Literal() | dice.Dice() | ast.Pool():
            raise AssertionError(f"'{n}' cannot read the roll")
        case _:
            assert_never(n)


def _int(found: Value) -> int:
    return int(found) if isinstance(found, int) else 0


def _chain(node: dice.Sum | dice.Product, ctx: Context) -> Probe:
    first = compile_value(node.first, ctx)
    rest = [(op, compile_value(t, ctx), t) for op, t in node.rest]

    def run(rv: RollValues) -> Value:
        total = _int(first(rv))
        for op, part, term in rest:
            total = dice.apply(op, total, _int(part(rv)), term)
        return total

    return run


def _group(node: dice.Group, ctx: Context) -> Probe:
    """A group of values that read the roll (`{total, 10}kh1`), kept and counted as rolls do."""
    items = [compile_value(i, ctx) for i in node.items]
    select = node.select

    def run(rv: RollValues) -> Value:
        values = [_int(item(rv)) for item in items]
        kept = range(len(values)) if select is None else sorted(select.kept_indices(values))
        if not node.counts_successes:
            return sum(values[i] for i in kept)
        hits = sum(1 for i in kept if node.successes and node.successes.matches(values[i]))
        misses = sum(1 for i in kept if node.failures and node.failures.matches(values[i]))
        return hits - misses

    return run


def _reads(check: ast.Check, name: str, params: Mapping[str, Value]) -> bool:
    """Whether the ladder's tests read the roll's `name` (not a parameter of that name)."""
    if name in params:
        return False
    return any(
        isinstance(n, ast.Reference) and len(n.path) == 1 and n.root == name
        for rung in check.rungs
        if rung.when is not None
        for n in ast.walk(rung.when)
    )


def natural_reader(node: dice.Expr) -> Callable[[Roll], int]:
    """How to read the dice alone off a roll of `node` (`natural`, faster for `2d6 + 3`)."""
    terms = [("+", node.first), *node.rest] if isinstance(node, dice.Sum) else [("+", node)]
    offset = 0
    for op, term in terms:
        if isinstance(term, dice.Literal) and op in "+-":
            offset += term.value if op == "+" else -term.value
        elif not (
            isinstance(term, dice.Dice) and op == "+" and term == dice.Dice(term.count, term.sides)
        ):
            return natural
    return lambda rolled: rolled.total - offset


def _plain(term: dice.Dice) -> dice.Dice:
    """The dice term without its modifiers."""
    return dice.Dice(term.count, term.sides)


class PreparedCheck:
    """A check bound to an actor, a target and parameters, ready to roll or weigh."""

    def __init__(
        self,
        rulebook: Rulebook,
        check: ast.Check,
        ctx: Context,
        modifiers: Sequence[AppliedModifier],
        trace: Sequence[str],
    ) -> None:
        self.rulebook = rulebook
        self.check = check
        self.ctx = ctx
        self.roll_expr, shaped = reshape(substitute(check.roll, ctx), modifiers)
        self.modifiers = tuple(shaped)
        applied = [m for m in shaped if m.applied and m.kind == "total"]
        self.bonus = sum(m.value for m in applied)
        #: The dice the modifiers roll (`+1d4`), each labelled with its source; rolled
        #: after the roll line, and added to its total (not to its `dice`).
        self.boost_expr: dice.Expr | None = None
        boosts = [
            dice.Labeled(m.rolls, m.source.rsplit(" ", 1)[-1])
            for m in applied
            if m.rolls is not None
        ]
        if len(boosts) == 1:
            self.boost_expr = boosts[0]
        elif boosts:
            self.boost_expr = dice.Sum(boosts[0], tuple(("+", b) for b in boosts[1:]))
        self.boost = None if self.boost_expr is None else roller(self.boost_expr)
        self.trace = tuple(trace)
        self.parameters = tuple(ctx.params.items())
        self.roll = roller(self.roll_expr)
        self.natural = natural_reader(self.roll_expr)
        #: Whether the ladder reads `dice`: only then do odds need the dice apart from the total.
        self.reads_dice = _reads(check, "dice", ctx.params)
        #: Whether the ladder reads the dice one by one (`highest`, `count(6)`): only then
        #: are the faces read off a roll, and odds joint over them.
        self.reads_faces = bool(ast.readings(check))
        #: Each reading the ladder makes (`highest`, `count(6)`), once, to show with a roll
        #: (a push's price reads the roll too, but is not the ladder's reading).
        self.readings: list[tuple[str, Probe]] = [
            (text, compile_value(node, ctx))
            for text, node in {str(n): n for n in ast.readings(check, pushes=False)}.items()
        ]
        self.vs_expr: dice.Expr | None = None
        self.vs: Callable[[random.Random], Roll] | None = None
        self.vs_rolls = False
        #: The `vs` line's result when it rolls no dice: the same at every roll.
        self.vs_fixed: Roll | None = None
        if check.versus is not None:
            self.vs_expr = substitute(check.versus, ctx)
            self.vs = roller(self.vs_expr)
            self.vs_rolls = has_dice(self.vs_expr)
            if not self.vs_rolls:
                self.vs_fixed = self.vs(random.Random(0))
        #: The ladder's own dice, each rolled once per resolution, in order.
        self.draws: list[dice.Expr] = []
        self.rungs: list[tuple[ast.Rung, Probe | None]] = []
        for rung in check.rungs:
            if rung.when is None:
                self.rungs.append((rung, None))
            else:
                self.rungs.append((rung, compile_value(draws(rung.when, ctx, self.draws), ctx)))
        self.draw_rolls = [roller(d) for d in self.draws]
        #: rung name → its effects and narrative, worked out once where they do not vary.
        self.settled: dict[str, tuple[Settled, str]] = {}

    def outcome(self, values: RollValues) -> tuple[ast.Rung, tuple[tuple[str, bool], ...]]:
        """The rung the values land on, and each test read on the way."""
        read: list[tuple[str, bool]] = []
        try:
            for rung, probe in self.rungs:
                if probe is None:
                    return rung, tuple(read)
                holds = bool(probe(values))
                read.append((rung.name.text, holds))
                if holds:
                    return rung, tuple(read)
        except RougeError as error:
            raise error.located(
                self.check.file, self.rulebook.sources.get(self.check.file)
            ) from None
        return self.rungs[-1][0], tuple(read)


T = TypeVar("T")


class IdentityCache(Generic[T]):
    """Values built once per set of objects (by identity) and plain values (by value).

    The objects are held with the value, so while the entry lives no other
    object can have their ids: a key of equal ids is the same objects. A full
    cache drops its oldest entry.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.entries: dict[tuple[Any, ...], tuple[tuple[Any, ...], T]] = {}

    def get(
        self, key_objects: tuple[Any, ...], key_values: tuple[Any, ...], build: Callable[[], T]
    ) -> T:
        key = (*map(id, key_objects), *key_values)
        hit = self.entries.get(key)
        if hit is not None:
            return hit[1]
        built = build()
        if len(self.entries) >= self.size:
            self.entries.pop(next(iter(self.entries)))
        self.entries[key] = (key_objects, built)
        return built

    def clear(self) -> None:
        self.entries.clear()


_CHOSEN: IdentityCache[tuple[ast.Check, tuple[tuple[str, Value], ...]]] = IdentityCache()
_PREPARED: IdentityCache[PreparedCheck] = IdentityCache()


def freeze(mapping: Mapping[str, Value]) -> tuple[tuple[str, Value], ...]:
    return tuple(sorted(mapping.items())) if mapping else ()


def prepare(
    rulebook: Rulebook,
    check: ast.Check,
    actor: Being,
    *,
    target: Being | None = None,
    args: Mapping[str, Value] | None = None,
    extra_modifiers: Sequence[tuple[int, str]] = (),
) -> PreparedCheck:
    """The check bound to this actor, target and arguments (built once, then cached).

    Rulebooks and checks are keyed by identity; beings, arguments and extra
    modifiers are immutable values and keyed by value.
    """

    def build() -> PreparedCheck:
        ctx = Context(rulebook, actor, target, lets=check.named_lets)
        try:
            bind(check, dict(args or {}), ctx)
            modifiers = gather(check, ctx, extra_modifiers)
            trace: list[str] = []
            if ctx.params:
                trace.append(
                    "parameters: " + ", ".join(f"{k} = {v}" for k, v in ctx.params.items())
                )
            plan = PreparedCheck(rulebook, check, ctx, modifiers, trace)
        except RougeError as error:
            raise error.located(check.file, rulebook.sources.get(check.file)) from None
        _settle_rungs(plan)
        return plan

    extra = tuple(extra_modifiers) if extra_modifiers else ()
    return _PREPARED.get((rulebook, check), (actor, target, freeze(args or {}), extra), build)


def _settle_rungs(plan: PreparedCheck) -> None:
    """Work out once the effects and narrative of each rung that does not depend on the roll."""
    ctx = plan.ctx
    for rung, _ in plan.rungs:
        text = rung.narrative or ""
        if "{" in text and not all(
            fixed(placeholder(p, ctx), ctx) for p in PLACEHOLDER.findall(text)
        ):
            continue
        found = settle(rung.effects, ctx, f"{rung.name} of {plan.check.id}")
        if found is None:
            continue
        if "{" in text:
            text = interpolate(text, ctx)
        plan.settled[rung.name.text] = (found, " ".join(filter(None, [text, *found.lines])))


# -- rolling -------------------------------------------------------------------------------


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
    pushes: Sequence[Pushing] = (),
) -> Resolution:
    """Roll a check for `actor` (against `target`), and read its outcome off the ladder.

    The generator rolls, in this order: the roll line, the modifiers' dice, the
    `vs` line, the ladder's own dice, then the dice of the rung's effects. Each
    of `pushes` (a push's name and its own seed) then rerolls some of the roll
    line's dice, in order, before the ladder is read: the rest of the roll is
    the same as without them.
    """
    reason = blocked(rulebook, actor, [check.id.text, *action_ids])
    if reason:
        raise Refusal(reason)
    if len(pushes) > MAX_PUSHES:
        raise LimitError(f"{len(pushes):,} pushes on one roll; the limit is {MAX_PUSHES}")
    plan = prepare(
        rulebook, check, actor, target=target, args=args, extra_modifiers=extra_modifiers
    )
    try:
        rolled = plan.roll(rng)
        boosted = None if plan.boost is None else plan.boost(rng)
        vs_rolled = plan.vs_fixed
        if vs_rolled is None and plan.vs is not None:
            vs_rolled = plan.vs(rng)
        drawn = tuple(draw(rng) for draw in plan.draw_rolls)
    except RougeError as error:
        raise error.located(check.file, rulebook.sources.get(check.file)) from None
    bonus = plan.bonus + (0 if boosted is None else boosted.total)
    opposition = vs_rolled.total if vs_rolled is not None else 0
    drawn_values = tuple(d.total for d in drawn)

    def values_of(roll: Roll) -> RollValues:
        read_faces = plan.reads_faces or bool(pushes)
        return RollValues(
            roll.total + bonus,
            plan.natural(roll),
            opposition,
            drawn_values,
            faces(roll) if read_faces else (),
        )

    def context(values: RollValues) -> Context:
        params = dict(plan.ctx.params)
        return Context(
            rulebook,
            actor,
            target,
            params,
            values,
            rng,
            choices=plan.ctx.choices,
            lets=plan.ctx.lets,
        )

    pushed: list[tuple[str, Roll]] = []
    paid: list[Change] = []
    paid_lines: list[str] = []
    try:
        for name, seed in pushes:
            push = find_push(check, name)
            can_push(plan, push, [made for made, _ in pushed], paid, values_of(rolled))
            pushed.append((name, rolled))
            rolled = reroll(rolled, push.point, random.Random(seed))
            found, lines = effect_changes(push.effects, context(values_of(rolled)), f"push {name}")
            paid += found
            paid_lines += lines
    except RougeError as error:
        raise error.located(check.file, rulebook.sources.get(check.file)) from None
    values = values_of(rolled)
    rung, reads = plan.outcome(values)
    settled = plan.settled.get(rung.name.text)
    if settled is not None:
        changes = settled[0].changes(rng)
        narrative = settled[1]
    else:
        ctx = context(values)
        try:
            found, lines = effect_changes(rung.effects, ctx, f"{rung.name} of {check.id}")
        except RougeError as error:
            raise error.located(check.file, rulebook.sources.get(check.file)) from None
        changes = tuple(found)
        text = interpolate(rung.narrative, ctx) if rung.narrative else ""
        narrative = " ".join(filter(None, [text, *lines]))
    if paid_lines:
        narrative = " ".join(filter(None, [*paid_lines, narrative]))
    return Resolution(
        action=action,
        actor=actor.name,
        target=target.name if target else None,
        name=check.id.text,
        title=check.display,
        outcome=rung.name.text,
        total=values.total,
        dice=values.dice,
        opposition=opposition if check.versus is not None else None,
        modifiers=plan.modifiers,
        effects=(*paid, *changes),
        narrative=narrative,
        check=check.id.text,
        parameters=plan.parameters,
        rolled=rolled,
        vs_rolled=vs_rolled,
        vs_is_roll=plan.vs_rolls,
        drawn=drawn,
        bonus=plan.bonus,
        boosted=boosted,
        bindings=plan.trace,
        reads=reads,
        ladder=check,
        pushed=tuple(pushed),
        readings=tuple((text, read(values)) for text, read in plan.readings),
    )


def push_odds(
    rulebook: Rulebook,
    check: ast.Check,
    actor: Being,
    push: str,
    *,
    target: Being | None = None,
    args: Mapping[str, Value] | None = None,
    extra_modifiers: Sequence[tuple[int, str]] = (),
    rng: random.Random,
    pushes: Sequence[Pushing] = (),
) -> CheckOdds:
    """The exact chance of each outcome if `push` is made on the roll as it stands.

    The roll is made as `resolve_check` makes it (with `rng` and the `pushes`
    already made); the dice that stay are fixed, and so are the modifiers' dice,
    the `vs` line and the ladder's own dice, already rolled: only the dice the
    push rolls again vary. Each term's new dice come as multisets of faces
    (icepool's `Pool.expand`), which is all a keep, a sum or a reading depends on.
    """
    from fractions import Fraction

    import icepool

    made = resolve_check(
        rulebook,
        check,
        actor,
        target=target,
        args=args,
        extra_modifiers=extra_modifiers,
        rng=rng,
        pushes=pushes,
    )
    found = find_push(check, push)
    plan = prepare(
        rulebook, check, actor, target=target, args=args, extra_modifiers=extra_modifiers
    )
    assert made.rolled is not None
    now = made.rolled
    bonus = made.total - now.total if made.total is not None else 0
    opposition, drawn = made.opposition or 0, tuple(d.total for d in made.drawn)
    current = RollValues(made.total or 0, plan.natural(now), opposition, drawn, faces(now))
    paid = [e for e in made.effects if e.source.startswith("push ")]
    can_push(plan, found, [name for name, _ in made.pushed], paid, current)
    again_dice = rerolled(now, found.point)  # each die that rolls again: its term
    terms: list[dice.Dice] = []
    counts: dict[int, int] = {}
    for term in again_dice:
        if id(term) not in counts:
            terms.append(term)
        counts[id(term)] = counts.get(id(term), 0) + 1
    pools = [icepool.Die(list(t.faces)).pool(counts[id(t)]).expand() for t in terms]
    work = math.prod(len(p) for p in pools)
    if work > MAX_COMBINATIONS:
        raise LimitError(
            f"the exact odds of pushing check '{check.id}' are too large to compute "
            f"({work:,} joint outcomes; the limit is {MAX_COMBINATIONS:,})"
        )
    order = [id(t) for t in again_dice]

    def read(*chosen: tuple[int, ...]) -> str:
        queues = {id(t): list(faces_) for t, faces_ in zip(terms, chosen, strict=True)}
        lows = {id(t): t.faces[0] for t in terms}
        place = iter(order)

        def fresh(n: int) -> int:
            key = next(place)
            return queues[key].pop() - lows[key]

        again = rerolled_with(now, found.point, fresh)
        values = RollValues(
            again.total + bonus, plan.natural(again), opposition, drawn, faces(again)
        )
        return plan.outcome(values)[0].name.text

    ladder = icepool.map(read, *pools, star=False) if pools else icepool.Die([read()])
    denominator = ladder.denominator()
    outcomes = {
        r.name.text: Fraction(ladder.quantity(r.name.text), denominator) for r in check.rungs
    }
    staying = len(list(now.dice())) - len(order)
    note = (
        f"if pushed ({found.display}): {len(order)} dice roll again, {staying} stay "
        f"as rolled ({now.detail})"
    )
    return CheckOdds(check.id.text, outcomes, True, plan.modifiers, note=note)


def can_push(
    plan: PreparedCheck,
    push: ast.Push,
    made: Sequence[str],
    paid: Sequence[Change],
    values: RollValues,
) -> None:
    """Refuse `push` if it was made already and may be made once, or if its `when` test
    does not hold of the roll as it stands and the beings as the pushes `made` left
    them (their price `paid`)."""
    if push.once and push.name.text in made:
        raise Refusal(f"'{push.display}' can be made once per roll, and it was")
    if push.when is None:
        return
    ctx = plan.ctx
    if paid:
        actor, target = ctx.actor, ctx.target
        if actor is not None:
            actor = apply_changes(plan.rulebook, actor, [c for c in paid if c.who == "actor"])[0]
        if target is not None:
            target = apply_changes(plan.rulebook, target, [c for c in paid if c.who == "target"])[0]
        ctx = attrs.evolve(ctx, actor=actor, target=target)
    if not compile_value(push.when, ctx)(values):
        raise Refusal(f"'{push.display}' cannot be made now: {said(push.when)} does not hold")


def find_push(check: ast.Check, name: str | None) -> ast.Push:
    """The check's `push` line called `name`; with no name, its only one."""
    for push in check.pushes:
        if push.name.text == name:
            return push
    names = [p.name.text for p in check.pushes]
    if not names:
        raise RougeError(f"check '{check.id}' cannot be pushed: it has no 'push' line")
    if name is None:
        if len(names) == 1:
            return check.pushes[0]
        raise RougeError(
            f"check '{check.id}' has several pushes: name one of {', '.join(names)}",
            hint=f"rouge push {names[0]}",
        )
    raise RougeError(
        f"check '{check.id}' has no push '{name}' (its pushes: {', '.join(names)})",
        hint=did_you_mean(name, names),
    )


# -- exact odds ----------------------------------------------------------------------------


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
    """The exact probability of each outcome of `check` for `actor` (against `target`).

    The ladder is read, through the same function rolling uses, at every
    outcome of the joint distribution of the roll (its dice apart from its
    total only when the ladder reads `dice`), the opposition and the ladder's
    own dice.
    """
    from fractions import Fraction

    import icepool

    from rouge_rpg.dice.odds import distribution

    reason = blocked(rulebook, actor, [check.id.text, *action_ids])
    if reason:
        raise Refusal(reason)
    plan = prepare(
        rulebook, check, actor, target=target, args=args, extra_modifiers=extra_modifiers
    )
    source = rulebook.sources.get(check.file)
    try:
        roll = distribution(plan.roll_expr, with_dice=plan.reads_dice, with_faces=plan.reads_faces)
        parts = [roll]
        if plan.boost_expr is not None:
            parts.append(distribution(plan.boost_expr))
        if plan.vs_expr is not None:
            parts.append(distribution(plan.vs_expr))
        parts += [distribution(d) for d in plan.draws]
    except RougeError as error:
        raise error.located(check.file, source) from None
    work = math.prod(len(p.die) for p in parts)
    if work > MAX_COMBINATIONS:
        span = check.id.span.with_file(check.file) if check.id.span else None
        raise LimitError(
            f"the exact odds of check '{check.id}' are too large to compute "
            f"({work:,} joint outcomes; the limit is {MAX_COMBINATIONS:,})",
            span,
            source=source,
        )
    bonus, versus, boosts = plan.bonus, plan.vs_expr is not None, plan.boost_expr is not None
    split = _splitter(plan)

    def read(rolled: Any, *rest: int) -> str:
        faces, dice_sum, raw = split(rolled)
        if boosts:
            raw, rest = raw + rest[0], rest[1:]
        opposition, drawn = (rest[0], rest[1:]) if versus else (0, rest)
        rung, _ = plan.outcome(RollValues(raw + bonus, dice_sum, opposition, drawn, faces))
        return rung.name.text

    def weigh(dice: Sequence[Any]) -> dict[str, Fraction]:
        ladder = icepool.map(read, *dice, star=False)
        denominator = ladder.denominator()
        return {
            r.name.text: Fraction(ladder.quantity(r.name.text), denominator) for r in check.rungs
        }

    outcomes = weigh([p.die for p in parts])
    exact = all(p.exact for p in parts)
    note = None if exact else next(p.note for p in parts if not p.exact)
    if not exact and all(p.exact for p in parts[1:]) and cut_cannot_matter(plan):
        # Only the roll's explosions were cut short, and the roll and the ladder only
        # rise with them: if raising every cut chain sky-high moves no outcome, going
        # on with it could not move one either. The odds are exact.
        raised = distribution(plan.roll_expr, with_dice=plan.reads_dice, ceiling=CEILING)
        if weigh([raised.die, *(p.die for p in parts[1:])]) == outcomes:
            exact = True
            note = (roll.note or "").replace(
                "deeper chains are left out", ""
            ) + "deeper chains cannot change the outcome"
    return CheckOdds(check.id.text, outcomes, exact, plan.modifiers, note=note)


def _splitter(plan: PreparedCheck) -> Callable[[Any], tuple[tuple[int, ...], int, int]]:
    """How to read `(faces, dice, value)` off one outcome of the roll's distribution."""
    if plan.reads_faces:
        return lambda rolled: cast(tuple[tuple[int, ...], int, int], rolled)
    if plan.reads_dice:
        return lambda rolled: ((), rolled[0], rolled[1])
    return lambda rolled: ((), 0, rolled)


def cut_cannot_matter(plan: PreparedCheck) -> bool:
    """Whether the roll can only rise with its exploding dice, and the ladder with the roll.

    Then a chain of explosions cut short can only move a check's outcome up the
    ladder, never down: comparing the odds with every cut chain raised to the
    sky shows whether any outcome would move at all.
    """
    params = plan.ctx.params
    tests = [rung.when for rung in plan.check.rungs if rung.when is not None]
    return (
        _rises(plan.roll_expr)
        and all(_monotone(test, params) for test in tests)
        and _within(plan, tests)
    )


#: The numbers a ladder compares with must stay far below `CEILING` for the comparison
#: with raised chains to say anything: thresholds beyond this are not judged.
_JUDGED = 10**9


def _within(plan: PreparedCheck, tests: Sequence[ast.Test]) -> bool:
    """Whether every fixed number the roll and the ladder work with is small beside `CEILING`.

    Each largest part of a test that does not read the roll is worked out (a
    threshold `dc + 3`, a factor `2`); a part that rolls dice is not judged.
    """
    found: list[int] = [plan.bonus]
    found += [n.value for n in dice.walk(plan.roll_expr) if isinstance(n, dice.Literal)]
    pending: list[ast.Test] = list(tests)
    while pending:
        node = pending.pop()
        if _reads_roll(node, plan.ctx.params):
            pending.extend(cast(ast.Test, c) for c in node.children())
            continue
        if has_dice(node):
            return False
        try:
            number = value(node, plan.ctx)
        except RougeError:
            return False
        if isinstance(number, int) and not isinstance(number, bool):
            found.append(number)
    return all(abs(v) <= _JUDGED for v in found)


def _explodes(node: dice.Expr) -> bool:
    return any(isinstance(n, dice.Dice) and n.explode is not None for n in dice.walk(node))


def _rises(node: dice.Expr) -> bool:
    """Whether `node` only grows as its exploding dice grow (and they can only grow)."""
    if not _explodes(node):
        return True
    match node:
        case dice.Dice():
            return not node.counts_successes and node.select is None and node.faces[0] >= 0
        case dice.Parenthetical() | dice.Labeled():
            return _rises(node.inner)
        case dice.Sum():
            return _rises(node.first) and all(
                _rises(term) if op == "+" else not _explodes(term) for op, term in node.rest
            )
        case dice.Product():
            factors = [("*", node.first), *node.rest]
            rising = [(op, t) for op, t in factors if _explodes(t)]
            steady = [(op, t) for op, t in factors if not _explodes(t)]
            return (
                len(rising) == 1
                and rising[0][0] == "*"
                and _rises(rising[0][1])
                and all(isinstance(t, dice.Literal) and t.value > 0 for _, t in steady)
            )
        case dice.Literal() | dice.Group() | dice.Negate() | dice.Compare():
            return False
        case _:
            assert_never(node)


def _reads_roll(node: ast.Test, params: Mapping[str, Value]) -> bool:
    """Whether a test reads what the roll's own dice make: total, dice, margin."""
    return any(
        isinstance(n, ast.Reference)
        and len(n.path) == 1
        and n.root in ("total", "dice", "margin")
        and n.root not in params
        for n in ast.walk(node)
    )


def _monotone(test: ast.Test, params: Mapping[str, Value]) -> bool:
    """Whether a ladder test, once true, stays true as the roll grows."""
    if not _reads_roll(test, params):
        return True
    if isinstance(test, ast.AllOf | ast.AnyOf):
        return all(_monotone(o, params) for o in test.operands)
    if isinstance(test, dice.Parenthetical):
        return _monotone(test.inner, params)
    if isinstance(test, dice.Compare):
        if test.op in (">=", ">"):
            return _growing(test.left, params) and not _reads_roll(test.right, params)
        if test.op in ("<=", "<"):
            return _growing(test.right, params) and not _reads_roll(test.left, params)
    return False


def _growing(node: ast.Test, params: Mapping[str, Value]) -> bool:
    """Whether a number only grows as the roll grows."""
    if not _reads_roll(node, params):
        return True
    if isinstance(node, ast.Reference):
        return node.index is None and len(node.path) == 1
    if isinstance(node, dice.Parenthetical | dice.Labeled):
        return _growing(node.inner, params)
    if isinstance(node, dice.Sum):
        return _growing(node.first, params) and all(
            _growing(term, params) if op == "+" else not _reads_roll(term, params)
            for op, term in node.rest
        )
    if isinstance(node, dice.Product):
        factors = [("*", node.first), *node.rest]
        reading = [(op, t) for op, t in factors if _reads_roll(t, params)]
        return (
            len(reading) == 1
            and reading[0][0] == "*"
            and _growing(reading[0][1], params)
            and all(
                isinstance(t, dice.Literal) and t.value > 0
                for _, t in factors
                if not _reads_roll(t, params)
            )
        )
    return False


# -- a group rolling one check -------------------------------------------------------------


def read_group(check: ast.Check, outcomes: Sequence[str]) -> str:
    """The group's outcome from its members': as the check's `group` line says (default half).

    The ladder is ordered best first. `half`: the best rung at least half the
    members reached (or bettered); `best`: the best any reached; `worst`: the
    worst any reached.
    """
    order = [r.name.text for r in check.rungs]
    ranks = sorted(order.index(o) for o in outcomes)
    way: ast.GroupWay = check.group or "half"
    match way:
        case "half":
            return order[ranks[(len(ranks) - 1) // 2]]
        case "best":
            return order[ranks[0]]
        case "worst":
            return order[ranks[-1]]
        case _:
            assert_never(way)


def group_odds(check: ast.Check, members: Sequence[CheckOdds]) -> CheckOdds:
    """The exact chance of each group outcome, from each member's own odds (independent rolls)."""
    from fractions import Fraction

    import icepool

    order = [r.name.text for r in check.rungs]
    dice = []
    for member in members:
        common = math.lcm(*(p.denominator for p in member.outcomes.values()))
        weights = {order.index(o): int(p * common) for o, p in member.outcomes.items() if p}
        dice.append(icepool.Die(weights))
    if math.prod(len(d) for d in dice) > MAX_COMBINATIONS:
        raise LimitError(f"the group is too large for the exact odds of check '{check.id}'")
    read = icepool.map(
        lambda *ranks: read_group(check, [order[r] for r in ranks]), *dice, star=False
    )
    denominator = read.denominator()
    outcomes = {name: Fraction(read.quantity(name), denominator) for name in order}
    exact = all(m.exact for m in members)
    note = (
        f"the group reads {check.group or 'half'}: "
        + {
            "half": "the rung at least half of them reached",
            "best": "the best rung any reached",
            "worst": "the worst rung any reached",
        }[check.group or "half"]
    )
    return CheckOdds(check.id.text, outcomes, exact, note=note)
