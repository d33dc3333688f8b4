"""Exact odds: known distributions, a brute-force cross-check, and every refusal."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rouge_rpg.dice import ast, parse
from rouge_rpg.dice.odds import (
    EXPLOSION_TAIL,
    MAX_POOL,
    MAX_WORK,
    Odds,
    odds,
)
from rouge_rpg.dice.parse import MAX_EXPLOSIONS
from rouge_rpg.errors import DiceError, LimitError

Distribution = dict[int, F]


def uniform(outcomes: list[int]) -> Distribution:
    counts = Counter(outcomes)
    return {o: F(n, len(outcomes)) for o, n in counts.items()}


TWO_D6 = uniform([a + b for a in range(1, 7) for b in range(1, 7)])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", {7: F(1)}),
        ("1d6", {f: F(1, 6) for f in range(1, 7)}),
        ("d%", {f: F(1, 100) for f in range(1, 101)}),
        ("2d6", TWO_D6),
        (
            "2d6",
            {
                2: F(1, 36),
                3: F(2, 36),
                4: F(3, 36),
                5: F(4, 36),
                6: F(5, 36),
                7: F(6, 36),
                8: F(5, 36),
                9: F(4, 36),
                10: F(3, 36),
                11: F(2, 36),
                12: F(1, 36),
            },
        ),
        ("2d6+3>=10", {0: F(5, 12), 1: F(7, 12)}),
        ("1d20==20", {0: F(19, 20), 1: F(1, 20)}),
        ("1d20ro1", {1: F(1, 400), **{f: F(21, 400) for f in range(2, 21)}}),
        ("1d6rr<3", {f: F(1, 4) for f in range(3, 7)}),
        (
            "4dF",
            {
                -4: F(1, 81),
                -3: F(4, 81),
                -2: F(10, 81),
                -1: F(16, 81),
                0: F(19, 81),
                1: F(16, 81),
                2: F(10, 81),
                3: F(4, 81),
                4: F(1, 81),
            },
        ),
        ("1d10cs>=8df=1", {-1: F(1, 10), 0: F(6, 10), 1: F(3, 10)}),
        (
            "2d10cs>=8df1",
            {-2: F(1, 100), -1: F(12, 100), 0: F(42, 100), 1: F(36, 100), 2: F(9, 100)},
        ),
        ("2d20kh1", {f: F(2 * f - 1, 400) for f in range(1, 21)}),
        ("2d20kl1", {f: F(41 - 2 * f, 400) for f in range(1, 21)}),
        (
            "{1d4, 1d6}kh1",
            {1: F(1, 24), 2: F(3, 24), 3: F(5, 24), 4: F(7, 24), 5: F(4, 24), 6: F(4, 24)},
        ),
        ("1d6/2", {0: F(1, 6), 1: F(2, 6), 2: F(2, 6), 3: F(1, 6)}),
        ("-1d6/4", {-1: F(4, 6), -2: F(2, 6)}),
        ("1d6min7", {7: F(1)}),
        ("1d6max0", {0: F(1)}),
        ("1d6min2max5", {2: F(2, 6), 3: F(1, 6), 4: F(1, 6), 5: F(2, 6)}),
        ("1d6!o", {**{f: F(1, 6) for f in range(1, 6)}, **{6 + f: F(1, 36) for f in range(1, 7)}}),
        ("1d6!7", {f: F(1, 6) for f in range(1, 7)}),
        ("1d6rr6!", {f: F(1, 5) for f in range(1, 6)}),
        ("1d6ro<=6", {f: F(1, 6) for f in range(1, 7)}),
        ("1d1ro", {1: F(1)}),
        ("1d1!o", {2: F(1)}),
        ("2d3rr<3!o", {12: F(1)}),
        ("0d6", {0: F(1)}),
        ("3d6kh0", {0: F(1)}),
    ],
)
def test_exact_distribution(text: str, expected: Distribution) -> None:
    result = odds(text)
    assert result.distribution == expected
    assert result.exact is True
    assert result.note is None
    assert sum(result.distribution.values()) == 1


def test_four_d6_keep_three() -> None:
    result = odds("4d6kh3")
    assert result.mean == F(15869, 1296)
    assert (result.min, result.max) == (3, 18)
    assert result.probability(18) == F(21, 1296)
    assert result.probability(3) == F(1, 1296)
    assert odds("4d6dl1").distribution == result.distribution


def test_queries() -> None:
    result = odds("2d6")
    assert result.probability(7) == F(1, 6)
    assert result.probability(13) == 0
    assert result.at_least(10) == F(1, 6)
    assert result.at_most(4) == F(1, 6)
    assert result.at_least(2) == 1
    assert result.mean == 7
    assert isinstance(result, Odds)
    assert result.expression == parse("2d6")


def test_tree_and_text_alike() -> None:
    assert odds(parse("4d6kh3 + 2")) == odds("4d6kh3+2")


def test_to_json_shape() -> None:
    data = odds("2d6+3>=10").to_json()
    assert data == {
        "expression": "2d6 + 3 >= 10",
        "exact": True,
        "mean": 7 / 12,
        "min": 0,
        "max": 1,
        "distribution": [
            {"outcome": 0, "probability": "5/12"},
            {"outcome": 1, "probability": "7/12"},
        ],
    }
    assert "note" not in data
    assert odds("1d6!").to_json()["note"] == (
        "explosions followed to depth 12; deeper chains are left out"
    )


# -- explosions ----------------------------------------------------------------------


def depth_for(chance: F) -> int:
    """The depth `odds` follows an explosion with this chance to: see odds.py."""
    return min(MAX_EXPLOSIONS, max(1, math.ceil(math.log(EXPLOSION_TAIL) / math.log(chance))))


@pytest.mark.parametrize(
    ("text", "chance"),
    [("1d6!", F(1, 6)), ("1d10!>=9", F(1, 5)), ("3d6!", F(1, 6)), ("1d6!>=2", F(5, 6))],
)
def test_unbounded_explosions_are_followed_to_a_stated_depth(text: str, chance: F) -> None:
    result = odds(text)
    depth = depth_for(chance)
    assert result.exact is False
    assert result.note == f"explosions followed to depth {depth}; deeper chains are left out"
    assert sum(result.distribution.values()) == 1


def test_one_exploding_d6() -> None:
    result = odds("1d6!")
    depth = depth_for(F(1, 6))
    assert depth == 12
    for face in range(1, 6):
        assert result.probability(face) == F(1, 6)
        assert result.probability(6 + face) == F(1, 36)
        assert result.probability(12 + face) == F(1, 216)
    assert result.probability(6) == 0
    # The last die followed does not explode again.
    assert result.max == 6 * (depth + 1)
    assert abs(result.mean - F(21, 5)) < F(1, 10**8)


def test_explode_once_is_exact() -> None:
    result = odds("2d6!o>=5")
    assert result.exact is True
    assert result.note is None
    assert result.mean == 2 * (F(7, 2) + F(2, 6) * F(7, 2))


# -- a brute-force cross-check ----------------------------------------------------------


def one_die(node: ast.Dice) -> Distribution:
    """The face of one die after its reroll, by counting."""
    faces = list(node.faces)
    if node.reroll is None:
        return uniform(faces)
    matches = node.reroll.point.matches
    if not node.reroll.once:
        return uniform([f for f in faces if not matches(f)])
    out: Counter[int] = Counter()
    for first in faces:
        for second in faces:
            out[second if matches(first) else first] += 1
    return {f: F(n, len(faces) ** 2) for f, n in out.items()}


def clamp_and_select(node: ast.Dice | ast.Group, values: list[int]) -> int:
    if isinstance(node, ast.Dice):
        if node.minimum is not None:
            values = [max(v, node.minimum) for v in values]
        if node.maximum is not None:
            values = [min(v, node.maximum) for v in values]
    if node.select is not None:
        order = sorted(values, reverse=node.select.high)
        chosen, rest = order[: node.select.count], order[node.select.count :]
        values = chosen if node.select.keep else rest
    if node.counts_successes:
        hits = sum(1 for v in values if node.successes and node.successes.matches(v))
        misses = sum(1 for v in values if node.failures and node.failures.matches(v))
        return hits - misses
    return sum(values)


def combine(parts: list[Distribution], score: Callable[[list[int]], int]) -> Distribution:
    out: dict[int, F] = {}
    for combo in itertools.product(*(list(p.items()) for p in parts)):
        p = math.prod((c[1] for c in combo), start=F(1))
        total = score([c[0] for c in combo])
        out[total] = out.get(total, F(0)) + p
    return out


OPS: dict[str, Callable[[int, int], int]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a // b,
    ">=": lambda a, b: int(a >= b),
    "<=": lambda a, b: int(a <= b),
    ">": lambda a, b: int(a > b),
    "<": lambda a, b: int(a < b),
    "==": lambda a, b: int(a == b),
}


def brute(node: ast.Expr) -> Distribution:
    """Every outcome of a small expression without explosions, by enumeration."""
    if isinstance(node, ast.Literal):
        return {node.value: F(1)}
    if isinstance(node, ast.Dice):
        assert node.explode is None
        die = one_die(node)
        return combine([die] * node.count, lambda vs: clamp_and_select(node, vs))
    if isinstance(node, ast.Group):
        items = [brute(item) for item in node.items]
        return combine(items, lambda vs: clamp_and_select(node, vs))
    if isinstance(node, ast.Parenthetical | ast.Labeled):
        return brute(node.inner)
    if isinstance(node, ast.Negate):
        return {-o: p for o, p in brute(node.operand).items()}
    if isinstance(node, ast.Compare):
        op = OPS[node.op]
        return combine([brute(node.left), brute(node.right)], lambda vs: op(vs[0], vs[1]))
    total = brute(node.first)
    for op_name, term in node.rest:
        op = OPS[op_name]
        total = combine([total, brute(term)], lambda vs, op=op: op(vs[0], vs[1]))
    return total


@pytest.mark.parametrize(
    "text",
    [
        "3d6",
        "4d6kh3",
        "4d6dh1",
        "5d4kl2",
        "3d6dl1 + 1d4",
        "2d8ro<3",
        "3d4rr1",
        "2d10cs>=7df<3",
        "4dF + 1",
        "3dFcs1df=-1",
        "4d6min2",
        "4d4max3",
        "3d6min2max5kh2",
        "{1d6, 1d8, 1d10}kh2",
        "{2d4, 1d8}dl1",
        "{1d6, 1d6, 1d6}cs>=4",
        "{1d6+1, 2}kl1",
        "(1d4 + 1) * 1d3",
        "1d12 / 1d3",
        "-1d6 / 3",
        "2d6 - 1d6 >= 3",
        "1d20 + 5 > 1d20",
        "3d4ro1kh2cs>=3",
        "{{1d4, 1d4}kh1, 1d6}kl1",
        "2d6[fire] - -1d4[cold]",
    ],
)
def test_odds_agree_with_enumeration(text: str) -> None:
    expected = {o: p for o, p in brute(parse(text)).items() if p}
    assert odds(text).distribution == expected


# -- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("1d6/0", "division by zero is possible: '0' can be 0", 5),
        ("1d6/(1d2-1)", "division by zero is possible: '(1d2 - 1)' can be 0", 6),
        ("10 / (1d3 - 2)", "division by zero is possible: '(1d3 - 2)' can be 0", 7),
        (
            "3d6!kh2",
            "exact odds of keep or drop among exploding dice are not supported; "
            "'rouge roll' still rolls it",
            1,
        ),
        (
            "1 + 4d10!>=9dl1",
            "exact odds of keep or drop among exploding dice are not supported; "
            "'rouge roll' still rolls it",
            5,
        ),
    ],
)
def test_unsupported(text: str, message: str, column: int) -> None:
    with pytest.raises(DiceError) as caught:
        odds(text)
    assert type(caught.value) is DiceError
    assert caught.value.message == message
    assert caught.value.span is not None and caught.value.span.column == column


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("100d100", (100 * 99 + 1) ** 2),
        ("1000d6", (1000 * 5 + 1) ** 2),
        ("1d10000", 10000**2),
        # an explosion chain: 100 steps over a die of 100 faces whose scores spread by 99
        ("1d100!>=2", 100 * sum(k * 99 + 1 for k in range(1, 101))),
    ],
)
def test_work_limit(text: str, steps: int) -> None:
    assert steps > MAX_WORK
    with pytest.raises(LimitError) as caught:
        odds(text)
    assert caught.value.message == (
        f"the exact odds of '{parse(text)}' are too large to compute "
        f"({steps:,} steps; the limit is {MAX_WORK:,}); 'rouge roll' still rolls it"
    )
    assert caught.value.span is not None and caught.value.span.column == 1


def test_work_limit_inside_an_expression() -> None:
    with pytest.raises(LimitError) as caught:
        odds("1d20 + 3000d10")
    assert caught.value.message.startswith("the exact odds of '3000d10' are too large")
    assert caught.value.span is not None and caught.value.span.column == 8
    with pytest.raises(LimitError) as caught:
        odds("{1d4000, 1d4000}")
    assert caught.value.message.startswith("the exact odds of '1d4000' are too large")


def test_pool_limit() -> None:
    size = 2000 * 6
    assert size > MAX_POOL
    with pytest.raises(LimitError) as caught:
        odds("2000d6kh1")
    assert caught.value.message == (
        f"the exact odds of '2000d6kh1' are too large to compute (a pool of {size:,} "
        f"dice × faces; the limit is {MAX_POOL:,}); 'rouge roll' still rolls it"
    )
    assert odds(f"{MAX_POOL // 10}d10kh1").max == 10


def test_a_die_that_would_roll_forever_is_refused_even_as_a_tree() -> None:
    # The parser refuses this; a tree built by hand reaches `odds` and is refused there.
    node = ast.Dice(
        1,
        6,
        reroll=ast.Reroll(once=False, point=ast.ComparePoint("<", 6)),
        explode=ast.Explode(once=False, point=None),
    )
    with pytest.raises(DiceError) as caught:
        odds(node)
    assert caught.value.message == "'!' matches every face: it would explode forever"
    node = ast.Dice(1, 6, reroll=ast.Reroll(once=False, point=ast.ComparePoint("<=", 6)))
    with pytest.raises(DiceError) as caught:
        odds(node)
    assert caught.value.message == "'rr<=6' matches every face: it would reroll forever"


# -- the shortcuts the compiler takes match icepool's own operations -------------

POINT_OPS = st.sampled_from(["=", ">", ">=", "<", "<="])
FACES = st.sampled_from([range(1, 7), range(1, 21), range(-1, 2), range(1, 101), range(1, 2)])


@settings(max_examples=200, deadline=None)
@given(POINT_OPS, st.integers(-5, 105), FACES)
def test_matching_faces_are_the_faces_a_point_matches(op: str, value: int, faces: range) -> None:
    point = ast.ComparePoint(op, value)
    assert list(point.matching(faces)) == [f for f in faces if point.matches(f)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1d4+3", {4: F(1, 4), 5: F(1, 4), 6: F(1, 4), 7: F(1, 4)}),
        ("3-1d2", {1: F(1, 2), 2: F(1, 2)}),
        ("1d4*0", {0: F(1)}),
        ("1d4/2", {0: F(1, 4), 1: F(1, 2), 2: F(1, 4)}),
        ("-(2)*1d2[x]", {-4: F(1, 2), -2: F(1, 2)}),
        ("2==2", {1: F(1)}),
        ("1d4>=3", {0: F(1, 2), 1: F(1, 2)}),
        ("10>1d20", {0: F(11, 20), 1: F(9, 20)}),
    ],
)
def test_arithmetic_with_a_plain_number(text: str, expected: dict[int, F]) -> None:
    assert odds(text).distribution == expected


def test_dividing_by_a_plain_zero_is_refused() -> None:
    with pytest.raises(DiceError, match="division by zero is possible: '0' can be 0"):
        odds("1d6/0")
