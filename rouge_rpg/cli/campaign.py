"""`rouge campaign ...`: a campaign's journal, state and time."""

from __future__ import annotations

import os
from pathlib import Path

import click

from rouge_rpg.cli import complete
from rouge_rpg.cli.active import campaign_option, campaign_rulebook, open_journal
from rouge_rpg.cli.output import MAX_MAGNITUDE, echo, echo_json, printable


@click.group()
def campaign() -> None:
    """Keep a campaign: characters, time, Nectar, and every roll, in one file."""


@campaign.command("init")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.argument("path", required=False, type=click.Path())
@click.option(
    "--rulebook",
    "rulebooks",
    multiple=True,
    type=click.Path(),
    help="Rulebook folder(s) for this campaign. Default: the bundled rulebook.",
)
def init(path: str | None, rulebooks: tuple[str, ...], as_json: bool) -> None:
    """Create a campaign file (default ./campaign.rouge.db)."""
    from rouge_rpg.campaign.journal import DEFAULT_FILE, Journal
    from rouge_rpg.campaign.rulebooks import stored
    from rouge_rpg.rules import load

    rulebook = load(*rulebooks)
    target = Path(path or DEFAULT_FILE)
    folders = [stored(f, target) for f in rulebooks]
    with Journal.create(target, {"rulebooks": folders, "rulebook_title": rulebook.title}):
        pass
    if as_json:
        echo_json({"campaign": str(target), "rulebook": rulebook.title, "rulebooks": folders})
        return
    echo(f"Created campaign {target} ({rulebook.title}).")
    echo(f"Next: rouge campaign join SHEET... --campaign {target}")


@campaign.command("join")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.argument("sheets", nargs=-1, required=True, type=click.Path())
@click.option("--as", "as_id", default=None, metavar="ID", help="The id to join under.")
@click.option(
    "--count",
    type=int,
    default=None,
    help="Join this many characters from one sheet (NPCs), each with its own state.",
)
@click.option(
    "--name",
    "pattern",
    default=None,
    metavar="PATTERN",
    help="With --count: their names, {n} for the number (default: the sheet's name and n).",
)
@campaign_option
@click.option("--rulebook", "rulebooks", multiple=True, type=click.Path(), hidden=True)
def join_command(
    sheets: tuple[str, ...],
    as_id: str | None,
    count: int | None,
    pattern: str | None,
    campaign: str | None,
    rulebooks: tuple[str, ...],
    as_json: bool,
) -> None:
    """Characters join under an id (from their name, or --as); their state starts from the sheet.

    \b
    rouge campaign join rouge.yaml naomi.yaml
    rouge campaign join usurper_war_machine.yaml --count 3 --as wm
    """
    from rouge_rpg.campaign.members import join
    from rouge_rpg.sheets import read_character

    with open_journal(campaign) as journal:
        rulebook = campaign_rulebook(journal, rulebooks)
        characters = [read_character(Path(s), rulebook) for s in sheets]
        joined = join(journal, rulebook, characters, as_id=as_id, count=count, name=pattern)
    if as_json:
        echo_json({"joined": [cid for cid, _ in joined], "notes": [n for _, n in joined]})
        return
    for _, note in joined:
        echo(note)


@campaign.command("status")
@click.argument("character", required=False, shell_complete=complete.member_ids)
@campaign_option
@click.option("--json", "as_json", is_flag=True, help="The state as JSON.")
def status(character: str | None, campaign: str | None, as_json: bool) -> None:
    """Each character's values and conditions, and the game time; or one character's."""
    from rouge_rpg.campaign.export import status_json
    from rouge_rpg.campaign.gametime import format_time
    from rouge_rpg.cli.status import member_lines, status_lines

    with open_journal(campaign, read_only=True) as journal:
        state = journal.state()
        if character is not None:  # only one character's lines need its rules
            from rouge_rpg.campaign.members import find

            who = find(state, character, active=False)
            rulebook = campaign_rulebook(journal, ())
    if character is not None:
        if as_json:
            echo_json(status_json(state, only=who.id))
            return
        for line in member_lines(who, rulebook, state.time):
            echo(line)
        return
    if as_json:
        echo_json(status_json(state))
        return
    echo(f"{format_time(state.time)}, {state.seq} events")
    for line in status_lines(state):
        echo(line)


