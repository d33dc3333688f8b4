"""The private cache folder (`rouge_rpg.cache`): a file planted in it is never unpickled.

The compiled rulebooks and the checked sheets are pickles, read only through
`cache.read_private`: from a folder that is ours and that no one else may write,
never through a link. These tests plant a pickle that makes a folder when it is
loaded where a checked sheet is cached (its format is the simplest: a magic line
and the pickle), and check that it is loaded only where the folder is private (the
control) and nowhere else. Everything is written under pytest's `tmp_path`.
"""

from __future__ import annotations

import os
import pickle
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rouge_rpg import cache, checked_sheets

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


class _Plant:
    """A pickle that, when loaded, makes a folder: proof that the file was unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


@pytest.fixture
def sheet(tmp_path: Path, bundled_sheet: Callable[[str], Path]) -> Path:
    path = tmp_path / "rouge.yaml"
    path.write_bytes(bundled_sheet("rouge").read_bytes())
    return path


@pytest.fixture
def read(sheet: Path, bundled_rulebook: Any) -> Callable[[], str]:
    """Read the sheet as a table command does, forgetting what this process read before."""

    def read_it() -> str:
        checked_sheets._sheets.clear()
        name: str = checked_sheets.read_sheet(sheet, bundled_rulebook).name
        return name

    return read_it


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read: Callable[[], str]) -> Path:
    """A private cache folder holding the sheet's cache file; its path is returned."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ROUGE_CACHE_DIR", str(folder))
    monkeypatch.delenv("ROUGE_NO_CACHE", raising=False)
    assert read() == "Rouge Redstar"
    (stored,) = folder.glob("sheet-*.pickle")
    return stored


def plant(stored: Path, marker: Path) -> None:
    """Replace the cached sheet by a pickle that makes `marker` when loaded."""
    stored.write_bytes(checked_sheets.SHEET_MAGIC + pickle.dumps(_Plant(marker)))
    stored.chmod(0o600)


def test_a_planted_file_is_what_the_test_detects_when_the_folder_is_private(
    warm: Path, tmp_path: Path, read: Callable[[], str]
) -> None:
    # The control for the tests below: in a private folder the file is ours, so it is read;
    # what it holds is not a sheet, so the sheet is read again and the file replaced.
    marker = tmp_path / "unpickled"
    plant(warm, marker)
    assert read() == "Rouge Redstar"
    assert marker.exists()
    marker.rmdir()
    assert read() == "Rouge Redstar"
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="no owners or mode bits")
@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_a_planted_file_is_not_loaded_from_a_folder_others_can_write(
    warm: Path, tmp_path: Path, mode: int, read: Callable[[], str]
) -> None:
    marker = tmp_path / "unpickled"
    plant(warm, marker)
    warm.parent.chmod(mode)
    assert cache.cache_dir() is None
    assert read() == "Rouge Redstar"
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="no owners or mode bits")
@pytest.mark.parametrize("mode", [0o620, 0o602])
def test_a_planted_file_others_can_write_is_not_loaded(
    warm: Path, tmp_path: Path, mode: int, read: Callable[[], str]
) -> None:
    marker = tmp_path / "unpickled"
    plant(warm, marker)
    warm.chmod(mode)
    assert cache.read_private(warm) is None
    assert read() == "Rouge Redstar"
    assert not marker.exists()


@pytest.mark.skipif(not ROOT, reason="changing a file's owner needs root")
def test_a_planted_file_or_folder_owned_by_someone_else_is_not_loaded(
    warm: Path, tmp_path: Path, read: Callable[[], str]
) -> None:
    marker = tmp_path / "unpickled"
    plant(warm, marker)
    os.chown(warm, 65534, -1)
    assert cache.read_private(warm) is None
    assert read() == "Rouge Redstar"
    assert not marker.exists()
    plant(warm, marker)
    os.chown(warm.parent, 65534, -1)
    assert cache.cache_dir() is None
    assert read() == "Rouge Redstar"
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_planted_file_behind_a_symlink_is_not_loaded(
    warm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read: Callable[[], str]
) -> None:
    marker = tmp_path / "unpickled"
    plant(warm, marker)
    link = tmp_path / "link"
    link.symlink_to(warm.parent, target_is_directory=True)
    monkeypatch.setenv("ROUGE_CACHE_DIR", str(link))
    assert cache.cache_dir() is None
    assert read() == "Rouge Redstar"
    assert not marker.exists()
    (tmp_path / "file-link").symlink_to(warm)
    assert cache.read_private(tmp_path / "file-link") is None


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
