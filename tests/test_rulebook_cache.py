"""The compiled rulebook cache: a warm start parses nothing; anything stale is rebuilt."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rouge_rpg import resources

# `rouge_rpg.rules.load` the module (the package exports a function of that name)
load_module = importlib.import_module("rouge_rpg.rules.load")
parse_module = importlib.import_module("rouge_rpg.rules.parse")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh cache folder for this test, and no rulebook remembered in this process."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ROUGE_CACHE_DIR", str(folder))
    monkeypatch.delenv("ROUGE_NO_CACHE", raising=False)
    load_module.forget()
    yield folder
    load_module.forget()


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A copy of the bundled rulebook (its .rouge files only) that the test may change."""
    target = tmp_path / "book"
    shutil.copytree(resources.bundled_rulebook(), target, ignore=shutil.ignore_patterns("sheets"))
    return target


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parsed for real, in order."""
    seen: list[str] = []
    real = parse_module.parse_text

    def counting(text: str, file: str) -> object:
        seen.append(file)
        return real(text, file)

    monkeypatch.setattr(parse_module, "parse_text", counting)
    return seen


def fresh_read(*folders: Path) -> Any:
    """`read` as a new process would: nothing remembered in memory."""
    load_module.forget()
    return load_module.read(*folders)


def cached_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("rulebook-*.pickle"))


def test_the_limit_is_the_parsers() -> None:
    assert load_module.MAX_FILE_BYTES == parse_module.MAX_FILE_BYTES


def test_warm_start_parses_nothing(cache: Path, book: Path, parses: list[str]) -> None:
    first = fresh_read(book)
    assert first.rulebook is not None and parses
    assert len(cached_files(cache)) == 1
    parses.clear()
    second = fresh_read(book)
    assert parses == []
    assert second.rulebook is not None
    assert second.rulebook.content_hash == first.rulebook.content_hash
    assert second.rulebook.definitions.keys() == first.rulebook.definitions.keys()
    assert second.diagnostics == first.diagnostics
    assert second.sources == first.sources


def test_changed_content_with_the_same_mtime_is_stale(
    cache: Path, book: Path, parses: list[str]
) -> None:
    fresh_read(book)
    core = book / "core.rouge"
    info = core.stat()
    core.write_text(core.read_text(encoding="utf-8") + "\n# a GM's note\n", encoding="utf-8")
    os.utime(core, ns=(info.st_atime_ns, info.st_mtime_ns))
    parses.clear()
    changed = fresh_read(book)
    assert parses  # parsed again
    assert changed.rulebook is not None
    assert "# a GM's note" in "".join(changed.sources.values())
    parses.clear()
    fresh_read(book)
    assert parses == []  # and the new version is cached


def test_a_new_file_in_the_folder_is_stale(cache: Path, book: Path, parses: list[str]) -> None:
    before = fresh_read(book)
    (book / "house.rouge").write_text("# not included yet\n", encoding="utf-8")
    parses.clear()
    after = fresh_read(book)
    assert parses
    assert len(after.diagnostics) == len(before.diagnostics) + 1
    assert any("house.rouge is not included" in d.message for d in after.diagnostics)


def test_an_included_file_changing_is_stale(cache: Path, book: Path, parses: list[str]) -> None:
    fresh_read(book)
    # every file but the entry is reached through an include
    (book / "neans.rouge").write_text(
        (book / "neans.rouge").read_text(encoding="utf-8").replace("Nean", "Neann", 1),
        encoding="utf-8",
    )
    parses.clear()
    fresh_read(book)
    assert parses


def test_an_overlay_added_is_another_rulebook(
    cache: Path, book: Path, tmp_path: Path, parses: list[str]
) -> None:
    fresh_read(book)
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "rulebook.rouge").write_text('rulebook house "House rules"\n', encoding="utf-8")
    parses.clear()
    both = fresh_read(book, overlay)
    assert parses  # the overlay's files were parsed, not served from the base's cache
    assert both.rulebook is not None and both.rulebook.folders[-1].endswith("overlay")
    assert len(cached_files(cache)) == 2


def test_a_new_tool_version_is_stale(
    cache: Path, book: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh_read(book)
    import rouge_rpg
    from rouge_rpg import cache as cache_module

    monkeypatch.setattr(rouge_rpg, "__version__", "99.0.0")
    monkeypatch.setattr(cache_module, "_fingerprints", {})
    parses.clear()
    fresh_read(book)
    assert parses
    assert len(cached_files(cache)) == 2


@pytest.mark.parametrize(
    "damage", ["garbage", "truncated", "empty", "a byte changed", "foreign pickle"]
)
def test_a_damaged_cache_file_is_rebuilt(
    cache: Path, book: Path, parses: list[str], damage: str
) -> None:
    fresh_read(book)
    [path] = cached_files(cache)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "a byte changed":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        import pickle

        path.write_bytes(load_module.CACHE_MAGIC + pickle.dumps({"not": "a rulebook"}))
    parses.clear()
    loaded = fresh_read(book)
    assert parses and loaded.rulebook is not None
    parses.clear()
    fresh_read(book)
    assert parses == []  # rewritten whole


def test_checking_an_unchanged_rulebook_leaves_its_cache_file_alone(
    cache: Path, book: Path, parses: list[str]
) -> None:
    """`rouge rules check` parses for real; it rewrites the cache only if the rules changed."""
    fresh_read(book)
    [path] = cached_files(cache)
    before = path.stat()
    parses.clear()
    load_module.forget()
    assert load_module.read(book, cached=False).rulebook is not None
    assert parses  # parsed for real
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    (book / "core.rouge").write_text(
        (book / "core.rouge").read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8"
    )
    load_module.forget()
    assert load_module.read(book, cached=False).rulebook is not None
    assert path.stat().st_ino != before.st_ino  # replaced whole
    parses.clear()
    assert fresh_read(book).rulebook is not None
    assert parses == []


def test_a_cache_file_others_may_write_is_not_read(
    cache: Path, book: Path, parses: list[str]
) -> None:
    fresh_read(book)
    [path] = cached_files(cache)
    path.chmod(0o666)
    parses.clear()
    assert fresh_read(book).rulebook is not None
    assert parses


def test_a_read_only_cache_folder(
    cache: Path, book: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.mkdir(mode=0o500)
    try:
        assert fresh_read(book).rulebook is not None
        assert fresh_read(book).rulebook is not None
    finally:
        cache.chmod(0o700)
    # and where writing fails whatever the permissions say, nothing breaks either
    monkeypatch.setattr(load_module.cache, "write_atomic", lambda path, data: False)
    for path in cached_files(cache):
        path.unlink()
    parses.clear()
    assert fresh_read(book).rulebook is not None
    assert parses and cached_files(cache) == []


def test_no_cache(cache: Path, book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUGE_NO_CACHE", "1")
    assert fresh_read(book).rulebook is not None
    assert not cache.exists() or cached_files(cache) == []


def test_no_cache_option(cache: Path, rouge: Callable[..., Any], isolated: Path) -> None:
    result = rouge("--no-cache", "rules", "list")
    assert result.exit_code == 0, result.output
    assert cached_files(cache) == []
    assert os.environ.get("ROUGE_NO_CACHE") is None


def test_rules_check_parses_for_real(
    cache: Path, parses: list[str], rouge: Callable[..., Any], at_root: Path
) -> None:
    fresh_read(resources.bundled_rulebook())
    parses.clear()
    result = rouge("rules", "check")
    assert result.exit_code == 0, result.output
    assert len(parses) > 1
    parses.clear()
    result = rouge("rules", "list")
    assert result.exit_code == 0 and parses == []


def _env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ROUGE_NO_CACHE", "ROUGE_CAMPAIGN")}
    env["ROUGE_CACHE_DIR"] = str(cache)
    return env


def test_two_processes_build_it_at_once(cache: Path, book: Path) -> None:
    script = (
        "import sys; from rouge_rpg.rules import load; "
        "r = load(sys.argv[1]); print(len(r.definitions))"
    )
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(book)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(cache),
        )
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    assert [c.returncode for c in children] == [0, 0], outputs
    assert outputs[0][0] == outputs[1][0]
    assert len(cached_files(cache)) == 1
    assert not list(cache.glob(".*.tmp"))
    load_module.forget()
    assert load_module._stored([book]) is not None


def test_a_warm_check_imports_neither_lark_nor_the_rules_parser_nor_yaml_nor_the_shell(
    cache: Path, bundled_sheet: Callable[[str], Path], tmp_path: Path
) -> None:
    sheet = bundled_sheet("rouge")
    script = (
        "import sys, runpy\n"
        f"sys.argv = ['rouge', 'check', {str(sheet)!r}, 'reflex', '--dc', '9', '--seed', '4']\n"
        "try:\n"
        "    runpy.run_module('rouge_rpg', run_name='__main__')\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "names = ('lark', 'rouge_rpg.rules.parse', 'prompt_toolkit', 'yaml')\n"
        "bad = [m for m in names if m in sys.modules]\n"
        "print('imported:', bad)\n"
    )

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env=_env(cache),
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "Rouge Redstar" in done.stdout
        return done.stdout

    # The first run warms the cache. It runs in the child, as the measured run does:
    # an installed copy of the package reads its own bundled files, which are other
    # paths than this checkout's (CI installs a wheel; development an editable copy).
    run()
    assert "imported: []" in run()


# -- checked sheets ---------------------------------------------------------------------------


@pytest.fixture
def sheet_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sheets read for real (YAML parsed and checked), in order."""
    import rouge_rpg.sheets

    seen: list[str] = []
    real = rouge_rpg.sheets.read_character

    def counting(path: Any, rulebook: Any) -> Any:
        seen.append(str(path))
        return real(path, rulebook)

    monkeypatch.setattr(rouge_rpg.sheets, "read_character", counting)
    return seen


