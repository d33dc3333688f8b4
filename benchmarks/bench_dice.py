"""Benchmarks of the dice engine against d20 (rolling) and icepool (exact odds).

    .venv/bin/python benchmarks/bench_dice.py --d20-python /work/d20venv/bin/python

Three measurements, each printed as a table with its ratio and target:

(a) roll throughput in-process: `rouge_rpg.dice.roll(text)` against `d20.roll(text)`,
    d20 running in its own interpreter (it pins an old Lark) through a small
    timing snippet. Both cache the parse of a text; both roll from the `random`
    module's generator. d20 renders its text eagerly, so rouge is also timed with
    `.detail` rendered.
(b) start-up: wall time of `rouge roll 1d20` in a fresh process against the floor
    of the project's start-up target, `python -c "import click, attrs"` (median of
    7 runs; target: at most 2x the floor), with `python -c pass` for scale and,
    given a d20 interpreter, the d20 one-liner `python -c "import d20; d20.roll('1d20')"`.
(c) exact odds: `rouge_rpg.dice.odds.odds(tree)` against icepool called directly
    to build the same distribution (as exact fractions), with rouge's caches
    cleared before every call so that both do all the work every time. Like for
    like: icepool is handed objects already built, and so is rouge (the parsed
    tree). `odds(text)`, which also parses the text every call, is shown beside.

Timings are the best of several rounds, with the contenders interleaved round by
round so that a busy machine slows both alike; start-up also reports medians.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rouge_rpg.dice import roll  # noqa: E402

#: (rouge notation, d20 notation): d20 spells explosions `e10` and groups `( , )`.
ROLL_CASES = [
    ("1d20", "1d20"),
    ("1d20+5", "1d20+5"),
    ("4d6kh3", "4d6kh3"),
    ("2d20kh1+7", "2d20kh1+7"),
    ("8d6", "8d6"),
    ("10d10!", "10d10e10"),
    ("{1d4, 2d6}kh1", "(1d4, 2d6)kh1"),
    ("1d20ro1+3", "1d20ro1+3"),
]
ROLL_TARGET = 2.0  # rouge at least this many times d20's rolls per second
START_TARGET = 2.0  # rouge's start-up (median) at most this many times the floor's
FLOOR = "python -c 'import click, attrs'"
ODDS_TARGET = 1.2  # rouge's odds at most this many times icepool's time

#: Runs in d20's interpreter as a worker: reads `n text` lines, rolls `text` n times,
#: answers the seconds it took; so that d20 and rouge can be timed round by round.
D20_WORKER = textwrap.dedent(
    """
    import sys, time
    import d20

    for line in sys.stdin:
        n, text = line.rstrip("\\n").split(" ", 1)
        d20.roll(text)
        start = time.perf_counter()
        for _ in range(int(n)):
            d20.roll(text)
        print(time.perf_counter() - start, flush=True)
    """
)


class D20Worker:
    """A d20 interpreter that times rolls on request."""

    def __init__(self, python: str) -> None:
        self.process = subprocess.Popen(
            [python, "-c", D20_WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.seconds("1d20", 1)  # wait until d20 is imported, before timing anything

    def seconds(self, text: str, n: int) -> float:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{n} {text}\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def calibrate(seconds: Callable[[int], float], batch: float) -> int:
    """How many calls make a batch of at least `batch` seconds."""
    seconds(1)  # warm caches
    n = 1
    while seconds(n) < batch:
        n *= 2
    return n


def local_seconds(work: Callable[[], object]) -> Callable[[int], float]:
    def seconds(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            work()
        return time.perf_counter() - start

    return seconds


def verdict(met: bool) -> str:
    return "yes" if met else "NO"


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(f"\n{title}")
    print(
        "  ".join(
            h.rjust(w) if i else h.ljust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    for row in rows:
        print(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )


# -- (a) rolls ---------------------------------------------------------------------------


def bench_rolls(d20_python: str | None, batch: float, rounds: int) -> dict[str, Any]:
    worker = D20Worker(d20_python) if d20_python else None
    results: dict[str, Any] = {}
    rows = []
    for text, d20_text in ROLL_CASES:
        contenders: dict[str, Callable[[int], float]] = {
            "rouge": local_seconds(lambda text=text: roll(text)),  # type: ignore[misc]
            "rouge_detail": local_seconds(lambda text=text: roll(text).detail),  # type: ignore[misc]
        }
        if worker:
            contenders["d20"] = lambda n, d20_text=d20_text: worker.seconds(d20_text, n)  # type: ignore[misc]
        sizes = {name: calibrate(seconds, batch) for name, seconds in contenders.items()}
        best = dict.fromkeys(contenders, float("inf"))
        for _ in range(rounds):  # interleaved: one batch of each per round
            for name, seconds in contenders.items():
                best[name] = min(best[name], seconds(sizes[name]) / sizes[name])
        rate = {name: 1 / t for name, t in best.items()}
        results[text] = {**rate, "d20_text": d20_text}
        bare, shown, theirs = rate["rouge"], rate["rouge_detail"], rate.get("d20")
        if theirs:
            rows.append(
                [
                    text,
                    f"{bare:,.0f}",
                    f"{shown:,.0f}",
                    f"{theirs:,.0f}",
                    f"{bare / theirs:.1f}x",
                    f"{shown / theirs:.1f}x",
                    verdict(bare / theirs >= ROLL_TARGET),
                ]
            )
        else:
            rows.append([text, f"{bare:,.0f}", f"{shown:,.0f}", "-", "-", "-", "-"])
    if worker:
        worker.close()
    table(
        f"(a) rolls per second, in-process (target: rouge >= {ROLL_TARGET:g}x d20)",
        ["expression", "rouge/s", "+detail/s", "d20/s", "ratio", "+detail", "target"],
        rows,
    )
    return results


# -- (b) start-up ----------------------------------------------------------------------


def bench_startup(d20_python: str | None, runs: int) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    package = Path(importlib.import_module("rouge_rpg").__file__ or "").parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True, env=env)
    bin_dir = Path(sys.executable).parent
    commands: dict[str, list[str]] = {
        "rouge roll 1d20": [str(bin_dir / "rouge"), "roll", "1d20"],
        "python -c pass": [sys.executable, "-c", "pass"],
        FLOOR: [sys.executable, "-c", "import click, attrs"],
    }
    if d20_python:
        commands["d20 one-liner"] = [d20_python, "-c", "import d20; d20.roll('1d20')"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(2):  # warm the file cache
        for command in commands.values():
            subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    results = {
        name: {"min": min(t), "median": statistics.median(t), "runs": len(t)}
        for name, t in times.items()
    }
    floor = results[FLOOR]
    rows = []
    for name, r in results.items():
        row = [name, f"{r['min'] * 1000:.1f}", f"{r['median'] * 1000:.1f}"]
        row.append(f"{r['median'] / floor['median']:.2f}x")
        if "d20 one-liner" in results:
            d20 = results["d20 one-liner"]
            row += [f"{r['min'] / d20['min']:.2f}x", f"{r['median'] / d20['median']:.2f}x"]
        rows.append(row)
    header = ["command", "min ms", "median ms", "median vs floor"]
    rouge = results["rouge roll 1d20"]
    results["ratio_floor_median"] = rouge["median"] / floor["median"]
    results["ratio_floor_min"] = rouge["min"] / floor["min"]
    if "d20 one-liner" in results:
        header += ["min vs d20", "median vs d20"]
        d20 = results["d20 one-liner"]
        results["ratio_min"] = rouge["min"] / d20["min"]
        results["ratio_median"] = rouge["median"] / d20["median"]
    table(
        f"(b) start-up, {runs} fresh processes each, interleaved (target: rouge <= "
        f"{START_TARGET:g}x the floor, {FLOOR}, by the medians)",
        header,
        rows,
    )
    print(
        "    PYTHONDONTWRITEBYTECODE is removed from the children's environment and the "
        "package is\n    precompiled (compileall), so .pyc files are used, as after a pip install."
    )
    met = results["ratio_floor_median"] <= START_TARGET
    print(
        f"    rouge / floor: {results['ratio_floor_median']:.2f}x (median), "
        f"{results['ratio_floor_min']:.2f}x (min); target met: {verdict(met)}"
    )
    if "ratio_min" in results:
        print(
            f"    rouge / d20: {results['ratio_min']:.2f}x (min), {results['ratio_median']:.2f}x "
            "(median)"
        )
    return results


# -- (c) odds ------------------------------------------------------------------------------


def icepool_cases() -> dict[str, Callable[[], Any]]:
    """Each expression written as idiomatic icepool, on its cached standard dice."""
    import icepool

    d = icepool.d
    return {
        "4d6kh3": lambda: d(6).pool(4).highest(3).sum(),
        "2d6+3": lambda: 2 @ d(6) + 3,
        "1d20ro1": lambda: d(20).reroll([1], depth=1),
        "8d6": lambda: 8 @ d(6),
        "{1d20+4,1d12+6}kh1": lambda: icepool.highest(d(20) + 4, d(12) + 6),
        "2d6+3>=10": lambda: 2 @ d(6) + 3 >= 10,
        "3d6!o": lambda: 3 @ d(6).explode(depth=1),
    }


def bench_odds(batch: float, rounds: int) -> dict[str, Any]:
    odds_module = importlib.import_module("rouge_rpg.dice.odds")
    parse_module = importlib.import_module("rouge_rpg.dice.parse")

    def clear() -> None:
        odds_module._odds.cache_clear()
        odds_module.distribution.cache_clear()

    def rouge(text: str) -> Any:
        clear()
        parse_module.parse.cache_clear()
        return odds_module.odds(text)

    def rouge_tree(tree: Any) -> Any:
        clear()
        return odds_module.odds(tree)

    def direct(build: Callable[[], Any]) -> dict[Any, Fraction]:
        die = build()
        return dict(zip(die.outcomes(), die.probabilities(), strict=True))

    results: dict[str, Any] = {}
    rows = []
    for text, build in icepool_cases().items():
        same = {int(o): p for o, p in direct(build).items() if p}
        assert rouge(text).distribution == same, f"{text}: rouge and icepool disagree"
        tree = parse_module.parse(text)
        contenders = {
            "rouge": local_seconds(lambda tree=tree: rouge_tree(tree)),  # type: ignore[misc]
            "icepool": local_seconds(lambda build=build: direct(build)),  # type: ignore[misc]
            "rouge_text": local_seconds(lambda text=text: rouge(text)),  # type: ignore[misc]
        }
        sizes = {name: calibrate(seconds, batch) for name, seconds in contenders.items()}
        best = dict.fromkeys(contenders, float("inf"))
        for _ in range(rounds):  # interleaved: one batch of each per round
            for name, seconds in contenders.items():
                best[name] = min(best[name], seconds(sizes[name]) / sizes[name])
        results[text] = best
        mine, theirs, mine_text = best["rouge"], best["icepool"], best["rouge_text"]
        rows.append(
            [
                text,
                f"{mine * 1e6:,.0f}",
                f"{theirs * 1e6:,.0f}",
                f"{mine / theirs:.2f}x",
                verdict(mine / theirs <= ODDS_TARGET),
                f"{mine_text * 1e6:,.0f}",
                f"{mine_text / theirs:.2f}x",
            ]
        )
    table(
        f"(c) exact odds, microseconds per call, caches cleared (target: rouge <= "
        f"{ODDS_TARGET:g}x icepool)",
        ["expression", "rouge us", "icepool us", "ratio", "target", "text us", "text ratio"],
        rows,
    )
    print("    'rouge' starts from the parsed tree; 'text' parses the text every call as well.")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--d20-python", help="an interpreter that can `import d20`")
    parser.add_argument("--runs", type=int, default=7, help="start-up runs per command")
    parser.add_argument("--rounds", type=int, default=7, help="timing rounds (best is kept)")
    parser.add_argument("--batch", type=float, default=0.05, help="seconds per timing batch")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--only", choices=["rolls", "startup", "odds"], action="append")
    args = parser.parse_args()
    only = set(args.only or ["rolls", "startup", "odds"])
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"d20 interpreter: {args.d20_python or 'none (d20 comparisons skipped)'}"
    )
    figures: dict[str, Any] = {}
    if "rolls" in only:
        figures["rolls"] = bench_rolls(args.d20_python, args.batch, args.rounds)
    if "startup" in only:
        figures["startup"] = bench_startup(args.d20_python, args.runs)
    if "odds" in only:
        figures["odds"] = bench_odds(args.batch, args.rounds)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
