"""The rules parser's cache: the same friendly messages whatever the cache holds.

The parser tables are cached in the private cache folder (`rouge_rpg.cache`).
Messages must not depend on it: no folder, a cold one, a warm one, ten
processes racing on a cold one. A cache file is unpickled, so one planted where
others could write is never read, and a damaged one is rebuilt in silence.
Everything is written under pytest's `tmp_path`.
"""

from __future__ import annotations

import os
import pickle
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rouge_rpg import cache
from rouge_rpg.rules import parse

#: Broken rules texts (each after another definition, so not the first of its file),
#: with the first line of the friendly message each must give.
BROKEN = {
    'rulebook demo "Demo"\n\ncheck a "A"\n  roll 1d6\n': (
        "x.rouge:3:12: unexpected end of line; expected ':' and an indented block after the header"
    ),
    "const b = 1\nattribute a range 1 5\n": (
        "x.rouge:2:21: unexpected '5'; expected a range such as 'range 1..5'"
    ),
    "const b = 1\ncheck a:\n  roll 1d6\n  success total >= 3\n": (
        "x.rouge:4:11: unexpected 'total'; a ladder rung is 'NAME when TEST' or 'NAME otherwise'"
    ),
    "const b = 1\nconst a =\n": (
        "x.rouge:2:10: unexpected end of line; expected an expression, such as 2d6 + actor.body"
    ),
    "const b = 1\nfaction a:\nkind b\n": (
        "x.rouge:3:1: unexpected 'kind'; expected an indented block after ':'"
    ),
    "const b = 1\nattribute a 'A' range 1..5\n": (
        'x.rouge:2:13: unexpected character "\'"; a title is a string in double quotes'
    ),
    "const b = 1\ncondition a:\n  modifier +1\n": (
        "x.rouge:3:14: unexpected end of line; "
        "a modifier needs 'to' or 'against', then a check or 'all'"
    ),
}
EXPECTED = list(BROKEN.values())

#: Run in a fresh process: parse each broken text and print its message's first line.
SCRIPT = textwrap.dedent(
    """
    import json, sys
    from rouge_rpg.rules.parse import RulesSyntaxError, parse_text
    for text in json.loads(sys.stdin.read()):
        try:
            parse_text(text, "x.rouge")
            print("parsed")
        except RulesSyntaxError as error:
            print(str(error).splitlines()[0])
    """
)

