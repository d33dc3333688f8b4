"""The session log for the table's notes: Markdown or JSON."""

from __future__ import annotations

from typing import Any

from rouge_rpg.campaign.gametime import format_time
from rouge_rpg.campaign.journal import Event, Journal
from rouge_rpg.campaign.state import CampaignState


def event_line(event: Event) -> str:
    """`#12  day 1, 06:00  resolution  Rouge Redstar: Action → success (13)`."""
    return f"#{event.seq:<5} {format_time(event.time)}  {event.kind:<10}  " + str(
        event.payload.get("summary", "")
    )


def status_json(state: CampaignState) -> dict[str, Any]:
    """The current state of every character, for programs."""
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
                "resources": dict(c.resources),
                "tracks": dict(c.tracks),
                "conditions": sorted(c.conditions),
            }
            for c in state.characters.values()
        ],
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
    for event in journal.events():
        payload = event.payload
        when = format_time(event.time)
        line = f"- **{when}** (#{event.seq}, {event.kind}) {payload.get('summary', '')}"
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
    """The whole log and the current state, for programs."""
    return {
        "campaign": str(journal.path),
        "created": journal.meta("created"),
        "status": status_json(journal.state()),
        "events": [e.to_json() for e in journal.events()],
    }
