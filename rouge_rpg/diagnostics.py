"""Source spans and diagnostics, rendered with the source line and a caret."""

from __future__ import annotations

import functools

import attrs

from rouge_rpg.record import Record


@attrs.frozen(repr=False, eq=False, slots=False)
class Span(Record):
    """Where a thing stands in its source: 1-based lines and columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int
    file: str | None = None

    @classmethod
    def at(cls, line: int, column: int, width: int = 1, file: str | None = None) -> Span:
        """A span of `width` characters on one line."""
        return cls(line, column, line, column + max(width, 1), file)

    def with_file(self, file: str | None) -> Span:
        """The same place, in `file`."""
        return attrs.evolve(self, file=file)

    def location(self) -> str:
        """`file:line:col`, or `line:col` with no file."""
        where = f"{self.line}:{self.column}"
        return f"{self.file}:{where}" if self.file else where


#: Widest source line shown under a message (the caret line is as wide).
WINDOW = 96


@functools.lru_cache(maxsize=8)
def _lines(source: str) -> tuple[str, ...]:
    """A source's lines, split once however many diagnostics point into it."""
    return tuple(source.split("\n"))


def caret_lines(source: str, span: Span) -> list[str]:
    """The source line of `span` and a caret line under it, indented by two.

    A long line is cut to a window around the place before anything else is
    done with it, so many diagnostics on one long line stay cheap.
    """
    if not source.strip():
        return []
    lines = _lines(source)
    if not 1 <= span.line <= len(lines):
        return []
    line = lines[span.line - 1].rstrip("\r")
    column = span.column
    if len(line) > WINDOW:  # a window around the place, so the text stays under 100 columns
        start = max(0, span.column - WINDOW // 3)
        line = line[start : start + WINDOW]
        column = span.column - start
    text = "".join(c if c.isprintable() else "?" for c in line.expandtabs(1))
    width = span.end_column - span.column if span.end_line == span.line else 1
    width = max(1, min(width, len(text) - column + 2))
    return ["  " + text, "  " + " " * (column - 1) + "^" + "~" * (width - 1)]


@attrs.frozen(repr=False, eq=False, slots=False)
class Diagnostic(Record):
    """One problem found in a file: its severity, message and place."""

    severity: str
    message: str
    span: Span | None = None
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self, source: str | None = None) -> str:
        """`file:line:col: error: message`, the source line with a caret, the hint."""
        head = f"{self.severity}: {self.message}"
        if self.span is not None:
            head = f"{self.span.location()}: {head}"
        out = [head]
        if source is not None and self.span is not None:
            out.extend(caret_lines(source, self.span))
        if self.hint:
            out.append(f"  {self.hint}")
        return "\n".join(out)

    def to_json(self) -> dict[str, object]:
        """`{"file", "line", "column", "severity", "message"}`."""
        span = self.span
        return {
            "file": span.file if span else None,
            "line": span.line if span else None,
            "column": span.column if span else None,
            "severity": self.severity,
            "message": self.message + (f" ({self.hint})" if self.hint else ""),
        }
