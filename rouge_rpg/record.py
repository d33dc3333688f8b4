"""`Record`: the one `__repr__`, `__eq__` and `__hash__` of the value classes.

attrs writes and compiles these methods for each class it defines, most of the
cost of defining it, paid by every command at start-up (a table command
defines about a hundred classes, and unpickling a rulebook needs its node
classes). The frozen classes on every command's path are defined with
`@attrs.frozen(repr=False, eq=False, slots=False)` and inherit them from `Record`:
the same text, the same equality (the fields compared by attrs, in the same order:
those with `eq=False`, such as spans, are left out) and a hash that agrees with
it. Without `__slots__`, attrs creates each class once instead of twice and
unpickling fills an instance's `__dict__` in C. Mutable classes (`attrs.define`)
inherit only the `__repr__`: attrs still makes them unhashable.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, cast

import attrs


class Record:
    """Base of attrs value classes: the `__repr__`, `__eq__` and `__hash__` they share."""

    __slots__ = ()

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{field.name}={getattr(self, field.name)!r}"
            for field in attrs.fields(cast(Any, type(self)))
            if field.repr
        )
        return f"{type(self).__name__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        compared = _compared(type(self))
        return bool(compared(self) == compared(other))

    def __hash__(self) -> int:
        return hash((type(self), _compared(type(self))(self)))


def _nothing(_: object) -> tuple[()]:
    return ()


#: What `==` and `hash` read of an instance, by class.
_getters: dict[type, Callable[[Any], Any]] = {}


def _compared(cls: type) -> Callable[[Any], Any]:
    """What `==` and `hash` read of an instance of `cls`: its fields but those with eq=False."""
    found = _getters.get(cls)
    if found is None:
        names = [field.name for field in attrs.fields(cls) if field.eq]
        found = _getters[cls] = operator.attrgetter(*names) if names else _nothing
    return found
