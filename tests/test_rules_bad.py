"""The corpus of broken rulebooks: `rouge rules check` prints exactly `expected.txt`.

Each folder of tests/data/bad/ is one mistake a GM can make: a parse error, or
a problem the checker finds. Its `expected.txt` holds the whole output of
`rouge rules check FOLDER`, run from the repository's root so that paths read
`tests/data/bad/NAME/rulebook.rouge:3:7`. A folder with an `args.txt` is an
overlay: the folders listed there are checked first, then it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from rouge_rpg.rules import read

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())
#: Folders whose only diagnostics are warnings: `rouge rules check` exits 0.
WARNING_ONLY = {"file_not_included"}
#: `file:line:col: severity: message`, then the source line and a caret line.
HEAD = re.compile(r"^(tests/data/\S+\.rouge):(\d+):(\d+): (error|warning): \S.*$")


def _arguments(name: str) -> list[str]:
    folder = BAD / name
    extra = folder / "args.txt"
    before = extra.read_text(encoding="utf-8").split() if extra.exists() else []
    return [*before, f"tests/data/bad/{name}"]


#: Paths in messages are relative to the working folder: run from the repository root.
pytestmark = pytest.mark.usefixtures("at_root")


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 40
    for name in CASES:
        assert (BAD / name / "rulebook.rouge").is_file(), name
        assert (BAD / name / "expected.txt").is_file(), name


@pytest.mark.parametrize("name", CASES)
def test_check_prints_expected(name: str, rouge: Callable[..., Result]) -> None:
    expected = (BAD / name / "expected.txt").read_text(encoding="utf-8")
    result = rouge("rules", "check", *_arguments(name))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == expected
    assert result.exit_code == (0 if name in WARNING_ONLY else 1)


@pytest.mark.parametrize("name", CASES)
def test_every_diagnostic_is_placed_and_shown(name: str) -> None:
    """Each diagnostic names file:line:col, and is followed by its line and a caret under it."""
    lines = (BAD / name / "expected.txt").read_text(encoding="utf-8").splitlines()
    heads = [i for i, line in enumerate(lines) if HEAD.match(line)]
    assert heads, f"{name}: no diagnostic"
    for i in heads:
        file, line, column, _ = HEAD.match(lines[i]).groups()  # type: ignore[union-attr]
        source = (ROOT / file).read_text(encoding="utf-8").splitlines()
        shown, caret = lines[i + 1], lines[i + 2]
        assert shown == "  " + source[int(line) - 1].expandtabs(1), name
        assert caret.lstrip().startswith("^")
        assert caret.index("^") == 2 + int(column) - 1, name
    # The last line is the summary.
    assert re.match(r"^(\d+ errors? in \d+ files?|.*: \d+ definitions?.*)$", lines[-1])


@pytest.mark.parametrize("name", CASES)
def test_json_matches_text(name: str, rouge: Callable[..., Result]) -> None:
    """`--json` reports the same problems, in the same order, at the same places."""
    import json

    result = rouge("rules", "check", "--json", *_arguments(name))
    found = json.loads(result.stdout)
    expected = [
        HEAD.match(line).groups()  # type: ignore[union-attr]
        for line in (BAD / name / "expected.txt").read_text(encoding="utf-8").splitlines()
        if HEAD.match(line)
    ]
    assert [(d["file"], str(d["line"]), str(d["column"]), d["severity"]) for d in found] == [
        tuple(e) for e in expected
    ]


@pytest.mark.parametrize("name", CASES)
def test_read_returns_no_rulebook(name: str) -> None:
    loaded = read(*_arguments(name))
    if name in WARNING_ONLY:
        assert loaded.rulebook is not None
        assert loaded.diagnostics and not loaded.errors
    else:
        assert loaded.rulebook is None
        assert loaded.errors
