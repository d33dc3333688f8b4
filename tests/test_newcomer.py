"""A newcomer's first ten minutes: what the README and `rouge demo` say to type works."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from rouge_rpg.cli.app import EXAMPLES
from rouge_rpg.sheets.load import locate

ROOT = Path(__file__).resolve().parent.parent
Rouge = Callable[..., Result]


def test_a_leading_minus_is_an_expression_not_an_option(rouge: Rouge) -> None:
    rolled = rouge("roll", "-1d8+10", "--seed", "3")
    assert rolled.exit_code == 0, rolled.output
    assert rolled.output.startswith("-1d8 (")
    assert rouge("roll", "--seed", "3", "-1d8+10").output == rolled.output
    odds = rouge("odds", "-1d8")
    assert odds.exit_code == 0, odds.output
    assert odds.output.splitlines()[:2] == ["-1d8", "mean -4.5, min -8, max -1"]
    assert rouge("roll", "-d6", "--seed", "1").exit_code == 0
    assert "No such option '--sed'" in rouge("roll", "1d6", "--sed", "1").output


def _help_examples(output: str) -> list[str]:
    lines = output.rstrip().split("\n")
    start = lines.index("Examples:") if "Examples:" in lines else lines.index("  Examples:")
    return [line.strip() for line in lines[start + 1 :]]


@pytest.mark.parametrize("group", sorted(EXAMPLES))
def test_every_help_ends_with_real_examples_that_run(
    group: str, rouge: Rouge, isolated: Path
) -> None:
    args = ["--help"] if group == "rouge" else [group, "--help"]
    shown = _help_examples(rouge(*args).output)
    assert shown == EXAMPLES[group]
    assert 2 <= len(shown) <= 3
    for example in shown:
        result = rouge(*shlex.split(example)[1:])
        assert result.exit_code == 0, f"{example}:\n{result.output}"


def test_the_demos_commands_run_as_printed_in_an_empty_folder(rouge: Rouge, isolated: Path) -> None:
    demo = rouge("demo", "--seed", "4")
    assert demo.exit_code == 0, demo.output
    commands = re.findall(r"^\s+\$ (rouge .*)$", demo.output, re.MULTILINE)
    assert len(commands) == 3
    for command in commands:
        result = rouge(*shlex.split(command)[1:], "--seed", "1")
        assert result.exit_code == 0, f"{command}:\n{result.output}"


def test_a_sheet_is_a_path_else_the_bundled_sheet_of_that_name(
    isolated: Path, bundled_sheet: Callable[[str], Path]
) -> None:
    assert locate("rouge") == bundled_sheet("rouge")
    assert locate("rouge.yaml") == bundled_sheet("rouge")
    (isolated / "rouge.yaml").write_text("name: Mine\n")
    assert locate("rouge.yaml") == Path("rouge.yaml")  # a path wins
    assert locate("sub/naomi.yaml") == Path("sub/naomi.yaml")  # a folder: only a path
    assert locate("nobody.yaml") == Path("nobody.yaml")


def test_a_bundled_sheet_by_name_plays_and_a_missing_one_says_so(
    rouge: Rouge, isolated: Path
) -> None:
    played = rouge("check", "naomi", "mind", "--dc", "8", "--seed", "2")
    assert played.exit_code == 0, played.output
    assert played.output.startswith("Naomi Orthmann:")
    missing = rouge("check", "nobody.yaml", "mind")
    assert missing.exit_code == 2
    assert "cannot read 'nobody.yaml'" in missing.output


def test_the_readme_says_how_to_have_rouge_on_the_path() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ". .venv/bin/activate" in readme
    assert "pipx install ." in readme and "uv tool install ." in readme
