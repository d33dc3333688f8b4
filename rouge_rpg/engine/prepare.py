"""Partial evaluation of a check for one actor, target and set of parameters.

Everything that does not depend on the dice (parameters, modifiers, the roll
reduced to a pure dice expression, the ladder's tests compiled to functions of
the roll's values) is worked out once; rolling is then cheap. `prepare` keeps
a small cache keyed by the identity of the rulebook, check and beings.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from rouge_rpg.dice import ast as dice
from rouge_rpg.dice.roll import Roll, natural, roller
from rouge_rpg.engine.evaluate import (
    Context,
    RollValues,
    Value,
    compare,
    has_dice,
    substitute,
    value,
)
from rouge_rpg.rules import ast
from rouge_rpg.rules.rulebook import Rulebook

Probe = Callable[[RollValues], Value]

_ROLL_NAMES = ("total", "dice", "opposition", "margin")


def compile_value(node: object, ctx: Context) -> Probe:
    """`node` as a function of the roll's values; everything else fixed now."""
    if isinstance(node, ast.Reference) and len(node.path) == 1 and node.index is None:
        root = node.root
        if root in _ROLL_NAMES and root not in ctx.params:
            if root == "margin":
                return lambda rv: rv.total - rv.opposition
            return lambda rv: getattr(rv, root)
    if isinstance(node, dice.Compare):
        left, right, op = compile_value(node.left, ctx), compile_value(node.right, ctx), node.op
        return lambda rv: compare(op, left(rv), right(rv))
    if isinstance(node, ast.AllOf):
        parts = [compile_value(o, ctx) for o in node.operands]
        return lambda rv: all(p(rv) for p in parts)
    if isinstance(node, ast.AnyOf):
        parts = [compile_value(o, ctx) for o in node.operands]
        return lambda rv: any(p(rv) for p in parts)
    if isinstance(node, ast.Not):
        inner = compile_value(node.operand, ctx)
        return lambda rv: not inner(rv)
    if isinstance(node, dice.Parenthetical | dice.Labeled):
        return compile_value(node.inner, ctx)
    if not _mentions_roll(node, ctx):
        fixed = value(node, ctx)
        return lambda rv: fixed
    if isinstance(node, dice.Sum | dice.Product | dice.Negate) and not has_dice(
        substitute_roll_free(node)
    ):
        return _arithmetic(node, ctx)

    def late(rv: RollValues) -> Value:
        ctx.roll = rv
        return value(node, ctx)

    return late


def substitute_roll_free(node: object) -> dice.Expr:
    """`node` with every reference read as 0: only to ask whether it rolls dice."""
    if isinstance(node, ast.Reference | ast.Call | ast.Boolean | ast.AnyOf | ast.AllOf | ast.Not):
        return dice.Literal(0)
    if isinstance(node, dice.Sum | dice.Product):
        return type(node)(
            substitute_roll_free(node.first),
            tuple((op, substitute_roll_free(t)) for op, t in node.rest),
        )
    if isinstance(node, dice.Negate):
        return dice.Negate(substitute_roll_free(node.operand))
    if isinstance(node, dice.Parenthetical | dice.Labeled):
        return substitute_roll_free(node.inner)
    if isinstance(node, dice.Compare):
        return dice.Compare(
            substitute_roll_free(node.left), node.op, substitute_roll_free(node.right)
        )
    assert isinstance(node, dice.Literal | dice.Dice | dice.Group)
    return node


def _arithmetic(node: dice.Sum | dice.Product | dice.Negate, ctx: Context) -> Probe:
    if isinstance(node, dice.Negate):
        inner = compile_value(node.operand, ctx)
        return lambda rv: -_int(inner(rv))
    first = compile_value(node.first, ctx)
    rest = [(op, compile_value(t, ctx)) for op, t in node.rest]

    def run(rv: RollValues) -> Value:
        total = _int(first(rv))
        for op, part in rest:
            other = _int(part(rv))
            if op == "+":
                total += other
            elif op == "-":
                total -= other
            elif op == "*":
                total *= other
            else:
                total = total // other if other else 0
        return total

    return run


def _int(v: Value) -> int:
    return int(v) if isinstance(v, int) else 0


