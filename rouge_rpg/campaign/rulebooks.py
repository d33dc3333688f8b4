"""The campaign's rulebooks: the folders its commands use, house rules included.

They are recorded relative to the campaign file's folder where they can be,
so a campaign folder moved with its house rules keeps working. `init` records
the first list (in the file's meta); `rulebook add` and `remove` change it
later, each an event (`rulebooks`) that undo reverses; the state holds the
list in force. With no folder, the bundled rulebook is used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rouge_rpg.campaign.journal import CampaignError, Journal, kept_path
from rouge_rpg.campaign.state import CampaignState
from rouge_rpg.resources import rulebook_folder


def stored(folder: str, campaign: Path) -> str:
    """A rulebook folder as the campaign keeps it: relative when inside the campaign's folder;
    a bundled rulebook named alone (`pbta`) by its name."""
    if not Path(folder).exists() and rulebook_folder(folder) != Path(folder):
        return folder
    return kept_path(folder, campaign)


def resolved(folders: list[str] | tuple[str, ...], campaign: Path) -> tuple[str, ...]:
    """The folders a campaign keeps, as paths to read (relative ones from its file's folder)."""
    base = campaign.resolve().parent

    def place(folder: str) -> str:
        if Path(folder).is_absolute() or (base / folder).exists():
            return str(base / folder)
        bundled = rulebook_folder(folder)
        return str(bundled if bundled != Path(folder) else base / folder)

    return tuple(place(f) for f in folders)


def in_force(journal: Journal, state: CampaignState | None = None) -> tuple[str, ...]:
    """The campaign's rulebook folders now, as paths to read."""
    state = state if state is not None else journal.state()
    folders = state.rulebooks if state.rulebooks is not None else journal.meta("rulebooks")
    return resolved(list(folders or ()), journal.path)


def change(
    journal: Journal, folder: str, *, add: bool, check: Callable[[tuple[str, ...]], object]
) -> tuple[list[str], str]:
    """Add a rulebook folder (laid over the others) or remove one: an event.

    `check` is given the folders as they would be, to load them: nothing is
    recorded unless they do.
    """
    with journal.transaction():
        state = journal.state()
        before = list(
            state.rulebooks if state.rulebooks is not None else journal.meta("rulebooks") or ()
        )
        kept = stored(folder, journal.path)
        if add:
            if kept in before:
                raise CampaignError(f"the campaign already uses {kept}")
            if not rulebook_folder(folder).is_dir():
                raise CampaignError(f"{folder} is not a rulebook folder")
            after = [*before, kept]
            summary = f"rulebook {kept} added" + (" (over the bundled one)" if not before else "")
        else:
            if kept not in before:
                have = ", ".join(before) or "the bundled rulebook only"
                raise CampaignError(f"the campaign does not use {kept} (it uses: {have})")
            after = [f for f in before if f != kept]
            summary = f"rulebook {kept} removed"
        check(resolved(after, journal.path))
        entry = {
            "character": None,
            "table": "rulebooks",
            "what": "rulebooks",
            "before": before,
            "after": after,
        }
        journal.append(state, "rulebooks", state.time, {"applied": [entry], "summary": summary})
    return after, summary
