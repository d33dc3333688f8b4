"""Laws of the dice engine over random expressions (Hypothesis).

Expressions are built as notation text from small parts: dice with random
modifiers in random order and spelling, numbers, `+ - * /`, parentheses, unary
minus, groups, labels and a comparison on top. Sizes stay small so that every
expression's exact odds take milliseconds.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rouge_rpg.dice import parse, roll
from rouge_rpg.dice.odds import odds
from rouge_rpg.errors import DiceError, LimitError, RougeError

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

UNSUPPORTED = "exact odds of keep or drop among exploding dice are not supported"


def _faces(sides: str) -> list[int]:
    return [-1, 0, 1] if sides in "fF" else list(range(1, int(sides) + 1))


@st.composite
def points(draw: st.DrawFn, low: int, high: int) -> str:
    """A compare point such as `3`, `=3`, `>=3`, `<-1`, with a value in [low, high]."""
    value = draw(st.integers(low, high))
    ops = ["=", ">", ">=", "<", "<="] + ([""] if value >= 0 else [])
    return draw(st.sampled_from(ops)) + str(value)


@st.composite
def dice(draw: st.DrawFn) -> str:
    """`NdS` with a random subset of the modifiers, in random order and spelling."""
    count = draw(st.sampled_from(["", "0", "1", "2", "3"]))
    sides = draw(st.sampled_from(["1", "2", "3", "4", "6", "8", "10", "F", "f"]))
    faces = _faces(sides)
    lo, hi = faces[0], faces[-1]
    modifiers: list[str] = []
    if draw(st.booleans()):
        word = draw(st.sampled_from(["ro", "rr"]))
        modifiers.append(word + draw(st.just("") | points(lo - 1, hi + 1)))
    if draw(st.booleans()):
        word = draw(st.sampled_from(["!", "x", "e", "!o", "xo"]))
        # Explode on one face only, so that exact odds stay small.
        face = draw(st.sampled_from(faces))
        point = draw(
            st.sampled_from(["", f"={face}", f">={hi}", f"<={lo}"] + ([str(face)] * (face >= 0)))
        )
        modifiers.append(word + point)
    if draw(st.booleans()):
        modifiers.append(draw(st.sampled_from(["min", "mi"])) + str(draw(st.integers(0, hi + 1))))
    if draw(st.booleans()):
        modifiers.append(draw(st.sampled_from(["max", "ma"])) + str(draw(st.integers(0, hi + 1))))
    if draw(st.booleans()):
        word = draw(st.sampled_from(["k", "kh", "kl", "d", "dh", "dl", "p", "ph", "pl"]))
        modifiers.append(word + draw(st.sampled_from(["", "0", "1", "2", "4"])))
    if draw(st.booleans()):
        modifiers.append("cs" + draw(points(lo - 1, hi + 1)))
    if draw(st.booleans()):
        modifiers.append("df" + draw(points(lo - 1, hi + 1)))
    order = draw(st.permutations(modifiers))
    gap = draw(st.sampled_from(["", " "]))
    return f"{count}{draw(st.sampled_from('dD'))}{sides}" + "".join(gap + m for m in order)


NUMBERS = st.integers(0, 20).map(str)
#: Right-hand sides that keep products small and divisors away from zero.
FACTORS = st.sampled_from(["2", "3", "-2", "1d4", "(1d3 + 1)"])
DIVISORS = st.sampled_from(["2", "3", "-2", "1d4", "(1d3 + 1)", "2d6", "-1d4"])
LABELS = st.sampled_from(["[fire]", "[ cold ]", "[]", "[a b]"])


@st.composite
def groups(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    items = draw(st.lists(inner, min_size=1, max_size=3))
    braces = draw(st.sampled_from(["{}", "()"])) if len(items) > 1 else "{}"
    modifier = draw(
        st.sampled_from(["", "", "kh1", "kl", "k2", "dl1", "dh", "p1"])
        | points(-3, 25).map(lambda p: "cs" + p)
    )
    if draw(st.booleans()):
        modifier += "df" + draw(points(-3, 25))
    return braces[0] + ", ".join(items) + braces[1] + modifier


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-"]), inner).map(" ".join),
        st.tuples(inner, st.just("*"), FACTORS).map(" ".join),
        st.tuples(inner, st.just("/"), DIVISORS).map(" ".join),
        inner.map(lambda t: f"({t})"),
        inner.map(lambda t: f"-({t})"),
        groups(inner),
        st.tuples(inner, LABELS).map(lambda p: f"({p[0]}){p[1]}"),
    )


SUMS = st.recursive(dice() | NUMBERS, _extend, max_leaves=4)
EXPRESSIONS = SUMS | st.tuples(
    SUMS, st.sampled_from([">=", "<=", "==", ">", "<"]), NUMBERS | st.just("1d6")
).map(" ".join)


def _parsed(text: str) -> object:
    """The tree of a generated expression; a few random modifiers are invalid together."""
    try:
        return parse(text)
    except DiceError as error:
        assert not isinstance(error, LimitError), error
        assume(False)
        raise


@SETTINGS
@given(EXPRESSIONS)
def test_print_then_parse_is_stable(text: str) -> None:
    tree = _parsed(text)
    printed = str(tree)
    again = parse(printed)
    assert again == tree
    assert str(again) == printed


@SETTINGS
@given(EXPRESSIONS, st.integers(0, 2**32))
def test_every_roll_is_a_possible_outcome(text: str, seed: int) -> None:
    tree = _parsed(text)
    try:
        exact = odds(text)
    except DiceError as error:
        assume(not error.message.startswith(UNSUPPORTED))
        raise
    assert sum(exact.distribution.values()) == 1
    assert all(p > 0 for p in exact.distribution.values())
    rng = random.Random(seed)
    for _ in range(5):
        result = roll(tree, rng=rng)  # type: ignore[arg-type]
        assert exact.probability(result.total) > 0, (result.detail, exact.note)


#: Pieces of notation, so that random text is often nearly valid.
PIECES = st.sampled_from(
    [
        "1",
        "20",
        "d",
        "d6",
        "3d",
        "D%",
        "dF",
        "k",
        "kh",
        "dl",
        "p",
        "ro",
        "rr",
        "r",
        "!",
        "!o",
        "x",
        "e",
        "min",
        "ma",
        "cs",
        "df",
        ">=",
        "<",
        "=",
        "==",
        "+",
        "-",
        "*",
        "/",
        "(",
        ")",
        "{",
        "}",
        ",",
        "[",
        "]",
        "[x]",
        " ",
        "\t",
        "\n",
        "0",
        "-1",
        "99999999999",
        "1000001",
    ]
)
TEXT = st.text(max_size=30) | st.lists(PIECES | st.characters(), max_size=12).map("".join)


@SETTINGS
@given(TEXT, st.integers(0, 2**32))
def test_any_text_gives_a_tree_or_a_rouge_error(text: str, seed: int) -> None:
    try:
        tree = parse(text)
    except RougeError as error:
        assert error.message
        error.show()
        return
    assert parse(str(tree)) == tree
    try:
        roll(text, seed=seed)
    except RougeError as error:
        assert error.message
        error.show()
