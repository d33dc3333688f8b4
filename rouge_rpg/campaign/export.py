"""The session log for the table's notes: Markdown or JSON."""

from __future__ import annotations

from typing import Any

from rouge_rpg.campaign.gametime import format_time
from rouge_rpg.campaign.journal import Event, Journal
from rouge_rpg.campaign.state import CampaignState


def event_line(event: Event, *, undone: bool = False) -> str:
    """`#12  day 1, 06:00  resolution  Rouge Redstar: Action → success (13)`."""
    mark = " (undone)" if undone else ""
    return (
        f"#{event.seq:<5} {format_time(event.time)}  {event.kind:<10}  "
        + str(event.payload.get("summary", ""))
        + mark
    )


def status_json(state: CampaignState, *, only: str | None = None) -> dict[str, Any]:
    """The current state of every character (or of one), for programs."""
    return {
        "time": state.time,
        "clock": format_time(state.time),
        "events": state.seq,
        "characters": [
            {
                "id": c.id,
                "name": c.name,
                "faction": c.sheet.get("faction"),
                "active": c.active,
                "benched": c.benched,
                "resources": dict(c.resources),
                "tracks": dict(c.tracks),
                "conditions": sorted(c.conditions),
                "expires": {k: v for k, v in sorted(c.conditions.items()) if v is not None},
            }
            for c in state.characters.values()
            if only is None or c.id == only
        ],
    }


def undone(events: list[Event]) -> set[int]:
    """The events that a later undo (or a join's reversal) took back."""
    return {
        int(e.payload["undoes"])
        for e in events
        if e.kind in ("undo", "leave") and isinstance(e.payload.get("undoes"), int)
    }


def markdown(journal: Journal) -> str:
    """The whole log as Markdown: a heading, then one bullet per event, then the state."""
    state = journal.state()
    lines = [
        f"# Campaign log: {journal.path.name}",
        "",
        f"Game time: {format_time(state.time)}",
        "",
    ]
    events = journal.events()
    taken_back = undone(events)
    for event in events:
        payload = event.payload
        when = format_time(event.time)
        summary = payload.get("summary", "")
        if event.seq in taken_back:
            summary = f"~~{summary}~~ (undone)"
        line = f"- **{when}** (#{event.seq}, {event.kind}) {summary}"
        result = payload.get("result")
        if isinstance(result, dict):
            if result.get("dice"):
                line += f"  \n  {result['dice']}"
            if result.get("narrative"):
                line += f"  \n  *{result['narrative']}*"
        lines.append(line)
    lines += ["", "## Where everyone stands", ""]
    for c in state.characters.values():
        values = ", ".join(f"{k} {v}" for k, v in {**c.resources, **c.tracks}.items())
        conditions = ", ".join(sorted(c.conditions)) or "none"
        left = "" if c.active else " (left)"
        lines.append(f"- **{c.name}**{left}: {values}; conditions: {conditions}")
    return "\n".join(lines) + "\n"


def json_log(journal: Journal) -> dict[str, Any]:
    """The whole log and the current state, for programs; undone events say so."""
    events = journal.events()
    taken_back = undone(events)
    return {
        "campaign": str(journal.path),
        "created": journal.meta("created"),
        "status": status_json(journal.state()),
        "events": [{**e.to_json(), "undone": e.seq in taken_back} for e in events],
    }
