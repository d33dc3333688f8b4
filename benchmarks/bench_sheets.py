"""Validating 1,000 character sheets: `rouge sheet validate` in one process, and in-process.

    .venv/bin/python benchmarks/bench_sheets.py [--count 1000] [--repeat 3]

The sheets are written to a temporary folder: copies of the bundled sheets
(rulebooks/metallic_rouge/sheets/) and `new_sheet` output for every faction
and member, in turn. Timed:

- `rouge sheet validate` over all of them in one invocation (a subprocess:
  start-up, loading the rulebook once, then every sheet);
- in-process `load` + `validate` per sheet, the rulebook already loaded;
- in-process `validate` alone, on sheets already parsed.

Each figure is the best of `--repeat` runs. If the bundled rulebook does not
load, the test rulebook of tests/data/sheets/rulebook is used instead.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rouge_rpg.rules import Rulebook, ast, read  # noqa: E402
from rouge_rpg.sheets import load, validate  # noqa: E402
from rouge_rpg.sheets.new import new_sheet  # noqa: E402

BUNDLED_SHEETS = ROOT / "rulebooks" / "metallic_rouge" / "sheets"
TEST_RULEBOOK = ROOT / "tests" / "data" / "sheets" / "rulebook"


def rulebook() -> tuple[Rulebook, list[str]]:
    """The bundled rulebook (or the test one) and the `--rulebook` options that name it."""
    loaded = read()
    if loaded.rulebook is not None:
        return loaded.rulebook, []
    print(f"the bundled rulebook has {len(loaded.errors)} errors; using {TEST_RULEBOOK}")
    fallback = read(TEST_RULEBOOK)
    assert fallback.rulebook is not None
    return fallback.rulebook, ["--rulebook", str(TEST_RULEBOOK)]


def texts(book: Rulebook, bundled: bool) -> list[str]:
    """Sheet texts to cycle through: the bundled sheets and a new sheet per faction/member."""
    found = [p.read_text(encoding="utf-8") for p in sorted(BUNDLED_SHEETS.glob("*.yaml"))]
    found = found if bundled else []
    for faction in book.of_kind("faction"):
        found.append(new_sheet(book, faction.id.text, "Jill Stingray"))
        for member in book.of_kind("member"):
            if isinstance(member, ast.Member) and member.faction.text == faction.id.text:
                found.append(new_sheet(book, faction.id.text, member.display, member.id.text))
    return found


def best(repeat: int, run: object) -> float:
    assert callable(run)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    book, options = rulebook()
    sources = texts(book, bundled=not options)
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for number in range(args.count):
            path = Path(folder) / f"sheet_{number:04d}.yaml"
            path.write_text(sources[number % len(sources)], encoding="utf-8")
            files.append(str(path))

        def cli() -> None:
            command = [sys.executable, "-m", "rouge_rpg", "sheet", "validate", *files, *options]
            done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
            if done.returncode != 0:
                raise SystemExit(f"rouge sheet validate failed:\n{done.stdout}\n{done.stderr}")

        def load_and_validate() -> None:
            for file in files:
                assert validate(load(file), book).valid

        parsed = [load(file) for file in files]

        def validate_only() -> None:
            for sheet in parsed:
                validate(sheet, book)

        results = [
            ("rouge sheet validate, one process", best(args.repeat, cli)),
            ("in-process load + validate", best(args.repeat, load_and_validate)),
            ("in-process validate (parsed)", best(args.repeat, validate_only)),
        ]
    print(f"{args.count} sheets ({len(sources)} distinct), {book.title}, best of {args.repeat}")
    print(f"{'':36}  {'seconds':>8}  {'sheets/s':>9}  {'ms/sheet':>8}")
    for label, seconds in results:
        print(
            f"{label:36}  {seconds:8.3f}  {args.count / seconds:9.0f}  "
            f"{seconds / args.count * 1000:8.3f}"
        )


if __name__ == "__main__":
    main()
