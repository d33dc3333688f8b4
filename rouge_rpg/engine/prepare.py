"""Partial evaluation of a check for one actor, target and set of parameters.

Everything that does not depend on the dice (parameters, modifiers, the roll
reduced to a pure dice expression, the ladder's tests compiled to functions of
the roll's values) is worked out once; rolling is then cheap. `prepare` keeps
a small cache keyed by the identity of the rulebook, check and beings.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rouge_rpg.dice import ast as dice
from rouge_rpg.dice.roll import Roll, roller
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
        self.roll_expr = substitute(check.roll, ctx)
        self.roll = roller(self.roll_expr)
        self.vs_expr: dice.Expr | None = None
        self.vs: Callable[[random.Random], Roll] | None = None
        self.vs_rolls = False
        if check.versus is not None:
            self.vs_expr = substitute(check.versus, ctx)
            self.vs = roller(self.vs_expr)
            self.vs_rolls = has_dice(self.vs_expr)
        self.rungs: list[tuple[ast.Rung, Probe | None]] = [
            (r, None if r.when is None else compile_value(r.when, ctx)) for r in check.rungs
        ]

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


_CACHE: dict[tuple[Any, ...], tuple[tuple[Any, ...], PreparedCheck]] = {}
_CACHE_SIZE = 256


def cached(
    key_objects: tuple[Any, ...], key_values: tuple[Any, ...], build: Callable[[], PreparedCheck]
) -> PreparedCheck:
    """The prepared check for these objects (by identity) and values, built once."""
    key = (*(id(o) for o in key_objects), *key_values)
    hit = _CACHE.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], key_objects, strict=True)):
        return hit[1]
    prepared = build()
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (key_objects, prepared)
    return prepared


def freeze(mapping: Mapping[str, Value]) -> tuple[tuple[str, Value], ...]:
    return tuple(sorted(mapping.items()))
