"""`DiceBuilder`: the dice AST built while the LALR parser reduces.

Its methods are named after the rules of `grammars/dice.lark` and take the
rule's children as arguments (`v_args(inline=True)`). The dice parser
(`rouge_rpg.dice.parse`) and the rules parser, both Lark's standalone parsers on
the runtime of `dice/_standalone.py`, use it. It lives apart from `dice.parse`
because decorating it needs the generated parser module, which only parsing
needs: `dice.parse` (its limits, `_check_dice`, `parse`) imports this module,
and the generated parser, when it first parses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rouge_rpg.diagnostics import Span
from rouge_rpg.dice import _standalone, ast
from rouge_rpg.dice.parse import (
    _DICE_MODIFIERS,
    _FIELD_WORDS,
    _GROUP_MODIFIERS,
    MAX_DEPTH,
    MAX_DICE,
    MAX_LITERAL,
    MAX_SIDES,
    _check_dice,
    join_spans,
    kind,
    span_of,
    token_span,
)
from rouge_rpg.errors import DiceError, LimitError

#: Lark's public `v_args(inline=True)`, from the generated runtime that runs both
#: parsers: a rule's children become the method's arguments. (Lark itself honours
#: it too, which the tests that compare the generated parsers with Lark rely on.)
inline = _standalone.v_args(inline=True)


class DiceBuilder:
    """Builds AST nodes as the LALR parser reduces rules (no recursion, any length).

    Each rule's method is decorated on its own with `inline`; a subclass that
    overrides one chooses its own form.
    """

    def __init__(self) -> None:
        self.depth: dict[int, int] = {}

    # -- helpers -----------------------------------------------------------
    def _nest(self, node: Any, children: Sequence[Any], deeper: bool) -> Any:
        depth = 0
        for child in children:
            depth = max(depth, self.depth.get(id(child), 0))
        depth += deeper
        if depth > MAX_DEPTH:
            raise LimitError(
                f"expression is nested {depth} deep; the limit is {MAX_DEPTH}", node.span
            )
        self.depth[id(node)] = depth
        return node

    @staticmethod
    def _int(token: Any, limit: int = MAX_LITERAL) -> int:
        digits = str(token).lstrip("+-")
        if len(digits) > len(str(limit)):  # read no more digits than the limit has
            raise LimitError(
                f"{str(token)[:20]}... is too large; the limit is {limit:,}", token_span(token)
            )
        value = int(token)
        if abs(value) > limit:
            raise LimitError(f"{token} is too large; the limit is {limit:,}", token_span(token))
        return value

    # -- rules ---------------------------------------------------------------
    @inline
    def literal(self, token: Any) -> ast.Literal:
        return ast.Literal(self._int(token), span=token_span(token))

    @inline
    def dice(self, token: Any, *modifiers: Any) -> ast.Dice:
        text = str(token).lower()
        count_text, _, sides_text = text.partition("d")
        span = token_span(token)
        count = int(count_text) if count_text else 1
        if count > MAX_DICE:
            raise LimitError(f"{count:,} dice is too many; the limit is {MAX_DICE:,}", span)
        sides: int | str
        if sides_text == "%":
            sides = 100
        elif sides_text == "f":
            sides = ast.FATE
        else:
            sides = int(sides_text)
            if sides < 1:
                raise DiceError("a die needs at least 1 side", span)
            if sides > MAX_SIDES:
                raise LimitError(
                    f"a die with {sides:,} sides is too large; the limit is {MAX_SIDES:,}", span
                )
        if not modifiers:
            return ast.Dice(count, sides, span=span)
        fields = self._modifier_fields(modifiers, allowed=_DICE_MODIFIERS)
        node = ast.Dice(count, sides, **fields, span=join_spans(span, span_of(modifiers[-1])))
        _check_dice(node, fields, modifiers)
        return node

    @inline
    def group(self, *children: Any) -> ast.Group:
        items = [c for c in children if not isinstance(c, tuple)]
        modifiers = [c for c in children if isinstance(c, tuple)]
        fields = self._modifier_fields(modifiers, allowed=_GROUP_MODIFIERS)
        span = join_spans(span_of(items[0]), span_of(children[-1]))
        node = ast.Group(tuple(items), **fields, span=span)
        return self._nest(node, items, deeper=True)  # type: ignore[no-any-return]

    def _modifier_fields(self, modifiers: Sequence[Any], allowed: frozenset[str]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for field, span, value, word in modifiers:
            if field not in allowed:
                raise DiceError(f"'{word}' does not apply to a group", span)
            if field in fields:
                raise DiceError(f"'{word}': this {_FIELD_WORDS[field]} is given twice", span)
            fields[field] = value
        return fields

    @inline
    def keep(self, token: Any, count: Any) -> tuple[str, Span, ast.Select, str]:
        return self._select(token, count, keep=True)

    @inline
    def drop(self, token: Any, count: Any) -> tuple[str, Span, ast.Select, str]:
        return self._select(token, count, keep=False)

    def _select(self, token: Any, count: Any, keep: bool) -> tuple[str, Span, ast.Select, str]:
        word = str(token)
        high = word.endswith("h") if len(word) == 2 else keep
        number = 1 if count is None else self._int(count, MAX_DICE)
        span = join_spans(token_span(token), span_of(count) if count is not None else None)
        assert span is not None
        return ("select", span, ast.Select(keep, high, number), word)

    @inline
    def reroll(self, token: Any, point: Any) -> tuple[str, Span, ast.Reroll, str]:
        word = str(token)
        span = token_span(token)
        if word == "r":
            raise DiceError(
                "'r' is ambiguous: write 'ro' to reroll once or 'rr' to reroll until it stops "
                "matching",
                span,
            )
        point = point or (ast.ComparePoint("=", 1), span)
        return (
            "reroll",
            join_spans(span, point[1]) or span,
            ast.Reroll(word == "ro", point[0]),
            word,
        )

    @inline
    def explode(self, token: Any, point: Any) -> tuple[str, Span, ast.Explode, str]:
        word = str(token)
        span = token_span(token)
        explode = ast.Explode(word.endswith("o"), point[0] if point else None)
        return ("explode", join_spans(span, point[1]) if point else span, explode, word)  # type: ignore[return-value]

    @inline
    def minimum(self, token: Any, value: Any) -> tuple[str, Span, int, str]:
        return self._bound("minimum", token, value)

    @inline
    def maximum(self, token: Any, value: Any) -> tuple[str, Span, int, str]:
        return self._bound("maximum", token, value)

    def _bound(self, tag: str, token: Any, value: Any) -> tuple[str, Span, int, str]:
        """`min2` or `max5`: the least or most a die may show."""
        return (tag, join_spans(token_span(token), token_span(value)), self._int(value), str(token))  # type: ignore[return-value]

    @inline
    def successes(self, token: Any, point: Any) -> tuple[str, Span, ast.ComparePoint, str]:
        return ("successes", join_spans(token_span(token), point[1]), point[0], "cs")  # type: ignore[return-value]

    @inline
    def failures(self, token: Any, point: Any) -> tuple[str, Span, ast.ComparePoint, str]:
        return ("failures", join_spans(token_span(token), point[1]), point[0], "df")  # type: ignore[return-value]

    @inline
    def compare_point(self, *children: Any) -> tuple[ast.ComparePoint, Span]:
        # `POINT_OP SIGNED_INT`, a bare `INT`, or a range `INT .. INT`
        if len(children) == 1:
            (value,) = children
            return ast.ComparePoint("=", self._int(value)), token_span(value)
        op, value = children
        if kind(op) == "INT":
            low, high = self._int(op), self._int(value)
            span = join_spans(token_span(op), token_span(value))
            assert span is not None
            if high < low:
                raise DiceError(f"the range {low}..{high} is empty", span)
            return ast.ComparePoint("=", low, high), span
        span = join_spans(token_span(op), token_span(value))
        assert span is not None
        return ast.ComparePoint(str(op), self._int(value)), span

    @inline
    def parenthetical(self, inner: Any) -> ast.Parenthetical:
        return self._nest(ast.Parenthetical(inner, span=span_of(inner)), [inner], deeper=True)  # type: ignore[no-any-return]

    @inline
    def negate(self, operand: Any) -> ast.Negate:
        return self._nest(ast.Negate(operand, span=span_of(operand)), [operand], deeper=True)  # type: ignore[no-any-return]

    @inline
    def labeled(self, inner: Any, token: Any) -> ast.Labeled:
        node = ast.Labeled(
            inner, str(token)[1:-1].strip(), span=join_spans(span_of(inner), token_span(token))
        )
        return self._nest(node, [inner], deeper=False)  # type: ignore[no-any-return]

    @inline
    def sum(self, *children: Any) -> ast.Sum:
        # `product (ADD_OP product)+`
        first, rest = _chain(children)
        node = ast.Sum(first, rest, span=join_spans(span_of(first), span_of(children[-1])))
        return self._nest(node, children[::2], deeper=False)  # type: ignore[no-any-return]

    @inline
    def product(self, *children: Any) -> ast.Product:
        # `unary (MUL_OP unary)+`
        first, rest = _chain(children)
        node = ast.Product(first, rest, span=join_spans(span_of(first), span_of(children[-1])))
        return self._nest(node, children[::2], deeper=False)  # type: ignore[no-any-return]

    @inline
    def compare(self, left: Any, op: Any, right: Any) -> ast.Compare:
        node = ast.Compare(left, str(op), right, span=join_spans(span_of(left), span_of(right)))
        return self._nest(node, [left, right], deeper=False)  # type: ignore[no-any-return]


def _chain(children: Sequence[Any]) -> tuple[Any, tuple[tuple[str, Any], ...]]:
    first = children[0]
    rest = tuple((str(children[i]), children[i + 1]) for i in range(1, len(children), 2))
    return first, rest
