"""Applying a resolution's changes to a being: clamped to ranges, with thresholds firing.

Pure: it returns the new being and what happened. A trigger (`at 0: gain
shutdown`) fires when a change brings its value onto or past the threshold;
its effects are applied in turn, a bounded number of times.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

import attrs

from rouge_rpg.beings import Being
from rouge_rpg.engine.effects import interpolate
from rouge_rpg.engine.results import Change, Resolution
from rouge_rpg.record import Record
from rouge_rpg.rules import ast
from rouge_rpg.rules.evaluate import Context, number, stat
from rouge_rpg.rules.rulebook import Rulebook

#: Most rounds of triggers that one application may set off.
MAX_TRIGGER_ROUNDS = 16


@attrs.frozen(repr=False, eq=False, slots=False)
class Applied(Record):
    """One change as it landed: the value before and after, or the condition added."""

    name: str
    verb: ast.EffectVerb
    what: str | None
    before: int | None
    after: int | None
    note: str

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "verb": self.verb,
            "what": self.what,
            "before": self.before,
            "after": self.after,
            "note": self.note,
        }


def _bounds(d: ast.AnyDefinition | None) -> tuple[int, int] | None:
    if isinstance(d, ast.Resource):
        return 0, d.maximum
    if isinstance(d, ast.Track):
        return d.low, d.high
    return None


def apply_change(
    rulebook: Rulebook,
    being: Being,
    verb: ast.EffectVerb,
    what: str | None,
    amount: int | None,
) -> tuple[Being, list[Applied], list[ast.Trigger]]:
    """Apply one change; return the new being, what landed, and the triggers it fired."""
    name = being.name
    if verb == "narrate" or what is None:
        return being, [], []
    d = rulebook.get(what)
    if isinstance(d, ast.Condition):
        conditions = set(being.conditions)
        had = what in conditions
        if verb == "gain":
            conditions.add(what)
            note = f"{name} already has {what}" if had else f"{name} gains {what}"
        else:
            conditions.discard(what)
            note = f"{name} loses {what}" if had else f"{name} did not have {what}"
        return (
            attrs.evolve(being, conditions=frozenset(conditions)),
            [Applied(name, verb, what, None, None, note)],
            [],
        )
    bounds = _bounds(d)
    if bounds is None:
        return being, [], []
    low, high = bounds
    before = stat(rulebook, being, what)
    after = moved(verb, before, 1 if amount is None else amount)
    after = max(low, min(high, after))
    if isinstance(d, ast.Resource):
        being = attrs.evolve(being, resources=being.resources.replace(**{what: after}))
    else:
        being = attrs.evolve(being, tracks=being.tracks.replace(**{what: after}))
    label = d.display if d is not None else what
    note = f"{name}: {label} {before} → {after}"
    fired: list[ast.Trigger] = []
    if isinstance(d, ast.Resource | ast.Track) and after != before:
        for trigger in d.triggers:
            if trigger.lasting is not None:
                continue
            if before < trigger.at <= after or after <= trigger.at < before:
                fired.append(trigger)
    return being, [Applied(name, verb, what, before, after, note)], fired


def moved(verb: ast.EffectVerb, before: int, amount: int) -> int:
    """Where a value goes when `verb` moves it by `amount` (before clamping to its range)."""
    match verb:
        case "damage" | "gain" | "advance":
            return before + amount
        case "heal" | "lose" | "reduce":
            return before - amount
        case "set":
            return amount
        case "narrate":
            return before
        case _:
            assert_never(verb)


def apply_changes(
    rulebook: Rulebook, being: Being, changes: Sequence[Change]
) -> tuple[Being, list[Applied]]:
    """Apply changes to one being in order, then the triggers they fire (who is not read)."""
    landed: list[Applied] = []
    pending = list(changes)
    told: list[Applied] = []
    for _ in range(MAX_TRIGGER_ROUNDS):
        fired: list[ast.Trigger] = []
        for change in pending:
            being, done, triggers = apply_change(
                rulebook, being, change.verb, change.what, change.amount
            )
            landed.extend(done)
            fired.extend(triggers)
        landed.extend(told)  # a trigger's lines of story follow the changes it made
        if not fired:
            return being, landed
        pending, told = [], []
        ctx = Context(rulebook, being)
        damage = rulebook.damage_track
        for trigger in fired:
            for effect in trigger.effects:
                if effect.verb == "narrate":
                    line = interpolate(effect.text or "", ctx)
                    told.append(Applied(being.name, "narrate", None, None, None, line))
                    continue
                amount = None if effect.amount is None else number(effect.amount, ctx)
                what = effect.what.text if effect.what else (damage.id.text if damage else None)
                source = f"{trigger.at} on a meter"
                pending.append(
                    Change("actor", being.name, effect.verb, what, amount, source=source)
                )
    return being, landed


def apply_resolution(
    rulebook: Rulebook, actor: Being, target: Being | None, resolution: Resolution
) -> tuple[Being, Being | None, list[Applied]]:
    """Apply a resolution's changes to its actor and target, outside any campaign."""
    landed: list[Applied] = []
    beings: dict[str, Being | None] = {"actor": actor, "target": target}
    for who in ("actor", "target"):
        being = beings[who]
        steps = [e for e in resolution.effects if e.who == who]
        if being is not None and steps:
            beings[who], done = apply_changes(rulebook, being, steps)
            landed.extend(done)
    moved_actor = beings["actor"]
    assert moved_actor is not None
    return moved_actor, beings["target"], landed
