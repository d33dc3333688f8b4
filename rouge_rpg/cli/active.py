"""The campaign and rulebook a command works on: `--campaign`, `--rulebook`, the journal.

Shared by every command that reads or records a campaign. `rouge table` keeps its
journal open here (`keep`), and the commands it runs borrow it instead of opening
the file again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rouge_rpg.campaign.journal import Journal

rulebook_option = click.option(
    "--rulebook",
    "rulebooks",
    multiple=True,
    type=click.Path(),
    help="Rulebook folder; repeat for house-rule overlays. Default: the bundled rulebook.",
)

campaign_option = click.option(
    "--campaign",
    "campaign",
    default=None,
    metavar="PATH",
    help="The campaign file (default: $ROUGE_CAMPAIGN, else ./campaign.rouge.db).",
)


#: Journals kept open by `rouge table`, by resolved path: the commands it runs use them.
_kept: dict[Path, Journal] = {}


def keep(journal: Journal) -> None:
    """Let the commands of this process use `journal` instead of opening its file again."""
    _kept[journal.path.resolve()] = journal


def release(journal: Journal) -> None:
    _kept.pop(journal.path.resolve(), None)


def journal_at(path: Path, *, read_only: bool = False) -> Journal:
    """The campaign at `path`, open: the table's own journal if it keeps it, else opened."""
    from rouge_rpg.campaign.journal import Journal

    kept = _kept.get(path.resolve()) if _kept else None
    if kept is None:
        return Journal.open(path, read_only=read_only)
    return kept.borrowed()


def open_journal(option: str | None, *, read_only: bool = False) -> Any:
    """The active campaign's journal, or a clear error (`read_only` for commands that read)."""
    from rouge_rpg.campaign.journal import DEFAULT_FILE, CampaignError, campaign_path

    path = campaign_path(option)
    if path is None:
        raise CampaignError(
            f"no campaign: give --campaign PATH, set ROUGE_CAMPAIGN, or create ./{DEFAULT_FILE}",
            hint="rouge campaign init",
        )
    return journal_at(path, read_only=read_only)


def campaign_rulebook(journal: Any, rulebooks: tuple[str, ...], state: Any = None) -> Any:
    """The rulebook: --rulebook if given, else the campaign's folders (house rules included).

    `state`, the campaign's state if the caller has it already, spares folding it again.
    """
    from rouge_rpg.campaign.rulebooks import in_force
    from rouge_rpg.rules import load

    return load(*(rulebooks or in_force(journal, state)))
