"""Who is in the campaign: members by id, their sheets, joining, spawning, benching, leaving.

A character joins under an id derived from its name (`Rouge Redstar` → `rouge`;
`--as` chooses one), unique in the campaign, and every command names it by
that id from then on. The journal keeps the sheet's values as they were when
it joined (or was last synced) with their content hash and the sheet's path,
relative to the campaign file where it can be: the member, not the file, is
the character. When the file changes afterwards, the GM is told what changed,
and `sync` records the new version as an event.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from rouge_rpg.campaign.journal import CampaignError, Journal, kept_path
from rouge_rpg.campaign.state import CampaignState, CharacterState, character_to_json
from rouge_rpg.record import Record
from rouge_rpg.rules.rulebook import Rulebook

if TYPE_CHECKING:
    from rouge_rpg.beings import Being, Character

#: The most characters one `join --count` adds.
MAX_COUNT = 100
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def slug(text: str) -> str:
    """`Noid 262` → `noid_262`: lower-case letters, digits and underscores."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    found = "_".join(words)[:40].strip("_")
    if not found or not found[0].isalpha():
        found = "c_" + found if found else "character"
    return found


def derive_id(character: Character, taken: Sequence[str] | set[str]) -> str:
    """An id for a character: its sheet's file name (`rouge.yaml` → `rouge`), else its name.

    Taken ids get a number: `rouge_2`.
    """
    base = slug(character.id) if character.file else slug(character.name)
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def check_id(text: str) -> str:
    """An id the GM chose: lower-case letters, digits and underscores, starting with a letter."""
    if not _ID.match(text):
        raise CampaignError(
            f"'{text}' cannot be an id: use lower-case letters, digits and underscores, "
            "starting with a letter (at most 40)"
        )
    return text


def sheet_hash(character: Character) -> str:
    """The content hash of a sheet's values (where it was read from takes no part)."""
    values = {k: v for k, v in character_to_json(character).items() if k != "file"}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def stored_path(file: str | None, campaign: Path) -> str | None:
    """A sheet's path as the journal keeps it: relative to the campaign's folder if it can be."""
    return kept_path(file, campaign) if file else None


def sheet_file(who: CharacterState, campaign: Path) -> Path | None:
    """Where a member's sheet lives, as recorded when it joined (or was synced)."""
    file = who.sheet.get("file")
    if not file:
        return None
    path = Path(str(file))
    return path if path.is_absolute() else campaign.resolve().parent / path


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """What differs between two sheets' values: `body 3 → 4`, `abilities + zap`."""
    found: list[str] = []
    for key in ("name", "faction", "kind", "member", "notes"):
        if before.get(key) != after.get(key):
            found.append(f"{key} {before.get(key)!r} → {after.get(key)!r}")
    for key in ("attributes", "resources", "tracks"):
        old, new = dict(before.get(key) or {}), dict(after.get(key) or {})
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                found.append(f"{name} {old.get(name, '-')} → {new.get(name, '-')}")
    for key in ("abilities", "conditions"):
        old_set, new_set = set(before.get(key) or ()), set(after.get(key) or ())
        found += [f"{key} + {n}" for n in sorted(new_set - old_set)]
        found += [f"{key} - {n}" for n in sorted(old_set - new_set)]
    return found


