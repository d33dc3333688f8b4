"""Dice notation → AST, with the limits and friendly errors of the notation.

The LALR(1) parser runs tables that Lark computed from `grammars/dice.lark`
(see `rouge_rpg.dice.lalr`, `scripts/generate_dice_parser.py`); the AST is built
while parsing, by `DiceBuilder`, whose methods are named after the grammar rules.
The rules language reuses `DiceBuilder` for the dice inside rulebooks.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rouge_rpg.diagnostics import Span
from rouge_rpg.dice import ast, lalr
from rouge_rpg.errors import DiceError, LimitError, RougeError

#: Longest expression accepted, in characters.
MAX_EXPRESSION_LENGTH = 2000
#: Deepest nesting of parentheses, groups and unary minus.
MAX_DEPTH = 64
#: Most dice one expression may roll, rerolls and explosions included.
MAX_DICE = 10_000
#: Most sides a die may have.
MAX_SIDES = 1_000_000
#: Most explosions of one die.
MAX_EXPLOSIONS = 100
#: Largest integer literal.
MAX_LITERAL = 10**9


def kind(token: Any) -> str:
    """A token's type without the namespace Lark gives imported grammars."""
    name: str = token.type
    return name.rsplit("__", 1)[-1]


def token_span(token: Any) -> Span:
    return Span(token.line, token.column, token.end_line, token.end_column)


def join_spans(first: Span | None, last: Span | None) -> Span | None:
    if first is None or last is None:
        return first or last
    if first is last:
        return first
    return Span(first.line, first.column, last.end_line, last.end_column, first.file)


def span_of(item: Any) -> Span | None:
    """The span of an AST node, a token, or a modifier tuple."""
    if isinstance(item, tuple):
        found: Span = item[1]
        return found
    span = getattr(item, "span", None)
    if isinstance(span, Span):
        return span
    if hasattr(item, "type") and hasattr(item, "line"):
        return token_span(item)
    return None


