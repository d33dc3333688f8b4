"""Encounters: initiative and turn order, rounds, durations by round and scene, skipping.

A three-round fight, Rouge and Naomi against three war machines from one
sheet, played through the CLI with seeds, and its journal undone and replayed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import SHEETS, Table, lines


def fight(table: Table, *more: str) -> list[str]:
    """The campaign with Rouge, Naomi and wm1..wm3; an encounter started with a seed."""
    for name in ("naomi", "usurper_war_machine"):
        shutil.copy(SHEETS / f"{name}.yaml", Path(f"{name}.yaml"))
    table.ok("campaign", "init")
    table.ok("campaign", "join", "rouge.yaml", "naomi.yaml")
    table.ok("campaign", "join", "usurper_war_machine.yaml", "--count", "3", "--as", "wm")
    started = table.ok("encounter", "start", "Cathedral", "--check", "reflex", "--seed", "3", *more)
    return started.stdout.splitlines()


def order(table: Table) -> list[str]:
    encounter = json.loads(table.ok("encounter", "status", "--json").stdout)["encounter"]
    return [slot["id"] for slot in encounter["order"]]


def test_initiative_orders_the_participants_with_the_seed(table: Table) -> None:
    said = fight(table)
    assert said[0] == "Encounter 'Cathedral' begins: round 1."
    first_name = table.who(order(table)[0])["name"]
    assert said[-1] == f"{first_name}'s turn."
    # highest initiative first
    encounter = json.loads(table.ok("encounter", "status", "--json").stdout)["encounter"]
    values = [slot["initiative"] for slot in encounter["order"]]
    assert values == sorted(values, reverse=True)
    assert len(said) == 2 + len(values)
    # the same seed, the same order
    first = order(table)
    table.ok("encounter", "end")
    table.ok("encounter", "start", "Again", "--check", "reflex", "--seed", "3")
    assert order(table) == first


def test_next_walks_the_order_then_the_round(table: Table) -> None:
    fight(table)
    seen = [table.ok("encounter", "next").stdout for _ in range(len(order(table)))]
    assert seen[-1].startswith("Round 2.\n")
    status = table.ok("encounter", "status").stdout.splitlines()
    assert status[0] == "Encounter 'Cathedral', round 2"
    assert status[1].startswith(">")


def test_a_round_long_condition_runs_out_at_the_start_of_its_bearers_next_turn(
    table: Table,
) -> None:
    fight(table)
    ids = order(table)
    bearer = ids[0]  # whose turn it is: their next turn is a round away
    table.ok("campaign", "add", bearer, "exposed", "--for", "1 round")
    assert "exposed (1 round left)" in table.ok("encounter", "status").stdout
    for _ in range(len(ids) - 1):
        assert "runs out" not in table.ok("encounter", "next").stdout
    assert "exposed" in table.who(bearer)["conditions"]
    said = table.ok("encounter", "next").stdout.splitlines()
    name = table.who(bearer)["name"]
    assert said == ["Round 2.", f"{name}: exposed runs out", f"{name}'s turn."]
    assert "exposed" not in table.who(bearer)["conditions"]


def test_two_rounds_last_two_of_the_bearers_turns(table: Table) -> None:
    fight(table)
    ids = order(table)
    bearer = ids[-1]  # not yet acted this round: the first of its turns comes this round
    table.ok("campaign", "add", bearer, "exposed", "--for", "2 rounds")
    said = "".join(table.ok("encounter", "next").stdout for _ in range(len(ids) - 1))
    assert "runs out" not in said
    said = "".join(table.ok("encounter", "next").stdout for _ in range(len(ids)))
    assert f"{table.who(bearer)['name']}: exposed runs out" in said


def test_a_scene_long_condition_runs_out_when_the_encounter_ends(table: Table) -> None:
    fight(table)
    table.ok("campaign", "add", "naomi", "exposed", "--for", "scene")
    for _ in range(7):
        table.ok("encounter", "next")
    assert "exposed" in table.who("naomi")["conditions"]
    assert table.ok("encounter", "end").stdout == lines(
        "Naomi Orthmann: exposed runs out", "Encounter 'Cathedral' ends after round 2."
    )
    assert "exposed" not in table.who("naomi")["conditions"]


def test_the_incapacitated_are_skipped_and_said(table: Table) -> None:
    fight(table)
    table.ok("campaign", "damage", "wm2", "6")
    said = "".join(table.ok("encounter", "next").stdout for _ in range(len(order(table))))
    assert "Usurper war machine 2 is down: skipped." in said


def test_groups_roll_once_and_act_together(table: Table) -> None:
    said = fight(table, "--group")
    assert any(
        "Usurper war machine 1, Usurper war machine 2, Usurper war machine 3" in line
        for line in said
    )
    assert len(order(table)) == 3  # rouge, naomi and the group
    text = "".join(table.ok("encounter", "next").stdout for _ in range(3))
    assert "Usurper war machine 1, Usurper war machine 2, Usurper war machine 3 act." in text


def acting(table: Table) -> str:
    encounter = json.loads(table.ok("encounter", "status", "--json").stdout)["encounter"]
    return str(encounter["order"][encounter["turn"]]["id"])


def test_participants_join_leave_are_set_and_delay(table: Table) -> None:
    fight(table)
    table.ok("encounter", "remove", "wm3")
    assert "wm3" not in order(table)
    table.ok("encounter", "add", "wm3", "--seed", "9")
    assert "wm3" in order(table)
    now = acting(table)
    table.ok("encounter", "set", "naomi", "99")
    assert order(table)[0] == "naomi"
    assert acting(table) == now  # setting a value does not pass the turn
    assert table.ok("encounter", "set", "wm1", "-5").stdout == (
        "Usurper war machine 1's initiative is -5.\n"
    )
    assert order(table)[-1] == "wm1"
    delayed = table.ok("encounter", "delay").stdout.splitlines()
    assert delayed[0] == f"{table.who(now)['name']} delays."
    assert order(table)[-1] == now


def test_a_fight_undoes_step_by_step_and_replays(table: Table) -> None:
    fight(table)
    before = order(table)
    table.ok("use", "rouge", "red_gladiator", "--seed", "1")
    table.ok("encounter", "next")
    table.ok("campaign", "undo")
    encounter = json.loads(table.ok("encounter", "status", "--json").stdout)["encounter"]
    assert encounter["turn"] == 0 and encounter["round"] == 1
    table.ok("encounter", "end")
    table.ok("campaign", "undo")
    assert order(table) == before  # the encounter is back
    assert table.ok("campaign", "replay").stdout.endswith("recorded rolls reproduce.\n")


def test_encounter_commands_need_a_running_encounter(table: Table) -> None:
    table.start("rouge")
    result = table.rouge("encounter", "next")
    assert result.exit_code == 2
    assert result.stderr == (
        'Error: no encounter is running\nstart one with: rouge encounter start "Name"\n'
    )
    # the bundled rulebook marks its initiative check: no --check needed
    assert table.ok("encounter", "start", "Brawl").stdout.startswith(
        "Encounter 'Brawl' begins: round 1.\n"
    )


def test_a_rulebook_without_an_initiative_check_asks_for_one(table: Table) -> None:
    book = Path("book")
    book.mkdir()
    (book / "rulebook.rouge").write_text(
        'rulebook tiny "Tiny"\nattribute body "Body" range 1..5 default 2\n'
        "check action(stat: attribute) default:\n  roll 2d6 + actor[stat]\n"
        "  ok when total >= 8\n  no otherwise\n",
        encoding="utf-8",
    )
    table.ok("campaign", "init", "--rulebook", "book")
    unmarked = table.rouge("encounter", "start", "Brawl")
    assert unmarked.exit_code == 2
    assert unmarked.stderr == (
        "Error: the rulebook marks no check as initiative\n"
        "name one with --check CHECK_OR_ATTRIBUTE, or mark a check: "
        "check initiative ... initiative:\n"
    )


def test_rounds_advance_game_time_by_their_length(table: Table) -> None:
    fight(table, "--round", "1m")
    for _ in range(len(order(table))):
        table.ok("encounter", "next")
    assert table.status()["time"] == 1


def test_a_secret_roll_is_hidden_from_the_players_export(table: Table) -> None:
    table.start("rouge")
    table.ok("check", "rouge", "reflex", "--dc", "9", "--seed", "1", "--secret")
    assert table.ok("campaign", "log").stdout.splitlines()[-1].endswith("(secret)")
    gm = table.ok("campaign", "export").stdout
    players = table.ok("campaign", "export", "--players").stdout
    assert "Rouge Redstar: Action" in gm and "(secret)" in gm
    assert "Rouge Redstar: Action" not in players
    assert "a secret roll" in players
    hidden = json.loads(table.ok("campaign", "export", "--json", "--players").stdout)
    assert hidden["events"][-1] == {
        "seq": 2,
        "time": 0,
        "kind": "resolution",
        "secret": True,
        "summary": "a secret roll",
    }


def test_log_shows_one_encounter(table: Table) -> None:
    fight(table)
    table.ok("encounter", "next")
    table.ok("encounter", "end")
    table.ok("campaign", "advance", "1h")
    shown = table.ok("campaign", "log", "--encounter").stdout.splitlines()
    assert "encounter 'Cathedral' begins" in shown[0]
    assert "Encounter 'Cathedral' ends after round 1." in shown[-1]
    assert len(shown) == 3
    named = table.ok("campaign", "log", "--encounter", "Cathedral").stdout.splitlines()
    assert named == shown
    missing = table.rouge("campaign", "log", "--encounter", "Nowhere")
    assert missing.exit_code == 2
    assert "no encounter named 'Nowhere'" in missing.stderr


def test_at_hostile_targets_every_hostile_participant(table: Table) -> None:
    shutil.copy(SHEETS / "giallon.yaml", Path("giallon.yaml"))
    fight(table)
    table.ok("campaign", "join", "giallon.yaml")
    table.ok("encounter", "add", "giallon", "--seed", "2")
    result = table.ok("use", "wm1", "barrage", "-t", "@hostile", "--seed", "4")
    struck = [line for line in result.stdout.splitlines() if ": Barrage vs " in line]
    # the war machines are hostile to humans and Neans, not to each other
    assert {line.split(" vs ")[1].split(" (")[0] for line in struck} == {
        "Rouge Redstar",
        "Naomi Orthmann",
        "Giallon",
    }
    assert "note:" not in result.stderr  # one of several from a sheet is not 'changed'
    lonely = table.rouge("use", "wm1", "barrage", "-t", "@hostile", "--no-campaign")
    assert lonely.exit_code == 2
    assert "@hostile names the participants of an encounter: it needs one" in lonely.stderr


def test_replay_rolls_initiative_again_and_says_when_it_differs(table: Table) -> None:
    fight(table)  # initiative rolled with --check reflex and seed 3
    table.ok("encounter", "remove", "wm3")
    table.ok("encounter", "add", "wm3", "--seed", "8")
    assert table.ok("campaign", "replay").stdout == "2 of 2 recorded rolls reproduce.\n"
    # against a rulebook where the check rolls otherwise, the initiative no longer reproduces
    book = Path("book")
    shutil.copytree(SHEETS.parent, book, ignore=shutil.ignore_patterns("sheets"))
    rules = (book / "core.rouge").read_text(encoding="utf-8")
    (book / "core.rouge").write_text(
        rules.replace("  roll 2d6 + actor[stat]\n", "  roll 3d6 + actor[stat]\n", 1),
        encoding="utf-8",
    )
    changed = table.rouge("campaign", "replay", "--rulebook", str(book))
    assert changed.exit_code == 1
    assert "encounter 'Cathedral' begins: does not reproduce" in changed.stdout
    assert ": initiative recorded " in changed.stdout


def test_a_three_round_fight(table: Table) -> None:
    """Rouge and Naomi against three war machines from one sheet, round by round."""
    fight(table)
    ids = order(table)
    # round 1: a round-long condition on whoever acts first, a scene-long one on Naomi
    first = ids[0]
    table.ok("campaign", "add", first, "exposed", "--for", "1 round")
    table.ok("campaign", "add", "naomi", "inspired", "--for", "scene")
    # a multi-target barrage hits two, with one seed
    barrage = table.ok("use", "wm1", "barrage", "-t", "rouge", "-t", "naomi", "--seed", "21")
    assert barrage.stdout.count("Usurper war machine 1: Barrage vs ") == 2
    # a group check, read as the check says
    grouped = table.ok("check", "rouge,naomi", "reflex", "--dc", "9", "--seed", "22")
    assert "\ngroup (half): " in grouped.stdout
    said = "".join(table.ok("encounter", "next").stdout for _ in range(len(ids) - 1))
    assert "exposed runs out" not in said
    # round 2 begins with the first to act: their round-long condition runs out
    round_two = table.ok("encounter", "next").stdout
    assert round_two.startswith(f"Round 2.\n{table.who(first)['name']}: exposed runs out\n")
    for _ in range(len(ids) * 2):  # rounds 2 and 3
        table.ok("encounter", "next")
    status = json.loads(table.ok("encounter", "status", "--json").stdout)["encounter"]
    assert status["round"] == 4
    assert "inspired" in table.who("naomi")["conditions"]
    ended = table.ok("encounter", "end").stdout
    assert "Naomi Orthmann: inspired runs out" in ended
    assert "inspired" not in table.who("naomi")["conditions"]
    # replay: the initiative and the four resolutions (two targets, two in the group)
    assert table.ok("campaign", "replay").stdout == "5 of 5 recorded rolls reproduce.\n"
    fight_log = table.ok("campaign", "log", "--encounter").stdout.splitlines()
    assert fight_log[0].endswith("encounter 'Cathedral' begins")
    assert fight_log[-1].endswith("Encounter 'Cathedral' ends after round 4.")


def test_a_turn_long_condition_runs_out_at_the_end_of_its_bearers_turn(table: Table) -> None:
    fight(table)
    ids = order(table)
    bearer = ids[1]  # acts second: their turn ends at the second `next`
    table.ok("campaign", "add", bearer, "exposed", "--for", "1 turn")
    assert "exposed (to the end of 1 turn)" in table.ok("encounter", "status").stdout
    assert "runs out" not in table.ok("encounter", "next").stdout  # the first's turn ends
    assert "exposed" in table.who(bearer)["conditions"]
    said = table.ok("encounter", "next").stdout.splitlines()
    name = table.who(bearer)["name"]
    assert said[0] == f"{name}: exposed runs out"
    assert "exposed" not in table.who(bearer)["conditions"]


def test_the_rulebook_says_how_long_a_round_is(table: Table) -> None:
    folder = Path("house")
    folder.mkdir()
    (folder / "rulebook.rouge").write_text(
        'rulebook house "Minute rounds" extends metallic_rouge round 1 minute\n', encoding="utf-8"
    )
    shown = table.ok("rules", "check", "house").stdout
    assert shown.endswith("no errors\n")
    fight(table)
    table.ok("encounter", "end")
    table.ok("campaign", "rulebook", "add", "house")
    table.ok("encounter", "start", "Again", "--check", "reflex", "--seed", "3")
    for _ in range(len(order(table))):
        table.ok("encounter", "next")
    assert table.status()["time"] == 1  # a round of the house rules is a minute


def test_a_skipped_turn_still_ends_what_lasts_to_the_end_of_it(table: Table) -> None:
    fight(table)
    ids = order(table)
    bearer = next(i for i in ids[1:] if i.startswith("wm"))  # not the one acting now
    table.ok("campaign", "add", bearer, "exposed", "--for", "1 turn")
    table.ok("campaign", "damage", bearer, "6")  # down: their turn is skipped
    said = "".join(table.ok("encounter", "next").stdout for _ in range(len(ids)))
    name = table.who(bearer)["name"]
    assert f"{name} is down: skipped.\n{name}: exposed runs out\n" in said
    assert "exposed" not in table.who(bearer)["conditions"]


@pytest.mark.parametrize(
    ("length", "error"),
    [
        ("1 scene", "a round is a length of game time (minutes, hours...), not '1 scene'"),
        ("522 weeks", "a round may be at most ten years of game time"),
    ],
)
def test_a_round_is_a_length_of_game_time_of_at_most_ten_years(
    rouge: Any, isolated: Path, length: str, error: str
) -> None:
    folder = isolated / "house"
    folder.mkdir()
    (folder / "rulebook.rouge").write_text(
        f"rulebook house extends metallic_rouge round {length}\n", encoding="utf-8"
    )
    result = rouge("rules", "check", str(folder))
    assert result.exit_code == 1
    assert f"rulebook.rouge:1:45: error: {error}" in result.output
