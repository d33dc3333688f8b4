"""The bundled Fate Core rulebook: exact odds against an enumeration of the 81 rolls of
4dF and the published figures, invokes (+2 and the reroll push), and its core loop
played through the CLI."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from itertools import product
from pathlib import Path

import attrs
import pytest
from click.testing import Result

from rouge_rpg.beings import Being, Character
from rouge_rpg.dice.odds import odds as dice_odds
from rouge_rpg.engine import Action, push_odds, resolve
from rouge_rpg.engine.checks import check_odds
from rouge_rpg.errors import RougeError
from rouge_rpg.rules import Rulebook, ast, load
from rouge_rpg.rules.load import read

ROOT = Path(__file__).resolve().parent.parent
FATE = ROOT / "rulebooks" / "fate"
SHEETS = FATE / "sheets"
#: The actions that roll against a difficulty, with the skill each defaults to.
AGAINST_A_DIFFICULTY = ("overcome", "create_advantage", "defend")
RUNGS = ["style", "succeed", "tie", "fail"]
#: The 4dF distribution every Fate table quotes: how many of the 81 rolls give -4..+4.
PUBLISHED_4DF = {-4: 1, -3: 4, -2: 10, -1: 16, 0: 19, 1: 16, 2: 10, 3: 4, 4: 1}


@pytest.fixture(scope="module")
def rb() -> Rulebook:
    return load(FATE)


def person(fate_points: int = 3, conditions: tuple[str, ...] = (), **skills: int) -> Being:
    character = Character(
        name="Someone", faction="cast", kind="person", attributes=skills, resources={}
    )
    return Being.of(character, resources={"fate_points": fate_points}, conditions=conditions)


def odds(
    rb: Rulebook, check: str, actor: Being, target: Being | None = None, **args: object
) -> dict[str, Fraction]:
    found = rb.require(check, ast.Check)
    outcomes = check_odds(rb, found, actor, target=target, args=args).outcomes  # type: ignore[arg-type]
    return {name: p for name, p in outcomes.items() if p}


def shifts(margin: int) -> str:
    """Fate's reading of a margin, written out here apart from the rulebook."""
    if margin >= 3:
        return "style"
    if margin >= 1:
        return "succeed"
    return "tie" if margin == 0 else "fail"


def enumerated(skill: int, difficulty: int) -> dict[str, Fraction]:
    """4dF + skill against a difficulty, by counting the 81 rolls of four Fate dice."""
    found: Counter[str] = Counter()
    for faces in product((-1, 0, 1), repeat=4):
        found[shifts(sum(faces) + skill - difficulty)] += 1
    return {name: Fraction(n, 81) for name, n in found.items()}


def enumerated_opposed(skill: int, defense: int) -> dict[str, Fraction]:
    """4dF + skill against 4dF + defense, by counting the 6,561 rolls of eight Fate dice."""
    found: Counter[str] = Counter()
    for faces in product((-1, 0, 1), repeat=8):
        found[shifts(sum(faces[:4]) + skill - sum(faces[4:]) - defense)] += 1
    return {name: Fraction(n, 3**8) for name, n in found.items()}


def test_the_rulebook_and_its_sheets_check_clean(rouge: Callable[..., Result]) -> None:
    loaded = read(FATE, cached=False)
    assert loaded.diagnostics == []
    sheets = sorted(map(str, SHEETS.glob("*.yaml")))
    result = rouge("sheet", "validate", "--rulebook", str(FATE), *sheets)
    assert result.exit_code == 0, result.output
    assert len(sheets) == 3


def test_skills_sit_on_the_ladder_from_mediocre_to_superb(rb: Rulebook) -> None:
    skills = [d for d in rb.of_kind("attribute") if isinstance(d, ast.Attribute)]
    assert len(skills) == 18
    assert {(s.low, s.high, s.default, s.skill) for s in skills} == {(0, 5, 0, True)}
    fate_points = rb.require("fate_points", ast.Resource)
    assert (fate_points.maximum, fate_points.start) == (10, 3)


