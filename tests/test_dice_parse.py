"""Dice notation → AST: every feature, the normalised printing, and every error.

Trees are compared with `==`, which ignores source spans; spans are checked on
their own at the end.
"""

from __future__ import annotations

import pytest

from rouge_rpg.diagnostics import Span
from rouge_rpg.dice import ast, parse
from rouge_rpg.dice.ast import FATE, ComparePoint, Dice, Explode, Literal, Reroll, Select
from rouge_rpg.dice.parse import (
    MAX_DEPTH,
    MAX_DICE,
    MAX_EXPRESSION_LENGTH,
    MAX_LITERAL,
    MAX_SIDES,
    MODIFIER_LIST,
)
from rouge_rpg.errors import DiceError, LimitError, RougeError


def point(op: str, value: int) -> ComparePoint:
    return ComparePoint(op, value)


def plus(first: ast.Expr, *rest: tuple[str, ast.Expr]) -> ast.Sum:
    return ast.Sum(first, tuple(rest))


def times(first: ast.Expr, *rest: tuple[str, ast.Expr]) -> ast.Product:
    return ast.Product(first, tuple(rest))


KH = Select(keep=True, high=True, count=1)

#: notation → the tree it parses to
TREES: dict[str, ast.Expr] = {
    # numbers and dice
    "42": Literal(42),
    "0": Literal(0),
    "3d6": Dice(3, 6),
    "d20": Dice(1, 20),
    "1D20": Dice(1, 20),
    "01d06": Dice(1, 6),
    "0d6": Dice(0, 6),
    "d%": Dice(1, 100),
    "2d%": Dice(2, 100),
    "4dF": Dice(4, FATE),
    "4df": Dice(4, FATE),
    "dF": Dice(1, FATE),
    # arithmetic, precedence, parentheses, unary minus
    "1d20+5": plus(Dice(1, 20), ("+", Literal(5))),
    "2d6 - 1 + 1d4": plus(Dice(2, 6), ("-", Literal(1)), ("+", Dice(1, 4))),
    "1+2*3": plus(Literal(1), ("+", times(Literal(2), ("*", Literal(3))))),
    "(1+2)*3": times(ast.Parenthetical(plus(Literal(1), ("+", Literal(2)))), ("*", Literal(3))),
    "(1d4+1)*2": times(ast.Parenthetical(plus(Dice(1, 4), ("+", Literal(1)))), ("*", Literal(2))),
    "1d20/2": times(Dice(1, 20), ("/", Literal(2))),
    "8/2*3": times(Literal(8), ("/", Literal(2)), ("*", Literal(3))),
    "-1d8": ast.Negate(Dice(1, 8)),
    "--1": ast.Negate(ast.Negate(Literal(1))),
    "5 / -2": times(Literal(5), ("/", ast.Negate(Literal(2)))),
    "1d6 - -2": plus(Dice(1, 6), ("-", ast.Negate(Literal(2)))),
    "((1d6))": ast.Parenthetical(ast.Parenthetical(Dice(1, 6))),
    "1d6\t+  1": plus(Dice(1, 6), ("+", Literal(1))),
    # keep and drop
    "4d6kh3": Dice(4, 6, select=Select(keep=True, high=True, count=3)),
    "5d10k2": Dice(5, 10, select=Select(keep=True, high=True, count=2)),
    "2d20kh": Dice(2, 20, select=KH),
    "2d20kl": Dice(2, 20, select=Select(keep=True, high=False, count=1)),
    "2d20k": Dice(2, 20, select=KH),
    "4d6dl1": Dice(4, 6, select=Select(keep=False, high=False, count=1)),
    "4d6d1": Dice(4, 6, select=Select(keep=False, high=False, count=1)),
    "3d6d": Dice(3, 6, select=Select(keep=False, high=False, count=1)),
    "4d6dh1": Dice(4, 6, select=Select(keep=False, high=True, count=1)),
    "4d6p1": Dice(4, 6, select=Select(keep=False, high=False, count=1)),
    "4d6pl2": Dice(4, 6, select=Select(keep=False, high=False, count=2)),
    "4d6ph1": Dice(4, 6, select=Select(keep=False, high=True, count=1)),
    # rerolls
    "1d20ro1": Dice(1, 20, reroll=Reroll(once=True, point=point("=", 1))),
    "1d20ro": Dice(1, 20, reroll=Reroll(once=True, point=point("=", 1))),
    "1d6rr": Dice(1, 6, reroll=Reroll(once=False, point=point("=", 1))),
    "2d6rr<3": Dice(2, 6, reroll=Reroll(once=False, point=point("<", 3))),
    "2d6rr<=2": Dice(2, 6, reroll=Reroll(once=False, point=point("<=", 2))),
    "1d10ro>8": Dice(1, 10, reroll=Reroll(once=True, point=point(">", 8))),
    "1d6ro=2": Dice(1, 6, reroll=Reroll(once=True, point=point("=", 2))),
    "1d6rr=-1": Dice(1, 6, reroll=Reroll(once=False, point=point("=", -1))),
    # explosions
    "3d6!": Dice(3, 6, explode=Explode(once=False, point=None)),
    "1d6x": Dice(1, 6, explode=Explode(once=False, point=None)),
    "1d6e": Dice(1, 6, explode=Explode(once=False, point=None)),
    "d10x>=9": Dice(1, 10, explode=Explode(once=False, point=point(">=", 9))),
    "1d6!6": Dice(1, 6, explode=Explode(once=False, point=point("=", 6))),
    "1d6!=6": Dice(1, 6, explode=Explode(once=False, point=point("=", 6))),
    "1d6!<=1": Dice(1, 6, explode=Explode(once=False, point=point("<=", 1))),
    "d6xo": Dice(1, 6, explode=Explode(once=True, point=None)),
    "2d6!o>=5": Dice(2, 6, explode=Explode(once=True, point=point(">=", 5))),
    "4dF!": Dice(4, FATE, explode=Explode(once=False, point=None)),
    # `!>=15` right after a modifier is its compare point, not a comparison
    "1d20!>=15": Dice(1, 20, explode=Explode(once=False, point=point(">=", 15))),
    "(1d20!) >= 15": ast.Compare(
        ast.Parenthetical(Dice(1, 20, explode=Explode(once=False, point=None))),
        ">=",
        Literal(15),
    ),
    # minimum and maximum
    "4d6min2": Dice(4, 6, minimum=2),
    "8d6max5": Dice(8, 6, maximum=5),
    "1d6mi2ma5": Dice(1, 6, minimum=2, maximum=5),
    "1d6min3max3": Dice(1, 6, minimum=3, maximum=3),
    # success counting
    "6d10cs>=8": Dice(6, 10, successes=point(">=", 8)),
    "6d10cs10": Dice(6, 10, successes=point("=", 10)),
    "6d10cs>=8df=1": Dice(6, 10, successes=point(">=", 8), failures=point("=", 1)),
    "6d10df<2": Dice(6, 10, failures=point("<", 2)),
    "3dFcs=-1": Dice(3, FATE, successes=point("=", -1)),
    # every modifier at once, in any order
    "8d10ro1!min2max9kh5cs>=7df1": Dice(
        8,
        10,
        reroll=Reroll(once=True, point=point("=", 1)),
        explode=Explode(once=False, point=None),
        minimum=2,
        maximum=9,
        select=Select(keep=True, high=True, count=5),
        successes=point(">=", 7),
        failures=point("=", 1),
    ),
    "4d6kh3ro1": Dice(
        4, 6, reroll=Reroll(once=True, point=point("=", 1)), select=Select(True, True, 3)
    ),
    # groups
    "{1d20+4, 1d12+6}kh1": ast.Group(
        (plus(Dice(1, 20), ("+", Literal(4))), plus(Dice(1, 12), ("+", Literal(6)))), select=KH
    ),
    "(1d4, 2d6)kh1": ast.Group((Dice(1, 4), Dice(2, 6)), select=KH),
    "{1d6}": ast.Group((Dice(1, 6),)),
    "{1d6, 1d8, 1d10}dl1": ast.Group(
        (Dice(1, 6), Dice(1, 8), Dice(1, 10)), select=Select(keep=False, high=False, count=1)
    ),
    "{3d6, 3d6, 3d6}cs>10df<5": ast.Group(
        (Dice(3, 6), Dice(3, 6), Dice(3, 6)), successes=point(">", 10), failures=point("<", 5)
    ),
    "{{1d6, 1d6}kh1, 2}": ast.Group((ast.Group((Dice(1, 6), Dice(1, 6)), select=KH), Literal(2))),
    # comparisons
    "2d6+3>=10": ast.Compare(plus(Dice(2, 6), ("+", Literal(3))), ">=", Literal(10)),
    "1d20==20": ast.Compare(Dice(1, 20), "==", Literal(20)),
    "1d20 <= 5": ast.Compare(Dice(1, 20), "<=", Literal(5)),
    "1d20 > 1d20": ast.Compare(Dice(1, 20), ">", Dice(1, 20)),
    "1d4 < 2*2": ast.Compare(Dice(1, 4), "<", times(Literal(2), ("*", Literal(2)))),
    # labels
    "2d6[fire] + 1d4[cold]": plus(
        ast.Labeled(Dice(2, 6), "fire"), ("+", ast.Labeled(Dice(1, 4), "cold"))
    ),
    "2d6[ holy fire ]": ast.Labeled(Dice(2, 6), "holy fire"),
    "2d6[]": ast.Labeled(Dice(2, 6), ""),
    "{1d6}[x]": ast.Labeled(ast.Group((Dice(1, 6),)), "x"),
    "-1d6[cold]": ast.Negate(ast.Labeled(Dice(1, 6), "cold")),
    "5[bonus]": ast.Labeled(Literal(5), "bonus"),
}


