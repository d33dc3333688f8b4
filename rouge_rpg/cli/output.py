"""Shared rendering helpers for the CLI: JSON lines and probability text."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fractions import Fraction


#: Largest number read from the command line or a file (a sheet value, `--mod`, `--since`,
#: a duration): 10^15, far beyond any number of a game, and far below where Python's or
#: SQLite's limits on numbers begin.
MAX_MAGNITUDE = 10**15

#: What JSON leaves unescaped with `ensure_ascii=False` that a terminal may obey: DEL and
#: the C1 controls, the line and paragraph separators; and lone surrogates, which no
#: output can encode. (A pattern, compiled by `re` on first use: most commands print no JSON.)
_JSON_UNSAFE = "[\x7f-\x9f\u2028\u2029\ud800-\udfff]"


def json_line(data: object) -> str:
    """One JSON document on one line, with nothing a terminal would obey left raw."""
    text = json.dumps(data, ensure_ascii=False)
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", text)


def printable(text: str) -> str:
    """`text` with every character a terminal could obey shown visibly as an escape.

    The one function text output passes names and values through (they come from
    sheets, rulebooks and journals, which anyone may have written): line breaks stay,
    tabs stay; ESC is shown as `\\x1b`, other controls and unprintable characters as
    `\\xNN`, `\\uNNNN` or `\\UNNNNNNNN`, and a lone surrogate as `\\udNNN`.
    """
    if text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        if char.isprintable() or char in "\n\t":
            out.append(char)
        else:
            code = ord(char)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
    return "".join(out)


def echo(text: str = "", *, nl: bool = True, err: bool = False) -> None:
    """`click.echo` of `printable(text)`: for every line of text output."""
    import click

    click.echo(printable(text), nl=nl, err=err)


def echo_json(data: object) -> None:
    """Print `json_line(data)`."""
    import click  # here, not above: see the module's docstring

    click.echo(json_line(data))


def percent(p: Fraction) -> str:
    """`41.67%`, rounded for people (the exact fraction is in --json)."""
    if p == 0:
        return "0%"
    if p == 1:
        return "100%"
    value = float(p) * 100
    if value < 0.01:
        return "<0.01%"
    if value > 99.99:
        return ">99.99%"
    return f"{value:.2f}%"


def fraction(p: Fraction) -> str:
    """`5/12`: the exact form used in JSON."""
    return f"{p.numerator}/{p.denominator}"