@campaign.command("log")
@campaign_option
@click.option(
    "--since",
    type=click.IntRange(min=0, max=MAX_MAGNITUDE),
    default=0,
    help="Only events after this number.",
)
@click.option(
    "-n",
    "--last",
    "last",
    type=click.IntRange(min=0),
    default=None,
    help="Only the last N events (only those are read).",
)
@click.option(
    "--encounter",
    "fight",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[NAME]",
    help="Only one encounter's events: the latest, or the one of this name.",
)
@click.option("--json", "as_json", is_flag=True, help="A JSON list of events, oldest first.")
def log(
    campaign: str | None, since: int, last: int | None, fight: str | None, as_json: bool
) -> None:
    """Every event of the journal (or the last N), oldest first; undone, secret ones marked."""
    from rouge_rpg.campaign.export import encounter_events, event_line, undone

    with open_journal(campaign, read_only=True) as journal:
        if last is not None and fight is None:
            # the last N events are the end of the log, and an undo comes after what it
            # undoes, so every undo of a shown event is among them: nothing else is read
            events = journal.latest(last, since)
            taken_back = undone(events)
        else:
            everything = journal.events()
            events = [e for e in everything if e.seq > since]
            if fight is not None:
                events = encounter_events(events, fight or None)
                events = events[-last:] if last else events
            taken_back = undone(everything)
    if as_json:
        echo_json([{**e.to_json(), "undone": e.seq in taken_back} for e in events])
        return
    for event in events:
        echo(event_line(event, undone=event.seq in taken_back))


@campaign.command("advance")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.argument("duration")
@campaign_option
def advance_command(duration: str, campaign: str | None, as_json: bool) -> None:
    """Let game time pass (6h, 2d, 1w): Nectar decays, shutdown and worse follow."""
    import re

    from rouge_rpg.campaign.actions import advance
    from rouge_rpg.campaign.gametime import format_time, parse_duration

    if re.search(r"\d{16,}", duration):
        from rouge_rpg.errors import RougeError

        raise RougeError(
            f"{duration[:40]}... is too long: a number is at most {MAX_MAGNITUDE:,}",
            hint="try 6h, 2d, 1d12h or 1w",
        )
    minutes = parse_duration(duration)
    with open_journal(campaign) as journal:
        rulebook = campaign_rulebook(journal, ())
        now, notes = advance(journal, rulebook, minutes)
    if as_json:
        echo_json({"time": now, "clock": format_time(now), "minutes": minutes, "notes": notes})
        return
    echo(f"It is now {format_time(now)}.")
    for note in notes:
        echo(f"  {note}")


@campaign.command("feed")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.argument("name", shell_complete=complete.member_ids)
@click.argument("amount", type=int)
@click.option(
    "--resource",
    default="nectar",
    show_default=True,
    help="What is taken in.",
    shell_complete=complete.definitions("resource"),
)
@campaign_option
def feed_command(
    name: str, amount: int, resource: str, campaign: str | None, as_json: bool
) -> None:
    """A character takes Nectar (or another resource)."""
    from rouge_rpg.campaign.actions import feed

    with open_journal(campaign) as journal:
        rulebook = campaign_rulebook(journal, ())
        notes = feed(journal, rulebook, name, amount, resource)
    if as_json:
        echo_json({"character": name, "resource": resource, "amount": amount, "notes": notes})
        return
    for note in notes:
        echo(note)


