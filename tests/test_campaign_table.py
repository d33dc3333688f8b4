"""The campaign is the table: characters by id, NPCs from one sheet, the GM's hand, at a glance.

Every test plays through the CLI in the shared `table` folder (tests/conftest.py);
outputs are pinned where they are the product (messages, hints, the status table).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import DAY, SHEETS, Table, lines


def add_sheets(*names: str) -> None:
    for name in names:
        shutil.copy(SHEETS / f"{name}.yaml", Path(f"{name}.yaml"))


# -- characters by id ------------------------------------------------------------------------


def test_a_joined_character_is_named_by_its_id_in_every_command(table: Table) -> None:
    table.start("rouge", "ash", "noid_262")
    by_id = json.loads(
        table.ok("check", "rouge", "reflex", "--dc", "9", "--seed", "4", "--json").stdout
    )
    assert by_id["actor"] == "Rouge Redstar"
    assert table.events()[-1]["request"]["actor"] == "rouge"
    # a path still works, and finds the same member
    table.ok("check", "rouge.yaml", "reflex", "--dc", "9", "--seed", "5")
    assert table.events()[-1]["request"]["actor"] == "rouge"
    table.ok("free-will", "noid_262", "--act", "disobey", "--by", "ash", "--seed", "2")
    assert table.events()[-1]["request"]["target"] == "ash"


def test_a_mistyped_id_gets_a_suggestion(table: Table) -> None:
    table.start("rouge")
    result = table.rouge("check", "rogue", "reflex", "--dc", "9")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: 'rogue' has not joined the campaign (it has: rouge)\ndid you mean 'rouge'?\n"
    )


def test_a_missing_sheet_file_is_not_taken_for_an_id(table: Table) -> None:
    table.start("rouge")
    result = table.rouge("check", "gone/rouge.yaml", "reflex", "--dc", "9")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: there is no sheet file 'gone/rouge.yaml', nor a member by that name "
        "(the campaign has: rouge)\ndid you mean 'rouge'?\n"
    )
    result = table.rouge("check", "rogue.yaml", "reflex", "--dc", "9")
    assert result.stderr.endswith("\ndid you mean 'rouge'?\n")
    result = table.rouge("check", "nobody.yaml", "reflex", "--dc", "9")
    assert result.stderr.endswith("\ncheck the path, or name a member by id\n")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_sheet_is_found_by_any_name_of_its_file_and_a_copy_is_not_it(table: Table) -> None:
    table.start("rouge")
    (table.path / "red.yaml").symlink_to(table.path / "rouge.yaml")
    table.ok("check", "red.yaml", "reflex", "--dc", "9", "--seed", "4")
    assert table.events()[-1]["request"]["actor"] == "rouge"
    shutil.copy(table.path / "rouge.yaml", table.path / "copy.yaml")
    result = table.rouge("check", "copy.yaml", "reflex", "--dc", "9")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: copy.yaml has not joined the campaign\n"
        "add it with: rouge campaign join copy.yaml\n",
    )


def test_join_as_chooses_the_id(table: Table) -> None:
    table.start()
    assert table.ok("campaign", "join", "rouge.yaml", "--as", "red").stdout == (
        "Rouge Redstar joins as red (aletheia)\n"
    )
    table.ok("check", "red", "reflex", "--dc", "9")
    bad = table.rouge("campaign", "join", "ash.yaml", "--as", "Bad Id")
    assert bad.exit_code == 2
    assert "cannot be an id" in bad.stderr


def test_a_different_character_saved_at_a_joined_path_is_refused(table: Table) -> None:
    shutil.copy("rouge.yaml", "red.yaml")
    table.start()
    table.ok("campaign", "join", "red.yaml", "--as", "rouge")
    text = Path("red.yaml").read_text(encoding="utf-8")
    Path("red.yaml").write_text(text.replace("name: Rouge Redstar", "name: Somebody Else"))
    result = table.rouge("check", "red.yaml", "reflex", "--dc", "9")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: red.yaml now holds Somebody Else, not Rouge Redstar (rouge) who joined from it"
    )
    assert [e["kind"] for e in table.events()] == ["join"]


def test_a_changed_sheet_is_noted_and_sync_records_it(table: Table) -> None:
    shutil.copy("rouge.yaml", "red.yaml")
    table.start()
    table.ok("campaign", "join", "red.yaml", "--as", "rouge")
    text = Path("red.yaml").read_text(encoding="utf-8")
    body = next(line for line in text.splitlines() if line.strip().startswith("body:"))
    Path("red.yaml").write_text(text.replace(body, "  body: 1"), encoding="utf-8")
    result = table.ok("check", "rouge", "body", "--dc", "9", "--seed", "1")
    assert "note: red.yaml has changed since Rouge Redstar joined (body " in result.stderr
    assert "rouge campaign sync rouge records the new one" in result.stderr
    synced = table.ok("campaign", "sync", "rouge").stdout
    assert synced.startswith("Rouge Redstar's sheet is synced: body ")
    assert table.events()[-1]["kind"] == "sync"
    assert table.who("rouge")["resources"] == {"nectar": 7}  # the state stays
    quiet = table.ok("check", "rouge", "body", "--dc", "9", "--seed", "2")
    assert "note:" not in quiet.stderr
    # undo (the roll, then the sync) puts the old sheet back: the file differs from it again
    assert table.ok("campaign", "undo").stdout.startswith("undo #4: ")
    assert table.ok("campaign", "undo").stdout.startswith("undo #3: Rouge Redstar's sheet")
    assert "has changed" in table.ok("check", "rouge", "body", "--seed", "3").stderr


# -- NPCs from one sheet -------------------------------------------------------------------------


def test_count_joins_several_characters_from_one_sheet(table: Table) -> None:
    add_sheets("usurper_war_machine")
    table.start("rouge")
    result = table.ok("campaign", "join", "usurper_war_machine.yaml", "--count", "3", "--as", "wm")
    assert result.stdout == lines(
        "Usurper war machine 1 joins as wm1 (usurpers)",
        "Usurper war machine 2 joins as wm2 (usurpers)",
        "Usurper war machine 3 joins as wm3 (usurpers)",
    )
    table.ok("campaign", "damage", "wm2", "2")
    assert table.who("wm2")["tracks"]["harm"] == 2
    assert table.who("wm1")["tracks"]["harm"] == 0
    # joining the same sheet again is refused, with the way to do it
    again = table.rouge("campaign", "join", "usurper_war_machine.yaml")
    assert again.exit_code == 2
    assert again.stderr == (
        "Error: Usurper war machine has already joined from this sheet, as wm1, wm2, wm3\n"
        "to add another character from it: --as ID, or --count N\n"
    )
    # a path that joined as several characters must be named by id
    ambiguous = table.rouge("check", "usurper_war_machine.yaml", "body")
    assert ambiguous.exit_code == 2
    assert "joined as several characters (wm1, wm2, wm3): name one of them" in ambiguous.stderr
    # a naming pattern
    named = table.ok(
        "campaign",
        "join",
        "usurper_war_machine.yaml",
        "--count",
        "2",
        "--as",
        "drone",
        "--name",
        "Drone {n}",
    )
    assert named.stdout == lines(
        "Drone 1 joins as drone1 (usurpers)", "Drone 2 joins as drone2 (usurpers)"
    )


# -- the GM's hand ------------------------------------------------------------------------------


def test_adjust_raises_lowers_and_sets_with_negative_numbers(table: Table) -> None:
    table.start("rouge")
    assert (
        table.ok(
            "campaign", "adjust", "rouge", "harm", "+2", "--note", "fell from the monorail"
        ).stdout
        == "Rouge Redstar: Harm 0 → 2\n"
    )
    assert table.ok("campaign", "adjust", "rouge", "nectar", "-1").stdout == (
        "Rouge Redstar: Nectar 7 → 6\n"
    )
    assert table.ok("campaign", "adjust", "rouge", "stress", "3").stdout == (
        "Rouge Redstar: Stress 1 → 3\n"
    )
    log = table.ok("campaign", "log").stdout.splitlines()
    assert log[-3].endswith("adjust      Rouge Redstar: harm +2 (fell from the monorail)")
    bad = table.rouge("campaign", "adjust", "rouge", "harm", "lots")
    assert bad.exit_code == 2
    assert "is not an amount: write +N to raise, -N to lower, or N to set" in bad.stderr
    table.ok("campaign", "undo")
    assert table.who("rouge")["tracks"]["stress"] == 1


def test_add_and_remove_conditions_with_a_duration(table: Table) -> None:
    table.start("rouge")
    table.ok("campaign", "add", "rouge", "exposed", "--for", "1d")
    status = table.ok("campaign", "status", "rouge").stdout
    assert "conditions: awakened, exposed (until day 2, 00:00)" in status
    table.ok("campaign", "advance", "1d")
    assert table.who("rouge")["conditions"] == ["awakened"]
    table.ok("campaign", "damage", "rouge", "6")
    assert "down" in table.who("rouge")["conditions"]
    # the guide's "the GM lifts down" is a command
    assert table.ok("campaign", "remove", "rouge", "down").stdout == "Rouge Redstar loses down\n"
    assert "down" not in table.who("rouge")["conditions"]
    table.ok("campaign", "heal", "rouge", "6")
    assert table.who("rouge")["tracks"]["harm"] == 0


def test_a_benched_character_is_off_the_clock(table: Table) -> None:
    table.start("rouge", "nean_worker")
    table.ok("campaign", "bench", "nean_worker", "--note", "off-screen")
    table.ok("campaign", "advance", "2d")
    assert table.who("nean_worker")["resources"] == {"nectar": 4}  # it did not starve
    assert table.who("rouge")["resources"]["nectar"] < 7
    refused = table.rouge("check", "nean_worker", "body")
    assert refused.exit_code == 2
    assert refused.stderr == (
        "Error: Nean worker is set aside\nbring them back with: rouge campaign return nean_worker\n"
    )
    table.ok("campaign", "return", "nean_worker")
    table.ok("campaign", "advance", "1d")
    assert table.who("nean_worker")["resources"] == {"nectar": 3}
    table.ok("campaign", "leave", "nean_worker")
    assert table.who("nean_worker")["active"] is False
    table.ok("campaign", "undo")
    assert table.who("nean_worker")["active"] is True


# -- at a glance, and the journal ----------------------------------------------------------------


def test_status_of_one_character(table: Table) -> None:
    table.start("rouge")
    assert table.ok("campaign", "status", "rouge").stdout.splitlines()[:3] == [
        "rouge: Rouge Redstar (aletheia, nean), present",
        "  nectar     7 of 10",
        "  free_will  5 (0..5)",
    ]


def test_log_and_export_mark_undone_events(table: Table) -> None:
    table.start("rouge")
    table.ok("campaign", "adjust", "rouge", "harm", "+1")
    table.ok("campaign", "undo")
    assert (
        table.ok("campaign", "log")
        .stdout.splitlines()[1]
        .endswith("Rouge Redstar: harm +1 (undone)")
    )
    exported = json.loads(table.ok("campaign", "export", "--json").stdout)
    assert [e["undone"] for e in exported["events"]] == [False, True, False]
    assert "~~Rouge Redstar: harm +1~~ (undone)" in table.ok("campaign", "export").stdout


def test_a_trigger_line_of_story_is_printed_and_journaled(table: Table) -> None:
    table.start("nean_worker")
    result = table.ok("campaign", "advance", "4d")
    assert "Nean worker runs dry of Nectar and shuts down. (decay over 4d)" in result.stdout
    assert (
        "Nean worker runs dry of Nectar and shuts down. (decay over 4d)"
        in (table.events()[-1]["notes"])
    )
    table.ok("campaign", "adjust", "nean_worker", "nectar", "+1")
    told = table.ok("campaign", "adjust", "nean_worker", "nectar", "0").stdout
    assert told == lines(
        "Nean worker: Nectar 1 → 0",
        "Nean worker already has shutdown",
        "Nean worker runs dry of Nectar and shuts down.",
    )
    assert table.events()[-1]["notes"][-1] == "Nean worker runs dry of Nectar and shuts down."


def test_a_seeded_roll_is_not_recorded_twice_unless_asked(table: Table) -> None:
    table.start("rouge")
    table.ok("check", "rouge", "reflex", "--dc", "9", "--seed", "7")
    twice = table.rouge("check", "rouge", "reflex", "--dc", "9", "--seed", "7")
    assert twice.exit_code == 2
    assert twice.stderr == (
        "Error: this roll, with seed 7, is already recorded as event #2\n"
        "add --again to record it once more, or leave out --seed\n"
    )
    table.ok("check", "rouge", "reflex", "--dc", "9", "--seed", "7", "--again")
    assert [e["kind"] for e in table.events()].count("resolution") == 2


def test_swapped_arguments_are_pointed_out(table: Table) -> None:
    add_sheets("giallon")
    result = table.rouge("use", "thunderbolt", "giallon.yaml", "--no-campaign")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "the arguments look swapped: 'thunderbolt' is a rule; write rouge use SHEET ABILITY\n"
    )


# -- a whole session ----------------------------------------------------------------------------


def test_a_ten_scene_session_by_name(table: Table) -> None:
    add_sheets("naomi", "usurper_war_machine", "giallon")
    table.ok("campaign", "init")
    table.ok("campaign", "join", "rouge.yaml", "naomi.yaml", "ash.yaml", "noid_262.yaml")
    table.ok("campaign", "join", "usurper_war_machine.yaml", "--count", "3", "--as", "wm")
    # 1. the checkpoint
    table.ok("check", "rouge", "reflex", "--dc", "9", "--seed", "11")
    # 2. Noid's choice
    table.ok("free-will", "noid_262", "--act", "disobey", "--by", "ash", "--seed", "12")
    # 3. a fight: Naomi attacks a war machine, the GM marks the damage
    table.ok("check", "naomi", "attack", "--vs", "wm2", "--seed", "13")
    table.ok("campaign", "damage", "wm2", "3", "--note", "Naomi's shot")
    # 4. Rouge's armor
    table.ok("use", "rouge", "red_gladiator", "--seed", "14")
    # 5. the night passes
    table.ok("campaign", "advance", "8h")
    # 6. one machine is set aside, another exposed
    table.ok("campaign", "bench", "wm3")
    table.ok("campaign", "add", "wm1", "exposed", "--for", "6h")
    # 7. a mistake, undone
    table.ok("campaign", "adjust", "rouge", "harm", "+5")
    table.ok("campaign", "undo")
    # 8. Rouge feeds
    table.ok("campaign", "feed", "rouge", "2")
    # 9. a day passes
    table.ok("campaign", "advance", "1d")
    # 10. wm3 comes back
    table.ok("campaign", "return", "wm3")
    assert table.ok("campaign", "replay").stdout.endswith("recorded rolls reproduce.\n")
    status = table.status()
    ids = [c["id"] for c in status["characters"]]
    assert ids == ["rouge", "naomi", "ash", "noid_262", "wm1", "wm2", "wm3"]
    assert status["clock"] == "day 2, 08:00"
    assert table.who("wm2")["tracks"]["harm"] == 3
    assert table.who("wm1")["conditions"] == []  # exposed ran out
    assert table.who("wm3")["benched"] is False
    assert table.who("rouge")["tracks"]["harm"] == 0  # the mistake was undone
    assert status["time"] == DAY + 8 * 60
    exported = table.ok("campaign", "export").stdout
    assert exported.startswith("# Campaign log: campaign.rouge.db")


def test_sheet_show_in_a_campaign_shows_the_campaigns_values(table: Table) -> None:
    table.start("rouge")
    table.ok("campaign", "adjust", "rouge", "nectar", "-2")
    shown = table.ok("sheet", "show", "rouge").stdout
    assert shown.splitlines()[1] == (
        "  as rouge in campaign.rouge.db: the campaign's values, not the file's"
    )
    nectar = next(line for line in shown.splitlines() if line.strip().startswith("nectar"))
    assert " 5/10 " in nectar + " "
    own = table.ok("sheet", "show", "rouge.yaml", "--no-campaign").stdout
    assert "the campaign's values" not in own
    assert " 7/10" in next(line for line in own.splitlines() if line.strip().startswith("nectar"))
    data = json.loads(table.ok("sheet", "show", "rouge", "--json").stdout)
    assert data["campaign"]["id"] == "rouge"