@pytest.mark.parametrize("text", list(TREES))
def test_parses_to_the_expected_tree(text: str) -> None:
    assert parse(text) == TREES[text]


@pytest.mark.parametrize("text", list(TREES))
def test_printed_form_parses_back_to_the_same_tree(text: str) -> None:
    tree = parse(text)
    printed = str(tree)
    assert parse(printed) == tree
    assert str(parse(printed)) == printed


#: notation → its normalised printing
PRINTED = {
    "d20": "1d20",
    "1D20+5": "1d20 + 5",
    "d%": "1d100",
    "4df": "4dF",
    "01d06": "1d6",
    "5d10k2": "5d10kh2",
    "2d20k": "2d20kh1",
    "2d20kl": "2d20kl1",
    "4d6d1": "4d6dl1",
    "4d6p1": "4d6dl1",
    "4d6ph1": "4d6dh1",
    "1d20ro": "1d20ro1",
    "1d6rr": "1d6rr1",
    "1d6ro=2": "1d6ro2",
    "1d6rr=-1": "1d6rr=-1",
    "d10x>=9": "1d10!>=9",
    "1d6e": "1d6!",
    "1d6!=6": "1d6!6",
    "d6xo": "1d6!o",
    "2d6xo>=5": "2d6!o>=5",
    "1d6mi2ma5": "1d6min2max5",
    "6d10cs>=8df=1": "6d10cs>=8df1",
    "4d6kh3ro1": "4d6ro1kh3",
    "8d10cs7kh5max9min2!ro1": "8d10ro1!min2max9kh5cs7",
    "(1d4,2d6)kh1": "{1d4, 2d6}kh1",
    "{1d20+4,1d12+6}k": "{1d20 + 4, 1d12 + 6}kh1",
    "(1d4+1)*2": "(1d4 + 1) * 2",
    "2d6+3>=10": "2d6 + 3 >= 10",
    "2d6[ fire ]+1d4[cold]": "2d6[fire] + 1d4[cold]",
    "-  1d8": "-1d8",
    "5/-2": "5 / -2",
}


