"""Campaign journal benchmarks: append throughput, and `status` as the journal grows.

    .venv/bin/python benchmarks/bench_campaign.py [--sizes 1000,10000,100000] [--appends 300]

1. Appends through the library, one transaction per event as every command
   does (`actions.feed`, `actions.advance`), with `synchronous = FULL` (the
   journal's setting: an fsync per commit), and, to show what the fsync costs,
   the same with NORMAL and OFF on throwaway files.
2. Journals of 1,000, 10,000 and 100,000 events, built quickly by appending
   through `Journal.append` in large transactions (a realistic mix:
   resolutions with their full inputs, feeds, hourly advances with decay), then
   `status` timed in-process (`Journal.open(...).state()`, and the whole
   command through Click) and as a fresh process (`rouge campaign status`).
   The state is the latest snapshot plus at most SNAPSHOT_EVERY events, so the
   time should not grow with the journal.

Prints Markdown tables. Nothing outside a temporary folder is written.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from rouge_rpg.campaign import actions, members  # noqa: E402
from rouge_rpg.campaign.actions import Request  # noqa: E402
from rouge_rpg.campaign.journal import SNAPSHOT_EVERY, Journal  # noqa: E402
from rouge_rpg.cli import cli  # noqa: E402
from rouge_rpg.rules import load  # noqa: E402
from rouge_rpg.sheets import read_character  # noqa: E402

SHEETS = ROOT / "rulebooks" / "metallic_rouge" / "sheets"
CAST = ("rouge", "nean_worker", "noid_262", "ash")
ROUGE = Path(sys.executable).with_name("rouge")


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def new_campaign(path: Path, rulebook: Any) -> None:
    sheets = [read_character(SHEETS / f"{n}.yaml", rulebook) for n in CAST]
    with Journal.create(path, {"rulebooks": [], "rulebook_title": rulebook.title}) as journal:
        members.join(journal, rulebook, sheets)


# -- 1. append throughput --------------------------------------------------------------------------


def fsync_cost(folder: Path, count: int = 200) -> float:
    """Seconds per write+fsync of a small block, on this disk."""
    path = folder / "fsync.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        start = time.perf_counter()
        for i in range(count):
            os.pwrite(fd, b"x" * 4096, (i % 8) * 4096)
            os.fsync(fd)
        return (time.perf_counter() - start) / count
    finally:
        os.close(fd)
        path.unlink()


def append_rate(folder: Path, rulebook: Any, synchronous: str, count: int) -> float:
    """Events per second, one `feed`/`advance` command's transaction per event."""
    path = folder / f"append-{synchronous.lower()}.db"
    new_campaign(path, rulebook)
    with Journal.open(path) as journal:
        journal.db.execute(f"PRAGMA synchronous = {synchronous}")
        start = time.perf_counter()
        for i in range(count):
            if i % 2:
                actions.feed(journal, rulebook, "rouge", 1, "nectar")
            else:
                actions.advance(journal, rulebook, 60)
        elapsed = time.perf_counter() - start
    path.unlink()
    return count / elapsed


# -- 2. big journals -------------------------------------------------------------------------------


def templates(folder: Path, rulebook: Any) -> dict[str, dict[str, Any]]:
    """Real payloads of each kind, recorded by the real commands, to copy in bulk."""
    path = folder / "templates.db"
    new_campaign(path, rulebook)
    with Journal.open(path) as journal:
        request = Request("check", "action", "rouge", None, {"stat": "reflex"}, (), 7)
        actions.play(journal, rulebook, request)
        actions.feed(journal, rulebook, "nean_worker", 1, "nectar")
        actions.advance(journal, rulebook, 60)
        found = {e.kind: dict(e.payload) for e in journal.events()}
    path.unlink()
    return found


def build(path: Path, rulebook: Any, size: int, chunk: int = 5000) -> float:
    """Grow the journal at `path` (made if missing) to `size` events through `Journal.append`,
    `chunk` events per transaction."""
    shapes = templates(path.parent, rulebook)
    if not path.exists():
        new_campaign(path, rulebook)
    start = time.perf_counter()
    with Journal.open(path) as journal:
        state = journal.state()
        done = journal.count()
        while done < size:
            with journal.transaction():
                for _ in range(min(chunk, size - done)):
                    kind, payload, who = _next(state, shapes, done)
                    journal.append(
                        state, kind, state.time + payload.get("minutes", 0), payload, who
                    )
                    done += 1
    return time.perf_counter() - start


