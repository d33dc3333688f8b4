"""Time loading and checking rulebooks: in a fresh process, and as rulebooks grow.

(a) A fresh process that loads and checks the bundled rulebook, as a GM's
    command does: `python -c "from rouge_rpg.rules import load; load()"` and
    `rouge rules check`, each run N times (min and median), with the compiled
    rulebook cached on disk (warm) and without (cold: XDG_CACHE_HOME is an
    empty folder for each run, so the rules are parsed, checked and cached).
    `rules check` parses for real either way. The package is byte-compiled first and
    PYTHONDONTWRITEBYTECODE is removed from the environment, as for an
    installed tool. Python's own start-up and the imports are timed too, for
    comparison.
(b) Synthetic rulebooks 1x, 10x and 100x the size of the bundled one (in
    definitions), made of copies of tests/data/good/basic with every id
    renamed, one file per copy; `read()` is timed in-process for each, and
    the time per definition shows whether loading grows linearly.

    .venv/bin/python benchmarks/bench_rules.py [--runs 10] [--readme]

With --readme the figures replace the "## Rules" section of
benchmarks/README.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASIC = ROOT / "tests" / "data" / "good" / "basic"
README = ROOT / "benchmarks" / "README.md"
SECTION = "## Rules"

sys.path.insert(0, str(ROOT))

from rouge_rpg import resources  # noqa: E402
from rouge_rpg.rules import read  # noqa: E402
from rouge_rpg.rules.check import check  # noqa: E402

#: The share of `read()` that the checker takes, by synthetic folder.
CHECK_SHARE: dict[str, float] = {}
#: CPU seconds per definition of the largest size with the garbage collector off.
NO_GC: dict[int, float] = {}


def environment(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["XDG_CACHE_HOME"] = str(cache)
    return env


def rouge_command() -> list[str]:
    script = Path(sys.executable).parent / "rouge"
    return [str(script)] if script.exists() else [sys.executable, "-m", "rouge_rpg"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_process(
    command: list[str], runs: int, cache: Callable[[], Path]
) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of `runs` runs of `command`; `cache()` gives each run's cache folder."""
    times = []
    for _ in range(runs):
        env = environment(cache())
        cpu = _children_cpu()
        start = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        times.append((time.perf_counter() - start, _children_cpu() - cpu))
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return times


def fresh_process(
    runs: int, folder: Path | None
) -> list[tuple[str, str, list[tuple[float, float]]]]:
    """(what, cache, times) for each command, warm and cold."""
    where = "" if folder is None else repr(str(folder))
    python = [sys.executable, "-c"]
    # (what, command, whether a cold cache matters: the command reads the compiled rulebook)
    commands = [
        ("`python -c pass` (start-up alone)", [*python, "pass"], False),
        ("`import rouge_rpg.rules`", [*python, "import rouge_rpg.rules"], False),
        (
            "`load()` in a fresh process",
            [*python, f"from rouge_rpg.rules import load; load({where})"],
            True,
        ),
        (
            "`rouge rules check`",
            [*rouge_command(), "rules", "check", *([] if folder is None else [str(folder)])],
            True,
        ),
    ]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "rouge_rpg")],
        check=True,
        env=environment(Path(tempfile.gettempdir())),
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="rouge-bench-") as scratch:
        warm = Path(scratch) / "warm"
        warm.mkdir()
        counter = iter(range(10**9))

        def cold() -> Path:
            path = Path(scratch) / f"cold{next(counter)}"
            path.mkdir()
            return path

        # Fill the warm cache (and the OS's file cache) once before timing.
        time_process(commands[2][1], 1, lambda: warm)
        for what, command, parses in commands:
            rows.append((what, "warm", time_process(command, runs, lambda: warm)))
            if parses:
                rows.append((what, "cold", time_process(command, runs, cold)))
    return rows


# -- synthetic rulebooks --------------------------------------------------------------------


def template() -> tuple[str, list[str], int]:
    """The basic rulebook's definitions as one text, its ids, and how many definitions it has."""
    loaded = read(BASIC)
    assert loaded.rulebook is not None, "tests/data/good/basic does not load"
    text = "".join(
        (BASIC / name).read_text(encoding="utf-8")
        for name in ["core.rouge", "checks.rouge", "world/factions.rouge"]
    )
    ids = sorted(loaded.rulebook.definitions, key=len, reverse=True)
    return text, ids, len(loaded.rulebook.definitions)


