"""The wheel installs into a fresh virtual environment and works from any directory.

Slow (it builds a wheel and installs its dependencies from the package index),
so it is marked `slow`; it still runs by default. Skip it with `-m "not slow"`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rouge_rpg import __version__

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(a wheel of the project, the bin folder of a fresh venv with it installed)."""
    tmp = tmp_path_factory.mktemp("packaging")
    wheels = tmp / "wheels"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), "."], ROOT
    )
    (wheel,) = wheels.glob("rouge_rpg-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)], tmp)
    return wheel, bin_dir


def test_wheel_contents(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "rouge_rpg/grammars/dice.lark" in names
    assert "rouge_rpg/dice/_standalone.py" in names
    assert "rouge_rpg/rules/_standalone.py" in names
    assert "rouge_rpg/cli/__init__.py" in names
    assert not any(name.startswith("tests/") for name in names)


def test_installed_commands_work_from_another_directory(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, bin_dir = installed
    assert _run([str(bin_dir / "rouge"), "roll", "1d20", "--seed", "1"], tmp_path) == (
        "1d20 (5) = 5\n"
    )
    data = json.loads(_run([str(bin_dir / "rouge"), "odds", "2d6", "--json"], tmp_path))
    assert data["expression"] == "2d6"
    assert data["distribution"][5] == {"outcome": 7, "probability": "1/6"}
    version = _run([str(bin_dir / "python"), "-m", "rouge_rpg", "--version"], tmp_path)
    assert version == f"rouge, version {__version__}\n"


def test_installed_package_holds_its_grammar(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, bin_dir = installed
    code = (
        "import rouge_rpg, rouge_rpg.resources as r; "
        "print(rouge_rpg.__file__); print(r.grammar('dice'))"
    )
    package, grammar = _run([str(bin_dir / "python"), "-c", code], tmp_path).splitlines()
    venv = bin_dir.parent
    assert Path(package).is_relative_to(venv), "imported the source tree, not the wheel"
    assert Path(grammar) == Path(package).parent / "grammars" / "dice.lark"
    assert Path(grammar).read_text(encoding="utf-8") == (ROOT / "grammars" / "dice.lark").read_text(
        encoding="utf-8"
    )
