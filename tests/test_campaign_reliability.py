"""The campaign file under stress: killed writers, concurrent writers, damaged and foreign files.

The child processes run small scripts with the project importable; every wait
has a timeout and every loop a bound, so a regression fails instead of hanging.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from rouge_rpg.campaign import actions, members
from rouge_rpg.campaign import journal as journal_module
from rouge_rpg.campaign.journal import APPLICATION_ID, SCHEMA_VERSION, CampaignError, Journal
from rouge_rpg.rules import Rulebook
from rouge_rpg.sheets import read_character

ROOT = Path(__file__).resolve().parent.parent
SHEETS = ROOT / "rulebooks" / "metallic_rouge" / "sheets"
#: Longest a child process may run, in seconds.
CHILD_TIMEOUT = 120


#: Each test runs in its own empty folder, with no ROUGE_CAMPAIGN.
pytestmark = pytest.mark.usefixtures("isolated")


def make_campaign(path: Path, rulebook: Rulebook, advances: int = 0) -> None:
    """A real campaign: two characters, a few events."""
    sheets = [read_character(SHEETS / f"{n}.yaml", rulebook) for n in ("rouge", "nean_worker")]
    with Journal.create(path, {"rulebooks": [], "rulebook_title": rulebook.title}) as journal:
        members.join(journal, rulebook, sheets)
        for step in range(advances):
            actions.advance(journal, rulebook, 60 * (step % 13 + 1))
            actions.feed(journal, rulebook, "nean_worker", 1 + step % 3, "nectar")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def child(script: str, *args: str) -> subprocess.Popen[str]:
    """A Python process running `script`, with the project importable."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ROUGE_CAMPAIGN", None)
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.fixture
def reaper() -> Iterator[list[subprocess.Popen[str]]]:
    """Children still running at the end of a test are killed: no strays, no hangs."""
    children: list[subprocess.Popen[str]] = []
    timers: list[threading.Timer] = []

    def watch(proc: subprocess.Popen[str]) -> None:
        timer = threading.Timer(CHILD_TIMEOUT, proc.kill)
        timer.daemon = True
        timer.start()
        timers.append(timer)

    class Watched(list[subprocess.Popen[str]]):
        def append(self, proc: subprocess.Popen[str]) -> None:
            watch(proc)
            super().append(proc)

    children = Watched()
    yield children
    for timer in timers:
        timer.cancel()
    for proc in children:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=CHILD_TIMEOUT)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


# -- a writer killed with SIGKILL ------------------------------------------------------------------

APPENDER = """
    import sys
    from pathlib import Path
    from rouge_rpg.campaign import actions
    from rouge_rpg.campaign.journal import Journal
    from rouge_rpg.rules import load

    rulebook = load()
    with Journal.open(Path(sys.argv[1])) as journal:
        print("ready", flush=True)
        for step in range(int(sys.argv[2])):
            if step % 2:
                actions.feed(journal, rulebook, "rouge", 1, "nectar")
            else:
                actions.advance(journal, rulebook, 60)
            # committed: the transaction is over
            seq = journal.db.execute("SELECT MAX(seq) FROM events").fetchone()[0]
            print(seq, flush=True)
"""


@pytest.mark.parametrize("kill_after", [1, 25, 60])
def test_a_writer_killed_with_sigkill_loses_nothing_it_committed(
    tmp_path: Path,
    bundled_rulebook: Rulebook,
    reaper: list[subprocess.Popen[str]],
    kill_after: int,
    rouge: Callable[..., Result],
    sqlite_integrity: Callable[[Path], str],
) -> None:
    path = tmp_path / "killed.db"
    make_campaign(path, bundled_rulebook)
    reported: list[int] = []
    for _round in range(3):  # killed, reopened, killed again: the file stays whole
        proc = child(APPENDER, str(path), "5000")
        reaper.append(proc)
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n", proc.stderr.read() if proc.stderr else ""
        for _ in range(kill_after):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            reported.append(int(line))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=CHILD_TIMEOUT)
        assert proc.returncode == -signal.SIGKILL
        # whatever it printed before it died was committed before it was printed
        reported.extend(int(line) for line in proc.stdout.read().split())
    assert sqlite_integrity(path) == "ok"
    with Journal.open(path) as journal:
        seqs = [e.seq for e in journal.events()]
        assert set(reported) <= set(seqs)
        assert seqs == list(range(1, len(seqs) + 1))
        state = journal.state()
        assert state.seq == seqs[-1]
        assert journal.integrity() == "ok"
        assert journal.damaged() == []  # every event decodes, as verify checks
    assert rouge("campaign", "status", "--campaign", str(path)).exit_code == 0
    assert rouge("campaign", "verify", "--campaign", str(path)).exit_code == 0


