"""`rouge roll` without Click (`rouge_rpg.cli.fast`): the same bytes and exit status as Click.

The fast path either declines an argument list, leaving it to Click, or
prints exactly what the Click command prints. In-process, both are compared
byte for byte; in subprocesses, the console entry is checked not to import
Click, and errors, help and a closed pipe to end as they do through Click.
"""

from __future__ import annotations

import importlib
import io
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rouge_rpg.cli import cli
from rouge_rpg.cli.fast import RollRequest, run, simple_roll, try_fast_roll

ROOT = Path(__file__).resolve().parent.parent
DICE_ROLL = importlib.import_module("rouge_rpg.dice.roll")

#: (stdout, stderr, exit status)
Outcome = tuple[bytes, bytes, int]


def through_click(args: list[str]) -> Outcome:
    result = CliRunner().invoke(cli, args, prog_name="rouge")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.stdout_bytes, result.stderr_bytes, result.exit_code


def through_fast_path(args: list[str]) -> Outcome | None:
    """What the fast path prints for `args`, or None if it leaves them to Click."""
    request = simple_roll(args)
    if request is None:
        return None
    out, err = io.BytesIO(), io.BytesIO()
    # The streams CliRunner gives Click: UTF-8, stderr with backslashreplace.
    stdout = io.TextIOWrapper(out, encoding="utf-8")
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace")
    with redirect_stdout(stdout), redirect_stderr(stderr), pytest.raises(SystemExit) as exit_:
        run(request)
    stdout.flush()
    stderr.flush()
    code = exit_.value.code
    assert isinstance(code, int)
    return out.getvalue(), err.getvalue(), code


@contextmanager
def unseeded_rolls_seeded() -> Iterator[None]:
    """Rolls without --seed use seed 0, so that the two paths can be compared."""
    make_rng = DICE_ROLL.make_rng

    def seeded(seed: int | None = None, rng: random.Random | None = None) -> random.Random:
        return make_rng(0 if seed is None and rng is None else seed, rng)

    with mock.patch.object(DICE_ROLL, "make_rng", seeded):
        yield


def same_as_click(args: list[str]) -> Outcome | None:
    """The fast path's outcome, checked equal to Click's; None if it declined."""
    with unseeded_rolls_seeded():
        fast = through_fast_path(args)
        if fast is not None:
            assert fast == through_click(args), args
    return fast


# -- what the fast path takes, and what it leaves to Click ------------------------------

ACCEPTED: list[tuple[list[str], RollRequest]] = [
    (["roll", "1d20"], RollRequest("1d20", None, 1, False)),
    (["roll", "4d6kh3+2", "--seed", "1"], RollRequest("4d6kh3+2", 1, 1, False)),
    (["roll", "--seed=1", "4d6kh3+2"], RollRequest("4d6kh3+2", 1, 1, False)),
    (["roll", "--times", "3", "1d6", "--seed", "-7"], RollRequest("1d6", -7, 3, False)),
    (["roll", "1d6", "--times=2", "--json"], RollRequest("1d6", None, 2, True)),
    (["roll", "--json", "1d6", "--times", "-1"], RollRequest("1d6", None, -1, True)),
    (["roll", "1d6", "--times", "007", "--seed=-0"], RollRequest("1d6", 0, 7, False)),
    (["roll", ""], RollRequest("", None, 1, False)),
    (["roll", "1d6 + 2", "--times", "0"], RollRequest("1d6 + 2", None, 0, False)),
]

DECLINED: list[list[str]] = [
    [],
    ["roll"],
    ["odds", "2d6"],
    ["--version"],
    ["roll", "--help"],
    ["roll", "-h"],
    ["roll", "1d20", "--help"],
    ["roll", "--", "-1d8"],
    ["roll", "1d20", "--"],
    ["roll", "-1d8"],
    ["roll", "-"],
    ["roll", "1d20", "2d6"],
    ["roll", "--seed", "1"],
    ["roll", "1d20", "--seed"],
    ["roll", "1d20", "--times"],
    ["roll", "1d20", "--seed", "1", "--seed", "2"],
    ["roll", "1d20", "--times=1", "--times", "2"],
    ["roll", "1d20", "--json", "--json"],
    ["roll", "1d20", "--json=1"],
    ["roll", "1d20", "--seed", "x"],
    ["roll", "1d20", "--seed", "1.5"],
    ["roll", "1d20", "--seed", "+1"],
    ["roll", "1d20", "--seed", " 1"],
    ["roll", "1d20", "--seed", "1_000"],
    ["roll", "1d20", "--seed", "١"],  # an Arabic-Indic digit: int() takes it
    ["roll", "1d20", "--seed", "--json"],
    ["roll", "1d20", "--seed", "-"],
    ["roll", "1d20", "--seed="],
    ["roll", "1d20", "--times", "9" * 5000],  # past int()'s digit limit
    ["roll", "1d20", "--sed", "1"],
    ["roll", "1d20", "--tim=2"],
    ["roll", "1d20", "-s", "1"],
    ["roll", "1d20", "-j"],
    ["roll", "1d20", "--JSON"],
    ["roll", "1d20[\x1b[31mfire\x1b[0m]"],  # Click strips escapes when not on a terminal
]


