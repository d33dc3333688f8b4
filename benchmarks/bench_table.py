"""Speed at the table: each command a GM runs, in a fresh process, against the floor.

The floor is `python -c "import click, attrs"`, our dependencies' own start-up,
measured in the same run. Each command runs in a fresh process (median of
`--runs`, 7 by default, the commands taken in turn so that a busy moment of
the machine falls on all of them alike) on the bundled rulebook and a
25-member campaign made in a temporary folder with `rouge campaign init` and
`rouge campaign join`, with a warm cache (its own, in the temporary folder).
`encounter next` runs on a copy of that campaign with all 25 members in an
encounter. Then `campaign log -n 20` on a 100,000-event campaign, and each
command inside the table shell (`rouge table`), where the rulebook and journal
stay loaded.

    .venv/bin/python benchmarks/bench_table.py [--runs 7] [--big 100000] [--shell-runs 50]
        [--before OTHER/.venv/bin/rouge]

`--before` also times another installed `rouge` (say, a checkout of `main` with
its own venv) in the same run, taken in turn with the others, on the same
campaigns and cache folder: a before/after table measured side by side.

The package is byte-compiled first (compileall) and PYTHONDONTWRITEBYTECODE
is removed from the children's environment, so .pyc files are used, as after
a pip install.

Targets (issue 14): every table command at most 2x the floor, `rules check`
at most 3x, and at most 5 ms inside the shell.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import io
import os
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHEETS = ROOT / "rulebooks" / "metallic_rouge" / "sheets"

#: (label, command line without `rouge`, target ratio to the floor)
COMMANDS: list[tuple[str, str, float]] = [
    ("check", "check {s}/rouge.yaml reflex --dc 9", 2.0),
    ("free-will", "free-will {s}/noid_262.yaml --act disobey --by {s}/ash.yaml", 2.0),
    ("use", "use {s}/ash.yaml arrest --target {s}/viola.yaml", 2.0),
    ("campaign status", "campaign status", 2.0),
    ("campaign log -n 20", "campaign log -n 20", 2.0),
    ("roll 1d20", "roll 1d20 --seed 4", 2.0),
    ("odds 2d6+3", "odds 2d6+3", 2.0),
    ("encounter next", "encounter next --campaign {e}", 2.0),
    ("rules check", "rules check", 3.0),
]


def rouge_command() -> list[str]:
    """The installed `rouge` next to this Python, else `python -m rouge_rpg`."""
    script = Path(sys.executable).parent / "rouge"
    return [str(script)] if script.exists() else [sys.executable, "-m", "rouge_rpg"]


def run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - start, done.returncode


def fresh_processes(
    cases: dict[str, list[str]], env: dict[str, str], cwd: Path, runs: int
) -> tuple[dict[str, float], dict[str, set[int]]]:
    """The median wall time of each case, in fresh processes taken in turn."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    codes: dict[str, set[int]] = {name: set() for name in cases}
    for argv in cases.values():  # warm: the cache, the OS's file cache, .pyc files
        run(argv, env, cwd)
    for _ in range(runs):
        for name, argv in cases.items():
            seconds, code = run(argv, env, cwd)
            samples[name].append(seconds)
            codes[name].add(code)
    return {name: statistics.median(s) for name, s in samples.items()}, codes


