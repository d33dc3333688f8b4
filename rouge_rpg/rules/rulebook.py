"""`Rulebook`: a checked rulebook, its definitions indexed by id and kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import attrs

from rouge_rpg.errors import RougeError
from rouge_rpg.record import Record
from rouge_rpg.rules import ast

D = TypeVar("D", bound=ast.Definition)


class UnknownDefinition(RougeError):
    """A name that the rulebook does not define (or defines as something else)."""


@attrs.frozen(repr=False, eq=False, slots=False)
class Rulebook(Record):
    """Every definition of one or more rulebook folders, checked and indexed."""

    definitions: Mapping[str, ast.AnyDefinition]
    folders: tuple[str, ...]
    files: tuple[str, ...]
    sources: Mapping[str, str] = attrs.field(repr=False)
    title: str
    content_hash: str
    #: Game minutes an encounter's round takes, as the rulebook line says (0: narrative).
    round_minutes: int = 0

    def get(self, id: str) -> ast.AnyDefinition | None:
        """The definition with this id, of any kind."""
        return self.definitions.get(id)

    def of_kind(self, *kinds: str) -> list[ast.AnyDefinition]:
        """Definitions of these kinds (`power`, `clock`... included), in rulebook order."""
        return [d for d in self.definitions.values() if d.kind in kinds or d.KIND in kinds]

    def require(self, id: str, cls: type[D], role: str | None = None) -> D:
        """The definition `id`, which must be a `cls`; a clear error otherwise."""
        found = self.definitions.get(id)
        what = role or cls.KIND.replace("_", " ")
        if isinstance(found, cls):
            return found
        import difflib  # only a wrong id needs suggestions

        candidates = [i for i, d in self.definitions.items() if isinstance(d, cls)]
        close = difflib.get_close_matches(id, candidates, n=1, cutoff=0.6)
        if not close:
            # A word of the id (`harm` for `harm_human`) is as good a clue as a typo.
            close = [c for c in candidates if id and id in c.split("_")] or [
                c for c in candidates if id and id in c
            ]
        hint = f"did you mean {_either(close)}?" if close else None
        if found is None:
            raise UnknownDefinition(f"the rulebook has no {what} '{id}'", hint=hint)
        raise UnknownDefinition(
            f"'{id}' is {_article(found.kind)} {found.kind}, not {_article(what)} {what}",
            hint=hint,
        )

    def is_kind(self, kind: str, ancestor: str) -> bool:
        """Whether `kind` is `ancestor` or descends from it (`alter` is a `nean`)."""
        seen: set[str] = set()
        current: str | None = kind
        while current is not None and current not in seen:
            if current == ancestor:
                return True
            seen.add(current)
            found = self.definitions.get(current)
            parent = found.parent if isinstance(found, ast.Kind) else None
            current = parent.text if parent is not None else None
        return False

    @property
    def default_check(self) -> ast.Check | None:
        """The check used when a GM names an attribute instead of a check."""
        for d in self.definitions.values():
            if isinstance(d, ast.Check) and d.default:
                return d
        return None

    @property
    def damage_track(self) -> ast.Track | None:
        """The track that `damage` and `heal` move."""
        for d in self.definitions.values():
            if isinstance(d, ast.Track) and d.takes_damage:
                return d
        return None

    def source_of(self, definition: ast.Definition) -> str:
        """The definition's own lines of rules text."""
        text = self.sources.get(definition.file, "")
        if definition.span is None or not text:
            return ""
        # Split as the parser counts lines: at "\n" only.
        lines = [line.removesuffix("\r") for line in text.split("\n")]
        start = definition.span.line - 1
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][:1] in " \t#"):
            end += 1
        while end > start + 1 and (
            not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
        ):
            end -= 1
        return "\n".join(lines[start:end])


def _article(word: str) -> str:
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"


def _either(ids: list[str]) -> str:
    """`'a'`, `'a' or 'b'`, `'a', 'b' or 'c'` (at most four)."""
    quoted = [f"'{i}'" for i in ids[:4]]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