BROKEN_BOOK = 'rulebook demo "Demo"\n\ncheck a "A"\n  roll 1d6\n'
BROKEN_BOOK_MESSAGE = (
    "book/rulebook.rouge:3:12: error: unexpected end of line; "
    "expected ':' and an indented block after the header"
)

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def environment(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """The environment of a child process: its temp folder and home under tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROUGE_")}
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    env.update(TMPDIR=str(temp), TEMP=str(temp), TMP=str(temp))
    env["HOME"] = str(tmp_path / "home")
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def messages(env: dict[str, str]) -> list[str]:
    import json

    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        input=json.dumps(list(BROKEN)),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stderr == ""
    return done.stdout.splitlines()


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("rules-parser-*.lark"))


# -- friendly messages, whatever the cache --------------------------------------------------


def test_messages_are_friendly_with_no_writable_cache_folder(tmp_path: Path) -> None:
    read_only = tmp_path / "read-only"
    read_only.mkdir(mode=0o500)
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    try:
        chosen = environment(tmp_path, ROUGE_CACHE_DIR=str(read_only))
        assert messages(chosen) == EXPECTED
        nowhere = environment(
            tmp_path, HOME=str(not_a_folder), XDG_CACHE_HOME=str(not_a_folder / "cache")
        )
        assert messages(nowhere) == EXPECTED
        if not ROOT:  # root writes into read-only folders
            assert files_under(read_only) == []
    finally:
        read_only.chmod(0o700)
    assert files_under(tmp_path / "tmp") == []


def test_messages_are_friendly_with_caching_turned_off(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    env = environment(tmp_path, ROUGE_CACHE_DIR=str(folder), ROUGE_NO_CACHE="1")
    assert messages(env) == EXPECTED
    assert not folder.exists()
    assert files_under(tmp_path / "tmp") == []


def test_messages_are_friendly_with_a_cold_then_a_warm_cache(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    env = environment(tmp_path, ROUGE_CACHE_DIR=str(folder))
    assert messages(env) == EXPECTED  # cold: builds and stores
    if hasattr(os, "getuid"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (stored,) = cache_files(folder)
    before = stored.read_bytes()
    assert messages(env) == EXPECTED  # warm: loads
    assert cache_files(folder) == [stored]
    assert stored.read_bytes() == before
    assert files_under(folder) == [stored]  # no temporary file left behind
    assert files_under(tmp_path / "tmp") == []


def test_the_xdg_cache_folder_is_the_default(tmp_path: Path) -> None:
    env = environment(tmp_path, ROUGE_CACHE_DIR=None)
    assert messages(env) == EXPECTED
    assert len(cache_files(tmp_path / "xdg" / "rouge-rpg")) == 1
    assert files_under(tmp_path / "tmp") == []


def test_ten_processes_on_a_cold_cache_print_the_same_friendly_message(tmp_path: Path) -> None:
    book = tmp_path / "book"
    book.mkdir()
    (book / "rulebook.rouge").write_text(BROKEN_BOOK)
    folder = tmp_path / "cache"
    env = environment(tmp_path, ROUGE_CACHE_DIR=str(folder))
    command = [sys.executable, "-m", "rouge_rpg", "rules", "check", "book"]
    running = [
        subprocess.Popen(
            command,
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(10)
    ]
    outputs = [process.communicate(timeout=300) for process in running]
    for (stdout, stderr), process in zip(outputs, running, strict=True):
        assert process.returncode == 1, stderr
        assert stdout.splitlines()[0] == BROKEN_BOOK_MESSAGE
        assert stdout == outputs[0][0]
    assert len(cache_files(folder)) == 1
    assert files_under(folder) == cache_files(folder)
    assert files_under(tmp_path / "tmp") == []


# -- what is read from the cache folder ---------------------------------------------------


class _Plant:
    """A pickle that, when loaded, makes a folder: proof that the file was unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache folder holding a good cache file; its path is returned."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ROUGE_CACHE_DIR", str(folder))
    monkeypatch.delenv("ROUGE_NO_CACHE", raising=False)
    parse._lark()
    (stored,) = cache_files(folder)
    return stored


def plant(stored: Path, marker: Path) -> None:
    """Replace the cache file's pickle by one that makes `marker` when loaded."""
    data = stored.read_bytes()
    header = data[: data.index(b"\n", data.index(b"\n") + 1) + 1]
    stored.write_bytes(header + pickle.dumps(_Plant(marker)))
    stored.chmod(0o600)


def assert_parses(parser: object) -> None:
    assert hasattr(parser, "parse")
    assert parser.parse("const a = 1\n")  # type: ignore[attr-defined]


def test_a_planted_file_is_what_the_test_detects_when_the_folder_is_private(
    warm: Path, tmp_path: Path
) -> None:
    # The control for the tests below: in a private folder the file is ours, so it is read;
    # what it holds is not a parser, so the parser is rebuilt and the file replaced.
    marker = tmp_path / "unpickled"
    plant(warm, marker)
    assert_parses(parse._lark())
    assert marker.exists()
    marker.rmdir()
    assert_parses(parse._lark())
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="no owners or mode bits")
@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_a_planted_file_is_not_loaded_from_a_folder_others_can_write(
    warm: Path, tmp_path: Path, mode: int
) -> None:
    marker = tmp_path / "unpickled"
    plant(warm, marker)
    warm.parent.chmod(mode)
    assert cache.cache_dir() is None
    assert_parses(parse._lark())
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="no owners or mode bits")
@pytest.mark.parametrize("mode", [0o620, 0o602])
def test_a_planted_file_others_can_write_is_not_loaded(
    warm: Path, tmp_path: Path, mode: int
) -> None:
    marker = tmp_path / "unpickled"
    plant(warm, marker)
    warm.chmod(mode)
    assert cache.read_private(warm) is None
    assert_parses(parse._lark())
    assert not marker.exists()


