"""The YAML tree of a sheet: frozen values that keep where each key and value was written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeAlias

import attrs

from rouge_rpg.diagnostics import Span

#: What a scalar holds once resolved like pyyaml's safe loader (dates stay text).
ScalarValue: TypeAlias = str | int | float | bool | None
#: Plain Python data, as `yaml.safe_load` would give it.
Plain: TypeAlias = "ScalarValue | list[Plain] | dict[ScalarValue, Plain]"

#: The tags of the YAML core schema, short names as YAML writes them (`!!int`).
YAML_TAG_PREFIX = "tag:yaml.org,2002:"
STR_TAG = YAML_TAG_PREFIX + "str"


def short_tag(tag: str) -> str:
    """`tag:yaml.org,2002:int` → `!!int`; other tags unchanged."""
    if tag.startswith(YAML_TAG_PREFIX):
        return "!!" + tag[len(YAML_TAG_PREFIX) :]
    return tag


@attrs.frozen
class Node:
    """Base of the tree: every node has the span of its source text."""

    span: Span

    def to_python(self) -> Plain:
        """Plain Python data: dicts, lists, str, int, float, bool, None."""
        raise NotImplementedError


@attrs.frozen
class Scalar(Node):
    """One value: `value` resolved like the safe loader, `text` as written, `tag` resolved."""

    value: ScalarValue
    text: str
    tag: str = STR_TAG

    def to_python(self) -> Plain:
        return self.value

    @property
    def is_null(self) -> bool:
        return self.value is None


@attrs.frozen
class Sequence(Node):
    """A YAML list."""

    items: tuple[Node, ...]

    def to_python(self) -> Plain:
        return [item.to_python() for item in self.items]

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Node:
        return self.items[index]


@attrs.frozen
class Mapping(Node):
    """A YAML mapping: its entries in source order, keys unique (by Python equality).

    Iterating gives the keys (as `Scalar`s); `get`, `key_span` and `in` take plain keys.
    """

    entries: tuple[tuple[Scalar, Node], ...]
    _index: dict[ScalarValue, int] = attrs.field(init=False, factory=dict, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        for position, (key, _) in enumerate(self.entries):
            self._index.setdefault(key.value, position)

    def get(self, key: ScalarValue) -> Node | None:
        """The value under `key`, or None when the key is absent."""
        position = self._index.get(key)
        return None if position is None else self.entries[position][1]

    def key_node(self, key: ScalarValue) -> Scalar | None:
        """The key itself, with its span and text, or None when absent."""
        position = self._index.get(key)
        return None if position is None else self.entries[position][0]

    def key_span(self, key: ScalarValue) -> Span | None:
        """Where `key` is written, or None when absent."""
        found = self.key_node(key)
        return None if found is None else found.span

    def keys(self) -> tuple[Scalar, ...]:
        return tuple(key for key, _ in self.entries)

    def values(self) -> tuple[Node, ...]:
        return tuple(value for _, value in self.entries)

    def items(self) -> tuple[tuple[Scalar, Node], ...]:
        return self.entries

    def to_python(self) -> Plain:
        return {key.value: value.to_python() for key, value in self.entries}

    def __iter__(self) -> Iterator[Scalar]:
        return (key for key, _ in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, key: object) -> bool:
        try:
            return key in self._index
        except TypeError:  # unhashable
            return False


@attrs.frozen
class Document:
    """One parsed sheet file: its name, its text (for carets) and its top-level mapping."""

    file: str
    source: str
    root: Mapping

    def to_python(self) -> Plain:
        return self.root.to_python()
