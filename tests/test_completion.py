"""Shell completion of the plain commands (bash, zsh, fish): the same ids as `rouge table`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rouge_rpg.cli import cli


def complete(runner: CliRunner, line: str, env: dict[str, str] | None = None) -> list[str]:
    """What bash would offer after `line` (the last word being completed)."""
    words = line.split(" ")
    result = runner.invoke(
        cli,
        [],
        prog_name="rouge",
        env={
            "_ROUGE_COMPLETE": "bash_complete",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) - 1),
            **(env or {}),
        },
    )
    assert result.exit_code == 0, result.output
    return [row.split(",", 1)[1] for row in result.output.splitlines() if row]


@pytest.fixture
def with_campaign(
    isolated: Path, rouge: Callable[..., Any], bundled_sheet: Callable[[str], Path]
) -> Path:
    assert rouge("campaign", "init").exit_code == 0
    sheets = [str(bundled_sheet(m)) for m in ("rouge", "ash", "giallon")]
    assert rouge("campaign", "join", *sheets).exit_code == 0
    return isolated


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_scripts(runner: CliRunner, shell: str) -> None:
    result = runner.invoke(cli, [], prog_name="rouge", env={"_ROUGE_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0
    assert "_ROUGE_COMPLETE" in result.output


def test_commands(runner: CliRunner) -> None:
    assert "table" in complete(runner, "rouge ")
    assert complete(runner, "rouge ch") == ["check"]


def test_campaign_members(runner: CliRunner, with_campaign: Path) -> None:
    found = complete(runner, "rouge check ")
    assert {"rouge", "ash", "giallon"} <= set(found)
    assert complete(runner, "rouge check gi") == ["giallon", "gi"]  # and files, as bash does
    assert complete(runner, "rouge use giallon x --target a") == ["ash", "a"]
    assert complete(runner, "rouge campaign feed gi") == ["giallon"]
    assert complete(runner, "rouge campaign damage ro") == ["rouge"]
    assert "shutdown" in complete(runner, "rouge campaign add giallon ")
    assert "nectar" in complete(runner, "rouge campaign adjust giallon ")
    giallon = complete(runner, "rouge use giallon ")
    assert "thunderbolt" in giallon and "arrest" not in giallon


def test_checks_attributes_acts_abilities_conditions(
    runner: CliRunner, at_root: Path, bundled_rulebook: Any
) -> None:
    sheets = "rulebooks/metallic_rouge/sheets"
    checks = {d.id.text for d in bundled_rulebook.of_kind("check", "attribute")}
    assert set(complete(runner, f"rouge check {sheets}/rouge.yaml ")) == checks
    acts = {d.id.text for d in bundled_rulebook.of_kind("act")}
    assert set(complete(runner, f"rouge free-will {sheets}/noid_262.yaml --act ")) == acts
    giallon = complete(runner, f"rouge use {sheets}/giallon.yaml ")
    assert "thunderbolt" in giallon and "arrest" not in giallon
    assert "arrest" in complete(runner, f"rouge use {sheets}/ash.yaml ")
    assert complete(runner, "rouge rules show shutd") == ["shutdown"]
    found = complete(runner, f"rouge check {sheets}/rouge.yaml reflex --vs {sheets}/ash.yaml:b")
    assert found == [f"{sheets}/ash.yaml:body"]


def test_nothing_to_complete_is_no_error(runner: CliRunner, isolated: Path) -> None:
    (isolated / "campaign.rouge.db").write_bytes(b"not a campaign")
    assert complete(runner, "rouge campaign feed ") == []
    assert complete(runner, "rouge check x.yaml ", {"ROUGE_CAMPAIGN": "nowhere.db"})
