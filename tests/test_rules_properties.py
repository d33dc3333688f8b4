"""Broken rules never crash the loader: random edits of a valid rulebook give diagnostics.

The text of tests/data/good/basic (all of it, in one file) is mutated: lines
deleted, duplicated, swapped or re-indented, characters deleted or inserted
from a small alphabet of the language's own punctuation. `read(folder)` must
either return diagnostics (each placed in a file, on a line that exists) or
raise a `RougeError`; any other exception is a bug.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rouge_rpg.errors import RougeError
from rouge_rpg.rules import read

BASIC = Path(__file__).parent / "data" / "good" / "basic"
ALPHABET = ':"()=.,\n #-+abc1\\\t'


def _basic_text() -> str:
    """The basic rulebook as one file: its entry file without includes, then the others."""
    entry = (BASIC / "rulebook.rouge").read_text(encoding="utf-8")
    parts = [line for line in entry.splitlines(keepends=True) if not line.startswith("include")]
    for name in ["core.rouge", "checks.rouge", "world/factions.rouge"]:
        parts.append((BASIC / name).read_text(encoding="utf-8"))
    return "".join(parts)


TEXT = _basic_text()

# A mutation is (operation, position, other position, character).
_mutation = st.tuples(
    st.sampled_from(["delete_line", "duplicate_line", "swap_lines", "indent", "dedent", "tab",
                     "delete_char", "insert_char", "replace_char"]),
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(ALPHABET),
)  # fmt: skip


def mutate(text: str, mutations: list[tuple[str, int, int, str]]) -> str:
    for operation, at, other, char in mutations:
        lines = text.split("\n")
        i, j = at % len(lines), other % len(lines)
        if operation == "delete_line":
            del lines[i]
        elif operation == "duplicate_line":
            lines.insert(i, lines[i])
        elif operation == "swap_lines":
            lines[i], lines[j] = lines[j], lines[i]
        elif operation == "indent":
            lines[i] = " " * (1 + other % 4) + lines[i]
        elif operation == "dedent":
            lines[i] = lines[i][min(len(lines[i]) - len(lines[i].lstrip(" ")), 1 + other % 4) :]
        elif operation == "tab":
            lines[i] = "\t" + lines[i]
        else:
            position = at % (len(text) + 1)
            if operation == "delete_char":
                text = text[:position] + text[position + 1 :]
            elif operation == "insert_char":
                text = text[:position] + char + text[position:]
            else:
                text = text[:position] + char + text[position + 1 :]
            continue
        text = "\n".join(lines)
    return text


def check_never_crashes(folder: Path, text: str) -> None:
    (folder / "rulebook.rouge").write_text(text, encoding="utf-8")
    try:
        loaded = read(folder)
    except RougeError:
        return
    line_count = text.count("\n") + 1
    for d in loaded.diagnostics:
        assert d.span is not None, d
        assert d.span.file is not None, d
        assert d.span.file in loaded.sources, d
        assert 1 <= d.span.line <= line_count, d
        assert d.span.column >= 1, d
        rendered = d.render(loaded.sources[d.span.file])
        assert rendered.startswith(f"{d.span.file}:{d.span.line}:{d.span.column}: ")
    assert (loaded.rulebook is None) == any(d.is_error for d in loaded.diagnostics)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mutated")


def test_unmutated_text_is_valid(folder: Path) -> None:
    (folder / "rulebook.rouge").write_text(TEXT, encoding="utf-8")
    loaded = read(folder)
    assert loaded.diagnostics == []
    assert loaded.rulebook is not None
    assert len(loaded.rulebook.definitions) == 35


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(_mutation, min_size=1, max_size=6))
def test_mutations_never_crash(folder: Path, mutations: list[tuple[str, int, int, str]]) -> None:
    check_never_crashes(folder, mutate(TEXT, mutations))


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(line=st.integers(min_value=0, max_value=10**6), junk=st.text(ALPHABET, max_size=12))
def test_junk_inserted_in_a_line_never_crashes(folder: Path, line: int, junk: str) -> None:
    lines = TEXT.split("\n")
    i = line % len(lines)
    cut = (line // len(lines)) % (len(lines[i]) + 1)
    lines[i] = lines[i][:cut] + junk + lines[i][cut:]
    check_never_crashes(folder, "\n".join(lines))


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(ALPHABET + "abcdefghijklmnopqrstuvwxyz0123456789_", max_size=80))
def test_arbitrary_short_text_never_crashes(folder: Path, text: str) -> None:
    check_never_crashes(folder, text)