def short(value: object) -> str:
    return repr(value)[:60]


@pytest.mark.parametrize(("args", "request_"), ACCEPTED, ids=short)
def test_simple_arguments_are_taken(args: list[str], request_: RollRequest) -> None:
    assert simple_roll(args) == request_


@pytest.mark.parametrize("args", DECLINED, ids=short)
def test_anything_else_is_left_to_click(args: list[str]) -> None:
    assert simple_roll(args) is None


def test_declined_arguments_still_work_through_click() -> None:
    assert through_click(["roll", "--seed", "1", "--", "1d20"]) == (b"1d20 (5) = 5\n", b"", 0)
    stdout, _, code = through_click(["roll", "--help"])
    assert code == 0
    assert stdout.startswith(b"Usage: rouge roll [OPTIONS] EXPRESSION\n")


# -- the same bytes and exit status as the Click command -------------------------------

SAME: list[list[str]] = [
    ["roll", "1d20", "--seed", "1"],
    ["roll", "1d20"],
    ["roll", "4d6kh3+2", "--seed", "1"],
    ["roll", "--seed", "7", "1d20 + 5"],
    ["roll", "2d6[fire]+1d4", "--seed=3", "--times=2"],
    ["roll", "2d6[épée]+1", "--seed", "3", "--json"],
    ["roll", "1d20", "--seed", "1", "--times", "3"],
    ["roll", "--times", "3", "--seed", "1", "1d20"],
    ["roll", "1d20+5", "--seed", "2", "--times", "2", "--json"],
    ["roll", "--json", "2d6ro1 + 5d10!>=9kh3", "--seed", "2"],
    ["roll", "1d20", "--seed", "99999999999999999999999999", "--times", "5"],
    ["roll", "1d20", "--seed", "-5", "--times", "10000"],
    ["roll", "1d0"],
    ["roll", "2d6+"],
    ["roll", "2d6 + 1d", "--json"],
    ["roll", "4d6kh3kl1"],
    ["roll", "10001d6"],
    ["roll", ""],
    ["roll", "   "],
    ["roll", "1d6 / 0", "--seed", "1"],
    ["roll", "{5000d6, 5001d6}"],
    ["roll", "1d6", "--times", "0"],
    ["roll", "1d6", "--times", "-1"],
    ["roll", "1d6", "--times=-3"],
    ["roll", "1d6", "--times", "10001", "--json"],
    ["roll", "1d6", "--times", "9" * 100],
]


@pytest.mark.parametrize("args", SAME, ids=short)
def test_same_output_and_status_as_click(args: list[str]) -> None:
    assert same_as_click(args) is not None


def test_an_error_shows_the_expression_and_exits_2() -> None:
    assert same_as_click(["roll", "2d6 + 1d"]) == (
        b"",
        b"Error: a die needs a number of sides, such as 1d6, d% or dF (column 8)\n"
        b"  2d6 + 1d\n"
        b"         ^\n",
        2,
    )


