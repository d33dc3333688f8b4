"""`rouge roll` and `rouge odds` through Click's test runner: the exact text a GM sees."""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from rouge_rpg import __version__
from rouge_rpg.cli import cli, main
from rouge_rpg.cli.dice import MAX_TIMES

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), prog_name="rouge")
    # Whatever happened, it ended in an exit status, never an uncaught exception.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


def fails(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    return result.stderr


# -- roll ------------------------------------------------------------------------------


def test_roll_with_a_seed() -> None:
    assert ok("roll", "4d6kh3+2", "--seed", "1") == "4d6kh3 (2, 5, ~~1~~, 3) + 2 = 12\n"
    assert ok("roll", "1d20 + 5", "--seed", "7") == "1d20 (11) + 5 = 16\n"


def test_roll_many_times_from_one_seed() -> None:
    assert ok("roll", "1d20", "--seed", "1", "--times", "3") == (
        "1d20 (5) = 5\n1d20 (19) = 19\n1d20 (3) = 3\n"
    )


def test_roll_without_a_seed() -> None:
    lines = ok("roll", "1d6", "--times", "50").splitlines()
    assert len(lines) == 50
    assert all(re.fullmatch(r"1d6 \(([1-6])\) = \1", line) for line in lines)


def test_a_negative_expression_after_double_dash() -> None:
    assert ok("roll", "--seed", "1", "--", "-1d8") == "-1d8 (3) = -3\n"


def test_roll_json_lines() -> None:
    lines = ok("roll", "1d20+5", "--seed", "2", "--times", "2", "--json").splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "expression": "1d20 + 5",
            "total": 7,
            "detail": "1d20 (2) + 5 = 7",
            "dice": [
                {
                    "term": "1d20",
                    "rolls": [{"value": 2, "kept": True, "rerolled": False, "exploded": False}],
                }
            ],
        },
        {
            "expression": "1d20 + 5",
            "total": 8,
            "detail": "1d20 (3) + 5 = 8",
            "dice": [
                {
                    "term": "1d20",
                    "rolls": [{"value": 3, "kept": True, "rerolled": False, "exploded": False}],
                }
            ],
        },
    ]


def test_roll_json_marks_dropped_rerolled_and_exploded_dice() -> None:
    (line,) = ok("roll", "2d6ro1 + 5d10!>=9kh3", "--seed", "2", "--json").splitlines()
    data = json.loads(line)
    assert set(data) == {"expression", "total", "detail", "dice"}
    assert data["total"] == 29
    assert [term["term"] for term in data["dice"]] == ["2d6ro1", "5d10!>=9kh3"]
    flags = [
        (r["value"], r["kept"], r["rerolled"], r["exploded"]) for r in data["dice"][1]["rolls"]
    ]
    assert flags == [
        (3, False, False, False),
        (5, True, False, False),
        (5, False, False, False),
        (10, True, False, True),
        (4, False, False, False),
        (10, True, False, True),
        (1, False, False, False),
    ]
    assert data["dice"][0]["rolls"][0] == {
        "value": 1,
        "kept": False,
        "rerolled": True,
        "exploded": False,
    }


# -- odds ------------------------------------------------------------------------------


def test_odds_table() -> None:
    assert ok("odds", "2d6+3>=10") == (
        "2d6 + 3 >= 10\n"
        "mean 0.5833, min 0, max 1\n"
        "outcome      P(=)     P(>=)\n"
        "      0    41.67%      100%  #############################\n"
        "      1    58.33%    58.33%  ########################################\n"
    )
    assert ok("odds", "1d6/2") == (
        "1d6 / 2\n"
        "mean 1.5, min 0, max 3\n"
        "outcome      P(=)     P(>=)\n"
        "      0    16.67%      100%  ####################\n"
        "      1    33.33%    83.33%  ########################################\n"
        "      2    33.33%    50.00%  ########################################\n"
        "      3    16.67%    16.67%  ####################\n"
    )


def test_odds_table_of_an_inexact_distribution() -> None:
    lines = ok("odds", "1d6!").splitlines()
    assert lines[:5] == [
        "1d6!",
        "mean 4.2, min 1, max 78 (not exact)",
        "note: explosions followed to depth 12; deeper chains are left out",
        "outcome      P(=)     P(>=)",
        "      1    16.67%      100%  ########################################",
    ]
    assert lines[-1] == "     78    <0.01%    <0.01%  #"


def test_odds_json() -> None:
    data = json.loads(ok("odds", "2d6", "--json"))
    assert set(data) == {"expression", "exact", "mean", "min", "max", "distribution"}
    assert data["expression"] == "2d6"
    assert data["exact"] is True
    assert (data["mean"], data["min"], data["max"]) == (7.0, 2, 12)
    assert data["distribution"][0] == {"outcome": 2, "probability": "1/36"}
    assert data["distribution"][5] == {"outcome": 7, "probability": "1/6"}
    assert [d["outcome"] for d in data["distribution"]] == list(range(2, 13))
    note = json.loads(ok("odds", "3d6!", "--json"))
    assert note["exact"] is False
    assert note["note"] == "explosions followed to depth 12; deeper chains are left out"


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["roll", "odds"])
def test_bad_expression(command: str) -> None:
    assert fails(command, "2d6 + 1d") == (
        "Error: a die needs a number of sides, such as 1d6, d% or dF (column 8)\n"
        "  2d6 + 1d\n"
        "         ^\n"
    )
    assert fails(command, "4d6kh3kl1") == (
        "Error: 'kl': this keep or drop is given twice (column 7)\n  4d6kh3kl1\n        ^~~\n"
    )
    assert fails(command, "") == "Error: empty dice expression; try something like 2d6+1\n"


