"""`rouge roll` and `rouge odds`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import click

from rouge_rpg.errors import LimitError, RougeError

BAR_WIDTH = 40
#: Most rolls one `rouge roll --times` may ask for.
MAX_TIMES = 10_000


@contextmanager
def shown_in(expression: str) -> Iterator[None]:
    """Errors raised while rolling or computing odds point into `expression` too."""
    try:
        yield
    except RougeError as error:
        if error.source is None and error.span is not None:
            error.source = expression
        raise


#: A word that starts with a minus and then a dice expression (`-1d8+10`, `-d6`, `-(1d4)`):
#: an expression, not an option. No option of `roll` or `odds` looks like that.
_NEGATIVE = re.compile(r"^-[0-9d(\[{]")


class ExpressionCommand(click.Command):
    """A command whose EXPRESSION may start with a minus: `rouge roll -1d8+10`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        # `--times -3` is an option's value, left where it is.
        valued = {
            name
            for p in self.params
            if isinstance(p, click.Option) and not p.is_flag
            for name in p.opts
        }
        negative = [
            i
            for i, a in enumerate(args[:end])
            if _NEGATIVE.match(a) and (i == 0 or args[i - 1] not in valued)
        ]
        if negative:
            rest = [a for i, a in enumerate(args[:end]) if i not in negative]
            args = [*rest, "--", *(args[i] for i in negative), *args[end + 1 :]]
        return super().parse_args(ctx, args)


@click.command(cls=ExpressionCommand)
@click.argument("expression")
@click.option("--seed", type=int, default=None, help="Seed for reproducible rolls.")
@click.option("--times", type=int, default=1, show_default=True, help="Roll this many times.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per roll per line.")
def roll(expression: str, seed: int | None, times: int, as_json: bool) -> None:
    """Roll EXPRESSION and show every die, e.g. `rouge roll 4d6kh3+2`."""
    from rouge_rpg.dice.parse import parse
    from rouge_rpg.dice.roll import make_rng
    from rouge_rpg.dice.roll import roll as roll_dice

    if not 1 <= times <= MAX_TIMES:
        raise LimitError(f"--times must be between 1 and {MAX_TIMES:,}, not {times}")
    node = parse(expression)
    rng = make_rng(seed)
    if as_json:
        from rouge_rpg.cli.output import json_line
    with shown_in(expression):
        for _ in range(times):
            result = roll_dice(node, rng=rng)
            click.echo(json_line(result.to_json()) if as_json else result.detail)


#: Most outcomes `rouge odds` prints one row each; more are summarised in `SUMMARY_ROWS`.
MAX_TEXT_ROWS = 1_000
SUMMARY_ROWS = 101
#: Most outcomes `rouge odds --json` gives (more is an error that says so).
MAX_JSON_OUTCOMES = 100_000


@click.command(cls=ExpressionCommand)
@click.argument("expression")
@click.option("--json", "as_json", is_flag=True, help="The distribution as exact fractions.")
def odds(expression: str, as_json: bool) -> None:
    """Exact odds of EXPRESSION, e.g. `rouge odds 2d6+3>=10`."""
    from fractions import Fraction

    from rouge_rpg.cli.output import echo_json, percent
    from rouge_rpg.dice.odds import odds as exact_odds
    from rouge_rpg.dice.odds import significant
    from rouge_rpg.errors import LimitError

    with shown_in(expression):
        result = exact_odds(expression)
    outcomes = sorted(result.distribution)
    if as_json:
        if len(outcomes) > MAX_JSON_OUTCOMES:
            raise LimitError(
                f"the distribution has {len(outcomes):,} outcomes; --json gives at most "
                f"{MAX_JSON_OUTCOMES:,}",
                hint="without --json, rouge odds summarises it",
            )
        echo_json(result.to_json())
        return
    top = max(result.distribution.values())
    click.echo(f"{result.expression}")
    click.echo(
        f"mean {significant(result.mean)}, min {result.min}, max {result.max}"
        + ("" if result.exact else " (not exact)")
    )
    if result.note:
        click.echo(f"note: {result.note}")
    shown = set(outcomes)
    if len(outcomes) > MAX_TEXT_ROWS:
        # Summarised: the outcomes where P(>=) crosses each percentile, and the ends.
        step = len(outcomes) / SUMMARY_ROWS
        shown = {outcomes[min(len(outcomes) - 1, int(i * step))] for i in range(SUMMARY_ROWS)}
        shown |= {outcomes[0], outcomes[-1]}
        click.echo(
            f"{len(outcomes):,} outcomes; {len(shown)} of them shown, evenly spaced "
            f"(P(>=) is exact at each; --json gives all, up to {MAX_JSON_OUTCOMES:,})"
        )
    width = max(len("outcome"), *(len(str(o)) for o in shown))
    click.echo(f"{'outcome':>{width}}  {'P(=)':>8}  {'P(>=)':>8}")
    at_least = sum(result.distribution.values(), Fraction(0))
    for outcome in outcomes:
        p = result.distribution[outcome]
        if outcome in shown:
            bar = "#" * max(1, round(BAR_WIDTH * p / top))
            click.echo(f"{outcome:>{width}}  {percent(p):>8}  {percent(at_least):>8}  {bar}")
        at_least -= p
