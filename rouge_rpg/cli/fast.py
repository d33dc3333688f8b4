"""`rouge roll` without Click, for a fast start.

Importing Click takes about a quarter of the time of the d20 one-liner that
`rouge roll` is measured against (benchmarks/README.md). So when the arguments
of `rouge roll` are simple (`simple_roll`), `main()` rolls here, and does what
Click's standalone mode would do around the command: each line written and
flushed, `Error: ...` with the error's exit status, a blank line and `Aborted!`
(status 1) on Ctrl-C, a quiet status 1 when stdout is a closed pipe. Anything
else is left to Click, the one source of help and usage errors. The roll
itself is `rolling.run_roll`, shared with the Click command.
"""

from __future__ import annotations

import codecs
import errno
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO, cast

import attrs

#: The shell-completion variable Click reads for `prog_name="rouge"`.
COMPLETION_VARIABLE = "_ROUGE_COMPLETE"


@attrs.frozen
class RollRequest:
    """The parameters of the Click command `roll`."""

    expression: str
    seed: int | None
    times: int
    as_json: bool


def try_fast_roll(args: Sequence[str]) -> None:
    """Run `rouge roll` and exit if `args` (after `rouge`) are simple; return if not."""
    request = simple_roll(args)
    if request is not None and _plain_environment():
        run(request)


def simple_roll(args: Sequence[str]) -> RollRequest | None:
    """`roll` with arguments Click would parse the same way, or None.

    Accepted: one EXPRESSION not starting with `-`; `--seed N` or `--seed=N`,
    `--times N` or `--times=N`, with N an optional `-` and ASCII digits (Click
    takes the next argument as the value whatever it looks like); `--json`;
    each option at most once, before or after the expression. Anything else
    (help, `--`, unknown options, missing values, repeats, a second argument,
    no expression) is None. So is an ESC character anywhere: Click strips
    terminal escape sequences from what it prints when it is not a terminal.
    """
    if not args or args[0] != "roll":
        return None
    expression: str | None = None
    numbers: dict[str, int] = {}
    as_json = False
    rest = list(args[1:])
    while rest:
        arg = rest.pop(0)
        if "\x1b" in arg:
            return None
        if arg == "--json":
            if as_json:
                return None
            as_json = True
        elif arg.startswith("-"):
            name, equals, value = arg.partition("=")
            if name not in ("--seed", "--times") or name in numbers:
                return None
            if not equals:
                if not rest:
                    return None
                value = rest.pop(0)
            number = _integer(value)
            if number is None:
                return None
            numbers[name] = number
        elif expression is None:
            expression = arg
        else:
            return None
    if expression is None:
        return None
    return RollRequest(expression, numbers.get("--seed"), numbers.get("--times", 1), as_json)


def _integer(text: str) -> int | None:
    """`text` as an int if it is `-?[0-9]+` and `int()` takes it, else None."""
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        return None
    try:
        return int(text)
    except ValueError:  # past Python's limit on digits; Click reports it
        return None


def _plain_environment() -> bool:
    """Whether Click would do nothing before the command but parse, and print as-is.

    Not so on Windows (Click expands wildcards in the arguments), when the
    shell asks for completions, or when Click would wrap stdout or stderr: it
    re-encodes an ASCII stream as UTF-8, and has nowhere to print without one.
    """
    if os.name == "nt" or os.environ.get(COMPLETION_VARIABLE):
        return False
    return _plain_stream(sys.stdout) and _plain_stream(sys.stderr)


def _plain_stream(stream: TextIO | None) -> bool:
    if stream is None:
        return False
    encoding: str | None = getattr(stream, "encoding", None)
    if encoding is None or getattr(stream, "errors", None) is None:
        return False
    try:
        return codecs.lookup(encoding).name != "ascii"
    except LookupError:
        return False


def run(request: RollRequest) -> NoReturn:
    """Roll as the Click command in standalone mode would, and exit with its status."""
    from rouge_rpg.cli import error_line
    from rouge_rpg.cli.rolling import run_roll
    from rouge_rpg.errors import RougeError

    # The shape of `click.Command.main`: the same exits, the same late interrupts.
    exit_code = 1
    aborted = False
    try:
        try:
            try:
                run_roll(request.expression, request.seed, request.times, request.as_json, _echo)
            except RougeError as error:
                _echo(error_line(error), sys.stderr)
                exit_code = error.exit_code
            else:
                exit_code = 0
        except KeyboardInterrupt:
            _echo("", sys.stderr)  # Click's blank line after the terminal's ^C
            aborted = True
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise
            # The reader went away. Python flushes stdout again on the way out;
            # let that fail quietly, as Click does.
            sys.stdout = cast(TextIO, _QuietFlush(sys.stdout))
            sys.stderr = cast(TextIO, _QuietFlush(sys.stderr))
        if aborted:
            _echo("Aborted!", sys.stderr)
        sys.exit(exit_code)
    except KeyboardInterrupt:
        sys.exit(exit_code)


def _echo(line: str, file: TextIO | None = None) -> None:
    """`click.echo(line)` for a `str` on a plain stream: the line and "\\n", flushed."""
    stream = sys.stdout if file is None else file
    stream.write(line + "\n")
    stream.flush()


class _QuietFlush:
    """A stream whose `flush()` ignores a closed pipe (Click's `_PacifyFlushWrapper`)."""

    def __init__(self, wrapped: TextIO) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> object:
        return getattr(self.wrapped, name)
