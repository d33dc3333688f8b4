"""`rouge demo`: a short scene on the bundled rulebook and sheets.

It shows a newcomer a check, a free-will check against the Asimov Code and an
Immortal Nine power, each with its exact odds and then its roll. State carries
from one beat to the next, as it would at the table.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import attrs

from rouge_rpg import resources
from rouge_rpg.engine import Being, CheckOdds, Resolution, apply_changes, odds, resolve
from rouge_rpg.engine.apply import Applied
from rouge_rpg.rules import load
from rouge_rpg.rules.rulebook import Rulebook
from rouge_rpg.sheets import read_character


@attrs.frozen
class Beat:
    """One moment of the scene: who acts, how, and the line that sets it up."""

    setup: str
    actor: str
    action: str
    target: str | None = None
    args: tuple[tuple[str, int | str], ...] = ()
    command: str = ""


SCENE = (
    Beat(
        "Night in Wellstown. Rouge Redstar slips past a police checkpoint.",
        "rouge",
        "reflex",
        args=(("dc", 9),),
        command="rouge check rouge.yaml reflex --dc 9",
    ),
    Beat(
        "Investigator Ash orders his partner Noid 262 to stand down. Noid wants to follow her.",
        "noid_262",
        "disobey",
        target="ash",
        command="rouge free-will noid_262.yaml --act disobey --by ash.yaml",
    ),
    Beat(
        "Giallon, armored, steps out of the cathedral's shadow and calls down the lightning.",
        "giallon",
        "thunderbolt",
        target="rouge",
        command="rouge use giallon.yaml thunderbolt --target rouge.yaml",
    ),
)


@attrs.frozen
class Played:
    """A beat with its odds, its resolution, and what it changed."""

    beat: Beat
    odds: CheckOdds
    resolution: Resolution
    applied: tuple[Applied, ...]


def play(seed: int, rulebook: Rulebook | None = None) -> Iterator[Played]:
    """Play the scene with one seed; the same seed plays it the same way."""
    rulebook = rulebook or load()
    folder = resources.bundled_rulebook() / "sheets"
    beings: dict[str, Being] = {}

    def being(name: str) -> Being:
        if name not in beings:
            beings[name] = Being.of(read_character(folder / f"{name}.yaml", rulebook))
        return beings[name]

    rng = random.Random(seed)
    for beat in SCENE:
        actor = being(beat.actor)
        target = being(beat.target) if beat.target else None
        args = dict(beat.args)
        chances = odds(rulebook, actor, beat.action, target=target, args=args)
        result = resolve(rulebook, actor, beat.action, target=target, args=args, rng=rng)
        landed: list[Applied] = []
        for who, name in (("actor", beat.actor), ("target", beat.target)):
            changes = [(e.verb, e.what, e.amount) for e in result.effects if e.who == who]
            if name is not None and changes:
                beings[name], done = apply_changes(rulebook, beings[name], changes)
                landed.extend(done)
        yield Played(beat, chances, result, tuple(landed))
