"""The one decoder of the journal's rows: every event kind's payload, checked before use.

A row of the `events` table is read only through `decode`, which parses its JSON
(bounded in size and depth), and checks the shape of what `fold`, `undo`, `replay`
and the exports read: the keys each kind needs, with the types they need. A row
that does not pass is damaged (`Damaged`); `rouge campaign verify` names every
such event, and every other command stops at the first with exit status 2.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from itertools import accumulate
from typing import Any

#: The kinds of event the journal holds.
KINDS = frozenset(
    {
        "join",
        "resolution",
        "time",
        "feed",
        "undo",
        "leave",
        "rejoin",
        "adjust",
        "bench",
        "return",
        "depart",
        "sync",
        "encounter",
        "turn",
        "rulebooks",
    }
)
#: The tables an `applied` entry may change.
TABLES = frozenset(
    {"resources", "tracks", "conditions", "flags", "sheet", "fired", "encounter", "rulebooks"}
)
#: Largest payload, in bytes of JSON, and deepest nesting of lists and mappings in it.
MAX_PAYLOAD_BYTES = 16_000_000
MAX_DEPTH = 64
#: Largest game time or value a journal holds (far beyond ten years in minutes).
MAX_MAGNITUDE = 10**15


class Damaged(ValueError):
    """What is wrong with one event."""


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise Damaged(what)


def _int(value: object, what: str, *, none: bool = False) -> None:
    if none and value is None:
        return
    _need(
        isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_MAGNITUDE,
        f"{what} is not a whole number",
    )


def _str(value: object, what: str, *, none: bool = False) -> None:
    if none and value is None:
        return
    _need(isinstance(value, str), f"{what} is not text")


def _map(value: object, what: str) -> Mapping[str, Any]:
    _need(isinstance(value, dict), f"{what} is not a mapping")
    assert isinstance(value, dict)
    return value


#: Every byte but the four brackets' (deleted, to leave the brackets alone).
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
#: What a bracket does to the depth, by its byte (only brackets are looked up).
_STEP = tuple(1 if b in b"[{" else -1 for b in range(256))
#: A JSON string, escapes and all, to its closing quote or the end of the text.
_STRING = re.compile(r'"(?:[^"\\]+|\\.?)*"?', re.DOTALL)


def _depth(text: str) -> int:
    """How deeply lists and mappings nest in JSON text (brackets inside strings skipped).

    An encounter's turn holds its whole order, a few thousand characters and more
    brackets than the limit, and a snapshot the whole state, so every fold scans
    them. The strings are cut out and the brackets left counted in C: without a
    backslash in the text no quote is escaped, and the text outside strings is every
    other piece between quotes; with one (JSON escapes quotes, backslashes, controls
    and, as rouge writes it, anything beyond ASCII) a regular expression reads each
    string to its closing quote, escapes and all (half as fast as the split, twice as
    fast as reading the characters one by one in Python).
    """
    outside = "".join(text.split('"')[0::2]) if "\\" not in text else _STRING.sub("", text)
    brackets = outside.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets), initial=0))


def parse(text: object, what: str = "the payload") -> Any:
    """JSON text, bounded; `Damaged` if it is not JSON or too large or deep."""
    _need(isinstance(text, str), f"{what} is not text")
    assert isinstance(text, str)
    _need(len(text) <= MAX_PAYLOAD_BYTES, f"{what} is larger than {MAX_PAYLOAD_BYTES:,} bytes")
    if text.count("[") + text.count("{") > MAX_DEPTH:
        _need(_depth(text) <= MAX_DEPTH, f"{what} nests deeper than {MAX_DEPTH}")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise Damaged(f"{what} is not JSON ({error})") from None


def _entry(entry: object, number: int) -> None:
    where = f"applied entry {number}"
    e = _map(entry, where)
    table = e.get("table")
    _need(table in TABLES, f"{where} has no known table")
    if table == "encounter":
        _need("after" in e, f"{where} has no 'after'")
        after = e["after"]
        _need(after is None or isinstance(after, dict), f"{where}: 'after' is not a mapping")
        return
    if table == "rulebooks":
        for key in ("before", "after"):
            folders = e.get(key)
            _need(
                isinstance(folders, list) and all(isinstance(f, str) for f in folders),
                f"{where}: '{key}' is not a list of folders",
            )
        return
    _str(e.get("character"), f"{where}: 'character'")
    _str(e.get("what"), f"{where}: 'what'")
    if table == "conditions":
        _need(isinstance(e.get("added", False), bool), f"{where}: 'added' is not true or false")
        _int(e.get("expires"), f"{where}: 'expires'", none=True)
        _int(e.get("previous"), f"{where}: 'previous'", none=True)
    elif table == "flags":
        _need("after" in e, f"{where} has no 'after'")
        _int(e.get("paused", 0), f"{where}: 'paused'")
        _int(e.get("at", 0), f"{where}: 'at'")
    elif table == "sheet":
        _map(e.get("after"), f"{where}: 'after'")
        _need("before" in e, f"{where} has no 'before'")
    elif table == "fired":
        _need(isinstance(e.get("added", True), bool), f"{where}: 'added' is not true or false")
    else:
        _int(e.get("after"), f"{where}: 'after'")
        _int(e.get("before"), f"{where}: 'before'", none=True)
        _int(e.get("since", 0), f"{where}: 'since'")


def _sheet(value: object) -> None:
    sheet = _map(value, "'sheet'")
    _str(sheet.get("name"), "the sheet's 'name'")
    for key in ("attributes", "resources", "tracks"):
        values = _map(sheet.get(key, {}), f"the sheet's '{key}'")
        for name, number in values.items():
            _int(number, f"the sheet's {key} '{name}'")
    _need(isinstance(sheet.get("abilities", []), list), "the sheet's 'abilities' is not a list")
    _need(isinstance(sheet.get("conditions", []), list), "the sheet's 'conditions' is not a list")


def check_payload(kind: str, payload: object) -> Mapping[str, Any]:
    """The payload of an event of `kind`, if it has the shape that kind needs."""
    _need(kind in KINDS, f"its kind {kind!r} is unknown")
    p = _map(payload, "the payload")
    applied = p.get("applied", [])
    _need(isinstance(applied, list), "'applied' is not a list")
    for number, entry in enumerate(applied, 1):
        _entry(entry, number)
    _str(p.get("summary"), "'summary'")
    _need(
        isinstance(p.get("notes", []), list)
        and all(isinstance(n, str) for n in p.get("notes", [])),
        "'notes' is not a list of text",
    )
    if kind == "join":
        _str(p.get("character"), "'character'")
        _sheet(p.get("sheet"))
        for key in ("resources", "tracks"):
            for name, number in _map(p.get(key), f"'{key}'").items():
                _int(number, f"{key} '{name}'")
        conditions = p.get("conditions")
        _need(isinstance(conditions, list), "'conditions' is not a list")
        assert isinstance(conditions, list)
        _need(all(isinstance(c, str) for c in conditions), "a condition is not text")
    elif kind in ("leave", "rejoin"):
        _str(p.get("character"), "'character'")
    elif kind == "resolution":
        for key in ("request", "inputs", "result"):
            _map(p.get(key), f"'{key}'")
    if kind in ("undo", "leave") and "undoes" in p:
        _int(p["undoes"], "'undoes'")
    if "from" in p:
        _int(p["from"], "'from'")
    if "minutes" in p:
        _int(p["minutes"], "'minutes'")
    return p


def decode(seq: int, kind: object, time: object, payload: object) -> Mapping[str, Any]:
    """A row's payload, decoded and checked; `Damaged` saying what is wrong."""
    _str(kind, "its kind")
    _int(time, "its time")
    assert isinstance(kind, str)
    return check_payload(kind, parse(payload))
