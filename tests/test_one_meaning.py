"""One meaning for every expression: what the drift between interpretations broke, pinned.

Each test is named after what it protects (issue 11's list): dice anywhere in a
rule roll once per resolution with the seed and count in the exact odds; `dice`
reads the kept dice in rolls and odds alike; constructs the language cannot
give a meaning are refused by the checker where they stand; division by zero is
one located error; odds of long sums of exploding dice are computed as `rouge
odds` computes them.
"""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rouge_rpg.beings import Being, Character
from rouge_rpg.dice import ast as dice
from rouge_rpg.dice.odds import distribution
from rouge_rpg.dice.parse import parse
from rouge_rpg.dice.roll import natural, roll
from rouge_rpg.engine import Action, odds, resolve
from rouge_rpg.errors import CheckFailed, DiceError, LimitError
from rouge_rpg.rules import load
from rouge_rpg.rules.rulebook import Rulebook

BASE = """\
attribute body "Body" range 0..5 default 2
attribute zero "Zero" range 0..5 default 0
kind nean "Nean"
faction workers "Workers":
  kind nean
"""


def rulebook(tmp_path: Path, rules: str) -> Rulebook:
    folder = tmp_path / "book"
    folder.mkdir(exist_ok=True)
    (folder / "rulebook.rouge").write_text(BASE + rules, encoding="utf-8")
    return load(folder)


def refusal(tmp_path: Path, rules: str) -> str:
    with pytest.raises(CheckFailed) as caught:
        rulebook(tmp_path, rules)
    return caught.value.show()


KIT = Being.of(Character(name="Kit", faction="workers", kind="nean", attributes={"body": 3}))


def odds_of(rb: Rulebook, check: str, **args: object) -> dict[str, Fraction]:
    found = odds(rb, Action.of(rb, KIT, check, args=args))  # type: ignore[arg-type]
    assert found.exact
    return found.outcomes


def rolled(rb: Rulebook, check: str, seed: int, **args: object) -> object:
    return resolve(rb, Action.of(rb, KIT, check, args=args), rng=random.Random(seed))  # type: ignore[arg-type]


# -- 1. dice anywhere in a rule ---------------------------------------------------------------

LADDER_DICE = """
check strike(dc = 8) "Strike":
  roll 1d6
  hit when total + 1d4 >= dc
  miss otherwise
"""


def test_dice_in_a_ladder_test_count_exactly_in_the_odds(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, LADDER_DICE)
    first = odds_of(rb, "strike")
    assert first == odds_of(rb, "strike")
    # By hand: 1d6 + 1d4 >= 8 in 6 of 24 ways.
    assert first == {"hit": Fraction(6, 24), "miss": Fraction(18, 24)}


def test_dice_in_a_ladder_test_roll_once_with_the_seed_and_are_shown(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, LADDER_DICE)
    one, again = rolled(rb, "strike", 7), rolled(rb, "strike", 7)
    assert one == again
    assert len(one.drawn) == 1  # type: ignore[attr-defined]
    (shown,) = one.to_json()["drawn"]  # type: ignore[attr-defined]
    assert shown.startswith("1d4 (")
    assert any(line.startswith("the ladder's dice: 1d4 (") for line in one.trace)  # type: ignore[attr-defined]
    total = one.total + one.drawn[0].total  # type: ignore[attr-defined]
    assert one.outcome == ("hit" if total >= 8 else "miss")  # type: ignore[attr-defined]


def test_rolled_ladder_dice_agree_with_the_exact_odds(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, LADDER_DICE)
    counts = Counter(rolled(rb, "strike", seed).outcome for seed in range(2400))  # type: ignore[attr-defined]
    # Expected 600 hits; a binomial's standard deviation here is about 21.
    assert abs(counts["hit"] - 600) < 5 * 21


CONSTANT_DICE = """
const bless = 1d4
check pray "Pray":
  roll 1d20 + bless
  answered when total >= 20
  silence otherwise
"""


def test_a_constant_that_rolls_dice_rolls_in_the_roll_with_the_seed(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, CONSTANT_DICE)
    one = rolled(rb, "pray", 3)
    assert one == rolled(rb, "pray", 3)
    assert "1d4 (" in one.roll_detail and "[bless]" in one.roll_detail  # type: ignore[attr-defined]
    # 1d20 + 1d4 >= 20: by enumeration.
    hits = sum(1 for a in range(1, 21) for b in range(1, 5) if a + b >= 20)
    assert odds_of(rb, "pray") == {
        "answered": Fraction(hits, 80),
        "silence": Fraction(80 - hits, 80),
    }