def test_ctrl_c_while_rolling_is_aborted_as_click_does(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(DICE_ROLL, "roll", interrupted)
    assert same_as_click(["roll", "1d20", "--seed", "1"]) == (b"", b"\nAborted!\n", 1)


TOKENS = [
    *("1d20", "4d6kh3+2", "2d6[fire]+1d4", "1d0", "2d6+", "10001d6", "", "x", "-1d8", "-"),
    *("--seed", "--seed=1", "--seed=-3", "--seed=", "--seed=x", "1", "-2", "07", "1.5"),
    *("--times", "--times=2", "--times=0", "--times=-1", "--times=10001", "3", "0"),
    *("--json", "--json=1", "--help", "-h", "--", "--jso", "-s", "--version"),
]
EXPRESSIONS = ["1d20", "4d6kh3+2", "2d6[fire]+1d4", "{1d4, 2d6}kh1", "1d0", "2d6+", "10001d6", ""]
NUMBERS = ["1", "-2", "07", "0", "3", "-0", "10001", "x", "1.5", "", "--json"]


@st.composite
def roll_arguments(draw: st.DrawFn) -> list[str]:
    """Mostly what a user types: an expression and options in any order, and a stray token."""
    parts = [[draw(st.sampled_from(EXPRESSIONS))]]
    for name in ("--seed", "--times"):
        if draw(st.booleans()):
            value = draw(st.sampled_from(NUMBERS))
            parts.append([f"{name}={value}"] if draw(st.booleans()) else [name, value])
    if draw(st.booleans()):
        parts.append(["--json"])
    args = [arg for part in draw(st.permutations(parts)) for arg in part]
    for stray in draw(st.lists(st.sampled_from(TOKENS), max_size=1)):
        args.insert(draw(st.integers(0, len(args))), stray)
    return args


@settings(max_examples=500, deadline=None)
@given(st.one_of(roll_arguments(), st.lists(st.sampled_from(TOKENS), max_size=6)))
def test_any_arguments_declined_or_same_as_click(args: list[str]) -> None:
    same_as_click(["roll", *args])


# -- when the fast path steps aside whatever the arguments -----------------------------


def test_shell_completion_is_left_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_ROUGE_COMPLETE", "bash_source")
    assert try_fast_roll(["roll", "1d20"]) is None


def test_an_ascii_stdout_is_left_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    # Click would print to it through a UTF-8 wrapper of its own.
    monkeypatch.delenv("_ROUGE_COMPLETE", raising=False)
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    assert try_fast_roll(["roll", "1d20"]) is None


def test_a_simple_roll_exits_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("_ROUGE_COMPLETE", raising=False)
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with redirect_stdout(stdout), pytest.raises(SystemExit) as exit_:
        try_fast_roll(["roll", "1d20", "--seed", "1"])
    assert exit_.value.code == 0
    assert try_fast_roll(["roll", "--help"]) is None


# -- the real entry points, in subprocesses ---------------------------------------------


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "_ROUGE_COMPLETE"}


def test_the_console_entry_rolls_without_importing_click() -> None:
    script = (
        "import sys\n"
        "sys.argv = ['rouge', 'roll', '1d20', '--seed', '1']\n"
        "import rouge_rpg.cli\n"
        "try:\n"
        "    rouge_rpg.cli.main()\n"
        "except SystemExit as exit_:\n"
        "    print('exit', exit_.code)\n"
        "print('click imported:', 'click' in sys.modules)\n"
    )
    done = subprocess.run(
        python("-c", script), cwd=ROOT, env=environment(), capture_output=True, text=True
    )
    assert done.stdout == "1d20 (5) = 5\nexit 0\nclick imported: False\n", done.stderr
    assert done.stderr == ""


def test_help_still_comes_from_click() -> None:
    done = subprocess.run(
        python("-m", "rouge_rpg", "roll", "--help"),
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("Usage: rouge roll [OPTIONS] EXPRESSION\n")
    assert "--times INTEGER" in done.stdout


@pytest.mark.parametrize("args", [["2d6+"], ["1d20", "--times", "0"], ["1d6 / 0", "--seed", "1"]])
def test_an_error_exits_2_without_a_traceback(args: list[str]) -> None:
    done = subprocess.run(
        python("-m", "rouge_rpg", "roll", *args),
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("Error: ")
    assert "Traceback" not in done.stderr


CLICK_ROLL = "from rouge_rpg.cli.app import cli; cli(prog_name='rouge')"


@pytest.mark.parametrize("through", ["fast path", "click"])
def test_a_closed_pipe_ends_quietly_with_status_1(through: str) -> None:
    # Far more than a pipe's buffer holds, so the writer meets the closed pipe.
    roll = ["roll", "10d20", "--times", "10000"]
    command = python("-m", "rouge_rpg", *roll)
    if through == "click":
        command = python("-c", CLICK_ROLL, *roll)
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline().startswith(b"10d20 (")
    child.stdout.close()
    stderr = child.stderr.read()
    child.stderr.close()
    assert child.wait(timeout=60) == 1
    assert stderr == b""
