"""Evaluating rules expressions for one actor, target and set of parameters.

This is the one interpretation of a rules expression as a value. Two forms:

- `value` computes a number, a truth or an id. Dice roll with the context's
  generator (seeded by the caller) and each roll is recorded in `ctx.rolls`, so
  it can be shown; without a generator, rolling is an error (the checker allows
  dice only where a resolution rolls them).
- `substitute` replaces every reference by its value and inlines every
  constant that rolls dice, leaving a pure dice AST that `rouge_rpg.dice` can
  roll or give the exact odds of. A constant's dice are rolled where it is
  used, once per use, like any dice written there.

`draws` takes the dice out of a test that also reads the roll (`total + 1d4 >=
dc`): each becomes a `Drawn` node, rolled once per resolution and read by the
same ladder function in rolls and in exact odds.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import NamedTuple, assert_never, cast

import attrs

from rouge_rpg.beings import Being
from rouge_rpg.diagnostics import Span
from rouge_rpg.dice import ast as dice
from rouge_rpg.dice.ast import ComparePoint
from rouge_rpg.dice.parse import MAX_DICE, MAX_SIDES, _check_dice
from rouge_rpg.dice.roll import Roll, roll
from rouge_rpg.errors import DiceError, LimitError, RougeError
from rouge_rpg.record import Record
from rouge_rpg.rules import ast
from rouge_rpg.rules.rulebook import Rulebook

Value = int | bool | str | None

#: The names a check's ladder reads off the roll.
ROLL_NAMES = ast.ROLL_NAMES


class EvaluationError(RougeError):
    """An expression that cannot be evaluated here (no target, a missing value).

    `missing` names the being the expression needed and did not have
    (`target`): the caller that knows how the user names that being (the
    engine's dispatcher: `--vs`, `--target` or `--by`) adds the hint.
    """

    def __init__(self, message: str, *, missing: str | None = None) -> None:
        super().__init__(message)
        self.missing = missing


class RollValues(NamedTuple):
    """What a check's ladder may test: total, dice, opposition, margin, the readings of the
    roll's dice, and the ladder's own dice."""

    total: int
    dice: int
    opposition: int
    #: The values of the ladder's own dice (`Drawn` nodes), in order.
    drawn: tuple[int, ...] = ()
    #: The faces of the roll's kept dice, lowest first (read only when the ladder asks).
    faces: tuple[int, ...] = ()

    @property
    def margin(self) -> int:
        return self.total - self.opposition

    @property
    def highest(self) -> int:
        """The highest kept die (0 when no die is kept)."""
        return self.faces[-1] if self.faces else 0

    @property
    def lowest(self) -> int:
        """The lowest kept die (0 when no die is kept)."""
        return self.faces[0] if self.faces else 0

    @property
    def doubles(self) -> bool:
        """Whether two kept dice show the same face."""
        return len(set(self.faces)) < len(self.faces)

    def count(self, point: ComparePoint) -> int:
        """How many kept dice meet `point`."""
        return sum(1 for face in self.faces if point.matches(face))


@attrs.frozen(repr=False, eq=False, slots=False)
class Drawn(dice.Node):
    """Dice of a ladder test, taken out to roll once per resolution: the `index`th draw.

    Not part of the language (it is never parsed): the engine puts it in place
    of a dice expression that does not depend on the roll (see `draws`).
    """

    index: int
    expression: dice.Expr
    span: Span | None = attrs.field(default=None, eq=False, kw_only=True)

    def __str__(self) -> str:
        return str(self.expression)


#: Every node `value` and `substitute` meet: the language's, plus the engine's draws.
Node = ast.ExprNode | Drawn


@attrs.define(repr=False)
class Context(Record):
    """Everything an expression may refer to."""

    rulebook: Rulebook
    actor: Being | None
    target: Being | None = None
    params: Mapping[str, Value] = attrs.field(factory=dict)
    roll: RollValues | None = None
    rng: random.Random | None = None
    rolls: list[tuple[str, Roll]] = attrs.field(factory=list)
    #: The words of the check's `one of (...)` parameters: each is its own value.
    choices: frozenset[str] = frozenset()
    #: The check's `let` values by name, for the `{placeholders}` of its narratives.
    lets: Mapping[str, ast.Named] = attrs.field(factory=dict)

    def being(self, name: str) -> Being:
        found = self.actor if name == "actor" else self.target
        if found is None:
            raise EvaluationError(f"there is no {name} here", missing=name)
        return found

    def constants(self) -> Context:
        """The context a constant is worked out in: no characters, same dice and rolls."""
        return Context(self.rulebook, None, rng=self.rng, rolls=self.rolls)


def stat(rulebook: Rulebook, being: Being, name: str) -> int:
    """The current value of attribute, resource or track `name` of `being`."""
    found = rulebook.get(name)
    if isinstance(found, ast.Attribute):
        value = being.character.attributes.get(name)
        if value is None:
            value = found.default if found.default is not None else found.low
        return value
    if isinstance(found, ast.Resource):
        return being.resources.get(name, 0)
    if isinstance(found, ast.Track):
        return being.tracks.get(name, found.initial)
    raise KeyError(name)


def value(node: ast.Test | Drawn, ctx: Context) -> Value:
    """The value of an expression or test; dice are rolled with `ctx.rng` and recorded."""
    n: Node = node
    match n:
        case dice.Literal() | ast.Boolean():
            return n.value
        case ast.Reference():
            return reference(n, ctx)
        case ast.Call():
            return call(n, ctx)
        case ast.AnyOf():
            return any(value(o, ctx) for o in n.operands)
        case ast.AllOf():
            return all(value(o, ctx) for o in n.operands)
        case ast.Not():
            return not value(n.operand, ctx)
        case dice.Compare():
            return compare(n.op, value(n.left, ctx), value(n.right, ctx))
        case dice.Parenthetical() | dice.Labeled():
            return value(n.inner, ctx)
        case Drawn():
            if ctx.roll is None or n.index >= len(ctx.roll.drawn):
                raise EvaluationError(f"'{n}' has not been rolled here")
            return ctx.roll.drawn[n.index]
        case dice.Negate():
            if has_dice(n):
                return _rolled(n, ctx)
            return -_int(n.operand, value(n.operand, ctx))
        case dice.Sum() | dice.Product():
            if has_dice(n):
                return _rolled(n, ctx)
            total = _int(n.first, value(n.first, ctx))
            for op, term in n.rest:
                total = dice.apply(op, total, _int(term, value(term, ctx)), term)
            return total
        case dice.Dice() | dice.Group() | ast.Pool():
            return _rolled(n, ctx)
        case ast.Extreme():
            if has_dice(n):
                return _rolled(n, ctx)
            found = [_int(o, value(o, ctx)) for o in n.operands]
            return max(found) if n.high else min(found)
        case ast.Choice():
            return value(n.then if test(n.test, ctx) else n.otherwise, ctx)
        case ast.Named():
            return value(n.inner, ctx)
        case ast.Count():
            if ctx.roll is None:
                raise EvaluationError(f"'{n}' reads a roll, and there is none here")
            return ctx.roll.count(n.point)
        case _:
            assert_never(n)


def _int(node: object, found: Value) -> int:
    if isinstance(found, bool) or not isinstance(found, int):
        raise EvaluationError(f"'{node}' is not a number here")
    return found


def _rolled(node: dice.Expr | ast.Reference | ast.Pool | ast.Extreme, ctx: Context) -> int:
    """Roll an expression with dice in it, with the context's generator, and record it."""
    if ctx.rng is None:
        raise EvaluationError(f"'{node}' rolls dice, and nothing rolls them here")
    pure = substitute(node, ctx)
    result = roll(pure, rng=ctx.rng)
    ctx.rolls.append((str(node), result))
    return result.total


def number(node: ast.Test, ctx: Context) -> int:
    """The value of a numeric expression."""
    return _int(node, value(node, ctx))


def test(node: ast.Test, ctx: Context) -> bool:
    """The truth of a test."""
    return bool(value(node, ctx))


def compare(op: str, left: Value, right: Value) -> bool:
    """`left op right`: numbers by the notation's table; `==` also compares ids."""
    if isinstance(left, int) and isinstance(right, int):
        return dice.COMPARISONS[op](int(left), int(right))
    if op == "==":
        return left == right
    return False


def reference(node: ast.Reference, ctx: Context) -> Value:
    root = node.root
    rulebook = ctx.rulebook
    if root in ("actor", "target"):
        being = ctx.being(root)
        if node.index is not None:
            return stat(rulebook, being, str(ctx.params.get(node.index.text)))
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
        return stat(rulebook, being, field)
    if root in ctx.params:
        param = ctx.params[root]
        if len(node.path) == 2 and node.path[1].text == "severity":
            act = rulebook.get(str(param))
            return act.severity if isinstance(act, ast.Act) else 0
        return param
    if ctx.roll is not None and len(node.path) == 1 and root in ROLL_NAMES:
        return cast(int, getattr(ctx.roll, root))
    if len(node.path) == 1 and root in ctx.choices:
        return root
    found = rulebook.get(root)
    if isinstance(found, ast.Constant):
        known = constants(rulebook)
        if root in known.rolling:
            return _rolled(node, ctx)
        if root in known.values:
            return known.values[root]
        return value(found.value, ctx.constants())
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


def substitute(node: ast.Test, ctx: Context) -> dice.Expr:
    """`node` with every reference replaced by its value: a pure dice AST.

    A constant that rolls dice is inlined as its expression, labelled with its
    name (`1d4[bless]`), so that its dice roll with the rest and show in the
    breakdown.
    """
    n = cast(Node, node)
    match n:
        case dice.Literal() | dice.Dice():
            return n
        case ast.Reference():
            found = ctx.rulebook.get(n.root)
            if (
                isinstance(found, ast.Constant)
                and len(n.path) == 1
                and n.root not in ctx.params
                and rolls_dice(found.value, ctx)
            ):
                inner = substitute(found.value, ctx.constants())
                if not isinstance(inner, dice.Dice | dice.Group | dice.Parenthetical):
                    inner = dice.Parenthetical(inner, span=n.span)
                return dice.Labeled(inner, n.root, span=n.span)
            return _literal(n, ctx)
        case (
            ast.Boolean()
            | ast.Call()
            | ast.AnyOf()
            | ast.AllOf()
            | ast.Not()
            | Drawn()
            | ast.Count()
        ):
            return _literal(n, ctx)
        case ast.Pool():
            return _pool(n, ctx)
        case ast.Extreme():
            items = tuple(substitute(o, ctx) for o in n.operands)
            if not any(has_dice(i) for i in items):
                return _literal(n, ctx)
            # The highest (lowest) of several rolls is a group keeping one: exact in the odds.
            keep = dice.Select(keep=True, high=n.high, count=1)
            return dice.Group(items, select=keep, span=n.span)
        case ast.Choice():
            return substitute(n.then if test(n.test, ctx) else n.otherwise, ctx)
        case ast.Named():
            return substitute(n.inner, ctx)
        case (
            dice.Group()
            | dice.Parenthetical()
            | dice.Labeled()
            | dice.Negate()
            | dice.Sum()
            | dice.Product()
            | dice.Compare()
        ):
            children = [substitute(cast(ast.Test, c), ctx) for c in n.children()]
            return cast(dice.Expr, n.with_children(children))
        case _:
            assert_never(n)


def _pool(node: ast.Pool, ctx: Context) -> dice.Dice:
    """A pool's number of dice and size worked out: plain `Dice`, within the notation's limits."""
    template = node.template
    count, sides = template.count, template.sides
    if node.count is not None:
        count = _int(node.count, value(node.count, ctx))
        if count < 0:
            raise DiceError(
                f"'{node}' rolls {count} dice: a number of dice cannot be negative", node.span
            )
        if count > MAX_DICE:
            raise DiceError(f"'{node}' rolls {count:,} dice; the limit is {MAX_DICE:,}", node.span)
    if node.sides is not None:
        sides = _int(node.sides, value(node.sides, ctx))
        if not 1 <= sides <= MAX_SIDES:
            raise DiceError(
                f"'{node}' has dice of {sides} sides; a die has 1 to {MAX_SIDES:,}", node.span
            )
    made = attrs.evolve(template, count=count, sides=sides, span=node.span)
    modifiers = [
        (field, node.span)
        for field in ("reroll", "explode", "maximum")
        if getattr(made, field) is not None
    ]
    _check_dice(made, {}, modifiers)
    return made


def _literal(node: Node, ctx: Context) -> dice.Literal:
    result = value(node, ctx)
    if isinstance(result, bool):
        return dice.Literal(int(result), span=node.span)
    if not isinstance(result, int):
        raise EvaluationError(f"'{node}' is not a number here")
    return dice.Literal(result, span=node.span)


def has_dice(node: ast.Test | Drawn) -> bool:
    """Whether an expression, as written, rolls dice (constants are not followed)."""
    return any(isinstance(n, dice.Dice | dice.Group | ast.Pool) for n in dice.walk(node))


def rolls_dice(node: ast.Test, ctx: Context) -> bool:
    """Whether an expression rolls dice, itself or through the constants it reads."""
    if has_dice(node):
        return True
    rolling = constants(ctx.rulebook).rolling
    return any(r.root in rolling and r.root not in ctx.params for r in ast.references(node))


#: Largest value a constant may come to (the one magnitude limit of numbers).
MAX_MAGNITUDE = 10**15


@attrs.frozen(repr=False, eq=False, slots=False)
class Constants(Record):
    """A rulebook's constants worked out once: the values of those that roll no dice."""

    values: dict[str, int]
    rolling: frozenset[str]


_CONSTANTS: dict[int, tuple[Rulebook, Constants]] = {}


def constants(rulebook: Rulebook) -> Constants:
    """The rulebook's constants, each worked out after those it reads (no recursion).

    A constant beyond `MAX_MAGNITUDE` is an error at its line.
    """
    hit = _CONSTANTS.get(id(rulebook))
    if hit is not None and hit[0] is rulebook:
        return hit[1]
    found = Constants({}, ast.rolling_constants(rulebook.definitions))
    _CONSTANTS[id(rulebook)] = (rulebook, found)  # read, partly filled, by what follows
    if len(_CONSTANTS) > 16:
        _CONSTANTS.pop(next(iter(_CONSTANTS)))
    try:
        for name in ast.constant_order(rulebook.definitions):
            if name in found.rolling:
                continue
            d = rulebook.definitions[name]
            assert isinstance(d, ast.Constant)
            number = value(d.value, Context(rulebook, None))
            if isinstance(number, int) and abs(number) > MAX_MAGNITUDE:
                raise LimitError(
                    f"constant '{name}' comes to {number:.3e}, beyond the limit of "
                    f"{MAX_MAGNITUDE:,}",
                    d.id.span.with_file(d.file) if d.id.span else None,
                    source=rulebook.sources.get(d.file),
                )
            if isinstance(number, int):
                found.values[name] = number
    except RougeError:
        _CONSTANTS.pop(id(rulebook), None)
        raise
    return found


def mentions_roll(node: ast.Test | Drawn, ctx: Context) -> bool:
    """Whether an expression reads the roll (`total`, `margin`...) or a ladder's own dice."""
    if any(isinstance(n, Drawn) for n in dice.walk(node)):
        return True
    return ast.reads_roll(cast(ast.Test, node), ctx.params) is not None


def draws(node: ast.Test, ctx: Context, found: list[dice.Expr]) -> ast.Test:
    """`node` with each stretch of dice that does not read the roll taken out as a `Drawn`.

    The dice expressions are appended to `found` (the index of each is its
    place there); what is left reads only the roll, the draws and fixed values.
    """
    n = cast(Node, node)
    numeric = isinstance(
        n,
        dice.Dice
        | dice.Group
        | dice.Sum
        | dice.Product
        | dice.Negate
        | dice.Parenthetical
        | dice.Labeled
        | dice.Compare
        | ast.Reference
        | ast.Pool
        | ast.Extreme
        | ast.Choice
        | ast.Named,
    )
    if numeric and not mentions_roll(n, ctx) and rolls_dice(cast(ast.Test, n), ctx):
        pure = substitute(cast(ast.Test, n), ctx)
        found.append(pure)
        return cast(ast.Test, Drawn(len(found) - 1, pure, span=n.span))
    children = n.children()
    if not children:
        return cast(ast.Test, n)
    return cast(ast.Test, n.with_children([draws(cast(ast.Test, c), ctx, found) for c in children]))
