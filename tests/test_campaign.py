"""The campaign journal: `rouge campaign ...` and the table commands that record into it.

Every test runs in its own empty folder (what `CliRunner.isolated_filesystem` gave
before Click deprecated it) with copies
of a few bundled sheets and ROUGE_CAMPAIGN unset. After each test the sheets
must be byte-for-byte unchanged and every campaign file in the folder must
pass `PRAGMA integrity_check`.

Rolls are never assumed: a test that needs an outcome searches for a seed that
gives it with the library, then passes `--seed`; a test that rolls with a fixed
seed reads the outcome from `--json` and checks the state against it.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from rouge_rpg.campaign import actions, members
from rouge_rpg.campaign import journal as journal_module
from rouge_rpg.campaign.journal import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    CampaignError,
    Journal,
)
from rouge_rpg.campaign.state import CampaignState, fold
from rouge_rpg.rules import Rulebook
from rouge_rpg.sheets import read_character

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "rulebooks" / "metallic_rouge"
SHEETS = BUNDLED / "sheets"
from conftest import DAY, DB, Table, lines  # noqa: E402  (the shared table, in conftest.py)

# -- fixtures and helpers -----------------------------------------------------------------


# -- init --------------------------------------------------------------------------------------


def test_init_creates_a_wal_sqlite_file_marked_as_a_campaign(table: Table) -> None:
    result = table.rouge("campaign", "init")
    assert result.exit_code == 0
    assert result.stdout == lines(
        "Created campaign campaign.rouge.db (Metallic Rouge).",
        "Next: rouge campaign join SHEET... --campaign campaign.rouge.db",
    )
    db = sqlite3.connect(DB)
    try:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"meta", "events", "snapshots"} <= tables
        assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
    finally:
        db.close()


def test_init_refuses_an_existing_file_and_leaves_it_alone(table: Table) -> None:
    table.start("rouge")
    before = Path(DB).read_bytes()
    result = table.rouge("campaign", "init")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: campaign.rouge.db already exists; a campaign is never overwritten\n"
    )
    assert Path(DB).read_bytes() == before
    # any existing file, not only a campaign
    Path("notes.txt").write_text("session notes\n")
    result = table.rouge("campaign", "init", "notes.txt")
    assert result.exit_code == 2
    assert Path("notes.txt").read_text() == "session notes\n"


def test_init_at_a_path_with_a_rulebook(table: Table) -> None:
    Path("games").mkdir()
    result = table.rouge("campaign", "init", "games/mars.db", "--rulebook", str(BUNDLED))
    assert result.exit_code == 0
    assert result.stdout.startswith("Created campaign games/mars.db (Metallic Rouge).\n")
    with Journal.open(Path("games/mars.db")) as journal:
        assert journal.meta("rulebooks") == [str(BUNDLED.resolve())]
        assert journal.meta("rulebook_title") == "Metallic Rouge"


def test_init_in_a_missing_folder_is_an_error(table: Table) -> None:
    result = table.rouge("campaign", "init", "nowhere/mars.db")
    assert result.exit_code == 2
    assert result.stderr == "Error: nowhere does not exist\n"
    assert not Path("nowhere").exists()


# -- which campaign -------------------------------------------------------------------------


def test_no_campaign_anywhere_is_a_clear_error(table: Table) -> None:
    result = table.rouge("campaign", "status")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: no campaign: give --campaign PATH, set ROUGE_CAMPAIGN, or create "
        "./campaign.rouge.db\n"
    )
    result = table.rouge("campaign", "status", "--campaign", "missing.db")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no campaign at missing.db\ncreate one: rouge campaign init missing.db\n"
    )
    assert not Path("missing.db").exists()


def test_campaign_option_then_environment_then_default_file(table: Table) -> None:
    table.ok("campaign", "init", "a.db")
    table.ok("campaign", "init", "b.db")
    table.ok("campaign", "join", "rouge.yaml", "--campaign", "a.db")
    table.ok("campaign", "join", "noid_262.yaml", env={"ROUGE_CAMPAIGN": "b.db"})
    table.ok("campaign", "init")
    table.ok("campaign", "join", "nean_worker.yaml")

    def ids(*args: str, env: dict[str, str] | None = None) -> list[str]:
        result = table.rouge("campaign", "status", "--json", *args, env=env)
        assert result.exit_code == 0, result.output
        return [c["id"] for c in json.loads(result.stdout)["characters"]]

    assert ids("--campaign", "a.db") == ["rouge"]
    assert ids(env={"ROUGE_CAMPAIGN": "b.db"}) == ["noid_262"]
    assert ids("--campaign", "a.db", env={"ROUGE_CAMPAIGN": "b.db"}) == ["rouge"]
    assert ids() == ["nean_worker"]


def test_table_commands_record_into_the_active_campaign_unless_told_not_to(
    table: Table,
) -> None:
    table.start("rouge")
    result = table.ok("check", "rouge.yaml", "reflex", "--seed", "3", "--no-campaign")
    assert "recorded in" not in result.stdout
    assert [e["kind"] for e in table.events()] == ["join"]
    result = table.ok("check", "rouge.yaml", "reflex", "--seed", "3")
    assert result.stdout.splitlines()[-1] == "recorded in campaign.rouge.db"
    assert [e["kind"] for e in table.events()] == ["join", "resolution"]
    # ROUGE_CAMPAIGN names a campaign the sheet has not joined: refused, nothing recorded
    table.ok("campaign", "init", "other.db")
    result = table.rouge("check", "rouge.yaml", "reflex", env={"ROUGE_CAMPAIGN": "other.db"})
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: rouge.yaml has not joined the campaign\n"
        "add it with: rouge campaign join rouge.yaml\n"
    )
    with Journal.open(Path("other.db")) as journal:
        assert journal.count() == 0


# -- join ------------------------------------------------------------------------------------


def test_join_reads_the_sheets_and_starts_their_state(table: Table) -> None:
    table.ok("campaign", "init")
    result = table.ok("campaign", "join", "rouge.yaml", "nean_worker.yaml")
    assert result.stdout == lines("Rouge Redstar joins (aletheia)", "Nean worker joins (neans)")
    rouge_state = table.who("rouge")
    assert rouge_state["resources"] == {"nectar": 7}
    assert rouge_state["tracks"] == {"free_will": 5, "harm": 0, "manhunt": 0, "stress": 1}
    assert rouge_state["conditions"] == ["awakened"]
    assert table.who("nean_worker")["resources"] == {"nectar": 4}


def test_join_twice_is_an_error_and_records_nothing(table: Table) -> None:
    table.start("rouge")
    result = table.rouge("campaign", "join", "rouge.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: Rouge Redstar has already joined from this sheet, as rouge\n"
        "to add another character from it: --as ID, or --count N\n"
    )
    # one command, one transaction: the new sheet before the duplicate is not kept either
    result = table.rouge("campaign", "join", "noid_262.yaml", "rouge.yaml")
    assert result.exit_code == 2
    assert [e["character"] for e in table.events()] == ["rouge"]


def test_join_with_a_missing_or_invalid_sheet_records_nothing(table: Table) -> None:
    table.start()
    Path("broken.yaml").write_text("name: Broken\nfaction: nobody\nkind: nean\n")  # not a sheet
    assert table.rouge("campaign", "join", "missing.yaml").exit_code == 2
    assert table.rouge("campaign", "join", "rouge.yaml", "broken.yaml").exit_code != 0
    assert table.events() == []


# -- status ------------------------------------------------------------------------------------


def test_status_of_an_empty_campaign(table: Table) -> None:
    table.start()
    assert table.ok("campaign", "status").stdout == lines(
        "day 1, 00:00, 0 events", "No characters yet: rouge campaign join SHEET..."
    )


def test_status_table(table: Table) -> None:
    table.start("rouge", "nean_worker", "wellstown_officer")
    assert table.ok("campaign", "status").stdout == lines(
        "day 1, 00:00, 3 events",
        "id                 character          nectar  free_will  harm  manhunt  stress  "
        "conditions",
        "rouge              Rouge Redstar      7       5          0     0        1       awakened",
        "nean_worker        Nean worker        4       0          0     0        0       -",
        "wellstown_officer  Wellstown officer  -       0          0     0        0       -",
    )
    table.ok("campaign", "advance", "1d6h")
    table.ok("use", "rouge.yaml", "red_gladiator")
    assert table.ok("campaign", "status").stdout == lines(
        "day 2, 06:00, 5 events",
        "id                 character          nectar  free_will  harm  manhunt  stress  "
        "conditions",
        "rouge              Rouge Redstar      5       5          0     0        1       "
        "armored (this scene), awakened",
        "nean_worker        Nean worker        3       0          0     0        0       -",
        "wellstown_officer  Wellstown officer  -       0          0     0        0       -",
    )


def test_status_json_shape(table: Table) -> None:
    table.start("rouge", "nean_worker")
    table.ok("campaign", "advance", "6h")
    result = table.ok("campaign", "status", "--json")
    assert result.stdout.count("\n") == 1
    assert json.loads(result.stdout) == {
        "time": 360,
        "clock": "day 1, 06:00",
        "events": 3,
        "characters": [
            {
                "id": "rouge",
                "name": "Rouge Redstar",
                "faction": "aletheia",
                "active": True,
                "benched": False,
                "resources": {"nectar": 7},
                "tracks": {"free_will": 5, "harm": 0, "manhunt": 0, "stress": 1},
                "conditions": ["awakened"],
                "expires": {},
            },
            {
                "id": "nean_worker",
                "name": "Nean worker",
                "faction": "neans",
                "active": True,
                "benched": False,
                "resources": {"nectar": 4},
                "tracks": {"free_will": 0, "harm": 0, "manhunt": 0, "stress": 0},
                "conditions": [],
                "expires": {},
            },
        ],
    }


# -- log ---------------------------------------------------------------------------------------


def test_log_text(table: Table) -> None:
    table.start("rouge", "nean_worker")
    table.ok("campaign", "advance", "1d12h")
    table.ok("campaign", "feed", "nean_worker", "2")
    table.ok("use", "rouge.yaml", "red_gladiator")
    assert table.ok("campaign", "log").stdout == lines(
        "#1     day 1, 00:00  join        Rouge Redstar joins (aletheia)",
        "#2     day 1, 00:00  join        Nean worker joins (neans)",
        "#3     day 2, 12:00  time        1d 12h pass: day 1, 00:00 → day 2, 12:00",
        "#4     day 2, 12:00  feed        Nean worker takes 2 Nectar",
        "#5     day 2, 12:00  resolution  Rouge Redstar: The Red Gladiator → used",
    )
    assert table.ok("campaign", "log", "--since", "3").stdout == lines(
        "#4     day 2, 12:00  feed        Nean worker takes 2 Nectar",
        "#5     day 2, 12:00  resolution  Rouge Redstar: The Red Gladiator → used",
    )
    assert table.ok("campaign", "log", "--since", "5").stdout == ""


def test_log_json_is_a_list_of_events_oldest_first(table: Table) -> None:
    table.start("nean_worker")
    table.ok("campaign", "advance", "1d")
    table.ok("campaign", "feed", "nean_worker", "2")
    result = table.ok("campaign", "log", "--json")
    assert result.stdout.count("\n") == 1
    log = json.loads(result.stdout)
    assert isinstance(log, list)
    assert [e["seq"] for e in log] == [1, 2, 3]
    assert [e["kind"] for e in log] == ["join", "time", "feed"]
    for event in log:
        assert {"seq", "time", "recorded", "kind", "character", "summary"} <= set(event)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", event["recorded"])
    join, time, feed = log
    assert join["character"] == "nean_worker"
    assert join["sheet"]["name"] == "Nean worker"
    assert join["resources"] == {"nectar": 4}
    assert len(join["rulebook"]) == 64
    assert time == {
        "seq": 2,
        "time": DAY,
        "recorded": time["recorded"],
        "kind": "time",
        "character": None,
        "minutes": DAY,
        "from": 0,
        "applied": [
            {
                "character": "nean_worker",
                "table": "resources",
                "what": "nectar",
                "before": 4,
                "after": 3,
                "since": DAY,
            }
        ],
        "notes": ["Nean worker: Nectar 4 → 3 (decay over 1d)"],
        "summary": "1d pass: day 1, 00:00 → day 2, 00:00",
        "undone": False,
    }
    assert feed == {
        "seq": 3,
        "time": DAY,
        "recorded": feed["recorded"],
        "kind": "feed",
        "character": "nean_worker",
        "resource": "nectar",
        "amount": 2,
        "applied": [
            {
                "character": "nean_worker",
                "table": "resources",
                "what": "nectar",
                "before": 3,
                "after": 5,
            }
        ],
        "summary": "Nean worker takes 2 Nectar",
        "undone": False,
    }
    assert json.loads(table.ok("campaign", "log", "--json", "--since", "2").stdout) == [feed]


# -- check, free-will and use record their resolution ---------------------------------------------


def test_check_records_its_resolution_and_applies_its_effects(table: Table) -> None:
    table.start("rouge")
    rolled = json.loads(
        table.ok("check", "rouge.yaml", "reflex", "--dc", "9", "--seed", "1", "--json").stdout
    )
    (event,) = [e for e in table.events() if e["kind"] == "resolution"]
    assert event["character"] == "rouge"
    assert event["request"] == {
        "kind": "check",
        "name": "reflex",
        "actor": "rouge",
        "target": None,
        "args": {"dc": 9},
        "mods": [],
        "seed": 1,
    }
    assert event["result"]["outcome"] == rolled["outcome"]
    assert event["result"]["total"] == rolled["total"]
    assert event["result"]["dice"] == rolled["dice"]
    assert event["inputs"]["actor"]["tracks"]["stress"] == 1
    assert event["inputs"]["target"] is None
    stress = 2 if rolled["outcome"] in ("partial", "failure") else 1
    assert table.who("rouge")["tracks"]["stress"] == stress
    if stress == 2:
        assert event["applied"] == [
            {"character": "rouge", "table": "tracks", "what": "stress", "before": 1, "after": 2}
        ]
    assert event["summary"] == f"Rouge Redstar: Action → {rolled['outcome']} ({rolled['total']})"


def test_check_without_a_seed_records_the_seed_it_drew(table: Table) -> None:
    table.start("rouge")
    result = table.ok("check", "rouge.yaml", "mind", "--json")
    seed = json.loads(result.stdout)["seed"]
    assert table.events()[-1]["request"]["seed"] == seed
    # in a campaign the footer offers no --seed: the roll is recorded already
    assert "--seed" not in table.ok("check", "rouge", "mind").stdout


def test_use_pays_nectar_and_adds_its_condition(table: Table) -> None:
    table.start("rouge")
    result = table.ok("use", "rouge.yaml", "red_gladiator")
    assert "  Rouge Redstar: Nectar 7 → 6\n  Rouge Redstar gains armored\n" in result.stdout
    state = table.who("rouge")
    assert state["resources"] == {"nectar": 6}
    assert state["conditions"] == ["armored", "awakened"]
    event = table.events()[-1]
    assert event["applied"] == [
        {"character": "rouge", "table": "resources", "what": "nectar", "before": 7, "after": 6},
        {
            "character": "rouge",
            "table": "conditions",
            "what": "armored",
            "added": True,
            "expires": 1,
            "previous": None,
            "had": False,
        },
    ]
    # the state is read from the campaign, not the sheet: armored blocks a second armor-up
    result = table.rouge("use", "rouge.yaml", "red_gladiator")
    assert result.exit_code == 1
    assert table.who("rouge")["resources"] == {"nectar": 6}
    assert len(table.events()) == 2


def test_free_will_strained_moves_tracks_and_exposes(table: Table) -> None:
    table.start("noid_262", "ash")
    seed = table.seed_for("free-will", "disobey", "noid_262", "strained", target="ash")
    result = table.ok(
        "free-will", "noid_262.yaml", "--act", "disobey", "--by", "ash.yaml", "--seed", str(seed)
    )
    assert "strained (the act goes ahead)" in result.stdout
    noid = table.who("noid_262")
    assert noid["resources"] == {"nectar": 5}
    assert noid["tracks"] == {"free_will": 1, "harm": 0, "manhunt": 1, "stress": 1}
    assert noid["conditions"] == ["exposed"]
    event = table.events()[-1]
    assert event["request"]["target"] == "ash"
    assert event["inputs"]["target"]["id"] == "ash"
    assert event["result"]["allowed"] is True
    assert [e["what"] for e in event["applied"]] == ["nectar", "stress", "exposed", "manhunt"]


def test_free_will_bound_is_recorded_and_costs_stress(table: Table) -> None:
    table.start("noid_262", "ash")
    seed = table.seed_for("free-will", "disobey", "noid_262", "bound", target="ash")
    table.ok(
        "free-will", "noid_262.yaml", "--act", "disobey", "--by", "ash.yaml", "--seed", str(seed)
    )
    assert table.events()[-1]["result"]["allowed"] is False
    assert table.who("noid_262")["tracks"]["stress"] == 1
    assert table.who("noid_262")["conditions"] == []


def test_a_shut_down_nean_is_refused_and_nothing_is_recorded(table: Table) -> None:
    table.start("rouge", "ash")
    table.ok("campaign", "advance", "7d")
    assert table.who("rouge")["conditions"] == ["awakened", "shutdown"]
    before_status = table.status()
    before_log = table.events()
    for args in (
        ("check", "rouge.yaml", "reflex", "--seed", "1"),
        ("use", "rouge.yaml", "red_gladiator"),
        ("free-will", "rouge.yaml", "--act", "disobey", "--by", "ash.yaml"),
    ):
        result = table.rouge(*args)
        assert result.exit_code == 1, args
        assert result.stderr == "Error: Rouge Redstar is shut down: shutdown blocks every action\n"
        assert "recorded" not in result.stdout
    assert table.events() == before_log
    assert table.status() == before_status


# -- advance: time, decay, shutdown, death ------------------------------------------------------


def test_advance_prints_the_new_time_and_what_happened(table: Table) -> None:
    table.start("nean_worker")
    assert table.ok("campaign", "advance", "1d6h").stdout == lines(
        "It is now day 2, 06:00.",
        "  Nean worker: Nectar 4 → 3 (decay over 1d 6h)",
    )


@pytest.mark.parametrize("bad", ["0h", "xyz", "3 parsecs", "11000d", ""])
def test_advance_refuses_a_bad_duration(table: Table, bad: str) -> None:
    table.start("rouge")
    result = table.rouge("campaign", "advance", bad)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert len(table.events()) == 1


def test_decay_adds_up_across_advances(table: Table) -> None:
    table.start("rouge")
    table.ok("campaign", "advance", "12h")
    assert table.who("rouge")["resources"] == {"nectar": 7}
    table.ok("campaign", "advance", "12h")
    assert table.who("rouge")["resources"] == {"nectar": 6}  # two 12h advances are one day
    for _ in range(4):
        table.ok("campaign", "advance", "6h")
    assert table.who("rouge")["resources"] == {"nectar": 5}
    table.ok("campaign", "advance", "90m")
    table.ok("campaign", "advance", "1d")  # day 3 01:30 → day 4 01:30: one midnight
    assert table.who("rouge")["resources"] == {"nectar": 4}
    table.ok("campaign", "advance", "1w")
    assert table.who("rouge")["resources"] == {"nectar": 0}
    assert table.status()["time"] == 3 * DAY + 90 + 7 * DAY


def test_shutdown_at_the_moment_nectar_reaches_zero(table: Table) -> None:
    table.start("nean_worker")  # 4 Nectar: 0 at the start of day 5
    table.ok("campaign", "advance", "3d23h59m")
    assert table.who("nean_worker")["resources"] == {"nectar": 1}
    assert table.who("nean_worker")["conditions"] == []
    result = table.ok("campaign", "advance", "1m")
    assert result.stdout == lines(
        "It is now day 5, 00:00.",
        "  Nean worker: Nectar 1 → 0 (decay over 1m)",
        "  Nean worker gains shutdown (decay over 1m)",
        "  Nean worker runs dry of Nectar and shuts down. (decay over 1m)",
    )
    assert table.who("nean_worker")["conditions"] == ["shutdown"]


def test_death_counts_from_the_moment_nectar_reached_zero_even_mid_advance(table: Table) -> None:
    table.start("nean_worker")  # reaches 0 at minute 4 * DAY; dead 3 days later, at 7 * DAY
    table.ok("campaign", "advance", "3d12h")
    assert table.who("nean_worker")["resources"] == {"nectar": 1}
    # this advance crosses the moment Nectar runs out (day 5, 00:00) and ends a minute before
    # three days have passed since: counting from the start or the end of the advance is wrong
    table.ok("campaign", "advance", "3d11h59m")
    state = table.who("nean_worker")
    assert state["resources"] == {"nectar": 0}
    assert state["conditions"] == ["shutdown"]
    result = table.ok("campaign", "advance", "1m")
    assert result.stdout == lines(
        "It is now day 8, 00:00.",
        "  Nean worker gains dead (Nectar at 0 for 3 days)",
    )
    assert table.who("nean_worker")["conditions"] == ["dead", "shutdown"]
    # it fires once
    assert table.ok("campaign", "advance", "1w").stdout == "It is now day 15, 00:00.\n"


def test_one_long_advance_shuts_down_and_kills(table: Table) -> None:
    table.start("nean_worker")
    result = table.ok("campaign", "advance", "1w")
    assert result.stdout == lines(
        "It is now day 8, 00:00.",
        "  Nean worker: Nectar 4 → 0 (decay over 7d)",
        "  Nean worker gains shutdown (decay over 7d)",
        "  Nean worker runs dry of Nectar and shuts down. (decay over 7d)",
        "  Nean worker gains dead (Nectar at 0 for 3 days)",
    )
    (event,) = [e for e in table.events() if e["kind"] == "time"]
    assert event["applied"][0]["since"] == 4 * DAY  # the moment it reached zero


def test_one_advance_just_short_of_death(table: Table) -> None:
    table.start("nean_worker")
    table.ok("campaign", "advance", "6d23h59m")
    assert table.who("nean_worker")["conditions"] == ["shutdown"]
    table.ok("campaign", "advance", "1m")
    assert table.who("nean_worker")["conditions"] == ["dead", "shutdown"]


def test_a_lasting_threshold_above_zero_counts_from_when_decay_reached_it(table: Table) -> None:
    """A house rule `at 1 for 12 hours`: the count starts at the midnight Nectar fell to 1."""
    shutil.copytree(BUNDLED, "house", ignore=shutil.ignore_patterns("sheets"))
    core = Path("house/core.rouge")
    text = core.read_text()
    assert "  at 0 for 3 days:\n" in text
    core.write_text(text.replace("  at 0 for 3 days:\n", "  at 1 for 12 hours:\n"))
    table.ok("campaign", "init", "--rulebook", "house")
    table.ok("campaign", "join", "nean_worker.yaml")  # 4 Nectar: 1 from day 4, 00:00
    table.ok("campaign", "advance", "3d11h")
    assert table.who("nean_worker")["resources"] == {"nectar": 1}
    assert table.who("nean_worker")["conditions"] == []
    table.ok("campaign", "advance", "59m")
    assert table.who("nean_worker")["conditions"] == []
    table.ok("campaign", "advance", "1m")  # day 4, 12:00
    assert table.who("nean_worker")["conditions"] == ["dead"]


# -- feed -----------------------------------------------------------------------------------------


def test_feed_restores_nectar_up_to_the_maximum(table: Table) -> None:
    table.start("rouge")
    assert table.ok("campaign", "feed", "rouge", "2").stdout == "Rouge Redstar: Nectar 7 → 9\n"
    assert (
        table.ok("campaign", "feed", "Rouge Redstar", "5").stdout
        == "Rouge Redstar: Nectar 9 → 10\n"
    )
    assert table.who("rouge")["resources"] == {"nectar": 10}
    assert [e["kind"] for e in table.events()] == ["join", "feed", "feed"]


def test_feed_errors(table: Table) -> None:
    table.start("rouge", "wellstown_officer")
    cases = {
        ("wellstown_officer", "2"): "Error: Wellstown officer does not carry Nectar\n",
        ("rouge", "0"): "Error: the amount fed must be at least 1\n",
        ("nobody", "1"): (
            "Error: 'nobody' has not joined the campaign (it has: rouge, wellstown_officer)\n"
            "add the sheet with: rouge campaign join nobody.yaml\n"
        ),
    }
    for (name, amount), message in cases.items():
        result = table.rouge("campaign", "feed", name, amount)
        assert result.exit_code == 2
        assert result.stderr == message
    assert table.rouge("campaign", "feed", "rouge", "1", "--resource", "nothing").exit_code == 2
    assert len(table.events()) == 2


def test_feed_at_zero_stops_the_count_toward_death(table: Table) -> None:
    table.start("nean_worker")
    table.ok("campaign", "advance", "5d")  # at 0 since day 5, 00:00
    table.ok("campaign", "feed", "nean_worker", "1")  # day 6, 00:00
    state = table.who("nean_worker")
    assert state["resources"] == {"nectar": 1}
    assert state["conditions"] == ["shutdown"]  # only give_nectar ends a shutdown
    table.ok("campaign", "advance", "1d")  # 0 again at day 7, 00:00: a new count starts
    table.ok("campaign", "advance", "2d23h59m")
    assert table.who("nean_worker")["conditions"] == ["shutdown"]
    table.ok("campaign", "advance", "1m")  # day 10, 00:00: three days after day 7
    assert table.who("nean_worker")["conditions"] == ["dead", "shutdown"]


def test_give_nectar_ends_a_shutdown(table: Table) -> None:
    table.start("nean_worker", "rouge")
    table.ok("campaign", "advance", "5d")
    table.ok("use", "rouge.yaml", "give_nectar", "--target", "nean_worker.yaml")
    state = table.who("nean_worker")
    assert state["resources"] == {"nectar": 4}
    assert state["conditions"] == []


# -- conditions that run out -----------------------------------------------------------------------


def test_a_condition_lasting_a_day_runs_out_a_day_later(table: Table) -> None:
    table.start("noid_262", "ash")
    table.ok("campaign", "advance", "6h")
    seed = table.seed_for("free-will", "disobey", "noid_262", "strained", target="ash")
    table.ok(
        "free-will", "noid_262.yaml", "--act", "disobey", "--by", "ash.yaml", "--seed", str(seed)
    )
    assert table.who("noid_262")["conditions"] == ["exposed"]  # exposed: lasts 1 day
    assert table.events()[-1]["applied"][2]["expires"] == 6 * 60 + DAY
    table.ok("campaign", "advance", "23h59m")
    assert table.who("noid_262")["conditions"] == ["exposed"]
    result = table.ok("campaign", "advance", "1m")
    assert "  Noid 262: exposed runs out\n" in result.stdout
    assert table.who("noid_262")["conditions"] == []


def test_a_condition_lasting_a_scene_runs_out_at_the_next_advance(table: Table) -> None:
    table.start("rouge")
    table.ok("use", "rouge.yaml", "red_gladiator")
    assert table.who("rouge")["conditions"] == ["armored", "awakened"]
    assert table.ok("campaign", "advance", "1m").stdout == lines(
        "It is now day 1, 00:01.", "  Rouge Redstar: armored runs out"
    )
    assert table.who("rouge")["conditions"] == ["awakened"]


def test_conditions_from_the_sheet_do_not_run_out(table: Table) -> None:
    Path("naomi.yaml").write_bytes((SHEETS / "naomi.yaml").read_bytes())
    table.start("naomi")
    assert table.who("naomi")["conditions"] == ["disguised"]
    table.ok("campaign", "advance", "1w")
    assert table.who("naomi")["conditions"] == ["disguised"]
    Path("naomi.yaml").unlink()


# -- undo ------------------------------------------------------------------------------------------


def test_undo_a_resolution(table: Table) -> None:
    table.start("rouge")
    before = table.status()
    table.ok("use", "rouge.yaml", "red_gladiator")
    result = table.ok("campaign", "undo")
    assert result.stdout == "undo #2: Rouge Redstar: The Red Gladiator → used\n"
    after = table.status()
    assert after["characters"] == before["characters"]
    assert after["events"] == 3
    undo = table.events()[-1]
    assert undo["kind"] == "undo"
    assert undo["undoes"] == 2
    assert [e["what"] for e in undo["applied"]] == ["armored", "nectar"]
    # nothing is deleted
    assert [e["kind"] for e in table.events()] == ["join", "resolution", "undo"]


def test_undo_a_feed(table: Table) -> None:
    table.start("rouge")
    table.ok("campaign", "feed", "rouge", "3")
    assert table.ok("campaign", "undo").stdout == "undo #2: Rouge Redstar takes 3 Nectar\n"
    assert table.who("rouge")["resources"] == {"nectar": 7}


def test_undo_an_advance_turns_the_clock_back(table: Table) -> None:
    table.start("nean_worker")
    table.ok("campaign", "advance", "6h")
    before = table.status()
    table.ok("campaign", "advance", "5d")
    assert table.who("nean_worker")["conditions"] == ["shutdown"]
    result = table.ok("campaign", "undo")
    assert result.stdout == "undo #3: 5d pass: day 1, 06:00 → day 6, 06:00\n"
    after = table.status()
    assert after["time"] == 6 * 60
    assert after["clock"] == "day 1, 06:00"
    assert after["characters"] == before["characters"]
    # time passes again from there
    table.ok("campaign", "advance", "18h")
    assert table.who("nean_worker")["resources"] == {"nectar": 3}


def test_undo_a_join_the_character_leaves(table: Table) -> None:
    table.start("rouge", "nean_worker")
    assert table.ok("campaign", "undo").stdout == "undo #2: Nean worker joins (neans)\n"
    assert table.events()[-1]["kind"] == "leave"
    assert "Nean worker" not in table.ok("campaign", "status").stdout
    assert [(c["id"], c["active"]) for c in table.status()["characters"]] == [
        ("rouge", True),
        ("nean_worker", False),
    ]
    result = table.rouge("campaign", "feed", "nean_worker", "1")
    assert result.exit_code == 2
    assert result.stderr == "Error: Nean worker has left the campaign\n"
    result = table.rouge("check", "nean_worker.yaml", "body")
    assert result.exit_code == 2
    # time passes without them
    table.ok("campaign", "advance", "2d")
    assert table.who("nean_worker")["resources"] == {"nectar": 4}
    # and they may join again, from their sheet
    table.ok("campaign", "join", "nean_worker.yaml")
    assert table.who("nean_worker")["active"] is True


def test_undo_twice_walks_back_then_nothing_is_left(table: Table) -> None:
    table.start("rouge")
    table.ok("campaign", "feed", "rouge", "1")
    table.ok("campaign", "advance", "1d")
    table.ok("use", "rouge.yaml", "red_gladiator")
    assert table.ok("campaign", "undo").stdout.startswith("undo #4: ")
    assert table.ok("campaign", "undo").stdout.startswith("undo #3: ")
    assert table.status()["time"] == 0
    assert table.ok("campaign", "undo").stdout.startswith("undo #2: ")
    assert table.who("rouge")["resources"] == {"nectar": 7}
    assert table.ok("campaign", "undo").stdout.startswith("undo #1: ")
    result = table.rouge("campaign", "undo")
    assert result.exit_code == 2
    assert result.stderr == "Error: there is nothing to undo\n"
    assert [e["kind"] for e in table.events()] == [
        "join",
        "feed",
        "time",
        "resolution",
        "undo",
        "undo",
        "undo",
        "leave",
    ]


def test_undo_with_nothing_is_an_error(table: Table) -> None:
    table.start()
    result = table.rouge("campaign", "undo")
    assert result.exit_code == 2
    assert result.stderr == "Error: there is nothing to undo\n"
    assert table.events() == []


def test_undo_an_advance_that_killed_then_death_comes_again(table: Table) -> None:
    table.start("nean_worker")
    table.ok("campaign", "advance", "5d")  # 0 since day 5
    table.ok("campaign", "advance", "2d")  # day 8: dead
    assert table.who("nean_worker")["conditions"] == ["dead", "shutdown"]
    table.ok("campaign", "undo")
    assert table.who("nean_worker")["conditions"] == ["shutdown"]
    table.ok("campaign", "advance", "1d23h59m")
    assert table.who("nean_worker")["conditions"] == ["shutdown"]
    table.ok("campaign", "advance", "1m")
    assert table.who("nean_worker")["conditions"] == ["dead", "shutdown"]


def test_undo_a_feed_at_zero_keeps_the_count_toward_death(table: Table) -> None:
    table.start("nean_worker")
    table.ok("campaign", "advance", "5d")  # 0 since day 5, 00:00; now day 6, 00:00
    table.ok("campaign", "feed", "nean_worker", "1")
    table.ok("campaign", "undo")
    assert table.who("nean_worker")["resources"] == {"nectar": 0}
    table.ok("campaign", "advance", "1d23h59m")
    assert table.who("nean_worker")["conditions"] == ["shutdown"]
    table.ok("campaign", "advance", "1m")  # day 8, 00:00: three days at zero since day 5
    assert table.who("nean_worker")["conditions"] == ["dead", "shutdown"]


def test_undo_restores_the_exact_state(table: Table) -> None:
    table.start("noid_262", "ash", "nean_worker")
    table.ok("campaign", "advance", "1d")
    seed = table.seed_for("free-will", "disobey", "noid_262", "strained", target="ash")
    commands: list[tuple[str, ...]] = [
        ("free-will", "noid_262.yaml", "--act", "disobey", "--by", "ash.yaml", "--seed", str(seed)),
        ("campaign", "advance", "4d"),
        ("campaign", "feed", "nean_worker", "2"),
        ("campaign", "advance", "3d"),
        ("campaign", "feed", "nean_worker", "5"),
        ("campaign", "advance", "1d"),
    ]
    snapshots: list[dict[str, Any]] = []
    for command in commands:
        with Journal.open(Path(DB)) as journal:
            snapshots.append(_comparable(journal.state()))
        table.ok(*command)
    for expected in reversed(snapshots):
        table.ok("campaign", "undo")
        with Journal.open(Path(DB)) as journal:
            assert _comparable(journal.state()) == expected


def _comparable(state: CampaignState) -> dict[str, Any]:
    data = state.to_json()
    data.pop("seq")
    for character in data["characters"].values():
        character["fired"] = sorted(character["fired"])
    return data


# -- replay ----------------------------------------------------------------------------------------


def _play_a_session(table: Table) -> None:
    table.start("rouge", "noid_262", "ash")
    table.ok("check", "rouge.yaml", "reflex", "--seed", "11")
    table.ok("check", "rouge.yaml", "mind", "--dc", "7", "--seed", "12")
    table.ok("check", "rouge.yaml", "body", "--vs", "ash.yaml:reflex", "--seed", "13")
    table.ok("campaign", "advance", "6h")
    table.ok("use", "rouge.yaml", "red_gladiator")
    seed = table.seed_for("free-will", "disobey", "noid_262", "strained", target="ash")
    table.ok(
        "free-will", "noid_262.yaml", "--act", "disobey", "--by", "ash.yaml", "--seed", str(seed)
    )
    table.ok("check", "noid_262.yaml", "presence")
    table.ok("campaign", "feed", "noid_262", "1")


def test_replay_reproduces_every_resolution(table: Table) -> None:
    _play_a_session(table)
    result = table.ok("campaign", "replay")
    assert result.stdout == "6 of 6 recorded rolls reproduce.\n"
    replayed = json.loads(table.ok("campaign", "replay", "--json").stdout)
    assert [r["seq"] for r in replayed] == [4, 5, 6, 8, 9, 10]
    assert replayed[0] == {
        "seq": 4,
        "summary": table.events()[3]["summary"],
        "reproduced": True,
        "differences": [],
        "same_rulebook": True,
    }
    assert all(r["reproduced"] and r["same_rulebook"] for r in replayed)
    # an explicit copy of the same rules reproduces too
    shutil.copytree(BUNDLED, "same", ignore=shutil.ignore_patterns("sheets"))
    replayed = json.loads(table.ok("campaign", "replay", "--json", "--rulebook", "same").stdout)
    assert all(r["reproduced"] for r in replayed)


def test_replay_reports_what_a_changed_rulebook_no_longer_reproduces(table: Table) -> None:
    _play_a_session(table)
    shutil.copytree(BUNDLED, "house", ignore=shutil.ignore_patterns("sheets"))
    core = Path("house/core.rouge")
    text = core.read_text()
    assert "const base_dc = 8\n" in text
    core.write_text(text.replace("const base_dc = 8\n", "const base_dc = 14\n"))
    result = table.rouge("campaign", "replay", "--rulebook", "house")
    assert result.exit_code == 1
    out = result.stdout
    # reflex and presence use the default difficulty; --dc 7 and the opposed roll do not
    assert re.search(r"^#4 Rouge Redstar: Action → \w+ \(\d+\): does not reproduce$", out, re.M)
    assert "  vs: recorded '8', now '14'\n" in out
    assert "  (the rulebook has changed since it was recorded)\n" in out
    assert "#5 " not in out and "#6 " not in out
    # the free-will check's difficulty is base_dc + severity: it changes too
    assert re.search(r"^#9 Noid 262: Disobey .*: does not reproduce$", out, re.M)
    assert "  vs: recorded '10', now '16'\n" in out
    assert out.endswith("\n3 of 6 recorded rolls reproduce.\n")
    replayed = {
        r["seq"]: r
        for r in json.loads(
            table.rouge("campaign", "replay", "--json", "--rulebook", "house").stdout
        )
    }
    assert replayed[4]["reproduced"] is False
    assert replayed[4]["same_rulebook"] is False
    assert replayed[5]["reproduced"] is True
    assert replayed[6]["reproduced"] is True
    # the journal itself is not changed by replaying
    assert len(table.events()) == 11


def test_replay_of_a_campaign_without_resolutions(table: Table) -> None:
    table.start("rouge")
    assert table.ok("campaign", "replay").stdout == "0 of 0 recorded rolls reproduce.\n"
    assert table.ok("campaign", "replay", "--json").stdout == "[]\n"


# -- export ----------------------------------------------------------------------------------------


def test_export_markdown(table: Table) -> None:
    table.start("rouge", "nean_worker")
    table.ok("campaign", "advance", "1d")
    table.ok("use", "rouge.yaml", "red_gladiator")
    table.ok("check", "rouge.yaml", "reflex", "--seed", "4")
    resolution = table.events()[-1]
    result = table.ok("campaign", "export", "--format", "markdown")
    assert result.stdout == lines(
        "# Campaign log: campaign.rouge.db",
        "",
        "Game time: day 2, 00:00",
        "",
        "- **day 1, 00:00** (#1, join) Rouge Redstar joins (aletheia)",
        "- **day 1, 00:00** (#2, join) Nean worker joins (neans)",
        "- **day 2, 00:00** (#3, time) 1d pass: day 1, 00:00 → day 2, 00:00",
        "- **day 2, 00:00** (#4, resolution) Rouge Redstar: The Red Gladiator → used  ",
        "  *Red armor closes over Rouge Redstar: the Red Gladiator.*",
        f"- **day 2, 00:00** (#5, resolution) {resolution['summary']}  ",
        f"  {resolution['result']['dice']}  ",
        f"  *{resolution['result']['narrative']}*",
        "",
        "## Where everyone stands",
        "",
        f"- **Rouge Redstar**: nectar 5, free_will 5, harm 0, manhunt 0, stress "
        f"{table.who('rouge')['tracks']['stress']}; conditions: armored, awakened",
        "- **Nean worker**: nectar 3, free_will 0, harm 0, manhunt 0, stress 0; conditions: none",
    )
    # the default format, to a file
    assert table.ok("campaign", "export", "-o", "session.md").stdout == "Wrote session.md.\n"
    assert Path("session.md").read_text() == result.stdout
    result = table.rouge("campaign", "export", "-o", "session.md")
    assert result.exit_code == 2
    assert result.stderr == "Error: session.md already exists; choose another file\n"


def test_export_markdown_shows_who_left(table: Table) -> None:
    table.start("rouge", "nean_worker")
    table.ok("campaign", "undo")
    assert table.ok("campaign", "export").stdout.endswith(
        "- **Nean worker** (left): nectar 4, free_will 0, harm 0, manhunt 0, stress 0; "
        "conditions: none\n"
    )


def test_export_json(table: Table) -> None:
    table.start("rouge")
    table.ok("campaign", "feed", "rouge", "1")
    result = table.ok("campaign", "export", "--format", "json")
    data = json.loads(result.stdout)
    assert set(data) == {"campaign", "created", "status", "events"}
    assert data["campaign"] == DB
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", data["created"])
    assert data["status"] == table.status()
    assert data["events"] == table.events()
    table.ok("campaign", "export", "--format", "json", "-o", "log.json")
    assert json.loads(Path("log.json").read_text()) == data


# -- the sheets, verify ----------------------------------------------------------------------------


def test_sheet_files_are_never_written(table: Table) -> None:
    sheets = sorted(table.path.glob("*.yaml"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sheets}
    table.start("rouge", "nean_worker", "ash")
    table.ok("use", "rouge.yaml", "red_gladiator")
    table.ok("check", "rouge.yaml", "reflex", "--seed", "1")
    table.ok("campaign", "advance", "2w")
    table.ok("campaign", "feed", "nean_worker", "3")
    table.ok("campaign", "undo")
    table.ok("campaign", "export", "-o", "out.md")
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sheets} == before
    assert table.who("rouge")["resources"] != {"nectar": 7}


def test_verify(table: Table) -> None:
    table.start("rouge")
    table.ok("campaign", "advance", "1d")
    assert table.ok("campaign", "verify").stdout == "integrity: ok; 2 events\n"


# -- the library -----------------------------------------------------------------------------------


def test_append_outside_a_transaction_is_refused(table: Table) -> None:
    with Journal.create(Path(DB)) as journal:
        state = journal.state()
        with pytest.raises(RuntimeError):
            journal.append(state, "time", 60, {"minutes": 60, "from": 0, "applied": []})
        assert journal.count() == 0


def test_a_failed_command_writes_nothing(table: Table, bundled_rulebook: Rulebook) -> None:
    with Journal.create(Path(DB)) as journal:
        members.join(
            journal, bundled_rulebook, [read_character(Path("rouge.yaml"), bundled_rulebook)]
        )
        with pytest.raises(ZeroDivisionError), journal.transaction():
            state = journal.state()
            journal.append(state, "time", 60, {"minutes": 60, "from": 0, "applied": []})
            raise ZeroDivisionError
        assert journal.count() == 1
        assert journal.state().time == 0


def test_create_refuses_an_existing_file(table: Table) -> None:
    Journal.create(Path(DB)).close()
    with pytest.raises(CampaignError, match="already exists"):
        Journal.create(Path(DB))


def test_snapshots_give_the_same_state_as_folding_every_event(
    table: Table, bundled_rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "SNAPSHOT_EVERY", 3)
    sheets = [read_character(Path(f"{n}.yaml"), bundled_rulebook) for n in ("rouge", "nean_worker")]
    with Journal.create(Path(DB)) as journal:
        members.join(journal, bundled_rulebook, sheets)
        for step in range(20):
            actions.advance(journal, bundled_rulebook, 7 * 60 + step)
            if step % 4 == 0:
                actions.feed(journal, bundled_rulebook, "nean_worker", 2, "nectar")
            if step % 7 == 3:
                actions.undo(journal)
        snapshots = journal.db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0]
        assert snapshots >= 5
        from_snapshot = journal.state()
        scratch = CampaignState()
        for event in journal.events():
            fold(scratch, event.seq, event.kind, event.time, event.payload)
    assert _comparable(from_snapshot) == _comparable(scratch)
    assert from_snapshot.seq == scratch.seq
