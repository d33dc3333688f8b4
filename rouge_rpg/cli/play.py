"""`rouge check`, `rouge free-will` and `rouge use`: the GM's commands at the table.

With an active campaign the command reads the character's state from the
journal, and records the resolution and its effects there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rouge_rpg.checked_sheets import read_sheet
from rouge_rpg.cli import complete
from rouge_rpg.cli.active import campaign_option, campaign_rulebook, journal_at, rulebook_option
from rouge_rpg.cli.output import MAX_MAGNITUDE, echo_json
from rouge_rpg.errors import RougeError

if TYPE_CHECKING:
    from rouge_rpg.engine import ActionKind


def _common(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every table command shares."""
    options = [
        rulebook_option,
        campaign_option,
        click.option("--no-campaign", is_flag=True, help="Do not read or record any campaign."),
        click.option(
            "--mod",
            "mods",
            type=click.IntRange(-MAX_MAGNITUDE, MAX_MAGNITUDE),
            multiple=True,
            help="An extra modifier to the roll (repeatable).",
        ),
        click.option("--seed", type=int, default=None, help="Seed for a reproducible roll."),
        click.option(
            "--secret",
            is_flag=True,
            help="In a campaign: a roll the players do not see (hidden by export --players).",
        ),
        click.option(
            "--again",
            is_flag=True,
            help="In a campaign: record a seeded roll that is already recorded, once more.",
        ),
        click.option("--explain", is_flag=True, help="Show the trace: every rule consulted."),
        click.option(
            "--odds",
            "show_odds",
            is_flag=True,
            help="Print the exact chance of each outcome instead of rolling.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print JSON."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def split_vs(text: str) -> tuple[str, str | None]:
    """`ash.yaml:reflex` → (`ash.yaml`, `reflex`); a plain path → (path, None)."""
    head, sep, tail = text.rpartition(":")
    if sep and tail.isidentifier() and not Path(text).exists():
        return head, tail
    return text, None


def _table_command(
    kind: ActionKind,
    name: str,
    sheet: str,
    others: tuple[str, ...],
    *,
    args: dict[str, Any] | None = None,
    defense: str | None = None,
    pushes: tuple[str, ...] = (),
    rulebooks: tuple[str, ...],
    campaign: str | None,
    no_campaign: bool,
    mods: tuple[int, ...],
    seed: int | None,
    again: bool,
    secret: bool,
    explain: bool,
    show_odds: bool,
    as_json: bool,
) -> None:
    """Load, resolve (or give odds), record in the campaign if there is one, and print.

    SHEET and the other parties are sheet files, or in a campaign the ids of its
    members. A check's SHEET may name a group (`rouge,naomi`): each member rolls,
    and the group's outcome is read as the check says. A use may have several
    targets: it is resolved against each in turn, its costs paid once.
    """
    from rouge_rpg.campaign.actions import (
        Request,
        action_of,
        new_seed,
        play_all,
        push_seed,
        run,
    )
    from rouge_rpg.campaign.journal import campaign_path
    from rouge_rpg.campaign.members import seat_for
    from rouge_rpg.cli.render import applied_lines, resolution_lines
    from rouge_rpg.engine import Being, apply_resolution, odds
    from rouge_rpg.rules import load

    if HOSTILE in others:
        others = _hostile(others, sheet, campaign, no_campaign, rulebooks)
    actors = [s for s in sheet.split(",") if s] if kind == "check" else [sheet]
    if len(actors) > 1 and len(others) > 1:
        raise RougeError("a group rolls against one other party at a time")
    pairs = (
        [(a, others[0] if others else None) for a in actors]
        if len(others) <= 1
        else [(sheet, o) for o in others]
    )
    path = None if no_campaign else campaign_path(campaign)
    journal = journal_at(path) if path is not None else None
    try:
        state = journal.state() if journal is not None else None
        rulebook = campaign_rulebook(journal, rulebooks, state) if journal else load(*rulebooks)

        def read(file: Path) -> Any:
            return read_sheet(file, rulebook)

        beings: dict[str, tuple[str, Any]] = {}  # as given → (id, being)
        notes: list[str] = []
        for text in dict.fromkeys([*actors, *others]):
            try:
                if journal is not None and state is not None:
                    found = seat_for(state, text, journal.path, read)
                    beings[text] = (found.member.id, found.being)
                    notes.extend(found.notes)
                else:
                    character = read_sheet(Path(text), rulebook)
                    beings[text] = (character.id, Being.of(character))
            except RougeError as error:
                raise _swapped(error, kind, name, text, rulebook) from None
        chosen = seed if seed is not None else new_seed()
        pushed = tuple((push, push_seed(chosen, i)) for i, push in enumerate(pushes))
        requests = [
            Request(
                kind,
                name,
                beings[actor][0],
                beings[other][0] if other else None,
                dict(args or {}),
                tuple(mods),
                chosen,
                defense,
                part,
                part == 0,
                pushed,
            )
            for part, (actor, other) in enumerate(pairs)
        ]
        for note in dict.fromkeys(notes):
            click.echo(f"note: {note}", err=True)

        def action(part: int) -> Any:
            actor, other = pairs[part]
            being = beings[actor][1]
            return action_of(requests[part], being, beings[other][1] if other else None)

        if show_odds:
            _print_odds(
                rulebook,
                kind,
                name,
                [odds(rulebook, action(i)) for i in range(len(pairs))],
                [beings[a][1].name for a, _ in pairs],
                group=len(actors) > 1,
                as_json=as_json,
            )
            return
        results: list[Any] = []
        state_lines: list[str] = []
        if journal is not None:
            played = play_all(
                journal, rulebook, requests, seeded=seed is not None, again=again, secret=secret
            )
            results = [result for result, _ in played]
            landed = [n for _, said in played for n in said]
            state_lines = ["state:", *(f"  {n}" for n in landed)] if landed else []
            state_lines.append(f"recorded in {journal.path}")
        else:
            for part, (actor, other) in enumerate(pairs):
                doer = beings[actor][1]
                victim = beings[other][1] if other else None
                result = run(rulebook, requests[part], doer, victim)
                moved, hit, done = apply_resolution(rulebook, doer, victim, result)
                beings[actor] = (beings[actor][0], moved)  # the next part sees the costs paid
                if other and hit is not None:
                    beings[other] = (beings[other][0], hit)
                results.append(result)
                state_lines += applied_lines(done)[1:]
            state_lines = ["state:", *state_lines] if state_lines else []
        group = _group_line(rulebook, results) if len(actors) > 1 else None
        if as_json:
            data = (
                results[0].to_json()
                if len(results) == 1
                else {"results": [r.to_json() for r in results]}
            )
            if group is not None:
                data["group"] = {"outcome": group[0], "reads": group[1]}
            data["seed"] = chosen
            echo_json(data)
            return
        for result in results:
            for line in resolution_lines(result, explain=explain):
                click.echo(line)
        if group is not None:
            click.echo(f"group ({group[1]}): {group[0]}")
        for line in state_lines:
            click.echo(line)
        if seed is None and journal is None:
            click.echo(f"seed {chosen} (rouge ... --seed {chosen} rolls it again)")
    finally:
        if journal is not None:
            journal.close()


#: A target that names every participant of the encounter hostile to the actor.
HOSTILE = "@hostile"


def _hostile(
    others: tuple[str, ...],
    sheet: str,
    campaign: str | None,
    no_campaign: bool,
    rulebooks: tuple[str, ...],
) -> tuple[str, ...]:
    """`@hostile` replaced by the encounter's participants hostile to the actor."""
    from rouge_rpg.campaign.encounter import hostile_participants
    from rouge_rpg.campaign.journal import CampaignError, campaign_path
    from rouge_rpg.campaign.members import seat_for

    path = None if no_campaign else campaign_path(campaign)
    if path is None:
        raise CampaignError(f"{HOSTILE} names the participants of an encounter: it needs one")
    journal = journal_at(path)
    try:
        rulebook = campaign_rulebook(journal, rulebooks)
        state = journal.state()
        actor = seat_for(state, sheet, journal.path, lambda f: read_sheet(f, rulebook)).member
        found = hostile_participants(state, rulebook, actor.id)
    finally:
        journal.close()
    expanded: list[str] = []
    for other in others:
        expanded.extend(found if other == HOSTILE else [other])
    return tuple(dict.fromkeys(expanded))


def _group_line(rulebook: Any, results: list[Any]) -> tuple[str, str]:
    """The group's outcome and how it was read."""
    from rouge_rpg.engine.checks import read_group
    from rouge_rpg.rules import ast

    check = rulebook.require(results[0].check, ast.Check)
    return read_group(check, [r.outcome for r in results]), check.group or "half"


def _print_odds(
    rulebook: Any,
    kind: ActionKind,
    name: str,
    found: list[Any],
    who: list[str],
    *,
    group: bool,
    as_json: bool,
) -> None:
    """Each part's exact odds; for a group, the group's own."""
    from rouge_rpg.cli.render import odds_lines
    from rouge_rpg.engine.checks import group_odds
    from rouge_rpg.rules import ast

    definition = rulebook.get(found[0].check if kind == "check" else name)
    title = definition.display if definition is not None else name
    if group:
        whole = group_odds(rulebook.require(found[0].check, ast.Check), found)
        if as_json:
            echo_json({**whole.to_json(), "members": [f.to_json() for f in found]})
            return
        for line in odds_lines(f"{', '.join(who)} as a group: {title}", whole):
            click.echo(line)
        return
    if as_json:
        echo_json(found[0].to_json() if len(found) == 1 else [f.to_json() for f in found])
        return
    for person, each in zip(who, found, strict=True):
        for line in odds_lines(f"{person}: {title}", each):
            click.echo(line)


def _swapped(
    error: RougeError, kind: ActionKind, name: str, sheet: str, rulebook: Any
) -> RougeError:
    """The error, with a hint when SHEET names a rule and the rule's place holds a sheet."""
    if rulebook.get(sheet) is not None and rulebook.get(name) is None and error.hint is None:
        order = {
            "check": "rouge check SHEET CHECK",
            "free-will": "rouge free-will SHEET --act ACT",
            "use": "rouge use SHEET ABILITY",
        }[kind]
        error.hint = f"the arguments look swapped: '{sheet}' is a rule; write {order}"
    return error


@click.command("check")
@click.argument("sheet", type=click.Path(), shell_complete=complete.sheets)
@click.argument(
    "action", metavar="CHECK_OR_ATTRIBUTE", shell_complete=complete.checks_and_attributes
)
@click.option("--dc", type=int, default=None, help="The difficulty (the check's dc parameter).")
@click.option(
    "--vs",
    "versus",
    default=None,
    metavar="SHEET[:ATTRIBUTE]",
    help="An opposed roll against another character, defending with ATTRIBUTE.",
    shell_complete=complete.versus,
)
@click.option(
    "--with",
    "given",
    multiple=True,
    metavar="NAME=VALUE",
    help="A value for one of the check's parameters (repeatable): --with position=desperate.",
)
@click.option(
    "--push",
    "pushes",
    multiple=True,
    metavar="PUSH",
    help="Push the roll at once with the check's PUSH (repeatable, in order).",
    shell_complete=complete.pushes,
)
@_common
def check(
    sheet: str,
    action: str,
    dc: int | None,
    versus: str | None,
    given: tuple[str, ...],
    pushes: tuple[str, ...],
    **options: Any,
) -> None:
    """Roll a check or an attribute for the character of SHEET.

    In a campaign, `rouge push` pushes the last roll afterwards; --push pushes at
    once (and is how a roll outside a campaign is pushed).
    """
    if dc is not None and versus is not None:
        raise RougeError("give --dc or --vs, not both")
    other, defense = split_vs(versus) if versus else (None, None)
    args: dict[str, Any] = {"dc": dc} if dc is not None else {}
    for item in given:
        name, equals, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not equals or not name or not text:
            raise RougeError(f"--with {item}: write NAME=VALUE, such as --with position=risky")
        if name in args:
            raise RougeError(f"a value for '{name}' is given twice")
        args[name] = text
    others = (other,) if other else ()
    if pushes and options["show_odds"]:
        raise RougeError("--odds weighs a roll before it is made; push it with rouge push --odds")
    _table_command(
        "check", action, sheet, others, args=args, defense=defense, pushes=pushes, **options
    )


@click.command("free-will")
@click.argument("sheet", type=click.Path(), shell_complete=complete.sheets)
@click.option(
    "--act",
    required=True,
    help="The act attempted, e.g. disobey or harm.",
    shell_complete=complete.definitions("act"),
)
@click.option(
    "--by",
    "by",
    default=None,
    metavar="SHEET",
    help="The other party: the human who gave the order, or would be harmed.",
    shell_complete=complete.sheets,
)
@_common
def free_will(sheet: str, act: str, by: str | None, **options: Any) -> None:
    """A Nean faces the Asimov Code: may the character of SHEET do ACT?"""
    _table_command("free-will", act, sheet, (by,) if by else (), **options)


@click.command("use")
@click.argument("sheet", type=click.Path(), shell_complete=complete.sheets)
@click.argument("ability", shell_complete=complete.abilities)
@click.option(
    "--target",
    "-t",
    "targets",
    multiple=True,
    metavar="SHEET",
    help="The target's sheet or id; repeat it for several targets (costs paid once); "
    "@hostile: every participant of the encounter hostile to the actor.",
    shell_complete=complete.sheets,
)
@_common
def use(sheet: str, ability: str, targets: tuple[str, ...], **options: Any) -> None:
    """Use a faction ability or an Immortal Nine power, paying its cost.

    Against several targets (--target a --target b) it is resolved against each
    in turn, with one seed; its costs are paid once, except those the rulebook
    says are paid per target.
    """
    _table_command("use", ability, sheet, targets, **options)


@click.command("push")
@click.argument("push_name", metavar="[PUSH]", required=False, shell_complete=complete.pushes)
@campaign_option
@rulebook_option
@click.option("--seed", type=int, default=None, help="Seed for the dice the push rolls.")
@click.option("--explain", is_flag=True, help="Show the trace: every rule consulted.")
@click.option(
    "--odds",
    "show_odds",
    is_flag=True,
    help="Print the exact chance of each outcome if pushed, the dice that stay as they are.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def push(
    push_name: str | None,
    campaign: str | None,
    rulebooks: tuple[str, ...],
    seed: int | None,
    explain: bool,
    show_odds: bool,
    as_json: bool,
) -> None:
    """Push the campaign's last roll: reroll some of its dice, as the check's PUSH says.

    PUSH may be left out when the check has one push. The pushed roll replaces
    the roll's outcome and effects, and pays the push's price; `campaign undo`
    gives the roll back as it was.
    """
    from rouge_rpg.campaign import actions
    from rouge_rpg.campaign.journal import CampaignError, campaign_path
    from rouge_rpg.campaign.replay import being_of_inputs
    from rouge_rpg.cli.render import odds_lines, resolution_lines
    from rouge_rpg.engine import check_for, push_odds
    from rouge_rpg.engine.checks import find_push

    path = campaign_path(campaign)
    if path is None:
        raise CampaignError(
            "rouge push pushes the last roll of a campaign, and there is none here",
            hint="outside a campaign, push as you roll: rouge check SHEET CHECK --push PUSH",
        )
    journal = journal_at(path)
    try:
        rulebook = campaign_rulebook(journal, rulebooks)
        event, request = actions.last_roll(journal)
        check = check_for(rulebook, request.name, opposed=request.target is not None)[0]
        name = find_push(check, push_name).name.text
        if show_odds:
            inputs = event.payload["inputs"]
            doer = being_of_inputs(inputs["actor"])
            assert doer is not None
            found = push_odds(
                rulebook,
                actions.action_of(request, doer, being_of_inputs(inputs.get("target"))),
                name,
                rng=request.rng(),
            )
            if as_json:
                echo_json(found.to_json())
                return
            title = f"{doer.name}: {check.display}, pushed"
            for line in odds_lines(title, found):
                click.echo(line)
            return
        chosen = seed if seed is not None else actions.new_seed()
        result, notes = actions.push(journal, rulebook, name, seed=chosen)
        if as_json:
            data = result.to_json()
            data["seed"] = chosen
            echo_json(data)
            return
        for line in resolution_lines(result, explain=explain):
            click.echo(line)
        if notes:
            click.echo("state:")
            for note in notes:
                click.echo(f"  {note}")
        click.echo(f"recorded in {journal.path}")
    finally:
        journal.close()
