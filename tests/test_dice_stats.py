"""Rolls agree with the exact odds: a seeded chi-square goodness-of-fit test.

Each expression is rolled N times from one seed; outcomes whose expected count
is under 5 are merged with their neighbours; the statistic is compared with the
critical value of its degrees of freedom at p = 0.001. Seeded, so it never
flakes; a negative control shows that it does catch a wrong distribution.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from fractions import Fraction

import pytest

from rouge_rpg.dice import parse, roll
from rouge_rpg.dice.odds import odds

ROLLS = 20_000
MIN_EXPECTED = 5

#: Degrees of freedom → the chi-square value exceeded with probability 0.001.
CRITICAL_0_001 = {
    1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467, 5: 20.515, 6: 22.458, 7: 24.322,
    8: 26.124, 9: 27.877, 10: 29.588, 11: 31.264, 12: 32.909, 13: 34.528, 14: 36.123,
    15: 37.697, 16: 39.252, 17: 40.790, 18: 42.312, 19: 43.820, 20: 45.315, 21: 46.797,
    22: 48.268, 23: 49.728, 24: 51.179, 25: 52.620, 26: 54.052, 27: 55.476, 28: 56.892,
    29: 58.301, 30: 59.703,
}  # fmt: skip


def chi_square_tail(x: float, df: int) -> float:
    """P(X >= x) for X chi-square with `df` degrees of freedom (closed form)."""
    half = x / 2
    if df % 2 == 0:
        return math.exp(-half) * sum(half**i / math.factorial(i) for i in range(df // 2))
    tail = math.erfc(math.sqrt(half))
    for i in range(1, (df + 1) // 2):
        tail += math.exp(-half) * half ** (i - 0.5) / math.gamma(i + 0.5)
    return tail


def test_critical_values() -> None:
    for df, critical in CRITICAL_0_001.items():
        assert chi_square_tail(critical, df) == pytest.approx(0.001, rel=2e-3)


def merged_bins(
    expected: dict[int, Fraction], observed: Counter[int], n: int
) -> list[tuple[float, int]]:
    """(expected count, observed count) per bin, low-expectation outcomes merged."""
    bins: list[tuple[float, int]] = []
    e_sum, o_sum = 0.0, 0
    for outcome in sorted(expected):
        e_sum += float(expected[outcome]) * n
        o_sum += observed[outcome]
        if e_sum >= MIN_EXPECTED:
            bins.append((e_sum, o_sum))
            e_sum, o_sum = 0.0, 0
    if e_sum or o_sum:
        last_e, last_o = bins.pop()
        bins.append((last_e + e_sum, last_o + o_sum))
    return bins


def chi_square(text: str, against: str, seed: int) -> tuple[float, int]:
    """The statistic and degrees of freedom of `text`'s rolls against `against`'s odds."""
    node = parse(text)
    rng = random.Random(seed)
    observed = Counter(roll(node, rng=rng).total for _ in range(ROLLS))
    expected = odds(against).distribution
    assert set(observed) <= set(expected), "a roll the odds call impossible"
    bins = merged_bins(expected, observed, ROLLS)
    assert sum(o for _, o in bins) == ROLLS
    statistic = sum((o - e) ** 2 / e for e, o in bins)
    return statistic, len(bins) - 1


@pytest.mark.parametrize(
    ("text", "seed"),
    [
        ("2d6", 1),
        ("4d6kh3", 2),
        ("1d20ro1", 3),
        ("3d6min2", 4),
        ("6d10cs>=8df=1", 5),
        ("2d6rr<3", 6),
        ("4dF", 7),
        ("{1d4, 2d6}kh1", 8),
        ("2d6!o", 9),
        ("1d12 / 3 - 1d4", 10),
    ],
)
def test_rolls_fit_the_odds(text: str, seed: int) -> None:
    statistic, df = chi_square(text, text, seed)
    assert df >= 2
    assert statistic < CRITICAL_0_001[df], f"chi-square {statistic:.1f} with {df} df"


@pytest.mark.parametrize(
    ("text", "wrong"),
    [("4d6kh3", "3d6"), ("1d20ro1", "1d20"), ("2d6", "1d11 + 1"), ("3d6min2", "3d6")],
)
def test_the_test_catches_a_wrong_distribution(text: str, wrong: str) -> None:
    expected, wrong_odds = odds(text), odds(wrong)
    assert expected.distribution != wrong_odds.distribution
    node = parse(text)
    rng = random.Random(11)
    observed = Counter(roll(node, rng=rng).total for _ in range(ROLLS))
    support = wrong_odds.distribution
    assert set(observed) <= set(support)
    bins = merged_bins(support, observed, ROLLS)
    statistic = sum((o - e) ** 2 / e for e, o in bins)
    assert statistic > CRITICAL_0_001[len(bins) - 1]
