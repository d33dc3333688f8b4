"""Encounters: a scene of the campaign with turn order, rounds, and durations that run out by round.

An encounter is part of the campaign's state (`CampaignState.encounter`, plain
data so that it folds, snapshots and undoes like everything else): its name,
the round, whose turn it is, the order, and the conditions that last in rounds
or for the scene. Every change is an event whose `applied` entries hold the
encounter before and after, so `undo` turns a fight back one step at a time.

Rules stated once:

- **Turn order.** Each participant rolls the initiative check (the one the
  rulebook marks `initiative`, or the check or attribute the GM names) with the
  encounter's seed. Higher total first; a tie goes to the higher dice alone,
  then to who joined the campaign first. The GM may set a value by hand, and a
  participant may delay to the end of the order.
- **Groups.** Characters joined from one sheet with `--count` may act as one
  group: one roll, one turn.
- **Durations.** A condition that lasts N rounds, gained during an encounter,
  runs out at the start of its bearer's Nth turn from then (for a bearer
  outside the fight, after N rounds); one that lasts a scene runs out when the
  encounter ends. Rounds advance game time by the length the GM gives when the
  encounter starts (`--round 6s`; narrative play: 0).
- **Skipping.** A participant with a condition that blocks every action
  (`down`, `shutdown`, `dead`) or set aside is skipped, and the GM is told.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Collection, Sequence
from typing import Any

from rouge_rpg.campaign.journal import CampaignError, Journal
from rouge_rpg.campaign.members import find
from rouge_rpg.campaign.state import CampaignState, CharacterState
from rouge_rpg.rules import ast
from rouge_rpg.rules.rulebook import Rulebook

#: Most participants in one encounter.
MAX_PARTICIPANTS = 200


def _current(state: CampaignState) -> dict[str, Any]:
    if state.encounter is None:
        raise CampaignError(
            "no encounter is running", hint='start one with: rouge encounter start "Name"'
        )
    return state.encounter


def initiative_check(rulebook: Rulebook, chosen: str | None) -> str:
    """The check initiative rolls: the GM's choice, else the one the rulebook marks."""
    if chosen is not None:
        return chosen
    marked = [
        d.id.text for d in rulebook.of_kind("check") if isinstance(d, ast.Check) and d.initiative
    ]
    if not marked:
        raise CampaignError(
            "the rulebook marks no check as initiative",
            hint="name one with --check CHECK_OR_ATTRIBUTE, or mark a check: "
            "check initiative ... initiative:",
        )
    return marked[0]


def _roll(
    rulebook: Rulebook, state: CampaignState, who: CharacterState, check: str, rng: random.Random
) -> dict[str, Any]:
    """One participant's initiative: the check's total and dice, rolled with the fight's seed."""
    # Only rolling initiative needs the engine: `encounter next` does not import it.
    from rouge_rpg.engine import Action, resolve
    from rouge_rpg.engine.results import Refusal

    try:
        result = resolve(rulebook, Action("check", check, who.being()), rng=rng)
    except Refusal:  # a participant who cannot act still has a place, last
        return {"id": who.id, "initiative": -(10**9), "dice": 0, "detail": "cannot act"}
    return {
        "id": who.id,
        "initiative": result.total or 0,
        "dice": result.dice or 0,
        "detail": result.roll_detail,
    }


def _sorted(state: CampaignState, order: list[dict[str, Any]]) -> list[dict[str, Any]]:
    joined = list(state.characters)
    return sorted(
        order,
        key=lambda slot: (-slot["initiative"], -slot["dice"], joined.index(slot["id"])),
    )


def _record(
    journal: Journal,
    state: CampaignState,
    kind: str,
    after: dict[str, Any] | None,
    summary: str,
    notes: Sequence[str] = (),
    extra: Sequence[dict[str, Any]] = (),
    *,
    time: int | None = None,
    **payload: Any,
) -> None:
    """One encounter event: its entries, the encounter before and after, what it said."""
    entry = {
        "character": None,
        "table": "encounter",
        "what": "encounter",
        "before": copy.deepcopy(state.encounter),
        "after": after,
    }
    body = {
        "applied": [*extra, entry],
        "notes": list(notes),
        "summary": summary,
        "from": state.time,
        **payload,
    }
    journal.append(state, kind, state.time if time is None else time, body)


