"""Shared rendering helpers for the CLI: JSON lines and probability text."""

from __future__ import annotations

import json
from fractions import Fraction

import click


def echo_json(data: object) -> None:
    """One JSON document on one line."""
    click.echo(json.dumps(data, ensure_ascii=False))


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
