"""Rulebook folders → parsed files → checked `Rulebook`.

A rulebook folder has an entry file, `rulebook.rouge`, that includes the
others. Folders given after the first are house-rule overlays: they may add
definitions, and replace one only with an explicit `override`.

A rulebook that loads is remembered twice: for the rest of the process (`_Memo`),
and across processes in the private cache folder (`rouge_rpg.cache`), as a pickle
of the checked result with the list of files it was read from. Either is used
again only when those files still have the same text and the folders the same
`.rouge` files, which is found by reading and hashing them, without parsing; so a
warm start imports neither Lark nor the rules parser (they are imported here only
when a rulebook must really be parsed).
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import os
import pickle
import re
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from rouge_rpg import cache, resources
from rouge_rpg.diagnostics import Diagnostic, Span
from rouge_rpg.errors import CheckFailed, InputError, RougeError
from rouge_rpg.record import Record
from rouge_rpg.rules.rulebook import Rulebook

if TYPE_CHECKING:
    from rouge_rpg.rules import ast

#: The file of a rulebook folder that is read first.
ENTRY = "rulebook.rouge"
#: Most files one rulebook may include, across all folders.
MAX_FILES = 500
#: Largest rules file, in bytes (the same as `rouge_rpg.rules.parse.MAX_FILE_BYTES`, kept
#: here so that a warm start need not import the parser; a test holds them equal).
MAX_FILE_BYTES = 1_000_000
#: Deepest chain of includes (a file that includes a file that includes...).
MAX_INCLUDE_DEPTH = 64
#: Longest file or folder name in an include, in bytes (what file systems allow).
MAX_NAME_BYTES = 255


@attrs.frozen(repr=False, eq=False, slots=False)
class Loaded(Record):
    """A rulebook (None if it has errors), every diagnostic, and the text of every file."""

    rulebook: Rulebook | None
    diagnostics: list[Diagnostic]
    sources: dict[str, str]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


@functools.lru_cache(maxsize=4)
def _resolved_folder(folder: str) -> str:
    """The bundled rulebooks' folder, resolved once: the tool does not move while it runs."""
    return os.path.realpath(folder)


def _inside(resolved: str, folder: str) -> str | None:
    """`resolved` relative to `folder` (both resolved) if it is inside it, else None."""
    if resolved == folder:
        return "."
    start = folder if folder.endswith(os.sep) else folder + os.sep
    return resolved[len(start) :] if resolved.startswith(start) else None


