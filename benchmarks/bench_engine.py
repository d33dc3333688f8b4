"""Time the resolution engine: in-process resolutions, a fresh `rouge check`, and exact odds.

(a) Resolutions per second in-process, with the bundled rulebook and sheets,
    for a plain check (Rouge, Reflex against 9), an opposed check (Rouge's
    Mind against Ash's), a free-will check (Noid 262 disobeys Ash) and a power
    (Giallon's thunderbolt on Rouge). Each is warmed up, then timed REPEAT
    times over COUNT resolutions with one seeded generator: best and median.
    The target is 50,000 plain checks a second (median of the repeats).
(b) `rouge check rulebooks/metallic_rouge/sheets/rouge.yaml reflex --dc 9
    --seed 1 --no-campaign` in a fresh process, RUNS times (min and median of
    wall and CPU time), against `python -c pass` and `rouge roll 1d20 --seed 1`
    in the same run, taken in turn so that they share the machine's load
    alike. The package is byte-compiled first (compileall) and
    PYTHONDONTWRITEBYTECODE is removed from the environment, as for an
    installed tool; each command runs once untimed first, so that the Lark
    parser tables are cached on disk.
(c) The exact odds of each of the four: a call on the same characters (the
    prepared check is cached) and on fresh copies of them (prepared again).

    .venv/bin/python benchmarks/bench_engine.py [--count 20000] [--repeat 7] [--runs 15]
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHEETS = ROOT / "rulebooks" / "metallic_rouge" / "sheets"
TARGET = 50_000

sys.path.insert(0, str(ROOT))

import rouge_rpg  # noqa: E402
from rouge_rpg.engine import Action, Being, odds, resolve  # noqa: E402
from rouge_rpg.rules import Rulebook, load  # noqa: E402
from rouge_rpg.sheets import read_character  # noqa: E402

#: name → (actor, action, target, arguments)
CASES: dict[str, tuple[str, str, str | None, dict[str, int | str] | None]] = {
    "plain check (rouge reflex --dc 9)": ("rouge", "reflex", None, {"dc": 9}),
    "opposed check (rouge mind --vs ash:mind)": ("rouge", "mind", "ash", {"defense": "mind"}),
    "free-will check (noid_262 disobey --by ash)": ("noid_262", "disobey", "ash", None),
    "power (giallon thunderbolt --target rouge)": ("giallon", "thunderbolt", "rouge", None),
}


def being(rulebook: Rulebook, name: str) -> Being:
    return Being.of(read_character(SHEETS / f"{name}.yaml", rulebook))


# -- (a) resolutions per second ---------------------------------------------------------------


def rates(
    rulebook: Rulebook,
    case: tuple[str, str, str | None, dict[str, int | str] | None],
    count: int,
    repeat: int,
) -> list[float]:
    """Resolutions per second, one figure per repeat."""
    actor_name, action, target_name, args = case
    actor = being(rulebook, actor_name)
    target = being(rulebook, target_name) if target_name else None
    rng = random.Random(1)
    for _ in range(1000):  # warm up: the prepared check, the caches
        resolve(rulebook, Action.of(rulebook, actor, action, target=target, args=args), rng=rng)
    found = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(count):
            resolve(rulebook, Action.of(rulebook, actor, action, target=target, args=args), rng=rng)
        found.append(count / (time.perf_counter() - start))
    return found


# -- (b) a fresh process ------------------------------------------------------------------------


def rouge_command() -> list[str]:
    script = Path(sys.executable).parent / "rouge"
    return [str(script)] if script.exists() else [sys.executable, "-m", "rouge_rpg"]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("ROUGE_CAMPAIGN", None)
    return env


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `command`, from the project folder."""
    cpu = children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=environment(), capture_output=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()}")
    return wall, children_cpu() - cpu


def fresh_processes(runs: int) -> dict[str, list[tuple[float, float]]]:
    compileall.compile_dir(Path(rouge_rpg.__file__).parent, quiet=1)
    rouge = rouge_command()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "rouge roll 1d20 --seed 1": [*rouge, "roll", "1d20", "--seed", "1"],
        "rouge check rouge.yaml reflex --dc 9 --seed 1 --no-campaign": [
            *rouge,
            "check",
            "rulebooks/metallic_rouge/sheets/rouge.yaml",
            "reflex",
            "--dc",
            "9",
            "--seed",
            "1",
            "--no-campaign",
        ],
    }
    for command in commands.values():
        run_once(command)  # untimed: caches on disk
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(run_once(command))
    return times


