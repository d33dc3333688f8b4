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
from rouge_rpg.engine import (
    Action,
    Applied,
    Being,
    CheckOdds,
    Resolution,
    action_kind,
    apply_resolution,
    odds,
    resolve,
)
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
        kind = action_kind(rulebook, beat.action)
        action = Action(kind, beat.action, actor, target, beat.args)
        chances = odds(rulebook, action)
        result = resolve(rulebook, action, rng=rng)
        moved, moved_target, landed = apply_resolution(rulebook, actor, target, result)
        beings[beat.actor] = moved
        if beat.target is not None and moved_target is not None:
            beings[beat.target] = moved_target
        yield Played(beat, chances, result, tuple(landed))