def _next(
    state: Any, shapes: dict[str, dict[str, Any]], n: int
) -> tuple[str, dict[str, Any], str | None]:
    """The n-th event of a long campaign: a roll, a feed or an hour passing, in turn."""
    step = n % 3
    if step == 0:  # a resolution: Rouge's reflex action, with its stress moving
        payload = copy.deepcopy(shapes["resolution"])
        stress = state.characters["rouge"].tracks["stress"]
        after = 1 if stress >= 5 else stress + 1
        payload["applied"] = [
            {
                "character": "rouge",
                "table": "tracks",
                "what": "stress",
                "before": stress,
                "after": after,
            }
        ]
        payload["request"]["seed"] = n
        return "resolution", payload, "rouge"
    if step == 1:  # a feed: the Nean worker takes a dose
        payload = copy.deepcopy(shapes["feed"])
        nectar = state.characters["nean_worker"].resources["nectar"]
        payload["applied"] = [
            {
                "character": "nean_worker",
                "table": "resources",
                "what": "nectar",
                "before": nectar,
                "after": min(10, nectar + 1),
            }
        ]
        return "feed", payload, "nean_worker"
    payload = copy.deepcopy(shapes["time"])  # an hour passes; at midnight, a day's decay
    payload["from"] = state.time
    payload["minutes"] = 60
    applied = []
    if (state.time + 60) // 1440 > state.time // 1440:
        for cid, who in state.characters.items():
            if who.resources.get("nectar"):
                value = who.resources["nectar"]
                applied.append(
                    {
                        "character": cid,
                        "table": "resources",
                        "what": "nectar",
                        "before": value,
                        "after": value - 1,
                    }
                )
    payload["applied"] = applied
    return "time", payload, None


def status_times(path: Path, repeat: int, fresh: int) -> dict[str, float]:
    def library() -> None:
        with Journal.open(path) as journal:
            journal.state()

    runner = CliRunner()

    def command() -> None:
        result = runner.invoke(cli, ["campaign", "status", "--campaign", str(path)])
        assert result.exit_code == 0, result.output

    def process() -> None:
        subprocess.run(
            [str(ROUGE), "campaign", "status", "--campaign", str(path)],
            check=True,
            capture_output=True,
        )

    library()  # warm the page cache and the imports
    command()
    lib = timed(library, repeat)
    cmd = timed(command, repeat)
    proc = timed(process, fresh)
    with Journal.open(path) as journal:
        last = journal.db.execute("SELECT COALESCE(MAX(seq), 0) FROM snapshots").fetchone()[0]
        folded = journal.count() - last  # events after the latest snapshot
    return {
        "library": median_ms(lib),
        "library_max": max(lib) * 1000,
        "command": median_ms(cmd),
        "process": median_ms(proc),
        "folded": folded,
    }


def other_times(path: Path) -> dict[str, float]:
    """Commands that read the whole journal, once each, for the record (undo on a copy)."""
    copy_path = path.with_name("copy-" + path.name)
    shutil.copy(path, copy_path)
    with Journal.open(copy_path) as journal:
        start = time.perf_counter()
        actions.undo(journal)
        undo = time.perf_counter() - start
        start = time.perf_counter()
        journal.integrity()
        verify = time.perf_counter() - start
        start = time.perf_counter()
        journal.events()
        log = time.perf_counter() - start
    copy_path.unlink()
    return {"undo": undo * 1000, "verify": verify * 1000, "log": log * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--appends", type=int, default=300, help="events per append run")
    parser.add_argument("--repeat", type=int, default=30, help="in-process status runs per size")
    parser.add_argument("--fresh", type=int, default=7, help="fresh-process status runs per size")
    parser.add_argument("--dir", default=None, help="where the journals go (default: a temp dir)")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    rulebook = load()
    folder = Path(tempfile.mkdtemp(prefix="rouge-bench-", dir=options.dir))
    try:
        print(
            f"Python {sys.version.split()[0]}, SQLite {__import__('sqlite3').sqlite_version}, "
            f"{os.cpu_count()} cores, SNAPSHOT_EVERY {SNAPSHOT_EVERY}, journals in {folder}"
        )
        print()
        per_fsync = fsync_cost(folder)
        print(f"write+fsync of 4 KiB on this disk: {per_fsync * 1000:.2f} ms")
        print()
        print("| synchronous | events/s (one transaction per event) | ms per event |")
        print("|---|---:|---:|")
        for mode in ("FULL", "NORMAL", "OFF"):
            rate = append_rate(folder, rulebook, mode, options.appends)
            label = f"{mode} (the journal's)" if mode == "FULL" else mode
            print(f"| {label} | {rate:,.0f} | {1000 / rate:.2f} |")
        print()
        base = timed(
            lambda: subprocess.run([str(ROUGE), "--version"], check=True, capture_output=True),
            options.fresh,
        )
        print(f"fresh process baseline, `rouge --version`: {median_ms(base):.0f} ms")
        print()
        print(
            "| events | file | build (more) | events folded "
            "| status in-process: open+state (median / max) "
            "| whole command in-process | fresh process | undo | verify | log (all events) |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for size in sizes:
            path = folder / f"journal-{size}.db"
            # at a snapshot, then with the most events a snapshot can leave to fold
            for count in (size, size + SNAPSHOT_EVERY - 1):
                built = build(path, rulebook, count)
                found = status_times(path, options.repeat, options.fresh)
                other = other_times(path)
                mib = path.stat().st_size / 2**20
                print(
                    f"| {count:,} | {mib:,.1f} MiB | {built:.1f} s | {found['folded']:.0f} "
                    f"| {found['library']:.1f} / {found['library_max']:.1f} ms "
                    f"| {found['command']:.1f} ms | {found['process']:.0f} ms "
                    f"| {other['undo']:.0f} ms | {other['verify']:.0f} ms "
                    f"| {other['log']:.0f} ms |",
                    flush=True,
                )
            path.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
