"""Type expectations for validators: a plain value, or a Diagnostic pointing at the node.

Each `expect_*` returns the value when the node has the expected type, else an
error `Diagnostic` such as `expected a number, got 'three'` at the node's span.
"""

from __future__ import annotations

import math

from rouge_rpg.diagnostics import Diagnostic
from rouge_rpg.sheets.nodes import Mapping, Node, Scalar, ScalarValue, Sequence

#: Largest number a sheet may hold, whole or not: 10^15 (the same as
#: `rouge_rpg.cli.output.MAX_MAGNITUDE`; a test holds them equal).
MAX_MAGNITUDE = 10**15
#: Longest text quoted in a message before it is cut short.
MAX_SHOWN = 40


def describe(node: Node) -> str:
    """A node in a message: `a mapping`, `a list`, `nothing`, `'three'`, `3.5`, `true`."""
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    assert isinstance(node, Scalar)
    value, text = node.value, node.text.strip()
    if value is None:
        return "nothing" if text in ("", "~", "null", "Null", "NULL") else f"nothing ({text})"
    if isinstance(value, str):
        shown = value if len(value) <= MAX_SHOWN else value[: MAX_SHOWN - 3] + "..."
        return repr(shown)
    if isinstance(value, bool):
        word = "true" if value else "false"
        return word if text.lower() == word else f"{_short(text)} (read as {word})"
    return _short(text) if text else str(value)


def expected(node: Node, what: str, hint: str | None = None) -> Diagnostic:
    """The error `expected <what>, got <node>` at the node."""
    return Diagnostic("error", f"expected {what}, got {describe(node)}", node.span, hint)


def expect_mapping(node: Node) -> Mapping | Diagnostic:
    """The node as a mapping."""
    return node if isinstance(node, Mapping) else expected(node, "a mapping")


def expect_sequence(node: Node) -> Sequence | Diagnostic:
    """The node as a list."""
    return node if isinstance(node, Sequence) else expected(node, "a list")


def expect_str(node: Node) -> str | Diagnostic:
    """Text; a number or true/false written bare gets a hint to quote it."""
    value = _value(node)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate, written as an escape: "\ud800"
            return Diagnostic(
                "error",
                "this text holds a character no file can store (a lone surrogate)",
                node.span,
                "remove the \\uD800-\\uDFFF escape, or write the whole character",
            )
        return value
    hint = None
    if isinstance(node, Scalar) and value is not None:
        hint = f'write it in quotes to mean the text: "{_short(node.text.strip())}"'
    return expected(node, "text", hint)


def expect_int(node: Node) -> int | Diagnostic:
    """A whole number (not true/false, not 3.0)."""
    value = _value(node)
    if isinstance(value, int) and not isinstance(value, bool):
        return value if abs(value) <= MAX_MAGNITUDE else _too_large(node)
    return expected(node, "a whole number")


def expect_number(node: Node) -> int | float | Diagnostic:
    """A finite number, whole or not (not true/false, not .inf or .nan)."""
    value = _value(node)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, int) and abs(value) > MAX_MAGNITUDE:  # an int past 1.8e308 is no float
            return _too_large(node)
        if math.isfinite(value):
            return value
    return expected(node, "a number")


def _too_large(node: Node) -> Diagnostic:
    return Diagnostic(
        "error",
        f"{describe(node)} is too large: a number is at most {MAX_MAGNITUDE:,} either way",
        node.span,
    )


def expect_bool(node: Node) -> bool | Diagnostic:
    """true or false (YAML 1.1 also reads yes/no/on/off as these)."""
    value = _value(node)
    if isinstance(value, bool):
        return value
    return expected(node, "true or false")


def require(mapping: Mapping, key: str) -> Node | Diagnostic:
    """The value under `key`, or `missing key 'key'` at the mapping."""
    found = mapping.get(key)
    if found is not None:
        return found
    return Diagnostic("error", f"missing key {key!r}", mapping.span)


def _value(node: Node) -> ScalarValue | Node:
    return node.value if isinstance(node, Scalar) else node


def _short(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."
