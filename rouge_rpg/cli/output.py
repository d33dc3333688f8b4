"""Shared rendering helpers for the CLI: JSON lines and probability text."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fractions import Fraction


def json_line(data: object) -> str:
    """One JSON document on one line."""
    return json.dumps(data, ensure_ascii=False)


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