def find(state: CampaignState, text: str, *, active: bool = True) -> CharacterState:
    """A member by id (or by its name, when that is unique), with a suggestion on a typo."""
    found = state.characters.get(text)
    if found is None:
        lowered = text.lower()
        named = [c for c in state.characters.values() if c.name.lower() == lowered]
        found = named[0] if len(named) == 1 else None
    if found is None:
        import difflib  # only a wrong id needs suggestions

        ids = sorted(state.characters)
        known = ", ".join(ids) or "nobody yet"
        if text.endswith((".yaml", ".yml")) or "/" in text or os.sep in text:
            close = difflib.get_close_matches(Path(text).stem, ids, n=1, cutoff=0.6)
            raise CampaignError(
                f"there is no sheet file '{text}', nor a member by that name (the campaign "
                f"has: {known})",
                hint=f"did you mean '{close[0]}'?"
                if close
                else "check the path, or name a member by id",
            )
        close = difflib.get_close_matches(text, ids, n=1, cutoff=0.6)
        raise CampaignError(
            f"'{text}' has not joined the campaign (it has: {known})",
            hint=f"did you mean '{close[0]}'?"
            if close
            else f"add the sheet with: rouge campaign join {text}.yaml",
        )
    if active and not found.active:
        raise CampaignError(f"{found.name} has left the campaign")
    return found


def joined_from(state: CampaignState, path: Path, campaign: Path) -> list[CharacterState]:
    """The active members whose sheets were read from `path`: the same file, by any name.

    Files are compared as the system knows them (device and inode), one `stat` each.
    """
    try:
        wanted = os.stat(path)
    except OSError:
        return []
    folder = campaign.resolve().parent
    found = []
    for who in state.characters.values():
        file = who.sheet.get("file") if who.active else None
        if file and _is_file(os.path.join(folder, str(file)), wanted):
            found.append(who)
    return found


def _is_file(path: str, wanted: os.stat_result) -> bool:
    try:
        return os.path.samestat(os.stat(path), wanted)
    except OSError:
        return False


def by_path(state: CampaignState, path: Path, campaign: Path) -> CharacterState | None:
    """The active member whose sheet was read from `path`, if one was (and only one)."""
    found = joined_from(state, path, campaign)
    if len(found) > 1:
        ids = ", ".join(who.id for who in found)
        raise CampaignError(
            f"{path} joined as several characters ({ids}): name one of them",
            hint=f"for example: {found[0].id}",
        )
    return found[0] if found else None


@attrs.frozen(repr=False, eq=False, slots=False)
class Seat(Record):
    """A character at the table: the member, its sheet as the campaign knows it, and notes."""

    member: CharacterState
    character: Character
    notes: tuple[str, ...] = ()

    @property
    def being(self) -> Being:
        return self.member.being(self.character)


def seat(state: CampaignState, member: CharacterState, campaign: Path, read: Any = None) -> Seat:
    """A member with the campaign's version of its sheet, and a note if the file has changed.

    `read(path)` reads a sheet file (given by the caller, which knows the rulebook).
    """
    character = member.character()
    notes: list[str] = []
    file = sheet_file(member, campaign)
    if read is not None and file is not None and file.is_file():
        try:
            now = read(file)
        except Exception:  # an unreadable sheet is the file's problem, not this roll's
            now = None
        if now is not None and member.sheet.get("instance"):
            now = attrs.evolve(now, name=member.name)  # one of several from this sheet
        if now is not None and sheet_hash(now) != member.sheet.get("hash", sheet_hash(now)):
            what = changes(member.sheet, character_to_json(now))
            if what:
                notes.append(
                    f"{file.name} has changed since {member.name} joined ({'; '.join(what)}); "
                    f"the campaign's version is used: rouge campaign sync {member.id} "
                    "records the new one"
                )
    return Seat(member, character, tuple(notes))


def _payload(
    character: Character,
    cid: str,
    rulebook: Rulebook,
    campaign: Path,
) -> dict[str, Any]:
    # Only joining reads values the rulebook's way: `encounter next` need not load it.
    from rouge_rpg.beings import Being
    from rouge_rpg.rules.evaluate import stat

    named = "" if cid == derive_id(character, ()) else f" as {cid}"
    being = Being.of(character)
    tracks = {
        t.id.text: stat(rulebook, being, t.id.text) for t in rulebook.of_kind("track", "clock")
    }
    sheet = character_to_json(character)
    sheet["file"] = stored_path(character.file, campaign)
    sheet["hash"] = sheet_hash(character)
    return {
        "character": cid,
        "sheet": sheet,
        "rulebook": rulebook.content_hash,
        "resources": dict(character.resources),
        "tracks": tracks,
        "conditions": sorted(character.conditions),
        "summary": f"{character.name} joins{named} ({character.faction})",
    }