# -- 2. `dice` means the kept dice ---------------------------------------------------------------

KEPT = """
check best "Best of two":
  roll {1d6, 1d6}kh1
  double_six when dice == 12
  six when dice == 6
  other otherwise
"""


def test_dice_reads_the_kept_dice_in_rolls_and_odds_alike(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, KEPT)
    assert odds_of(rb, "best") == {
        "double_six": Fraction(0),
        "six": Fraction(11, 36),
        "other": Fraction(25, 36),
    }
    counts = Counter(rolled(rb, "best", seed).outcome for seed in range(3600))  # type: ignore[attr-defined]
    assert counts["double_six"] == 0
    assert abs(counts["six"] - 1100) < 5 * 28  # sd of a binomial(3600, 11/36) is about 28


EXPRESSIONS = [
    "{1d6, 1d6}kh1",
    "{1d20 + 4, 1d12 + 6}kh1",
    "{1d6, 2d4}dl1 + 3",
    "2d6 - 1d4",
    "0 * 1d4 + 1d6",
    "{1d6, 1d6, 1d6}>4",
    "3d6cs>4 + 1d4",
    "-(1d8 + 2) * 2",
    "4d6kh3",
    "1d6 >= 1d4",
]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(EXPRESSIONS), st.integers(0, 2**32))
def test_every_roll_lands_on_a_pair_of_dice_and_total_that_the_odds_allow(
    text: str, seed: int
) -> None:
    node = parse(text)
    result = roll(node, seed=seed)
    support = set(distribution(node, with_dice=True).die.outcomes())
    assert (natural(result), result.total) in support


def test_the_pairs_of_dice_and_total_have_the_rolled_frequencies() -> None:
    node = parse("{1d20 + 4, 1d12 + 6}kh1")
    joint = distribution(node, with_dice=True).die
    rolls = Counter((natural(r), r.total) for r in (roll(node, seed=s) for s in range(6000)))
    chi_square = 0.0
    for outcome, quantity in joint.items():
        expected = 6000 * quantity / joint.denominator()
        chi_square += (rolls[outcome] - expected) ** 2 / expected
    # 30 pairs: the 99.9% point of chi-square with 29 degrees of freedom is about 58.3.
    assert len(joint) == 30
    assert chi_square < 58.3


# -- 3 and 4. what the language cannot mean is refused where it stands --------------------------


def test_a_group_drop_that_leaves_nothing_is_refused_at_its_place(tmp_path: Path) -> None:
    shown = refusal(
        tmp_path,
        """
check prowl "Prowl":
  roll {actor.body}d6
  ok when total >= 1
  no otherwise
""",
    )
    assert (
        "rulebook.rouge:8:9: error: '{actor.body}dl6' drops 6 of a group of 1: "
        "'dl6' here is a group's drop, not a die"
    ) in shown


def test_dice_in_a_modifiers_test_are_refused_at_their_place(tmp_path: Path) -> None:
    shown = refusal(
        tmp_path,
        """
const bless = 1d4
condition blessed "Blessed":
  modifier +1 to all when 1d4 > 2
  modifier +1 to all when bless > 2
""",
    )
    assert (
        "rulebook.rouge:9:27: error: '1d4' rolls dice, but a modifier's test is a fixed number"
    ) in shown
    assert (
        "rulebook.rouge:10:27: error: 'bless' rolls dice, but a modifier's test is a fixed number"
    ) in shown


@pytest.mark.parametrize(
    ("rules", "place"),
    [
        ("check c(dc = 1d6):\n  roll 1\n  ok otherwise\n", "a parameter's default"),
        (
            'ability a "A":\n  for kind nean\n  requires actor.body >= 1d4\n'
            '  effects: narrate "x"\n',
            "a requirement",
        ),
        ('resource r "R" max 3:\n  at 0: gain r 1d2\n', "a trigger's amount"),
    ],
)
def test_dice_where_nothing_rolls_them_are_refused(tmp_path: Path, rules: str, place: str) -> None:
    assert f"but {place} is a fixed number" in refusal(tmp_path, "\n" + rules)


# -- 5. division by zero ------------------------------------------------------------------------

DIVIDES = """
check ratio(dc = 1) "Ratio":
  roll 1d6
  ok when total / dc >= 1
  no otherwise
"""


def test_division_by_zero_in_a_ladder_is_an_error_naming_its_place(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, DIVIDES)
    with pytest.raises(DiceError) as caught:
        rolled(rb, "ratio", 1, dc=0)
    assert caught.value.span is not None
    where = caught.value.span.location()
    assert where.endswith("rulebook.rouge:9:19"), where
    assert caught.value.message == "division by zero: 'dc' is 0"
    with pytest.raises(DiceError, match="division by zero: 'dc' is 0"):
        odds_of(rb, "ratio", dc=0)


