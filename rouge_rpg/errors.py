"""The exception hierarchy: every error knows its exit status and how to show itself."""

from __future__ import annotations

from collections.abc import Sequence

from rouge_rpg.diagnostics import Diagnostic, Span, caret_lines


class RougeError(Exception):
    """Base of every error the tool reports. Exit status 2: the input was unusable."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        span: Span | None = None,
        *,
        source: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.source = source
        self.hint = hint

    def located(self, file: str, source: str | None = None) -> RougeError:
        """This error, placed in `file` (whose text is `source`) if its span names none."""
        if self.span is not None and not self.span.file:
            self.span = self.span.with_file(file)
            if self.source is None:
                self.source = source
        return self

    def show(self) -> str:
        """The one-screen text the CLI prints after `Error: `."""
        span = self.span
        if span is None:
            lines = [self.message]
        elif span.file:
            lines = [f"{span.location()}: {self.message}"]
        else:
            lines = [f"{self.message} (column {span.column})"]
        if self.source is not None and span is not None:
            lines.extend(caret_lines(self.source, span))
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.show()


class DiceError(RougeError):
    """A dice expression that cannot be parsed or rolled."""


class LimitError(RougeError):
    """An input past one of the documented limits (dice count, depth, size)."""


class InputError(RougeError):
    """A file that cannot be read at all: missing, too large, not text."""


class CheckFailed(RougeError):
    """A check ran and found problems (an invalid sheet or rulebook). Exit status 1."""

    exit_code = 1

    def __init__(self, diagnostics: Sequence[Diagnostic], sources: dict[str, str]) -> None:
        errors = sum(1 for d in diagnostics if d.is_error)
        super().__init__(f"{errors} error{'s' if errors != 1 else ''} found")
        self.diagnostics = list(diagnostics)
        self.sources = sources

    def show(self) -> str:
        rendered = [
            d.render(self.sources.get(d.span.file or "") if d.span else None)
            for d in self.diagnostics
        ]
        return "\n".join([*rendered, self.message])
