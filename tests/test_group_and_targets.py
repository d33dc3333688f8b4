"""Several targets for one use, and a group rolling one check, with exact odds of the group."""

from __future__ import annotations

import json
import random
import shutil
from fractions import Fraction
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from conftest import SHEETS, Table

from rouge_rpg.beings import Being, Character
from rouge_rpg.engine import Action, odds, resolve
from rouge_rpg.engine.checks import group_odds, read_group
from rouge_rpg.rules import ast, load


def test_a_use_against_several_targets_pays_its_cost_once(rouge: Any) -> None:
    result = rouge(
        "use",
        "giallon",
        "thunderbolt",
        "--target",
        "rouge",
        "-t",
        "noid_262",
        "--seed",
        "5",
        "--no-campaign",
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("Giallon: Thunderbolt vs ") == 2
    assert "Giallon: Thunderbolt vs Rouge Redstar" in out
    assert "Giallon: Thunderbolt vs Noid 262" in out
    assert out.count("Giallon: lose nectar 2") == 1
    assert "  Giallon: Nectar 8 → 6\n" in out
    data = json.loads(
        rouge(
            "use",
            "giallon",
            "thunderbolt",
            "-t",
            "rouge",
            "-t",
            "noid_262",
            "--seed",
            "5",
            "--no-campaign",
            "--json",
        ).stdout
    )
    assert [r["target"] for r in data["results"]] == ["Rouge Redstar", "Noid 262"]
    assert data["seed"] == 5


def test_several_targets_are_recorded_as_parts_and_replay(table: Table) -> None:
    for name in ("giallon",):
        shutil.copy(SHEETS / f"{name}.yaml", Path(f"{name}.yaml"))
    table.start("giallon", "rouge", "noid_262")
    table.ok("use", "giallon", "thunderbolt", "-t", "rouge", "-t", "noid_262", "--seed", "5")
    parts = [e["request"] for e in table.events() if e["kind"] == "resolution"]
    assert [(p["target"], p.get("part", 0), p.get("pays", True)) for p in parts] == [
        ("rouge", 0, True),
        ("noid_262", 1, False),
    ]
    assert table.who("giallon")["resources"]["nectar"] == 6
    assert table.ok("campaign", "replay").stdout.endswith("2 of 2 recorded rolls reproduce.\n")


def test_a_cost_per_target_is_paid_for_each(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "rulebook.rouge").write_text(
        'kind nean "Nean"\n'
        'resource nectar "Nectar" max 10\n'
        'track harm "Harm" range 0..6 for damage\n'
        'faction workers "Workers":\n  kind nean\n  abilities zap\n'
        'ability zap "Zap":\n  for faction workers\n  target required\n'
        "  cost nectar 2\n  cost nectar 1 per target\n  effects: damage target 1\n",
        encoding="utf-8",
    )
    rb = load(folder)
    kit = Being.of(
        Character(name="Kit", faction="workers", kind="nean", abilities=("zap",)),
        resources={"nectar": 5},
    )
    foe = Being.of(Character(name="Foe", faction="workers", kind="nean"))
    first = resolve(rb, Action("use", "zap", kit, foe), rng=random.Random(1))
    again = resolve(rb, Action("use", "zap", kit, foe, pays=False), rng=random.Random(1))
    paid = [(e.what, e.amount) for e in first.effects if e.verb == "lose"]
    assert paid == [("nectar", 2), ("nectar", 1)]
    assert [(e.what, e.amount) for e in again.effects if e.verb == "lose"] == [("nectar", 1)]


@pytest.mark.parametrize(
    ("way", "outcomes", "read"),
    [
        ("half", ["success", "failure", "partial"], "partial"),
        ("half", ["success", "failure"], "success"),
        ("best", ["failure", "partial", "critical"], "critical"),
        ("worst", ["success", "critical", "partial"], "partial"),
    ],
)
def test_a_group_is_read_as_the_check_says(
    bundled_rulebook: Any, way: str, outcomes: list[str], read: str
) -> None:
    import attrs

    check = attrs.evolve(bundled_rulebook.require("action", ast.Check), group=way)
    assert read_group(check, outcomes) == read


def test_group_odds_are_the_members_odds_combined(bundled_rulebook: Any) -> None:
    check = bundled_rulebook.require("action", ast.Check)
    members = [
        odds(bundled_rulebook, Action.of(bundled_rulebook, c, "reflex", args={"dc": 9}))
        for c in (
            Character(name="A", faction="neans", kind="nean", attributes={"reflex": 4}),
            Character(name="B", faction="neans", kind="nean", attributes={"reflex": 1}),
            Character(name="C", faction="neans", kind="nean", attributes={"reflex": 2}),
        )
    ]
    whole = group_odds(check, members)
    # by enumeration: every combination of the members' outcomes, read the same way
    expected: dict[str, Fraction] = {r.name.text: Fraction(0) for r in check.rungs}
    for combo in product(*(m.outcomes.items() for m in members)):
        chance = Fraction(1)
        for _, p in combo:
            chance *= p
        expected[read_group(check, [o for o, _ in combo])] += chance
    assert whole.outcomes == expected
    assert whole.exact and sum(whole.outcomes.values()) == 1


def test_a_group_check_from_the_cli(rouge: Any) -> None:
    result = rouge(
        "check", "rouge,naomi,noid_262", "reflex", "--dc", "9", "--seed", "3", "--no-campaign"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Action (stat reflex, dc 9)") == 3
    assert "\ngroup (half): " in result.stdout
    odds_text = rouge("check", "rouge,naomi", "reflex", "--dc", "9", "--odds", "--no-campaign")
    assert odds_text.stdout.splitlines()[0] == (
        "Rouge Redstar, Naomi Orthmann as a group: Action: exact odds"
    )
    assert "  critical     5.48%  71/1296" in odds_text.stdout
