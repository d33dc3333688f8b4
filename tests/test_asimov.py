"""The Asimov Code where it matters: an ability that performs an act a constraint governs.

`performs harm_human when target.is(human)` on an ability makes its use by a
being that a constraint binds face the constraint first: the free-will check
rolls before anything else, is shown, and the ability goes ahead only if the
act is allowed. A blocked use pays no cost and has no effect but the free-will
check's own; its outcome is `blocked`, and the command exits 0, as `rouge
free-will` does for `bound`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from rouge_rpg import resources

Rouge = Callable[..., Result]


@pytest.fixture
def table(isolated: Path, bundled_sheet: Callable[[str], Path]) -> Path:
    """A folder with a bound Giallon (not awakened, free will 2), Naomi (human), a war machine."""
    text = bundled_sheet("giallon").read_text(encoding="utf-8")
    bound = text.replace("conditions: [awakened, armored]", "conditions: [armored]").replace(
        "free_will: 5", "free_will: 2"
    )
    assert bound != text
    (isolated / "giallon.yaml").write_text(bound, encoding="utf-8")
    shutil.copy(bundled_sheet("giallon"), isolated / "awakened.yaml")
    for name in ("naomi", "usurper_war_machine"):
        shutil.copy(bundled_sheet(name), isolated / f"{name}.yaml")
    return isolated


def ok(rouge: Rouge, *args: str) -> Result:
    result = rouge(*args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    return result


BLOCKED = """\
Giallon: Thunderbolt vs Naomi Orthmann
  first, Giallon: Harm a human vs Naomi Orthmann (free_will_check)
    roll      2d6 (2, 5) + 2 = 9
    vs        12
    margin    -3
  bound (the act does not happen): The Code grips Giallon, and the moment passes. \
The Asimov Code holds: Giallon does not harm a human.
blocked: Thunderbolt does not happen.
effects:
  Giallon: advance stress 1
state:
  Giallon: Stress 0 → 1
"""

GOES_AHEAD = """\
Giallon: Thunderbolt vs Naomi Orthmann (attack)
  first, Giallon: Harm a human vs Naomi Orthmann (free_will_check)
    roll      2d6 (6, 6) + 2 = 14
    vs        12
    margin    +2
  strained (the act goes ahead): Giallon forces the act through the Code, and it shows. \
Giallon overcomes The Asimov Code: the act goes ahead.
  roll      2d6 (2, 3) + 5 = 10, +2 modifiers = 12
  modifier  +1 armor from Giallon's armored: \
Armored strength
  modifier  +1 from Giallon (member giallon): \
A killer, whatever the system says
  vs        2d6 (6, 6) + 3 = 15
  margin    -3
failure: Naomi Orthmann slips away from Giallon.
effects:
  Giallon: lose nectar 1
  Giallon: advance stress 1
  Giallon: gain exposed
  Giallon: advance manhunt 1
  Giallon: lose nectar 2
state:
  Giallon: Nectar 8 → 7
  Giallon: Stress 0 → 1
  Giallon gains exposed
  Giallon: Ochrona's manhunt 4 → 5
  Giallon: Nectar 7 → 5
