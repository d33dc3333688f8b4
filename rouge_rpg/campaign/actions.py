"""What the GM's commands do to a campaign: join, play, advance time, feed, undo.

Each function runs inside one journal transaction, reads the current state,
computes the change with the engine (pure), and appends one event recording
both the request and the state it changed.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping, Sequence
from contextlib import closing
from typing import Any

import attrs

from rouge_rpg.beings import Character
from rouge_rpg.campaign.encounter import lasting
from rouge_rpg.campaign.events import KINDS
from rouge_rpg.campaign.gametime import format_duration, format_time, unit_minutes
from rouge_rpg.campaign.journal import CampaignError, Event, Journal
from rouge_rpg.campaign.members import find, present
from rouge_rpg.campaign.state import (
    CampaignState,
    CharacterState,
    apply_entries,
    character_to_json,
)
from rouge_rpg.engine import (
    Action,
    ActionKind,
    Being,
    Change,
    Resolution,
    apply_changes,
    resolve,
)
from rouge_rpg.errors import RougeError
from rouge_rpg.record import Record
from rouge_rpg.rules import ast
from rouge_rpg.rules.evaluate import Context, number
from rouge_rpg.rules.rulebook import Rulebook

#: Largest seed drawn for a resolution recorded without one.
SEED_BITS = 48


@attrs.frozen(repr=False, eq=False, slots=False)
class Request(Record):
    """What was asked of the engine: enough to run it again.

    One command against several targets, or a group rolling one check, is
    several requests with one seed: `part` numbers them (each part rolls with
    the seed and its number), and only the first `pays` an ability's costs.
    """

    kind: ActionKind
    name: str
    actor: str
    target: str | None = None
    args: Mapping[str, Any] = attrs.field(factory=dict)
    mods: tuple[int, ...] = ()
    seed: int = 0
    defense: str | None = None
    part: int = 0
    pays: bool = True
    #: Pushes made on the roll: each push's name and its seed (see `push`).
    pushes: tuple[tuple[str, int], ...] = ()

    def rng(self) -> random.Random:
        """The generator this request rolls with."""
        return random.Random(self.seed if not self.part else f"{self.seed}:{self.part}")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "name": self.name,
            "actor": self.actor,
            "target": self.target,
            "args": dict(self.args),
            "mods": list(self.mods),
            "seed": self.seed,
        }
        if self.defense is not None:
            data["defense"] = self.defense
        if self.part:
            data["part"] = self.part
        if not self.pays:
            data["pays"] = False
        if self.pushes:
            data["pushes"] = [[name, seed] for name, seed in self.pushes]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Request:
        return cls(
            data["kind"],
            data["name"],
            data["actor"],
            data.get("target"),
            dict(data.get("args", {})),
            tuple(data.get("mods", ())),
            int(data["seed"]),
            data.get("defense"),
            int(data.get("part", 0)),
            bool(data.get("pays", True)),
            tuple((str(name), int(seed)) for name, seed in data.get("pushes", ())),
        )


def new_seed() -> int:
    """A fresh seed for a roll the GM did not seed, recorded so it can be replayed."""
    return random.SystemRandom().getrandbits(SEED_BITS)


def push_seed(seed: int, index: int) -> int:
    """The seed of the `index`th push made with a roll of `seed` (`check --push`)."""
    return random.Random(f"{seed}:push:{index}").getrandbits(SEED_BITS)


def action_of(request: Request, actor: Being, target: Being | None) -> Action:
    """The engine's action for a request, with these beings."""
    mods = tuple((m, "--mod") for m in request.mods)
    return Action(
        request.kind,
        request.name,
        actor,
        target,
        request.args,
        mods,
        request.defense,
        request.pays,
        request.pushes,
    )


def run(rulebook: Rulebook, request: Request, actor: Being, target: Being | None) -> Resolution:
    """Resolve a request with the engine, rolling with its seed."""
    return resolve(rulebook, action_of(request, actor, target), rng=request.rng())


def _table(rulebook: Rulebook, what: str) -> str:
    d = rulebook.get(what)
    if isinstance(d, ast.Condition):
        return "conditions"
    if isinstance(d, ast.Resource):
        return "resources"
    return "tracks"


def _lasts(rulebook: Rulebook, what: str) -> ast.Duration | None:
    """How long a condition lasts by its definition (`lasts 1 day`), if it says."""
    d = rulebook.get(what)
    if isinstance(d, ast.Condition):
        return d.lasts
    return None


