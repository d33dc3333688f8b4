"""`rouge campaign adjust|add|remove|damage|heal|bench|return|leave|sync`: the GM's hand.

Each command is one journal event, undoable with `rouge campaign undo` and
shown in the log; `--note` says why. Amounts may be negative (`-1` lowers).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import click

from rouge_rpg.cli import complete
from rouge_rpg.cli.active import campaign_option, campaign_rulebook, open_journal
from rouge_rpg.cli.campaign import campaign
from rouge_rpg.cli.output import echo_json

__all__ = ["campaign"]

#: Lets `-1` be an amount rather than an unknown option.
_NUMBERS = {"ignore_unknown_options": True}

_note = click.option("--note", default=None, help="Why: shown in the log.")
_json = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _say(notes: list[str], as_json: bool, **data: Any) -> None:
    if as_json:
        echo_json({**data, "notes": notes})
        return
    for note in notes:
        click.echo(note)


def _with_rulebook(campaign_file: str | None, act: Callable[[Any, Any], list[str]]) -> list[str]:
    with open_journal(campaign_file) as journal:
        return act(journal, campaign_rulebook(journal, ()))


@campaign.command("adjust", context_settings=_NUMBERS)
@click.argument("character", shell_complete=complete.member_ids)
@click.argument("what", shell_complete=complete.definitions("resource", "track"))
@click.argument("amount")
@_note
@campaign_option
@_json
def adjust_command(
    character: str, what: str, amount: str, note: str | None, campaign: str | None, as_json: bool
) -> None:
    """Set, raise or lower a resource, track or clock: +2 raises, -1 lowers, 3 sets.

    \b
    rouge campaign adjust rouge harm +2 --note "fell from the monorail"
    rouge campaign adjust naomi nectar -1
    """
    from rouge_rpg.campaign.adjust import adjust

    notes = _with_rulebook(
        campaign, lambda j, rb: adjust(j, rb, character, what, amount, note=note)
    )
    _say(notes, as_json, character=character, what=what, amount=amount)


def _harm(verb: Literal["damage", "heal"], help_text: str) -> None:
    @campaign.command(verb, help=help_text)
    @click.argument("character", shell_complete=complete.member_ids)
    @click.argument("amount", type=int)
    @_note
    @campaign_option
    @_json
    def command(
        character: str, amount: int, note: str | None, campaign: str | None, as_json: bool
    ) -> None:
        from rouge_rpg.campaign.adjust import harm

        notes = _with_rulebook(
            campaign, lambda j, rb: harm(j, rb, character, verb, amount, note=note)
        )
        _say(notes, as_json, character=character, **{verb: amount})


_harm("damage", "Damage a character on the rulebook's damage track (its thresholds fire).")
_harm("heal", "Heal a character on the rulebook's damage track.")


@campaign.command("add")
@click.argument("character", shell_complete=complete.member_ids)
@click.argument("condition", shell_complete=complete.definitions("condition"))
@click.option(
    "--for",
    "lasting",
    default=None,
    metavar="DURATION",
    help="How long: game time (6h, 1d), or in an encounter rounds (2 rounds), "
    "turns (1 turn) or a scene. Default: as the rule says.",
)
@_note
@campaign_option
@_json
def add_command(
    character: str,
    condition: str,
    lasting: str | None,
    note: str | None,
    campaign: str | None,
    as_json: bool,
) -> None:
    """Give a character a condition: rouge campaign add rouge exposed --for 1d."""
    from rouge_rpg.campaign.adjust import condition as change
    from rouge_rpg.campaign.adjust import lasting as duration_of

    duration = duration_of(lasting) if lasting else None
    notes = _with_rulebook(
        campaign,
        lambda j, rb: change(j, rb, character, condition, add=True, duration=duration, note=note),
    )
    shown = str(duration) if duration else None
    _say(notes, as_json, character=character, condition=condition, duration=shown)


@campaign.command("remove")
@click.argument("character", shell_complete=complete.member_ids)
@click.argument("condition", shell_complete=complete.definitions("condition"))
@_note
@campaign_option
@_json
def remove_command(
    character: str, condition: str, note: str | None, campaign: str | None, as_json: bool
) -> None:
    """Lift a condition: rouge campaign remove rouge down."""
    from rouge_rpg.campaign.adjust import condition as change

    notes = _with_rulebook(
        campaign, lambda j, rb: change(j, rb, character, condition, add=False, note=note)
    )
    _say(notes, as_json, character=character, condition=condition)


def _membership(name: str, help_text: str, act_name: str) -> None:
    @campaign.command(name, help=help_text)
    @click.argument("character", shell_complete=complete.member_ids)
    @_note
    @campaign_option
    @_json
    def command(character: str, note: str | None, campaign: str | None, as_json: bool) -> None:
        from rouge_rpg.campaign import members

        act = getattr(members, act_name)
        with open_journal(campaign) as journal:
            said = act(journal, character, note)
        _say([said], as_json, character=character)


_membership(
    "bench",
    "Set a character aside: off the game clock (an NPC off-screen does not starve).",
    "bench",
)
_membership("return", "Bring a character set aside back to the table.", "back")
_membership("leave", "A character leaves the campaign (undo brings them back).", "leave")


@campaign.command("sync")
@click.argument("character", shell_complete=complete.member_ids)
@click.option("--sheet", "sheet", default=None, type=click.Path(), help="Read this file instead.")
@campaign_option
@_json
def sync_command(character: str, sheet: str | None, campaign: str | None, as_json: bool) -> None:
    """Record a character's sheet as its file says now (its state stays)."""
    from rouge_rpg.campaign.members import find, sheet_file, sync
    from rouge_rpg.errors import InputError
    from rouge_rpg.sheets import read_character

    with open_journal(campaign) as journal:
        rulebook = campaign_rulebook(journal, ())
        who = find(journal.state(), character)
        path = Path(sheet) if sheet else sheet_file(who, journal.path)
        if path is None:
            raise InputError(f"{who.name} joined without a sheet file; give one with --sheet")
        summary, what = sync(journal, who.id, read_character(path, rulebook))
    if as_json:
        echo_json({"character": who.id, "changes": what, "summary": summary})
        return
    click.echo(summary)