# -- (c) exact odds -----------------------------------------------------------------------------


def time_calls(call: Callable[[], object], calls: int) -> list[float]:
    found = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        found.append(time.perf_counter() - start)
    return found


def odds_times(
    rulebook: Rulebook, case: tuple[str, str, str | None, dict[str, int | str] | None], calls: int
) -> tuple[list[float], list[float]]:
    """Seconds per `odds` call: on the same characters, and on fresh copies of them."""
    actor_name, action, target_name, args = case
    actor = being(rulebook, actor_name)
    target = being(rulebook, target_name) if target_name else None
    odds(rulebook, Action.of(rulebook, actor, action, target=target, args=args))
    same = time_calls(
        lambda: odds(rulebook, Action.of(rulebook, actor, action, target=target, args=args)), calls
    )

    def fresh() -> object:
        copy = Being.of(actor.character)
        other = Being.of(target.character) if target is not None else None
        return odds(rulebook, Action.of(rulebook, copy, action, target=other, args=args))

    return same, time_calls(fresh, calls)


# -- report -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20_000, help="resolutions per repeat")
    parser.add_argument("--repeat", type=int, default=7, help="repeats of each count")
    parser.add_argument("--runs", type=int, default=15, help="fresh processes of each command")
    parser.add_argument("--calls", type=int, default=50, help="odds calls of each kind")
    options = parser.parse_args()

    rulebook = load()
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}; "
        f"the bundled rulebook ({len(rulebook.definitions)} definitions)"
    )

    print(f"\n(a) resolutions per second in-process, {options.repeat} x {options.count:,}")
    print("| what | median /s | best /s | µs each (median) |\n|---|---:|---:|---:|")
    plain_median = 0.0
    for name, case in CASES.items():
        found = rates(rulebook, case, options.count, options.repeat)
        median = statistics.median(found)
        plain_median = plain_median or median
        print(f"| {name} | {median:,.0f} | {max(found):,.0f} | {1e6 / median:.1f} |")
    met = "met" if plain_median >= TARGET else "NOT met"
    print(f"target {TARGET:,} plain checks/s (median): {met} ({plain_median:,.0f}/s)")

    print(f"\n(b) a fresh process, {options.runs} runs each (byte-compiled, caches warm)")
    times = fresh_processes(options.runs)
    print(
        "| command | wall min s | wall median s | CPU min s | CPU median s |\n"
        "|---|---:|---:|---:|---:|"
    )
    summary: dict[str, tuple[float, float, float, float]] = {}
    for name, pairs in times.items():
        walls, cpus = [w for w, _ in pairs], [c for _, c in pairs]
        summary[name] = (min(walls), statistics.median(walls), min(cpus), statistics.median(cpus))
        row = " | ".join(f"{v:.3f}" for v in summary[name])
        print(f"| `{name}` | {row} |")
    check = summary[list(times)[2]]
    for other in list(times)[:2]:
        base = summary[other]
        print(
            f"rouge check / {other}: wall min {check[0] / base[0]:.1f}x, "
            f"wall median {check[1] / base[1]:.1f}x, CPU median {check[3] / base[3]:.1f}x"
        )

    print(f"\n(c) exact odds, {options.calls} calls each")
    print(
        "| what | outcomes | same characters median ms | fresh characters median ms |\n"
        "|---|---:|---:|---:|"
    )
    for name, case in CASES.items():
        same, fresh = odds_times(rulebook, case, options.calls)
        actor_name, action, target_name, args = case
        target = being(rulebook, target_name) if target_name else None
        outcomes = len(
            odds(
                rulebook,
                Action.of(rulebook, being(rulebook, actor_name), action, target=target, args=args),
            ).outcomes
        )
        print(
            f"| {name} | {outcomes} | {statistics.median(same) * 1e3:.2f} | "
            f"{statistics.median(fresh) * 1e3:.2f} |"
        )


if __name__ == "__main__":
    main()
