"""`rouge table`: the session, its completion, and a short scene through prompt_toolkit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from rouge_rpg.cli import active
from rouge_rpg.cli.shell import HISTORY_FILE, Table, loop

MEMBERS = ("rouge", "ash", "noid_262", "giallon", "viola")


@pytest.fixture
def campaign(
    isolated: Path, rouge: Callable[..., Any], bundled_sheet: Callable[[str], Path]
) -> Path:
    assert rouge("campaign", "init").exit_code == 0
    joined = rouge("campaign", "join", *(str(bundled_sheet(m)) for m in MEMBERS))
    assert joined.exit_code == 0, joined.output
    return isolated / "campaign.rouge.db"


@pytest.fixture
def table(campaign: Path) -> Iterator[Table]:
    with Table(str(campaign)) as session:
        yield session


def values(table: Table, text: str) -> list[str]:
    return [item.value for item in table.complete(text)]


def test_commands_and_shell_words(table: Table) -> None:
    found = values(table, "")
    assert {"check", "free-will", "use", "campaign", "roll", "help", "exit"} <= set(found)
    assert "table" not in found
    assert values(table, "ch") == ["check"]
    assert values(table, "campaign st") == ["status"]


def test_options(table: Table) -> None:
    found = values(table, "check rouge reflex --")
    assert {"--dc", "--vs", "--seed", "--odds", "--explain"} <= set(found)


def test_character_ids(table: Table) -> None:
    assert set(values(table, "check ")) == set(MEMBERS)
    assert values(table, "check no") == ["noid_262"]
    assert values(table, "use ash arrest --target vi") == ["viola"]
    assert values(table, "free-will noid_262 --act disobey --by a") == ["ash"]
    assert values(table, "campaign feed gi") == ["giallon"]


def test_checks_and_attributes(table: Table, bundled_rulebook: Any) -> None:
    found = values(table, "check rouge ")
    checks = {d.id.text for d in bundled_rulebook.of_kind("check")}
    attributes = {d.id.text for d in bundled_rulebook.of_kind("attribute")}
    assert set(found) == checks | attributes
    assert "reflex" in found
    assert values(table, "check rouge reflex --vs ash:re") == ["ash:reflex"]


def test_acts(table: Table, bundled_rulebook: Any) -> None:
    acts = {d.id.text for d in bundled_rulebook.of_kind("act")}
    assert set(values(table, "free-will noid_262 --act ")) == acts
    assert "disobey" in acts


def test_abilities_of_the_character_typed(table: Table) -> None:
    giallon = values(table, "use giallon ")
    ash = values(table, "use ash ")
    assert "thunderbolt" in giallon and "thunderbolt" not in ash
    assert "arrest" in ash and "arrest" not in giallon


def test_conditions_and_other_ids(table: Table, bundled_rulebook: Any) -> None:
    conditions = {d.id.text for d in bundled_rulebook.of_kind("condition")}
    assert "shutdown" in conditions
    assert values(table, "rules show shutd") == ["shutdown"]
    assert conditions <= set(values(table, "rules show "))
    assert values(table, "campaign feed giallon 1 --resource nec") == ["nectar"]
    assert "condition" in values(table, "rules list --kind ")


def test_files_complete_where_a_sheet_may_be_a_path(table: Table, campaign: Path) -> None:
    (campaign.parent / "extra.yaml").write_text("name: x\n", encoding="utf-8")
    assert values(table, "check ext") == ["extra.yaml"]
    assert values(table, "sheet validate ext") == ["extra.yaml"]


def test_a_line_runs_as_rouge_would(table: Table, capsys: pytest.CaptureFixture[str]) -> None:
    assert table.run("check rouge reflex --dc 9 --seed 4") == 0
    out = capsys.readouterr().out
    assert "Rouge Redstar: Action" in out and "recorded in" in out
    assert table.run("rouge campaign log -n 1") == 0
    assert "Rouge Redstar: Action" in capsys.readouterr().out
    assert table.run("check nobody reflex") == 2
    assert table.run("bogus") == 2
    assert "No such command 'bogus'" in capsys.readouterr().err
    assert table.run("table") == 2
    assert table.run('roll "1d20') == 2  # an unclosed quote
    assert table.run("") == 0
    assert table.run("help") == 0
    assert "Ctrl-D" in capsys.readouterr().out
    assert table.run("help check") == 0
    assert "CHECK_OR_ATTRIBUTE" in capsys.readouterr().out


def test_the_journal_and_rulebook_stay_loaded(table: Table, campaign: Path) -> None:
    from rouge_rpg.rules import load

    borrowed = active.journal_at(campaign)
    assert table.journal is not None and borrowed.db is table.journal.db
    borrowed.close()  # the table's journal stays open
    assert table.journal.count() >= len(MEMBERS)
    assert load() is table.rulebook
    table.close()
    assert active._kept == {}


def typing(pipe: Any, chunks: Sequence[str], table: Table) -> threading.Thread:
    """Send keys a chunk at a time, as a person types: a completion lands before the next.

    A chunk that ends with Tab waits for the table to have worked out its
    completions (however long a busy machine takes), then a moment for
    prompt_toolkit to insert them, before the next chunk is sent.
    """
    completed = threading.Event()
    original = table.complete

    def complete(text: str) -> Any:
        try:
            return original(text)
        finally:
            completed.set()

    setattr(table, "complete", complete)  # noqa: B010

    def send() -> None:
        for chunk in chunks:
            time.sleep(0.08)
            completed.clear()
            pipe.send_text(chunk)
            if chunk.endswith("\t"):
                completed.wait(30)
                time.sleep(0.1)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def test_a_short_scene(
    campaign: Path,
    cache_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ROUGE_CACHE_DIR", str(tmp_path / "cache"))
    keys = [
        "chec\t",  # Tab: check
        " rou\t",  # rouge
        " refl\t",  # reflex
        " --dc 9 --seed 4\r",
        "use giallon thunder\t",  # thunderbolt, giallon's power
        " --target rouge --seed 1\r",
        "roll 1d20 and then Ctrl-C\x03",  # cancelled: never run
        "campaign status\r",
        "\x04",  # Ctrl-D leaves
    ]
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        with Table(str(campaign)) as session:
            sender = typing(pipe, keys, session)
            loop(session, input=pipe, output=DummyOutput())
        sender.join()
    out = capsys.readouterr().out
    assert "Rouge Redstar: Action (stat reflex, dc 9)" in out
    assert "Giallon: Thunderbolt vs Rouge Redstar" in out
    assert "Giallon" in out.split("day 1")[-1]  # the status table
    assert "1d20" not in out
    history = (tmp_path / "cache" / HISTORY_FILE).read_text(encoding="utf-8")
    assert "+check rouge reflex --dc 9 --seed 4" in history
    assert "roll 1d20" not in history


def test_history_is_kept_across_sessions(
    campaign: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ROUGE_CACHE_DIR", str(tmp_path / "cache"))
    for keys in (["roll 1d6 --seed 2\r", "\x04"], ["\x1b[A", "\r", "\x04"]):  # then: Up, Enter
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            with Table(str(campaign)) as session:
                sender = typing(pipe, keys, session)
                loop(session, input=pipe, output=DummyOutput())
            sender.join()
    # the second session recalled the first one's line with Up, and ran it
    assert capsys.readouterr().out.count("1d6 (1) = 1") == 2
    history = (tmp_path / "cache" / HISTORY_FILE).read_text(encoding="utf-8")
    assert "+roll 1d6 --seed 2" in history