def start(
    journal: Journal,
    rulebook: Rulebook,
    name: str,
    ids: Sequence[str],
    *,
    seed: int,
    check: str | None = None,
    round_minutes: int | None = None,
    groups: bool = False,
) -> list[str]:
    """Start an encounter: the participants roll initiative and the first round begins."""
    with journal.transaction():
        state = journal.state()
        if state.encounter is not None:
            raise CampaignError(
                f"the encounter '{state.encounter['name']}' is still running",
                hint="end it first: rouge encounter end",
            )
        which = initiative_check(rulebook, check)
        people = [find(state, i) for i in ids] if ids else _everyone(state)
        if not people:
            raise CampaignError("nobody to fight: join characters first, or name them")
        if len(people) > MAX_PARTICIPANTS:
            raise CampaignError(f"an encounter takes at most {MAX_PARTICIPANTS} participants")
        rng = random.Random(seed)
        order = _initiative(rulebook, state, people, which, rng, groups)
        encounter = {
            "name": name,
            "round": 1,
            "turn": 0,
            "order": order,
            "check": which,
            "seed": seed,
            "groups": groups,
            "round_minutes": rulebook.round_minutes if round_minutes is None else round_minutes,
            "lasting": [],
        }
        lines = [f"Encounter '{name}' begins: round 1.", *_order_lines(state, order)]
        first = _name(state, order[0]["id"])
        lines.append(f"{first}'s turn.")
        rolled = [p.id for p in people]
        summary = f"encounter '{name}' begins"
        _record(journal, state, "encounter", encounter, summary, lines, seed=seed, rolled=rolled)
    return lines


def _everyone(state: CampaignState) -> list[CharacterState]:
    return [c for c in state.characters.values() if c.active and not c.benched]


def _initiative(
    rulebook: Rulebook,
    state: CampaignState,
    people: Sequence[CharacterState],
    check: str,
    rng: random.Random,
    groups: bool,
) -> list[dict[str, Any]]:
    """Initiative for each, grouped by sheet when asked: one roll, one place, for a group."""
    order: list[dict[str, Any]] = []
    rolled: dict[str, dict[str, Any]] = {}
    for who in people:
        key = str(who.sheet.get("file")) if groups and who.sheet.get("instance") else None
        if key is not None and key in rolled:
            rolled[key]["with"].append(who.id)
            continue
        slot = _roll(rulebook, state, who, check, rng)
        slot["with"] = []
        if key is not None:
            rolled[key] = slot
        order.append(slot)
    return _sorted(state, order)


def _name(state: CampaignState, cid: str) -> str:
    who = state.characters.get(cid)
    return who.name if who is not None else cid


def _order_lines(state: CampaignState, order: Sequence[dict[str, Any]]) -> list[str]:
    lines = []
    for place, slot in enumerate(order, 1):
        names = ", ".join(_name(state, c) for c in [slot["id"], *slot.get("with", [])])
        value = "-" if slot["initiative"] <= -(10**9) else str(slot["initiative"])
        lines.append(f"  {place}. {names}  {value}  {slot.get('detail', '')}".rstrip())
    return lines


def _incapacitated(rulebook: Rulebook, who: CharacterState) -> str | None:
    """Why a participant cannot take a turn, if it cannot."""
    if who.benched:
        return "set aside"
    if not who.active:
        return "gone"
    for name in sorted(who.conditions):
        found = rulebook.get(name)
        if isinstance(found, ast.Condition) and any(b.text == "all" for b in found.blocks):
            return name
    return None