"""


def test_a_bound_nean_is_blocked_when_the_check_fails(table: Path, rouge: Rouge) -> None:
    args = ("use", "giallon.yaml", "thunderbolt", "--target", "naomi.yaml", "--seed", "1")
    assert ok(rouge, *args).output == BLOCKED
    data = json.loads(ok(rouge, *args, "--json").output)
    assert (data["outcome"], data["allowed"], data["check"], data["total"]) == (
        "blocked",
        False,
        None,
        None,
    )
    # No cost paid, no damage: only the free-will check's own effect.
    assert [(e["name"], e["verb"], e["what"]) for e in data["effects"]] == [
        ("Giallon", "advance", "stress")
    ]
    (faced,) = data["free_will"]
    assert (faced["action"], faced["name"], faced["outcome"], faced["allowed"]) == (
        "free-will",
        "harm_human",
        "bound",
        False,
    )
    assert data["narrative"] == "Thunderbolt does not happen."


def test_the_free_will_roll_comes_first(table: Path, rouge: Rouge) -> None:
    """With the same seed, the free-will roll is the one `rouge free-will` would make."""
    use = json.loads(
        ok(rouge, "use", "giallon.yaml", "thunderbolt", "--target", "naomi.yaml",
           "--seed", "20", "--json").output
    )  # fmt: skip
    alone = json.loads(
        ok(rouge, "free-will", "giallon.yaml", "--act", "harm_human", "--by", "naomi.yaml",
           "--seed", "20", "--json").output
    )  # fmt: skip
    assert use["free_will"][0]["dice"] == alone["dice"] == "2d6 (6, 6) + 2 = 14"
    assert use["free_will"][0]["outcome"] == alone["outcome"] == "strained"


def test_a_bound_nean_goes_ahead_when_the_check_passes(table: Path, rouge: Rouge) -> None:
    args = ("use", "giallon.yaml", "thunderbolt", "--target", "naomi.yaml", "--seed", "20")
    assert ok(rouge, *args).output == GOES_AHEAD
    data = json.loads(ok(rouge, *args, "--json").output)
    assert (data["outcome"], data["allowed"]) == ("failure", True)
    trace = data["trace"]
    assert trace.index("performs harm_human when target.is(human): yes") < trace.index(
        "check free_will_check (rulebooks/metallic_rouge/core.rouge:186)"
    )
    assert trace.index("check free_will_check (rulebooks/metallic_rouge/core.rouge:186)") < (
        trace.index("check attack (rulebooks/metallic_rouge/core.rouge:168)")
    )


def test_an_awakened_nean_goes_ahead_without_a_check(table: Path, rouge: Rouge) -> None:
    args = ("use", "awakened.yaml", "thunderbolt", "--target", "naomi.yaml", "--seed", "1")
    text = ok(rouge, *args).output
    assert "first," not in text and "free_will_check" not in text
    assert text.splitlines()[0] == "Giallon: Thunderbolt vs Naomi Orthmann (attack)"
    data = json.loads(ok(rouge, *args, "--json").output)
    (faced,) = data["free_will"]
    assert (faced["outcome"], faced["allowed"], data["allowed"]) == ("free", True, True)
    assert "constraint asimov_code: exempt, the actor has awakened" in data["trace"]
    assert any(e["verb"] == "lose" and e["what"] == "nectar" for e in data["effects"])


def test_a_non_human_target_does_not_trigger_it(table: Path, rouge: Rouge) -> None:
    args = ("use", "giallon.yaml", "thunderbolt", "--target", "usurper_war_machine.yaml")
    data = json.loads(ok(rouge, *args, "--seed", "1", "--json").output)
    assert (data["free_will"], data["allowed"]) == ([], None)
    assert "performs harm_human when target.is(human): no" in data["trace"]
    assert not any("free_will_check" in line for line in data["trace"])


def test_no_constraint_binds_a_human(table: Path, rouge: Rouge) -> None:
    args = ("use", "naomi.yaml", "arrest", "--target", "naomi.yaml", "--seed", "1", "--json")
    data = json.loads(ok(rouge, *args).output)
    assert data["free_will"] == [] and data["allowed"] is None
    assert "no constraint binds a human: Naomi Orthmann need not face it" in data["trace"]


ODDS = """\
Giallon: Thunderbolt: exact odds
  modifier  +1 armor from Giallon's armored
  modifier  +1 from Giallon (member giallon)
  critical     0.46%  1/216
  success     10.61%  275/2592
  partial      2.94%  229/7776
  failure      2.65%  103/3888
  blocked     83.33%  5/6
  the act goes ahead: 16.67% (1/6)
"""


def test_the_odds_include_the_chance_the_act_is_allowed(table: Path, rouge: Rouge) -> None:
    args = ("use", "giallon.yaml", "thunderbolt", "--target", "naomi.yaml", "--odds")
    assert ok(rouge, *args).output == ODDS
    data = json.loads(ok(rouge, *args, "--json").output)
    assert data["allowed"] == "1/6"
    assert data["odds"]["blocked"] == "5/6"
    # Against a war machine, nothing to face: the power's own odds, no `allowed`.
    other = ("use", "giallon.yaml", "thunderbolt", "--target", "usurper_war_machine.yaml")
    data = json.loads(ok(rouge, *other, "--odds", "--json").output)
    assert "allowed" not in data and "blocked" not in data["odds"]


def test_a_forbidden_act_blocks_without_a_roll(table: Path, rouge: Rouge) -> None:
    """A house rule that forbids the act outright: no dice at all, and nothing happens."""
    house = table / "house"
    house.mkdir()
    (house / "rulebook.rouge").write_text(
        'override constraint asimov_code "The Asimov Code":\n'
        "  applies to nean\n"
        "  forbid harm_human when target.is(human)\n",
        encoding="utf-8",
    )
    args = ("use", "giallon.yaml", "thunderbolt", "--target", "naomi.yaml", "--seed", "1")
    bundled = str(resources.bundled_rulebook())
    rulebooks = ("--rulebook", bundled, "--rulebook", "house")
    result = ok(rouge, *args, *rulebooks)
    assert result.output == (
        "Giallon: Thunderbolt vs Naomi Orthmann\n"
        "  first, Giallon: Harm a human vs Naomi Orthmann\n"
        "  forbidden (the act does not happen): The Asimov Code forbids it outright; "
        "no will overcomes it.\n"
        "blocked: Thunderbolt does not happen.\n"
    )
    odds = json.loads(ok(rouge, *args[:-2], *rulebooks, "--odds", "--json").output)
    assert odds["odds"]["blocked"] == "1/1" and odds["allowed"] == "0/1"


def test_a_campaign_records_a_blocked_use_and_replays_it(table: Path, rouge: Rouge) -> None:
    ok(rouge, "campaign", "init")
    ok(rouge, "campaign", "join", "giallon.yaml", "naomi.yaml")
    args = ("use", "giallon.yaml", "thunderbolt", "--target", "naomi.yaml", "--seed", "1")
    assert ok(rouge, *args).output.endswith("recorded in campaign.rouge.db\n")
    event = json.loads(ok(rouge, "campaign", "log", "--json").output)[-1]
    assert event["kind"] == "resolution"
    assert [(a["what"], a["before"], a["after"]) for a in event["applied"]] == [("stress", 0, 1)]
    assert "1 of 1 recorded rolls reproduce." in ok(rouge, "campaign", "replay").output
