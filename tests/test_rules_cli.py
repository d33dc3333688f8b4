"""`rouge rules check | list | show` on the test rulebooks: exact output and exit status.

Run from the repository's root (the paths printed are relative to it), on
tests/data/good/basic and its house-rules overlay tests/data/good/overlay.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

ROOT = Path(__file__).resolve().parent.parent
BASIC = "tests/data/good/basic"
OVERLAY = "tests/data/good/overlay"
FACTIONS = f"{BASIC}/world/factions.rouge"


#: Paths in messages are relative to the working folder: run from the repository root.
pytestmark = pytest.mark.usefixtures("at_root")


def lines(*text: str) -> str:
    return "".join(t + "\n" for t in text)


# -- rouge rules check ----------------------------------------------------------------------


def test_check_valid_rulebook(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "check", BASIC)
    assert result.exit_code == 0
    assert result.stdout == "Basic Rules: 35 definitions in 4 files, no errors\n"
    assert result.stderr == ""


def test_check_with_overlay(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "check", BASIC, OVERLAY)
    assert result.exit_code == 0
    assert result.stdout == "Basic Rules + House Rules: 37 definitions in 6 files, no errors\n"


def test_check_json_of_valid_rulebook_is_empty_list(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "check", "--json", BASIC)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_check_json_shape(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "check", "--json", "tests/data/bad/unknown_name")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "file": "tests/data/bad/unknown_name/rulebook.rouge",
            "line": 3,
            "column": 23,
            "severity": "error",
            "message": "unknown kind 'neen' (did you mean 'nean'?)",
        }
    ]


def test_check_json_of_a_warning(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "check", "--json", "tests/data/bad/file_not_included")
    assert result.exit_code == 0
    (found,) = json.loads(result.stdout)
    assert set(found) == {"file", "line", "column", "severity", "message"}
    assert found["severity"] == "warning"
    assert found["file"] == "tests/data/bad/file_not_included/rulebook.rouge"


def test_check_missing_folder(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "check", "tests/data/good/nowhere")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Error: tests/data/good/nowhere: no such rulebook folder\n"


def test_check_folder_without_entry_file(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "check", "tests/data/good")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: tests/data/good has no rulebook.rouge, the file a rulebook starts from\n"
    )


def test_check_a_file_instead_of_a_folder(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "check", f"{BASIC}/rulebook.rouge")
    assert result.exit_code == 2
    assert "is a file; a rulebook is a folder with rulebook.rouge in it" in result.stderr


def test_check_outside_the_working_folder(tmp_path: Path, rouge: Callable[..., Result]) -> None:
    """Paths outside the working folder are shown in full."""
    (tmp_path / "rulebook.rouge").write_text("kind a\nkind a\n", encoding="utf-8")
    result = rouge("rules", "check", str(tmp_path))
    assert result.exit_code == 1
    entry = tmp_path.resolve() / "rulebook.rouge"
    assert result.stdout == lines(
        f"{entry}:2:6: error: 'a' is already defined as a kind at {entry}:1",
        "  kind a",
        "       ^",
        "1 error in 1 file",
    )


# -- rouge rules list -----------------------------------------------------------------------


def test_list(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "list", "--rulebook", BASIC)
    assert result.exit_code == 0
    assert result.stdout == lines(
        "const       base_dc                              tests/data/good/basic/core.rouge:3",
        "const       hard_dc                              tests/data/good/basic/core.rouge:4",
        "attribute   body           Body                  tests/data/good/basic/core.rouge:6",
        "attribute   reflex         Reflex                tests/data/good/basic/core.rouge:7",
        "attribute   stealth        Stealth               tests/data/good/basic/core.rouge:8",
        "kind        human          Human                 tests/data/good/basic/core.rouge:11",
        "kind        nean           Nean                  tests/data/good/basic/core.rouge:12",
        "kind        alter          Alter                 tests/data/good/basic/core.rouge:14",
        "bonus_type  armor          Armor                 tests/data/good/basic/core.rouge:16",
        "act         harm           Harm a human          tests/data/good/basic/core.rouge:18",
        "act         obey           Obey a human's order  tests/data/good/basic/core.rouge:19",
        "resource    nectar         Nectar                tests/data/good/basic/core.rouge:22",
        "track       wounds         Wounds                tests/data/good/basic/core.rouge:29",
        "track       will           Will                  tests/data/good/basic/core.rouge:31",
        "clock       manhunt        The manhunt           tests/data/good/basic/core.rouge:35",
        "condition   exposed        Exposed               tests/data/good/basic/core.rouge:38",
        "condition   armored        Armored               tests/data/good/basic/core.rouge:42",
        "condition   shutdown       Shut down             tests/data/good/basic/core.rouge:44",
        "condition   down           Down                  tests/data/good/basic/core.rouge:46",
        "condition   dead           Dead                  tests/data/good/basic/core.rouge:48",
        "condition   awakened       Awakened              tests/data/good/basic/core.rouge:51",
        "check       action         Action                tests/data/good/basic/checks.rouge:3",
        "check       strike         Strike                tests/data/good/basic/checks.rouge:16",
        "check       free_will      Free will             tests/data/good/basic/checks.rouge:26",
        f"faction     neans          Neans                 {FACTIONS}:3",
        f"faction     ochrona        Ochrona               {FACTIONS}:15",
        f"faction     usurpers       Usurpers              {FACTIONS}:18",
        f"faction     immortal_nine  The Immortal Nine     {FACTIONS}:20",
        f"member      giallon        Giallon               {FACTIONS}:23",
        f"member      nius           Nius                  {FACTIONS}:26",
        f"ability     armor_up       Armor up              {FACTIONS}:28",
        f"ability     mend           Mend                  {FACTIONS}:39",
        f"power       thunderbolt    Thunderbolt           {FACTIONS}:53",
        f"power       hide           Hide                  {FACTIONS}:68",
        f"constraint  asimov_code    The Asimov Code       {FACTIONS}:73",
    )


def test_list_kind(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "list", "--kind", "power", "--rulebook", BASIC)
    assert result.exit_code == 0
    assert result.stdout == lines(
        f"power  thunderbolt  Thunderbolt  {FACTIONS}:53",
        f"power  hide         Hide         {FACTIONS}:68",
    )


def test_list_kind_matches_the_keyword_and_the_family(rouge: Callable[..., Result]) -> None:
    """`--kind track` lists clocks too (a clock is a track); `--kind clock` only clocks."""
    tracks = rouge("rules", "list", "--kind", "track", "--json", "--rulebook", BASIC)
    assert [r["id"] for r in json.loads(tracks.stdout)] == ["wounds", "will", "manhunt"]
    clocks = rouge("rules", "list", "--kind", "clock", "--json", "--rulebook", BASIC)
    assert [r["id"] for r in json.loads(clocks.stdout)] == ["manhunt"]
    abilities = rouge("rules", "list", "--kind", "ability", "--json", "--rulebook", BASIC)
    assert [r["id"] for r in json.loads(abilities.stdout)] == [
        "armor_up",
        "mend",
        "thunderbolt",
        "hide",
    ]


def test_list_json(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "list", "--kind", "clock", "--json", "--rulebook", BASIC)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {
            "kind": "clock",
            "id": "manhunt",
            "title": "The manhunt",
            "file": "tests/data/good/basic/core.rouge",
            "line": 35,
        }
    ]
    everything = json.loads(rouge("rules", "list", "--json", "--rulebook", BASIC).stdout)
    assert len(everything) == 35
    assert all(set(row) == {"kind", "id", "title", "file", "line"} for row in everything)
    assert {"kind": "const", "id": "base_dc", "title": None}.items() <= everything[0].items()


def test_list_unknown_kind(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "list", "--kind", "spell", "--rulebook", BASIC)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: no definitions of kind 'spell'; the kinds are ability, act, attribute, "
        "bonus_type, check, clock, condition, const, constraint, faction, kind, member, power, "
        "resource, track\n"
    )


def test_list_with_overlay(rouge: Callable[..., Result]) -> None:
    result = rouge(
        "rules", "list", "--kind", "condition", "--rulebook", BASIC, "--rulebook", OVERLAY
    )
    assert result.exit_code == 0
    assert result.stdout == lines(
        "condition  exposed   Exposed (house)  tests/data/good/overlay/rulebook.rouge:7",
        "condition  armored   Armored          tests/data/good/basic/core.rouge:42",
        "condition  shutdown  Shut down        tests/data/good/basic/core.rouge:44",
        "condition  down      Down             tests/data/good/basic/core.rouge:46",
        "condition  dead      Dead             tests/data/good/basic/core.rouge:48",
        "condition  awakened  Awakened         tests/data/good/basic/core.rouge:51",
    )
    skills = rouge(
        "rules", "list", "--kind", "attribute", "--json", "--rulebook", BASIC, "--rulebook", OVERLAY
    )
    assert [r["id"] for r in json.loads(skills.stdout)] == ["body", "reflex", "stealth", "charm"]


def test_list_of_a_broken_rulebook_shows_its_errors(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "list", "--rulebook", "tests/data/bad/unknown_name")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == lines(
        "Error: tests/data/bad/unknown_name/rulebook.rouge:3:23: error: unknown kind 'neen'",
        '  kind alter "Alter" is neen',
        "                        ^~~~",
        "  did you mean 'nean'?",
        "1 error found",
    )


def test_list_missing_folder(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "list", "--rulebook", "tests/data/good/nowhere")
    assert result.exit_code == 2
    assert result.stderr == "Error: tests/data/good/nowhere: no such rulebook folder\n"


# -- rouge rules show -----------------------------------------------------------------------


def test_show_check(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "show", "action", "--rulebook", BASIC)
    assert result.exit_code == 0
    assert result.stdout == lines(
        'check action "Action"  (tests/data/good/basic/checks.rouge:3)',
        "",
        '  check action(stat: attribute, dc = base_dc) "Action" default:',
        "    roll 2d6 + actor[stat]",
        "    vs dc",
        '    modifier -1 to all when actor.has(exposed) "Shaken"',
        '    critical when dice == 12: "{actor.name} does it flawlessly."',
        '    success when margin >= 3: "Clean work."',
        '    partial when margin >= 0: "Done, at a cost."',
        "      gain exposed for 1 scene",
        "      lose nectar 1",
        '    failure otherwise: "It goes wrong."',
        "      damage 1",
        "      advance manhunt",
        "",
        "A check with stat: attribute, dc = base_dc: roll 2d6 + actor[stat] against dc.",
        "It is the default check: naming an attribute rolls it with that attribute.",
        "Modifier -1 to this check when the actor has exposed (Shaken).",
        "Outcomes, the first that holds:",
        "  critical when the dice alone is 12",
        "  success when the margin is at least 3",
        "  partial when the margin is at least 0: gain exposed for 1 scene; lose nectar 1",
        "  failure otherwise: damage actor 1; advance manhunt",
    )


def test_show_resource(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "show", "nectar", "--rulebook", BASIC)
    assert result.exit_code == 0
    assert result.stdout == lines(
        'resource nectar "Nectar"  (tests/data/good/basic/core.rouge:22)',
        "",
        '  resource nectar "Nectar" max 10 start 6 decay 1 per day:',
        "    at 0: gain shutdown",
        "    at 0 for 3 days:",
        "      gain dead",
        '      narrate "{actor.name} is disposed of as trash."',
        '    description "The drug every Nean needs."',
        "",
        "A resource from 0 to 10; characters start with 6.",
        "It decays by 1 every day of game time.",
        "When it reaches 0: gain shutdown.",
        "When it reaches 0 and stays there 3 days: gain dead; "
        'narrate "{actor.name} is disposed of as',
        '  trash."',  # prose wraps under 100 columns
        "The drug every Nean needs.",
    )


def test_show_power(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "show", "thunderbolt", "--rulebook", BASIC)
    assert result.exit_code == 0
    assert result.stdout == lines(
        f'power thunderbolt "Thunderbolt"  ({FACTIONS}:53)',
        "",
        '  power thunderbolt "Thunderbolt":',
        "    for member giallon",
        "    requires actor.has(armored) and actor.nectar >= 2",
        "    cost nectar 2",
        "    target required",
        "    check strike(stat = body, bonus = 2)",
        "    on hit, glance: damage target 2d6 + 2",
        "    on miss:",
        "      lose nectar 1",
        "      set target will 0",
        "      advance target will 2",
        "      reduce manhunt 2",
        '    effects: narrate "Thunder rolls."',
        "    lasts 1 round",
        '    description "Lightning from a clear sky."',
        "",
        "A power for member giallon.",
        "Requires the actor has armored and the actor's nectar is at least 2.",
        "Costs 2 nectar.",
        "A target is required.",
        "Rolls strike(stat = body, bonus = 2).",
        "On hit, glance: damage target 2d6 + 2.",
        "On miss: lose nectar 1; set target will 0; advance target will 2; reduce manhunt 2.",
        'Always: narrate "Thunder rolls."',
        "Lasts 1 round.",
        "Lightning from a clear sky.",
    )


def test_show_constraint(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "show", "asimov_code", "--rulebook", BASIC)
    assert result.exit_code == 0
    assert result.stdout == lines(
        f'constraint asimov_code "The Asimov Code"  ({FACTIONS}:73)',
        "",
        '  constraint asimov_code "The Asimov Code":',
        "    applies to nean, alter",
        "    exempt when actor.has(awakened)",
        "    forbid harm when target.is(human) unless passes free_will",
        "    require obey when not actor.has(shutdown) unless passes free_will",
        '    description "Neans may not harm humans, and must obey them."',
        "",
        "A constraint on nean, alter beings.",
        "Not when the actor has awakened.",
        "It forbids harm when the target is human, unless the being passes free_will.",
        "It requires obey when not (the actor has shutdown), unless the being passes free_will.",
        "Neans may not harm humans, and must obey them.",
    )


def test_show_overridden_definition(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "show", "exposed", "--rulebook", BASIC, "--rulebook", OVERLAY)
    assert result.exit_code == 0
    assert result.stdout == lines(
        'condition exposed "Exposed (house)"  (tests/data/good/overlay/rulebook.rouge:7)',
        "",
        '  override condition exposed "Exposed (house)":',
        '    modifier +1 against all "Easy to find"',
        "    lasts 2 rounds",
        "",
        "A condition.",
        "Modifier +1 against the bearer, to every check (Easy to find).",
        "It lasts 2 rounds.",
    )


@pytest.mark.parametrize(
    "definition_id",
    [
        "base_dc", "body", "stealth", "alter", "armor", "harm", "wounds", "manhunt", "exposed",
        "shutdown", "strike", "free_will", "neans", "giallon", "nius", "armor_up", "mend", "hide",
    ],
)  # fmt: skip
def test_show_every_kind(definition_id: str, rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "show", definition_id, "--rulebook", BASIC)
    assert result.exit_code == 0
    head, blank, *rest = result.stdout.splitlines()
    assert f" {definition_id}" in head
    assert blank == ""
    assert rest and rest[-1] != ""


def test_show_unknown_id(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "show", "thunderbolts", "--rulebook", BASIC)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == lines(
        "Error: the rulebook has no definition 'thunderbolts'",
        "did you mean 'thunderbolt'?",
    )


def test_show_missing_folder(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "show", "action", "--rulebook", "tests/data/good/nowhere")
    assert result.exit_code == 2
    assert result.stderr == "Error: tests/data/good/nowhere: no such rulebook folder\n"


def test_show_folder_without_entry_file(rouge: Callable[..., Result]) -> None:
    result = rouge("rules", "show", "action", "--rulebook", "tests/data")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: tests/data has no rulebook.rouge, the file a rulebook starts from\n"
    )