def display_path(path: Path) -> str:
    """A path as the GM should see it.

    A file of the bundled rulebooks as `rulebooks/...`, wherever the tool is
    installed; else relative to the working folder when inside it; else absolute.
    """
    resolved = os.path.realpath(path)
    inside = _inside(resolved, _resolved_folder(str(resources.data_dir("rulebooks"))))
    if inside is not None:
        return str(Path("rulebooks") / inside)
    inside = _inside(resolved, os.path.realpath(os.getcwd()))
    return str(Path(inside)) if inside is not None else str(Path(resolved))


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """A file's text, or an `InputError` that says why it cannot be read.

    Only regular files are read (a FIFO or a device would block or never end), and
    the check is made on the opened file. Line ends `\\r\\n` and a lone `\\r` (old
    Mac files) become `\\n`, as Python's text mode reads them.
    """
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError
            if not stat.S_ISREG(info.st_mode):
                raise InputError(f"{display_path(path)} is not a regular file; only files are read")
            if info.st_size > limit:
                raise InputError(
                    f"{display_path(path)} is {info.st_size:,} bytes; the limit is {limit:,}"
                )
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"{display_path(path)}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{display_path(path)} is a folder, not a file") from None
    except OSError as error:
        raise InputError(f"{display_path(path)}: {error.strerror or error}") from None
    except ValueError as error:  # a NUL in the name
        raise InputError(f"{display_path(path)}: {error}") from None
    if len(data) > limit:
        raise InputError(f"{display_path(path)} is over {limit:,} bytes")
    if data.startswith(codecs.BOM_UTF8):  # some editors start UTF-8 files with a BOM
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError(
            "the file is not UTF-8 text", Span.at(line, column, file=display_path(path))
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class _Reader:
    """Reads the files of rulebook folders, following includes."""

    def __init__(self, overrides: Mapping[Path, str] | None = None) -> None:
        # Resolved path → text to use instead of the file's (an editor's unsaved buffers).
        self.overrides = overrides or {}
        self.diagnostics: list[Diagnostic] = []
        self.sources: dict[str, str] = {}
        self.relative: dict[str, str] = {}  # shown name → layer/path inside its folder
        self.files: list[ast.File] = []
        self.layers: list[list[ast.File]] = []
        self.count = 0
        # Each file read: the path it was reached by, its resolved path, its shown name.
        self.reached: list[tuple[Path, Path, str]] = []

    def folder(self, folder: Path) -> None:
        shown = display_path(folder)
        if not folder.exists():
            bundled = "a bundled rulebook is named alone: " + ", ".join(
                resources.bundled_rulebooks()
            )
            raise InputError(
                f"{shown}: no such rulebook folder",
                hint=bundled if len(folder.parts) == 1 else None,
            )
        if not folder.is_dir():
            raise InputError(f"{shown} is a file; a rulebook is a folder with {ENTRY} in it")
        entry = folder / ENTRY
        if not entry.is_file():
            raise InputError(f"{shown} has no {ENTRY}, the file a rulebook starts from")
        root = folder.resolve()
        if not entry.resolve().is_relative_to(root):  # refused before it is read
            raise InputError(
                f"{ENTRY} is a link to a file outside the rulebook's folder",
                Span.at(1, 1, file=str(Path(shown) / ENTRY)),
                hint="copy the file into the folder instead of linking to it",
            )
        layer: list[ast.File] = []
        self.layers.append(layer)
        seen: set[Path] = set()
        self.file(entry.resolve(), root, [], seen, layer, entry)
        for path in sorted(folder.rglob("*.rouge")):
            if path.resolve() not in seen:
                # Record at the top of the entry file, where the missing include belongs
                # (the file itself is not read, so it has no source line to show).
                try:
                    relative = path.resolve().relative_to(folder.resolve()).as_posix()
                except ValueError:
                    relative = path.name
                self.diagnostics.append(
                    Diagnostic(
                        "warning",
                        f"{display_path(path)} is not included by {ENTRY}, so it is not read",
                        Span.at(1, 1, file=display_path(entry.resolve())),
                        f'to read it, add: include "{relative}"',
                    )
                )

    def file(
        self,
        path: Path,
        root: Path,
        chain: list[Path],
        seen: set[Path],
        layer: list[ast.File],
        reached: Path,
    ) -> None:
        seen.add(path)
        self.count += 1
        if self.count > MAX_FILES:
            raise InputError(f"the rulebook includes more than {MAX_FILES} files")
        shown = display_path(path)
        text = self.overrides[path] if path in self.overrides else read_text(path)
        self.sources[shown] = text
        self.reached.append((reached, path, shown))
        self.relative[shown] = f"{len(self.layers) - 1}/{path.relative_to(root).as_posix()}"
        from rouge_rpg.rules.parse import parse_text

        try:
            parsed, problems = parse_text(text, shown)
        except RougeError as error:
            self.diagnostics.append(
                Diagnostic(
                    "error", error.message, error.span or Span.at(1, 1, file=shown), error.hint
                )
            )
            return
        self.diagnostics.extend(problems)
        layer.append(parsed)
        for include in parsed.includes:
            self.include(include, path, root, [*chain, path], seen, layer)

    def include(
        self,
        include: ast.Include,
        owner: Path,
        root: Path,
        chain: list[Path],
        seen: set[Path],
        layer: list[ast.File],
    ) -> None:
        span = include.span.with_file(include.file) if include.span else None
        problem = _bad_name(include.path)
        if problem is None and len(chain) >= MAX_INCLUDE_DEPTH:
            problem = f"includes nest more than {MAX_INCLUDE_DEPTH} deep"
        if problem is not None:
            self.diagnostics.append(
                Diagnostic("error", f'include "{include.path}": {problem}', span)
            )
            return
        reached = owner.parent / include.path
        try:
            target = reached.resolve()
            is_file = target.is_file()
        except (OSError, ValueError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            self.diagnostics.append(
                Diagnostic("error", f'include "{include.path}": {reason}', span)
            )
            return
        if not target.is_relative_to(root):
            self.diagnostics.append(
                Diagnostic("error", f'include "{include.path}" leaves the rulebook\'s folder', span)
            )
            return
        if target in chain:
            loop = " -> ".join(p.name for p in [*chain[chain.index(target) :], target])
            self.diagnostics.append(Diagnostic("error", f"include cycle: {loop}", span))
            return
        if not is_file and target not in self.overrides:
            what = "not a regular file" if target.exists() else "no such file"
            self.diagnostics.append(Diagnostic("error", f'include "{include.path}": {what}', span))
            return
        if target in seen:
            return
        self.file(target, root, chain, seen, layer, reached)


def _bad_name(name: str) -> str | None:
    """Why an include's file name cannot be a file's, or None."""
    if "\0" in name:
        return "a file name cannot hold a NUL character"
    for part in name.replace("\\", "/").split("/"):
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            return f"a file or folder name is longer than {MAX_NAME_BYTES} bytes"
    return None


def _merge(reader: _Reader) -> dict[str, ast.AnyDefinition]:
    """Definitions by id across layers, with duplicates and overrides judged."""
    from rouge_rpg.rules import ast
    from rouge_rpg.rules.check import kind_word

    merged: dict[str, ast.AnyDefinition] = {}
    layer_of: dict[str, int] = {}

    def where(d: ast.Definition) -> str:
        return f"{d.file}:{d.id.span.line}" if d.id.span else d.file

    for number, layer in enumerate(reader.layers):
        for parsed in layer:
            for d in parsed.definitions:
                if isinstance(d, ast.RulebookInfo):
                    continue
                span = d.id.span.with_file(d.file) if d.id.span else None
                before = merged.get(d.id.text)
                if before is None:
                    if d.override:
                        reader.diagnostics.append(
                            Diagnostic(
                                "error",
                                f"override of '{d.id}', but no earlier rulebook defines it",
                                span,
                                OVERLAY_HINT if number == 0 else None,
                            )
                        )
                    merged[d.id.text] = d
                    layer_of[d.id.text] = number
                    continue
                if layer_of[d.id.text] == number:
                    reader.diagnostics.append(
                        Diagnostic(
                            "error",
                            f"'{d.id}' is already defined as "
                            f"{kind_word(before.kind)} at {where(before)}",
                            span,
                        )
                    )
                elif not d.override:
                    reader.diagnostics.append(
                        Diagnostic(
                            "error",
                            f"'{d.id}' is already defined at {where(before)}",
                            span,
                            f"write 'override {d.kind} {d.id}' to replace it",
                        )
                    )
                elif before.KIND != d.KIND:
                    reader.diagnostics.append(
                        Diagnostic(
                            "error",
                            f"override of {kind_word(before.kind)} '{d.id}' "
                            f"with {kind_word(d.kind)}",
                            span,
                        )
                    )
                else:
                    merged[d.id.text] = d
                    layer_of[d.id.text] = number
    return merged


def read(*folders: str | os.PathLike[str], cached: bool = True) -> Loaded:
    """Parse and check rulebook folders; with none, the bundled rulebook.

    A rulebook that loads is remembered for the rest of the process (see `_Memo`),
    and stored in the private cache folder (see `_stored`): reading the same
    unchanged files again gives the same `Rulebook` without parsing them. With
    `cached=False` the files are parsed and checked for real (`rouge rules check`),
    and the result then replaces what was remembered and stored (a stored file of
    the same rulebook is kept as it is).
    """
    paths = [resources.rulebook_folder(f) for f in folders] or [resources.bundled_rulebook()]
    if cached:
        remembered = _recall(paths)
        if remembered is not None:
            return remembered
        stored = _stored(paths)
        if stored is not None:
            return stored
    loaded, reader = _read(paths)
    if loaded.rulebook is not None:
        memo = _remember(paths, reader, loaded)
        if memo is not None:
            _store(paths, memo)
    return loaded


def read_overlaid(
    folders: list[Path], overrides: Mapping[Path, str]
) -> tuple[Loaded, dict[str, Path], list[ast.File]]:
    """Like `read`, with `overrides` (resolved path → text) read in place of those files.

    For the language server: an editor's unsaved texts. Never remembered. Also gives
    each file's resolved path by its shown name, and every file that parsed.
    """
    loaded, reader = _read(folders, overrides)
    paths = {shown: path for _, path, shown in reader.reached}
    return loaded, paths, [f for layer in reader.layers for f in layer]


#: What a house overlay read on its own lacks, in plain words.
OVERLAY_HINT = "an overlay needs its base: add 'extends metallic_rouge' to its rulebook line"
#: The rulebook line's id (a pattern, compiled by `re` when an overlay is read).
_RULEBOOK_ID = r"^rulebook\s+([a-z_][a-z0-9_]*)"


def _base(reader: _Reader, paths: list[Path]) -> Path | None:
    """The bundled rulebook's folder, when the first folder says it `extends` it."""
    from rouge_rpg.rules import ast

    first = reader.layers[0] if reader.layers else []
    laid_on = next(
        (
            d.extends
            for f in first
            for d in f.definitions
            if isinstance(d, ast.RulebookInfo) and d.extends is not None
        ),
        None,
    )
    if laid_on is None:
        return None
    bundled = resources.bundled_rulebook()
    found = re.search(_RULEBOOK_ID, read_text(bundled / ENTRY), re.M)
    if found is None or found.group(1) != laid_on.text:
        name = found.group(1) if found else "the bundled rulebook"
        reader.diagnostics.append(
            Diagnostic(
                "error",
                f"extends '{laid_on.text}': only the bundled rulebook, '{name}', can be named; "
                "lay a house overlay over another rulebook with --rulebook BASE --rulebook HOUSE",
                laid_on.span.with_file(display_path(paths[0]) + "/" + ENTRY)
                if laid_on.span
                else None,
            )
        )
        return None
    if any(p.resolve() == bundled.resolve() for p in paths):
        return None
    return bundled


def _read(paths: list[Path], overrides: Mapping[Path, str] | None = None) -> tuple[Loaded, _Reader]:
    from rouge_rpg.rules import ast
    from rouge_rpg.rules.check import check

    reader = _Reader(overrides)
    for path in paths:
        reader.folder(path)
    base = _base(reader, paths)
    if base is not None:  # a house overlay names the bundled rulebook: lay it over that
        paths = [base, *paths]
        reader = _Reader(overrides)
        for path in paths:
            reader.folder(path)
    definitions = _merge(reader)
    diagnostics = reader.diagnostics + check(definitions)
    diagnostics.sort(key=_order)
    rulebook = None
    if not any(d.is_error for d in diagnostics):
        infos = [
            d
            for layer in reader.layers
            for f in layer
            for d in f.definitions
            if isinstance(d, ast.RulebookInfo)
        ]
        titles = [d.display for d in infos]
        round_minutes = _round_minutes(infos, diagnostics)
        rulebook = Rulebook(
            definitions=definitions,
            folders=tuple(display_path(p) for p in paths),
            files=tuple(reader.sources),
            sources=dict(reader.sources),
            title=" + ".join(titles) or display_path(paths[0]),
            content_hash=content_hash(reader.relative, reader.sources),
            round_minutes=round_minutes,
        )
        rulebook = _within_limits(rulebook, diagnostics)
        if any(d.is_error for d in diagnostics):
            rulebook = None
    return Loaded(rulebook, diagnostics, dict(reader.sources)), reader


def _round_minutes(infos: list[ast.RulebookInfo], diagnostics: list[Diagnostic]) -> int:
    """The game time a round takes: the last rulebook line that says (house rules last)."""
    from rouge_rpg.rules import ast

    minutes = 0
    for info in infos:
        if info.round is None:
            continue
        size = ast.MINUTES.get(info.round.unit, 0)
        wrong = None
        if not size:
            wrong = f"a round is a length of game time (minutes, hours...), not '{info.round}'"
        elif info.round.amount * size > ast.MAX_GAME_TIME:
            wrong = "a round may be at most ten years of game time"
        if wrong is not None:
            span = info.round.span.with_file(info.file) if info.round.span else None
            diagnostics.append(Diagnostic("error", wrong, span))
            continue
        minutes = info.round.amount * size
    return minutes


def _within_limits(rulebook: Rulebook, diagnostics: list[Diagnostic]) -> Rulebook | None:
    """The rulebook, if its constants come to numbers within the limit; else the error, noted."""
    from rouge_rpg.rules.evaluate import constants

    try:
        constants(rulebook)
    except RougeError as error:
        diagnostics.append(Diagnostic("error", error.message, error.span))
        return None
    return rulebook


def _order(d: Diagnostic) -> tuple[str, int, int]:
    span = d.span
    return (span.file or "", span.line, span.column) if span else ("", 0, 0)


def content_hash(relative: dict[str, str], sources: dict[str, str]) -> str:
    """A hash of the rules text and each file's place in its folder, not where the folder is."""
    digest = hashlib.sha256()
    for name in sorted(sources, key=lambda n: relative.get(n, n)):
        place = relative.get(name, name)
        digest.update(place.encode() + b"\0" + sources[name].encode() + b"\0")
    return digest.hexdigest()


# -- the memo of loaded rulebooks -----------------------------------------------------------

#: Most rulebooks remembered at once (one per tuple of folders), least recently used dropped.
MEMO_SIZE = 8


@attrs.frozen(repr=False, eq=False, slots=False)
class _Memo(Record):
    """A rulebook that loaded, and what it was read from.

    It is used again only if every file it read still has the same text, is reached by
    the same path and shown under the same name (the working folder may have moved), and
    each folder holds the same `.rouge` files (those not included give warnings). Nothing
    else decides what a rulebook is: includes are found in the files' text. Modification
    times play no part.
    """

    reached: tuple[tuple[Path, Path, str], ...]
    fingerprint: str
    loaded: Loaded


_memo: dict[tuple[Path, ...], _Memo] = {}


def _listing(paths: list[Path]) -> list[str]:
    return [os.path.realpath(p) for folder in paths for p in sorted(folder.rglob("*.rouge"))]


def _fingerprint(
    paths: list[Path], reached: list[tuple[Path, Path, str]], sources: dict[str, str]
) -> str:
    """A hash of the files' text, how each was reached and shown, and the folders' listing."""
    digest = hashlib.sha256()
    for part in [*map(display_path, paths), "\0", *_listing(paths), "\0"]:
        digest.update(part.encode() + b"\0")
    for via, path, shown in reached:
        text = sources[shown]
        digest.update(f"{via}\0{path}\0{shown}\0{len(text)}\0".encode() + text.encode())
    return digest.hexdigest()


def _key(paths: list[Path]) -> tuple[Path, ...]:
    return tuple(p.resolve() for p in paths)


def _validate(paths: list[Path], memo: _Memo) -> Loaded | None:
    """The memo's `Loaded` (a copy) if none of the files it was read from changed."""
    try:
        sources: dict[str, str] = {}
        reached: list[tuple[Path, Path, str]] = []
        for via, _, _ in memo.reached:
            path = via.resolve()
            shown = display_path(path)
            sources[shown] = read_text(path)
            reached.append((via, path, shown))
        fingerprint = _fingerprint(paths, reached, sources)
    except (RougeError, OSError):
        return None
    if fingerprint != memo.fingerprint:
        return None
    loaded = memo.loaded
    return Loaded(loaded.rulebook, list(loaded.diagnostics), dict(loaded.sources))


def _recall(paths: list[Path]) -> Loaded | None:
    """The remembered `Loaded` for these folders if none of their files changed."""
    key = _key(paths)
    memo = _memo.pop(key, None)
    if memo is None:
        return None
    _memo[key] = memo  # now the most recently used
    return _validate(paths, memo)


def _keep(key: tuple[Path, ...], memo: _Memo) -> None:
    _memo.pop(key, None)
    while len(_memo) >= MEMO_SIZE:
        del _memo[next(iter(_memo))]
    _memo[key] = memo


def _remember(paths: list[Path], reader: _Reader, loaded: Loaded) -> _Memo | None:
    try:
        fingerprint = _fingerprint(paths, reader.reached, reader.sources)
    except OSError:
        return None
    kept = Loaded(loaded.rulebook, list(loaded.diagnostics), dict(loaded.sources))
    memo = _Memo(tuple(reader.reached), fingerprint, kept)
    _keep(_key(paths), memo)
    return memo


# -- the compiled rulebook cache ------------------------------------------------------------

#: What starts a compiled rulebook cache file. A line follows with the rulebook's
#: fingerprint and the CRC-32 and length of the rest, a pickle of `_Memo`.
CACHE_MAGIC = b"rouge-rpg compiled rulebook 2\n"
#: The modules whose code decides what a loaded rulebook is, and so the cache's validity.
_TOOL_FILES = (
    "rules/ast.py",
    "rules/check.py",
    "rules/load.py",
    "rules/parse.py",
    "rules/rulebook.py",
    "dice/ast.py",
    "dice/build.py",
    "dice/parse.py",
    "diagnostics.py",
    "record.py",
    "units.py",
)


def tool_version() -> str:
    """What a cached rulebook depends on besides its files: this tool, and Python.

    rouge-rpg's version, the Python version (for the pickle), and the text of the
    modules that parse, check and define a rulebook and of the grammars (see
    `rouge_rpg.cache.code_fingerprint`).
    """
    grammars = (str(resources.grammar("rules")), str(resources.grammar("dice")))
    return cache.code_fingerprint(*_TOOL_FILES, *grammars)


def cache_file(paths: list[Path]) -> Path | None:
    """Where the compiled rulebook of these folders is cached; None without a cache folder.

    One file per tool version and list of folders, as they are found and as they are
    shown (relative to the working folder when inside it: the shown names are part of
    the rulebook), replaced whenever the rulebook changes.
    """
    folder = cache.cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(tool_version().encode())
    for path in paths:
        digest.update(f"\0{path.resolve()}\0{display_path(path)}".encode())
    return folder / f"rulebook-{digest.hexdigest()[:32]}.pickle"


def _header(fingerprint: str, body: bytes) -> bytes:
    """What a cache file starts with: the magic, and the fingerprint, CRC-32 and length."""
    line = f"{fingerprint} {zlib.crc32(body):08x} {len(body)}\n"
    return CACHE_MAGIC + line.encode("ascii")


def _whole(data: bytes) -> tuple[str, bytes] | None:
    """A cache file's fingerprint and pickle, if it is one and whole (length and CRC agree)."""
    if not data.startswith(CACHE_MAGIC):
        return None
    line, _, body = data[len(CACHE_MAGIC) :].partition(b"\n")
    try:
        fingerprint, crc, length = line.decode("ascii").split(" ")
        whole = int(length) == len(body) and int(crc, 16) == zlib.crc32(body)
    except ValueError:  # not our header (UnicodeDecodeError is one too)
        return None
    return (fingerprint, body) if whole else None


def _stored(paths: list[Path]) -> Loaded | None:
    """The cached rulebook of these folders if it is there, readable, and still true."""
    try:
        path = cache_file(paths)
        if path is None:
            return None
        data = cache.read_private(path)
        found = _whole(data) if data is not None else None
        if found is None:
            return None
        memo = pickle.loads(found[1])
    except Exception:  # a damaged or foreign cache file is rebuilt, never an error
        return None
    if not isinstance(memo, _Memo) or not isinstance(memo.loaded.rulebook, Rulebook):
        return None
    if memo.fingerprint != found[0]:
        return None
    loaded = _validate(paths, memo)
    if loaded is not None:
        _keep(_key(paths), memo)
    return loaded


def _store(paths: list[Path], memo: _Memo) -> bool:
    """Write the compiled rulebook to the cache; False (and no harm) if it cannot be.

    A whole cache file of the same rulebook (the same fingerprint) is left as it is:
    `rouge rules check` of an unchanged rulebook neither pickles nor writes it again.
    """
    try:
        path = cache_file(paths)
        if path is None:
            return False
        existing = cache.read_private(path)
        found = _whole(existing) if existing is not None else None
        if found is not None and found[0] == memo.fingerprint:
            return True
        body = pickle.dumps(memo, protocol=pickle.HIGHEST_PROTOCOL)
        data = _header(memo.fingerprint, body) + body
    except Exception:  # nothing cached; the rulebook itself is fine
        return False
    return cache.write_atomic(path, data)


def forget() -> None:
    """Drop every remembered rulebook (the next `read` parses again)."""
    _memo.clear()


def load(*folders: str | os.PathLike[str]) -> Rulebook:
    """A checked `Rulebook`; `CheckFailed` (exit status 1) if the rules have errors."""
    loaded = read(*folders)
    if loaded.rulebook is None:
        raise CheckFailed(loaded.errors, loaded.sources)
    return loaded.rulebook