def test_division_by_zero_is_the_same_error_in_a_roll_line(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, 'check split "Split":\n  roll 12 / actor.zero\n  ok otherwise\n')
    with pytest.raises(DiceError) as caught:
        rolled(rb, "split", 1)
    assert caught.value.message == "division by zero: '0' is 0"
    assert caught.value.span is not None
    assert caught.value.span.location().endswith("rulebook.rouge:7:13")


# -- 8. long sums of exploding dice ---------------------------------------------------------------

MANY = " + ".join(["0 * 1d4!"] * 8 + ["1d6!"])


def test_odds_of_a_long_sum_of_exploding_dice_are_computed_as_rouge_odds_does(
    tmp_path: Path,
) -> None:
    rb = rulebook(
        tmp_path, f"check burst:\n  roll {MANY}\n  big when total >= 6\n  small otherwise\n"
    )
    found = odds(rb, Action.of(rb, KIT, "burst"))
    assert found.outcomes["big"] == sum(
        (p for o, p in _dice_odds(MANY).items() if o >= 6), Fraction(0)
    )


def test_a_ladder_that_reads_dice_of_a_long_sum_gets_its_odds_too(tmp_path: Path) -> None:
    rb = rulebook(
        tmp_path, f"check burst:\n  roll {MANY}\n  big when dice >= 6\n  small otherwise\n"
    )
    found = odds(rb, Action.of(rb, KIT, "burst"))
    # The 0 * 1d4! terms add their dice to `dice`, and each rolls at least 1.
    assert found.outcomes == {"big": Fraction(1), "small": Fraction(0)}


def test_odds_too_large_to_compute_are_refused_naming_the_check(tmp_path: Path) -> None:
    rb = rulebook(
        tmp_path,
        "check huge:\n  roll 1d1000\n  vs 1d1000\n  big when total >= 1d1000\n  small otherwise\n",
    )
    with pytest.raises(LimitError) as caught:
        odds(rb, Action.of(rb, KIT, "huge"))
    assert "1,000,000,000 joint outcomes" in caught.value.message
    assert caught.value.span is not None
    assert caught.value.span.location().endswith("rulebook.rouge:6:7")


def _dice_odds(text: str) -> dict[int, Fraction]:
    from rouge_rpg.dice.odds import odds as dice_odds

    return dice_odds(text).distribution


def test_the_operator_table_covers_every_operator_of_the_grammar() -> None:
    assert set(dice.ARITHMETIC) == {"+", "-", "*", "/"}
    assert set(dice.COMPARISONS) == {">=", "<=", ">", "<", "=="}


# -- explosions cut short that cannot change an outcome ------------------------------------------


@pytest.mark.parametrize(
    ("roll", "ladder", "big"),
    [
        ("1d6!", "big when total >= 10", Fraction(1, 12)),
        ("1d6! + 2", "big when total >= 12 or margin >= 30", Fraction(1, 12)),
        ("1d6! * 2", "big when dice >= 5 and total >= 8", Fraction(1, 3)),
    ],
)
def test_odds_stay_exact_when_a_cut_explosion_cannot_change_the_outcome(
    tmp_path: Path, roll: str, ladder: str, big: Fraction
) -> None:
    rb = rulebook(tmp_path, f"check c:\n  roll {roll}\n  {ladder}\n  small otherwise\n")
    found = odds(rb, Action.of(rb, KIT, "c"))
    assert found.exact
    assert found.note == (
        "explosions followed to depth 12; deeper chains cannot change the outcome"
    )
    assert found.outcomes == {"big": big, "small": 1 - big}


@pytest.mark.parametrize(
    ("roll", "ladder"),
    [
        ("1d6!", "even when total / 2 * 2 == total"),  # parity keeps changing
        ("-1d6!", "even when total >= -3"),  # falls as the dice rise
        ("1d6!", "even when total <= 12"),  # true below, false above
        ("1d6!", "even when total >= 999999999 * 999999999"),  # too far to judge
    ],
)
def test_odds_of_a_cut_explosion_that_could_matter_are_not_called_exact(
    tmp_path: Path, roll: str, ladder: str
) -> None:
    rb = rulebook(tmp_path, f"check c:\n  roll {roll}\n  {ladder}\n  odd otherwise\n")
    found = odds(rb, Action.of(rb, KIT, "c"))
    assert not found.exact
    assert found.note == "explosions followed to depth 12; deeper chains are left out"