def _expiry(duration: ast.Duration | None, now: int) -> int | None:
    """When a condition gained now for `duration` runs out, in game minutes.

    Rounds and scenes have no length in game time: they end at the next advance.
    """
    if duration is None:
        return None
    size = unit_minutes(duration.unit)
    return now + duration.amount * size if size else now + 1


def apply_to(
    state: CampaignState,
    rulebook: Rulebook,
    who: CharacterState,
    changes: Sequence[Change],
    now: int,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Apply (verb, what, amount, duration) changes to one character: entries and notes.

    A condition gained without a duration of its own lasts as long as its
    definition says (`lasts 1 day`), triggers' conditions included.
    """
    being = who.being()
    durations = {c.what: c.duration for c in changes if c.verb == "gain" and c.duration}
    _, landed = apply_changes(rulebook, being, changes)
    entries: list[dict[str, Any]] = []
    notes: list[str] = []
    for a in landed:
        if a.what is None:  # a trigger's line of story
            notes.append(a.note)
            continue
        table = _table(rulebook, a.what)
        if table == "conditions":
            had = a.what in who.conditions
            added = a.verb == "gain"
            duration = durations.get(a.what) or _lasts(rulebook, a.what)
            if added == had and not (added and duration):
                notes.append(a.note)
                continue
            # in an encounter, rounds and scenes are counted by the encounter's clock
            fight = lasting(state, who, a.what, duration) if added and duration else None
            entries.append(
                {
                    "character": who.id,
                    "table": "conditions",
                    "what": a.what,
                    "added": added,
                    "expires": None if fight else _expiry(duration, now) if added else None,
                    "previous": who.conditions.get(a.what, None) if had else None,
                    "had": had,
                }
            )
            if fight is not None:
                entries.append(
                    {
                        "character": None,
                        "table": "encounter",
                        "what": "encounter",
                        "before": copy.deepcopy(state.encounter),
                        "after": fight,
                    }
                )
                state.encounter = fight  # the next change of this event builds on it
        else:
            entries.append(
                {
                    "character": who.id,
                    "table": table,
                    "what": a.what,
                    "before": a.before,
                    "after": a.after,
                }
            )
        notes.append(a.note)
    return entries, notes


def play(
    journal: Journal,
    rulebook: Rulebook,
    request: Request,
    *,
    seeded: bool = False,
    again: bool = False,
    secret: bool = False,
) -> tuple[Resolution, list[str]]:
    """Resolve a request against the campaign's state, record it, and apply its effects.

    The members are read as the campaign knows them (their sheets as they
    joined or were last synced). A request the GM seeded by hand that is
    already recorded with the same seed is refused unless `again` says to
    record it once more: a copied command line does not roll the same dice twice.
    """
    return play_all(journal, rulebook, [request], seeded=seeded, again=again, secret=secret)[0]


def play_all(
    journal: Journal,
    rulebook: Rulebook,
    requests: Sequence[Request],
    *,
    seeded: bool = False,
    again: bool = False,
    secret: bool = False,
) -> list[tuple[Resolution, list[str]]]:
    """`play` for the parts of one command (several targets, a group), in one transaction.

    Each part is its own event and sees what the parts before it changed.
    """
    with journal.transaction():
        state = journal.state()
        return [
            _play(journal, state, rulebook, r, seeded=seeded, again=again, secret=secret)
            for r in requests
        ]


def _play(
    journal: Journal,
    state: CampaignState,
    rulebook: Rulebook,
    request: Request,
    *,
    seeded: bool,
    again: bool,
    secret: bool,
) -> tuple[Resolution, list[str]]:
    """One part of a command: resolved, recorded and applied (see `play`)."""
    actor_state = present(state, request.actor)
    if request.target:
        present(state, request.target)
    if seeded and not again:
        earlier = _same_request(journal, request)
        if earlier is not None:
            raise CampaignError(
                f"this roll, with seed {request.seed}, is already recorded as event #{earlier}",
                hint="add --again to record it once more, or leave out --seed",
            )
    result, entries, notes, inputs = _resolve_in(state, rulebook, request)
    payload = _payload(rulebook, request, inputs, result, entries, notes)
    if secret:
        payload["secret"] = True
    journal.append(state, "resolution", state.time, payload, character=actor_state.id)
    return result, notes


def _payload(
    rulebook: Rulebook,
    request: Request,
    inputs: dict[str, Any],
    result: Resolution,
    applied: list[dict[str, Any]],
    notes: list[str],
) -> dict[str, Any]:
    """A resolution event's payload: what was asked, of whom, what came of it and changed."""
    return {
        "request": request.to_json(),
        "inputs": inputs,
        "rulebook": rulebook.content_hash,
        "result": _result_json(result),
        "applied": applied,
        "notes": notes,
        "summary": summary(result),
    }


def _resolve_in(
    state: CampaignState, rulebook: Rulebook, request: Request
) -> tuple[Resolution, list[dict[str, Any]], list[str], dict[str, Any]]:
    """A request resolved against the campaign's state, its effects applied to `state`.

    Gives the resolution, the journal entries of its effects, their notes, and the
    inputs to record (the members as they were).
    """
    actor_state = present(state, request.actor)
    target_state = present(state, request.target) if request.target else None
    actor = actor_state.character()
    target = target_state.character() if target_state else None
    actor_being = actor_state.being(actor)
    target_being = target_state.being(target) if target_state and target else None
    inputs = {
        "actor": _snapshot(actor, actor_state),
        "target": _snapshot(target, target_state) if target and target_state else None,
    }
    result = run(rulebook, request, actor_being, target_being)
    per_character: dict[str, list[Change]] = {}
    for change in result.effects:
        if change.verb == "narrate":
            continue
        owner = actor_state if change.who == "actor" else target_state
        if owner is None:
            continue
        per_character.setdefault(owner.id, []).append(change)
    entries: list[dict[str, Any]] = []
    notes: list[str] = []
    for cid, changes in per_character.items():
        more, said = apply_to(state, rulebook, state.characters[cid], changes, state.time)
        entries.extend(more)
        notes.extend(said)
    return result, entries, notes, inputs


def _same_request(journal: Journal, request: Request) -> int | None:
    """The number of an earlier resolution of exactly this request, seed included."""
    wanted = request.to_json()
    for event in journal.resolutions_with_seed(request.seed):
        if event.payload.get("request") == wanted:
            return event.seq
    return None


def _snapshot(character: Character, who: CharacterState) -> dict[str, Any]:
    return {
        "id": who.id,
        "sheet": character_to_json(character),
        "resources": dict(who.resources),
        "tracks": dict(who.tracks),
        "conditions": sorted(who.conditions),
    }


def _result_json(result: Resolution) -> dict[str, Any]:
    return {
        "outcome": result.outcome,
        "allowed": result.allowed,
        "total": result.total,
        "dice": result.roll_detail,
        "vs": result.vs_detail,
        "effects": [e.describe() for e in result.effects],
        "narrative": result.narrative,
    }


def summary(result: Resolution) -> str:
    """One line for the log: who did what, and how it went."""
    target = f" vs {result.target}" if result.target else ""
    total = f" ({result.total})" if result.total is not None else ""
    return f"{result.actor}: {result.title}{target} → {result.outcome}{total}"


def advance(journal: Journal, rulebook: Rulebook, minutes: int) -> tuple[int, list[str]]:
    """Game time passes: resources decay, lasting thresholds fire, conditions run out."""
    with journal.transaction():
        state = journal.state()
        start, end = state.time, state.time + minutes
        entries: list[dict[str, Any]] = []
        notes: list[str] = []
        for who in state.characters.values():
            if not who.active or who.benched:
                continue
            more, said = _pass_time(state, rulebook, who, start, end)
            entries.extend(more)
            notes.extend(said)
        payload = {
            "minutes": minutes,
            "from": start,
            "applied": entries,
            "notes": notes,
            "summary": f"{format_duration(minutes)} pass: {format_time(start)} → "
            f"{format_time(end)}",
        }
        journal.append(state, "time", end, payload)
    return end, notes


def _pass_time(
    state: CampaignState, rulebook: Rulebook, who: CharacterState, start: int, end: int
) -> tuple[list[dict[str, Any]], list[str]]:
    entries: list[dict[str, Any]] = []
    notes: list[str] = []
    reached: dict[str, int] = {}
    for resource in rulebook.of_kind("resource"):
        assert isinstance(resource, ast.Resource)
        rid = resource.id.text
        if rid not in who.resources or not resource.decay or not resource.decay_unit:
            continue
        size = unit_minutes(resource.decay_unit)
        if not size:
            continue
        value = who.resources[rid]
        steps = end // size - start // size
        loss = min(value, steps * resource.decay)
        if loss <= 0:
            continue
        decay = Change("actor", who.name, "lose", rid, loss, source="decay")
        more, said = apply_to(state, rulebook, who, [decay], end)
        # the boundary at which the last of the loss fell: when the value became what it is
        reached[rid] = (start // size + -(-loss // resource.decay)) * size
        for entry in more:
            if entry["what"] in reached:
                entry["since"] = reached[entry["what"]]
        entries.extend(more)
        notes.extend(f"{note} (decay over {format_duration(end - start)})" for note in said)
        _fold_entries(who, more, end)
    for meter in rulebook.of_kind("resource", "track", "clock"):
        assert isinstance(meter, ast.Resource | ast.Track)
        mid = meter.id.text
        current = who.resources.get(mid) if isinstance(meter, ast.Resource) else who.tracks.get(mid)
        for trigger in meter.triggers:
            if trigger.lasting is None or current != trigger.at:
                continue
            size = unit_minutes(trigger.lasting.unit) or 0
            key = f"{mid}@{trigger.at}:{trigger.lasting}"
            since = reached.get(mid, who.since.get(mid, start))
            if key in who.fired or end - since < trigger.lasting.amount * size:
                continue
            being = who.being()
            changes = [
                Change(
                    "actor",
                    who.name,
                    e.verb,
                    e.what.text if e.what else None,
                    None if e.amount is None else number(e.amount, Context(rulebook, being)),
                    source=key,
                )
                for e in trigger.effects
                if e.verb != "narrate"
            ]
            more, said = apply_to(state, rulebook, who, changes, end)
            more.append({"character": who.id, "table": "fired", "what": key})
            entries.extend(more)
            notes.extend(
                f"{note} ({meter.display} at {trigger.at} for {trigger.lasting})" for note in said
            )
            _fold_entries(who, more, end)
    for condition, expires in sorted(who.conditions.items()):
        if expires is not None and expires <= end:
            entry = {
                "character": who.id,
                "table": "conditions",
                "what": condition,
                "added": False,
                "expires": None,
                "previous": expires,
                "had": True,
            }
            entries.append(entry)
            notes.append(f"{who.name}: {condition} runs out")
    return entries, notes


def _fold_entries(who: CharacterState, entries: Sequence[Mapping[str, Any]], now: int) -> None:
    """Let later steps of the same advance see the values set so far."""
    for entry in entries:
        if entry["table"] in ("resources", "tracks"):
            table = who.resources if entry["table"] == "resources" else who.tracks
            table[entry["what"]] = entry["after"]
            who.since[entry["what"]] = entry.get("since", now)
        elif entry["table"] == "conditions":
            if entry["added"]:
                who.conditions[entry["what"]] = entry.get("expires")
            else:
                who.conditions.pop(entry["what"], None)
        elif entry["table"] == "fired":
            who.fired.append(entry["what"])


def feed(
    journal: Journal, rulebook: Rulebook, character_id: str, amount: int, resource: str
) -> list[str]:
    """A character takes in a resource (Nectar), up to its maximum."""
    if amount <= 0:
        raise RougeError("the amount fed must be at least 1")
    d = rulebook.require(resource, ast.Resource)
    with journal.transaction():
        state = journal.state()
        who = find(state, character_id)
        if resource not in who.resources:
            raise CampaignError(f"{who.name} does not carry {d.display}")
        entries, notes = apply_to(
            state,
            rulebook,
            who,
            [Change("actor", who.name, "gain", resource, amount, source="feed")],
            state.time,
        )
        payload = {
            "resource": resource,
            "amount": amount,
            "applied": entries,
            "summary": f"{who.name} takes {amount} {d.display}",
        }
        journal.append(state, "feed", state.time, payload, character=who.id)
    return notes


#: Every kind of event but the reversals themselves can be undone.
UNDOABLE = KINDS - {"undo", "leave", "rejoin"}


def undo(journal: Journal) -> str:
    """Append an event that reverses the latest event not yet undone. Nothing is deleted."""
    with journal.transaction():
        state = journal.state()
        target = _latest_undoable(journal)
        if target is None:
            raise CampaignError("there is nothing to undo")
        reverse = _reversal(journal, state, target)
        moved = target.kind in ("time", "turn")
        time = target.payload.get("from", state.time) if moved else state.time
        payload: dict[str, Any] = {
            "undoes": target.seq,
            "applied": reverse,
            "summary": f"undo #{target.seq}: {target.payload.get('summary', target.kind)}",
        }
        if target.kind == "join":
            journal.append(
                state,
                "leave",
                time,
                {**payload, "character": target.character},
                character=target.character,
            )
            return str(payload["summary"])
        journal.append(state, "undo", time, payload, character=target.character)
        return str(payload["summary"])


def last_roll(journal: Journal) -> tuple[Event, Request]:
    """The campaign's last roll: the newest event not undone, if it is a check's resolution.

    Only the last roll can be pushed: anything after it would have seen its outcome.
    """
    event = _latest_undoable(journal)
    if event is None or event.kind != "resolution":
        what = "nothing" if event is None else f"#{event.seq}, {event.payload.get('summary')}"
        raise CampaignError(
            f"the last event is {what}: only the last roll can be pushed",
            hint="push right after the check, before anything else happens",
        )
    request = Request.from_json(event.payload["request"])
    if request.kind != "check":
        raise CampaignError(
            f"the last roll, #{event.seq} ({event.payload.get('summary')}), is not a check's: "
            "only a check's roll can be pushed"
        )
    return event, request


def push(
    journal: Journal, rulebook: Rulebook, name: str, *, seed: int
) -> tuple[Resolution, list[str]]:
    """Push the campaign's last roll with the check's push `name`, rolling with `seed`.

    One event replaces the roll's outcome: it takes back what the roll changed,
    and applies what the pushed roll changes (the push's price included). Its
    request is the roll's, with the push added, so replaying it rolls the same
    dice; undoing it gives back the roll as it was before the push.
    """
    with journal.transaction():
        state = journal.state()
        event, request = last_roll(journal)
        pushed = attrs.evolve(request, pushes=(*request.pushes, (name, seed)))
        reverse = _reversal(journal, state, event)
        back = copy.deepcopy(state)
        apply_entries(back, reverse, state.time)
        result, entries, notes, inputs = _resolve_in(back, rulebook, pushed)
        payload = _payload(rulebook, pushed, inputs, result, [*reverse, *entries], notes)
        payload["summary"] = f"push #{event.seq}: {payload['summary']}"
        payload["pushes"] = event.seq
        if event.payload.get("secret"):
            payload["secret"] = True
        journal.append(state, "resolution", state.time, payload, character=event.character)
        return result, notes


def _reversal(journal: Journal, state: CampaignState, target: Event) -> list[dict[str, Any]]:
    """The entries that take back what event `target` changed (every later one undone)."""
    # every later event has been undone: this is the state to go back to
    before = journal.state(upto=target.seq - 1)
    applied = list(target.payload.get("applied", ()))
    reverse: list[dict[str, Any]] = []
    for entry in reversed(applied):
        if entry["table"] == "conditions":
            had = bool(entry.get("had"))
            reverse.append(
                {
                    **entry,
                    "added": had,
                    "expires": entry.get("previous") if had else None,
                    "had": entry["added"],
                    "previous": entry.get("expires"),
                }
            )
        elif entry["table"] == "fired":
            continue
        else:
            back = {**entry, "before": entry["after"], "after": entry["before"]}
            back.pop("since", None)
            was = before.characters.get(entry["character"])
            if was is not None and entry["what"] in was.since:
                back["since"] = was.since[entry["what"]]
            reverse.append(back)
    reverse.extend(_restore_fired(state, before, reverse, applied))
    return reverse


def _latest_undoable(journal: Journal) -> Event | None:
    """The newest event that can be undone and has not been.

    An undo comes after the event it undoes, so walking back from the newest
    event meets every undo before its target: only the events since the target
    are read, not the whole journal.
    """
    undone: set[int] = set()
    with closing(journal.backwards()) as events:
        for event in events:
            if event.kind in ("undo", "leave"):
                undone.add(int(event.payload.get("undoes", 0)))
            elif event.kind in UNDOABLE and event.seq not in undone:
                return event
    return None


def _restore_fired(
    state: CampaignState,
    before: CampaignState,
    reverse: Sequence[Mapping[str, Any]],
    applied: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Entries that give back each character's fired triggers as they were before the event.

    The event may have fired a lasting trigger (`at 0 for 3 days`), or changed a
    value and so cleared the ones that had fired on it; its reverse must do neither.
    """
    after = copy.deepcopy(state)
    apply_entries(after, reverse, state.time)
    entries: list[dict[str, Any]] = []
    for cid in dict.fromkeys(e["character"] for e in applied):
        now, was = after.characters.get(cid), before.characters.get(cid)
        if now is None or was is None:
            continue
        entries.extend(
            {"character": cid, "table": "fired", "what": key, "added": False}
            for key in now.fired
            if key not in was.fired
        )
        entries.extend(
            {"character": cid, "table": "fired", "what": key, "added": True}
            for key in was.fired
            if key not in now.fired
        )
    return entries
