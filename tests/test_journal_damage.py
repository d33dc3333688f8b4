"""Damaged event contents (issue 16, item 6), read-only campaigns (8), atomic init (7)."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rouge_rpg.campaign import journal as journal_module

Rouge = Callable[..., Any]


def start(rouge: Rouge, here: Path, sheet: Path) -> Path:
    path = here / "c.db"
    assert rouge("campaign", "init", str(path)).exit_code == 0
    (here / "rouge.yaml").write_bytes(sheet.read_bytes())
    joined = rouge("campaign", "join", str(here / "rouge.yaml"), "--campaign", str(path))
    assert joined.exit_code == 0, joined.output
    assert rouge("campaign", "advance", "2h", "--campaign", str(path)).exit_code == 0
    return path


def sql(path: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    db = sqlite3.connect(path)
    try:
        for statement, values in statements:
            db.execute(statement, values)
        db.commit()
    finally:
        db.close()


def payload(path: Path, seq: int) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("SELECT payload FROM events WHERE seq = ?", (seq,)).fetchone()[0])
    finally:
        db.close()


def _flip(text: str) -> str:
    at = text.index('"table"') + 3
    return text[:at] + chr(ord(text[at]) ^ 0x04) + text[at + 1 :]


DAMAGE: dict[str, Callable[[str], tuple[str, tuple[Any, ...]]]] = {
    "renamed key": lambda p: (
        "UPDATE events SET payload = ? WHERE seq = 1",
        (p.replace('"table"', '"tabme"'),),
    ),
    "bit flip": lambda p: ("UPDATE events SET payload = ? WHERE seq = 1", (_flip(p),)),
    "empty payload": lambda p: ("UPDATE events SET payload = '{}' WHERE seq = 1", ()),
    "null": lambda p: ("UPDATE events SET payload = 'null' WHERE seq = 1", ()),
    "text": lambda p: ("UPDATE events SET payload = '\"x\"' WHERE seq = 1", ()),
    "time abc": lambda p: ("UPDATE events SET time = 'abc' WHERE seq = 1", ()),
    "deep": lambda p: (
        "UPDATE events SET payload = ? WHERE seq = 1",
        ("[" * 100_000 + "]" * 100_000,),
    ),
    "a sheet value": lambda p: (
        "UPDATE events SET payload = ? WHERE seq = 1",
        (json.dumps({**json.loads(p), "resources": {"nectar": "lots"}}),),
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_event_is_named_by_verify_and_refused_by_every_command(
    rouge: Rouge, isolated: Path, bundled_sheet: Callable[[str], Path], damage: str
) -> None:
    path = start(rouge, isolated, bundled_sheet("rouge"))
    # the join event, with an `applied` entry (sound) for the key to rename or flip
    entry = {"table": "resources", "character": "rouge", "what": "x", "before": 1, "after": 2}
    text = json.dumps({**json.loads(payload(path, 1)), "applied": [entry]})
    sql(path, ("UPDATE events SET payload = ? WHERE seq = 1", (text,)))
    assert rouge("campaign", "verify", "--campaign", str(path)).exit_code == 0
    sql(path, DAMAGE[damage](text))
    before = path.read_bytes()
    verify = rouge("campaign", "verify", "--campaign", str(path))
    assert verify.exit_code == 1, verify.output
    assert "event #1 is damaged" in verify.output
    as_json = rouge("campaign", "verify", "--json", "--campaign", str(path))
    assert json.loads(as_json.stdout)["damaged"][0]["seq"] == 1
    for command in (
        ("campaign", "status"),
        ("campaign", "log"),
        ("campaign", "export"),
        ("campaign", "undo"),
        ("campaign", "advance", "1h"),
        ("campaign", "replay"),
    ):
        result = rouge(*command, "--campaign", str(path))
        assert result.exit_code == 2, (command, result.output, result.exception)
        assert "event #1 is damaged; run rouge campaign verify" in result.stderr, command
    assert path.read_bytes() == before


def test_a_negative_schema_version_is_damage_not_a_crash(
    rouge: Rouge, isolated: Path, bundled_sheet: Callable[[str], Path]
) -> None:
    path = start(rouge, isolated, bundled_sheet("rouge"))
    sql(path, ("PRAGMA user_version = -1", ()))
    before = path.read_bytes()
    for command in ("status", "verify", "advance"):
        args = ("1h",) if command == "advance" else ()
        result = rouge("campaign", command, *args, "--campaign", str(path))
        assert result.exit_code == 2, result.output
        assert "schema version is -1" in result.stderr
    assert path.read_bytes() == before


def test_a_sound_campaign_verifies(
    rouge: Rouge, isolated: Path, bundled_sheet: Callable[[str], Path]
) -> None:
    path = start(rouge, isolated, bundled_sheet("rouge"))
    result = rouge("campaign", "verify", "--json", "--campaign", str(path))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["damaged"] == []


# -- 8: read-only -------------------------------------------------------------------------


def test_a_campaign_that_cannot_be_written_can_be_viewed(
    rouge: Rouge,
    isolated: Path,
    bundled_sheet: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = start(rouge, isolated, bundled_sheet("rouge"))
    before = path.read_bytes()
    monkeypatch.setattr(journal_module, "_writable", lambda path: False)
    for command in ("status", "log", "export", "verify", "replay"):
        result = rouge("campaign", command, "--campaign", str(path))
        assert result.exit_code == 0, (command, result.output)
    assert path.read_bytes() == before
    with (
        journal_module.Journal.open(path, read_only=True) as journal,
        pytest.raises(sqlite3.OperationalError),
    ):
        journal.db.execute("DELETE FROM events")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anything")
def test_a_read_only_file_and_a_read_only_folder(
    rouge: Rouge, isolated: Path, bundled_sheet: Callable[[str], Path]
) -> None:
    path = start(rouge, isolated, bundled_sheet("rouge"))
    path.chmod(0o444)
    assert rouge("campaign", "status", "--campaign", str(path)).exit_code == 0
    refused = rouge("campaign", "advance", "1h", "--campaign", str(path))
    assert refused.exit_code == 2 and "read-only" in refused.stderr
    isolated.chmod(0o555)
    try:
        for command in ("status", "log", "verify"):
            result = rouge("campaign", command, "--campaign", str(path))
            assert result.exit_code == 0, result.output
            assert "damaged" not in result.output
    finally:
        isolated.chmod(0o755)


# -- 7: init builds beside and renames ------------------------------------------------------


def test_init_leaves_no_partial_file_when_it_fails(
    rouge: Rouge, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(*args: Any) -> None:
        raise KeyboardInterrupt  # as if killed between building and placing the file

    with monkeypatch.context() as patched:
        patched.setattr(journal_module.os, "link", killed)
        with pytest.raises(KeyboardInterrupt):
            journal_module.Journal.create(isolated / "c.db")
    assert list(isolated.iterdir()) == []
    result = rouge("campaign", "init", "c.db")
    assert result.exit_code == 0, result.output
    assert rouge("campaign", "status", "--campaign", "c.db").exit_code == 0


def test_status_keeps_join_order_after_a_snapshot(
    rouge: Rouge,
    isolated: Path,
    bundled_sheet: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(journal_module, "SNAPSHOT_EVERY", 2)
    assert rouge("campaign", "init", "c.db").exit_code == 0
    for name in ("wellstown_officer", "rouge", "ash"):
        (isolated / f"{name}.yaml").write_bytes(bundled_sheet(name).read_bytes())
        assert rouge("campaign", "join", f"{name}.yaml", "--campaign", "c.db").exit_code == 0
    db = sqlite3.connect(isolated / "c.db")
    try:
        assert db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] >= 1
    finally:
        db.close()
    status = json.loads(rouge("campaign", "status", "--json", "--campaign", "c.db").stdout)
    assert [c["id"] for c in status["characters"]] == ["wellstown_officer", "rouge", "ash"]


# -- the depth of a payload, read fast ------------------------------------------------------


def _depth_by_characters(text: str) -> int:
    """The reference: every character read in turn, escapes inside strings skipped."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


@given(st.text(alphabet=st.sampled_from('[]{}"\\a,:\n é\u2192\ud800'), max_size=60))
@settings(max_examples=2000, deadline=None)
def test_the_depth_of_a_payload_is_read_as_character_by_character(text: str) -> None:
    from rouge_rpg.campaign.events import _depth

    assert _depth(text) == _depth_by_characters(text)


def test_a_large_turn_is_scanned_as_it_was_and_a_deep_one_is_damaged() -> None:
    from rouge_rpg.campaign.events import MAX_DEPTH, Damaged, parse

    order = [{"id": f"wm_{i}", "name": "a ] { name", "with": [], "d": [[1], {}]} for i in range(50)]
    text = json.dumps({"encounter": {"order": order}})
    assert "\\" not in text and text.count("[") > MAX_DEPTH
    assert parse(text)["encounter"]["order"] == order
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    with pytest.raises(Damaged, match="nests deeper"):
        parse(deep)
    assert parse('["' + "[" * 100 + '"]') == ["[" * 100]  # brackets in a string do not nest
