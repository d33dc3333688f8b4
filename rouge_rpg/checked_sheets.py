"""Checked sheets, remembered: a sheet is read and checked once per text and rulebook.

`read_sheet(path, rulebook)` gives the sheet's `Character`, like
`rouge_rpg.sheets.read_character`, but remembers it in this process (so `rouge
table` reads each sheet once) and in the private cache folder (`rouge_rpg.cache`),
so that a command at the table need not import the YAML reader. The file is still
read every time: a sheet whose text changed is read and checked again, and an
invalid sheet is never remembered. The rulebook's compiled cache is its
counterpart, in `rouge_rpg.rules.load`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

#: Sheets read in this process: resolved path → (its bytes, the rulebook, the character).
_sheets: dict[str, tuple[bytes, object, Any]] = {}
#: What a cached sheet depends on, besides its text and the rulebook's.
SHEET_CODE = (
    "beings.py",
    "record.py",
    "sheets/load.py",
    "sheets/nodes.py",
    "sheets/types.py",
    "sheets/validate.py",
    "sheets/yamlsource.py",
)
#: What starts a cached sheet file; the rest is a pickle of (its text, the `Character`).
SHEET_MAGIC = b"rouge-rpg checked sheet 1\n"


def read_sheet(path: Path, rulebook: Any) -> Any:
    """`read_character`, remembered while the sheet's text and the rulebook are the same.

    An invalid sheet is never remembered: `read_character` says what is wrong with it
    every time.
    """
    import stat

    try:
        key = os.path.realpath(path)
        fd = os.open(key, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise OSError("not a regular file")  # read_character says so
            data = file.read()
    except (OSError, ValueError):
        key, data = "", b""
    found = _sheets.get(key) if key else None
    if found is not None and found[0] == data and found[1] is rulebook:
        return found[2]
    character = _stored_sheet(path, key, data, rulebook) if key else None
    if character is None:
        from rouge_rpg.sheets import read_character

        character = read_character(path, rulebook)
        if key:
            _store_sheet(path, key, data, rulebook, character)
    if key:
        if len(_sheets) >= 256:
            _sheets.clear()
        _sheets[key] = (data, rulebook, character)
    return character


def _sheet_file(path: Path, key: str, rulebook: Any) -> Path | None:
    import hashlib

    from rouge_rpg import cache

    folder = cache.cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(cache.code_fingerprint(*SHEET_CODE).encode())
    for part in (str(path), key, rulebook.content_hash, *rulebook.folders):
        digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return folder / f"sheet-{digest.hexdigest()[:32]}.pickle"


def _stored_sheet(path: Path, key: str, data: bytes, rulebook: Any) -> Any:
    """The cached character of this sheet text and rulebook, or None."""
    import pickle

    from rouge_rpg import cache
    from rouge_rpg.beings import Character

    try:
        where = _sheet_file(path, key, rulebook)
        stored = cache.read_private(where) if where is not None else None
        if stored is None or not stored.startswith(SHEET_MAGIC):
            return None
        text, character = pickle.loads(stored[len(SHEET_MAGIC) :])
    except Exception:  # damaged or foreign: read the sheet again
        return None
    if text != data or not isinstance(character, Character):
        return None
    return character


def _store_sheet(path: Path, key: str, data: bytes, rulebook: Any, character: Any) -> None:
    import pickle

    from rouge_rpg import cache

    try:
        where = _sheet_file(path, key, rulebook)
        if where is not None:
            cache.write_atomic(where, SHEET_MAGIC + pickle.dumps((data, character)))
    except Exception:  # nothing cached; the sheet itself is fine
        return
