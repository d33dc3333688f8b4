"""Evaluating rules expressions for one actor, target and set of parameters.

Two ways: `value` computes a number, a truth or an id (rolling any dice with
the context's generator), and `substitute` replaces every reference by its
value, leaving a pure dice AST that `rouge_rpg.dice` can roll or give the
exact odds of.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import NamedTuple

import attrs

from rouge_rpg.dice import ast as dice
from rouge_rpg.dice.roll import Roll, roll
from rouge_rpg.engine.being import Being
from rouge_rpg.errors import RougeError
from rouge_rpg.rules import ast
from rouge_rpg.rules.rulebook import Rulebook

Value = int | bool | str | None


class EvaluationError(RougeError):
    """An expression that cannot be evaluated here (no target, a missing value)."""


class RollValues(NamedTuple):
    """What a check's ladder may test: total, dice, opposition, margin."""

    total: int
    dice: int
    opposition: int

    @property
    def margin(self) -> int:
        return self.total - self.opposition


@attrs.define
class Context:
    """Everything an expression may refer to."""

    rulebook: Rulebook
    actor: Being | None
    target: Being | None = None
    params: Mapping[str, Value] = attrs.field(factory=dict)
    roll: RollValues | None = None
    rng: random.Random | None = None
    rolls: list[tuple[str, Roll]] = attrs.field(factory=list)

    def being(self, name: str) -> Being:
        found = self.actor if name == "actor" else self.target
        if found is None:
            raise EvaluationError(
                f"there is no {name} here"
                + ("; give one with --target" if name == "target" else "")
            )
        return found


def value(node: object, ctx: Context) -> Value:
    """The value of an expression or test; dice are rolled with `ctx.rng`."""
    if isinstance(node, dice.Literal):
        return node.value
    if isinstance(node, ast.Boolean):
        return node.value
    if isinstance(node, ast.Reference):
        return reference(node, ctx)
    if isinstance(node, ast.Call):
        return call(node, ctx)
    if isinstance(node, ast.AnyOf):
        return any(value(o, ctx) for o in node.operands)
    if isinstance(node, ast.AllOf):
        return all(value(o, ctx) for o in node.operands)
    if isinstance(node, ast.Not):
        return not value(node.operand, ctx)
    if isinstance(node, dice.Compare):
        return compare(node.op, value(node.left, ctx), value(node.right, ctx))
    if isinstance(node, dice.Parenthetical | dice.Labeled):
        return value(node.inner, ctx)
    pure = substitute(node, ctx)
    result = roll(pure, rng=ctx.rng)
    if _has_dice(pure):
        ctx.rolls.append((str(node), result))
    return result.total


def number(node: object, ctx: Context) -> int:
    """The value of a numeric expression."""
    result = value(node, ctx)
    if isinstance(result, bool) or not isinstance(result, int):
        raise EvaluationError(f"'{node}' is not a number here")
    return result


def test(node: object, ctx: Context) -> bool:
    """The truth of a test."""
    return bool(value(node, ctx))


def compare(op: str, left: Value, right: Value) -> bool:
    if op == "==":
        return left == right
    if not isinstance(left, int) or not isinstance(right, int):
        return False
    if op == ">=":
        return left >= right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left < right


def reference(node: ast.Reference, ctx: Context) -> Value:
    root = node.root
    rulebook = ctx.rulebook
    if root in ("actor", "target"):
        being = ctx.being(root)
        if node.index is not None:
            stat = ctx.params.get(node.index.text)
            return being.number(str(stat), rulebook)
        if len(node.path) == 1:
            return being.name
        field = node.path[1].text
        if field == "name":
            return being.name
        if field == "kind":
            return being.character.kind
        if field == "faction":
            return being.character.faction
        if field == "member":
            return being.character.member
        return being.number(field, rulebook)
    if root in ctx.params:
        param = ctx.params[root]
        if len(node.path) == 2 and node.path[1].text == "severity":
            act = rulebook.get(str(param))
            return act.severity if isinstance(act, ast.Act) else 0
        return param
    if (
        ctx.roll is not None
        and len(node.path) == 1
        and root in ("total", "dice", "opposition", "margin")
    ):
        return getattr(ctx.roll, root)  # type: ignore[no-any-return]
    found = rulebook.get(root)
    if isinstance(found, ast.Constant):
        return number(found.value, Context(rulebook, None, rng=ctx.rng))
    if isinstance(found, ast.Act) and len(node.path) == 2:
        return found.severity
    if found is not None:
        return root
    raise EvaluationError(f"'{node}' has no value here")


def call(node: ast.Call, ctx: Context) -> bool:
    being = ctx.being(node.subject.text)
    argument = node.argument.text
    if node.method.text == "has":
        return argument in being.conditions
    character = being.character
    return (
        ctx.rulebook.is_kind(character.kind, argument)
        or character.faction == argument
        or character.member == argument
    )


def substitute(node: object, ctx: Context) -> dice.Expr:
    """`node` with every reference replaced by its value: a pure dice AST."""
    if isinstance(node, dice.Literal | dice.Dice):
        return node
    if isinstance(node, ast.Reference | ast.Boolean | ast.Call | ast.AnyOf | ast.AllOf | ast.Not):
        result = value(node, ctx)
        if isinstance(result, bool):
            return dice.Literal(int(result), span=node.span)
        if not isinstance(result, int):
            raise EvaluationError(f"'{node}' is not a number here")
        return dice.Literal(result, span=node.span)
    if isinstance(node, dice.Group):
        return attrs.evolve(node, items=tuple(substitute(i, ctx) for i in node.items))
    if isinstance(node, dice.Parenthetical | dice.Labeled):
        return attrs.evolve(node, inner=substitute(node.inner, ctx))
    if isinstance(node, dice.Negate):
        return attrs.evolve(node, operand=substitute(node.operand, ctx))
    if isinstance(node, dice.Sum | dice.Product):
        return attrs.evolve(
            node,
            first=substitute(node.first, ctx),
            rest=tuple((op, substitute(t, ctx)) for op, t in node.rest),
        )
    if isinstance(node, dice.Compare):
        return attrs.evolve(
            node, left=substitute(node.left, ctx), right=substitute(node.right, ctx)
        )
    raise EvaluationError(f"'{node}' is not a number")


def _has_dice(node: dice.Expr) -> bool:
    if isinstance(node, dice.Dice):
        return True
    if isinstance(node, dice.Literal):
        return False
    if isinstance(node, dice.Group):
        return True
    if isinstance(node, dice.Parenthetical | dice.Labeled):
        return _has_dice(node.inner)
    if isinstance(node, dice.Negate):
        return _has_dice(node.operand)
    if isinstance(node, dice.Compare):
        return _has_dice(node.left) or _has_dice(node.right)
    return _has_dice(node.first) or any(_has_dice(t) for _, t in node.rest)


def has_dice(node: dice.Expr) -> bool:
    """Whether a pure dice AST rolls anything."""
    return _has_dice(node)
