"""The bundled Powered-by-the-Apocalypse rulebook: exact odds against the published figures,
and its core loop played through the CLI."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from itertools import product
from pathlib import Path

import pytest
from click.testing import Result

from rouge_rpg.beings import Being, Character
from rouge_rpg.engine.checks import check_odds
from rouge_rpg.rules import Rulebook, ast, load
from rouge_rpg.rules.load import read

ROOT = Path(__file__).resolve().parent.parent
PBTA = ROOT / "rulebooks" / "pbta"
SHEETS = PBTA / "sheets"
STATS = ("cool", "hard", "hot", "sharp", "weird")


@pytest.fixture(scope="module")
def rb() -> Rulebook:
    return load(PBTA)


def mover(**stats: int) -> Being:
    return Being.of(Character(name="Mover", faction="crew", kind="person", attributes=stats))


def odds(rb: Rulebook, check: str, actor: Being, **args: object) -> dict[str, Fraction]:
    found = rb.require(check, ast.Check)
    return dict(check_odds(rb, found, actor, args=args).outcomes)  # type: ignore[arg-type]


def enumerated(bonus: int) -> dict[str, Fraction]:
    """2d6 + bonus, read the PbtA way, by counting the 36 rolls."""
    found = {"strong_hit": Fraction(0), "weak_hit": Fraction(0), "miss": Fraction(0)}
    for a, b in product(range(1, 7), repeat=2):
        total = a + b + bonus
        key = "strong_hit" if total >= 10 else "weak_hit" if total >= 7 else "miss"
        found[key] += Fraction(1, 36)
    return found


def test_the_rulebook_and_its_sheets_check_clean(rouge: Callable[..., Result]) -> None:
    loaded = read(PBTA, cached=False)
    assert loaded.diagnostics == []
    result = rouge("sheet", "validate", "--rulebook", str(PBTA), *map(str, SHEETS.glob("*.yaml")))
    assert result.exit_code == 0, result.output
    assert len(list(SHEETS.glob("*.yaml"))) == 3


def test_a_move_at_plus_one_matches_the_published_figures(rb: Rulebook) -> None:
    # The figures every PbtA game quotes for +1: 10+ on 10 rolls of 36, 7-9 on 16.
    assert odds(rb, "move", mover(cool=1), stat="cool") == {
        "strong_hit": Fraction(5, 18),
        "weak_hit": Fraction(4, 9),
        "miss": Fraction(5, 18),
    }
    assert odds(rb, "act_under_fire", mover(cool=1)) == odds(rb, "move", mover(cool=1), stat="cool")


@pytest.mark.parametrize("bonus", [-1, 0, 1, 2, 3])
@pytest.mark.parametrize("stat", STATS)
def test_every_stat_matches_an_enumeration(rb: Rulebook, stat: str, bonus: int) -> None:
    assert odds(rb, "move", mover(**{stat: bonus}), stat=stat) == enumerated(bonus)


def test_help_interference_and_forward(rb: Rulebook) -> None:
    actor = mover(hard=1)
    assert odds(rb, "move", actor, stat="hard", aid="helped") == enumerated(2)
    assert odds(rb, "move", actor, stat="hard", aid="hindered") == enumerated(-1)
    assert odds(rb, "move", actor, stat="hard", forward=1, aid="helped") == enumerated(3)


def test_standing_starts_level(rb: Rulebook) -> None:
    assert rb.require("standing", ast.Track).initial == 0


def test_the_core_loop_through_the_cli(
    rouge: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    keeler, dremmer = str(SHEETS / "keeler.yaml"), str(SHEETS / "dremmer.yaml")
    assert rouge("campaign", "init", "--rulebook", str(PBTA)).exit_code == 0
    joined = rouge("campaign", "join", keeler, dremmer)
    assert joined.exit_code == 0, joined.output

    weighed = rouge("check", "keeler", "cool", "--odds")
    assert weighed.exit_code == 0, weighed.output
    assert weighed.output.splitlines()[1:] == [
        "  strong_hit    27.78%  5/18",
        "  weak_hit      44.44%  4/9",
        "  miss          27.78%  5/18",
    ]
    helped = rouge("check", "keeler", "sharp", "--with", "aid=helped", "--seed", "1")
    assert helped.exit_code == 0, helped.output
    assert "modifier  +1 from check move" in helped.output
    assert helped.output.splitlines()[1] == "  roll      2d6 (2, 5) + 2 + 0 = 9, +1 modifiers = 10"
    assert "strong_hit: A strong hit: Keeler does it, and well." in helped.output

    wrong = rouge("check", "keeler", "sharp", "--with", "aid=help")
    assert wrong.exit_code == 2
    assert "'help' is not a choice of aid: it is one of alone, helped, hindered" in wrong.output

    hurt = rouge("check", "keeler", "harm_move", "--with", "amount=3", "--seed", "5")
    assert hurt.exit_code == 0, hurt.output
    assert hurt.output.splitlines()[:3] == [
        "Keeler: Harm move (amount 3)",
        "  roll      2d6 (5, 3) + 3 = 11",
        "out: Keeler is out of the action.",
    ]
    assert "Keeler: Harm 0 → 3" in hurt.output

    charmed = rouge("check", "dremmer", "seduce_or_manipulate", "--seed", "3")
    assert charmed.exit_code == 0, charmed.output
    status = rouge("campaign", "status")
    assert status.exit_code == 0, status.output
    rows = {line.split()[0]: line.split() for line in status.output.splitlines()[1:]}
    assert rows["keeler"][2:4] == ["3", "0"]
    replay = rouge("campaign", "replay")
    assert "3 of 3 recorded rolls reproduce." in replay.output


def test_the_bundled_rulebook_and_sheets_are_named_alone(
    rouge: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From any folder (an installed wheel has no rulebooks/ beside it): `pbta`, `keeler`.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ROUGE_CAMPAIGN", raising=False)
    rolled = rouge("check", "--rulebook", "pbta", "keeler", "cool", "--no-campaign", "--seed", "1")
    assert rolled.exit_code == 0, rolled.output
    assert rolled.output.splitlines()[1] == "  roll      2d6 (2, 5) + 1 + 0 = 8"
    assert rouge("campaign", "init", "--rulebook", "pbta").exit_code == 0
    assert rouge("campaign", "join", "keeler", "dremmer").exit_code == 0
    listed = rouge("campaign", "rulebook", "list")
    assert listed.output.splitlines()[1] == f"  {PBTA}"
    missing = rouge("rules", "check", "pbtaa")
    assert missing.exit_code == 2
    assert "pbtaa: no such rulebook folder" in missing.output
    assert "a bundled rulebook is named alone: " in missing.output
    assert "pbta" in missing.output.splitlines()[-1]