@pytest.mark.parametrize(("text", "printed"), PRINTED.items())
def test_normalised_printing(text: str, printed: str) -> None:
    assert str(parse(text)) == printed


def test_parse_is_cached_per_text() -> None:
    assert parse("4d6kh3 + 2") is parse("4d6kh3 + 2")


# -- spans -------------------------------------------------------------------------


def test_spans_point_into_the_source() -> None:
    tree = parse("  1d20ro1 + 5")
    assert isinstance(tree, ast.Sum)
    assert tree.span == Span(1, 3, 1, 14)
    assert tree.first.span == Span(1, 3, 1, 10)
    assert tree.rest[0][1].span == Span(1, 13, 1, 14)


def test_spans_take_no_part_in_equality() -> None:
    assert parse("1d6 + 1") == parse("   1d6+1")
    assert parse("1d6 + 1").span != parse("   1d6+1").span


# -- errors ------------------------------------------------------------------------

#: notation → (error class, message, column of the caret or None)
ERRORS: dict[str, tuple[type[RougeError], str, int | None]] = {
    # not dice at all
    "": (DiceError, "empty dice expression; try something like 2d6+1", None),
    "   ": (DiceError, "empty dice expression; try something like 2d6+1", None),
    "1d6\n+1": (DiceError, "a dice expression is one line", 1),
    "1d6\r": (DiceError, "a dice expression is one line", 1),
    # unknown or misplaced modifiers
    "1d6q": (DiceError, f"unknown dice modifier 'q'; the modifiers are {MODIFIER_LIST}", 4),
    "1d6 foo": (DiceError, f"unknown dice modifier 'foo'; the modifiers are {MODIFIER_LIST}", 5),
    "1d20r": (
        DiceError,
        "'r' is ambiguous: write 'ro' to reroll once or 'rr' to reroll until it stops matching",
        5,
    ),
    "{1d6,2d6}ro1": (
        DiceError,
        "'ro' does not apply to a group; a group takes kh, kl, dh, dl, cs, df",
        10,
    ),
    "(1d6,2d6)rr1": (
        DiceError,
        "'rr' does not apply to a group; a group takes kh, kl, dh, dl, cs, df",
        10,
    ),
    "{1d6}min2": (
        DiceError,
        "'min' does not apply to a group; a group takes kh, kl, dh, dl, cs, df",
        6,
    ),
    "{1d6}!": (
        DiceError,
        "'!' does not apply to a group; a group takes kh, kl, dh, dl, cs, df",
        6,
    ),
    "(1d6, 1d8)!o": (
        DiceError,
        "'!o' does not apply to a group; a group takes kh, kl, dh, dl, cs, df",
        11,
    ),
    # modifiers given twice
    "2d6kh1kl1": (DiceError, "'kl': this keep or drop is given twice", 7),
    "4d6k3d1": (DiceError, "'d': this keep or drop is given twice", 6),
    "1d6ro1rr2": (DiceError, "'rr': this reroll is given twice", 7),
    "1d6!!": (DiceError, "'!': this explosion is given twice", 5),
    "1d6min1min2": (DiceError, "'min': this minimum is given twice", 8),
    "1d6cs6cs5": (DiceError, "'cs': this success count is given twice", 7),
    # dice that cannot be
    "1d": (DiceError, "a die needs a number of sides, such as 1d6, d% or dF", 2),
    "2d6+1d": (DiceError, "a die needs a number of sides, such as 1d6, d% or dF", 6),
    "1d0": (DiceError, "a die needs at least 1 side", 1),
    "1d6min5max3": (DiceError, "minimum 5 is above maximum 3", 8),
    "1d6rr<=6": (DiceError, "'rr<=6' matches every face of d6: it would reroll forever", 4),
    "2d1rr": (DiceError, "'rr1' matches every face of d1: it would reroll forever", 4),
    "3dFrr<=1": (DiceError, "'rr<=1' matches every face of dF: it would reroll forever", 4),
    "1d6!>=1": (DiceError, "'!>=1' matches every face of d6: it would explode forever", 4),
    "1d1!": (DiceError, "'!' matches every face of d1: it would explode forever", 4),
    "1d6rr<=5!": (
        DiceError,
        "'!' matches every face of d6 left after 'rr<=5': it would explode forever",
        9,
    ),
    # limits
    "1d1000001": (
        LimitError,
        f"a die with {MAX_SIDES + 1:,} sides is too large; the limit is {MAX_SIDES:,}",
        1,
    ),
    f"2+{MAX_DICE + 1}d6": (
        LimitError,
        f"{MAX_DICE + 1:,} dice is too many; the limit is {MAX_DICE:,}",
        3,
    ),
    f"{MAX_LITERAL + 1}": (
        LimitError,
        f"{MAX_LITERAL + 1} is too large; the limit is {MAX_LITERAL:,}",
        1,
    ),
    f"4d6kh{MAX_DICE + 1}": (
        LimitError,
        f"{MAX_DICE + 1} is too large; the limit is {MAX_DICE:,}",
        6,
    ),
    # syntax
    "1d6 +": (
        DiceError,
        "unexpected end of expression; expected a number, a die such as d6, '(' or '{'",
        6,
    ),
    "(2d6": (DiceError, "unexpected end of expression; expected ')' or ','", 5),
    "{1d6": (DiceError, "unexpected end of expression; expected '}' or ','", 5),
    "2d6)": (DiceError, "unexpected ')'; expected an operator or the end of the expression", 4),
    "1d6 = 3": (DiceError, "unexpected '='; to compare a total write '==' or '>='", 5),
    "1d6,2": (DiceError, "unexpected ','; a group of expressions is written {a, b}", 4),
    "1d6 ** 2": (
        DiceError,
        "unexpected '*'; expected a number, a die such as d6, '(' or '{'",
        6,
    ),
    "1 >= 2 >= 3": (
        DiceError,
        "unexpected '>'; expected an operator or the end of the expression",
        8,
    ),
    "2d6 kh1 + 3x": (
        DiceError,
        "unexpected 'x'; expected an operator such as '+' or a comparison such as '>='",
        12,
    ),
    "1d20!==20": (DiceError, "unexpected '='; expected a number", 7),
    "€": (DiceError, "unexpected '€'; expected a number, a die such as d6, '(' or '{'", 1),
}


