"""Character sheets: structure, validation against a rulebook, JSON Schema, new sheets, the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from rouge_rpg.diagnostics import Diagnostic
from rouge_rpg.errors import CheckFailed, InputError, LimitError, RougeError
from rouge_rpg.rules import Rulebook, ast
from rouge_rpg.rules import load as load_rulebook
from rouge_rpg.sheets import Character, Sheet, load, read_character, validate
from rouge_rpg.sheets.describe import describe
from rouge_rpg.sheets.load import parse
from rouge_rpg.sheets.new import new_sheet, scalar
from rouge_rpg.sheets.schema import schema

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "sheets"
RULEBOOK = "tests/data/sheets/rulebook"
VALID = sorted((DATA / "valid").glob("*.yaml"))
INVALID = sorted((DATA / "invalid").glob("*.yaml"))
#: Invalid sheets whose only problem is a prerequisite, which a JSON Schema cannot express.
SCHEMA_CANNOT_TELL = {"prerequisites", "prerequisite_kind", "prerequisite_constant"}
BUNDLED_SHEETS = sorted((ROOT / "rulebooks" / "metallic_rouge" / "sheets").glob("*.yaml"))


#: Paths in messages are relative to the working folder: run from the repository root.
pytestmark = pytest.mark.usefixtures("at_root")


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        return load_rulebook(RULEBOOK)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def check(text: str, rulebook: Rulebook, file: str = "sheet.yaml") -> list[str]:
    """The diagnostics of sheet text, rendered without source lines."""
    return [d.render() for d in validate(parse(text, file), rulebook).diagnostics]


# -- the corpora -----------------------------------------------------------------------


def test_the_corpora_are_complete() -> None:
    assert len(VALID) >= 5
    assert len(INVALID) >= 30
    stems = {p.stem for p in INVALID}
    assert {p.stem for p in (DATA / "invalid").glob("*.expected")} == stems


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_sheet(path: Path, rulebook: Rulebook, rouge: Callable[..., Result]) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8")
    result = rouge("sheet", "validate", relative(path), "--rulebook", RULEBOOK)
    assert result.stdout == expected
    assert result.stderr == ""
    assert result.exit_code == 1
    validated = validate(load(relative(path)), rulebook)
    assert validated.character is None
    assert validated.errors


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_sheet(path: Path, rulebook: Rulebook, rouge: Callable[..., Result]) -> None:
    validated = validate(load(relative(path)), rulebook)
    assert validated.diagnostics == []
    assert validated.character is not None
    result = rouge("sheet", "validate", relative(path), "--rulebook", RULEBOOK)
    assert result.stdout == f"{relative(path)}: valid\n"
    assert result.exit_code == 0


# -- what a valid sheet gives ------------------------------------------------------------


def test_a_full_sheet_becomes_a_character(rulebook: Rulebook) -> None:
    character = read_character("tests/data/sheets/valid/rouge.yaml", rulebook)
    assert character == Character(
        name="Rouge Redstar",
        faction="aletheia",
        kind="alter",
        member="rouge",
        attributes={"body": 4, "reflex": 3, "wits": 3, "stealth": 2},
        abilities=("armor_up", "blend_in", "red_gladiator"),
        resources={"nectar": 5, "charge": 2},
        tracks={"harm": 1, "free_will": 4, "manhunt": 0},
        conditions=frozenset({"awakened"}),
        notes="Built to hunt the Usurpers. Remembers nothing before Ladd Sweeper.\n",
    )
    assert character.file == "tests/data/sheets/valid/rouge.yaml"
    assert character.id == "rouge"


def test_defaults_fill_a_minimal_sheet(rulebook: Rulebook) -> None:
    character = read_character(Path("tests/data/sheets/valid/minimal.yaml"), rulebook)
    assert character.kind == "nean"  # the faction's kind
    assert character.member is None
    assert character.attributes == {"body": 2, "reflex": 2, "wits": 2, "stealth": 0}
    # nectar: the faction's grant says 7 (the resource says 6); charge: no start at all.
    assert character.resources == {"nectar": 7, "charge": 0}
    assert character.tracks == {"harm": 0, "free_will": 0, "manhunt": 0}
    assert character.abilities == ()
    assert character.conditions == frozenset()
    assert character.notes == ""


def test_a_resource_without_a_grant_start_uses_the_resources(rulebook: Rulebook) -> None:
    text = "name: Jill\nfaction: ochrona\nattributes: {wits: 3}\n"
    validated = validate(parse(text, "jill.yaml"), rulebook)
    assert validated.character is not None
    assert validated.character.resources == {"credits": 20}


def test_empty_sections_are_allowed(rulebook: Rulebook) -> None:
    text = (
        "name: Jill\nfaction: ochrona\nattributes: {wits: 3}\n"
        "abilities:\nresources:\ntracks:\nconditions:\nnotes:\n"
    )
    validated = validate(parse(text, "jill.yaml"), rulebook)
    assert validated.diagnostics == []
    assert validated.character is not None
    assert validated.character.notes == ""


def test_warnings_do_not_make_a_sheet_invalid(rulebook: Rulebook) -> None:
    text = (
        "name: Nius\nfaction: immortal_nine\nmember: nius\nattributes: {wits: 3}\n"
        "abilities: [armor_up, armor_up]\nhp: 3\n"
    )
    validated = validate(parse(text, "nius.yaml"), rulebook)
    assert validated.valid
    assert validated.character is not None
    assert validated.character.abilities == ("armor_up",)
    assert [d.render() for d in validated.diagnostics] == [
        "nius.yaml:3:9: warning: member 'nius' is deceased in the rulebook",
        "nius.yaml:5:23: warning: 'armor_up' is listed twice (first at line 5)",
        "nius.yaml:6:1: warning: unknown key 'hp', which is ignored\n"
        "  a sheet's keys are: name, faction, kind, member, attributes, abilities, resources,"
        " tracks, conditions, notes",
    ]


# -- load: structure alone -----------------------------------------------------------------


def test_load_keeps_each_field_with_its_nodes() -> None:
    sheet = load("tests/data/sheets/valid/rouge.yaml")
    assert isinstance(sheet, Sheet)
    assert sheet.file == "tests/data/sheets/valid/rouge.yaml"
    assert sheet.diagnostics == ()
    assert sheet.name is not None and sheet.name.value == "Rouge Redstar"
    assert sheet.name.key.span.line == 2
    assert sheet.attributes is not None and sheet.attributes.value is not None
    body = sheet.attributes.value[0]
    assert (body.id, body.value, body.key.span.line, body.node.span.column) == ("body", 4, 7, 9)
    assert sheet.abilities is not None and sheet.abilities.value is not None
    assert [i.id for i in sheet.abilities.value] == ["armor_up", "blend_in", "red_gladiator"]
    assert sheet.kind is not None and sheet.kind.value == "alter"


def test_load_reports_types_without_a_rulebook() -> None:
    sheet = parse("name: Jill\nfaction: 7\nattributes: {body: three, wits: 3.5}\n", "s.yaml")
    assert [d.render() for d in sheet.diagnostics] == [
        's.yaml:2:10: error: expected text, got 7\n  write it in quotes to mean the text: "7"',
        "s.yaml:3:20: error: expected a number, got 'three'",
        "s.yaml:3:33: error: expected a whole number, got 3.5",
    ]
    # Kept, as None, so that validation knows they were given.
    assert sheet.faction is not None and sheet.faction.value is None
    assert sheet.attributes is not None and sheet.attributes.value is not None
    assert [(e.id, e.value) for e in sheet.attributes.value] == [("body", None), ("wits", None)]


def test_a_wrongly_typed_value_is_reported_once(rulebook: Rulebook) -> None:
    # `wits` is given, badly: no "missing attribute" on top of the type error.
    assert check("name: Jill\nfaction: ochrona\nattributes: {wits: lots}\n", rulebook) == [
        "sheet.yaml:3:20: error: expected a number, got 'lots'"
    ]


def test_a_misspelt_key_that_hides_a_required_block_is_an_error(rulebook: Rulebook) -> None:
    # `wits` has no default, so `attributes` is required; `kind` is, for drifters.
    text = "name: Jill\nfaction: drifters\nknd: human\natributes:\n  wits: 3\n"
    assert check(text, rulebook) == [
        "sheet.yaml:3:1: error: unknown key 'knd' hides the required key 'kind'\n"
        "  did you mean 'kind'?",
        "sheet.yaml:4:1: error: unknown key 'atributes' hides the required key 'attributes'\n"
        "  did you mean 'attributes'?",
    ]


def test_a_misspelt_key_that_hides_an_optional_block_is_a_warning(rulebook: Rulebook) -> None:
    text = "name: Jill\nfaction: ochrona\nattributes: {wits: 3}\ncondtions: [exposed]\n"
    assert check(text, rulebook) == [
        "sheet.yaml:4:1: warning: unknown key 'condtions', which is ignored\n"
        "  did you mean 'conditions'?",
    ]


def test_a_misspelt_key_beside_the_right_one_is_a_warning(rulebook: Rulebook) -> None:
    text = "name: Jill\nfaction: ochrona\nattributes: {wits: 3}\natributes: {body: 3}\n"
    assert check(text, rulebook) == [
        "sheet.yaml:4:1: warning: unknown key 'atributes', which is ignored\n"
        "  did you mean 'attributes'?",
    ]


def test_an_unknown_faction_does_not_hide_the_other_problems(rulebook: Rulebook) -> None:
    text = "name: Jill\nfaction: nobody\nattributes: {body: 8}\nconditions: [sad]\n"
    assert check(text, rulebook) == [
        "sheet.yaml:2:10: error: the rulebook has no faction 'nobody'\n"
        "  the factions are: aletheia, ochrona, immortal_nine, drifters",
        "sheet.yaml:3:1: error: missing attribute 'wits' (Wits, 1..5)\n"
        "  give it a value under 'attributes', such as: wits: 1",
        "sheet.yaml:3:20: error: 8 is outside the range of attribute 'body' (1..5)",
        "sheet.yaml:4:14: error: the rulebook has no condition 'sad'\n"
        "  the conditions are: exposed, armored, shutdown, down, awakened",
    ]


def test_conditions_in_requirements_are_left_to_play(rulebook: Rulebook) -> None:
    # Thunderbolt requires `actor.has(armored) and actor.body >= gifted`: the condition
    # is judged when the power is used; the body is judged now.
    text = (
        "name: Giallon\nfaction: immortal_nine\nmember: giallon\n"
        "attributes: {body: 4, wits: 3}\nabilities: [thunderbolt]\n"
    )
    assert check(text, rulebook) == []


def test_an_ability_open_to_all_needs_no_holder(rulebook: Rulebook) -> None:
    for faction, kind in [("drifters", "human"), ("ochrona", "human"), ("aletheia", "nean")]:
        text = (
            f"name: X\nfaction: {faction}\nkind: {kind}\nattributes: {{wits: 3}}\n"
            "abilities: [rally]\n"
        )
        assert check(text, rulebook) == []


def test_a_sub_kind_may_hold_its_parents_abilities(rulebook: Rulebook) -> None:
    text = "name: X\nfaction: drifters\nkind: alter\nattributes: {wits: 3}\nabilities: [armor_up]\n"
    assert check(text, rulebook) == []


def test_read_character_raises_check_failed_with_every_problem(rulebook: Rulebook) -> None:
    with pytest.raises(CheckFailed) as caught:
        read_character("tests/data/sheets/invalid/everything.yaml", rulebook)
    error = caught.value
    assert error.exit_code == 1
    assert error.message == "10 errors found"
    assert len(error.diagnostics) == 11
    assert "tests/data/sheets/invalid/everything.yaml" in error.sources
    shown = error.show()
    assert shown.startswith(
        "tests/data/sheets/invalid/everything.yaml:4:7: error: kind 'nean' does not fit"
    )
    assert "  kind: nean\n        ^~~~\n" in shown
    assert shown.endswith("10 errors found")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("tests/data/sheets/missing.yaml", InputError),
        ("tests/data/sheets/bad/not_utf8.yaml", InputError),
        ("tests/data/sheets/bad/billion_laughs.yaml", LimitError),
        ("tests/data/sheets/bad/duplicate_key.yaml", InputError),
    ],
)
def test_unreadable_sheets_raise_with_exit_status_2(
    path: str, kind: type[RougeError], rulebook: Rulebook
) -> None:
    with pytest.raises(kind) as caught:
        read_character(path, rulebook)
    assert caught.value.exit_code == 2


# -- new sheets -----------------------------------------------------------------------------


def kinds_for(rulebook: Rulebook, faction: str) -> list[str | None]:
    """None (the faction's own kind), or every kind a faction that fixes none admits."""
    f = rulebook.get(faction)
    assert isinstance(f, ast.Faction)
    if f.being is not None:
        return [None]
    return [k.id.text for k in rulebook.of_kind("kind")]


def factions_and_members(rulebook: Rulebook) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for f in rulebook.of_kind("faction"):
        pairs.append((f.id.text, None))
        pairs += [
            (f.id.text, m.id.text)
            for m in rulebook.of_kind("member")
            if isinstance(m, ast.Member) and m.faction.text == f.id.text
        ]
    return pairs


def test_a_new_sheet_validates_for_every_faction_and_member(rulebook: Rulebook) -> None:
    validator = Draft202012Validator(schema(rulebook))
    pairs = factions_and_members(rulebook)
    assert len(pairs) == 7
    for faction, member in pairs:
        for kind in kinds_for(rulebook, faction):
            text = new_sheet(rulebook, faction, "Jill Stingray", member, kind=kind)
            validated = validate(parse(text, "new.yaml"), rulebook)
            dead = ["warning: member 'nius' is deceased in the rulebook"] * (member == "nius")
            assert [f"{d.severity}: {d.message}" for d in validated.diagnostics] == dead, text
            assert validated.character is not None
            assert validated.character.faction == faction
            assert validated.character.member == member
            assert list(validator.iter_errors(yaml.safe_load(text))) == []


def test_a_new_sheet_has_a_comment_above_every_field(rulebook: Rulebook) -> None:
    text = new_sheet(rulebook, "aletheia", "Rouge Redstar", "rouge")
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            assert lines[number - 1].lstrip().startswith("#"), line
    assert "  # Nectar: 0..10, starts at 7, decays 1 per day.\n  nectar: 7\n" in text
    assert "  # Attribute Wits: 1..5, no default: set it.\n  wits: 1\n" in text
    assert "Others this character may take: red_gladiator (if the actor is alter)." in text
    assert "abilities:\n  # Armor up (ability): costs 1 nectar.\n  - armor_up\n" in text


def test_a_new_sheet_leaves_out_abilities_the_character_cannot_hold(rulebook: Rulebook) -> None:
    character = read_new(rulebook, "ochrona")
    # field_medic needs wits 3, and a new sheet starts wits at its low end, 1.
    assert character.abilities == ("blend_in", "rally")
    with pytest.raises(RougeError) as caught:  # drifters fix no kind: it must be chosen
        new_sheet(rulebook, "drifters", "X")
    assert caught.value.show() == (
        "faction 'drifters' does not fix the kind of its members: choose one with --kind\n"
        "kinds for faction drifters: human, nean, alter"
    )
    assert read_new(rulebook, "drifters", kind="human").kind == "human"
    assert read_new(rulebook, "drifters", kind="alter").abilities == ("rally",)
    assert read_new(rulebook, "aletheia", kind="alter").kind == "alter"
    assert read_new(rulebook, "immortal_nine", member="giallon").abilities == ("armor_up",)


def read_new(rulebook: Rulebook, faction: str, **options: Any) -> Character:
    validated = validate(parse(new_sheet(rulebook, faction, "X", **options), "n.yaml"), rulebook)
    assert validated.character is not None, validated.diagnostics
    return validated.character


@pytest.mark.parametrize(
    ("faction", "member", "kind", "shown"),
    [
        (
            "aletheea",
            None,
            None,
            "the rulebook has no faction 'aletheea'\ndid you mean 'aletheia'?\n"
            "factions: aletheia, ochrona, immortal_nine, drifters",
        ),
        (
            "aletheia",
            "giallon",
            None,
            "member 'giallon' belongs to faction 'immortal_nine', not 'aletheia'\n"
            "the members of aletheia are: rouge",
        ),
        (
            "ochrona",
            "rouge",
            None,
            "member 'rouge' belongs to faction 'aletheia', not 'ochrona'\nochrona has no members",
        ),
        (
            "aletheia",
            None,
            "human",
            "kind 'human' does not fit faction 'aletheia', whose members are of kind 'nean'\n"
            "choose one of: nean, alter",
        ),
        (
            "aletheia",
            None,
            "robot",
            "the rulebook has no kind 'robot'\nkinds for faction aletheia: nean, alter",
        ),
    ],
)
def test_new_sheet_refuses_what_does_not_fit(
    rulebook: Rulebook, faction: str, member: str | None, kind: str | None, shown: str
) -> None:
    with pytest.raises(RougeError) as caught:
        new_sheet(rulebook, faction, "X", member, kind=kind)
    assert caught.value.show() == shown
    assert caught.value.exit_code == 2


def test_new_sheet_refuses_an_empty_name(rulebook: Rulebook) -> None:
    with pytest.raises(InputError, match="the name is empty"):
        new_sheet(rulebook, "aletheia", "  ")


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Rouge Redstar", "Rouge Redstar"),
        ("yes", '"yes"'),
        ("12", '"12"'),
        ("Jean: no last name", '"Jean: no last name"'),
        ("# hash", '"# hash"'),
        ("Jill 'Ace' O'Neil", "Jill 'Ace' O'Neil"),
        ("Zoë", "Zoë"),
        ("line\nbreak", '"line\\nbreak"'),
        ("\x7f\U00010000", '"\\x7f\U00010000"'),
        ("a\u2028b", '"a\\u2028b"'),
        (" padded ", '" padded "'),
    ],
)
def test_scalar_writes_text_that_reads_back(text: str, written: str) -> None:
    assert scalar(text) == written


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(min_size=1, max_size=30).filter(str.strip))
def test_any_name_survives_a_new_sheet(rulebook: Rulebook, name: str) -> None:
    text = new_sheet(rulebook, "drifters", name, kind="human")
    validated = validate(parse(text, "n.yaml"), rulebook)
    assert validated.character is not None, (name, validated.diagnostics)
    assert validated.character.name == name