@campaign.command("undo")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@campaign_option
def undo_command(campaign: str | None, as_json: bool) -> None:
    """Reverse the latest event, by appending its opposite: nothing is deleted."""
    from rouge_rpg.campaign.actions import undo

    with open_journal(campaign) as journal:
        said = undo(journal)
    if as_json:
        echo_json({"undone": said})
        return
    echo(said)


@campaign.command("replay")
@campaign_option
@click.option(
    "--rulebook",
    "rulebooks",
    multiple=True,
    type=click.Path(),
    help="Replay against these rulebook folders instead of the campaign's.",
)
@click.option("--json", "as_json", is_flag=True, help="A JSON list of replayed resolutions.")
def replay_command(campaign: str | None, rulebooks: tuple[str, ...], as_json: bool) -> None:
    """Re-run every recorded roll from its seed; report any that no longer reproduce."""
    from rouge_rpg.campaign.replay import replay

    with open_journal(campaign, read_only=True) as journal:
        rulebook = campaign_rulebook(journal, rulebooks)
        results = replay(journal, rulebook)
    broken = [r for r in results if not r.reproduced]
    if as_json:
        echo_json([r.to_json() for r in results])
    else:
        for r in broken:
            echo(f"#{r.seq} {r.summary}: does not reproduce")
            for difference in r.differences:
                echo(f"  {difference}")
            if not r.same_rulebook:
                echo("  (the rulebook has changed since it was recorded)")
        echo(f"{len(results) - len(broken)} of {len(results)} recorded rolls reproduce.")
    if broken:
        raise SystemExit(1)


@campaign.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("--players", is_flag=True, help="For the players: secret rolls are hidden.")
@click.option("-o", "--output", type=click.Path(), default=None, help="Write to a file.")
@campaign_option
def export_command(
    fmt: str, as_json: bool, players: bool, output: str | None, campaign: str | None
) -> None:
    """The session log for the table's notes; undone events are struck through."""
    import json

    from rouge_rpg.campaign.export import json_log, markdown
    from rouge_rpg.campaign.journal import CampaignError

    with open_journal(campaign, read_only=True) as journal:
        if as_json:
            fmt = "json"
        if fmt == "markdown":
            text = printable(markdown(journal, players=players))
        else:
            text = json.dumps(json_log(journal, players=players), indent=2)
    if output is None:
        echo(text.rstrip("\n"))
        return
    path = Path(output)
    write_new(path, (text if text.endswith("\n") else text + "\n").encode("utf-8"), CampaignError)
    echo(f"Wrote {path}.")


def write_new(path: Path, data: bytes, error: type[Exception]) -> None:
    """Write a new file; never through a link, over a file, or into a folder that is not one."""
    try:
        if os.path.lexists(path):
            what = "a link" if path.is_symlink() else "already exists"
            raise error(
                f"{path} is {what}; choose another file"
                if what == "a link"
                else f"{path} already exists; choose another file"
            )
        parent = path.parent
        if not parent.exists():
            raise error(f"{parent} does not exist")
        if not parent.is_dir():
            raise error(f"{parent} is not a folder")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, flags, 0o666)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
    except OSError as problem:
        raise error(f"cannot write {path}: {problem.strerror or problem}") from None
    except ValueError as problem:  # a NUL in the name
        raise error(f"cannot write {path}: {problem}") from None


@campaign.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@campaign_option
def verify(campaign: str | None, as_json: bool) -> None:
    """Check the campaign file's integrity (SQLite integrity_check) and count its events."""
    with open_journal(campaign, read_only=True) as journal:
        result = journal.integrity()
        count = journal.count()
        damaged = journal.damaged() if result == "ok" else []
    ok = result == "ok" and not damaged
    if as_json:
        echo_json(
            {
                "integrity": result,
                "events": count,
                "damaged": [{"seq": seq, "problem": why} for seq, why in damaged],
                "ok": ok,
            }
        )
    else:
        echo(f"integrity: {result}; {count} events")
        for seq, why in damaged:
            echo(f"event #{seq} is damaged: {why}")
    if not ok:
        raise SystemExit(1)