def join(
    journal: Journal,
    rulebook: Rulebook,
    characters: Sequence[Character],
    *,
    as_id: str | None = None,
    count: int | None = None,
    name: str | None = None,
) -> list[tuple[str, str]]:
    """Characters join the campaign; their sheets are snapshot, their state starts from them.

    With `count`, one sheet gives that many characters, each with its own
    state: named `name` with `{n}` filled in (default: the sheet's name and the
    number), with ids `as_id` (or the name's first word) followed by the number.
    Returns (id, summary) for each.
    """
    if count is not None and not 1 <= count <= MAX_COUNT:
        raise CampaignError(f"--count takes 1 to {MAX_COUNT} characters, not {count}")
    if (count is not None or as_id is not None) and len(characters) != 1:
        raise CampaignError("--count and --as take one sheet at a time")
    if name is not None and "{n}" not in name and count is not None:
        raise CampaignError("a naming pattern needs {n} where the number goes, e.g. 'WM {n}'")
    joined: list[tuple[str, str]] = []
    with journal.transaction():
        state = journal.state()
        taken = set(state.characters)  # a departed character's id stays its own
        for character in characters:
            if count is None:
                twins = (
                    joined_from(state, Path(character.file), journal.path) if character.file else []
                )
                if twins and as_id is None:
                    raise CampaignError(
                        f"{character.name} has already joined from this sheet, as "
                        + ", ".join(t.id for t in twins),
                        hint="to add another character from it: --as ID, or --count N",
                    )
                # a character who left may join again from the same sheet, under its old id
                back_from = Path(character.file).resolve() if character.file else None
                gone = {
                    who.id
                    for who in state.characters.values()
                    if not who.active
                    and back_from is not None
                    and (file := sheet_file(who, journal.path)) is not None
                    and file.resolve() == back_from
                }
                free = taken - gone
                cid = check_id(as_id) if as_id is not None else derive_id(character, free)
                if cid in free:
                    raise CampaignError(
                        f"the id '{cid}' is taken in this campaign",
                        hint="choose another with --as ID",
                    )
                instances = [(cid, character)]
            else:
                prefix = check_id(as_id) if as_id is not None else derive_id(character, ()) + "_"
                pattern = name or character.name + " {n}"
                instances = []
                n = 1
                while len(instances) < count:
                    cid = f"{prefix}{n}"
                    if cid not in taken:
                        named = attrs.evolve(character, name=pattern.replace("{n}", str(n)))
                        instances.append((cid, named))
                        taken.add(cid)
                    n += 1
            for cid, one in instances:
                taken.add(cid)
                payload = _payload(one, cid, rulebook, journal.path)
                if count is not None:
                    payload["sheet"]["instance"] = True
                journal.append(state, "join", state.time, payload, character=cid)
                joined.append((cid, str(payload["summary"])))
    return joined


def _flag(who: CharacterState, what: str, after: bool, **extra: Any) -> dict[str, Any]:
    before = who.active if what == "active" else who.benched
    return {
        "character": who.id,
        "table": "flags",
        "what": what,
        "before": before,
        "after": after,
        **extra,
    }


def bench(journal: Journal, character_id: str, note: str | None = None) -> str:
    """Set a character aside: off the game clock until it returns."""
    with journal.transaction():
        state = journal.state()
        who = find(state, character_id)
        if who.benched:
            raise CampaignError(f"{who.name} is already set aside")
        summary = f"{who.name} is set aside (off the clock)" + (f": {note}" if note else "")
        entry = _flag(who, "benched", True, at=state.time)
        payload = {"applied": [entry], "note": note, "summary": summary}
        journal.append(state, "bench", state.time, payload, character=who.id)
    return summary


