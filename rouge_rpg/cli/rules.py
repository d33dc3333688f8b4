"""`rouge rules check | list | show`."""

from __future__ import annotations

import click

from rouge_rpg.cli import complete
from rouge_rpg.cli.active import rulebook_option
from rouge_rpg.cli.output import echo_json


@click.group()
def rules() -> None:
    """Check, list and explain the rules of a rulebook."""


@rules.command("check")
@click.argument("folders", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Diagnostics as a JSON list.")
def check_command(folders: tuple[str, ...], as_json: bool) -> None:
    """Check rulebook FOLDERS (later ones are overlays). Exit 1 if there are errors."""
    from rouge_rpg.rules import read

    loaded = read(*folders, cached=False)  # always parsed for real; refreshes the cache
    if as_json:
        echo_json([d.to_json() for d in loaded.diagnostics])
    else:
        for d in loaded.diagnostics:
            source = loaded.sources.get(d.span.file or "") if d.span else None
            click.echo(d.render(source))
        errors = len(loaded.errors)
        warnings = len(loaded.diagnostics) - errors
        files = len(loaded.sources)
        if loaded.rulebook is not None:
            count = len(loaded.rulebook.definitions)
            summary = (
                f"{loaded.rulebook.title}: {count} definition{'s' if count != 1 else ''} "
                f"in {files} file{'s' if files != 1 else ''}, no errors"
            )
            if warnings:
                summary += f", {warnings} warning{'s' if warnings != 1 else ''}"
            click.echo(summary)
        else:
            click.echo(
                f"{errors} error{'s' if errors != 1 else ''}"
                + (f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "")
                + f" in {files} file{'s' if files != 1 else ''}"
            )
    if loaded.errors:
        raise SystemExit(1)


@rules.command("list")
@click.option(
    "--kind",
    "kind",
    default=None,
    help="Only this kind: check, power, faction...",
    shell_complete=complete.kinds,
)
@rulebook_option
@click.option("--json", "as_json", is_flag=True, help="A JSON list of definitions.")
def list_command(kind: str | None, rulebooks: tuple[str, ...], as_json: bool) -> None:
    """Every definition, one line each: kind, id, title, file:line."""
    from rouge_rpg.rules import load

    rulebook = load(*rulebooks)
    items = [d for d in rulebook.definitions.values() if kind is None or kind in (d.kind, d.KIND)]
    if kind is not None and not items:
        kinds = sorted({d.kind for d in rulebook.definitions.values()})
        from rouge_rpg.errors import RougeError

        raise RougeError(f"no definitions of kind '{kind}'; the kinds are {', '.join(kinds)}")
    rows = [
        {
            "kind": d.kind,
            "id": d.id.text,
            "title": d.title,
            "file": d.file,
            "line": d.id.span.line if d.id.span else None,
        }
        for d in items
    ]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(f"{rulebook.title}: no definitions")
        return
    kind_width = max(len(str(r["kind"])) for r in rows)
    id_width = max(len(str(r["id"])) for r in rows)
    title_width = max(len(str(r["title"] or "")) for r in rows)
    for r in rows:
        click.echo(
            f"{r['kind']:<{kind_width}}  {r['id']:<{id_width}}  "
            f"{r['title'] or '':<{title_width}}  {r['file']}:{r['line']}"
        )


@rules.command("show")
@click.argument("definition_id", metavar="ID", shell_complete=complete.definitions())
@rulebook_option
@click.option("--json", "as_json", is_flag=True, help="The definition as a JSON object.")
def show_command(definition_id: str, rulebooks: tuple[str, ...], as_json: bool) -> None:
    """A definition: where it is, its source text, and what it means."""
    from rouge_rpg.rules import ast, load
    from rouge_rpg.rules.explain import explain

    rulebook = load(*rulebooks)
    d = rulebook.require(definition_id, ast.Definition, role="definition")
    line = d.id.span.line if d.id.span else 0
    source = rulebook.source_of(d)
    explanation = explain(d, rulebook)
    if as_json:
        echo_json(
            {
                "kind": d.kind,
                "id": d.id.text,
                "title": d.title,
                "file": d.file,
                "line": line,
                "source": source,
                "explanation": explanation,
            }
        )
        return
    click.echo(f"{d.kind} {d.id}" + (f' "{d.title}"' if d.title else "") + f"  ({d.file}:{line})")
    click.echo("")
    for text in source.splitlines():
        click.echo(f"  {text}")
    click.echo("")
    import textwrap

    for text in explanation:
        indent = " " * (len(text) - len(text.lstrip(" ")))
        # prose, wrapped under 100 columns (the source above is the GM's own text)
        click.echo(textwrap.fill(text, width=99, subsequent_indent=indent + "  "))
