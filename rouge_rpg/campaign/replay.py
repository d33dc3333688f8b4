"""Replaying a campaign: every recorded resolution re-run from its seed and inputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from rouge_rpg.campaign.actions import Request, _result_json, run
from rouge_rpg.campaign.journal import Journal
from rouge_rpg.campaign.state import character_from_json
from rouge_rpg.engine import Being
from rouge_rpg.errors import RougeError
from rouge_rpg.rules.rulebook import Rulebook

#: What must be the same for a resolution to count as reproduced.
COMPARED = ("outcome", "allowed", "total", "dice", "vs", "effects")


@attrs.frozen
class Replayed:
    """One recorded resolution, run again."""

    seq: int
    summary: str
    differences: tuple[str, ...] = ()
    same_rulebook: bool = True

    @property
    def reproduced(self) -> bool:
        return not self.differences

    def to_json(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "summary": self.summary,
            "reproduced": self.reproduced,
            "differences": list(self.differences),
            "same_rulebook": self.same_rulebook,
        }


def being_of_inputs(data: Mapping[str, Any] | None) -> Being | None:
    """A member as a resolution's inputs recorded it (None for no one)."""
    if data is None:
        return None
    return Being.of(
        character_from_json(data["sheet"]),
        resources=dict(data["resources"]),
        tracks=dict(data["tracks"]),
        conditions=frozenset(data["conditions"]),
    )


def replay(journal: Journal, rulebook: Rulebook) -> list[Replayed]:
    """Re-run every resolution and initiative roll of the journal; say which no longer reproduce.

    A resolution runs again from its recorded request and inputs; an
    encounter's initiative from its seed and the state just before it.
    """
    results: list[Replayed] = []
    for event in journal.events():
        if event.kind == "encounter":
            found = _initiative_again(journal, rulebook, event.seq, dict(event.payload))
            if found is not None:
                results.append(found)
            continue
        if event.kind != "resolution":
            continue
        payload = event.payload
        recorded = payload["result"]
        request = Request.from_json(payload["request"])
        actor = being_of_inputs(payload["inputs"]["actor"])
        assert actor is not None
        target = being_of_inputs(payload["inputs"].get("target"))
        same = payload.get("rulebook") == rulebook.content_hash
        try:
            now = _result_json(run(rulebook, request, actor, target))
        except RougeError as error:
            results.append(
                Replayed(event.seq, payload["summary"], (f"now fails: {error.message}",), same)
            )
            continue
        differences = tuple(
            f"{key}: recorded {recorded.get(key)!r}, now {now.get(key)!r}"
            for key in COMPARED
            if recorded.get(key) != now.get(key)
        )
        results.append(Replayed(event.seq, payload["summary"], differences, same))
    return results


def _initiative_again(
    journal: Journal, rulebook: Rulebook, seq: int, payload: dict[str, Any]
) -> Replayed | None:
    from rouge_rpg.campaign.encounter import rolled_again

    try:
        differences = rolled_again(rulebook, journal.state(upto=seq - 1), payload)
    except RougeError as error:
        return Replayed(seq, str(payload.get("summary", "")), (f"now fails: {error.message}",))
    if differences is None:
        return None
    return Replayed(seq, str(payload.get("summary", "")), tuple(differences))
