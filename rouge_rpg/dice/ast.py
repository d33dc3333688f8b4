"""The dice AST: frozen attrs nodes named after the grammar rules of `dice.lark`.

Every node prints back to normalised notation, and `parse(str(node)) == node`:
source spans ride along but take no part in equality.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, TypeAlias, cast

import attrs

from rouge_rpg.diagnostics import Span

#: What each arithmetic operator of the notation does; `/` divides and rounds down.
ARITHMETIC: dict[str, Callable[[int, int], int]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.floordiv,
}
#: What each comparison of the notation tests (a comparison totals 1 or 0).
COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
}

#: Fate dice use this as their number of sides.
FATE = "F"

_span = attrs.field(default=None, eq=False, repr=False, kw_only=True)


class Node:
    """Base of the AST classes, holding the one `__repr__` they share.

    attrs would write and compile a `__repr__` for each class (about a third of
    the cost of defining them, paid by every `rouge roll`); this prints the
    same text.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{field.name}={getattr(self, field.name)!r}"
            for field in attrs.fields(cast(Any, type(self)))
            if field.repr
        )
        return f"{type(self).__name__}({shown})"


@attrs.frozen(repr=False)
class ComparePoint(Node):
    """`=N`, `>N`, `>=N`, `<N`, `<=N`: which faces a modifier acts on."""

    op: str
    value: int

    def matches(self, face: int) -> bool:
        op, value = self.op, self.value
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
        if self.op == "=" and self.value >= 0:
            return str(self.value)
        return f"{self.op}{self.value}"


@attrs.frozen(repr=False)
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


@attrs.frozen(repr=False)
class Reroll(Node):
    """`ro` rerolls a matching die once; `rr` rerolls until it stops matching."""

    once: bool
    point: ComparePoint

    def __str__(self) -> str:
        return ("ro" if self.once else "rr") + str(self.point)


@attrs.frozen(repr=False)
class Explode(Node):
    """`!` adds a die for each die that matches (the highest face by default); `!o` once."""

    once: bool
    point: ComparePoint | None

    def __str__(self) -> str:
        point = "" if self.point is None else str(self.point)
        return ("!o" if self.once else "!") + point


@attrs.frozen(repr=False)
class Literal(Node):
    """An integer."""

    value: int
    span: Span | None = _span

    def __str__(self) -> str:
        return str(self.value)


@attrs.frozen(repr=False)
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


@attrs.frozen(repr=False)
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

    def __str__(self) -> str:
        inner = ", ".join(str(item) for item in self.items)
        return "{" + inner + "}" + _tail(self.select, self.successes, self.failures)


@attrs.frozen(repr=False)
class Parenthetical(Node):
    """`( expr )`, kept so that the printed form parses back to the same tree."""

    inner: Expr
    span: Span | None = _span

    def __str__(self) -> str:
        return f"({self.inner})"


@attrs.frozen(repr=False)
class Negate(Node):
    """Unary minus."""

    operand: Expr
    span: Span | None = _span

    def __str__(self) -> str:
        return f"-{self.operand}"


@attrs.frozen(repr=False)
class Sum(Node):
    """`a + b - c`: a first term and (operator, term) pairs."""

    first: Expr
    rest: tuple[tuple[str, Expr], ...]
    span: Span | None = _span

    def __str__(self) -> str:
        return str(self.first) + "".join(f" {op} {term}" for op, term in self.rest)


@attrs.frozen(repr=False)
class Product(Node):
    """`a * b / c`; `/` divides and rounds down."""

    first: Expr
    rest: tuple[tuple[str, Expr], ...]
    span: Span | None = _span

    def __str__(self) -> str:
        return str(self.first) + "".join(f" {op} {term}" for op, term in self.rest)


@attrs.frozen(repr=False)
class Compare(Node):
    """`a >= b`: 1 when it holds, else 0. The loosest binding."""

    left: Expr
    op: str
    right: Expr
    span: Span | None = _span

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@attrs.frozen(repr=False)
class Labeled(Node):
    """`2d6[fire]`: a label that rides along into the output."""

    inner: Expr
    label: str
    span: Span | None = _span

    def __str__(self) -> str:
        return f"{self.inner}[{self.label}]"


Expr: TypeAlias = (
    Literal | Dice | Group | Parenthetical | Negate | Sum | Product | Compare | Labeled
)


def _tail(select: Select | None, successes: ComparePoint | None, fails: ComparePoint | None) -> str:
    text = str(select) if select else ""
    if successes is not None:
        text += f"cs{successes}"
    if fails is not None:
        text += f"df{fails}"
    return text