# -- the JSON Schema ---------------------------------------------------------------------------


def test_the_schema_is_valid_draft_2020_12(rulebook: Rulebook) -> None:
    generated = schema(rulebook)
    Draft202012Validator.check_schema(generated)
    assert generated["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert generated["required"] == ["name", "faction", "attributes"]
    assert generated["additionalProperties"] is False
    assert generated["properties"]["faction"]["enum"] == [
        "aletheia",
        "ochrona",
        "immortal_nine",
        "drifters",
    ]
    attributes = generated["properties"]["attributes"]
    assert attributes["required"] == ["wits"]
    assert attributes["properties"]["body"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
        "description": "Body (body): 1..5, default 2",
    }
    assert generated["properties"]["tracks"]["properties"]["manhunt"]["maximum"] == 6
    assert "notes" in generated["properties"]


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_sheets_pass_the_schema(path: Path, rulebook: Rulebook) -> None:
    validator = Draft202012Validator(schema(rulebook))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(data)] == []


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_sheets_fail_the_schema(path: Path, rulebook: Rulebook) -> None:
    validator = Draft202012Validator(schema(rulebook))
    errors = list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
    if path.stem in SCHEMA_CANNOT_TELL:
        assert errors == []
    else:
        assert errors


def test_the_schema_knows_who_may_hold_what(rulebook: Rulebook) -> None:
    validator = Draft202012Validator(schema(rulebook))
    base = {"name": "X", "attributes": {"wits": 3}}

    def ok(**fields: Any) -> bool:
        return validator.is_valid({**base, **fields})

    assert ok(faction="aletheia", abilities=["armor_up"])  # kind nean by default
    assert not ok(faction="ochrona", abilities=["armor_up"])
    assert ok(faction="drifters", kind="alter", abilities=["armor_up"])
    assert not ok(faction="drifters", kind="human", abilities=["armor_up"])
    assert ok(faction="aletheia", member="rouge", abilities=["red_gladiator"])
    assert not ok(faction="aletheia", abilities=["red_gladiator"])
    assert not ok(faction="drifters", abilities=[])  # no kind
    assert not ok(faction="ochrona", member="rouge")
    assert ok(faction="ochrona", resources={"credits": 3})
    assert not ok(faction="ochrona", resources={"nectar": 3})


