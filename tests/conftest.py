"""Set-up shared by the tests.

The run gets a private cache folder: before any test module is imported,
`ROUGE_CACHE_DIR` and `XDG_CACHE_HOME` point into a fresh temporary folder, so
neither the tests nor the commands they start (in this process, or as
subprocesses, which inherit the environment) write to the real `~/.cache`. The
folder is removed at the end of the run.

Fixtures:

- `cache_dir` (session): that private cache folder.
- `bundled_rulebook` (session): the bundled Metallic Rouge rulebook, loaded once.
- `bundled_sheet` (session): `name` → the path of a bundled sheet (`rouge` → `rouge.yaml`).
- `bundled_character` (session): `name` → that bundled sheet read as a `Character`.
- `sqlite_integrity` (session): `path` → SQLite's `PRAGMA integrity_check` as text ("ok").
- `runner`: the `click.testing.CliRunner` of the test.
- `rouge`: `rouge(*args, env=None)` → the `Result` of `rouge ARGS...`, run in-process by `runner`
  (named `rouge` in usage messages, as the installed command is).
- `at_root`: runs the test in the repository root (paths in messages are shown from there).
- `isolated`: runs the test in its own empty folder with no `ROUGE_CAMPAIGN`; gives the folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parent.parent
#: The variables that name the cache folder; both are set for the whole run.
CACHE_VARIABLES = ("ROUGE_CACHE_DIR", "XDG_CACHE_HOME")
#: The GM's own settings, which the tests must not see: a campaign of theirs, or no cache.
AMBIENT_VARIABLES = ("ROUGE_CAMPAIGN", "ROUGE_NO_CACHE", "_ROUGE_COMPLETE")

_cache: Path | None = None
_saved: dict[str, str | None] = {}


def pytest_configure(config: pytest.Config) -> None:
    global _cache
    if _cache is not None:
        return
    _cache = Path(tempfile.mkdtemp(prefix="rouge-tests-cache-"))
    for name in CACHE_VARIABLES:
        _saved[name] = os.environ.get(name)
        os.environ[name] = str(_cache)
    for name in AMBIENT_VARIABLES:
        _saved[name] = os.environ.pop(name, None)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _cache
    if _cache is None:
        return
    for name, value in _saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    shutil.rmtree(_cache, ignore_errors=True)
    _cache = None


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    assert _cache is not None
    return _cache


# -- the bundled rulebook and its sheets ----------------------------------------------------


@pytest.fixture(scope="session")
def bundled_rulebook() -> Any:
    """The bundled rulebook; a failure that lists its errors if it does not load."""
    from rouge_rpg.rules import read

    loaded = read()
    if loaded.rulebook is None:
        rendered = "\n".join(
            d.render(loaded.sources.get(d.span.file or "") if d.span else None)
            for d in loaded.errors
        )
        pytest.fail(f"the bundled rulebook does not load:\n{rendered}", pytrace=False)
    return loaded.rulebook


@pytest.fixture(scope="session")
def bundled_sheet() -> Callable[[str], Path]:
    from rouge_rpg import resources

    sheets = resources.bundled_rulebook() / "sheets"

    def path(name: str) -> Path:
        found = sheets / f"{name}.yaml"
        assert found.is_file(), f"no bundled sheet {name}"
        return found

    return path


@pytest.fixture(scope="session")
def bundled_character(bundled_rulebook: Any, bundled_sheet: Callable[[str], Path]) -> Any:
    from rouge_rpg.sheets import read_character

    def character(name: str) -> Any:
        return read_character(bundled_sheet(name), bundled_rulebook)

    return character


@pytest.fixture(scope="session")
def sqlite_integrity() -> Callable[[Path], str]:
    def integrity(path: Path) -> str:
        db = sqlite3.connect(path)
        try:
            return "; ".join(str(r[0]) for r in db.execute("PRAGMA integrity_check"))
        finally:
            db.close()

    return integrity


# -- the command line, in this process ------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def rouge(runner: CliRunner) -> Callable[..., Result]:
    from rouge_rpg.cli import cli

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(cli, list(args), env=env, prog_name="rouge")

    return invoke


# -- where a test runs ----------------------------------------------------------------------


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("ROUGE_CAMPAIGN", raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


# -- the campaign table: a folder with sheets, `rouge` run there ----------------------------

from rouge_rpg.campaign.actions import Request, run  # noqa: E402
from rouge_rpg.campaign.journal import Journal  # noqa: E402
from rouge_rpg.campaign.members import find as member  # noqa: E402
from rouge_rpg.rules import Rulebook  # noqa: E402
from rouge_rpg.sheets import read_character  # noqa: E402

#: The sheets copied into each table's folder.
USED = ("rouge", "nean_worker", "noid_262", "ash", "wellstown_officer")
DB = "campaign.rouge.db"
DAY = 24 * 60
SHEETS = Path(__file__).resolve().parent.parent / "rulebooks" / "metallic_rouge" / "sheets"


@attrs.frozen
class Table:
    """The folder a test plays in, and `rouge` run there with the shared runner."""

    path: Path
    rouge: Callable[..., Result]
    rulebook: Rulebook

    def ok(self, *args: str, env: dict[str, str] | None = None) -> Result:
        result = self.rouge(*args, env=env)
        assert result.exit_code == 0, (args, result.output, result.exception)
        return result

    def start(self, *sheets: str) -> None:
        self.ok("campaign", "init")
        if sheets:
            self.ok("campaign", "join", *(f"{s}.yaml" for s in sheets))

    def status(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.ok("campaign", "status", "--json").stdout)
        return data

    def who(self, name: str) -> dict[str, Any]:
        """One character of `status --json`."""
        found = [c for c in self.status()["characters"] if c["id"] == name]
        assert len(found) == 1
        return found[0]

    def events(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = json.loads(self.ok("campaign", "log", "--json").stdout)
        return data

    def seed_for(
        self,
        kind: str,
        name: str,
        actor: str,
        outcome: str,
        target: str | None = None,
        args: dict[str, Any] | None = None,
    ) -> int:
        """A seed that gives `outcome` for this request, against the campaign's current state."""
        rulebook = self.rulebook
        with Journal.open(Path(DB)) as journal:
            state = journal.state()
        actor_sheet = read_character(Path(f"{actor}.yaml"), rulebook)
        actor_being = member(state, actor).being(actor_sheet)
        target_being = None
        if target is not None:
            target_sheet = read_character(Path(f"{target}.yaml"), rulebook)
            target_being = member(state, target).being(target_sheet)
        for seed in range(2000):
            request = Request(kind, name, actor, target, args or {}, (), seed)
            if run(rulebook, request, actor_being, target_being).outcome == outcome:
                return seed
        raise AssertionError(f"no seed gives {outcome}")


@pytest.fixture
def table(
    isolated: Path,
    rouge: Callable[..., Result],
    bundled_rulebook: Rulebook,
    sqlite_integrity: Callable[[Path], str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Table]:
    """A fresh folder with the sheets; afterwards: sheets untouched, campaign files intact."""
    here = isolated / "table"
    here.mkdir()
    monkeypatch.chdir(here)
    for name in USED:
        shutil.copy(SHEETS / f"{name}.yaml", here / f"{name}.yaml")
    stamps = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in here.glob("*.yaml")}
    yield Table(here, rouge, bundled_rulebook)
    after = {n: ((here / n).read_bytes(), (here / n).stat().st_mtime_ns) for n in stamps}
    assert after == stamps, "a sheet file was written"
    for path in here.rglob("*.db"):
        assert sqlite_integrity(path) == "ok", path


def lines(*text: str) -> str:
    return "".join(t + "\n" for t in text)
