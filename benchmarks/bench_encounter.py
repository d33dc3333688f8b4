"""`rouge encounter next` on a long fight, against `rouge campaign status`, in one run.

A campaign of 20 participants (rouge, naomi and 18 war machines from one
sheet) starts an encounter and plays 100 rounds of it through the library
(2,000 turn events, snapshots included, as the real commands record them).
Then, in fresh processes taken in turn (median of `--runs`), `rouge encounter
next` and `rouge campaign status` are timed on that campaign, with the floor
`python -c "import click, attrs"` beside them.

    .venv/bin/python benchmarks/bench_encounter.py [--runs 7] [--rounds 100]

Target (issue 13): `encounter next` stays as fast as `campaign status`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_table import ROOT, SHEETS, fresh_processes, rouge_command

from rouge_rpg.campaign import encounter, members
from rouge_rpg.campaign.journal import Journal
from rouge_rpg.rules import load
from rouge_rpg.sheets import read_character


def build(folder: Path, rounds: int) -> tuple[Path, float]:
    """The campaign with a 20-participant encounter `rounds` rounds in; seconds it took."""
    rulebook = load()
    for name in ("rouge", "naomi", "usurper_war_machine"):
        shutil.copy(SHEETS / f"{name}.yaml", folder / f"{name}.yaml")
    path = folder / "campaign.rouge.db"
    start = time.perf_counter()
    with Journal.create(path, {"rulebooks": [], "rulebook_title": rulebook.title}) as journal:
        sheets = [read_character(folder / f"{n}.yaml", rulebook) for n in ("rouge", "naomi")]
        members.join(journal, rulebook, sheets)
        machine = read_character(folder / "usurper_war_machine.yaml", rulebook)
        members.join(journal, rulebook, [machine], as_id="wm", count=18)
        encounter.start(journal, rulebook, "Long fight", (), seed=1, check="reflex")
        for _ in range(rounds * 20):
            encounter.next_turn(journal, rulebook)
    return path, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, seconds = build(folder, args.rounds)
        with Journal.open(path) as journal:
            events = journal.count()
        print(f"built {events:,} events in {seconds:.1f} s ({args.rounds} rounds, 20 participants)")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["ROUGE_CACHE_DIR"] = str(folder / "cache")
        env["ROUGE_CAMPAIGN"] = str(path)
        rouge = rouge_command()
        cases = {
            "floor": [sys.executable, "-c", "import click, attrs"],
            "campaign status": [*rouge, "campaign", "status"],
            "encounter next": [*rouge, "encounter", "next"],
        }
        medians, codes = fresh_processes(cases, env, ROOT, args.runs)
        floor = medians["floor"]
        print(f"{'command':<18} {'median ms':>10} {'x floor':>8}")
        for name, median in medians.items():
            print(f"{name:<18} {median * 1000:>10.1f} {median / floor:>7.2f}x")
        ratio = medians["encounter next"] / medians["campaign status"]
        verdict = "met" if ratio <= 1.2 else "missed"
        print(f"encounter next / campaign status: {ratio:.2f}x (target: as fast, {verdict})")
        bad = {name: c for name, c in codes.items() if c != {0}}
        if bad:
            print(f"non-zero exit statuses: {bad}")


if __name__ == "__main__":
    main()