# -- the command line ---------------------------------------------------------------------------


def test_validate_reports_every_file_then_exits_with_the_worst_status(
    rouge: Callable[..., Result],
) -> None:
    result = rouge(
        "sheet",
        "validate",
        "tests/data/sheets/valid/naomi.yaml",
        "tests/data/sheets/missing.yaml",
        "tests/data/sheets/invalid/empty_name.yaml",
        "--rulebook",
        RULEBOOK,
    )
    assert result.exit_code == 2
    assert result.stdout == (
        "tests/data/sheets/valid/naomi.yaml: valid\n"
        "tests/data/sheets/missing.yaml: cannot be read\n"
        "tests/data/sheets/invalid/empty_name.yaml:1:7: error: the name is empty\n"
        '  name: "  "\n'
        "        ^~~~\n"
        "tests/data/sheets/invalid/empty_name.yaml: 1 error\n"
    )
    assert result.stderr == (
        "Error: cannot read 'tests/data/sheets/missing.yaml': no such file or directory\n"
    )


def test_validate_exits_1_when_a_sheet_is_invalid_and_none_unreadable(
    rouge: Callable[..., Result],
) -> None:
    result = rouge(
        "sheet",
        "validate",
        "tests/data/sheets/valid/naomi.yaml",
        "tests/data/sheets/invalid/empty_name.yaml",
        "--rulebook",
        RULEBOOK,
    )
    assert result.exit_code == 1


