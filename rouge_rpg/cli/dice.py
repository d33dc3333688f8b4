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
#: an expression, not an option. No option of `roll` or `odds` looks like that; any other
#: word that starts with a minus is an option (a mistyped one is Click's usage error).
_NEGATIVE = re.compile(r"^-[0-9d(\[{]")


class ExpressionCommand(click.Command):
    """A command whose EXPRESSION may start with a minus and be split by the shell.

    `rouge roll -1d8+10` and `rouge roll 2d6 + 2` both work: every word that is
    not one of the command's options (or an option's value) is a word of the
    expression, joined again with spaces in the order given.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        options = {name: p for p in self.params if isinstance(p, click.Option) for name in p.opts}
        given: list[str] = []
        words: list[str] = []
        i = 0
        while i < end:
            word = args[i]
            name = word.split("=", 1)[0]
            option = options.get(name) or options.get(word)
            if option is not None or (
                word[:1] == "-" and word != "-" and not _NEGATIVE.match(word)
            ):
                given.append(word)
                if option is not None and not option.is_flag and "=" not in word and i + 1 < end:
                    given.append(args[i + 1])  # `--times -3`: a value, left as it is
                    i += 1
            else:
                words.append(word)
            i += 1
        return super().parse_args(ctx, [*given, "--", *words, *args[end + 1 :]])


def joined(words: tuple[str, ...]) -> str:
    """The expression the shell split into words."""
    return " ".join(words)


@click.command(cls=ExpressionCommand)
@click.argument("words", nargs=-1, required=True, metavar="EXPRESSION")
@click.option("--seed", type=int, default=None, help="Seed for reproducible rolls.")
@click.option("--times", type=int, default=1, show_default=True, help="Roll this many times.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per roll per line.")
def roll(words: tuple[str, ...], seed: int | None, times: int, as_json: bool) -> None:
    """Roll EXPRESSION and show every die, e.g. `rouge roll 4d6kh3+2`."""
    expression = joined(words)
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
@click.argument("words", nargs=-1, required=True, metavar="EXPRESSION")
@click.option("--json", "as_json", is_flag=True, help="The distribution as exact fractions.")
def odds(words: tuple[str, ...], as_json: bool) -> None:
    """Exact odds of EXPRESSION, e.g. `rouge odds 2d6+3>=10`."""
    expression = joined(words)
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