def fresh_sheet(path: Path, rulebook: Any) -> Any:
    from rouge_rpg import checked_sheets

    checked_sheets._sheets.clear()
    return checked_sheets.read_sheet(path, rulebook)


def test_a_sheet_is_read_once_while_its_text_is_the_same(
    cache: Path, tmp_path: Path, sheet_reads: list[str], bundled_sheet: Callable[[str], Path]
) -> None:
    rulebook = fresh_read(resources.bundled_rulebook()).rulebook
    sheet = tmp_path / "rouge.yaml"
    shutil.copy(bundled_sheet("rouge"), sheet)
    first = fresh_sheet(sheet, rulebook)
    assert sheet_reads == [str(sheet)] and list(cache.glob("sheet-*.pickle"))
    again = fresh_sheet(sheet, rulebook)
    assert sheet_reads == [str(sheet)]  # from the cache folder
    assert again == first and again.file == first.file
    info = sheet.stat()
    sheet.write_text(
        sheet.read_text(encoding="utf-8").replace("Rouge Redstar", "Rouge Bluestar"),
        encoding="utf-8",
    )
    os.utime(sheet, ns=(info.st_atime_ns, info.st_mtime_ns))
    changed = fresh_sheet(sheet, rulebook)
    assert len(sheet_reads) == 2 and changed.name == "Rouge Bluestar"
    for stored in cache.glob("sheet-*.pickle"):
        stored.write_bytes(stored.read_bytes()[:40])  # damaged
    assert fresh_sheet(sheet, rulebook).name == "Rouge Bluestar"
    assert len(sheet_reads) == 3


def test_an_invalid_sheet_is_never_cached(
    cache: Path, tmp_path: Path, sheet_reads: list[str]
) -> None:
    from rouge_rpg.errors import RougeError

    rulebook = fresh_read(resources.bundled_rulebook()).rulebook
    sheet = tmp_path / "bad.yaml"
    sheet.write_text("name: Nobody\nfaction: nowhere\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(RougeError):
            fresh_sheet(sheet, rulebook)
    assert len(sheet_reads) == 2 and not list(cache.glob("sheet-*.pickle"))
