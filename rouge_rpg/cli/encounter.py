"""`rouge encounter ...`: a fight (or any scene) with turn order, rounds and durations by round."""

from __future__ import annotations

from typing import Any

import click

from rouge_rpg.cli import complete
from rouge_rpg.cli.active import campaign_option, campaign_rulebook, open_journal
from rouge_rpg.cli.output import echo_json

_json = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _say(lines: list[str], as_json: bool, **data: Any) -> None:
    if as_json:
        echo_json({**data, "lines": lines})
        return
    for line in lines:
        click.echo(line)


@click.group()
def encounter() -> None:
    """Run an encounter in the campaign: initiative, turns, rounds, durations by round.

    \b
    rouge encounter start "Cathedral" rouge naomi wm1 wm2 wm3 --group
    rouge encounter next
    rouge encounter status
    rouge encounter end
    """


@encounter.command("start")
@click.argument("name")
@click.argument("characters", nargs=-1, shell_complete=complete.member_ids)
@click.option(
    "--check",
    default=None,
    metavar="CHECK",
    shell_complete=complete.checks_and_attributes,
    help="What initiative rolls (default: the check the rulebook marks initiative).",
)
@click.option(
    "--round",
    "round_length",
    default=None,
    metavar="DURATION",
    help="Game time a round takes (1m, 6h...); default: as the rulebook says, else none.",
)
@click.option("--group", is_flag=True, help="NPCs joined from one sheet act as one group.")
@click.option("--seed", type=int, default=None, help="Seed for the initiative rolls.")
@campaign_option
@_json
def start_command(
    name: str,
    characters: tuple[str, ...],
    check: str | None,
    round_length: str | None,
    group: bool,
    seed: int | None,
    campaign: str | None,
    as_json: bool,
) -> None:
    """Start an encounter with these characters (default: everyone present); roll initiative."""
    from rouge_rpg.campaign.actions import new_seed
    from rouge_rpg.campaign.encounter import start
    from rouge_rpg.campaign.gametime import parse_duration

    minutes = parse_duration(round_length) if round_length else None  # None: the rulebook's
    chosen = seed if seed is not None else new_seed()
    with open_journal(campaign) as journal:
        rulebook = campaign_rulebook(journal, ())
        lines = start(
            journal,
            rulebook,
            name,
            characters,
            seed=chosen,
            check=check,
            round_minutes=minutes,
            groups=group,
        )
    _say(lines, as_json, encounter=name, seed=chosen)


@encounter.command("next")
@campaign_option
@_json
def next_command(campaign: str | None, as_json: bool) -> None:
    """The next turn: whose it is, what ran out, who is skipped."""
    from rouge_rpg.campaign.encounter import next_turn

    with open_journal(campaign) as journal:
        lines = next_turn(journal, campaign_rulebook(journal, ()))
    _say(lines, as_json)


@encounter.command("end")
@campaign_option
@_json
def end_command(campaign: str | None, as_json: bool) -> None:
    """End the encounter: what lasted the scene runs out."""
    from rouge_rpg.campaign.encounter import end

    with open_journal(campaign) as journal:
        lines = end(journal)
    _say(lines, as_json)


@encounter.command("status")
@campaign_option
@_json
def status_command(campaign: str | None, as_json: bool) -> None:
    """The order, whose turn, the round, and each participant's values and conditions."""
    from rouge_rpg.campaign.encounter import status_lines

    with open_journal(campaign) as journal:
        state = journal.state()
        rulebook = campaign_rulebook(journal, ())
    if as_json:
        echo_json({"encounter": state.encounter})
        return
    for line in status_lines(state, rulebook):
        click.echo(line)


@encounter.command("add")
@click.argument("characters", nargs=-1, required=True, shell_complete=complete.member_ids)
@click.option("--seed", type=int, default=None, help="Seed for their initiative.")
@campaign_option
@_json
def add_command(
    characters: tuple[str, ...], seed: int | None, campaign: str | None, as_json: bool
) -> None:
    """Characters join the running encounter, rolling initiative."""
    from rouge_rpg.campaign.actions import new_seed
    from rouge_rpg.campaign.encounter import join

    chosen = seed if seed is not None else new_seed()
    with open_journal(campaign) as journal:
        lines = join(journal, campaign_rulebook(journal, ()), characters, seed=chosen)
    _say(lines, as_json, seed=chosen)


@encounter.command("remove")
@click.argument("characters", nargs=-1, required=True, shell_complete=complete.member_ids)
@campaign_option
@_json
def remove_command(characters: tuple[str, ...], campaign: str | None, as_json: bool) -> None:
    """Characters leave the encounter."""
    from rouge_rpg.campaign.encounter import leave

    with open_journal(campaign) as journal:
        lines = leave(journal, characters)
    _say(lines, as_json)


@encounter.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("character", shell_complete=complete.member_ids)
@click.argument("initiative", type=int)
@campaign_option
@_json
def set_command(character: str, initiative: int, campaign: str | None, as_json: bool) -> None:
    """Set a participant's initiative by hand."""
    from rouge_rpg.campaign.encounter import set_initiative

    with open_journal(campaign) as journal:
        lines = set_initiative(journal, character, initiative)
    _say(lines, as_json)


@encounter.command("delay")
@campaign_option
@_json
def delay_command(campaign: str | None, as_json: bool) -> None:
    """The participant whose turn it is waits, and acts last from now on."""
    from rouge_rpg.campaign.encounter import delay

    with open_journal(campaign) as journal:
        lines = delay(journal)
    _say(lines, as_json)