class DiceBuilder:
    """Builds AST nodes as the LALR parser reduces rules (no recursion, any length)."""

    def __init__(self) -> None:
        self.depth: dict[int, int] = {}

    # -- helpers -----------------------------------------------------------
    def _nest(self, node: Any, children: list[Any], deeper: bool) -> Any:
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
        value = int(token)
        if abs(value) > limit:
            raise LimitError(f"{token} is too large; the limit is {limit:,}", token_span(token))
        return value

    # -- rules ---------------------------------------------------------------
    def literal(self, children: list[Any]) -> ast.Literal:
        (token,) = children
        return ast.Literal(self._int(token), span=token_span(token))

    def dice(self, children: list[Any]) -> ast.Dice:
        token, *modifiers = children
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

    def group(self, children: list[Any]) -> ast.Group:
        items = [c for c in children if not isinstance(c, tuple)]
        modifiers = [c for c in children if isinstance(c, tuple)]
        fields = self._modifier_fields(modifiers, allowed=_GROUP_MODIFIERS)
        span = join_spans(span_of(items[0]), span_of(children[-1]))
        node = ast.Group(tuple(items), **fields, span=span)
        return self._nest(node, items, deeper=True)  # type: ignore[no-any-return]

    def _modifier_fields(self, modifiers: list[Any], allowed: frozenset[str]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for field, span, value, word in modifiers:
            if field not in allowed:
                raise DiceError(f"'{word}' does not apply to a group", span)
            if field in fields:
                raise DiceError(f"'{word}': this {_FIELD_WORDS[field]} is given twice", span)
            fields[field] = value
        return fields

    def keep(self, children: list[Any]) -> tuple[str, Span, ast.Select, str]:
        return self._select(children, keep=True)

    def drop(self, children: list[Any]) -> tuple[str, Span, ast.Select, str]:
        return self._select(children, keep=False)

    def _select(self, children: list[Any], keep: bool) -> tuple[str, Span, ast.Select, str]:
        token, count = children
        word = str(token)
        high = word.endswith("h") if len(word) == 2 else keep
        number = 1 if count is None else self._int(count, MAX_DICE)
        span = join_spans(token_span(token), span_of(count) if count is not None else None)
        assert span is not None
        return ("select", span, ast.Select(keep, high, number), word)

    def reroll(self, children: list[Any]) -> tuple[str, Span, ast.Reroll, str]:
        token, point = children
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

    def explode(self, children: list[Any]) -> tuple[str, Span, ast.Explode, str]:
        token, point = children
        word = str(token)
        span = token_span(token)
        explode = ast.Explode(word.endswith("o"), point[0] if point else None)
        return ("explode", join_spans(span, point[1]) if point else span, explode, word)  # type: ignore[return-value]

    def minimum(self, children: list[Any]) -> tuple[str, Span, int, str]:
        token, value = children
        return (
            "minimum",
            join_spans(token_span(token), token_span(value)),
            self._int(value),
            str(token),
        )  # type: ignore[return-value]

    def maximum(self, children: list[Any]) -> tuple[str, Span, int, str]:
        token, value = children
        return (
            "maximum",
            join_spans(token_span(token), token_span(value)),
            self._int(value),
            str(token),
        )  # type: ignore[return-value]

    def successes(self, children: list[Any]) -> tuple[str, Span, ast.ComparePoint, str]:
        token, point = children
        return ("successes", join_spans(token_span(token), point[1]), point[0], "cs")  # type: ignore[return-value]

    def failures(self, children: list[Any]) -> tuple[str, Span, ast.ComparePoint, str]:
        token, point = children
        return ("failures", join_spans(token_span(token), point[1]), point[0], "df")  # type: ignore[return-value]

    def compare_point(self, children: list[Any]) -> tuple[ast.ComparePoint, Span]:
        if len(children) == 1:
            (value,) = children
            return ast.ComparePoint("=", self._int(value)), token_span(value)
        op, value = children
        span = join_spans(token_span(op), token_span(value))
        assert span is not None
        return ast.ComparePoint(str(op), self._int(value)), span

    def parenthetical(self, children: list[Any]) -> ast.Parenthetical:
        (inner,) = children
        return self._nest(ast.Parenthetical(inner, span=span_of(inner)), children, deeper=True)  # type: ignore[no-any-return]

    def negate(self, children: list[Any]) -> ast.Negate:
        (operand,) = children
        return self._nest(ast.Negate(operand, span=span_of(operand)), children, deeper=True)  # type: ignore[no-any-return]

    def labeled(self, children: list[Any]) -> ast.Labeled:
        inner, token = children
        node = ast.Labeled(
            inner, str(token)[1:-1].strip(), span=join_spans(span_of(inner), token_span(token))
        )
        return self._nest(node, [inner], deeper=False)  # type: ignore[no-any-return]

    def sum(self, children: list[Any]) -> ast.Sum:
        first, rest = _chain(children)
        node = ast.Sum(first, rest, span=join_spans(span_of(first), span_of(children[-1])))
        return self._nest(node, children[::2], deeper=False)  # type: ignore[no-any-return]

    def product(self, children: list[Any]) -> ast.Product:
        first, rest = _chain(children)
        node = ast.Product(first, rest, span=join_spans(span_of(first), span_of(children[-1])))
        return self._nest(node, children[::2], deeper=False)  # type: ignore[no-any-return]

    def compare(self, children: list[Any]) -> ast.Compare:
        left, op, right = children
        node = ast.Compare(left, str(op), right, span=join_spans(span_of(left), span_of(right)))
        return self._nest(node, [left, right], deeper=False)  # type: ignore[no-any-return]


def _chain(children: list[Any]) -> tuple[Any, tuple[tuple[str, Any], ...]]:
    first = children[0]
    rest = tuple((str(children[i]), children[i + 1]) for i in range(1, len(children), 2))
    return first, rest


_DICE_MODIFIERS = frozenset(
    {"select", "reroll", "explode", "minimum", "maximum", "successes", "failures"}
)
_GROUP_MODIFIERS = frozenset({"select", "successes", "failures"})
_FIELD_WORDS = {
    "select": "keep or drop",
    "reroll": "reroll",
    "explode": "explosion",
    "minimum": "minimum",
    "maximum": "maximum",
    "successes": "success count",
    "failures": "failure count",
}


def _check_dice(node: ast.Dice, fields: dict[str, Any], modifiers: list[Any]) -> None:
    spans = {m[0]: m[1] for m in modifiers}
    faces = node.faces
    if node.minimum is not None and node.maximum is not None and node.minimum > node.maximum:
        raise DiceError(f"minimum {node.minimum} is above maximum {node.maximum}", spans["maximum"])
    if node.reroll and not node.reroll.once and all(node.reroll.point.matches(f) for f in faces):
        raise DiceError(
            f"'rr{node.reroll.point}' matches every face of d{node.sides}: it would reroll forever",
            spans["reroll"],
        )
    if node.explode and not node.explode.once:
        point = node.explode.point or ast.ComparePoint("=", faces[-1])
        # After `rr`, only the faces it does not reroll are ever seen.
        rr = node.reroll if node.reroll and not node.reroll.once else None
        left = [f for f in faces if not (rr and rr.point.matches(f))]
        if all(point.matches(f) for f in left):
            after = f" left after '{node.reroll}'" if len(left) < len(faces) else ""
            raise DiceError(
                f"'!{node.explode.point or ''}' matches every face of d{node.sides}{after}: "
                "it would explode forever",
                spans["explode"],
            )


# -- the parser ---------------------------------------------------------------

# What the GM is told Lark expected, most useful first.
_EXPECTED_WORDS: tuple[tuple[frozenset[str], str], ...] = (
    (
        frozenset({"DICE", "INT", "LPAR", "LBRACE", "MINUS"}),
        "a number, a die such as d6, '(' or '{'",
    ),
    (frozenset({"SIGNED_INT"}), "a number"),
    (
        frozenset({"KEEP", "DROP", "REROLL", "EXPLODE", "MINIMUM", "MAXIMUM", "SUCCESSES"}),
        "a dice modifier",
    ),
    (frozenset({"POINT_OP"}), "a comparison such as '>=3'"),
    (frozenset({"ADD_OP", "MUL_OP"}), "an operator such as '+'"),
    (frozenset({"COMPARATOR"}), "a comparison such as '>='"),
    (frozenset({"RPAR"}), "')'"),
    (frozenset({"RBRACE"}), "'}'"),
    (frozenset({"COMMA"}), "','"),
)

MODIFIER_LIST = "kh, kl, dh, dl, ro, rr, !, !o, min, max, cs, df"


def describe_expected(expected: set[str] | frozenset[str]) -> str:
    """The GM's words for a set of terminal names Lark expected."""
    names = {name.rsplit("__", 1)[-1] for name in expected}
    words = [word for group, word in _EXPECTED_WORDS if group & names]
    if not words:
        return "an operator or the end of the expression"
    if len(words) > 4:
        words = [*words[:4], "something else"]
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1]


