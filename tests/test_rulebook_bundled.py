"""The bundled Metallic Rouge rulebook: it loads cleanly, the GM's guide's
Coverage table names only rules that exist, and every bundled sheet refers
only to rules that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from rouge_rpg.rules import Rulebook, ast, read

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "metallic-rouge.md"
SHEETS = ROOT / "rulebooks" / "metallic_rouge" / "sheets"

#: Every group of the source article must have a row of its own.
GROUPS = [
    "Humans",
    "Neans",
    "Aletheia",
    "Ochrona",
    "Wellstown Police",
    "Alters",
    "Immortal Nine",
    "Suns of Ares",
    "Council of Free Neans",
    "Visitors",
    "Usurpers",
]
#: The nine slots of the Immortal Nine, dead and unrevealed included.
NINE = [
    "giallon",
    "viola",
    "phantom_verde",
    "silvia",
    "aes_alice",
    "grauphon",
    "nius",
    "achilles",
    "unrevealed_ninth",
]


def test_bundled_rulebook_loads_without_any_diagnostic() -> None:
    loaded = read()
    shown = [
        d.render(loaded.sources.get(d.span.file) if d.span else None) for d in loaded.diagnostics
    ]
    assert not shown, "\n".join(shown)
    assert loaded.rulebook is not None


def coverage_rows() -> list[list[str]]:
    """The rows of the one table under `## Coverage`, as lists of cells."""
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(r"^## Coverage[ \t]*$(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"{GUIDE.name} has no '## Coverage' section"
    lines = [line.strip() for line in match.group(1).splitlines() if line.strip().startswith("|")]
    assert len(lines) > 2, "the Coverage section has no table"
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == ["Group or mechanic", "Source", "Rule ids"]
    assert set(lines[1].replace("|", "").strip()) <= set("-: "), "no separator row"
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    for row in rows:
        assert len(row) == 3, f"a Coverage row does not have 3 cells: {row}"
    return rows


def test_coverage_table_names_only_existing_rules(bundled_rulebook: Rulebook) -> None:
    rows = coverage_rows()
    for name, source, ids in rows:
        assert source in {"article", "house"}, f"{name}: source {source!r}"
        assert re.findall(r"`([^`]+)`", ids), f"{name}: no rule ids"
    ids = {i for _, _, cell in rows for i in re.findall(r"`([^`]+)`", cell)}
    missing = sorted(i for i in ids if bundled_rulebook.get(i) is None)
    assert not missing, "Coverage names rules the rulebook lacks: " + ", ".join(missing)


def test_coverage_table_has_a_row_for_every_group() -> None:
    firsts = [row[0].lower() for row in coverage_rows()]
    absent = [g for g in GROUPS if not any(g.lower() in first for first in firsts)]
    assert not absent, "no Coverage row for: " + ", ".join(absent)


def test_all_nine_slots_of_the_immortal_nine_exist(bundled_rulebook: Rulebook) -> None:
    for member in NINE:
        found = bundled_rulebook.get(member)
        assert isinstance(found, ast.Member), member
        assert found.faction.text == "immortal_nine", member


def sheet_paths() -> list[Path]:
    return sorted(p for p in SHEETS.iterdir() if p.is_file())


def test_the_sheets_folder_is_not_empty() -> None:
    assert len(sheet_paths()) >= 18


@pytest.mark.parametrize("path", sheet_paths(), ids=lambda p: p.name)
def test_sheet_refers_to_existing_rules(path: Path, bundled_rulebook: Rulebook) -> None:
    sheet = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(sheet, dict), f"{path.name} is not a mapping"
    for key in ("name", "faction", "attributes"):
        assert key in sheet, f"{path.name} has no {key!r}"
    faction = bundled_rulebook.get(sheet["faction"])
    assert isinstance(faction, ast.Faction), f"{path.name}: no faction {sheet['faction']!r}"
    attributes = sheet["attributes"]
    assert isinstance(attributes, dict)
    for name in attributes:
        assert isinstance(bundled_rulebook.get(name), ast.Attribute), (
            f"{path.name}: no attribute {name!r}"
        )
    for ability in sheet.get("abilities") or []:
        found = bundled_rulebook.get(ability)
        assert isinstance(found, ast.Ability), f"{path.name}: no ability or power {ability!r}"
    member = sheet.get("member")
    if member is not None:
        found = bundled_rulebook.get(member)
        assert isinstance(found, ast.Member), f"{path.name}: no member {member!r}"
        wrong = f"{path.name}: {member} is a member of {found.faction}, not {sheet['faction']}"
        assert found.faction.text == sheet["faction"], wrong


def test_the_content_hash_does_not_depend_on_where_the_rulebook_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundled_rulebook: Rulebook
) -> None:
    import shutil

    from rouge_rpg.rules import load

    bundled = bundled_rulebook
    copy = tmp_path / "copy"
    shutil.copytree(Path(__file__).parent.parent / "rulebooks" / "metallic_rouge", copy)
    monkeypatch.chdir(tmp_path)
    assert load("copy").content_hash == bundled.content_hash
    (copy / "core.rouge").write_text(
        (copy / "core.rouge").read_text(encoding="utf-8") + "\n# a house note\n", encoding="utf-8"
    )
    assert load("copy").content_hash != bundled.content_hash


# -- the memo of loaded rulebooks ------------------------------------------------------------


@pytest.fixture
def basic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the basic test rulebook, in the working folder."""
    import shutil

    shutil.copytree(Path(__file__).parent / "data" / "good" / "basic", tmp_path / "basic")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "basic"


