"""Rulebook folders → parsed files → checked `Rulebook`.

A rulebook folder has an entry file, `rulebook.rouge`, that includes the
others. Folders given after the first are house-rule overlays: they may add
definitions, and replace one only with an explicit `override`.
"""

from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from rouge_rpg import resources
from rouge_rpg.diagnostics import Diagnostic, Span
from rouge_rpg.errors import CheckFailed, InputError, RougeError
from rouge_rpg.rules import ast
from rouge_rpg.rules.check import check, kind_word
from rouge_rpg.rules.parse import MAX_FILE_BYTES, parse_text
from rouge_rpg.rules.rulebook import Rulebook

#: The file of a rulebook folder that is read first.
ENTRY = "rulebook.rouge"
#: Most files one rulebook may include, across all folders.
MAX_FILES = 500


@attrs.frozen
class Loaded:
    """A rulebook (None if it has errors), every diagnostic, and the text of every file."""

    rulebook: Rulebook | None
    diagnostics: list[Diagnostic]
    sources: dict[str, str]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def display_path(path: Path) -> str:
    """A path as the GM should see it.

    A file of the bundled rulebooks as `rulebooks/...`, wherever the tool is
    installed; else relative to the working folder when inside it; else absolute.
    """
    resolved = path.resolve()
    bundled = resources.data_dir("rulebooks").resolve()
    if resolved.is_relative_to(bundled):
        return str(Path("rulebooks") / resolved.relative_to(bundled))
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """A file's text, or an `InputError` that says why it cannot be read."""
    shown = display_path(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"{shown} is {size:,} bytes; the limit is {limit:,}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{shown} is a folder, not a file") from None
    except OSError as error:
        raise InputError(f"{shown}: {error.strerror or error}") from None
    if data.startswith(codecs.BOM_UTF8):  # some editors start UTF-8 files with a BOM
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError("the file is not UTF-8 text", Span.at(line, column, file=shown)) from None


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
            raise InputError(f"{shown}: no such rulebook folder")
        if not folder.is_dir():
            raise InputError(f"{shown} is a file; a rulebook is a folder with {ENTRY} in it")
        entry = folder / ENTRY
        if not entry.is_file():
            raise InputError(f"{shown} has no {ENTRY}, the file a rulebook starts from")
        layer: list[ast.File] = []
        self.layers.append(layer)
        seen: set[Path] = set()
        self.file(entry.resolve(), folder.resolve(), [], seen, layer, entry)
        for path in sorted(folder.rglob("*.rouge")):
            if path.resolve() not in seen:
                # Shown at the top of the entry file, where the missing include belongs
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
        reached = owner.parent / include.path
        target = reached.resolve()
        if not target.is_relative_to(root):
            self.diagnostics.append(
                Diagnostic("error", f'include "{include.path}" leaves the rulebook\'s folder', span)
            )
            return
        if target in chain:
            loop = " -> ".join(p.name for p in [*chain[chain.index(target) :], target])
            self.diagnostics.append(Diagnostic("error", f"include cycle: {loop}", span))
            return
        if not target.is_file() and target not in self.overrides:
            self.diagnostics.append(
                Diagnostic("error", f'include "{include.path}": no such file', span)
            )
            return
        if target in seen:
            return
        self.file(target, root, chain, seen, layer, reached)


def _merge(reader: _Reader) -> dict[str, ast.AnyDefinition]:
    """Definitions by id across layers, with duplicates and overrides judged."""
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


def read(*folders: str | os.PathLike[str]) -> Loaded:
    """Parse and check rulebook folders; with none, the bundled rulebook.

    A rulebook that loads is remembered for the rest of the process (see `_Memo`):
    reading the same unchanged files again gives the same `Rulebook` object.
    """
    paths = [Path(f) for f in folders] or [resources.bundled_rulebook()]
    remembered = _recall(paths)
    if remembered is not None:
        return remembered
    loaded, reader = _read(paths)
    if loaded.rulebook is not None:
        _remember(paths, reader, loaded)
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


def _read(paths: list[Path], overrides: Mapping[Path, str] | None = None) -> tuple[Loaded, _Reader]:
    reader = _Reader(overrides)
    for path in paths:
        reader.folder(path)
    definitions = _merge(reader)
    diagnostics = reader.diagnostics + check(definitions)
    diagnostics.sort(key=_order)
    rulebook = None
    if not any(d.is_error for d in diagnostics):
        titles = [
            d.display
            for layer in reader.layers
            for f in layer
            for d in f.definitions
            if isinstance(d, ast.RulebookInfo)
        ]
        rulebook = Rulebook(
            definitions=definitions,
            folders=tuple(display_path(p) for p in paths),
            files=tuple(reader.sources),
            sources=dict(reader.sources),
            title=" + ".join(titles) or display_path(paths[0]),
            content_hash=content_hash(reader.relative, reader.sources),
        )
    return Loaded(rulebook, diagnostics, dict(reader.sources)), reader


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


@attrs.frozen
class _Memo:
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
    return [str(p.resolve()) for folder in paths for p in sorted(folder.rglob("*.rouge"))]


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


def _recall(paths: list[Path]) -> Loaded | None:
    """The remembered `Loaded` for these folders if none of their files changed."""
    key = _key(paths)
    memo = _memo.pop(key, None)
    if memo is None:
        return None
    _memo[key] = memo  # now the most recently used
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


def _remember(paths: list[Path], reader: _Reader, loaded: Loaded) -> None:
    try:
        fingerprint = _fingerprint(paths, reader.reached, reader.sources)
    except OSError:
        return
    key = _key(paths)
    _memo.pop(key, None)
    while len(_memo) >= MEMO_SIZE:
        del _memo[next(iter(_memo))]
    kept = Loaded(loaded.rulebook, list(loaded.diagnostics), dict(loaded.sources))
    _memo[key] = _Memo(tuple(reader.reached), fingerprint, kept)


def forget() -> None:
    """Drop every remembered rulebook (the next `read` parses again)."""
    _memo.clear()


def load(*folders: str | os.PathLike[str]) -> Rulebook:
    """A checked `Rulebook`; `CheckFailed` (exit status 1) if the rules have errors."""
    loaded = read(*folders)
    if loaded.rulebook is None:
        raise CheckFailed(loaded.errors, loaded.sources)
    return loaded.rulebook
