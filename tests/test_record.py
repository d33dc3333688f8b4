"""`Record`: the equality, hash and text that the value classes share."""

from __future__ import annotations

import pickle
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rouge_rpg.campaign.state import CampaignState
from rouge_rpg.dice import ast as dice
from rouge_rpg.dice.parse import parse
from rouge_rpg.record import Record
from rouge_rpg.rules.parse import parse_text

TESTS = Path(__file__).parent


@attrs.frozen(repr=False, eq=False, slots=False)
class Pair(Record):
    left: int
    right: object
    note: str = attrs.field(default="", eq=False)


@attrs.frozen(repr=False, eq=False, slots=False)
class OtherPair(Record):
    left: int
    right: object


@attrs.frozen
class GeneratedPair:
    """The same fields with the methods attrs writes itself: what Record must agree with."""

    left: int
    right: object
    note: str = attrs.field(default="", eq=False)


values = st.recursive(st.integers() | st.text(max_size=3), lambda inner: st.tuples(inner, inner))


@given(values, values, values, values)
def test_equality_and_hash_agree_with_what_attrs_writes(
    a: object, b: object, c: object, d: object
) -> None:
    ours = Pair(1, a) == Pair(1, b), Pair(1, a, "x") == Pair(1, b, "y"), Pair(1, c) == Pair(2, d)
    theirs = (
        GeneratedPair(1, a) == GeneratedPair(1, b),
        GeneratedPair(1, a, "x") == GeneratedPair(1, b, "y"),
        GeneratedPair(1, c) == GeneratedPair(2, d),
    )
    assert ours == theirs
    if Pair(1, a) == Pair(1, b):
        assert hash(Pair(1, a, "x")) == hash(Pair(1, b, "y"))


def test_fields_left_out_of_equality_are_shown_but_not_compared() -> None:
    assert Pair(1, 2, "one note") == Pair(1, 2, "another")
    assert repr(Pair(1, (2, 3), "n")) == "Pair(left=1, right=(2, 3), note='n')"
    assert {Pair(1, 2, "a"), Pair(1, 2, "b")} == {Pair(1, 2)}


def test_another_class_with_the_same_fields_is_not_equal() -> None:
    assert Pair(1, 2) != OtherPair(1, 2)
    assert Pair(1, 2) != (1, 2)
    assert Pair(1, 2).__eq__((1, 2)) is NotImplemented


def test_nodes_read_from_different_places_are_equal_and_hash_alike() -> None:
    first, second = parse("2d6 + 3"), parse("   2d6   +   3")
    assert first.span != second.span  # type: ignore[attr-defined]
    assert first == second and hash(first) == hash(second)
    assert parse("2d6 + 4") != first
    assert isinstance(first, dice.Node) and isinstance(first, Record)


def test_rules_survive_pickling_unchanged() -> None:
    text = (TESTS / "data" / "good" / "basic" / "checks.rouge").read_text()
    tree, diagnostics = parse_text(text, "checks.rouge")
    assert not diagnostics
    again = pickle.loads(pickle.dumps(tree))
    assert again == tree and hash(again) == hash(tree) and str(again) == str(tree)


def test_mutable_state_stays_unhashable() -> None:
    with pytest.raises(TypeError):
        hash(CampaignState())
