"""Statistics: what the engine rolls agrees with the exact odds it states.

For each action, 20,000 resolutions with the seeds 0..19,999 (one generator
per seed, as `rouge ... --seed N` makes one) are counted by outcome and
compared with `odds` by a chi-square test, computed here by hand, against the
critical value at p = 0.001 for its degrees of freedom. Outcomes expected fewer
than 5 times are merged with the next rarest first; an outcome of probability
0 must never be rolled. The seeds are fixed, so the test is deterministic.
"""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction

import pytest

from rouge_rpg import resources
from rouge_rpg.engine import Action, Being, odds, resolve
from rouge_rpg.rules import Rulebook, load
from rouge_rpg.sheets import read_character

RESOLUTIONS = 20_000

#: Chi-square critical values at p = 0.001, by degrees of freedom.
CRITICAL = {1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467, 5: 20.515}

SHEETS = resources.bundled_rulebook() / "sheets"


@pytest.fixture(scope="module")
def rb() -> Rulebook:
    return load()


def sheet(rb: Rulebook, name: str, *, conditions: tuple[str, ...] = ()) -> Being:
    being = Being.of(read_character(SHEETS / f"{name}.yaml", rb))
    if conditions:
        being = Being.of(being.character, conditions=being.conditions | set(conditions))
    return being


def merge(expected: dict[str, float], observed: Counter[str]) -> list[tuple[float, int]]:
    """(expected, observed) per group of outcomes, each group expected at least 5 times."""
    groups = [(e, observed[k]) for k, e in expected.items()]
    while len(groups) > 1 and min(e for e, _ in groups) < 5:
        groups.sort()
        (e1, o1), (e2, o2), *rest = groups
        groups = [(e1 + e2, o1 + o2), *rest]
    return groups


def chi_square(groups: list[tuple[float, int]]) -> float:
    return sum((o - e) ** 2 / e for e, o in groups)


def test_merge_gathers_the_rare_outcomes() -> None:
    expected = {"a": 0.0, "b": 3.0, "c": 20.0, "d": 77.0}
    observed = Counter({"b": 2, "c": 25, "d": 73})
    assert merge(expected, observed) == [(23.0, 27), (77.0, 73)]
    assert chi_square([(50.0, 60), (50.0, 40)]) == pytest.approx(4.0)


CASES = {
    # a plain check: Rouge leaps between two cars, Reflex against 9
    "plain": ("rouge", "reflex", None, {"dc": 9}, ()),
    # an opposed check: Rouge's Mind against Ash's
    "opposed": ("rouge", "mind", "ash", {"defense": "mind"}, ()),
    # a free-will check: Noid 262 disobeys Ash
    "free_will": ("noid_262", "disobey", "ash", None, ()),
    # a free-will check under Aletheia's command: `defiant` cannot happen at all
    "free_will_compelled": ("noid_262", "disobey", "ash", None, ("compelled",)),
    # a power: Giallon's thunderbolt against Rouge
    "power": ("giallon", "thunderbolt", "rouge", None, ()),
}


@pytest.mark.parametrize("case", list(CASES))
def test_rolled_outcomes_agree_with_the_exact_odds(rb: Rulebook, case: str) -> None:
    actor_name, action, target_name, args, conditions = CASES[case]
    actor = sheet(rb, actor_name, conditions=conditions)
    target = sheet(rb, target_name) if target_name else None
    exact = odds(rb, Action.of(rb, actor, action, target=target, args=args)).outcomes
    assert sum(exact.values()) == Fraction(1)
    observed: Counter[str] = Counter(
        resolve(
            rb, Action.of(rb, actor, action, target=target, args=args), rng=random.Random(seed)
        ).outcome
        for seed in range(RESOLUTIONS)
    )
    assert set(observed) <= set(exact)
    for outcome, p in exact.items():
        if p == 0:
            assert observed[outcome] == 0, outcome
    expected = {k: float(p) * RESOLUTIONS for k, p in exact.items() if p > 0}
    groups = merge(expected, observed)
    freedom = len(groups) - 1
    assert freedom >= 1
    statistic = chi_square(groups)
    assert statistic < CRITICAL[freedom], (case, statistic, groups)


def test_the_compelled_case_merges_an_impossible_outcome(rb: Rulebook) -> None:
    compelled = sheet(rb, "noid_262", conditions=("compelled",))
    found = odds(rb, Action.of(rb, compelled, "disobey", target=sheet(rb, "ash")))
    # 2d6 + 1 - 2 against 10: strained on 11 or 12, defiant (13+) never
    assert found.outcomes == {
        "defiant": Fraction(0),
        "strained": Fraction(3, 36),
        "bound": Fraction(33, 36),
    }


def test_the_natural_dice_of_a_check_are_two_fair_dice(rb: Rulebook) -> None:
    rouge = sheet(rb, "rouge")
    counts: Counter[int] = Counter(
        resolve(rb, Action.of(rb, rouge, "reflex", args={"dc": 9}), rng=random.Random(seed)).dice
        or 0
        for seed in range(RESOLUTIONS)
    )
    ways = {s: 6 - abs(s - 7) for s in range(2, 13)}
    groups = [(RESOLUTIONS * w / 36, counts[s]) for s, w in ways.items()]
    assert set(counts) == set(ways)
    # 10 degrees of freedom: 29.588 at p = 0.001
    assert chi_square(groups) < 29.588
