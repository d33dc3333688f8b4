"""The private cache folder: where rouge-rpg keeps what it can rebuild.

The folder is `$ROUGE_CACHE_DIR`, else `$XDG_CACHE_HOME/rouge-rpg`, else
`~/.cache/rouge-rpg`. It is used only if it is a real directory (not a
symlink), owned by the current user and writable by no one else; otherwise
there is no cache at all (never a shared temporary folder), and
`ROUGE_NO_CACHE=1` turns caching off. Cached files may be unpickled, so they
are read only when they are regular files that we own and no one else can
write, and written atomically (a temporary file in the same folder, fsync,
`os.replace`), so that a reader sees a whole file or none.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

#: Environment variable: the cache folder, instead of `$XDG_CACHE_HOME/rouge-rpg`.
CACHE_DIR_ENV = "ROUGE_CACHE_DIR"
#: Environment variable: set to anything but "" or "0" to cache nothing.
NO_CACHE_ENV = "ROUGE_NO_CACHE"


def _private(info: os.stat_result) -> bool:
    """Whether a file's owner is us and no one else may write it.

    Without `os.getuid` (Windows) owner and mode bits say nothing about who may
    write, so the check is left to the folder's access rules there.
    """
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return True
    return info.st_uid == getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def caching_disabled() -> bool:
    """Whether `ROUGE_NO_CACHE` asks for no cache."""
    return os.environ.get(NO_CACHE_ENV, "") not in ("", "0")


def cache_dir() -> Path | None:
    """The private cache folder, created if missing; None if there is none to use."""
    if caching_disabled():
        return None
    chosen = os.environ.get(CACHE_DIR_ENV)
    if chosen:
        folder = Path(chosen)
    else:
        base = os.environ.get("XDG_CACHE_HOME")
        if base and os.path.isabs(base):
            folder = Path(base) / "rouge-rpg"
        else:
            try:
                folder = Path.home() / ".cache" / "rouge-rpg"
            except (RuntimeError, KeyError, OSError):
                return None
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except (OSError, ValueError):
        return None
    if not stat.S_ISDIR(info.st_mode) or not _private(info):
        return None
    return folder


def read_private(path: Path) -> bytes | None:
    """The contents of `path`; None if it is missing, unreadable, or not private.

    Private means a regular file (not a symlink), owned by us and writable by no
    one else. The checks are made on the opened file, so it cannot be swapped
    between the check and the read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError):
        return None
    try:
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode) or not _private(info):
                return None
            return file.read()
    except OSError:
        return None


def write_atomic(path: Path, data: bytes) -> bool:
    """Write `data` to `path` all at once; False (and nothing left behind) on failure.

    The data goes to a private temporary file in the same folder, is flushed to
    disk, then renamed over `path`: readers see the old file or the new one,
    never a part, and concurrent writers each replace it whole.
    """
    import tempfile  # only writing needs it (and shutil, bz2, lzma with it)

    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True


_fingerprints: dict[tuple[str, ...], str] = {}


def code_fingerprint(*files: str) -> str:
    """A hash of what a cached result depends on besides its input: this tool, and Python.

    rouge-rpg's version, the Python version (the cache files are pickles), and the text
    of `files`, paths inside the installed package (`rules/ast.py`...) or absolute, so
    that a development checkout, whose version does not change with every edit, is never
    served a result made by older code. Remembered for the process.
    """
    found = _fingerprints.get(files)
    if found is None:
        import hashlib
        import sys

        from rouge_rpg import __version__

        digest = hashlib.sha256(f"{__version__}\0{sys.version_info[:3]}\0".encode())
        package = Path(__file__).resolve().parent
        for name in files:
            try:
                digest.update((package / name).read_bytes())
            except OSError:
                digest.update(b"\0missing\0")
            digest.update(b"\0")
        found = _fingerprints[files] = digest.hexdigest()
    return found