@pytest.mark.parametrize("text", list(ERRORS))
def test_error_message_and_column(text: str) -> None:
    kind, message, column = ERRORS[text]
    with pytest.raises(RougeError) as caught:
        parse(text)
    error = caught.value
    assert type(error) is kind
    assert error.message == message
    assert error.exit_code == 2
    if column is None:
        assert error.span is None
    else:
        assert error.span is not None
        assert (error.span.line, error.span.column) == (1, column)
        assert error.source == text


def test_error_shows_the_source_with_a_caret() -> None:
    with pytest.raises(DiceError) as caught:
        parse("2d6kh1kl1 + 3")
    assert caught.value.show() == (
        "'kl': this keep or drop is given twice (column 7)\n  2d6kh1kl1 + 3\n        ^~~"
    )
    with pytest.raises(DiceError) as caught:
        parse("1d")
    assert str(caught.value) == (
        "a die needs a number of sides, such as 1d6, d% or dF (column 2)\n  1d\n   ^"
    )


def test_limits_are_inclusive() -> None:
    assert parse(f"{MAX_DICE}d{MAX_SIDES}") == Dice(MAX_DICE, MAX_SIDES)
    assert parse(str(MAX_LITERAL)) == Literal(MAX_LITERAL)


def test_expression_length_limit() -> None:
    longest = ("1" + "+1" * ((MAX_EXPRESSION_LENGTH - 1) // 2)).ljust(MAX_EXPRESSION_LENGTH)
    assert len(longest) == MAX_EXPRESSION_LENGTH
    assert isinstance(parse(longest), ast.Sum)
    with pytest.raises(LimitError) as caught:
        parse(longest + "1")
    assert caught.value.message == (
        f"expression is {MAX_EXPRESSION_LENGTH + 1:,} characters long; "
        f"the limit is {MAX_EXPRESSION_LENGTH:,}"
    )
    assert caught.value.span is None


@pytest.mark.parametrize(
    ("open_", "close"),
    [("(", ")"), ("-", ""), ("{", "}"), ("-(", ")"), ("{-", "}")],
    ids=["parentheses", "unary minus", "groups", "minus and parentheses", "groups and minus"],
)
def test_nesting_limit(open_: str, close: str) -> None:
    def nested(levels: int) -> str:
        return open_ * levels + "1d6" + close * levels

    per_level = len(open_)
    deepest = MAX_DEPTH // per_level
    assert parse(nested(deepest)) is not None
    too_deep = deepest + 1
    with pytest.raises(LimitError) as caught:
        parse(nested(too_deep))
    assert caught.value.message == (
        f"expression is nested {MAX_DEPTH + 1} deep; the limit is {MAX_DEPTH}"
    )
    # The caret points at the innermost operand, where the nesting is counted from.
    assert caught.value.span is not None
    assert caught.value.span.column == too_deep * per_level + 1
    # The caret points at the innermost operand, where the nesting was counted.
    assert caught.value.span is not None
    assert caught.value.span.column == too_deep * per_level + 1


def test_labels_do_not_count_as_nesting() -> None:
    text = "(" * MAX_DEPTH + "1d6[a]" + ")" * MAX_DEPTH + "[b]"
    assert isinstance(parse(text), ast.Labeled)