def build_big(path: Path, size: int) -> float:
    """Grow the campaign at `path` to `size` events: copies of its latest resolution.

    Written straight into the events table, in one transaction (only `log` reads this
    campaign, and it never folds the state).
    """
    start = time.perf_counter()
    db = sqlite3.connect(path)
    try:
        row = db.execute(
            "SELECT time, recorded, kind, character, payload FROM events "
            "WHERE kind = 'resolution' ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        count = int(db.execute("SELECT COUNT(*) FROM events").fetchone()[0])
        with db:
            db.executemany(
                "INSERT INTO events (time, recorded, kind, character, payload) "
                "VALUES (?, ?, ?, ?, ?)",
                (row for _ in range(size - count)),
            )
    finally:
        db.close()
    return time.perf_counter() - start


def in_shell(lines: dict[str, str], campaign: Path, runs: int) -> dict[str, float]:
    """Median milliseconds of each command line run inside one table shell session."""
    from rouge_rpg.cli.shell import Table

    table = Table(campaign=str(campaign))
    found: dict[str, float] = {}
    try:
        for name, line in lines.items():
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                table.run(line)  # warm
                samples = []
                for _ in range(runs):
                    start = time.perf_counter()
                    table.run(line)
                    samples.append(time.perf_counter() - start)
            found[name] = statistics.median(samples) * 1000
    finally:
        table.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--big", type=int, default=100_000, help="events; 0 to skip")
    parser.add_argument("--shell-runs", type=int, default=50)
    parser.add_argument("--before", help="another `rouge` script to time beside this one")
    options = parser.parse_args()

    rouge = rouge_command()
    with tempfile.TemporaryDirectory(prefix="rouge-bench-table-") as temporary:
        folder = Path(temporary)
        campaign = folder / "campaign.rouge.db"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("ROUGE_NO_CACHE", "PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE")
        }
        import rouge_rpg

        compileall.compile_dir(Path(rouge_rpg.__file__).parent, quiet=1)
        env["ROUGE_CACHE_DIR"] = str(folder / "cache")
        env["ROUGE_CAMPAIGN"] = str(campaign)
        os.environ.update(
            {"ROUGE_CACHE_DIR": env["ROUGE_CACHE_DIR"], "ROUGE_CAMPAIGN": str(campaign)}
        )
        os.environ.pop("ROUGE_NO_CACHE", None)
        subprocess.run(
            [*rouge, "campaign", "init", str(campaign)],
            env=env,
            cwd=folder,
            check=True,
            capture_output=True,
        )
        sheets = sorted(str(p) for p in SHEETS.glob("*.yaml"))
        subprocess.run(
            [*rouge, "campaign", "join", *sheets],
            env=env,
            cwd=folder,
            check=True,
            capture_output=True,
        )
        members = len(sheets)
        fight = folder / "encounter.rouge.db"
        shutil.copy(campaign, fight)
        ids = [Path(p).stem for p in sheets]
        subprocess.run(
            [*rouge, "encounter", "start", "Fight", *ids, "--seed", "1", "--campaign", str(fight)],
            env=env,
            cwd=folder,
            check=True,
            capture_output=True,
        )

        lines = {name: line.format(s=SHEETS, e=fight) for name, line, _ in COMMANDS}
        cases = {"floor": [sys.executable, "-c", "import click, attrs"]}
        cases |= {name: [*rouge, *shlex.split(line)] for name, line in lines.items()}
        if options.before:
            before = [options.before]
            cases |= {f"before {n}": [*before, *shlex.split(x)] for n, x in lines.items()}
        medians, codes = fresh_processes(cases, env, folder, options.runs)
        floor = medians["floor"]

        big_median = None
        if options.big:
            big = folder / "big.rouge.db"
            shutil.copy(campaign, big)
            built = build_big(big, options.big)
            argv = [*rouge, "campaign", "log", "-n", "20", "--campaign", str(big)]
            big_cases = {"floor": cases["floor"], "big log": argv}
            if options.before:
                big_cases["before big log"] = [options.before, *argv[len(rouge) :]]
            big_medians, big_codes = fresh_processes(big_cases, env, folder, options.runs)
            big_median = (big_medians, built, big_codes)

        # A GM runs the shell on the campaign at hand: the fight's for `encounter next`.
        shell = in_shell(
            {n: lines[n] for n, _, _ in COMMANDS if n != "encounter next"},
            campaign,
            options.shell_runs,
        )
        shell |= in_shell({"encounter next": "encounter next"}, fight, options.shell_runs)
        unrecorded = in_shell(
            {n: lines[n] + " --no-campaign" for n in ("check", "free-will", "use")},
            campaign,
            options.shell_runs,
        )

    version = sys.version.split()[0]
    print(f"Python {version}, {os.cpu_count()} CPUs, median of {options.runs} fresh processes")
    print(f"campaign: {members} members; rulebook: bundled; cache: warm\n")
    then = "| before ms (ratio) " if options.before else ""
    print(f"| command {then}| fresh process ms | floor ms | ratio | target | in the shell ms |")
    print("|---" + ("|---:" if options.before else "") + "|---:|---:|---:|---:|---:|")
    ms = f"{floor * 1000:.0f}"
    blank = "| " if options.before else ""
    print(f'| `python -c "import click, attrs"` (the floor) {blank}| {ms} | {ms} | 1.00x | | |')
    for name, _, target in COMMANDS:
        ratio = medians[name] / floor
        flag = "" if ratio <= target else " (over)"
        bad = sorted(codes[name] - {0} | codes.get(f"before {name}", set()) - {0})
        note = f" exit {bad}" if bad else ""
        shown = lines[name].replace(str(SHEETS) + "/", "").replace(f" --campaign {fight}", "")
        earlier = ""
        if options.before:
            old = medians[f"before {name}"]
            earlier = f"| {old * 1000:.0f} ({old / floor:.2f}x) "
        print(
            f"| `rouge {shown}`{note} {earlier}| {medians[name] * 1000:.0f} "
            f"| {floor * 1000:.0f} | {ratio:.2f}x{flag} | {target:.0f}x | {shell[name]:.2f} |"
        )
    if big_median is not None:
        big_medians, built, big_codes = big_median
        seconds, big_floor = big_medians["big log"], big_medians["floor"]
        bad = sorted(set().union(*big_codes.values()) - {0})
        note = f" exit {bad}" if bad else ""
        earlier = ""
        if options.before:
            old = big_medians["before big log"]
            earlier = f"| {old * 1000:.0f} ({old / big_floor:.2f}x) "
        print(
            f"| `rouge campaign log -n 20`, {options.big:,} events{note} {earlier}"
            f"| {seconds * 1000:.0f} | {big_floor * 1000:.0f} | {seconds / big_floor:.2f}x | 2x | |"
        )
        print(f"\n(the {options.big:,}-event campaign took {built:.1f} s to build)")

    print(
        "\nin the shell with --no-campaign (nothing recorded, so no journal commit and fsync): "
        + ", ".join(f"{n} {ms:.2f} ms" for n, ms in unrecorded.items())
    )


if __name__ == "__main__":
    main()
