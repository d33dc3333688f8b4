"""Each command a GM runs at the table imports only what it uses (issue 14).

Every command runs in a fresh process, with a warm cache and a campaign with an
encounter under way, and reports which of the modules it has no use for it
imported (`sys.modules`). Timings are benchmarks (`benchmarks/bench_table.py`),
never tests: these tests pin the imports that the figures depend on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SHEETS = Path(__file__).resolve().parent.parent / "rulebooks" / "metallic_rouge" / "sheets"

#: Parsers: a warm start reads the compiled rulebook and the checked sheets from the cache.
PARSERS = (
    "lark",
    "rouge_rpg.rules.parse",
    "rouge_rpg.rules._standalone",
    "yaml",
    "rouge_rpg.dice._standalone",
)
#: Modules no table command needs: the table shell's line editor, the language server.
EXTRAS = ("prompt_toolkit", "pygls")
#: What only exact odds, checking a rulebook, writing the cache, or completing need.
UNUSED = (
    "icepool",
    "rouge_rpg.dice.odds",
    "rouge_rpg.rules.check",
    "tempfile",
    "click.shell_completion",
)
#: Exact fractions: odds need them, and so does weighing typed modifiers that roll dice.
FRACTIONS = ("fractions",)
#: Suggestions for a mistyped name ("did you mean"), imported only when something is
#: mistyped. (`campaign log -n 20` is the exception: Click itself asks difflib whether
#: `-n` is a mistyped long option before it takes it as a short one.)
SUGGESTIONS = ("difflib",)
#: Other command groups: a table command defines only its own (shared options live in
#: `cli/active.py`).
GROUPS = ("rouge_rpg.cli.campaign", "rouge_rpg.cli.rules", "rouge_rpg.cli.sheet")
#: The rules and the engine: what reads the journal alone has no use for them.
RULES = ("rouge_rpg.rules.ast", "rouge_rpg.rules.load", "rouge_rpg.engine")

#: command line (without `rouge`) → modules it must not import
TABLE: dict[str, tuple[str, ...]] = {
    "check rouge.yaml reflex --dc 9": (
        *PARSERS,
        *GROUPS,
        *EXTRAS,
        *UNUSED,
        *SUGGESTIONS,
        *FRACTIONS,
        "rouge_rpg.engine.free_will",
        "rouge_rpg.engine.abilities",
    ),
    "free-will noid_262.yaml --act disobey --by ash.yaml": (
        *PARSERS,
        *GROUPS,
        *EXTRAS,
        *UNUSED,
        *SUGGESTIONS,
        *FRACTIONS,
    ),
    "use ash.yaml arrest --target viola.yaml": (
        *PARSERS,
        *GROUPS,
        *EXTRAS,
        *UNUSED,
        *SUGGESTIONS,
        *FRACTIONS,
    ),
    "campaign status": (*PARSERS, *EXTRAS, *UNUSED, *SUGGESTIONS, *FRACTIONS, *RULES),
    "campaign log -n 20": (*PARSERS, *EXTRAS, *UNUSED, *FRACTIONS, *RULES),
    "encounter next": (
        *PARSERS,
        *EXTRAS,
        *UNUSED,
        *SUGGESTIONS,
        *FRACTIONS,
        "rouge_rpg.engine",
        "rouge_rpg.rules.evaluate",
        "rouge_rpg.beings",
    ),
    "roll 1d20": ("lark", "yaml", "icepool", "sqlite3", "click.shell_completion", *EXTRAS, *RULES),
    "odds 2d6+3": ("lark", "yaml", "sqlite3", "click.shell_completion", *EXTRAS, *RULES),
    # It parses for real, with the generated parser: no Lark, no pickled tables.
    "rules check": ("lark", "yaml", "icepool", "sqlite3", "click.shell_completion", *EXTRAS),
}

_SCRIPT = """\
import runpy, sys
sys.argv = ["rouge", *sys.argv[1:]]
try:
    runpy.run_module("rouge_rpg", run_name="__main__")
except SystemExit as stop:
    assert not stop.code, stop.code
print("imported:", sorted(m for m in {names!r} if m in sys.modules))
"""


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A folder with a campaign of four members, an encounter under way, and a warm cache."""
    folder = tmp_path_factory.mktemp("table-imports")
    env = {k: v for k, v in os.environ.items() if k != "ROUGE_NO_CACHE"}
    env |= {
        "ROUGE_CACHE_DIR": str(folder / "cache"),
        "ROUGE_CAMPAIGN": str(folder / "campaign.rouge.db"),
        "PWD": str(folder),
    }
    sheets = [str(SHEETS / f"{name}.yaml") for name in ("rouge", "noid_262", "ash", "viola")]
    for argv in (
        ["campaign", "init"],
        ["campaign", "join", *sheets],
        ["encounter", "start", "Fight", "rouge", "noid_262", "ash", "viola", "--seed", "1"],
    ):
        _rouge(argv, env, folder, ())
    yield env


def _rouge(argv: list[str], env: dict[str, str], cwd: Path, names: tuple[str, ...]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(names=names), *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.parametrize("line", list(TABLE))
def test_a_table_command_imports_only_what_it_uses(campaign: dict[str, str], line: str) -> None:
    argv = [a if not a.endswith(".yaml") else str(SHEETS / a) for a in line.split()]
    folder = Path(campaign["PWD"])
    names = TABLE[line]
    _rouge(argv, campaign, folder, ())  # the first run warms the cache for its sheets
    out = _rouge(argv, campaign, folder, names)
    assert "imported: []" in out, out
