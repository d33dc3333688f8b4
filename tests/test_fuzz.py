"""Our own bounded fuzzing (issue 16): hostile dice, rules files, sheets, arguments, journal rows.

Every input is generated or mutated by hypothesis and given to `rouge` as a user
would. The rules: the exit status is 0, 1 or 2; never a traceback; never past a
time budget per input (enforced by the harness: an interval timer interrupts a
run that takes too long, and the test fails saying so); a refused command changes
no byte of the file it refused; and a damaged journal is reported, not crashed on.

By default each test tries a few examples, so the whole file runs in seconds. Set
`ROUGE_FUZZ_LONG=1` (or a number of examples, `ROUGE_FUZZ_LONG=5000`) for a long run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "rulebooks" / "metallic_rouge"
SHEETS = BOOK / "sheets"

_long = os.environ.get("ROUGE_FUZZ_LONG", "")
#: Examples per test: a few by default, many for a long run.
EXAMPLES = (int(_long) if _long.isdigit() and int(_long) > 1 else 2000) if _long else 12
#: Most seconds one input may take (generous: the machine is shared).
BUDGET = 8.0

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not _long,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class OverBudget(Exception):
    pass


@contextlib.contextmanager
def budget(seconds: float = BUDGET) -> Iterator[None]:
    """Fail the input if it runs past `seconds` (a timer signal, not a timing assertion)."""

    def expired(signum: int, frame: object) -> None:
        raise OverBudget(f"an input ran past its budget of {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run(rouge: Callable[..., Any], *args: str) -> Any:
    with budget():
        result = rouge(*args)
    assert not isinstance(result.exception, OverBudget), (args, "over budget")
    assert result.exit_code in (0, 1, 2), (args, result.output, result.exception)
    assert "Traceback" not in result.output, (args, result.output)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (args, repr(result.exception))
    return result


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """`data` with each edit (where, how many bytes to drop, what to put there)."""
    for where, drop, insert in edits:
        at = where % (len(data) + 1)
        data = data[:at] + insert + data[at + drop :]
    return data


HOSTILE = [b"\x00", b"\r", b"\x1b[2J", b"\xff", b"\xed\xa0\x80"]
pieces = st.one_of(
    st.binary(max_size=8),
    st.sampled_from(
        [
            *HOSTILE,
            b"9" * 400,
            b"0x" + b"f" * 300,
            b"{",
            b"[",
            b"&a",
            b"*a",
            b"\n  ",
            b": ",
            b"include ",
        ]
    ),
)
edits = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 40), pieces), max_size=6)


@pytest.fixture
def here() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="rouge-fuzz-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- dice -----------------------------------------------------------------------------------

dice_alphabet = "0123456789dF%!xokhlrcsf<>=+-*/(){},[] "
dice_text = st.one_of(
    st.text(dice_alphabet, max_size=30),
    st.lists(
        st.sampled_from(
            [
                "1d20",
                "4d6kh3",
                "d%",
                "4dF",
                "3d6!",
                "1d1000",
                "100d100",
                "kh",
                "*",
                "+",
                "{",
                "}",
                ",",
                "(",
                ")",
                "1000000000",
                "ro1",
                "cs>=5",
                "!",
                "999999999999",
                "-",
                "d",
            ]
        ),
        max_size=10,
    ).map("".join),
)


@fuzz
@given(dice_text)
def test_fuzz_dice(rouge: Callable[..., Any], text: str) -> None:
    run(rouge, "odds", "--", text)
    run(rouge, "roll", "--seed", "1", "--", text)


# -- rules files ----------------------------------------------------------------------------


@fuzz
@given(st.sampled_from(["rulebook.rouge", "humans.rouge", "core.rouge"]), edits)
def test_fuzz_rules_files(
    rouge: Callable[..., Any], here: Path, name: str, changes: list[tuple[int, int, bytes]]
) -> None:
    folder = here / "book"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(BOOK, folder, ignore=shutil.ignore_patterns("sheets"))
    path = folder / name
    data = mutate(path.read_bytes(), changes)
    path.write_bytes(data)
    run(rouge, "rules", "check", str(folder))
    assert path.read_bytes() == data


# -- sheets ---------------------------------------------------------------------------------


@fuzz
@given(st.sampled_from(["rouge", "ash", "noid_262"]), edits)
def test_fuzz_sheets(
    rouge: Callable[..., Any], here: Path, name: str, changes: list[tuple[int, int, bytes]]
) -> None:
    path = here / f"{name}.yaml"
    data = mutate((SHEETS / f"{name}.yaml").read_bytes(), changes)
    path.write_bytes(data)
    run(rouge, "sheet", "validate", str(path))
    run(rouge, "sheet", "validate", "--json", str(path))
    run(rouge, "sheet", "show", str(path))
    assert path.read_bytes() == data


# -- argument lists against a campaign ------------------------------------------------------


@pytest.fixture(scope="module")
def sound_campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from rouge_rpg.cli import cli

    folder = tmp_path_factory.mktemp("fuzz-campaign")
    shutil.copy(SHEETS / "rouge.yaml", folder / "rouge.yaml")
    runner = CliRunner()
    db = str(folder / "c.db")
    for args in (
        ["campaign", "init", db],
        ["campaign", "join", str(folder / "rouge.yaml"), "--campaign", db],
        ["campaign", "advance", "3h", "--campaign", db],
        ["campaign", "feed", "rouge", "1", "--campaign", db],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, (args, result.output)
    return folder / "c.db"


words = st.sampled_from(
    [
        "status",
        "log",
        "export",
        "verify",
        "advance",
        "undo",
        "feed",
        "leave",
        "bench",
        "return",
        "sync",
        "join",
        "adjust",
        "damage",
        "heal",
        "add",
        "remove",
        "replay",
        "init",
        "rouge",
        "rouge.yaml",
        "nobody",
        "1h",
        "-1h",
        "9" * 30,
        "9223372036854775808",
        "--json",
        "-n",
        "--since",
        "-o",
        "out.md",
        "nodir/out.md",
        "x" * 300,
        "\x1b[2J",
        "\x00",
        "",
        "--as",
        "+2",
        "nectar",
        "--players",
        "--last",
        "0",
    ]
)


@fuzz
@given(st.lists(words, min_size=1, max_size=5))
def test_fuzz_campaign_arguments(
    rouge: Callable[..., Any], here: Path, sound_campaign: Path, args: list[str]
) -> None:
    db = here / "c.db"
    shutil.copy(sound_campaign, db)
    shutil.copy(SHEETS / "rouge.yaml", here / "rouge.yaml")
    before = db.read_bytes()
    cwd = os.getcwd()
    os.chdir(here)
    try:
        result = run(rouge, "campaign", *args, "--campaign", str(db))
    finally:
        os.chdir(cwd)
    if result.exit_code != 0:
        assert db.read_bytes() == before, args


# -- journal rows ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.floats(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)


def _replace_somewhere(data: Any, path: list[int], value: Any) -> Any:
    if not path or not isinstance(data, dict | list) or not data:
        return value
    keys = list(data) if isinstance(data, dict) else list(range(len(data)))
    key = keys[path[0] % len(keys)]
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[key] = _replace_somewhere(copy[key], path[1:], value)  # type: ignore[index]
    return copy


@fuzz
@given(
    st.integers(1, 3),
    st.lists(st.integers(0, 50), max_size=5),
    json_values,
    st.sampled_from(["payload", "time", "kind", "text"]),
)
def test_fuzz_journal_rows(
    rouge: Callable[..., Any],
    here: Path,
    sound_campaign: Path,
    seq: int,
    path: list[int],
    value: Any,
    column: str,
) -> None:
    db = here / "c.db"
    shutil.copy(sound_campaign, db)
    con = sqlite3.connect(db)
    try:
        row = con.execute("SELECT payload FROM events WHERE seq = ?", (seq,)).fetchone()
        if column == "payload":
            changed = json.dumps(_replace_somewhere(json.loads(row[0]), path, value))
            con.execute("UPDATE events SET payload = ? WHERE seq = ?", (changed, seq))
        elif column == "text":
            text = mutate(row[0].encode(), [(p * 7919, 1, b"x") for p in path]).decode("latin-1")
            con.execute("UPDATE events SET payload = ? WHERE seq = ?", (text, seq))
        else:
            stored = value if isinstance(value, int | str | float) else "x"
            con.execute(f"UPDATE events SET {column} = ? WHERE seq = ?", (stored, seq))
        con.commit()
    finally:
        con.close()
    before = db.read_bytes()
    for command in ("status", "log", "export", "verify", "advance", "undo"):
        args = ("1h",) if command == "advance" else ()
        result = run(rouge, "campaign", command, *args, "--campaign", str(db))
        if result.exit_code != 0:
            assert db.read_bytes() == before, command
        before = db.read_bytes()
