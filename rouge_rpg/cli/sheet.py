"""`rouge sheet validate | new | show | schema`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rouge_rpg.cli.active import rulebook_option
from rouge_rpg.cli.output import echo, echo_json
from rouge_rpg.errors import RougeError

if TYPE_CHECKING:
    from rouge_rpg.diagnostics import Diagnostic
    from rouge_rpg.rules import Loaded, Rulebook


class RulebookHasErrors(RougeError):
    """The rulebook that sheets are checked against does not load. Exit status 2."""

    def __init__(self, loaded: Loaded) -> None:
        errors = len(loaded.errors)
        super().__init__(
            f"the rulebook has {errors} error{'s' if errors != 1 else ''}, "
            "so no sheet can be checked against it"
        )
        self.loaded = loaded

    def show(self) -> str:
        rendered = [
            d.render(self.loaded.sources.get(d.span.file or "") if d.span else None)
            for d in self.loaded.errors
        ]
        return "\n".join([self.message, *rendered])


def load_rulebook(folders: tuple[str, ...]) -> Rulebook:
    """The rulebook of `--rulebook` folders (default: the bundled one), or exit status 2."""
    from rouge_rpg.rules import read

    loaded = read(*folders)
    if loaded.rulebook is None:
        raise RulebookHasErrors(loaded)
    return loaded.rulebook


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _diagnostic_json(d: Diagnostic) -> dict[str, object]:
    data = d.to_json()
    return {key: data[key] for key in ("line", "column", "severity", "message")}


@click.group()
def sheet() -> None:
    """Validate, create, show and describe character sheets."""


@sheet.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@rulebook_option
@click.option("--json", "as_json", is_flag=True, help="One JSON list, an object per file.")
def validate_command(files: tuple[str, ...], rulebooks: tuple[str, ...], as_json: bool) -> None:
    """Check sheet FILES against the rulebook.

    Every file is reported. Exit status 0 when all are valid, 1 when any is
    invalid, 2 when any cannot be read (missing, not UTF-8, broken YAML, too
    large) or the rulebook has errors.
    """
    from rouge_rpg.cli.app import report
    from rouge_rpg.diagnostics import Diagnostic
    from rouge_rpg.sheets import load, validate

    rulebook = load_rulebook(rulebooks)
    worst = 0
    results: list[dict[str, object]] = []
    for file in files:
        try:
            sheet_ = load(file)
        except RougeError as error:
            worst = max(worst, error.exit_code)
            if as_json:
                message = Diagnostic("error", error.message, error.span, error.hint)
                results.append(
                    {
                        "file": file,
                        "valid": False,
                        "readable": False,
                        "diagnostics": [_diagnostic_json(message)],
                    }
                )
            else:
                report(error)
                echo(f"{file}: cannot be read")
            continue
        result = validate(sheet_, rulebook)
        if not result.valid:
            worst = max(worst, 1)
        if as_json:
            results.append(
                {
                    "file": file,
                    "valid": result.valid,
                    "readable": True,
                    "diagnostics": [_diagnostic_json(d) for d in result.diagnostics],
                }
            )
            continue
        for d in result.diagnostics:
            echo(d.render(sheet_.source))
        warnings = len(result.warnings)
        summary = "valid" if result.valid else _plural(len(result.errors), "error")
        if warnings:
            summary += ", " + _plural(warnings, "warning")
        echo(f"{file}: {summary}")
    if as_json:
        echo_json(results)
    if worst:
        raise SystemExit(worst)


@sheet.command("new")
@click.option("--faction", required=True, help="The character's faction (an id).")
@click.option("--name", required=True, help="The character's name.")
@click.option("--member", default=None, help="A member of the faction (an id).")
@click.option("--kind", default=None, help="A kind (an id); default: the faction's kind.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the sheet to this file (never over an existing one).",
)
@rulebook_option
def new_command(
    faction: str,
    name: str,
    member: str | None,
    kind: str | None,
    output: str | None,
    rulebooks: tuple[str, ...],
) -> None:
    """A new, valid sheet for a character of a faction, with a comment on every field."""
    from rouge_rpg.errors import InputError
    from rouge_rpg.sheets.new import new_sheet

    rulebook = load_rulebook(rulebooks)
    text = new_sheet(rulebook, faction, name, member, kind=kind)
    if output is None:
        echo(text, nl=False)
        return
    path = Path(output)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise InputError(
            f"{output} already exists; not overwriting it",
            hint="choose another file, or remove this one first",
        ) from None
    except OSError as error:
        raise InputError(
            f"cannot write {output}: {(error.strerror or str(error)).lower()}"
        ) from None
    echo(f"wrote {output}")


@sheet.command("show")
@click.argument("file", type=click.Path())
@rulebook_option
@click.option(
    "--campaign",
    "campaign",
    default=None,
    metavar="PATH",
    help="The campaign whose values to show (default: the active one).",
)
@click.option("--no-campaign", is_flag=True, help="The sheet's own values, not a campaign's.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def show_command(
    file: str, rulebooks: tuple[str, ...], campaign: str | None, no_campaign: bool, as_json: bool
) -> None:
    """A sheet with what the rulebook derives: ranges, modifiers, abilities' rules.

    FILE is a sheet, or in a campaign a member's id; with a campaign active the
    values are the campaign's (Nectar 5 of 10 now), not the file's.
    An invalid sheet prints its problems and exits with status 1.
    """
    from rouge_rpg.campaign.journal import campaign_path
    from rouge_rpg.sheets import read_character
    from rouge_rpg.sheets.describe import describe

    path = None if no_campaign else campaign_path(campaign)
    if path is None:
        rulebook = load_rulebook(rulebooks)
        data = describe(read_character(file, rulebook), rulebook)
    else:
        data = _in_campaign(file, path, rulebooks)
    if as_json:
        echo_json(data)
        return
    for line in show_lines(data):
        echo(line)


def _in_campaign(file: str, path: Path, rulebooks: tuple[str, ...]) -> dict[str, Any]:
    """`describe` of a member, with the campaign's values in place of the sheet's."""
    import attrs

    from rouge_rpg.campaign.members import seat_for
    from rouge_rpg.checked_sheets import read_sheet
    from rouge_rpg.cli.active import campaign_rulebook, journal_at
    from rouge_rpg.sheets.describe import describe

    journal = journal_at(path)
    try:
        rulebook = campaign_rulebook(journal, rulebooks)
        state = journal.state()
        seat = seat_for(state, file, journal.path, lambda f: read_sheet(f, rulebook))
    finally:
        journal.close()
    member = seat.member
    now = attrs.evolve(
        seat.character,
        resources=dict(member.resources),
        tracks=dict(member.tracks),
        conditions=frozenset(member.conditions),
    )
    data = describe(now, rulebook)
    data["campaign"] = {"file": str(path), "id": member.id, "notes": list(seat.notes)}
    return data


def _titled(ref: dict[str, Any] | None) -> str:
    if ref is None:
        return "none"
    return f"{ref['title']} ({ref['id']})" if ref.get("title") else str(ref["id"])


def _table(rows: list[list[str]]) -> list[str]:
    """Rows of cells, each column padded to its widest cell, indented by two."""
    widths = [max(len(row[i]) for row in rows) for i in range(max(len(r) for r in rows))]
    return [
        "  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]


def show_lines(data: dict[str, Any]) -> list[str]:
    """The text of `rouge sheet show` from `describe`'s data."""
    out = [str(data["name"])]
    if data.get("campaign"):
        held = data["campaign"]
        out.append(f"  as {held['id']} in {held['file']}: the campaign's values, not the file's")
        out += [f"  note: {n}" for n in held["notes"]]
    identity = [
        ["faction", _titled(data["faction"])],
        ["kind", _titled(data["kind"])],
    ]
    if data["member"] is not None:
        dead = ", deceased" if data["member"]["deceased"] else ""
        identity.append(["member", _titled(data["member"]) + dead])
    identity.append(["file", str(data["file"])])
    out += _table(identity)

    out += ["", "Attributes"]
    out += _table(
        [
            [
                a["id"],
                a["title"] or "",
                str(a["value"]),
                f"{a['low']}..{a['high']}"
                + ("  skill" if a["skill"] else "")
                + (f"  default {a['default']}" if a["default"] is not None else ""),
            ]
            for a in data["attributes"]
        ]
    )

    out += ["", "Modifiers"]
    if data["modifiers"]:
        for m in data["modifiers"]:
            now = {True: "", False: "; not now", None: ""}[m["holds_now"]]
            source = f"{m['source']['kind']} {m['source']['id']}, {m['file']}:{m['line']}"
            out.append(f"  {m['text']}  ({source}{now})")
    else:
        out.append("  none")

    out += ["", "Abilities"]
    if data["abilities"]:
        for a in data["abilities"]:
            costs = ", ".join(f"{c['amount']} {c['resource']}" for c in a["costs"])
            head = f"  {a['id']}  {a['title'] or a['id']} ({a['kind']})"
            out.append(head + (f"  cost {costs}" if costs else ""))
            out.append(f"    {a['rules']}")
            if a["description"]:
                out.append(f"    {a['description']}")
    else:
        out.append("  none")

    out += ["", "Resources"]
    if data["resources"]:
        out += _table(
            [
                [
                    r["id"],
                    r["title"] or "",
                    f"{r['value']}/{r['max']}",
                    f"decays {r['decay']['amount']} per {r['decay']['per']}" if r["decay"] else "",
                ]
                for r in data["resources"]
            ]
        )
    else:
        out.append("  none")

    out += ["", "Tracks"]
    if data["tracks"]:
        out += _table(
            [
                [
                    t["id"],
                    t["title"] or "",
                    f"{t['value']}/{t['high']}" if t["clock"] else str(t["value"]),
                    "clock" if t["clock"] else f"{t['low']}..{t['high']}",
                ]
                for t in data["tracks"]
            ]
        )
    else:
        out.append("  none")

    out += ["", "Conditions"]
    if data["conditions"]:
        rows = []
        for c in data["conditions"]:
            about = []
            if c["blocks"]:
                about.append("blocks " + ", ".join(c["blocks"]))
            if c["lasts"]:
                about.append(f"lasts {c['lasts']}")
            if c["description"]:
                about.append(c["description"])
            rows.append([c["id"], c["title"] or "", "; ".join(about)])
        out += _table(rows)
    else:
        out.append("  none")

    if data["notes"].strip():
        out += ["", "Notes"]
        out += [f"  {line}".rstrip() for line in data["notes"].rstrip().splitlines()]
    return out


@sheet.command("schema")
@rulebook_option
def schema_command(rulebooks: tuple[str, ...]) -> None:
    """The JSON Schema of sheets for the rulebook, for editors (draft 2020-12)."""
    from rouge_rpg.sheets.schema import schema

    click.echo(json.dumps(schema(load_rulebook(rulebooks)), indent=2, ensure_ascii=False))