def test_4df_is_the_published_distribution() -> None:
    counted = Counter(sum(faces) for faces in product((-1, 0, 1), repeat=4))
    assert counted == PUBLISHED_4DF
    assert dice_odds("4dF").distribution == {
        total: Fraction(n, 81) for total, n in PUBLISHED_4DF.items()
    }


def test_fair_against_fair_matches_the_published_figures(rb: Rulebook) -> None:
    # Skill equal to the difficulty: a tie on a roll of 0 (19 of 81), a success on
    # +1 or +2 (26), with style on +3 or +4 (5), a failure below 0 (31).
    expected = {
        "fail": Fraction(31, 81),
        "tie": Fraction(19, 81),
        "succeed": Fraction(26, 81),
        "style": Fraction(5, 81),
    }
    assert enumerated(2, 2) == expected
    for check in AGAINST_A_DIFFICULTY:
        assert odds(rb, check, person(athletics=2, notice=2), dc=2) == expected


@pytest.mark.parametrize("difficulty", [-2, 0, 1, 2, 4, 6, 8])
@pytest.mark.parametrize("skill", [0, 1, 3, 5])
@pytest.mark.parametrize("check", AGAINST_A_DIFFICULTY)
def test_every_action_against_a_difficulty_matches_an_enumeration(
    rb: Rulebook, check: str, skill: int, difficulty: int
) -> None:
    actor = person(stealth=skill)
    assert odds(rb, check, actor, skill="stealth", dc=difficulty) == enumerated(skill, difficulty)


@pytest.mark.parametrize(("skill", "defense"), [(4, 2), (2, 2), (1, 3)])
def test_an_attack_against_an_active_defense_matches_an_enumeration(
    rb: Rulebook, skill: int, defense: int
) -> None:
    found = odds(rb, "attack", person(fight=skill), target=person(athletics=defense))
    assert found == enumerated_opposed(skill, defense)
    assert sum(found.values()) == 1


def test_an_attack_between_equal_skills(rb: Rulebook) -> None:
    # Eight dice, 6,561 rolls: the difference of two 4dF rolls.
    assert odds(rb, "attack", person(fight=3), target=person(athletics=3)) == {
        "fail": Fraction(101, 243),
        "tie": Fraction(41, 243),
        "succeed": Fraction(200, 729),
        "style": Fraction(103, 729),
    }


def test_the_rungs_read_shifts_in_order(rb: Rulebook) -> None:
    for check in (*AGAINST_A_DIFFICULTY, "attack"):
        assert [r.name.text for r in rb.require(check, ast.Check).rungs] == RUNGS


def test_an_invoke_adds_two_and_no_more_than_the_points_held(rb: Rulebook) -> None:
    actor = person(fate_points=3, notice=2)
    assert odds(rb, "overcome", actor, skill="notice", invokes=1) == enumerated(4, 2)
    assert odds(rb, "overcome", actor, skill="notice", invokes=2) == enumerated(6, 2)
    # One point held: a second invoke adds nothing.
    poor = person(fate_points=1, notice=2)
    assert odds(rb, "overcome", poor, skill="notice", invokes=2) == enumerated(4, 2)


def test_a_consequence_helps_whoever_rolls_against_its_bearer_once(rb: Rulebook) -> None:
    hurt = person(athletics=2, conditions=("mild", "moderate"))
    # Two consequences, one type: +2 to the attacker, not +4.
    assert odds(rb, "attack", person(fight=2), target=hurt) == enumerated_opposed(4, 2)


def test_pushing_rerolls_all_four_dice(rb: Rulebook) -> None:
    # With `rerolls all`, the odds if pushed are the plain odds, whatever was rolled.
    mara = person(athletics=3)
    action = Action.of(rb, mara, "overcome", args={"skill": "athletics", "dc": 2})
    for seed in range(3):
        pushed = push_odds(rb, action, "invoke", rng=random.Random(seed))
        assert {k: v for k, v in pushed.outcomes.items() if v} == enumerated(3, 2)


