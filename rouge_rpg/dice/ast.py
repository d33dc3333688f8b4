"""The dice AST: frozen attrs nodes named after the grammar rules of `dice.lark`.

Every node prints back to normalised notation, and `parse(str(node)) == node`:
source spans ride along but take no part in equality.
"""

from __future__ import annotations

import operator
import typing
from collections.abc import Callable, Iterator, Sequence
from typing import TypeAlias, assert_never, cast, get_args

import attrs

from rouge_rpg.diagnostics import Span
from rouge_rpg.errors import DiceError
from rouge_rpg.record import Record

#: The closed sets of operators (`typing.Literal`: the AST has a `Literal` node of its own).
ArithmeticOp: TypeAlias = typing.Literal["+", "-", "*", "/"]
ComparisonOp: TypeAlias = typing.Literal[">=", "<=", ">", "<", "=="]


def _divide(left: int, right: int) -> int:
    if right == 0:
        raise ZeroDivisionError(left)
    return left // right


def _arithmetic(op: ArithmeticOp) -> Callable[[int, int], int]:
    match op:
        case "+":
            return operator.add
        case "-":
            return operator.sub
        case "*":
            return operator.mul
        case "/":
            return _divide
        case _:
            assert_never(op)


def _comparison(op: ComparisonOp) -> Callable[[int, int], bool]:
    match op:
        case ">=":
            return operator.ge
        case "<=":
            return operator.le
        case ">":
            return operator.gt
        case "<":
            return operator.lt
        case "==":
            return operator.eq
        case _:
            assert_never(op)


#: What each arithmetic operator of the notation does; `/` divides and rounds down, and
#: raises ZeroDivisionError on 0. Everything that computes (rolls, odds, the engine) reads
#: this table; `apply` adds the place a division by zero is reported at.
ARITHMETIC: dict[str, Callable[[int, int], int]] = {
    op: _arithmetic(op) for op in get_args(ArithmeticOp)
}
#: What each comparison of the notation tests (a comparison totals 1 or 0).
COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    op: _comparison(op) for op in get_args(ComparisonOp)
}


def apply(op: str, left: int, right: int, term: Node) -> int:
    """`left op right`; a division by zero is a `DiceError` at `term` (the divisor).

    The one meaning of `/` by 0 for rolls, odds and rules alike.
    """
    try:
        return ARITHMETIC[op](left, right)
    except ZeroDivisionError:
        rolled = any(isinstance(n, Dice | Group) for n in walk(term))
        what = "rolled 0" if rolled else "is 0"
        raise DiceError(f"division by zero: '{term}' {what}", getattr(term, "span", None)) from None


#: Fate dice use this as their number of sides.
FATE = "F"

_span = attrs.field(default=None, eq=False, repr=False, kw_only=True)


class Node(Record):
    """Base of the AST classes: uniform access to the expressions inside one."""

    __slots__ = ()

    def children(self) -> tuple[Node, ...]:
        """The expressions directly inside this one, in source order (none for a leaf)."""
        return ()

    def with_children(self, children: Sequence[Node]) -> Node:
        """This node with `children` in place of its own, in the order `children` gives."""
        return self


@attrs.frozen(repr=False, eq=False, slots=False)
class ComparePoint(Node):
    """`=N`, `>N`, `>=N`, `<N`, `<=N`, or `N..M`: which faces a modifier acts on."""

    op: str
    value: int
    #: The top of a range `value..high` (with `op` "="), both ends included.
    high: int | None = None

    def matches(self, face: int) -> bool:
        op, value = self.op, self.value
        if self.high is not None:
            return value <= face <= self.high
        if op == "=":
            return face == value
        if op == ">":
            return face > value
        if op == ">=":
            return face >= value
        if op == "<":
            return face < value
        return face <= value

    def matching(self, faces: range) -> range:
        """The faces of `faces` that `matches`, worked out from the ends of the range."""
        value, low, high = self.value, faces.start, faces.stop
        if self.high is not None:
            return range(max(value, low), min(self.high + 1, high))
        bounds = {
            "=": (value, value + 1),
            ">": (value + 1, high),
            ">=": (value, high),
            "<": (low, value),
            "<=": (low, value + 1),
        }
        start, stop = bounds[self.op]
        return range(max(start, low), min(stop, high))

    def __str__(self) -> str:
        if self.high is not None:
            return f"{self.value}..{self.high}"
        if self.op == "=" and self.value >= 0:
            return str(self.value)
        return f"{self.op}{self.value}"


@attrs.frozen(repr=False, eq=False, slots=False)
class Select(Node):
    """Keep or drop the highest or lowest `count` dice."""

    keep: bool
    high: bool
    count: int

    def __str__(self) -> str:
        return ("k" if self.keep else "d") + ("h" if self.high else "l") + str(self.count)

    def kept_indices(self, values: list[int]) -> set[int]:
        """Indices of `values` that survive; ties go to the earlier die."""
        order = sorted(range(len(values)), key=values.__getitem__, reverse=self.high)
        chosen = order[: self.count]
        if self.keep:
            return set(chosen)
        return set(range(len(values))) - set(chosen)


@attrs.frozen(repr=False, eq=False, slots=False)
class Reroll(Node):
    """`ro` rerolls a matching die once; `rr` rerolls until it stops matching."""

    once: bool
    point: ComparePoint

    def __str__(self) -> str:
        return ("ro" if self.once else "rr") + str(self.point)


@attrs.frozen(repr=False, eq=False, slots=False)
class Explode(Node):
    """`!` adds a die for each die that matches (the highest face by default); `!o` once."""

    once: bool
    point: ComparePoint | None

    def __str__(self) -> str:
        point = "" if self.point is None else str(self.point)
        return ("!o" if self.once else "!") + point


