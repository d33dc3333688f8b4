"""The safe YAML loader of sheets: spans, typed scalars, limits and the corpus of bad files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rouge_rpg.diagnostics import Diagnostic, Span
from rouge_rpg.errors import InputError, LimitError, RougeError
from rouge_rpg.sheets import types
from rouge_rpg.sheets.yamlsource import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_SHEET_BYTES,
    Mapping,
    Scalar,
    Sequence,
    load_yaml,
    parse_yaml,
)

BAD = Path(__file__).parent / "data" / "sheets" / "bad"
BAD_FILES = sorted(BAD.glob("*.yaml"))
#: The corpus files past a limit (LimitError); every other one is an InputError.
LIMIT_CASES = {"billion_laughs", "deep_nesting", "deep_nesting_block", "deep_alias"}

SHEET = """\
# Naomi's sheet
name: Naomi Orthmann
hp: 12
attributes:
  might: 2
  grace: 3.5
gear: [pistol, "knife"]
tags:
  - neo
  - rouge
"""


def error_of(text: str) -> RougeError:
    with pytest.raises(RougeError) as caught:
        parse_yaml(text, "sheet.yaml")
    return caught.value


# -- the corpus of broken files -------------------------------------------------


def test_the_corpus_is_complete() -> None:
    assert len(BAD_FILES) >= 20
    for path in BAD_FILES:
        assert path.with_suffix(".expected").is_file(), f"{path.name} has no .expected"
    assert {p.stem for p in BAD.glob("*.expected")} == {p.stem for p in BAD_FILES}


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_bad_sheet(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    with pytest.raises(RougeError) as caught:
        load_yaml(Path(path.name))
    error = caught.value
    expected = path.with_suffix(".expected").read_text(encoding="utf-8")
    assert error.show() + "\n" == expected
    assert type(error) is (LimitError if path.stem in LIMIT_CASES else InputError)
    assert error.exit_code == 2
    assert error.span is not None and error.span.file == path.name


def test_billion_laughs_is_stopped_by_the_node_limit() -> None:
    error = error_of((BAD / "billion_laughs.yaml").read_text())
    assert isinstance(error, LimitError)
    assert f"more than {MAX_NODES:,}" in error.message
    # Stopped at the first alias of `e`, whose nine copies of `d` would pass the limit:
    # nothing past it was read, so nothing was expanded.
    assert error.span == Span(6, 8, 6, 10, "sheet.yaml")


def test_deep_nesting_fails_at_the_first_level_past_the_limit() -> None:
    error = error_of("a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert isinstance(error, LimitError)
    assert error.span is not None and error.span.column == 4 + MAX_DEPTH - 1


@pytest.mark.parametrize(
    "opening",
    ["[", "{a: ", "- ", "{? "],
    ids=["flow-list", "flow-map", "block-list", "flow-key"],
)
def test_ten_thousand_levels_of_any_kind(opening: str) -> None:
    closing = {"[": "]", "{a: ": "}", "- ": "", "{? ": "}"}[opening]
    error = error_of("a:\n  " + opening * 10_000 + "x" + closing * 10_000 + "\n")
    assert isinstance(error, LimitError)
    assert f"more than {MAX_DEPTH} levels" in error.message


def test_nesting_at_the_limit_is_accepted() -> None:
    # The top-level mapping is level 1, so MAX_DEPTH - 1 lists fit inside it.
    depth = MAX_DEPTH - 1
    document = parse_yaml("a: " + "[" * depth + "1" + "]" * depth + "\n", "ok.yaml")
    node = document.root.get("a")
    for _ in range(depth):
        assert isinstance(node, Sequence)
        node = node[0]
    span = Span(1, 4 + depth, 1, 5 + depth, "ok.yaml")
    assert node == Scalar(span, 1, "1", "tag:yaml.org,2002:int")
    deeper = error_of("a: " + "[" * (depth + 1) + "1" + "]" * (depth + 1) + "\n")
    assert isinstance(deeper, LimitError)


def test_node_limit_boundary() -> None:
    # The mapping, the key `a` and the list are three nodes; the items make up the rest.
    items = MAX_NODES - 3
    parse_yaml("a: [" + ",".join(["1"] * items) + "]\n", "ok.yaml")
    error = error_of("a: [" + ",".join(["1"] * (items + 1)) + "]\n")
    assert isinstance(error, LimitError)


def test_too_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * MAX_SHEET_BYTES + "\n")
    with pytest.raises(LimitError) as caught:
        load_yaml(path)
    assert "is too large" in caught.value.message
    assert f"{MAX_SHEET_BYTES // 1024} KiB" in caught.value.message
    assert str(path) in caught.value.message


def test_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "full.yaml"
    path.write_text("a: " + "x" * (MAX_SHEET_BYTES - 4) + "\n")
    assert path.stat().st_size == MAX_SHEET_BYTES
    assert load_yaml(path).root.get("a") is not None


def test_too_large_text_is_refused() -> None:
    error = error_of("a: " + "é" * MAX_SHEET_BYTES)
    assert isinstance(error, LimitError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_yaml(tmp_path / "nobody.yaml")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="it is a directory"):
        load_yaml(tmp_path)


def test_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: Naomi\n")
    document = load_yaml(path)
    assert document.to_python() == {"name": "Naomi"}
    assert document.root.key_span("name") == Span(1, 1, 1, 5, str(path))


def test_duplicate_key_with_a_different_spelling() -> None:
    error = error_of("1: a\n0x1: b\n")
    assert error.message == "duplicate key '0x1' (first given as '1' at line 1)"


def test_explicit_tags_that_do_not_fit() -> None:
    assert error_of("a: !!str {b: 1}\n").message == "the tag '!!str' cannot be given to a mapping"
    assert error_of("a: !!float x\n").message == "'x' is not a valid !!float value"
    assert "not allowed" in error_of("a: !!omap [b: 1]\n").message


def test_value_tag_is_refused() -> None:
    assert "!!value" in error_of("a: =\n").message


# -- the tree and its spans -----------------------------------------------------


def test_spans_of_keys_and_values() -> None:
    document = parse_yaml(SHEET, "naomi.yaml")
    root = document.root
    assert document.file == "naomi.yaml" and document.source == SHEET
    assert root.key_span("name") == Span(2, 1, 2, 5, "naomi.yaml")
    name = root.get("name")
    assert isinstance(name, Scalar)
    assert name.span == Span(2, 7, 2, 21, "naomi.yaml")
    assert name.text == "Naomi Orthmann"
    attributes = root.get("attributes")
    assert isinstance(attributes, Mapping)
    assert attributes.key_span("grace") == Span(6, 3, 6, 8, "naomi.yaml")
    grace = attributes.get("grace")
    assert isinstance(grace, Scalar) and grace.span == Span(6, 10, 6, 13, "naomi.yaml")
    gear = root.get("gear")
    assert isinstance(gear, Sequence)
    assert gear.span == Span(7, 7, 7, 24, "naomi.yaml")
    knife = gear[1]
    assert isinstance(knife, Scalar)
    assert (knife.value, knife.text, knife.span) == (
        "knife",
        '"knife"',
        Span(7, 16, 7, 23, "naomi.yaml"),
    )
    tags = root.get("tags")
    assert isinstance(tags, Sequence)
    assert [item.span.line for item in tags] == [9, 10]
    assert tags[0].span.column == 5


def test_mapping_helpers() -> None:
    root = parse_yaml(SHEET, "naomi.yaml").root
    assert [key.value for key in root] == ["name", "hp", "attributes", "gear", "tags"]
    assert root.keys() == tuple(key for key, _ in root.items())
    assert len(root) == 5 and len(root.values()) == 5
    assert "hp" in root and "mp" not in root and [] not in root
    assert root.get("mp") is None and root.key_span("mp") is None
    key = root.key_node("hp")
    assert key is not None and key.text == "hp"
    hp = root.get("hp")
    assert isinstance(hp, Scalar) and hp.value == 12


def test_to_python_round_trip() -> None:
    document = parse_yaml(SHEET, "naomi.yaml")
    assert document.to_python() == yaml.safe_load(SHEET)
    assert list(document.root.to_python()) == list(yaml.safe_load(SHEET))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "12",
        "-3",
        "+7",
        "0x1F",
        "0o17",
        "017",
        "1_000",
        "0b101",
        "1:30",
        "3.5",
        "-0.25",
        "1e3",
        "1.5e3",
        "6.02e+23",
        ".inf",
        "-.Inf",
        "true",
        "False",
        "yes",
        "No",
        "on",
        "OFF",
        "~",
        "null",
        "",
        "'12'",
        '"true"',
        "three",
        "'null'",
        "2024-05-01 is a date",
        "!!str 12",
        "!!int '12'",
        "!!float 3",
        "!!bool yes",
        "!!null ''",
        "|\n  two\n  lines\n",
        ">\n  folded\n  text\n",
    ],
)
def test_scalars_are_typed_like_safe_load(text: str) -> None:
    source = f"v: {text}\n"
    node = parse_yaml(source, "s.yaml").root.get("v")
    assert isinstance(node, Scalar)
    expected = yaml.safe_load(source)["v"]
    assert node.value == expected
    assert type(node.value) is type(expected)


def test_nan_is_a_float() -> None:
    node = parse_yaml("v: .NaN\n", "s.yaml").root.get("v")
    assert isinstance(node, Scalar) and isinstance(node.value, float) and math.isnan(node.value)


def test_dates_stay_text() -> None:
    node = parse_yaml("born: 2024-05-01\n", "s.yaml").root.get("born")
    assert isinstance(node, Scalar)
    assert node.value == "2024-05-01"
    assert node.tag == "tag:yaml.org,2002:timestamp"


def test_anchor_and_tag_are_not_part_of_the_value_span() -> None:
    node = parse_yaml("hp: &hp !!int 12\n", "s.yaml").root.get("hp")
    assert isinstance(node, Scalar)
    assert (node.text, node.span) == ("12", Span(1, 15, 1, 17, "s.yaml"))


def test_aliases_share_the_anchored_value_and_keep_their_own_span() -> None:
    source = "base: &base {might: 2, grace: 3}\nnaomi: *base\n"
    document = parse_yaml(source, "s.yaml")
    assert document.to_python() == yaml.safe_load(source)
    base, naomi = document.root.get("base"), document.root.get("naomi")
    assert isinstance(base, Mapping) and isinstance(naomi, Mapping)
    assert naomi.span == Span(2, 8, 2, 13, "s.yaml")
    assert naomi.entries is base.entries
    assert naomi.get("grace") == base.get("grace")


def test_nodes_are_frozen_and_hashable() -> None:
    document = parse_yaml(SHEET, "naomi.yaml")
    with pytest.raises(AttributeError):
        document.root.span = Span.at(1, 1)  # type: ignore[misc]
    assert hash(document.root) == hash(parse_yaml(SHEET, "naomi.yaml").root)


# -- type expectations for validators -------------------------------------------


def node_of(text: str) -> Mapping | Sequence | Scalar:
    node = parse_yaml(f"v: {text}\n", "s.yaml").root.get("v")
    assert isinstance(node, Mapping | Sequence | Scalar)
    return node


def message(result: object) -> str:
    assert isinstance(result, Diagnostic)
    return result.message


def test_expectations_pass_values_through() -> None:
    assert types.expect_int(node_of("3")) == 3
    assert types.expect_number(node_of("3.5")) == 3.5
    assert types.expect_number(node_of("3")) == 3
    assert types.expect_str(node_of("Naomi")) == "Naomi"
    assert types.expect_bool(node_of("no")) is False
    assert isinstance(types.expect_mapping(node_of("{a: 1}")), Mapping)
    assert isinstance(types.expect_sequence(node_of("[1]")), Sequence)


def test_expectation_messages() -> None:
    assert message(types.expect_number(node_of("three"))) == "expected a number, got 'three'"
    assert message(types.expect_sequence(node_of("{a: 1}"))) == "expected a list, got a mapping"
    assert message(types.expect_mapping(node_of("[1]"))) == "expected a mapping, got a list"
    assert message(types.expect_int(node_of("3.5"))) == "expected a whole number, got 3.5"
    assert message(types.expect_int(node_of("true"))) == "expected a whole number, got true"
    assert message(types.expect_number(node_of(".inf"))) == "expected a number, got .inf"
    assert message(types.expect_number(node_of(""))) == "expected a number, got nothing"
    assert message(types.expect_number(node_of("null"))) == "expected a number, got nothing"
    assert message(types.expect_str(node_of("yes"))) == "expected text, got yes (read as true)"
    assert message(types.expect_bool(node_of("'yes'"))) == "expected true or false, got 'yes'"
    long = types.describe(node_of("x" * 100))
    assert long == "'" + "x" * 37 + "...'"


def test_expectation_diagnostic_points_at_the_node() -> None:
    root = parse_yaml("name: Naomi\nhp: three\n", "naomi.yaml").root
    hp = root.get("hp")
    assert hp is not None
    result = types.expect_int(hp)
    assert isinstance(result, Diagnostic)
    assert result.render("name: Naomi\nhp: three\n") == (
        "naomi.yaml:2:5: error: expected a whole number, got 'three'\n  hp: three\n      ^~~~~"
    )


def test_expect_str_hints_at_quotes() -> None:
    result = types.expect_str(node_of("007"))
    assert isinstance(result, Diagnostic)
    assert result.message == "expected text, got 007"
    assert result.hint == 'write it in quotes to mean the text: "007"'


def test_require() -> None:
    root = parse_yaml(SHEET, "naomi.yaml").root
    assert types.require(root, "hp") == root.get("hp")
    missing = types.require(root, "mp")
    assert isinstance(missing, Diagnostic)
    assert missing.message == "missing key 'mp'"
    assert missing.span == root.span


# -- property: the same data as yaml.safe_load ----------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
keys = st.one_of(st.text(max_size=10), st.integers(min_value=-1000, max_value=1000))
data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(keys, data, max_size=6), st.booleans())
def test_same_data_as_safe_load(value: dict[object, object], flow: bool) -> None:
    text = yaml.safe_dump(value, sort_keys=False, default_flow_style=flow, allow_unicode=True)
    document = parse_yaml(text, "p.yaml")
    # Not always `== value`: pyyaml's own dump and load do not round-trip every string
    # (a lone "\x85" comes back as " ").
    assert document.to_python() == yaml.safe_load(text)