def test_validate_a_file_that_is_not_utf8(rouge: Callable[..., Result]) -> None:
    result = rouge(
        "sheet", "validate", "tests/data/sheets/bad/not_utf8.yaml", "--rulebook", RULEBOOK
    )
    assert result.exit_code == 2
    assert result.stdout == "tests/data/sheets/bad/not_utf8.yaml: cannot be read\n"
    assert result.stderr.startswith(
        "Error: tests/data/sheets/bad/not_utf8.yaml:2:10: the file is not UTF-8 text: "
        "byte 0xef cannot be decoded\n"
    )


def test_validate_a_file_over_a_limit(rouge: Callable[..., Result]) -> None:
    result = rouge(
        "sheet", "validate", "tests/data/sheets/bad/billion_laughs.yaml", "--rulebook", RULEBOOK
    )
    assert result.exit_code == 2
    assert "too many nodes" in result.stderr


def test_validate_counts_warnings(tmp_path: Path, rouge: Callable[..., Result]) -> None:
    sheet = tmp_path / "nius.yaml"
    sheet.write_text("name: Nius\nfaction: immortal_nine\nmember: nius\nattributes: {wits: 1}\n")
    result = rouge("sheet", "validate", str(sheet), "--rulebook", RULEBOOK)
    assert result.exit_code == 0
    assert result.stdout == (
        f"{sheet}:3:9: warning: member 'nius' is deceased in the rulebook\n"
        "  member: nius\n"
        "          ^~~~\n"
        f"{sheet}: valid, 1 warning\n"
    )