CREATOR = """
    import sys
    from pathlib import Path
    from rouge_rpg.campaign.journal import Journal

    folder = Path(sys.argv[1])
    print("ready", flush=True)
    for n in range(int(sys.argv[2])):
        with Journal.create(folder / f"c{n}.db", {"rulebooks": []}):
            pass
        print(n, flush=True)  # created: the file is in place, whole
"""


@pytest.mark.parametrize("kill_after", [0, 3, 10])
def test_init_killed_with_sigkill_leaves_a_whole_campaign_or_none(
    tmp_path: Path,
    reaper: list[subprocess.Popen[str]],
    kill_after: int,
    rouge: Callable[..., Result],
) -> None:
    proc = child(CREATOR, str(tmp_path), "1000")
    reaper.append(proc)
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n", proc.stderr.read() if proc.stderr else ""
    created = [int(proc.stdout.readline()) for _ in range(kill_after)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=CHILD_TIMEOUT)
    created.extend(int(line) for line in proc.stdout.read().split())
    for n in created:
        assert rouge("campaign", "verify", "--campaign", str(tmp_path / f"c{n}.db")).exit_code == 0
    # the one being made when it died: there whole, or not there (a temporary file aside)
    following = tmp_path / f"c{len(created)}.db"
    if following.exists():
        assert rouge("campaign", "verify", "--campaign", str(following)).exit_code == 0
    else:
        assert rouge("campaign", "init", str(following)).exit_code == 0


# -- two writers at once ---------------------------------------------------------------------------

FEEDER = """
    import sys
    from pathlib import Path
    from rouge_rpg.campaign import actions
    from rouge_rpg.campaign.journal import Journal
    from rouge_rpg.rules import load

    rulebook = load()
    name, count = sys.argv[2], int(sys.argv[3])
    sys.stdin.readline()  # wait for the go
    for _ in range(count):
        with Journal.open(Path(sys.argv[1])) as journal:  # a fresh open, as each command does
            actions.feed(journal, rulebook, name, 1, "nectar")
    print("done", flush=True)
"""


def test_two_processes_appending_at_once_lose_nothing(
    tmp_path: Path,
    bundled_rulebook: Rulebook,
    reaper: list[subprocess.Popen[str]],
    sqlite_integrity: Callable[[Path], str],
) -> None:
    path = tmp_path / "shared.db"
    make_campaign(path, bundled_rulebook)
    with Journal.open(path) as journal:
        setup = journal.count()
    each = 200
    procs = [child(FEEDER, str(path), name, str(each)) for name in ("rouge", "nean_worker")]
    for proc in procs:
        reaper.append(proc)
    for proc in procs:  # both start together
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        out, err = proc.communicate(timeout=CHILD_TIMEOUT)
        assert proc.returncode == 0, err
        assert out == "done\n"
        assert "locked" not in err
        assert err == ""
    assert sqlite_integrity(path) == "ok"
    with Journal.open(path) as journal:
        assert journal.count() == setup + 2 * each
        seqs = [e.seq for e in journal.events()]
        assert seqs == list(range(1, setup + 2 * each + 1))
        feeds = [e.character for e in journal.events() if e.kind == "feed"]
        assert feeds.count("rouge") == each
        assert feeds.count("nean_worker") == each
        state = journal.state()
    assert state.characters["rouge"].resources["nectar"] == 10
    assert state.characters["nean_worker"].resources["nectar"] == 10


# -- damaged and foreign files: refused, untouched ---------------------------------------------

COMMANDS: list[tuple[str, ...]] = [
    ("status",),
    ("status", "--json"),
    ("log",),
    ("advance", "1h"),
    ("feed", "rouge", "1"),
    ("undo",),
    ("join", str(SHEETS / "ash.yaml")),
    ("replay",),
    ("export", "--format", "json"),
    ("verify",),
]


def assert_refused(
    rouge: Callable[..., Result], path: Path, *, commands: list[tuple[str, ...]] = COMMANDS
) -> list[str]:
    """Every command: `Error: ...`, exit 2, the file's bytes unchanged, no -wal/-shm left."""
    before = digest(path)
    messages = []
    for command in commands:
        result = rouge("campaign", *command, "--campaign", str(path))
        assert result.exit_code == 2, (command, result.output, result.exception)
        assert result.stderr.startswith("Error: "), (command, result.stderr)
        assert "Traceback" not in result.output
        assert result.stdout == ""
        assert digest(path) == before, command
        messages.append(result.stderr)
    for table_command in (
        ("check", str(SHEETS / "rouge.yaml"), "reflex"),
        ("use", str(SHEETS / "rouge.yaml"), "red_gladiator"),
    ):
        result = rouge(*table_command, "--campaign", str(path))
        assert result.exit_code == 2, (table_command, result.output)
        assert result.stderr.startswith("Error: ")
        assert digest(path) == before
    return messages


