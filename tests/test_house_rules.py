"""House rules belong to the campaign: overlays that say their base, kept relative, by events."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from conftest import Table

HOUSE = """\
rulebook house "Wellstown house rules" extends metallic_rouge

override condition exposed "Exposed":
  description "House rule: being seen is worse here."
  modifier +3 against all "Out in the open, in Wellstown"

act loiter "Loiter" severity 0
"""


def house(folder: Path, text: str = HOUSE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rulebook.rouge").write_text(text, encoding="utf-8")
    return folder


def test_an_overlay_that_names_its_base_is_laid_over_the_bundled_rulebook(rouge: Any) -> None:
    house(Path("house"))
    result = rouge("rules", "check", "house")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Metallic Rouge + Wellstown house rules: ")
    shown = rouge("rules", "show", "exposed", "--rulebook", "house")
    assert "+3" in shown.stdout


def test_an_overlay_without_its_base_says_so_in_plain_words(rouge: Any) -> None:
    house(Path("house"), HOUSE.replace(" extends metallic_rouge", ""))
    result = rouge("rules", "check", "house")
    assert result.exit_code == 1
    assert "override of 'exposed', but no earlier rulebook defines it" in result.stdout
    assert "an overlay needs its base: add 'extends metallic_rouge' to its rulebook line" in (
        result.stdout
    )


def test_only_the_bundled_rulebook_can_be_extended_by_name(rouge: Any) -> None:
    house(Path("house"), HOUSE.replace("extends metallic_rouge", "extends nowhere"))
    result = rouge("rules", "check", "house")
    assert result.exit_code == 1
    assert "extends 'nowhere': only the bundled rulebook, 'metallic_rouge', can be named" in (
        result.stdout
    )


def test_the_campaign_keeps_its_house_rules_and_moves_with_them(table: Table) -> None:
    games = Path("games")
    house(games / "house")
    shutil.copy("rouge.yaml", games / "rouge.yaml")
    table.ok("campaign", "init", "games/wellstown.db", "--rulebook", "games/house")
    with_campaign = {"ROUGE_CAMPAIGN": "games/wellstown.db"}
    table.ok("campaign", "join", "games/rouge.yaml", env=with_campaign)
    listed = table.ok("campaign", "rulebook", "list", "--json", env=with_campaign)
    data = json.loads(listed.stdout)
    assert data["title"] == "Metallic Rouge + Wellstown house rules"
    assert [Path(f).name for f in data["rulebooks"]] == ["house"]
    # the house rule is in force with no flag
    table.ok("campaign", "add", "rouge", "exposed", env=with_campaign)
    odds = table.ok("check", "rouge", "reflex", "--dc", "9", "--odds", env=with_campaign)
    assert "exact odds" in odds.stdout
    # the campaign folder moves, its house rules with it
    shutil.move("games", "moved")
    moved = {"ROUGE_CAMPAIGN": "moved/wellstown.db"}
    again = table.ok("campaign", "rulebook", "list", env=moved).stdout
    assert again.splitlines()[0] == "Metallic Rouge + Wellstown house rules:"
    table.ok("check", "rouge", "reflex", "--dc", "9", "--seed", "1", env=moved)


def test_rulebooks_are_added_and_removed_by_events_that_undo(table: Table) -> None:
    table.start("rouge")
    house(Path("house"))
    assert table.ok("campaign", "rulebook", "add", "house").stdout == (
        "rulebook house added (over the bundled one)\n"
    )
    assert table.events()[-1]["kind"] == "rulebooks"
    assert table.ok("campaign", "rulebook", "list").stdout.startswith(
        "Metallic Rouge + Wellstown house rules:"
    )
    twice = table.rouge("campaign", "rulebook", "add", "house")
    assert twice.exit_code == 2 and "already uses house" in twice.stderr
    table.ok("campaign", "undo")
    assert table.ok("campaign", "rulebook", "list").stdout.startswith("Metallic Rouge:")
    table.ok("campaign", "rulebook", "add", "house")
    table.ok("campaign", "rulebook", "remove", "house")
    assert table.ok("campaign", "rulebook", "list").stdout.startswith("Metallic Rouge:")
    broken = Path("broken")
    house(
        broken,
        'rulebook broken "Broken" extends metallic_rouge\n'
        'condition x "X":\n  blocks nothing_here\n',
    )
    refused = table.rouge("campaign", "rulebook", "add", "broken")
    assert refused.exit_code != 0
    assert table.events()[-1]["summary"] == "rulebook house removed"  # nothing recorded