@attrs.frozen(repr=False, eq=False, slots=False)
class Literal(Node):
    """An integer."""

    value: int
    span: Span | None = _span

    def __str__(self) -> str:
        return str(self.value)


@attrs.frozen(repr=False, eq=False, slots=False)
class Dice(Node):
    """`NdS` with its modifiers, applied in the order the fields are listed."""

    count: int
    sides: int | str
    reroll: Reroll | None = None
    explode: Explode | None = None
    minimum: int | None = None
    maximum: int | None = None
    select: Select | None = None
    successes: ComparePoint | None = None
    failures: ComparePoint | None = None
    span: Span | None = _span

    @property
    def faces(self) -> range:
        """The faces of one die, lowest first."""
        if self.sides == FATE:
            return range(-1, 2)
        assert isinstance(self.sides, int)
        return range(1, self.sides + 1)

    @property
    def counts_successes(self) -> bool:
        return self.successes is not None or self.failures is not None

    def __str__(self) -> str:
        text = f"{self.count}d{self.sides}"
        if self.reroll:
            text += str(self.reroll)
        if self.explode:
            text += str(self.explode)
        if self.minimum is not None:
            text += f"min{self.minimum}"
        if self.maximum is not None:
            text += f"max{self.maximum}"
        return text + _tail(self.select, self.successes, self.failures)


@attrs.frozen(repr=False, eq=False, slots=False)
class Group(Node):
    """`{a, b, ...}`: expressions rolled side by side, kept, dropped or counted."""

    items: tuple[Expr, ...]
    select: Select | None = None
    successes: ComparePoint | None = None
    failures: ComparePoint | None = None
    span: Span | None = _span

    @property
    def counts_successes(self) -> bool:
        return self.successes is not None or self.failures is not None

    def children(self) -> tuple[Node, ...]:
        return self.items

    def with_children(self, children: Sequence[Node]) -> Node:
        return attrs.evolve(self, items=tuple(cast(Expr, c) for c in children))

    def __str__(self) -> str:
        inner = ", ".join(str(item) for item in self.items)
        return "{" + inner + "}" + _tail(self.select, self.successes, self.failures)


@attrs.frozen(repr=False, eq=False, slots=False)
class Parenthetical(Node):
    """`( expr )`, kept so that the printed form parses back to the same tree."""

    inner: Expr
    span: Span | None = _span

    def children(self) -> tuple[Node, ...]:
        return (self.inner,)

    def with_children(self, children: Sequence[Node]) -> Node:
        return attrs.evolve(self, inner=cast(Expr, children[0]))

    def __str__(self) -> str:
        return f"({self.inner})"


@attrs.frozen(repr=False, eq=False, slots=False)
class Negate(Node):
    """Unary minus."""

    operand: Expr
    span: Span | None = _span

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)

    def with_children(self, children: Sequence[Node]) -> Node:
        return attrs.evolve(self, operand=cast(Expr, children[0]))

    def __str__(self) -> str:
        return f"-{self.operand}"


@attrs.frozen(repr=False, eq=False, slots=False)
class _Chain(Node):
    """A first term and (operator, term) pairs, all of one precedence: `Sum` and `Product`."""

    first: Expr
    rest: tuple[tuple[str, Expr], ...]
    span: Span | None = _span

    def children(self) -> tuple[Node, ...]:
        return (self.first, *(term for _, term in self.rest))

    def with_children(self, children: Sequence[Node]) -> Node:
        first, *terms = children
        rest = tuple((op, cast(Expr, t)) for (op, _), t in zip(self.rest, terms, strict=True))
        return attrs.evolve(self, first=cast(Expr, first), rest=rest)

    def __str__(self) -> str:
        return str(self.first) + "".join(f" {op} {term}" for op, term in self.rest)


@attrs.frozen(repr=False, eq=False, slots=False)
class Sum(_Chain):
    """`a + b - c`: a first term and (operator, term) pairs."""


@attrs.frozen(repr=False, eq=False, slots=False)
class Product(_Chain):
    """`a * b / c`; `/` divides and rounds down."""


@attrs.frozen(repr=False, eq=False, slots=False)
class Compare(Node):
    """`a >= b`: 1 when it holds, else 0. The loosest binding."""

    left: Expr
    op: str
    right: Expr
    span: Span | None = _span

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)

    def with_children(self, children: Sequence[Node]) -> Node:
        return attrs.evolve(self, left=cast(Expr, children[0]), right=cast(Expr, children[1]))

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@attrs.frozen(repr=False, eq=False, slots=False)
class Labeled(Node):
    """`2d6[fire]`: a label that rides along into the output."""

    inner: Expr
    label: str
    span: Span | None = _span

    def children(self) -> tuple[Node, ...]:
        return (self.inner,)

    def with_children(self, children: Sequence[Node]) -> Node:
        return attrs.evolve(self, inner=cast(Expr, children[0]))

    def __str__(self) -> str:
        return f"{self.inner}[{self.label}]"


Expr: TypeAlias = (
    Literal | Dice | Group | Parenthetical | Negate | Sum | Product | Compare | Labeled
)


def walk(node: Node) -> Iterator[Node]:
    """`node` and every node inside it, parents before children, in source order.

    Iterative, so a deep tree cannot exhaust the interpreter's stack.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children()))


def _tail(select: Select | None, successes: ComparePoint | None, fails: ComparePoint | None) -> str:
    text = str(select) if select else ""
    if successes is not None:
        text += f"cs{successes}"
    if fails is not None:
        text += f"df{fails}"
    return text
