"""Where the grammars and the bundled rulebooks live: in the wheel, or in the source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`grammars` or `rulebooks`: inside the installed package, else beside it."""
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def grammar(name: str) -> Path:
    """The path of `grammars/<name>.lark`."""
    return data_dir("grammars") / f"{name}.lark"


def bundled_rulebook() -> Path:
    """The folder of the bundled Metallic Rouge rulebook."""
    return data_dir("rulebooks") / "metallic_rouge"
