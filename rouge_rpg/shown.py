"""The one `__repr__` of the attrs classes defined with `repr=False`.

attrs writes and compiles a `__repr__` for each class it defines, about a third
of the cost of defining it, paid by every command at start-up. Classes that
are created on every command's path are defined with `repr=False` and inherit
this one, which prints the same text.
"""

from __future__ import annotations

from typing import Any, cast

import attrs


class Shown:
    """Base of attrs classes defined with `repr=False`, holding the one `__repr__` they share.

    attrs would write and compile a `__repr__` for each class (about a third of
    the cost of defining them, paid by every command at start-up); this prints
    the same text.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{field.name}={getattr(self, field.name)!r}"
            for field in attrs.fields(cast(Any, type(self)))
            if field.repr
        )
        return f"{type(self).__name__}({shown})"