def no_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        assert not Path(f"{path}{suffix}").exists(), suffix


def nothing_in_a_wal(path: Path) -> None:
    """SQLite may leave an empty -wal (and its -shm) by a damaged WAL-mode file: nothing in it."""
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_random_bytes_are_refused(tmp_path: Path, rouge: Callable[..., Result]) -> None:
    path = tmp_path / "noise.db"
    path.write_bytes(os.urandom(64 * 1024))
    messages = assert_refused(rouge, path)
    assert messages[0] == f"Error: {path} is not a rouge campaign (not an SQLite database)\n"
    no_sidecars(path)


def test_an_empty_file_and_a_text_file_are_refused(
    tmp_path: Path, rouge: Callable[..., Result]
) -> None:
    for path, data in ((tmp_path / "empty.db", b""), (tmp_path / "notes.db", b"day 1: ...\n")):
        path.write_bytes(data)
        assert_refused(rouge, path, commands=[("status",), ("advance", "1h")])
        no_sidecars(path)


def test_a_folder_is_refused(tmp_path: Path, rouge: Callable[..., Result]) -> None:
    (tmp_path / "folder.db").mkdir()
    result = rouge("campaign", "status", "--campaign", str(tmp_path / "folder.db"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'folder.db'} is a folder, not a campaign file\n"


def test_a_truncated_campaign_is_refused(
    tmp_path: Path, bundled_rulebook: Rulebook, rouge: Callable[..., Result]
) -> None:
    original = tmp_path / "whole.db"
    make_campaign(original, bundled_rulebook, advances=60)
    size = original.stat().st_size
    assert size >= 8 * 4096
    for keep in (size // 2, 4096 + 100, 200):
        path = tmp_path / f"cut{keep}.db"
        shutil.copy(original, path)
        with path.open("r+b") as handle:
            handle.truncate(keep)
        messages = assert_refused(rouge, path)
        assert "damaged" in messages[0] or "not a rouge campaign" in messages[0], messages[0]
        nothing_in_a_wal(path)


def test_a_campaign_with_garbage_in_its_middle_is_refused(
    tmp_path: Path,
    bundled_rulebook: Rulebook,
    sqlite_integrity: Callable[[Path], str],
    rouge: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(journal_module, "SNAPSHOT_EVERY", 10**9)  # no snapshot: all are read
    original = tmp_path / "whole.db"
    make_campaign(original, bundled_rulebook, advances=60)
    page_size = 4096
    db = sqlite3.connect(original)
    try:
        assert db.execute("PRAGMA page_size").fetchone()[0] == page_size
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        owners = dict(db.execute("SELECT pageno, name FROM dbstat"))
    finally:
        db.close()
    # the page of events nearest the middle of the file, and the one after it
    middle = min(
        (p for p, name in owners.items() if name == "events"), key=lambda p: abs(p - pages / 2)
    )
    assert pages >= 8 and 2 < middle < pages
    path = tmp_path / "garbage.db"
    shutil.copy(original, path)
    with path.open("r+b") as handle:
        handle.seek((middle - 1) * page_size)
        handle.write(os.urandom(2 * page_size))
    check = tmp_path / "check.db"
    shutil.copy(path, check)
    try:
        found = sqlite_integrity(check)
    except sqlite3.DatabaseError as error:
        found = str(error)
    assert found != "ok"
    messages = assert_refused(rouge, path)
    assert messages[0].startswith(f"Error: {path} is damaged: ")
    nothing_in_a_wal(path)


def test_a_campaign_with_a_damaged_event_is_refused(
    tmp_path: Path, bundled_rulebook: Rulebook, rouge: Callable[..., Result]
) -> None:
    """The page is sound but an event's text is not JSON: refused as damaged, not a crash."""
    path = tmp_path / "bad_event.db"
    make_campaign(path, bundled_rulebook, advances=3)
    db = sqlite3.connect(path)
    try:
        db.execute("UPDATE events SET payload = '{not json' WHERE seq = 4")
        db.commit()
    finally:
        db.close()
    result = rouge("campaign", "status", "--campaign", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: event #4 is damaged; run rouge campaign verify\n"


@pytest.mark.parametrize("wal", [False, True])
def test_a_foreign_sqlite_file_is_refused_and_untouched(
    tmp_path: Path, wal: bool, rouge: Callable[..., Result]
) -> None:
    path = tmp_path / "inventory.db"
    db = sqlite3.connect(path)
    try:
        if wal:
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE items (name TEXT, count INTEGER)")
        db.executemany("INSERT INTO items VALUES (?, ?)", [("nectar", 3), ("cuffs", 1)])
        db.commit()
    finally:
        db.close()
    no_sidecars(path)
    messages = assert_refused(rouge, path)
    assert messages[0] == f"Error: {path} is an SQLite database, but not a rouge campaign\n"
    no_sidecars(path)
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0
        expected = "wal" if wal else "delete"
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == expected
        assert db.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 2
    finally:
        db.close()


def test_init_never_overwrites_a_foreign_file(tmp_path: Path, rouge: Callable[..., Result]) -> None:
    path = tmp_path / "inventory.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE items (name TEXT)")
    db.commit()
    db.close()
    before = digest(path)
    result = rouge("campaign", "init", str(path))
    assert result.exit_code == 2
    assert digest(path) == before


def test_a_file_from_a_newer_schema_is_refused_and_untouched(
    tmp_path: Path, bundled_rulebook: Rulebook, rouge: Callable[..., Result]
) -> None:
    path = tmp_path / "future.db"
    make_campaign(path, bundled_rulebook, advances=2)
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA user_version = 99")
        db.commit()
    finally:
        db.close()
    messages = assert_refused(rouge, path)
    assert messages[0] == (
        f"Error: {path} was written by a newer rouge (schema 99; this one reads up to "
        f"{SCHEMA_VERSION})\n"
    )
    no_sidecars(path)
    with pytest.raises(CampaignError, match="newer rouge"):
        Journal.open(path)


def test_an_empty_campaign_at_version_0_is_migrated(
    tmp_path: Path,
    bundled_rulebook: Rulebook,
    rouge: Callable[..., Result],
    sqlite_integrity: Callable[[Path], str],
) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    try:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.commit()
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    finally:
        db.close()
    result = rouge("campaign", "status", "--campaign", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "day 1, 00:00, 0 events\nNo characters yet: rouge campaign join SHEET...\n"
    )
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"meta", "events", "snapshots"} <= tables
    finally:
        db.close()
    # and it works as a campaign
    result = rouge("campaign", "join", str(SHEETS / "rouge.yaml"), "--campaign", str(path))
    assert result.exit_code == 0, result.output
    assert rouge("campaign", "advance", "1d", "--campaign", str(path)).exit_code == 0
    with Journal.open(path) as journal:
        assert journal.count() == 2
        assert journal.state().characters["rouge"].resources == {"nectar": 6}
    assert sqlite_integrity(path) == "ok"


def test_a_read_only_campaign_is_refused(
    tmp_path: Path, bundled_rulebook: Rulebook, rouge: Callable[..., Result]
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may write to any file")
    path = tmp_path / "locked.db"
    make_campaign(path, bundled_rulebook)
    path.chmod(0o444)
    try:
        result = rouge("campaign", "status", "--campaign", str(path))
        assert result.exit_code == 2
        assert result.stderr == f"Error: {path} is read-only\n"
    finally:
        path.chmod(0o644)


def test_a_journal_folds_on_from_its_last_read_and_forgets_what_rolled_back(
    tmp_path: Path, bundled_rulebook: Rulebook
) -> None:
    """`rouge table` keeps one journal open: its state follows every writer, and a
    transaction that fails leaves no trace in what it reads next."""
    path = tmp_path / "c.rouge.db"
    make_campaign(path, bundled_rulebook, advances=3)
    with Journal.open(path) as mine, Journal.open(path) as other:
        mine.remembers = True
        first = mine.state()
        first.time += 10_000  # each read is the caller's to change
        first.characters["nean_worker"].resources["nectar"] = 99
        first.characters["rouge"].conditions["exposed"] = None
        again = mine.state()
        assert again.time != first.time
        assert again.characters["nean_worker"].resources["nectar"] != 99
        assert "exposed" not in again.characters["rouge"].conditions
        actions.advance(other, bundled_rulebook, 90)  # another writer
        assert mine.state().to_json() == other.state().to_json()
        before = mine.state().to_json()
        with pytest.raises(RuntimeError), mine.transaction():
            now = mine.state()
            mine.append(now, "time", now.time + 60, {"applied": [], "summary": "an hour"})
            assert mine.state().seq == now.seq  # read inside, then rolled back
            raise RuntimeError("the command fails after its write")
        assert mine.state().to_json() == before
        with Journal.open(path) as fresh:
            assert fresh.state().to_json() == before