def test_the_core_loop_through_the_cli(
    rouge: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ROUGE_CAMPAIGN", raising=False)
    monkeypatch.chdir(tmp_path)
    sheets = [str(SHEETS / f"{name}.yaml") for name in ("mara", "orrin", "wren")]
    assert rouge("campaign", "init", "--rulebook", str(FATE)).exit_code == 0
    joined = rouge("campaign", "join", *sheets)
    assert joined.exit_code == 0, joined.output

    weighed = rouge("check", "mara", "athletics", "--dc", "2", "--odds")
    assert weighed.exit_code == 0, weighed.output
    assert weighed.output.splitlines()[1:] == [
        "  style      18.52%  5/27",
        "  succeed    43.21%  35/81",
        "  tie        19.75%  16/81",
        "  fail       18.52%  5/27",
    ]

    rolled = rouge(
        "check", "mara", "overcome", "--with", "skill=athletics", "--dc", "2", "--seed", "1"
    )
    assert rolled.exit_code == 0, rolled.output
    assert rolled.output.splitlines()[:5] == [
        "Mara Venn: Overcome (skill athletics, dc 2, invokes 0)",
        "  roll      4dF (-1, 1, -1, 0) + 3 = 2",
        "  vs        2",
        "  margin    +0",
        "tie: Mara Venn gets there, at a small cost.",
    ]

    # The odds if pushed, with every die rolled again: the plain odds.
    if_pushed = rouge("push", "--odds")
    assert if_pushed.exit_code == 0, if_pushed.output
    assert if_pushed.output.splitlines()[1:5] == weighed.output.splitlines()[1:]

    pushed = rouge("push", "--seed", "5")
    assert pushed.exit_code == 0, pushed.output
    assert pushed.output.splitlines()[:6] == [
        "Mara Venn: Overcome (skill athletics, dc 2, invokes 0)",
        "  rolled    4dF (-1, 1, -1, 0) + 3 = 2, then pushed: invoke",
        "  roll      4dF (1, 0, 1, 0) + 3 = 5",
        "  vs        2",
        "  margin    +3",
        "style: Mara Venn is past it with room to spare, and the moment is theirs.",
    ]
    assert "  Mara Venn: Fate points 3 → 2" in pushed.output.splitlines()

    def mara() -> list[str]:
        status = rouge("campaign", "status")
        assert status.exit_code == 0, status.output
        return next(line.split() for line in status.output.splitlines() if line.startswith("mara"))

    assert mara()[3:] == ["2", "0", "boost", "(this", "scene)"]
    undone = rouge("campaign", "undo")
    assert undone.exit_code == 0, undone.output
    assert mara()[3:] == ["3", "0", "-"]
    replay = rouge("campaign", "replay")
    assert replay.exit_code == 0, replay.output
    assert "2 of 2 recorded rolls reproduce." in replay.output

    # Outside a campaign, the push is made as the roll is.
    outside = rouge(
        "check", "--rulebook", str(FATE), sheets[0], "overcome", "--with", "skill=athletics",
        "--dc", "2", "--no-campaign", "--push", "invoke", "--seed", "1",
    )  # fmt: skip
    assert outside.exit_code == 0, outside.output
    assert outside.output.splitlines()[:6] == [
        "Mara Venn: Overcome (skill athletics, dc 2, invokes 0)",
        "  rolled    4dF (-1, 1, -1, 0) + 3 = 2, then pushed: invoke",
        "  roll      4dF (1, -1, 1, 1) + 3 = 5",
        "  vs        2",
        "  margin    +3",
        "style: Mara Venn is past it with room to spare, and the moment is theirs.",
    ]
    assert "  Mara Venn: Fate points 3 → 2" in outside.output.splitlines()


def test_hits_stress_and_consequences_through_the_cli(
    rouge: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ROUGE_CAMPAIGN", raising=False)
    monkeypatch.chdir(tmp_path)
    sheets = [str(SHEETS / f"{name}.yaml") for name in ("mara", "orrin")]
    assert rouge("campaign", "init", "--rulebook", str(FATE)).exit_code == 0
    assert rouge("campaign", "join", *sheets).exit_code == 0

    hit = rouge("check", "orrin", "defend", "--dc", "4", "--seed", "2")
    assert hit.exit_code == 0, hit.output
    assert hit.output.splitlines()[:5] == [
        "Orrin Tull: Defend (skill athletics, dc 4, invokes 0)",
        "  roll      4dF (-1, -1, -1, 0) + 1 = -2",
        "  vs        4",
        "  margin    -6",
        "fail: It gets through: a 6-shift hit on Orrin Tull.",
    ]
    assert "  Orrin Tull is taken out, unless they take a consequence." in hit.output
    blocked = rouge("check", "orrin", "overcome", "--with", "skill=lore", "--dc", "1")
    assert blocked.exit_code == 1
    assert "taken_out blocks overcome" in blocked.output

    took = rouge("use", "orrin", "take_moderate")
    assert took.exit_code == 0, took.output
    assert "  Orrin Tull: Stress 4 → 0" in took.output.splitlines()
    again = rouge("use", "orrin", "take_moderate")
    assert again.exit_code == 1

    # The consequence and an invoke, both in the attacker's breakdown.
    struck = rouge(
        "check", "mara", "attack", "--vs", "orrin:athletics", "--with", "invokes=1", "--seed", "3"
    )
    assert struck.exit_code == 0, struck.output
    assert struck.output.splitlines()[:8] == [
        "Mara Venn: Attack vs Orrin Tull (skill fight, defense athletics, invokes 1)",
        "  roll      4dF (-1, 1, 1, -1) + 4 = 4, +4 modifiers = 8",
        "  modifier  +2 from check attack: Aspects invoked",
        "  modifier  +2 consequence from Orrin Tull's moderate: A moderate consequence",
        "  vs        4dF (0, 1, 0, 1) + 1 = 3",
        "  margin    +5",
        "style: A telling blow: a 5-shift hit on Orrin Tull"
        " (Mara Venn may make it one less for a boost).",
        "effects:",
    ]
    assert "  Mara Venn: Fate points 3 → 2" in struck.output.splitlines()
    assert "  Orrin Tull: Stress 0 → 4" in struck.output.splitlines()


def test_a_conflict_goes_in_order_of_notice(
    rouge: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bundled rulebook and its sheets, named alone.
    monkeypatch.delenv("ROUGE_CAMPAIGN", raising=False)
    monkeypatch.chdir(tmp_path)
    assert rouge("campaign", "init", "--rulebook", "fate").exit_code == 0
    assert rouge("campaign", "join", "mara", "orrin", "wren").exit_code == 0
    started = rouge("encounter", "start", "The docks", "--seed", "1")
    assert started.exit_code == 0, started.output
    assert started.output.splitlines()[1:] == [
        "  1. Wren  3  3 = 3",
        "  2. Mara Venn  2  2 = 2",
        "  3. Orrin Tull  1  1 = 1",
        "Wren's turn.",
    ]
    # A boost lasts to the end of its bearer's next turn.
    tied = rouge("check", "wren", "create_advantage", "--with", "skill=stealth", "--seed", "4")
    assert tied.exit_code == 0, tied.output
    assert "tie: No aspect, but Wren snatches a fleeting boost." in tied.output.splitlines()
    for _ in range(3):
        assert rouge("encounter", "next").exit_code == 0
    status = rouge("encounter", "status")
    assert "boost (to the end of 1 turn)" in status.output
    ended = rouge("encounter", "next")
    assert "Wren: boost runs out" in ended.output.splitlines()


def test_a_second_reroll_needs_a_second_fate_point(rb: Rulebook) -> None:
    poor = person(fate_points=1, athletics=3)
    action = Action.of(rb, poor, "overcome", args={"skill": "athletics", "dc": 2})
    once = resolve(rb, attrs.evolve(action, pushes=(("invoke", 5),)), rng=random.Random(1))
    assert [c.amount for c in once.effects if c.what == "fate_points"] == [1]  # no invokes: 0
    twice = attrs.evolve(action, pushes=(("invoke", 5), ("invoke", 6)))
    with pytest.raises(RougeError, match="cannot be made now"):
        resolve(rb, twice, rng=random.Random(1))