def test_validate_json(rouge: Callable[..., Result]) -> None:
    result = rouge(
        "sheet",
        "validate",
        "tests/data/sheets/valid/naomi.yaml",
        "tests/data/sheets/invalid/member_unknown.yaml",
        "tests/data/sheets/missing.yaml",
        "--rulebook",
        RULEBOOK,
        "--json",
    )
    assert result.exit_code == 2
    assert result.stderr == ""
    assert json.loads(result.stdout) == [
        {
            "file": "tests/data/sheets/valid/naomi.yaml",
            "valid": True,
            "readable": True,
            "diagnostics": [],
        },
        {
            "file": "tests/data/sheets/invalid/member_unknown.yaml",
            "valid": False,
            "readable": True,
            "diagnostics": [
                {
                    "line": 3,
                    "column": 9,
                    "severity": "error",
                    "message": "the rulebook has no member 'rogue' (did you mean 'rouge'?)",
                }
            ],
        },
        {
            "file": "tests/data/sheets/missing.yaml",
            "valid": False,
            "readable": False,
            "diagnostics": [
                {
                    "line": None,
                    "column": None,
                    "severity": "error",
                    "message": "cannot read 'tests/data/sheets/missing.yaml': "
                    "no such file or directory",
                }
            ],
        },
    ]


def test_validate_needs_a_rulebook_without_errors(
    tmp_path: Path, rouge: Callable[..., Result]
) -> None:
    (tmp_path / "rulebook.rouge").write_text("kind alter is nean\n")
    result = rouge(
        "sheet", "validate", "tests/data/sheets/valid/naomi.yaml", "--rulebook", str(tmp_path)
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        "Error: the rulebook has 1 error, so no sheet can be checked against it\n"
    )
    assert "unknown kind 'nean'" in result.stderr


