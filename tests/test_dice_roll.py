"""Seeded rolls: the exact detail text and total of every feature, pinned.

A seed gives the same rolls on every supported Python (`roll.py` draws with
`getrandbits` alone), so these strings are stable; a change here changes what
every table that shared a seed saw.
"""

from __future__ import annotations

import json
import random

import pytest

from rouge_rpg.dice import DieResult, Roll, parse, roll
from rouge_rpg.dice.ast import Dice
from rouge_rpg.dice.parse import MAX_DICE, MAX_EXPLOSIONS
from rouge_rpg.errors import DiceError, LimitError

#: (expression, seed) → the detail text, ending in `= total`
PINNED: dict[tuple[str, int], str] = {
    ("1d20", 1): "1d20 (5) = 5",
    ("1d20", 7): "1d20 (11) = 11",
    ("3d6", 1): "3d6 (2, 5, 1) = 8",
    ("d%", 7): "1d100 (42) = 42",
    ("0d6", 1): "0d6 () = 0",
    ("4dF", 1): "4dF (-1, 1, -1, 0) = -1",
    ("4dF", 2): "4dF (-1, -1, -1, 0) = -3",
    # keep and drop: dropped dice are struck through
    ("4d6kh3+2", 1): "4d6kh3 (2, 5, ~~1~~, 3) + 2 = 12",
    ("4d6kh3", 7): "4d6kh3 (3, ~~2~~, 4, 6) = 13",
    ("4d6dl1", 7): "4d6dl1 (3, ~~2~~, 4, 6) = 13",
    ("4d6dh1", 1): "4d6dh1 (2, ~~5~~, 1, 3) = 6",
    ("2d20kl1", 1): "2d20kl1 (5, ~~19~~) = 5",
    ("2d20kh1", 1): "2d20kh1 (~~5~~, 19) = 19",
    ("5d10k2", 1): "5d10kh2 (~~3~~, 10, ~~2~~, 5, ~~2~~) = 15",
    # ties: keeping keeps the earlier die, dropping drops the earlier die
    ("4d6kh3", 2): "4d6kh3 (1, 1, ~~1~~, 3) = 5",
    ("4d6dl1", 2): "4d6dl1 (~~1~~, 1, 1, 3) = 5",
    ("3d6kh1", 2): "3d6kh1 (1, ~~1~~, ~~1~~) = 1",
    # rerolls: the rerolled face is struck, its replacement follows it
    ("1d20ro1", 7): "1d20ro1 (11) = 11",
    ("2d6ro1", 2): "2d6ro1 (~~1~~, 1, ~~1~~, 3) = 4",
    ("4d6ro<=2", 1): "4d6ro<=2 (~~2~~, 5, ~~1~~, 3, ~~1~~, 4, 4) = 16",
    ("2d6rr<3", 1): "2d6rr<3 (~~2~~, 5, ~~1~~, 3) = 8",
    ("2d6rr<3", 2): "2d6rr<3 (~~1~~, ~~1~~, ~~1~~, 3, ~~2~~, 6) = 9",
    # explosions: a die that exploded is marked `!`, the die it added follows it
    ("1d6!", 20): "1d6! (6!, 6!, 2) = 14",
    ("5d10!>=9", 1): "5d10!>=9 (3, 10!, 2, 5, 2, 8) = 30",
    ("6d6!o", 2): "6d6!o (1, 1, 1, 3, 2, 6!, 6) = 20",
    ("10d6!o", 7): "10d6!o (3, 2, 4, 6!, 1, 1, 5, 1, 3, 5, 1) = 32",
    # minimum and maximum apply to every die, exploded ones included, after the explosion
    ("4d6min3", 1): "4d6min3 (3, 5, 3, 3) = 14",
    ("4d6max4", 7): "4d6max4 (3, 2, 4, 4) = 13",
    ("4d6min2max5", 7): "4d6min2max5 (3, 2, 4, 5) = 14",
    ("2d6!max5", 19): "2d6!max5 (5!, 1, 5) = 11",
    ("1d6min7", 1): "1d6min7 (7) = 7",
    ("4dFmin2", 1): "4dFmin2 (2, 2, 2, 2) = 8",
    # success counting
    ("6d10cs>=8", 1): "6d10cs>=8 (3, 10, 2, 5, 2, 8) = 2",
    ("6d10cs>=8df=1", 2): "6d10cs>=8df1 (1, 2, 2, 6, 3, 5) = -1",
    ("4dFcs=1", 7): "4dFcs1 (0, -1, 0, 1) = 1",
    # everything at once: reroll, explode, keep, then count
    (
        "8d10ro1!kh5cs>=7df1",
        1,
    ): "8d10ro1!kh5cs>=7df1 (~~3~~, 10!, ~~2~~, ~~5~~, ~~2~~, 8, 8, 8, 7) = 5",
    ("8d10ro1!kh5cs>=7df1", 2): (
        "8d10ro1!kh5cs>=7df1 (~~1~~, ~~2~~, ~~2~~, 6, ~~3~~, 5, ~~5~~, 10!, ~~4~~, 10!, ~~1~~,"
        " 10!, ~~3~~) = 3"
    ),
    # groups: a dropped item is struck through whole
    ("{1d20+4, 1d12+6}kh1", 1): "{~~1d20 (5) + 4~~, 1d12 (10) + 6}kh1 = 16",
    ("{1d20+4, 1d12+6}kh1", 7): "{1d20 (11) + 4, ~~1d12 (3) + 6~~}kh1 = 15",
    ("{1d4, 2d6}kh1", 1): "{~~1d4 (2)~~, 2d6 (5, 1)}kh1 = 6",
    ("{1d6,1d6,1d6}dl1", 2): "{~~1d6 (1)~~, 1d6 (1), 1d6 (1)}dl1 = 2",
    ("{2d6, 2d6, 2d6}cs>=7", 1): "{2d6 (2, 5), 2d6 (1, 3), 2d6 (1, 4)}cs>=7 = 1",
    ("{1d6}", 1): "{1d6 (2)} = 2",
    # comparisons give 1 or 0
    ("2d6+3>=10", 1): "2d6 (2, 5) + 3 >= 10 = 1",
    ("2d6+3>=10", 2): "2d6 (1, 1) + 3 >= 10 = 0",
    ("1d20 > 1d20", 7): "1d20 (11) > 1d20 (5) = 1",
    ("1d20==20", 1): "1d20 (5) == 20 = 0",
    # labels ride along
    ("2d6[fire] + 1d4[cold]", 1): "2d6 (2, 5) [fire] + 1d4 (1) [cold] = 8",
    # arithmetic; `/` rounds down, towards minus infinity
    ("(1d4+1)*2", 1): "(1d4 (2) + 1) * 2 = 6",
    ("-1d8", 1): "-1d8 (3) = -3",
    ("1d6*-1", 7): "1d6 (3) * -1 = -3",
    ("1d20/3", 7): "1d20 (11) / 3 = 3",
    ("-1d20/3", 1): "-1d20 (5) / 3 = -2",
    ("-1d20/3", 7): "-1d20 (11) / 3 = -4",
    ("1d6-7/2", 1): "1d6 (2) - 7 / 2 = -1",
    ("1d6/(1d2-1)", 0): "1d6 (4) / (1d2 (2) - 1) = 4",
}


