"""Properties of the engine on random characters of the bundled rulebook.

Random sheets (any faction, its kind or any kind, maybe a member, attributes
in range, a random set of conditions, random Nectar and tracks, abilities)
take random actions (attributes, checks, acts, abilities) with random targets,
arguments and --mod values. For each:

- `odds` and `resolve` refuse, or fail, alike: same error, same message;
- otherwise the odds are exact and sum to exactly 1, and every outcome rolled
  (with random seeds) has a nonzero probability in them;
- the same seed gives the same resolution.
"""

from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rouge_rpg.beings import Character
from rouge_rpg.engine import Action, Being, Resolution, odds, resolve
from rouge_rpg.engine.abilities import may_hold
from rouge_rpg.errors import RougeError
from rouge_rpg.rules import ast, load

RB = load()


def ids(kind: str) -> list[str]:
    return [d.id.text for d in RB.of_kind(kind)]


FACTIONS = [d for d in RB.of_kind("faction") if isinstance(d, ast.Faction)]
KINDS = ids("kind")
MEMBERS = [d for d in RB.of_kind("member") if isinstance(d, ast.Member)]
ATTRIBUTES = ids("attribute")
CONDITIONS = ids("condition")
#: Conditions that block every action: drawn less often, or every roll is refused.
STOPPING = [
    d.id.text
    for d in RB.of_kind("condition")
    if isinstance(d, ast.Condition) and any(b.text == "all" for b in d.blocks)
]
ABILITIES = ids("ability")
ACTS = ids("act")
CHECKS = {d.id.text: d for d in RB.of_kind("check") if isinstance(d, ast.Check)}
TRACKS = {d.id.text: (d.low, d.high) for d in RB.of_kind("track") if isinstance(d, ast.Track)}

assert {"nectar"} == set(ids("resource"))
assert {"harm", "stress", "free_will", "manhunt"} == set(TRACKS)


@st.composite
def beings(draw: st.DrawFn) -> Being:
    faction = draw(st.sampled_from(FACTIONS))
    kind = faction.being.text if faction.being else draw(st.sampled_from(KINDS))
    members = [m.id.text for m in MEMBERS if m.faction.text == faction.id.text]
    member = draw(st.none() | st.sampled_from(members)) if members else None
    attributes = {a: draw(st.integers(1, 5)) for a in ATTRIBUTES}
    usual = [c for c in CONDITIONS if c not in STOPPING]
    conditions = draw(st.frozensets(st.sampled_from(usual), max_size=3))
    if draw(st.integers(0, 9)) == 0:
        conditions |= {draw(st.sampled_from(STOPPING))}
    nectar = draw(st.none() | st.integers(0, 10))
    tracks = {name: draw(st.integers(low, high)) for name, (low, high) in TRACKS.items()}
    every = draw(st.booleans())
    abilities = (
        tuple(ABILITIES)
        if every
        else tuple(draw(st.lists(st.sampled_from(ABILITIES), unique=True, max_size=8)))
    )
    return Being.of(
        Character(
            name=draw(st.sampled_from(["Ada", "Bo", "Cy"])),
            faction=faction.id.text,
            kind=kind,
            member=member,
            attributes=attributes,
            abilities=abilities,
            resources={} if nectar is None else {"nectar": nectar},
            tracks=tracks,
            conditions=conditions,
        )
    )


@st.composite
def arguments(draw: st.DrawFn, action: str) -> dict[str, int | str]:
    """Arguments for a check, or for an attribute's default check; nothing for the rest."""
    values = {
        "stat": st.sampled_from(ATTRIBUTES),
        "defense": st.sampled_from(ATTRIBUTES),
        "dc": st.integers(2, 16),
        "act": st.sampled_from(ACTS),
    }
    if action in CHECKS:
        names = [p.name.text for p in CHECKS[action].params]
    elif action in ATTRIBUTES:
        names = ["dc", "defense"]
    else:
        return {}
    chosen = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    return {name: draw(values[name]) for name in chosen}


@st.composite
def situations(
    draw: st.DrawFn,
) -> tuple[Being, str, Being | None, dict[str, int | str], list[tuple[int, str]]]:
    actor = draw(beings())
    kind = draw(st.sampled_from(["roll", "act", "use", "use"]))
    if kind == "roll":
        action = draw(st.sampled_from([*ATTRIBUTES, *CHECKS]))
    elif kind == "act":
        action = draw(st.sampled_from(ACTS))
    else:
        # mostly an ability the character may have, so that uses get past the refusals
        held = [
            a
            for a in ABILITIES
            if may_hold(RB, RB.require(a, ast.Ability), actor) and a in actor.character.abilities
        ]
        pool = held if held and draw(st.integers(0, 4)) else ABILITIES
        action = draw(st.sampled_from(pool))
    target = draw(beings()) if draw(st.integers(0, 3)) else None
    args = draw(arguments(action))
    mods = [(m, "--mod") for m in draw(st.lists(st.integers(-5, 5), max_size=3))]
    return actor, action, target, args, mods


def attempt(run: object) -> tuple[str, object]:
    """("ok", result), or ("error", (type, message)) for a `RougeError`."""
    try:
        return "ok", run()  # type: ignore[operator]
    except RougeError as error:
        return "error", (type(error).__name__, error.message)


@settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(situations(), st.lists(st.integers(0, 2**32), min_size=1, max_size=4))
def test_odds_and_rolls_agree(
    situation: tuple[Being, str, Being | None, dict[str, int | str], list[tuple[int, str]]],
    seeds: list[int],
) -> None:
    actor, action, target, args, mods = situation
    found = attempt(
        lambda: odds(RB, Action.of(RB, actor, action, target=target, args=args, modifiers=mods))
    )
    for seed in seeds:

        def roll(seed: int = seed) -> Resolution:
            return resolve(
                RB,
                Action.of(RB, actor, action, target=target, args=args, modifiers=mods),
                rng=random.Random(seed),
            )

        rolled = attempt(roll)
        if found[0] == "error" or rolled[0] == "error":
            assert rolled == found  # refused, or failed, alike
            continue
        chances = found[1].outcomes  # type: ignore[attr-defined]
        assert all(isinstance(p, Fraction) for p in chances.values())
        assert sum(chances.values()) == 1
        assert all(0 <= p <= 1 for p in chances.values())
        result = rolled[1]
        assert isinstance(result, Resolution)
        assert chances.get(result.outcome, 0) > 0, (result.outcome, chances)
        allowed = found[1].allowed  # type: ignore[attr-defined]
        if result.action == "free-will":
            assert allowed is not None
            assert result.allowed is not None
            if result.allowed:
                assert allowed > 0
            else:
                assert allowed < 1
        assert roll() == result  # the same seed, the same resolution