def test_new_prints_a_sheet(rouge: Callable[..., Result]) -> None:
    result = rouge("sheet", "new", "--faction", "ochrona", "--name", "Jill", "--rulebook", RULEBOOK)
    assert result.exit_code == 0
    assert result.stdout == new_sheet(load_rulebook(RULEBOOK), "ochrona", "Jill")
    assert result.stdout.startswith(
        "# A character sheet for Sheet Test Rules, made by `rouge sheet new`.\n"
        "# Check it with: rouge sheet validate FILE --rulebook tests/data/sheets/rulebook\n"
    )


def test_new_writes_a_file_but_never_over_one(tmp_path: Path, rouge: Callable[..., Result]) -> None:
    target = tmp_path / "rouge.yaml"
    args = ["sheet", "new", "--faction", "aletheia", "--name", "Rouge", "--member", "rouge"]
    result = rouge(*args, "-o", str(target), "--rulebook", RULEBOOK)
    assert result.exit_code == 0
    assert result.stdout == f"wrote {target}\n"
    first = target.read_text(encoding="utf-8")
    assert "member: rouge\n" in first
    again = rouge(*args[:-2], "-o", str(target), "--rulebook", RULEBOOK)
    assert again.exit_code == 2
    assert again.stderr == (
        f"Error: {target} already exists; not overwriting it\n"
        "choose another file, or remove this one first\n"
    )
    assert target.read_text(encoding="utf-8") == first
    checked = rouge("sheet", "validate", str(target), "--rulebook", RULEBOOK)
    assert checked.stdout == f"{target}: valid\n"


def test_new_with_an_unknown_faction(rouge: Callable[..., Result]) -> None:
    result = rouge("sheet", "new", "--faction", "ochrana", "--name", "X", "--rulebook", RULEBOOK)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (
        result.stderr == "Error: the rulebook has no faction 'ochrana'\ndid you mean 'ochrona'?\n"
        "factions: aletheia, ochrona, immortal_nine, drifters\n"
    )


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (
            ["--faction", "council"],
            "Error: the rulebook has no faction 'council'\n"
            "did you mean 'council_of_free_neans'?\n"
            "factions: humans, neans, alters, immortal_nine, aletheia, ochrona, alid, "
            "wellstown_police, suns_of_ares, council_of_free_neans, visitors, usurpers\n",
        ),
        (
            ["--faction", "neans", "--kind", "android"],
            "Error: the rulebook has no kind 'android'\nkinds for faction neans: nean, alter\n",
        ),
        (
            ["--faction", "neans", "--member", "juvl"],
            "Error: the rulebook has no member 'juvl'\ndid you mean 'juval'?\n"
            "members of neans: none\n",
        ),
    ],
)
def test_new_lists_the_valid_choices(
    args: list[str], shown: str, rouge: Callable[..., Result]
) -> None:
    result = rouge("sheet", "new", "--name", "X", *args)
    assert result.exit_code == 2
    assert result.stderr == shown


SHOW_ROUGE = """\
Rouge Redstar
  faction  Aletheia (aletheia)
  kind     Alter (alter)
  member   Rouge (rouge)
  file     tests/data/sheets/valid/rouge.yaml

Attributes
  body     Body     4  1..5  default 2
  reflex   Reflex   3  1..5  default 2
  wits     Wits     3  1..5
  stealth  Stealth  2  0..3  skill  default 0

Modifiers
  +1 to action when actor.nectar >= 5 "Well fed"  (faction aletheia, \
tests/data/sheets/rulebook/factions.rouge:8)
  +1 to strike "Red Gladiator"  (member rouge, tests/data/sheets/rulebook/factions.rouge:23)

Abilities
  armor_up  Armor up (ability)  cost 1 nectar
    Requires not (the actor has shutdown). Always: gain armored for 1 scene.
  blend_in  Blend in (ability)
    Rolls action(stealth). On success: lose exposed.
  red_gladiator  Red Gladiator (power)  cost 2 nectar
    Requires the actor is alter. A target is required. Rolls strike(stat = body). \
On hit: damage target 2d6.
    Rouge's own armor and blade.

Resources
  nectar  Nectar  5/10  decays 1 per day
  charge  Charge  2/5

Tracks
  harm       Harm         1    0..6
  free_will  Free will    4    0..5
  manhunt    The manhunt  0/6  clock

Conditions
  awakened  Awakened  Free of the Asimov Code.

Notes
  Built to hunt the Usurpers. Remembers nothing before Ladd Sweeper.
"""


def test_show(rouge: Callable[..., Result]) -> None:
    result = rouge("sheet", "show", "tests/data/sheets/valid/rouge.yaml", "--rulebook", RULEBOOK)
    assert result.exit_code == 0
    assert result.stdout == SHOW_ROUGE