def _mentions_roll(node: object, ctx: Context) -> bool:
    return any(
        len(r.path) == 1 and r.root in _ROLL_NAMES and r.root not in ctx.params
        for r in ast.references(node)
    )


def fixed(node: object, ctx: Context) -> bool:
    """Whether `node` has one value for this actor, target and parameters.

    Not if it reads the roll (`total`, `margin`...) or rolls dice, itself or
    through a constant: those are worked out at each roll.
    """
    if _mentions_roll(node, ctx) or has_dice(substitute_roll_free(node)):
        return False
    for r in ast.references(node):
        if r.root in ctx.params or r.root in ("actor", "target"):
            continue
        found = ctx.rulebook.get(r.root)
        if isinstance(found, ast.Constant) and not fixed(found.value, ctx):
            return False
    return True


def own_dice(node: object, ctx: Context) -> dice.Expr | None:
    """`node` as a pure dice expression, if it rolls dice of its own and nothing else varies.

    Rolling the result does what `value(node, ctx)` does at each roll, without
    working the references out again; None if that is not so (it reads the
    roll, or a constant that rolls).
    """
    while isinstance(node, dice.Parenthetical | dice.Labeled):
        node = node.inner  # as `value` does
    if not isinstance(node, dice.Sum | dice.Product | dice.Negate | dice.Dice | dice.Group):
        return None
    if _mentions_roll(node, ctx):
        return None
    for r in ast.references(node):
        if r.root in ctx.params or r.root in ("actor", "target"):
            continue
        found = ctx.rulebook.get(r.root)
        if isinstance(found, ast.Constant) and not fixed(found.value, ctx):
            return None
    pure = substitute(node, ctx)
    return pure if has_dice(pure) else None


def natural_reader(node: dice.Expr) -> Callable[[Roll], int]:
    """How to read the dice alone off a roll of `node`.

    For plain dice plus and minus numbers (`2d6 + 3`), it is the total less the
    numbers; anything else walks the roll (`natural`).
    """
    terms = [("+", node.first), *node.rest] if isinstance(node, dice.Sum) else [("+", node)]
    offset = 0
    for op, term in terms:
        if isinstance(term, dice.Literal) and op in "+-":
            offset += term.value if op == "+" else -term.value
        elif not (isinstance(term, dice.Dice) and op == "+" and _plain(term)):
            return natural
    return lambda rolled: rolled.total - offset


def _plain(term: dice.Dice) -> bool:
    return (
        term.reroll is None
        and term.explode is None
        and term.minimum is None
        and term.maximum is None
        and term.select is None
        and not term.counts_successes
    )


class PreparedCheck:
    """A check bound to an actor, a target and parameters, ready to roll."""

    def __init__(
        self,
        rulebook: Rulebook,
        check: ast.Check,
        ctx: Context,
        modifiers: Sequence[Any],
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
        self.rungs: list[tuple[ast.Rung, Probe | None]] = [
            (r, None if r.when is None else compile_value(r.when, ctx)) for r in check.rungs
        ]
        #: rung name → its effects (a `resolve.Settled`) and narrative, worked out once.
        self.settled: dict[str, tuple[Any, str]] = {}

    def outcome(self, values: RollValues) -> tuple[ast.Rung, tuple[tuple[str, bool], ...]]:
        """The rung the values land on, and each test read on the way."""
        read: list[tuple[str, bool]] = []
        for rung, probe in self.rungs:
            if probe is None:
                return rung, tuple(read)
            holds = bool(probe(values))
            read.append((rung.name.text, holds))
            if holds:
                return rung, tuple(read)
        return self.rungs[-1][0], tuple(read)


T = TypeVar("T")


class IdentityCache(Generic[T]):
    """Values built once per set of objects (by identity) and plain values.

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


_CHECKS: IdentityCache[PreparedCheck] = IdentityCache()


def cached(
    key_objects: tuple[Any, ...], key_values: tuple[Any, ...], build: Callable[[], PreparedCheck]
) -> PreparedCheck:
    """The prepared check for these objects (by identity) and values, built once."""
    return _CHECKS.get(key_objects, key_values, build)


def freeze(mapping: Mapping[str, Value]) -> tuple[tuple[str, Value], ...]:
    return tuple(sorted(mapping.items())) if mapping else ()