def next_turn(journal: Journal, rulebook: Rulebook) -> list[str]:
    """The next participant's turn (after the last, a new round): what ran out, who is skipped."""
    with journal.transaction():
        state = journal.state()
        encounter = copy.deepcopy(_current(state))
        order = encounter["order"]
        lines: list[str] = []
        ended: list[dict[str, Any]] = []
        minutes = 0

        def count_down(key: str, bearers: Collection[str]) -> None:
            """One less of `key` on what `bearers` bear; what reaches 0 runs out, and is said."""
            out = _count_down(encounter, key, bearers)
            ended.extend(out)
            lines.extend(_expire(state, out)[1])

        done = order[encounter["turn"]]  # whose turn ends now: what lasts turns on them counts
        finished = [done["id"], *done.get("with", [])]
        count_down("ends", finished)
        for _ in range(len(order) + 1):
            encounter["turn"] += 1
            if encounter["turn"] >= len(order):
                encounter["turn"] = 0
                encounter["round"] += 1
                minutes += int(encounter["round_minutes"])
                lines.append(f"Round {encounter['round']}.")
                outside = {item["character"] for item in encounter["lasting"]} - _ids(order)
                count_down("turns", outside)
            slot = order[encounter["turn"]]
            acting = [slot["id"], *slot.get("with", [])]
            count_down("turns", acting)
            ready, skipped = [], []
            for cid in acting:
                who = state.characters.get(cid)
                why = _incapacitated(rulebook, who) if who is not None else "gone"
                if why is None:
                    ready.append(cid)
                else:
                    skipped.append(cid)
                    lines.append(f"{_name(state, cid)} is {why}: skipped.")
            # a skipped turn still comes and goes
            count_down("ends", skipped)
            if ready:
                names = ", ".join(_name(state, c) for c in ready)
                lines.append(f"{names}'s turn." if len(ready) == 1 else f"{names} act.")
                break
        else:
            lines.append("Nobody in the encounter can act.")
        entries, _ = _expire(state, ended)
        time = state.time + minutes
        summary = f"round {encounter['round']}: " + lines[-1]
        _record(journal, state, "turn", encounter, summary, lines, entries, time=time)
    return lines


def _ids(order: Sequence[dict[str, Any]]) -> set[str]:
    return {c for slot in order for c in [slot["id"], *slot.get("with", [])]}


def _count_down(
    encounter: dict[str, Any], key: str, bearers: Collection[str]
) -> list[dict[str, Any]]:
    """One less of `key` for the lasting conditions on `bearers`; those at 0 end.

    `turns` counts the starts of the bearer's turns (what lasts rounds), `ends` the
    ends of them (what lasts turns).
    """
    ended, kept = [], []
    for item in encounter["lasting"]:
        if key in item and item["character"] in bearers:
            item = {**item, key: item[key] - 1}
            if item[key] <= 0:
                ended.append(item)
                continue
        kept.append(item)
    encounter["lasting"] = kept
    return ended