@pytest.mark.parametrize(("text", "seed"), list(PINNED))
def test_pinned_roll(text: str, seed: int) -> None:
    result = roll(text, seed=seed)
    expected = PINNED[text, seed]
    assert result.detail == expected
    assert str(result) == expected
    assert result.total == int(expected.rsplit(" = ", 1)[1])


@pytest.mark.parametrize(("text", "seed"), list(PINNED))
def test_text_and_tree_roll_alike(text: str, seed: int) -> None:
    assert roll(parse(text), seed=seed) == roll(text, seed=seed)


def test_integer_division_rounds_down() -> None:
    for text, total in [("7/2", 3), ("-7/2", -4), ("7/-2", -4), ("-7/-2", 3), ("6/3", 2)]:
        assert roll(text, seed=0).total == total


def test_same_seed_same_rolls_and_a_generator_moves_on() -> None:
    first = [roll("10d10!", seed=s).detail for s in range(20)]
    again = [roll("10d10!", seed=s).detail for s in range(20)]
    assert first == again
    assert len(set(first)) > 15
    rng = random.Random(5)
    sequence = [roll("4d6kh3", rng=rng).detail for _ in range(5)]
    rng = random.Random(5)
    assert [roll("4d6kh3", rng=rng).detail for _ in range(5)] == sequence
    assert len(set(sequence)) > 1


def test_unseeded_rolls_stay_in_range() -> None:
    totals = {roll("1d4").total for _ in range(400)}
    assert totals == {1, 2, 3, 4}


# -- errors while rolling ----------------------------------------------------------


def test_division_by_zero() -> None:
    with pytest.raises(DiceError) as caught:
        roll("1d6/0", seed=1)
    assert caught.value.message == "division by zero: '0' is 0"
    assert caught.value.span is not None and caught.value.span.column == 5
    with pytest.raises(DiceError) as caught:
        roll("1d6/(1d2-1)", seed=1)
    assert caught.value.message == "division by zero: '(1d2 - 1)' rolled 0"
    assert caught.value.span is not None and caught.value.span.column == 6


