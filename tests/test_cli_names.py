"""What `rouge check` says when the name it is given is not a check or an attribute."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from rouge_rpg.cli import cli

#: Each test runs in its own empty folder, with no ROUGE_CAMPAIGN.
pytestmark = pytest.mark.usefixtures("isolated")


def test_a_misspelt_attribute_gets_a_suggestion(
    runner: CliRunner, bundled_sheet: Callable[[str], Path]
) -> None:
    result = runner.invoke(cli, ["check", str(bundled_sheet("rouge")), "reflx", "--dc", "9"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: the rulebook has no check or attribute 'reflx'\ndid you mean 'reflex'?\n"
    )


def test_an_act_is_pointed_to_free_will(
    runner: CliRunner, bundled_sheet: Callable[[str], Path]
) -> None:
    result = runner.invoke(cli, ["check", str(bundled_sheet("rouge")), "harm_human"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: 'harm_human' is an act, not a check or attribute\n"
        "an act is attempted with: rouge free-will SHEET --act harm_human\n"
    )


def test_a_power_is_pointed_to_use(runner: CliRunner, bundled_sheet: Callable[[str], Path]) -> None:
    result = runner.invoke(cli, ["check", str(bundled_sheet("giallon")), "thunderbolt"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: 'thunderbolt' is a power, not a check or attribute\n"
        "an ability is used with: rouge use SHEET thunderbolt\n"
    )


def test_the_bundled_rulebook_is_shown_as_rulebooks_from_any_folder(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["rules", "show", "asimov_code"])
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert (
        first
        == 'constraint asimov_code "The Asimov Code"  (rulebooks/metallic_rouge/core.rouge:202)'
    )
