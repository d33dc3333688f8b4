"""The bundled Blades in the Dark rulebook: exact odds against an enumeration of the faces and
the published figures, and its core loop played through the CLI."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from fractions import Fraction
from itertools import product
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from rouge_rpg.beings import Being, Character
from rouge_rpg.engine.checks import check_odds, resolve_check
from rouge_rpg.rules import Rulebook, ast, load
from rouge_rpg.rules.load import read

ROOT = Path(__file__).resolve().parent.parent
BLADES = ROOT / "rulebooks" / "blades"
SHEETS = BLADES / "sheets"
ACTIONS = {
    "insight": ("hunt", "study", "survey", "tinker"),
    "prowess": ("finesse", "prowl", "skirmish", "wreck"),
    "resolve": ("attune", "command", "consort", "sway"),
}
LADDER = ("critical", "success", "partial", "falter", "failure")


@pytest.fixture(scope="module")
def rb() -> Rulebook:
    return load(BLADES)


def scoundrel(**ratings: int) -> Being:
    return Being.of(Character(name="Cutter", faction="crew", kind="person", attributes=ratings))


def odds(rb: Rulebook, check: str, actor: Being, **args: object) -> dict[str, Fraction]:
    found = rb.require(check, ast.Check)
    return dict(check_odds(rb, found, actor, args=args).outcomes)  # type: ignore[arg-type]


def kept(pool: int, faces: tuple[int, ...]) -> tuple[int, ...]:
    """The dice Blades reads: all of them, or with no dice the lower of two."""
    return (min(faces),) if pool <= 0 else faces


def rolls(pool: int) -> list[tuple[tuple[int, ...], Fraction]]:
    """Every roll of a pool (no dice: two), with its chance."""
    count = 2 if pool <= 0 else pool
    return [(faces, Fraction(1, 6**count)) for faces in product(range(1, 7), repeat=count)]


def enumerated_action(pool: int, position: str = "risky") -> dict[str, Fraction]:
    found = dict.fromkeys(LADDER, Fraction(0))
    for faces, chance in rolls(pool):
        dice = kept(pool, faces)
        if dice.count(6) >= 2:
            key = "critical"
        elif max(dice) == 6:
            key = "success"
        elif max(dice) >= 4:
            key = "partial"
        else:
            key = "falter" if position == "controlled" else "failure"
        found[key] += chance
    return found


def enumerated_stress(pool: int) -> dict[int, Fraction]:
    """What a resistance roll marks: -1 (a critical clears one), else 6 minus the highest die."""
    found: dict[int, Fraction] = {}
    for faces, chance in rolls(pool):
        dice = kept(pool, faces)
        cost = -1 if dice.count(6) >= 2 else 6 - max(dice)
        found[cost] = found.get(cost, Fraction(0)) + chance
    return found


def enumerated_resist(pool: int) -> dict[str, Fraction]:
    stress = enumerated_stress(pool)
    return {
        "critical": stress.get(-1, Fraction(0)),
        "resisted": stress.get(0, Fraction(0)),
        "costly": sum((c for s, c in stress.items() if s > 0), Fraction(0)),
    }


def given(*values: str) -> list[str]:
    """`--with NAME=VALUE` for each of `values`."""
    return [word for value in values for word in ("--with", value)]


# -- the rulebook and its sheets --------------------------------------------------------------


def test_the_rulebook_and_its_sheets_check_clean(rouge: Callable[..., Result]) -> None:
    loaded = read(BLADES, cached=False)
    assert loaded.diagnostics == []
    sheets = sorted(SHEETS.glob("*.yaml"))
    result = rouge("sheet", "validate", "--rulebook", str(BLADES), *map(str, sheets))
    assert result.exit_code == 0, result.output
    assert [p.stem for p in sheets] == ["brasca", "nyssa", "tobin"]


def test_the_twelve_actions_and_three_attributes(rb: Rulebook) -> None:
    for name in (*ACTIONS, *(a for group in ACTIONS.values() for a in group)):
        found = rb.require(name, ast.Attribute)
        assert (found.low, found.high, found.default) == (0, 4, 0), name
    check = rb.require("action", ast.Check)
    assert check.default
    assert [p.name.text for p in check.params] == ["action", "position", "effect", "bonus"]


@pytest.mark.parametrize("sheet", sorted(p.name for p in SHEETS.glob("*.yaml")))
def test_each_sheets_attributes_count_its_rated_actions(sheet: str) -> None:
    ratings = yaml.safe_load((SHEETS / sheet).read_text(encoding="utf-8"))["attributes"]
    for attribute, actions in ACTIONS.items():
        rated = sum(1 for a in actions if ratings.get(a, 0) >= 1)
        assert ratings.get(attribute, 0) == rated, (sheet, attribute)


# -- the action roll --------------------------------------------------------------------------


def test_an_action_matches_the_published_figures(rb: Rulebook) -> None:
    # Rating 2: a critical one time in 36; rating 1: a 6 one time in 6, 4-5 a third, 1-3 half.
    two = odds(rb, "action", scoundrel(prowl=2), action="prowl")
    assert two["critical"] == Fraction(1, 36)
    assert two == {
        "critical": Fraction(1, 36),
        "success": Fraction(5, 18),
        "partial": Fraction(4, 9),
        "falter": Fraction(0),
        "failure": Fraction(1, 4),
    }
    one = odds(rb, "action", scoundrel(prowl=1), action="prowl")
    assert (one["critical"], one["success"], one["partial"], one["failure"]) == (
        Fraction(0),
        Fraction(1, 6),
        Fraction(1, 3),
        Fraction(1, 2),
    )
    # No dice: two, keep the lower. Both must be 6 to succeed; a critical cannot happen.
    zero = odds(rb, "action", scoundrel(), action="prowl")
    assert (zero["critical"], zero["success"], zero["partial"], zero["failure"]) == (
        Fraction(0),
        Fraction(1, 36),
        Fraction(2, 9),
        Fraction(3, 4),
    )


@pytest.mark.parametrize("position", ["controlled", "risky", "desperate"])
@pytest.mark.parametrize("rating", [0, 1, 2, 3, 4])
def test_every_rating_and_position_matches_an_enumeration(
    rb: Rulebook, rating: int, position: str
) -> None:
    found = odds(rb, "action", scoundrel(skirmish=rating), action="skirmish", position=position)
    assert found == enumerated_action(rating, position)


@pytest.mark.parametrize(
    ("rating", "bonus", "pool"),
    [(0, 1, 1), (0, 2, 2), (1, -1, 0), (0, -1, 0), (2, 1, 3), (3, -1, 2), (4, 2, 6)],
)
def test_bonus_dice_go_through_the_zero_dice_rule(
    rb: Rulebook, rating: int, bonus: int, pool: int
) -> None:
    found = odds(rb, "action", scoundrel(wreck=rating), action="wreck", bonus=bonus)
    assert found == enumerated_action(pool)


def test_effect_does_not_change_the_odds(rb: Rulebook) -> None:
    actor = scoundrel(sway=3)
    base = odds(rb, "action", actor, action="sway")
    for effect in ("limited", "standard", "great"):
        assert odds(rb, "action", actor, action="sway", effect=effect) == base


def test_the_fortune_roll_reads_the_dice_the_same_way(rb: Rulebook) -> None:
    names = {"critical": "exceptional", "success": "good", "partial": "mixed", "failure": "bad"}
    for pool in range(5):
        expected = {names[k]: v for k, v in enumerated_action(pool).items() if k in names}
        assert odds(rb, "fortune", scoundrel(), pool=pool) == expected


@pytest.mark.parametrize(
    ("position", "faces", "outcome", "harm"),
    [
        ("controlled", (4,), "partial", 1),
        ("risky", (5,), "partial", 2),
        ("desperate", (4,), "partial", 3),
        ("controlled", (3,), "falter", 0),
        ("risky", (1,), "failure", 2),
        ("desperate", (2,), "failure", 3),
        ("desperate", (6,), "success", 0),
    ],
)
def test_consequences_mark_harm_by_position(
    rb: Rulebook, position: str, faces: tuple[int, ...], outcome: str, harm: int
) -> None:
    check = rb.require("action", ast.Check)
    for seed in range(200):
        done = resolve_check(
            rb,
            check,
            scoundrel(hunt=1),
            args={"action": "hunt", "position": position},
            rng=random.Random(seed),
        )
        assert done.rolled is not None
        if tuple(d.value for d in done.rolled.dice()) == faces:
            break
    else:
        raise AssertionError(f"no seed rolls {faces}")
    assert done.outcome == outcome
    marked = [(e.verb, e.what, e.amount) for e in done.effects]
    assert marked == ([("set", "harm", harm)] if harm else [])


# -- the resistance roll ----------------------------------------------------------------------


@pytest.mark.parametrize("rating", [0, 1, 2, 3, 4])
def test_resistance_matches_an_enumeration(rb: Rulebook, rating: int) -> None:
    found = odds(rb, "resist", scoundrel(prowess=rating), attr="prowess")
    assert found == enumerated_resist(rating)


def test_resistance_figures(rb: Rulebook) -> None:
    assert odds(rb, "resist", scoundrel(resolve=2), attr="resolve") == {
        "critical": Fraction(1, 36),
        "resisted": Fraction(5, 18),
        "costly": Fraction(25, 36),
    }
    assert odds(rb, "resist", scoundrel(), attr="resolve")["critical"] == 0
    assert odds(rb, "resist", scoundrel(insight=1), attr="insight", bonus=1) == enumerated_resist(2)
    assert enumerated_stress(2) == {
        -1: Fraction(1, 36),
        0: Fraction(10, 36),
        1: Fraction(9, 36),
        2: Fraction(7, 36),
        3: Fraction(5, 36),
        4: Fraction(3, 36),
        5: Fraction(1, 36),
    }


@pytest.mark.parametrize("rating", [0, 1, 3])
def test_each_resistance_roll_marks_six_minus_the_highest_die(rb: Rulebook, rating: int) -> None:
    check = rb.require("resist", ast.Check)
    seen: set[str] = set()
    for seed in range(300):
        done = resolve_check(
            rb, check, scoundrel(prowess=rating), args={"attr": "prowess"}, rng=random.Random(seed)
        )
        assert done.rolled is not None
        dice = kept(rating, tuple(d.value for d in done.rolled.dice()))
        marked = [(e.verb, e.what, e.amount) for e in done.effects]
        seen.add(done.outcome)
        if dice.count(6) >= 2:
            assert (done.outcome, marked) == ("critical", [("reduce", "stress", 1)])
        elif max(dice) == 6:
            assert (done.outcome, marked) == ("resisted", [])
        else:
            assert done.outcome == "costly"
            assert marked == [("advance", "stress", 6 - max(dice))]
            assert done.narrative == f"Cutter resists, and marks {6 - max(dice)} stress."
    assert "costly" in seen and "resisted" in seen


# -- the core loop through the CLI ------------------------------------------------------------


def test_the_core_loop_through_the_cli(
    rouge: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ROUGE_CAMPAIGN", raising=False)
    monkeypatch.chdir(tmp_path)
    assert rouge("campaign", "init", "--rulebook", str(BLADES)).exit_code == 0
    joined = rouge(
        "campaign", "join", *(str(SHEETS / f"{n}.yaml") for n in ("brasca", "nyssa", "tobin"))
    )
    assert joined.exit_code == 0, joined.output

    weighed = rouge("check", "nyssa", "prowl", "--odds")
    assert weighed.exit_code == 0, weighed.output
    assert weighed.output.splitlines() == [
        "Nyssa: Action roll: exact odds",
        "  critical     2.78%  1/36",
        "  success     27.78%  5/18",
        "  partial     44.44%  4/9",
        "  falter          0%  0/1",
        "  failure     25.00%  1/4",
    ]
    unskilled = rouge("check", "nyssa", "skirmish", "--odds", "--with", "position=controlled")
    assert unskilled.output.splitlines()[1:] == [
        "  critical        0%  0/1",
        "  success      2.78%  1/36",
        "  partial     22.22%  2/9",
        "  falter      75.00%  3/4",
        "  failure         0%  0/1",
    ]

    desperate = rouge(
        "check", "brasca", "skirmish", *given("position=desperate", "effect=great"), "--seed", "1"
    )
    assert desperate.exit_code == 0, desperate.output
    assert desperate.output.splitlines() == [
        "Brasca: Action roll (action skirmish, position desperate, effect great, bonus 0)",
        "  roll      2d6 (2, 5) = 7",
        "partial: Brasca does it, with great effect, but from a desperate position it costs: "
        "harm 3.",
        "effects:",
        "  Brasca: set harm 3",
        "state:",
        "  Brasca: Harm 0 → 3",
        "recorded in campaign.rouge.db",
    ]

    wrong = rouge("check", "brasca", "skirmish", "--with", "position=despreate")
    assert wrong.exit_code == 2
    assert (
        "'despreate' is not a choice of position: it is one of controlled, risky, desperate"
        in wrong.output
    )

    helped = rouge("use", "nyssa", "assist", "--target", "brasca", "--seed", "1")
    assert helped.exit_code == 0, helped.output
    assert "  Nyssa: Stress 2 → 3" in helped.output
    critical = rouge(
        "check", "brasca", "wreck", *given("bonus=1", "position=controlled"), "--seed", "20"
    )
    assert critical.exit_code == 0, critical.output
    assert critical.output.splitlines()[:3] == [
        "Brasca: Action roll (action wreck, position controlled, effect standard, bonus 1)",
        "  roll      2d6 (6, 6) = 12",
        "critical: Critical: Brasca does it, with increased effect: a level above standard.",
    ]

    pushed = rouge("use", "brasca", "push_yourself", "--seed", "1")
    assert pushed.exit_code == 0, pushed.output
    assert "  Brasca: Stress 0 → 2" in pushed.output
    resisted = rouge("check", "brasca", "resist", "--with", "attr=prowess", "--seed", "4")
    assert resisted.exit_code == 0, resisted.output
    assert resisted.output.splitlines()[1:] == [
        "  roll      3d6 (2, 3, 1) = 6",
        "costly: Brasca resists, and marks 3 stress.",
        "effects:",
        "  Brasca: advance stress 3",
        "state:",
        "  Brasca: Stress 2 → 5",
        "recorded in campaign.rouge.db",
    ]

    # Tobin is one stress from breaking: the ninth box brings a trauma, and he is out.
    assert rouge("campaign", "adjust", "tobin", "stress", "8").exit_code == 0
    broken = rouge("check", "tobin", "resist", "--with", "attr=insight", "--seed", "1")
    assert broken.exit_code == 0, broken.output
    assert broken.output.splitlines()[5:11] == [
        "state:",
        "  Tobin: Stress 8 → 9",
        "  Tobin: Trauma 0 → 1",
        "  Tobin: Stress 9 → 0",
        "  Tobin gains out_of_action",
        "  Tobin breaks under the strain: a trauma, and out of the action for now.",
    ]
    out = rouge("check", "tobin", "study", "--seed", "2")
    assert out.exit_code == 1
    assert "out_of_action blocks every action" in out.output

    status = rouge("campaign", "status")
    assert status.exit_code == 0, status.output
    assert status.output.splitlines()[1:] == [
        "id      character  harm  stress  trauma  conditions",
        "brasca  Brasca     3     5       0       -",
        "nyssa   Nyssa      0     3       0       -",
        "tobin   Tobin      1     0       1       out_of_action (this scene)",
    ]
    tracks = {
        c["id"]: c["tracks"]
        for c in json.loads(rouge("campaign", "status", "--json").stdout)["characters"]
    }
    assert tracks["brasca"] == {"harm": 3, "stress": 5, "trauma": 0}
    replay = rouge("campaign", "replay")
    assert "6 of 6 recorded rolls reproduce." in replay.output
