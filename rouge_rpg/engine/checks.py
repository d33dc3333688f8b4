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

from rouge_rpg.beings import Being
from rouge_rpg.dice import ast as dice
from rouge_rpg.dice.roll import Roll, natural, roller
from rouge_rpg.engine.effects import (
    PLACEHOLDER,
    Settled,
    effect_changes,
    fixed,
    interpolate,
    placeholder,
    settle,
)
from rouge_rpg.engine.modifiers import gather
from rouge_rpg.engine.results import AppliedModifier, CheckOdds, Refusal, Resolution
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
from rouge_rpg.rules.rulebook import Rulebook, UnknownDefinition

if TYPE_CHECKING:
    from fractions import Fraction

#: Largest number of joint outcomes (roll × opposition × the ladder's dice) read for odds.
MAX_COMBINATIONS = 1_000_000
#: What a chain of explosions cut short is raised by, to see whether the cut can matter.
CEILING = 10**12

Probe = Callable[[RollValues], Value]


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
        self.modifiers = tuple(modifiers)
        self.bonus = sum(m.value for m in modifiers if m.applied)
        self.trace = tuple(trace)
        self.parameters = tuple(ctx.params.items())
        self.roll_expr = substitute(check.roll, ctx)
        self.roll = roller(self.roll_expr)
        self.natural = natural_reader(self.roll_expr)
        #: Whether the ladder reads `dice`: only then do odds need the dice apart from the total.
        self.reads_dice = _reads(check, "dice", ctx.params)
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
        ctx = Context(rulebook, actor, target)
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
        if "{" in text and not all(fixed(placeholder(p), ctx) for p in PLACEHOLDER.findall(text)):
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
) -> Resolution:
    """Roll a check for `actor` (against `target`), and read its outcome off the ladder.

    The generator rolls, in this order: the roll line, the `vs` line, the
    ladder's own dice, then the dice of the rung's effects.
    """
    reason = blocked(rulebook, actor, [check.id.text, *action_ids])
    if reason:
        raise Refusal(reason)
    plan = prepare(
        rulebook, check, actor, target=target, args=args, extra_modifiers=extra_modifiers
    )
    try:
        rolled = plan.roll(rng)
        vs_rolled = plan.vs_fixed
        if vs_rolled is None and plan.vs is not None:
            vs_rolled = plan.vs(rng)
        drawn = tuple(draw(rng) for draw in plan.draw_rolls)
    except RougeError as error:
        raise error.located(check.file, rulebook.sources.get(check.file)) from None
    total = rolled.total + plan.bonus
    opposition = vs_rolled.total if vs_rolled is not None else 0
    values = RollValues(total, plan.natural(rolled), opposition, tuple(d.total for d in drawn))
    rung, reads = plan.outcome(values)
    settled = plan.settled.get(rung.name.text)
    if settled is not None:
        changes = settled[0].changes(rng)
        narrative = settled[1]
    else:
        ctx = Context(rulebook, actor, target, dict(plan.ctx.params), values, rng)
        try:
            found, lines = effect_changes(rung.effects, ctx, f"{rung.name} of {check.id}")
        except RougeError as error:
            raise error.located(check.file, rulebook.sources.get(check.file)) from None
        changes = tuple(found)
        text = interpolate(rung.narrative, ctx) if rung.narrative else ""
        narrative = " ".join(filter(None, [text, *lines]))
    return Resolution(
        action=action,
        actor=actor.name,
        target=target.name if target else None,
        name=check.id.text,
        title=check.display,
        outcome=rung.name.text,
        total=total,
        dice=values.dice,
        opposition=opposition if check.versus is not None else None,
        modifiers=plan.modifiers,
        effects=changes,
        narrative=narrative,
        check=check.id.text,
        parameters=plan.parameters,
        rolled=rolled,
        vs_rolled=vs_rolled,
        vs_is_roll=plan.vs_rolls,
        drawn=drawn,
        bonus=plan.bonus,
        bindings=plan.trace,
        reads=reads,
        ladder=check,
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
        roll = distribution(plan.roll_expr, with_dice=plan.reads_dice)
        parts = [roll]
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
    bonus, reads_dice, versus = plan.bonus, plan.reads_dice, plan.vs_expr is not None

    def read(rolled: Any, *rest: int) -> str:
        dice_sum, raw = rolled if reads_dice else (0, rolled)
        opposition, drawn = (rest[0], rest[1:]) if versus else (0, rest)
        rung, _ = plan.outcome(RollValues(raw + bonus, dice_sum, opposition, drawn))
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