@pytest.mark.parametrize("times", ["0", "-3", str(MAX_TIMES + 1)])
def test_times_out_of_range(times: str) -> None:
    assert fails("roll", "1d6", "--times", times) == (
        f"Error: --times must be between 1 and {MAX_TIMES:,}, not {times}\n"
    )


def test_times_not_a_number() -> None:
    message = fails("roll", "1d6", "--times", "x")
    assert message.endswith("Error: Invalid value for '--times': 'x' is not a valid integer.\n")


def test_odds_limit_error() -> None:
    assert fails("odds", "1d20 + 100d100") == (
        "Error: the exact odds of '100d100' are too large to compute (98,029,801 steps; "
        "the limit is 10,000,000); 'rouge roll' still rolls it (column 8)\n"
        "  1d20 + 100d100\n"
        "         ^~~~~~~\n"
    )
    assert fails("odds", "3d6!kh2") == (
        "Error: exact odds of keep or drop among exploding dice are not supported; "
        "'rouge roll' still rolls it (column 1)\n  3d6!kh2\n  ^~~~~~~\n"
    )


def test_errors_while_rolling() -> None:
    assert fails("roll", "1d6 / 0", "--seed", "1") == (
        "Error: division by zero: '0' is 0 (column 7)\n  1d6 / 0\n        ^\n"
    )
    assert fails("roll", "{5000d6, 5001d6}") == (
        "Error: this roll needs more than 10,000 dice (column 10)\n"
        "  {5000d6, 5001d6}\n"
        "           ^~~~~~\n"
    )


def test_version() -> None:
    assert ok("--version") == f"rouge, version {__version__}\n"


# -- the dice reference -------------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "dice.md"


def documented_sessions() -> list[tuple[str, str]]:
    """Each `$ rouge ...` line of docs/dice.md's console blocks, with the text under it."""
    sessions: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            sessions.append((command, output))
    return sessions


def test_the_reference_has_examples() -> None:
    assert len(documented_sessions()) >= 15


@pytest.mark.parametrize(("command", "output"), documented_sessions())
def test_documented_example(command: str, output: str) -> None:
    program, *args = shlex.split(command)
    assert program == "rouge"
    result = run(*args)
    assert result.output == output
    assert result.exit_code == (2 if output.startswith("Error: ") else 0)


# -- how `rouge roll` ends: errors, Ctrl-C, a closed pipe --------------------------------


def test_an_error_shows_the_expression_and_exits_2() -> None:
    assert fails("roll", "2d6 + 1d") == (
        "Error: a die needs a number of sides, such as 1d6, d% or dF (column 8)\n"
        "  2d6 + 1d\n"
        "         ^\n"
    )


def test_ctrl_c_while_rolling_is_aborted(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(importlib.import_module("rouge_rpg.dice.roll"), "roll", interrupted)
    result = run("roll", "1d20", "--seed", "1")
    assert (result.stdout, result.stderr, result.exit_code) == ("", "\nAborted!\n", 1)


def test_ctrl_c_before_click_starts_is_interrupted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(importlib.import_module("rouge_rpg.cli.app"), "cli", interrupted)
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 130
    assert capsys.readouterr() == ("", "Interrupted.\n")


def rouge(*args: str) -> list[str]:
    return [sys.executable, "-m", "rouge_rpg", *args]


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "_ROUGE_COMPLETE"}


def test_help_in_a_fresh_process() -> None:
    done = subprocess.run(
        rouge("roll", "--help"), cwd=ROOT, env=environment(), capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.startswith("Usage: rouge roll [OPTIONS] EXPRESSION\n")
    assert "--times INTEGER" in done.stdout


@pytest.mark.parametrize("args", [["2d6+"], ["1d20", "--times", "0"], ["1d6 / 0", "--seed", "1"]])
def test_an_error_exits_2_without_a_traceback(args: list[str]) -> None:
    done = subprocess.run(
        rouge("roll", *args), cwd=ROOT, env=environment(), capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("Error: ")
    assert "Traceback" not in done.stderr


def test_a_closed_pipe_ends_quietly_with_status_1() -> None:
    # `rouge roll 10d20 --times 10000 | head -1`: far more than a pipe's buffer
    # holds, so the writer meets the closed pipe.
    child = subprocess.Popen(
        rouge("roll", "10d20", "--times", "10000"),
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


def test_an_expression_the_shell_split_is_joined_again(runner: Any) -> None:
    from rouge_rpg.cli.app import cli

    spaced = runner.invoke(cli, ["roll", "2d6", "+", "2", "--seed", "1"])
    whole = runner.invoke(cli, ["roll", "2d6 + 2", "--seed", "1"])
    assert spaced.exit_code == 0 and spaced.output == whole.output == "2d6 (2, 5) + 2 = 9\n"
    minus = runner.invoke(cli, ["roll", "--seed", "1", "2d6", "-", "1"])
    assert minus.output == "2d6 (2, 5) - 1 = 6\n"
    odds = runner.invoke(cli, ["odds", "1d6", "+", "1", "--json"])
    assert odds.exit_code == 0 and '"expression": "1d6 + 1"' in odds.output