def test_show_marks_modifiers_that_do_not_hold_now(
    tmp_path: Path, rouge: Callable[..., Result]
) -> None:
    sheet = tmp_path / "hungry.yaml"
    sheet.write_text(
        "name: Hungry\nfaction: aletheia\nattributes: {wits: 1}\nresources: {nectar: 2}\n"
        "conditions: [exposed]\n"
    )
    result = rouge("sheet", "show", str(sheet), "--rulebook", RULEBOOK)
    assert result.exit_code == 0
    assert (
        '  +2 against all "Easy to find and hit"  '
        "(condition exposed, tests/data/sheets/rulebook/core.rouge:29)\n"
        '  +1 to action when actor.nectar >= 5 "Well fed"  '
        "(faction aletheia, tests/data/sheets/rulebook/factions.rouge:8; not now)\n"
    ) in result.stdout
    assert "  exposed  Exposed  lasts 1 scene\n" in result.stdout


def test_show_json(rulebook: Rulebook, rouge: Callable[..., Result]) -> None:
    result = rouge(
        "sheet", "show", "tests/data/sheets/valid/giallon.yaml", "--rulebook", RULEBOOK, "--json"
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == describe(
        read_character("tests/data/sheets/valid/giallon.yaml", rulebook), rulebook
    )
    assert list(data) == [
        "file",
        "name",
        "faction",
        "kind",
        "member",
        "attributes",
        "modifiers",
        "abilities",
        "resources",
        "tracks",
        "conditions",
        "notes",
    ]
    assert data["member"] == {"id": "giallon", "title": "Giallon", "deceased": False}
    assert data["attributes"][0] == {
        "id": "body",
        "title": "Body",
        "value": 5,
        "low": 1,
        "high": 5,
        "default": 2,
        "skill": False,
    }
    assert data["modifiers"] == [
        {
            "value": 1,
            "expression": "+1",
            "type": "armor",
            "direction": "to",
            "check": "strike",
            "when": None,
            "note": "The Nine's armor",
            "holds_now": True,
            "text": '+1 armor to strike "The Nine\'s armor"',
            "source": {"kind": "faction", "id": "immortal_nine"},
            "file": "tests/data/sheets/rulebook/factions.rouge",
            "line": 17,
        },
        {
            "value": -1,
            "expression": "-1",
            "type": None,
            "direction": "to",
            "check": "action",
            "when": "actor.has(exposed)",
            "note": None,
            "holds_now": False,
            "text": "-1 to action when actor.has(exposed)",
            "source": {"kind": "member", "id": "giallon"},
            "file": "tests/data/sheets/rulebook/factions.rouge",
            "line": 25,
        },
    ]
    assert data["abilities"][1] == {
        "id": "thunderbolt",
        "title": "Thunderbolt",
        "kind": "power",
        "holders": [{"kind": "member", "ids": ["giallon"]}],
        "costs": [{"resource": "nectar", "amount": "2"}],
        "target": "required",
        "check": "strike",
        "rules": "Requires the actor has armored and the actor's body is at least gifted. "
        "A target is required. Rolls strike. On hit: damage target 2d6 + 2.",
        "description": None,
    }
    assert data["resources"] == [
        {
            "id": "nectar",
            "title": "Nectar",
            "value": 10,
            "max": 10,
            "decay": {"amount": 1, "per": "day"},
        }
    ]
    assert data["tracks"][2] == {
        "id": "manhunt",
        "title": "The manhunt",
        "value": 0,
        "low": 0,
        "high": 6,
        "clock": True,
    }
    assert data["conditions"] == []
    assert data["notes"] == ""


def test_show_an_invalid_sheet(rouge: Callable[..., Result]) -> None:
    result = rouge(
        "sheet", "show", "tests/data/sheets/invalid/kind_unknown.yaml", "--rulebook", RULEBOOK
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: tests/data/sheets/invalid/kind_unknown.yaml:3:7: error: "
        "the rulebook has no kind 'nian'\n"
        "  kind: nian\n"
        "        ^~~~\n"
        "  did you mean 'nean'?\n"
        "1 error found\n"
    )


def test_schema_command(rulebook: Rulebook, rouge: Callable[..., Result]) -> None:
    result = rouge("sheet", "schema", "--rulebook", RULEBOOK)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == schema(rulebook)
    assert result.stdout.startswith(
        '{\n  "$schema": "https://json-schema.org/draft/2020-12/schema",'
    )


def test_the_sheet_group_is_listed(rouge: Callable[..., Result]) -> None:
    lines = rouge("--help").stdout.splitlines()
    assert any(
        line.split()
        == ["sheet", "Validate,", "create,", "show", "and", "describe", "character", "sheets"]
        for line in lines
    )
    listed = rouge("sheet", "--help").stdout
    for command in ("validate", "new", "show", "schema"):
        assert f"  {command} " in listed


# -- the bundled rulebook's sheets --------------------------------------------------------------


@pytest.mark.skipif(not BUNDLED_SHEETS, reason="rulebooks/metallic_rouge/sheets/ has no sheets")
@pytest.mark.parametrize("path", BUNDLED_SHEETS, ids=[p.stem for p in BUNDLED_SHEETS])
def test_bundled_sheet_validates(path: Path, bundled_rulebook: Rulebook) -> None:
    sheet = load(relative(path))
    validated = validate(sheet, bundled_rulebook)
    rendered = "\n".join(d.render(sheet.source) for d in validated.diagnostics)
    assert validated.errors == [], rendered
    validator = Draft202012Validator(schema(bundled_rulebook))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(data)] == []