def test_error_spans_come_from_the_rolled_text() -> None:
    """Equal trees share nothing that would point an error at another text."""
    for text, column in [("1d6/0", 5), ("   1d6/0", 8), ("1d6 / 0", 7)]:
        with pytest.raises(DiceError) as caught:
            roll(text, seed=1)
        assert caught.value.span is not None and caught.value.span.column == column


def test_runtime_dice_limit() -> None:
    half = MAX_DICE // 2
    assert roll(f"{{{half}d6, {MAX_DICE - half}d6}}", seed=1).total > 0
    with pytest.raises(LimitError) as caught:
        roll(f"{{{half}d6, {MAX_DICE - half + 1}d6}}", seed=1)
    assert caught.value.message == f"this roll needs more than {MAX_DICE:,} dice"
    assert caught.value.span is not None and caught.value.span.column == 10


@pytest.mark.parametrize("text", [f"{MAX_DICE}d6!", f"{MAX_DICE}d6ro1", f"{MAX_DICE}d6rr<3"])
def test_rerolls_and_explosions_count_towards_the_dice_limit(text: str) -> None:
    with pytest.raises(LimitError) as caught:
        roll(text, seed=1)
    assert caught.value.message == f"this roll needs more than {MAX_DICE:,} dice"


def test_explosion_limit() -> None:
    # A d4 draws 3 bits and shows 1 + the bits, so bits of 3 always show a 4 ...
    class Highest(random.Random):
        def getrandbits(self, k: int) -> int:
            return 3  # a d4 (k == 3 bits) shows 4, every time

    with pytest.raises(LimitError) as caught:
        roll("1d4!", rng=Highest())
    assert caught.value.message == f"a die exploded more than {MAX_EXPLOSIONS} times"
    # ... and with exactly MAX_EXPLOSIONS explosions the roll stands.
    calls = iter([3] * MAX_EXPLOSIONS + [0])

    class Limited(random.Random):
        def getrandbits(self, k: int) -> int:
            return next(calls)

    result = roll("1d4!", rng=Limited())
    assert result.total == 4 * MAX_EXPLOSIONS + 1
    assert sum(die.exploded for die in result.dice()) == MAX_EXPLOSIONS


# -- the breakdown -----------------------------------------------------------------


def test_dice_lists_every_die_in_order() -> None:
    result = roll("2d6ro1 + 5d10!>=9kh3", seed=2)
    assert result.detail == (
        "2d6ro1 (~~1~~, 1, ~~1~~, 3) + 5d10!>=9kh3 (~~3~~, 5, ~~5~~, 10!, ~~4~~, 10!, ~~1~~) = 29"
    )
    rows = [(str(d.term), d.value, d.kept, d.rerolled, d.exploded) for d in result.dice()]
    assert rows == [
        ("2d6ro1", 1, False, True, False),
        ("2d6ro1", 1, True, False, False),
        ("2d6ro1", 1, False, True, False),
        ("2d6ro1", 3, True, False, False),
        ("5d10!>=9kh3", 3, False, False, False),
        ("5d10!>=9kh3", 5, True, False, False),
        ("5d10!>=9kh3", 5, False, False, False),
        ("5d10!>=9kh3", 10, True, False, True),
        ("5d10!>=9kh3", 4, False, False, False),
        ("5d10!>=9kh3", 10, True, False, True),
        ("5d10!>=9kh3", 1, False, False, False),
    ]
    assert all(isinstance(d, DieResult) and isinstance(d.term, Dice) for d in result.dice())


def test_to_json_shape() -> None:
    result = roll("{1d20+4, 1d12+6}kh1 >= 15", seed=1)
    data = result.to_json()
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "expression": "{1d20 + 4, 1d12 + 6}kh1 >= 15",
        "total": 1,
        "detail": "{~~1d20 (5) + 4~~, 1d12 (10) + 6}kh1 >= 15 = 1",
        "dice": [
            {
                "term": "1d20",
                "rolls": [{"value": 5, "kept": True, "rerolled": False, "exploded": False}],
            },
            {
                "term": "1d12",
                "rolls": [{"value": 10, "kept": True, "rerolled": False, "exploded": False}],
            },
        ],
    }


def test_to_json_of_a_roll_without_dice() -> None:
    assert roll("3 * 4", seed=1).to_json() == {
        "expression": "3 * 4",
        "total": 12,
        "detail": "3 * 4 = 12",
        "dice": [],
    }


def test_roll_is_a_value() -> None:
    result = roll("4d6kh3", seed=1)
    assert isinstance(result, Roll)
    assert result.expression == parse("4d6kh3")
    assert result == roll("4d6kh3", seed=1)
    assert result != roll("4d6kh3", seed=2)