@campaign.group("rulebook")
def rulebook_group() -> None:
    """The campaign's rulebooks: list them, lay house rules over them, take them off.

    \b
    rouge campaign rulebook list
    rouge campaign rulebook add my_house
    rouge campaign rulebook remove my_house
    """


@rulebook_group.command("list")
@campaign_option
@_json
def rulebook_list(campaign: str | None, as_json: bool) -> None:
    """The rulebook folders the campaign's commands use, in order (house rules last)."""
    from rouge_rpg.campaign.rulebooks import in_force

    with open_journal(campaign) as journal:
        folders = in_force(journal)
        rulebook = campaign_rulebook(journal, ())
    shown = [str(f) for f in folders] or ["(the bundled rulebook)"]
    if as_json:
        echo_json({"rulebooks": list(folders), "title": rulebook.title})
        return
    click.echo(f"{rulebook.title}:")
    for folder in shown:
        click.echo(f"  {folder}")


def _rulebook_change(add: bool) -> None:
    verb = "add" if add else "remove"

    @rulebook_group.command(verb)
    @click.argument("folder", type=click.Path())
    @campaign_option
    @_json
    def command(folder: str, campaign: str | None, as_json: bool) -> None:
        from rouge_rpg.campaign.rulebooks import change
        from rouge_rpg.rules import load

        with open_journal(campaign) as journal:
            # the rulebooks as they would be must load: nothing is recorded otherwise
            after, summary = change(journal, folder, add=add, check=lambda f: load(*f))
        _say([summary], as_json, rulebooks=after)

    command.__doc__ = (
        "Lay a house-rule folder over the campaign's rulebooks (an event)."
        if add
        else "Take a rulebook folder off the campaign (an event)."
    )


_rulebook_change(True)
_rulebook_change(False)
