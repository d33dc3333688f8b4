"""`rouge check`, `rouge free-will` and `rouge use`: the GM's commands at the table."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from rouge_rpg.cli.output import echo_json
from rouge_rpg.cli.rules import rulebook_option
from rouge_rpg.errors import RougeError


def _common(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every table command shares."""
    for option in reversed(
        [
            rulebook_option,
            click.option(
                "--mod",
                "mods",
                type=int,
                multiple=True,
                help="An extra modifier to the roll (repeatable).",
            ),
            click.option("--seed", type=int, default=None, help="Seed for a reproducible roll."),
            click.option("--explain", is_flag=True, help="Show the trace: every rule consulted."),
            click.option(
                "--odds",
                "show_odds",
                is_flag=True,
                help="Print the exact chance of each outcome instead of rolling.",
            ),
            click.option("--json", "as_json", is_flag=True, help="Print JSON."),
        ]
    ):
        command = option(command)
    return command


def _load(rulebooks: tuple[str, ...]) -> Any:
    from rouge_rpg.rules import load

    return load(*rulebooks)


def _sheet(path: str, rulebook: Any) -> Any:
    from rouge_rpg.sheets import read_character

    return read_character(Path(path), rulebook)


def split_vs(text: str) -> tuple[str, str | None]:
    """`ash.yaml:reflex` → (`ash.yaml`, `reflex`); a plain path → (path, None)."""
    head, sep, tail = text.rpartition(":")
    if sep and tail.isidentifier() and not Path(text).exists():
        return head, tail
    return text, None


def _finish(result: Any, odds: Any, *, as_json: bool, explain: bool, title: str) -> None:
    from rouge_rpg.cli.render import odds_lines, resolution_lines

    if odds is not None:
        if as_json:
            echo_json(odds.to_json())
        else:
            for line in odds_lines(title, odds):
                click.echo(line)
        return
    if as_json:
        echo_json(result.to_json())
    else:
        for line in resolution_lines(result, explain=explain):
            click.echo(line)


def _modifiers(mods: tuple[int, ...]) -> list[tuple[int, str]]:
    return [(m, "--mod") for m in mods]


@click.command("check")
@click.argument("sheet", type=click.Path())
@click.argument("action", metavar="CHECK_OR_ATTRIBUTE")
@click.option("--dc", type=int, default=None, help="The difficulty (the check's dc parameter).")
@click.option(
    "--vs",
    "versus",
    default=None,
    metavar="SHEET[:ATTRIBUTE]",
    help="An opposed roll against another character, defending with ATTRIBUTE.",
)
@_common
def check(
    sheet: str,
    action: str,
    dc: int | None,
    versus: str | None,
    rulebooks: tuple[str, ...],
    mods: tuple[int, ...],
    seed: int | None,
    explain: bool,
    show_odds: bool,
    as_json: bool,
) -> None:
    """Roll a check or an attribute for the character of SHEET."""
    from rouge_rpg.engine import as_being, check_for
    from rouge_rpg.engine.resolve import resolve_check
    from rouge_rpg.engine.odds import check_odds

    if dc is not None and versus is not None:
        raise RougeError("give --dc or --vs, not both")
    rulebook = _load(rulebooks)
    actor = as_being(_sheet(sheet, rulebook))
    target = None
    args: dict[str, Any] = {}
    if versus is not None:
        path, defense = split_vs(versus)
        target = as_being(_sheet(path, rulebook))
    chosen, implied = check_for(rulebook, action, opposed=target is not None)
    args.update(implied)
    if dc is not None:
        args["dc"] = dc
    if versus is not None and defense is not None:
        attribute_params = [
            p.name.text for p in chosen.params if p.type is not None and p.type.text == "attribute"
        ]
        free = [p for p in attribute_params if p not in args]
        if not free:
            raise RougeError(f"check '{chosen.id}' has no parameter for the defending attribute")
        args[free[0]] = defense
    extra = _modifiers(mods)
    if show_odds:
        odds = check_odds(rulebook, chosen, actor, target=target, args=args, extra_modifiers=extra)
        _finish(
            None, odds, as_json=as_json, explain=explain, title=f"{actor.name}: {chosen.display}"
        )
        return
    result = resolve_check(
        rulebook,
        chosen,
        actor,
        target=target,
        args=args,
        extra_modifiers=extra,
        rng=random.Random(seed),
    )
    _finish(result, None, as_json=as_json, explain=explain, title=chosen.display)


@click.command("free-will")
@click.argument("sheet", type=click.Path())
@click.option("--act", required=True, help="The act attempted, e.g. disobey or harm.")
@click.option(
    "--by",
    "by",
    default=None,
    metavar="SHEET",
    help="The other party: the human who gave the order, or would be harmed.",
)
@_common
def free_will(
    sheet: str,
    act: str,
    by: str | None,
    rulebooks: tuple[str, ...],
    mods: tuple[int, ...],
    seed: int | None,
    explain: bool,
    show_odds: bool,
    as_json: bool,
) -> None:
    """A Nean faces the Asimov Code: may the character of SHEET do ACT?"""
    from rouge_rpg.engine import as_being
    from rouge_rpg.engine.odds import free_will_odds
    from rouge_rpg.engine.resolve import resolve_free_will

    rulebook = _load(rulebooks)
    actor = as_being(_sheet(sheet, rulebook))
    other = as_being(_sheet(by, rulebook)) if by else None
    extra = _modifiers(mods)
    if show_odds:
        odds = free_will_odds(rulebook, actor, act, by=other, extra_modifiers=extra)
        _finish(None, odds, as_json=as_json, explain=explain, title=f"{actor.name}: {act}")
        return
    result = resolve_free_will(
        rulebook, actor, act, by=other, extra_modifiers=extra, rng=random.Random(seed)
    )
    _finish(result, None, as_json=as_json, explain=explain, title=act)


@click.command("use")
@click.argument("sheet", type=click.Path())
@click.argument("ability")
@click.option("--target", "target", default=None, metavar="SHEET", help="The target's sheet.")
@_common
def use(
    sheet: str,
    ability: str,
    target: str | None,
    rulebooks: tuple[str, ...],
    mods: tuple[int, ...],
    seed: int | None,
    explain: bool,
    show_odds: bool,
    as_json: bool,
) -> None:
    """Use a faction ability or an Immortal Nine power, paying its cost."""
    from rouge_rpg.engine import as_being
    from rouge_rpg.engine.odds import use_odds
    from rouge_rpg.engine.resolve import resolve_use

    rulebook = _load(rulebooks)
    actor = as_being(_sheet(sheet, rulebook))
    other = as_being(_sheet(target, rulebook)) if target else None
    extra = _modifiers(mods)
    if show_odds:
        odds = use_odds(rulebook, actor, ability, target=other, extra_modifiers=extra)
        _finish(None, odds, as_json=as_json, explain=explain, title=f"{actor.name}: {ability}")
        return
    result = resolve_use(
        rulebook, actor, ability, target=other, extra_modifiers=extra, rng=random.Random(seed)
    )
    _finish(result, None, as_json=as_json, explain=explain, title=ability)