def _expire(
    state: CampaignState, ended: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Entries that lift conditions whose time ran out, and a line for each."""
    entries: list[dict[str, Any]] = []
    lines: list[str] = []
    for item in ended:
        who = state.characters.get(item["character"])
        if who is None or item["condition"] not in who.conditions:
            continue
        entries.append(
            {
                "character": who.id,
                "table": "conditions",
                "what": item["condition"],
                "added": False,
                "expires": None,
                "previous": who.conditions.get(item["condition"]),
                "had": True,
            }
        )
        lines.append(f"{who.name}: {item['condition']} runs out")
    return entries, lines


def end(journal: Journal) -> list[str]:
    """End the encounter (the scene): conditions that last a scene run out."""
    with journal.transaction():
        state = journal.state()
        encounter = _current(state)
        scene = [item for item in encounter["lasting"] if item.get("scene")]
        entries, said = _expire(state, scene)
        lines = [*said, f"Encounter '{encounter['name']}' ends after round {encounter['round']}."]
        _record(journal, state, "encounter", None, lines[-1], lines, entries)
    return lines


def join(journal: Journal, rulebook: Rulebook, ids: Sequence[str], *, seed: int) -> list[str]:
    """Participants join the running encounter: they roll initiative and take their place."""
    with journal.transaction():
        state = journal.state()
        encounter = copy.deepcopy(_current(state))
        present = _ids(encounter["order"])
        people = [find(state, i) for i in ids]
        again = [p.id for p in people if p.id in present]
        if again:
            raise CampaignError(f"already in the encounter: {', '.join(again)}")
        acting = encounter["order"][encounter["turn"]]["id"]
        rng = random.Random(seed)
        new = _initiative(rulebook, state, people, encounter["check"], rng, False)
        encounter["order"] = _sorted(state, [*encounter["order"], *new])
        encounter["turn"] = _index(encounter["order"], acting)
        lines = [f"{_name(state, s['id'])} joins the encounter ({s['initiative']})." for s in new]
        joined = [p.id for p in people]
        _record(
            journal,
            state,
            "encounter",
            encounter,
            "; ".join(lines),
            lines,
            seed=seed,
            joined=joined,
        )
    return lines


def _index(order: Sequence[dict[str, Any]], cid: str) -> int:
    return next(i for i, slot in enumerate(order) if slot["id"] == cid)


def leave(journal: Journal, ids: Sequence[str]) -> list[str]:
    """Participants leave the encounter (the one acting passes the turn first)."""
    with journal.transaction():
        state = journal.state()
        encounter = copy.deepcopy(_current(state))
        gone = {find(state, i, active=False).id for i in ids}
        unknown = gone - _ids(encounter["order"])
        if unknown:
            raise CampaignError(f"not in the encounter: {', '.join(sorted(unknown))}")
        acting = encounter["order"][encounter["turn"]]["id"]
        order = []
        for slot in encounter["order"]:
            members = [c for c in [slot["id"], *slot.get("with", [])] if c not in gone]
            if members:
                order.append({**slot, "id": members[0], "with": members[1:]})
        if not order:
            raise CampaignError("that would leave nobody in the encounter: end it instead")
        encounter["order"] = order
        ids_left = [slot["id"] for slot in order]
        encounter["turn"] = (
            ids_left.index(acting) if acting in ids_left else min(encounter["turn"], len(order) - 1)
        )
        lines = [f"{_name(state, c)} leaves the encounter." for c in sorted(gone)]
        _record(journal, state, "encounter", encounter, "; ".join(lines), lines)
    return lines


def set_initiative(journal: Journal, cid: str, value: int) -> list[str]:
    """The GM sets a participant's initiative by hand; the order follows."""
    with journal.transaction():
        state = journal.state()
        encounter = copy.deepcopy(_current(state))
        who = find(state, cid)
        if who.id not in {slot["id"] for slot in encounter["order"]}:
            raise CampaignError(f"{who.name} has no place of their own in the encounter")
        acting = encounter["order"][encounter["turn"]]["id"]
        for slot in encounter["order"]:
            if slot["id"] == who.id:
                slot["initiative"], slot["detail"] = value, "set by the GM"
        encounter["order"] = _sorted(state, encounter["order"])
        encounter["turn"] = _index(encounter["order"], acting)
        line = f"{who.name}'s initiative is {value}."
        _record(journal, state, "encounter", encounter, line, [line])
    return [line]


def delay(journal: Journal) -> list[str]:
    """The participant whose turn it is waits: they act last from now on."""
    with journal.transaction():
        state = journal.state()
        encounter = copy.deepcopy(_current(state))
        order = encounter["order"]
        slot = order.pop(encounter["turn"])
        if encounter["turn"] >= len(order):
            raise CampaignError("the last in the order cannot delay any further")
        slot["initiative"] = min(s["initiative"] for s in order) - 1
        slot["detail"] = "delayed"
        order.append(slot)
        lines = [f"{_name(state, slot['id'])} delays."]
        now = order[encounter["turn"]]
        lines.append(f"{_name(state, now['id'])}'s turn.")
        _record(journal, state, "encounter", encounter, lines[0], lines)
    return lines


def lasting(
    state: CampaignState, who: CharacterState, condition: str, duration: ast.Duration
) -> dict[str, Any] | None:
    """The encounter after `who` gained `condition` for `duration` (a round or scene unit)."""
    encounter = state.encounter
    if encounter is None or duration.unit not in ("round", "turn", "scene"):
        return None
    after = copy.deepcopy(encounter)
    after["lasting"] = [
        item
        for item in after["lasting"]
        if not (item["character"] == who.id and item["condition"] == condition)
    ]
    if duration.unit == "scene":
        after["lasting"].append({"character": who.id, "condition": condition, "scene": True})
    elif duration.unit == "turn":
        after["lasting"].append(
            {"character": who.id, "condition": condition, "ends": duration.amount}
        )
    else:
        after["lasting"].append(
            {"character": who.id, "condition": condition, "turns": duration.amount}
        )
    return after


def status_lines(state: CampaignState, rulebook: Rulebook) -> list[str]:
    """The encounter at a glance: round, whose turn, the order with key values and conditions."""
    encounter = _current(state)
    lines = [f"Encounter '{encounter['name']}', round {encounter['round']}"]
    for place, slot in enumerate(encounter["order"]):
        mark = ">" if place == encounter["turn"] else " "
        for cid in [slot["id"], *slot.get("with", [])]:
            who = state.characters.get(cid)
            if who is None:
                continue
            values = ", ".join(f"{k} {v}" for k, v in {**who.resources, **who.tracks}.items())
            shown = []
            for name in sorted(who.conditions):
                left = [
                    i
                    for i in encounter["lasting"]
                    if i["character"] == cid and i["condition"] == name
                ]
                if left and "turns" in left[0]:
                    n = left[0]["turns"]
                    shown.append(f"{name} ({n} round{'s' if n != 1 else ''} left)")
                elif left and "ends" in left[0]:
                    n = left[0]["ends"]
                    shown.append(f"{name} (to the end of {n} turn{'s' if n != 1 else ''})")
                elif left:
                    shown.append(f"{name} (this scene)")
                else:
                    shown.append(name)
            why = _incapacitated(rulebook, who)
            state_word = f" [{why}]" if why else ""
            lines.append(
                f"{mark} {slot['initiative']:>3}  {cid}  {who.name}{state_word}: {values}"
                + (f"; {', '.join(shown)}" if shown else "")
            )
    return lines


def hostile(rulebook: Rulebook, one: CharacterState, other: CharacterState) -> bool:
    """Whether either side's faction is `hostile to` the other's faction, kind or member.

    A kind counts with its ancestors (a faction hostile to neans is hostile to alters).
    """

    def against(a: CharacterState, b: CharacterState) -> bool:
        faction = rulebook.get(str(a.sheet.get("faction")))
        if not isinstance(faction, ast.Faction):
            return False
        marks = {b.sheet.get("faction"), b.sheet.get("member")}
        kind = str(b.sheet.get("kind"))
        return any(
            r.kind == "hostile" and (r.other.text in marks or rulebook.is_kind(kind, r.other.text))
            for r in faction.relations
        )

    return against(one, other) or against(other, one)


def hostile_participants(state: CampaignState, rulebook: Rulebook, actor: str) -> list[str]:
    """Every participant of the running encounter hostile to `actor`, in turn order."""
    encounter = _current(state)
    me = find(state, actor)
    found = []
    for slot in encounter["order"]:
        for cid in [slot["id"], *slot.get("with", [])]:
            who = state.characters.get(cid)
            if who is not None and cid != me.id and hostile(rulebook, me, who):
                found.append(cid)
    if not found:
        raise CampaignError(f"nobody in the encounter is hostile to {me.name}")
    return found


def rolled_again(
    rulebook: Rulebook, before: CampaignState, payload: dict[str, Any]
) -> list[str] | None:
    """The differences when an encounter event's initiative is rolled again from its seed.

    None for an event that rolled nothing; the state before the event gives the
    participants as they were.
    """
    seed = payload.get("seed")
    after = next(
        (e["after"] for e in payload.get("applied", ()) if e.get("table") == "encounter"), None
    )
    if seed is None or after is None:
        return None
    rng = random.Random(seed)
    if "joined" in payload:
        people = [before.characters[c] for c in payload["joined"]]
        new = _initiative(rulebook, before, people, after["check"], rng, False)
        recorded = [s for s in after["order"] if s["id"] in set(payload["joined"])]
    else:
        people = [before.characters[c] for c in payload.get("rolled", ())]
        new = _initiative(rulebook, before, people, after["check"], rng, bool(after.get("groups")))
        recorded = after["order"]
    mine = {s["id"]: s["initiative"] for s in new}
    theirs = {s["id"]: s["initiative"] for s in recorded}
    return [
        f"{cid}: initiative recorded {theirs.get(cid)}, now {mine.get(cid)}"
        for cid in sorted(set(mine) | set(theirs))
        if mine.get(cid) != theirs.get(cid)
    ]