@lru_cache(maxsize=1)
def _lalr() -> tuple[lalr.Parser, DiceBuilder]:
    builder = DiceBuilder()
    return lalr.Parser(builder), builder


def _unexpected(error: lalr.UnexpectedInput, text: str) -> DiceError:
    column = error.column
    if column < 1 or column > len(text):
        column = len(text) + 1
    if isinstance(error, lalr.UnexpectedToken):
        allowed = error.expected
        if error.token.type == lalr.END:
            column = len(text) + 1
    else:
        assert isinstance(error, lalr.UnexpectedCharacters)
        allowed = error.allowed
    names = {name.rsplit("__", 1)[-1] for name in allowed}
    return DiceError(*_explain(text, column, names), source=text)


def _explain(text: str, column: int, names: set[str]) -> tuple[str, Span]:
    """A message in the GM's words for a parse stopped at `column`."""
    before = text[: column - 1]
    if before.count("(") <= before.count(")"):
        names -= {"RPAR"}
    if before.count("{") <= before.count("}"):
        names -= {"RBRACE"}
    if not names & {"RPAR", "RBRACE"}:
        names -= {"COMMA"}
    if column > len(text):
        return f"unexpected end of expression; expected {describe_expected(names)}", Span.at(
            1, column
        )
    char = text[column - 1]
    word = char
    while column - 1 + len(word) < len(text) and text[column - 1 + len(word)].isalpha():
        word += text[column - 1 + len(word)]
    span = Span.at(1, column, len(word))
    if char in "dD" and before.rstrip()[-1:].isdigit() and not word[1:2].isdigit():
        return "a die needs a number of sides, such as 1d6, d% or dF", span
    if (char.isalpha() or char == "!") and "KEEP" in names and "REROLL" not in names:
        return f"'{word}' does not apply to a group; a group takes kh, kl, dh, dl, cs, df", span
    if char.isalpha() and "KEEP" in names:
        return f"unknown dice modifier '{word}'; the modifiers are {MODIFIER_LIST}", span
    if char == "=" and "COMPARATOR" in names:
        return "unexpected '='; to compare a total write '==' or '>='", span
    if char == "," and not names & {"COMMA"}:
        return "unexpected ','; a group of expressions is written {a, b}", span
    shown = word if char.isalpha() else char
    shown = repr(shown) if shown.isprintable() and "'" not in shown else ascii(shown)
    return f"unexpected {shown}; expected {describe_expected(names)}", span


def check_length(text: str) -> None:
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise LimitError(
            f"expression is {len(text):,} characters long; the limit is {MAX_EXPRESSION_LENGTH:,}"
        )


@lru_cache(maxsize=512)
def parse(text: str) -> ast.Expr:
    """Parse dice notation into an AST; raise `DiceError` with a caret on bad input."""
    check_length(text)
    if not text.strip():
        raise DiceError("empty dice expression; try something like 2d6+1")
    if "\n" in text or "\r" in text:
        raise DiceError("a dice expression is one line", Span.at(1, 1), source=text)
    parser, builder = _lalr()
    builder.depth.clear()
    try:
        tree: ast.Expr = parser.parse(text)
    except lalr.UnexpectedInput as error:
        raise _unexpected(error, text) from None
    except RougeError as error:
        error.source = text
        raise
    return tree
