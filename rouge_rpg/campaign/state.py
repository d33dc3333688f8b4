"""The campaign's current state: the fold of its journal's events.

An event records what it changed as `applied` entries (a value before and
after, a condition added or removed), so folding needs no rulebook and gives
the same state whatever the rules say today.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from rouge_rpg.record import Record

if TYPE_CHECKING:  # imported when used: `rouge campaign status` needs neither the engine nor YAML
    from rouge_rpg.beings import Being, Character


@attrs.define(repr=False)
class CharacterState(Record):
    """One character's life in the campaign."""

    id: str
    sheet: dict[str, Any]
    resources: dict[str, int] = attrs.field(factory=dict)
    tracks: dict[str, int] = attrs.field(factory=dict)
    conditions: dict[str, int | None] = attrs.field(factory=dict)  # condition → expiry
    since: dict[str, int] = attrs.field(factory=dict)  # value → game minute it last changed
    fired: list[str] = attrs.field(factory=list)  # lasting triggers already fired
    active: bool = True
    benched: bool = False  # set aside: off the game clock
    benched_at: int | None = None

    @property
    def name(self) -> str:
        return str(self.sheet.get("name", self.id))

    def character(self) -> Character:
        """The character as it was when it joined."""
        return character_from_json(self.sheet)

    def being(self, character: Character | None = None) -> Being:
        """The engine's view: the sheet's definition with the journal's state."""
        from rouge_rpg.beings import Being

        return Being.of(
            character or self.character(),
            resources=dict(self.resources),
            tracks=dict(self.tracks),
            conditions=frozenset(self.conditions),
        )

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)

    def copy(self) -> CharacterState:
        """A copy whose values can change apart from this one's; the sheet is shared (a
        sheet is replaced whole, never changed in place)."""
        return attrs.evolve(
            self,
            resources=dict(self.resources),
            tracks=dict(self.tracks),
            conditions=dict(self.conditions),
            since=dict(self.since),
            fired=list(self.fired),
        )


@attrs.define(repr=False)
class CampaignState(Record):
    """Every character's state and the game clock, after event `seq`."""

    time: int = 0
    seq: int = 0
    characters: dict[str, CharacterState] = attrs.field(factory=dict)
    #: The running encounter, as plain data (see `rouge_rpg.campaign.encounter`), or None.
    encounter: dict[str, Any] | None = None
    #: The rulebook folders in force once `rulebook add|remove` changed them (None: as created).
    rulebooks: list[str] | None = None

    def copy(self) -> CampaignState:
        """A copy to change apart from this one (`Journal.state` gives each caller one)."""
        return CampaignState(
            self.time,
            self.seq,
            {k: c.copy() for k, c in self.characters.items()},
            copy.deepcopy(self.encounter),
            None if self.rulebooks is None else list(self.rulebooks),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "seq": self.seq,
            "characters": {k: v.to_json() for k, v in self.characters.items()},
            "encounter": self.encounter,
            "rulebooks": self.rulebooks,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CampaignState:
        characters = {
            k: CharacterState(**{**v, "fired": list(v.get("fired", []))})
            for k, v in data["characters"].items()
        }
        return cls(
            int(data["time"]),
            int(data["seq"]),
            characters,
            data.get("encounter"),
            data.get("rulebooks"),
        )


def character_to_json(character: Character) -> dict[str, Any]:
    """A sheet's definition as plain data, for the journal."""
    return {
        "name": character.name,
        "faction": character.faction,
        "kind": character.kind,
        "member": character.member,
        "attributes": dict(character.attributes),
        "abilities": list(character.abilities),
        "resources": dict(character.resources),
        "tracks": dict(character.tracks),
        "conditions": sorted(character.conditions),
        "notes": character.notes,
        "file": character.file,
    }


def character_from_json(data: Mapping[str, Any]) -> Character:
    from rouge_rpg.beings import Character

    return Character(
        name=data["name"],
        faction=data["faction"],
        kind=data["kind"],
        member=data.get("member"),
        attributes=dict(data.get("attributes", {})),
        abilities=tuple(data.get("abilities", ())),
        resources=dict(data.get("resources", {})),
        tracks=dict(data.get("tracks", {})),
        conditions=frozenset(data.get("conditions", ())),
        notes=data.get("notes", ""),
        file=data.get("file"),
    )


def apply_entries(state: CampaignState, entries: Iterable[Mapping[str, Any]], time: int) -> None:
    """Set what an event's `applied` entries say, in order."""
    for entry in entries:
        if entry["table"] == "encounter":
            state.encounter = entry["after"]
            continue
        if entry["table"] == "rulebooks":
            state.rulebooks = list(entry["after"])
            continue
        who = state.characters.get(entry["character"])
        if who is None:
            continue
        table = entry["table"]
        what = entry["what"]
        if table == "conditions":
            if entry.get("added"):
                who.conditions[what] = entry.get("expires")
            else:
                who.conditions.pop(what, None)
        elif table == "flags":
            _flag(who, entry, time)
        elif table == "sheet":
            who.sheet = dict(entry["after"])
        elif table == "fired":
            if not entry.get("added", True):
                who.fired = [f for f in who.fired if f != what]
            elif what not in who.fired:
                who.fired.append(what)
        else:
            values = who.resources if table == "resources" else who.tracks
            if entry.get("before") != entry["after"]:
                who.since[what] = entry.get("since", time)
                who.fired = [f for f in who.fired if not f.startswith(f"{what}@")]
            values[what] = entry["after"]


def _flag(who: CharacterState, entry: Mapping[str, Any], time: int) -> None:
    """Leave or come back; be set aside or return, the clocks paused for the time away."""
    after = bool(entry["after"])
    if entry["what"] == "active":
        who.active = after
        return
    paused = int(entry.get("paused", 0))
    if paused:
        shift = -paused if after else paused
        who.since = {k: v + shift for k, v in who.since.items()}
        who.conditions = {k: None if v is None else v + shift for k, v in who.conditions.items()}
    who.benched = after
    who.benched_at = int(entry.get("at", time - paused)) if after else None


def fold(state: CampaignState, seq: int, kind: str, time: int, payload: Mapping[str, Any]) -> None:
    """Apply one event to the state, in place."""
    state.seq = seq
    state.time = time
    if kind == "join":
        sheet = payload["sheet"]
        state.characters[payload["character"]] = CharacterState(
            id=payload["character"],
            sheet=dict(sheet),
            resources=dict(payload["resources"]),
            tracks=dict(payload["tracks"]),
            conditions={c: None for c in payload["conditions"]},
            since={k: time for k in [*payload["resources"], *payload["tracks"]]},
        )
    elif kind == "leave":
        who = state.characters.get(payload["character"])
        if who is not None:
            who.active = False
    elif kind == "rejoin":
        who = state.characters.get(payload["character"])
        if who is not None:
            who.active = True
    apply_entries(state, payload.get("applied", ()), time)