@pytest.mark.skipif(not ROOT, reason="changing a file's owner needs root")
def test_a_planted_file_or_folder_owned_by_someone_else_is_not_loaded(
    warm: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "unpickled"
    plant(warm, marker)
    os.chown(warm, 65534, -1)
    assert cache.read_private(warm) is None
    assert_parses(parse._lark())
    assert not marker.exists()
    plant(warm, marker)
    os.chown(warm.parent, 65534, -1)
    assert cache.cache_dir() is None
    assert_parses(parse._lark())
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_planted_file_behind_a_symlink_is_not_loaded(
    warm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "unpickled"
    plant(warm, marker)
    link = tmp_path / "link"
    link.symlink_to(warm.parent, target_is_directory=True)
    monkeypatch.setenv("ROUGE_CACHE_DIR", str(link))
    assert cache.cache_dir() is None
    assert_parses(parse._lark())
    assert not marker.exists()
    (tmp_path / "file-link").symlink_to(warm)
    assert cache.read_private(tmp_path / "file-link") is None


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "other key"])
def test_a_damaged_cache_file_is_rebuilt_in_silence(
    warm: Path, damage: str, capfd: pytest.CaptureFixture[str]
) -> None:
    good = warm.read_bytes()
    magic, key, rest = good.split(b"\n", 2)
    damaged = {
        "truncated": good[: len(good) // 2],
        "garbage": good[:40] + b"\x00\xff" * 100,
        "empty": b"",
        "other key": b"\n".join([magic, key[::-1], rest]),
    }[damage]
    warm.write_bytes(damaged)
    assert_parses(parse._lark())
    # rebuilt and stored again (not byte for byte: Lark numbers states anew each build)
    header = magic + b"\n" + key + b"\n"
    assert warm.read_bytes().startswith(header)
    assert parse._load_cached(warm, header) is not None
    assert capfd.readouterr() == ("", "")


def test_the_cache_key_covers_both_grammars_the_versions_and_the_options() -> None:
    options = parse._options(parse.RulesBuilder())
    key = parse._cache_key("rules", "dice", options)
    assert parse._cache_key("rules ", "dice", options) != key
    assert parse._cache_key("rules", "dice ", options) != key
    assert parse._cache_key("rules", "dice", {**options, "import_paths": ["/x"]}) != key
    assert parse._cache_key("rules", "dice", {**options, "maybe_placeholders": False}) != key
    assert parse._cache_key("rules", "dice", options) == key


# -- rouge_rpg.cache ---------------------------------------------------------------------


def test_cache_dir_prefers_rouge_cache_dir_then_xdg_then_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ROUGE_NO_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("ROUGE_CACHE_DIR", str(tmp_path / "chosen"))
    assert cache.cache_dir() == tmp_path / "chosen"
    monkeypatch.delenv("ROUGE_CACHE_DIR")
    assert cache.cache_dir() == tmp_path / "xdg" / "rouge-rpg"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "rouge-rpg"
    if hasattr(os, "getuid"):
        for made in ("chosen", "xdg/rouge-rpg", "home/.cache/rouge-rpg"):
            assert stat.S_IMODE((tmp_path / made).stat().st_mode) == 0o700
    monkeypatch.setenv("ROUGE_NO_CACHE", "1")
    assert cache.cache_dir() is None
    monkeypatch.setenv("ROUGE_NO_CACHE", "0")
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "rouge-rpg"


def test_write_atomic_replaces_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    assert cache.write_atomic(target, b"one")
    assert cache.write_atomic(target, b"two")
    assert cache.read_private(target) == b"two"
    assert files_under(tmp_path) == [target]
    if hasattr(os, "getuid"):
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not cache.write_atomic(tmp_path / "missing" / "file", b"x")
    assert cache.read_private(tmp_path / "missing" / "file") is None