def test_loading_unchanged_files_again_gives_the_same_rulebook(basic: Path) -> None:
    from rouge_rpg.rules import load

    assert load() is load()
    first = load("basic")
    assert load("basic") is first
    assert load(str(basic)) is first
    again = read("basic")
    assert again.rulebook is first
    assert not again.diagnostics


def test_a_changed_file_is_read_again_whatever_its_time(basic: Path) -> None:
    import os

    from rouge_rpg.rules import load

    first = load("basic")
    core = basic / "core.rouge"
    text = core.read_text(encoding="utf-8")
    stat = core.stat()
    changed = text.replace("# ", "#_", 1)
    assert changed != text and len(changed) == len(text)
    core.write_text(changed, encoding="utf-8")
    os.utime(core, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time
    second = load("basic")
    assert second is not first
    assert second.content_hash != first.content_hash
    assert second.sources["basic/core.rouge"] == changed
    core.write_text(text, encoding="utf-8")
    assert load("basic").content_hash == first.content_hash


def test_an_included_file_that_breaks_or_goes_is_seen(basic: Path) -> None:
    from rouge_rpg.rules import load

    load("basic")
    factions = basic / "world" / "factions.rouge"
    text = factions.read_text(encoding="utf-8")
    factions.write_text(text + "\nthis is not a definition\n", encoding="utf-8")
    assert read("basic").errors
    factions.write_text(text, encoding="utf-8")
    assert not read("basic").errors
    factions.unlink()
    assert read("basic").errors


def test_a_new_file_that_is_not_included_gives_its_warning(basic: Path) -> None:
    first = read("basic")
    (basic / "extra.rouge").write_text("# nothing yet\n", encoding="utf-8")
    second = read("basic")
    assert [d.message for d in second.diagnostics] == [
        "basic/extra.rouge is not included by rulebook.rouge, so it is not read"
    ]
    assert second.rulebook is not first.rulebook


def test_the_same_files_elsewhere_are_shown_where_they_are(
    basic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from rouge_rpg.rules import load

    here = load("basic")
    shutil.copytree(basic, basic.parent / "other")
    there = load("other")
    assert there is not here
    assert there.content_hash == here.content_hash
    assert there.folders == ("other",) and here.folders == ("basic",)
    monkeypatch.chdir(basic)
    moved = load(".")
    assert moved.content_hash == here.content_hash
    assert moved.files[0] == "rulebook.rouge"
    assert {d.file for d in moved.definitions.values()} <= set(moved.files)


def test_the_run_caches_parser_tables_in_its_own_folder(
    cache_dir: Path, bundled_rulebook: Rulebook
) -> None:
    import os

    assert os.environ["ROUGE_CACHE_DIR"] == os.environ["XDG_CACHE_HOME"] == str(cache_dir)
    assert not cache_dir.resolve().is_relative_to((Path.home() / ".cache").resolve())
    assert [p for p in cache_dir.rglob("*") if p.is_file()], "the rules parser cached nothing"


# -- `--vs SHEET:ATTRIBUTE` on every bundled check --------------------------------------------

#: How `rouge check` reaches each bundled check whose `vs` line reads the target's attribute:
#: the words after `rouge check ash.yaml`, and the attacker's stat it rolls.
OPPOSED = {
    "attack": ("attack", "body"),
    "scrutiny": ("scrutiny", "mind"),
    "contest": ("presence", "presence"),  # an attribute rolled opposed rolls contest
}
#: Bundled checks whose `vs` line reads no attribute of the target: `--vs` is refused.
UNOPPOSED = {"action", "free_will_check"}
#: Bundled checks with no `vs` line at all: `--vs` is refused, saying so.
ALONE = {"initiative"}


def test_every_bundled_check_is_covered_by_the_vs_tests(bundled_rulebook: Rulebook) -> None:
    checks = {c.id.text for c in bundled_rulebook.of_kind("check")}
    assert checks == set(OPPOSED) | UNOPPOSED | ALONE


@pytest.mark.parametrize("check", sorted(ALONE))
def test_vs_on_a_check_with_no_vs_line_says_so(check: str, rouge: Any, bundled_sheet: Any) -> None:
    ash, naomi = bundled_sheet("ash"), bundled_sheet("naomi")
    result = rouge("check", str(ash), check, "--vs", f"{naomi}:mind", "--no-campaign")
    assert result.exit_code == 2
    assert result.output == (
        f"Error: check '{check}' has no 'vs' line: nothing defends against it\n"
        "--vs SHEET:ATTRIBUTE needs a check whose 'vs' line reads target[PARAMETER]\n"
    )


@pytest.mark.parametrize("check", sorted(OPPOSED))
def test_vs_sheet_attribute_changes_the_defender_not_the_attacker(
    check: str, rouge: Any, bundled_sheet: Any
) -> None:
    words, stat = OPPOSED[check]
    ash, naomi = bundled_sheet("ash"), bundled_sheet("naomi")
    seen: dict[str, dict[str, Any]] = {}
    for defense in ("body", "reflex", "mind", "presence"):
        result = rouge(
            "check", str(ash), words, "--vs", f"{naomi}:{defense}", "--seed", "7",
            "--no-campaign", "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data["check"] == check
        assert data["parameters"] == {"stat": stat, "defense": defense}
        seen[defense] = data
    naomi_values = yaml.safe_load(naomi.read_text(encoding="utf-8"))["attributes"]
    ash_values = yaml.safe_load(ash.read_text(encoding="utf-8"))["attributes"]
    totals = {d["total"] - sum(m["value"] for m in d["modifiers"]) for d in seen.values()}
    assert totals == {seen["body"]["natural"] + ash_values[stat]}  # the attacker: unchanged
    for defense, data in seen.items():  # the defender: the attribute named
        assert data["vs"].endswith(f"+ {naomi_values[defense]} = {data['opposition']}")


@pytest.mark.parametrize("check", sorted(UNOPPOSED))
def test_vs_attribute_on_a_check_without_one_is_a_clear_error(
    check: str, rouge: Any, bundled_sheet: Any
) -> None:
    ash, naomi = bundled_sheet("ash"), bundled_sheet("naomi")
    result = rouge("check", str(ash), check, "--vs", f"{naomi}:mind", "--no-campaign")
    assert result.exit_code == 2
    assert result.output == (
        f"Error: check '{check}' does not read a defending attribute of its target\n"
        "its 'vs' line would read one as target[PARAMETER]\n"
    )


def test_vs_attribute_on_a_check_without_a_vs_line_is_a_clear_error(
    rouge: Any, bundled_sheet: Any, tmp_path: Path
) -> None:
    from rouge_rpg import resources

    (tmp_path / "rulebook.rouge").write_text(
        'check hunch(stat: attribute = mind) "Hunch":\n'
        "  roll 2d6 + actor[stat]\n"
        "  success when total >= 8\n"
        "  failure otherwise\n",
        encoding="utf-8",
    )
    ash, naomi = bundled_sheet("ash"), bundled_sheet("naomi")
    result = rouge(
        "check", str(ash), "hunch", "--vs", f"{naomi}:mind", "--no-campaign",
        "--rulebook", str(resources.bundled_rulebook()), "--rulebook", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output == (
        "Error: check 'hunch' has no 'vs' line: nothing defends against it\n"
        "--vs SHEET:ATTRIBUTE needs a check whose 'vs' line reads target[PARAMETER]\n"
    )