def write_synthetic(folder: Path, copies: int) -> int:
    """A valid rulebook of `copies` renamed copies of the basic one; its definition count."""
    text, ids, per_copy = template()
    pattern = re.compile(r"\b(" + "|".join(re.escape(i) for i in ids) + r")\b")
    folder.mkdir(parents=True)
    includes = []
    for n in range(copies):
        renamed = pattern.sub(lambda m, n=n: f"{m.group(1)}_{n}", text)
        if n > 0:  # one default check per rulebook
            renamed = renamed.replace(" default:\n", ":\n")
        name = f"part{n:04d}.rouge"
        (folder / name).write_text(renamed, encoding="utf-8")
        includes.append(f'include "{name}"\n')
    entry = 'rulebook synthetic "Synthetic"\n' + "".join(includes)
    (folder / "rulebook.rouge").write_text(entry, encoding="utf-8")
    return copies * per_copy


def time_read(folder: Path, repeat: int) -> tuple[float, float, int, int]:
    """Best wall and CPU seconds of `read(folder)`, its definitions, its bytes of rules text."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        cpu = time.process_time()
        start = time.perf_counter()
        loaded = read(folder, cached=False)  # parsed for real, as `rules check` does
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        assert loaded.rulebook is not None, [d.render() for d in loaded.errors[:3]]
        del loaded
        gc.collect()
    loaded = read(folder)
    assert loaded.rulebook is not None
    size = sum(len(t.encode()) for t in loaded.sources.values())
    cpu = time.process_time()
    check(loaded.rulebook.definitions)
    CHECK_SHARE[folder.name] = (time.process_time() - cpu) / best_cpu
    return best, best_cpu, len(loaded.rulebook.definitions), size


def repeats(factor: int) -> int:
    """Runs of `read()` at a size: more for the small ones, whose times are short and noisy."""
    return 10 if factor < 10 else 5 if factor < 100 else 3


def scaling(bundled_definitions: int, factors: list[int]) -> list[tuple]:
    _, _, per_copy = template()
    read(BASIC, cached=False)  # build the parser before timing
    rows = []
    with tempfile.TemporaryDirectory(prefix="rouge-synthetic-") as scratch:
        for factor in factors:
            copies = max(1, round(factor * bundled_definitions / per_copy))
            folder = Path(scratch) / f"x{factor}"
            write_synthetic(folder, copies)
            seconds, cpu, definitions, size = time_read(folder, repeats(factor))
            if factor == max(factors):  # the same, without the garbage collector
                gc.disable()
                try:
                    NO_GC[factor] = time_read(folder, repeats(factor))[1] / definitions
                finally:
                    gc.enable()
            rows.append((factor, copies + 1, definitions, size, seconds, cpu))
            shutil.rmtree(folder)
    return rows


# -- report -------------------------------------------------------------------------------


def report(
    process_rows: list[tuple[str, str, list[tuple[float, float]]]],
    scale_rows: list[tuple],
    subject: str,
    definitions: int,
    runs: int,
    fallback: bool,
) -> str:
    out = [SECTION, ""]
    out += [
        "`bench_rules.py` times loading and checking a rulebook (parse every file,",
        "check every definition), in a fresh process and in-process as the rulebook grows:",
        "",
        "```sh",
        ".venv/bin/python benchmarks/bench_rules.py [--runs 10] [--readme]",
        "```",
        "",
        f"**A fresh process**, {subject} ({definitions} definitions), {runs} runs each.",
        "*Warm*: the compiled rulebook is cached under `$XDG_CACHE_HOME/rouge-rpg`",
        "(`~/.cache/rouge-rpg`); *cold*: `XDG_CACHE_HOME` is an empty folder, so the",
        "rules are parsed (by the parser Lark's standalone tool generated), checked and",
        "cached; `rules check` parses for real either way. The package is byte-compiled",
        "first and `PYTHONDONTWRITEBYTECODE` is unset.",
        "",
    ]
    if fallback:
        out += [
            "The bundled rulebook did not load when this was measured, so "
            "tests/data/good/basic stands in for it.",
            "",
        ]
    out += [
        "| what | cache | wall min s | wall median s | CPU min s | CPU median s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for what, cache, times in process_rows:
        cache_word = cache if "load()" in what or "check" in what else "—"
        wall, cpu = [t[0] for t in times], [t[1] for t in times]
        out.append(
            f"| {what} | {cache_word} | {min(wall):.3f} | {statistics.median(wall):.3f} "
            f"| {min(cpu):.3f} | {statistics.median(cpu):.3f} |"
        )
    base = scale_rows[0][5] / scale_rows[0][2]
    out += [
        "",
        "**Growing rulebooks**: copies of tests/data/good/basic, every id renamed, one",
        "file per copy, read and checked in-process (`read(folder, cached=False)`, best of",
        "10 at 1x, 5 at 10x, 3 at 100x), the parser already built:",
        "",
        "| size | files | definitions | rules text | wall s | CPU s | CPU ms per definition "
        "| per definition vs 1x |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for factor, files, defs, size, seconds, cpu in scale_rows:
        per = cpu / defs
        out.append(
            f"| {factor}x | {files} | {defs:,} | {size / 1024:,.0f} KiB | {seconds:.3f} "
            f"| {cpu:.3f} | {per * 1000:.3f} | {per / base:.2f} |"
        )
    first, last = scale_rows[0], scale_rows[-1]
    ratio = (last[5] / last[2]) / (first[5] / first[2])
    share = CHECK_SHARE.get(f"x{last[0]}", 0.0)
    summary = (
        f"From {first[2]:,} to {last[2]:,} definitions the CPU time per definition changes "
        f"by a factor of {ratio:.2f}: loading grows "
        f"{'linearly' if ratio < 1.5 else 'FASTER THAN LINEARLY'} with the rules. Parsing "
        f"(Lark's generated LALR parser and the AST builder) is most of it; the checker takes "
        f"{share:.0%} of `read()` at {last[0]}x."
    )
    if last[0] in NO_GC:
        summary += (
            f" With Python's garbage collector off, {last[0]}x costs "
            f"{NO_GC[last[0]] * 1000:.3f} ms of CPU per definition instead of "
            f"{last[5] / last[2] * 1000:.3f}: the collector walks a larger heap."
        )
    cpu = {(what.split("`")[1], cache): statistics.median(t[1] for t in times)
           for what, cache, times in process_rows}  # fmt: skip
    imports = cpu[("import rouge_rpg.rules", "warm")]
    warm, cold = cpu[("load()", "warm")], cpu[("load()", "cold")]
    notes = (
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}. "
        "The CPU columns (the process's own user and system time) are steadier than wall "
        "time when other jobs share the machine. In medians of CPU time: importing the "
        f"package takes {imports:.2f} s (the attrs classes of the AST, pathlib); "
        f"reading the compiled rulebook adds {warm - imports:.2f} s; with a cold cache, "
        f"parsing and checking the {definitions} definitions and caching them adds "
        f"{cold - warm:.2f} s more, once."
    )
    out += ["", *textwrap.wrap(summary, width=80), "", *textwrap.wrap(notes, width=80), ""]
    return "\n".join(out)


def write_readme(section: str) -> None:
    """Replace (or add) the Rules section of benchmarks/README.md, keeping the others."""
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    README.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="fresh processes per command")
    parser.add_argument("--factors", default="1,10,100", help="synthetic sizes, x bundled")
    parser.add_argument("--readme", action="store_true", help="write benchmarks/README.md")
    args = parser.parse_args()

    folder: Path | None = None
    subject = "the bundled Metallic Rouge rulebook"
    fallback = False
    try:
        loaded = read(resources.bundled_rulebook())
        ok = loaded.rulebook is not None
    except Exception:
        ok = False
    if not ok:
        folder, subject, fallback = BASIC, "tests/data/good/basic", True
        loaded = read(BASIC)
        print("the bundled rulebook does not load; timing tests/data/good/basic instead")
    assert loaded.rulebook is not None
    definitions = len(loaded.rulebook.definitions)

    process_rows = fresh_process(args.runs, folder)
    factors = [int(f) for f in args.factors.split(",")]
    scale_rows = scaling(definitions, factors)
    section = report(process_rows, scale_rows, subject, definitions, args.runs, fallback)
    print(section)
    if args.readme:
        write_readme(section)
        print(f"wrote the {SECTION!r} section of {README.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