def test_bundled_factions_get_valid_new_sheets(bundled_rulebook: Rulebook) -> None:
    validator = Draft202012Validator(schema(bundled_rulebook))
    Draft202012Validator.check_schema(schema(bundled_rulebook))
    for faction, member in factions_and_members(bundled_rulebook):
        for kind in kinds_for(bundled_rulebook, faction):
            text = new_sheet(bundled_rulebook, faction, "Jill Stingray", member, kind=kind)
            validated = validate(parse(text, "new.yaml"), bundled_rulebook)
            problems: list[Diagnostic] = validated.errors
            assert problems == [], (faction, member, kind, [d.render() for d in problems])
            assert list(validator.iter_errors(yaml.safe_load(text))) == []
            character = validated.character
            assert character is not None
            # Nectar is for Neans (`for kind nean`): no faction grants it to anyone else.
            f = bundled_rulebook.require(faction, ast.Faction)
            granted = any(g.resource.text == "nectar" for g in f.grants)
            nean = bundled_rulebook.is_kind(character.kind, "nean")
            assert ("nectar" in character.resources) == (nean and granted), (faction, kind)


def test_the_documented_example_is_valid(bundled_rulebook: Rulebook) -> None:
    text = (ROOT / "docs" / "character-sheets.md").read_text(encoding="utf-8")
    example = text.split("## A full example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    validated = validate(parse(example, "example.yaml"), bundled_rulebook)
    assert [d.render() for d in validated.diagnostics] == []
    assert validated.character is not None
    assert validated.character.name == "Rouge Redstar"


def test_a_sheet_may_carry_the_editor_schema_line(rulebook: Rulebook) -> None:
    text = "# yaml-language-server: $schema=./rouge-sheet.schema.json\n"
    text += new_sheet(rulebook, "ochrona", "Jill")
    assert validate(parse(text, "jill.yaml"), rulebook).diagnostics == []


def test_a_resources_mapping_lists_exactly_what_the_character_carries(
    tmp_path: Path, bundled_rulebook: Rulebook, bundled_character: Callable[[str], Character]
) -> None:
    from rouge_rpg.sheets import read_character

    rulebook = bundled_rulebook
    assert bundled_character("ash").resources == {}
    worker = tmp_path / "worker.yaml"
    worker.write_text(
        "name: Worker\nfaction: neans\nattributes: {body: 2, reflex: 2, mind: 2, presence: 2}\n",
        encoding="utf-8",
    )
    assert read_character(worker, rulebook).resources == {"nectar": 6}


# -- humans carry no Nectar (`for kind nean` on the resource) --------------------------------


def test_sheet_new_asks_for_the_kind_of_a_faction_that_fixes_none(
    rouge: Callable[..., Result],
) -> None:
    result = rouge("sheet", "new", "--faction", "aletheia", "--name", "Jill")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: faction 'aletheia' does not fix the kind of its members: choose one with --kind\n"
        "kinds for faction aletheia: human, nean, alter, visitor, usurper, war_machine\n"
    )


def test_sheet_new_defaults_to_the_faction_s_kind(rouge: Callable[..., Result]) -> None:
    result = rouge("sheet", "new", "--faction", "neans", "--name", "Wes")
    assert result.exit_code == 0
    assert "\nkind: nean\n" in result.stdout
    assert "\n  nectar: 6\n" in result.stdout


def test_a_human_of_a_faction_that_grants_nectar_gets_none(rouge: Callable[..., Result]) -> None:
    result = rouge("sheet", "new", "--faction", "ochrona", "--name", "Jill", "--kind", "human")
    assert result.exit_code == 0
    assert (
        "# Resources that the faction grants: current value, from 0 to the maximum.\n"
        "# (Ochrona grants Nectar, but only kind nean carries it; not a human.)\n"
        "resources: {}\n"
    ) in result.stdout
    nean = rouge("sheet", "new", "--faction", "ochrona", "--name", "Noid", "--kind", "nean")
    assert "resources:\n  # Nectar: 0..10, starts at 6, decays 1 per day.\n  nectar: 6\n" in (
        nean.stdout
    )


def test_a_human_sheet_without_resources_carries_no_nectar(bundled_rulebook: Rulebook) -> None:
    text = "name: Jill\nfaction: aletheia\nkind: human\n"
    validated = validate(parse(text, "jill.yaml"), bundled_rulebook)
    assert validated.character is not None and validated.character.resources == {}
    nean = validate(parse(text.replace("human", "nean"), "n.yaml"), bundled_rulebook)
    assert nean.character is not None and nean.character.resources == {"nectar": 6}


def test_a_human_sheet_with_nectar_is_an_error(bundled_rulebook: Rulebook) -> None:
    text = "name: Jill\nfaction: aletheia\nkind: human\nresources:\n  nectar: 6\n"
    found = validate(parse(text, "j.yaml"), bundled_rulebook).diagnostics
    assert [d.render(text) for d in found] == [
        "j.yaml:5:3: error: a human does not carry Nectar (resource 'nectar' is for kind nean)\n"
        "    nectar: 6\n"
        "    ^~~~~~\n"
        "  leave it out"
    ]
