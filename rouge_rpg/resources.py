"""Where the grammars and the bundled rulebooks live: in the wheel, or in the source tree."""

from __future__ import annotations

import os
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


def bundled_rulebooks() -> list[str]:
    """The names of the rulebooks bundled with rouge-rpg (`metallic_rouge`, `pbta`...)."""
    found = data_dir("rulebooks")
    return sorted(p.name for p in found.iterdir() if (p / "rulebook.rouge").is_file())


def rulebook_folder(given: str | os.PathLike[str]) -> Path:
    """The folder `--rulebook` names: a path, or, when no such path exists, the name of a
    bundled rulebook (`--rulebook pbta` from an installed wheel)."""
    path = Path(given)
    if not path.exists() and len(path.parts) == 1:
        bundled = data_dir("rulebooks") / path.name
        if (bundled / "rulebook.rouge").is_file():
            return bundled
    return path