def back(journal: Journal, character_id: str, note: str | None = None) -> str:
    """Bring a character back: the time it was away does not count on its clocks."""
    with journal.transaction():
        state = journal.state()
        who = find(state, character_id)
        if not who.benched:
            raise CampaignError(f"{who.name} is not set aside")
        paused = state.time - (who.benched_at if who.benched_at is not None else state.time)
        summary = f"{who.name} is back" + (f": {note}" if note else "")
        entry = _flag(who, "benched", False, paused=paused)
        payload = {"applied": [entry], "note": note, "summary": summary}
        journal.append(state, "return", state.time, payload, character=who.id)
    return summary


def leave(journal: Journal, character_id: str, note: str | None = None) -> str:
    """A character leaves the campaign (its history stays; undo brings it back)."""
    with journal.transaction():
        state = journal.state()
        who = find(state, character_id)
        summary = f"{who.name} leaves the campaign" + (f": {note}" if note else "")
        payload = {"applied": [_flag(who, "active", False)], "note": note, "summary": summary}
        journal.append(state, "depart", state.time, payload, character=who.id)
    return summary


def sync(journal: Journal, character_id: str, character: Character) -> tuple[str, list[str]]:
    """Record a member's sheet as it is now: its values change, its state stays."""
    with journal.transaction():
        state = journal.state()
        who = find(state, character_id)
        if who.sheet.get("instance"):  # one of several from this sheet keeps its own name
            character = attrs.evolve(character, name=who.name)
        sheet = character_to_json(character)
        sheet["file"] = stored_path(character.file, journal.path)
        sheet["hash"] = sheet_hash(character)
        if who.sheet.get("instance"):
            sheet["instance"] = True
        what = changes(who.sheet, sheet)
        if not what:
            return f"{who.name}: the sheet has not changed", []
        summary = f"{who.name}'s sheet is synced: {'; '.join(what)}"
        entry = {
            "character": who.id,
            "table": "sheet",
            "what": "sheet",
            "before": dict(who.sheet),
            "after": sheet,
        }
        journal.append(
            state, "sync", state.time, {"applied": [entry], "summary": summary}, character=who.id
        )
    return summary, what


def seat_for(
    state: CampaignState, text: str, campaign: Path, read: Callable[[Path], Character]
) -> Seat:
    """The member a command names: by the path of the sheet it joined from, or by id.

    A path wins when it is a file. The file must hold the character that
    joined from it: a different character saved there is refused, not
    recorded against the member; a changed sheet is used as the campaign
    knows it, with a note that says what changed.
    """
    path = Path(text)
    if not path.is_file():
        if text in state.characters or not _bundled(text).is_file():
            return seat(state, present(state, text), campaign, read)
        path = _bundled(text)  # a bundled sheet, by name (see sheets.load.locate)
    member = by_path(state, path, campaign)
    if member is None:
        raise CampaignError(
            f"{text} has not joined the campaign",
            hint=f"add it with: rouge campaign join {text}",
        )
    now = read(path)
    if now.name != member.name and not member.sheet.get("instance"):
        raise CampaignError(
            f"{text} now holds {now.name}, not {member.name} ({member.id}) who joined from it",
            hint=f"join it as a new character: rouge campaign join {text} --as ID; "
            f"or record it as {member.id}'s sheet: rouge campaign sync {member.id}",
        )
    present(state, member.id)
    return seat(state, member, campaign, read)


def _bundled(text: str) -> Path:
    from rouge_rpg.sheets.load import locate

    return locate(text)


def present(state: CampaignState, text: str) -> CharacterState:
    """A member who can act now: in the campaign and not set aside."""
    who = find(state, text)
    if who.benched:
        raise CampaignError(
            f"{who.name} is set aside", hint=f"bring them back with: rouge campaign return {who.id}"
        )
    return who
