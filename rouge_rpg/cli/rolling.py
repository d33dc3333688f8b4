"""The body of `rouge roll`, free of Click.

The Click command (`cli/dice.py`) and the fast path (`cli/fast.py`) both call
`run_roll`, each with its own way of printing a line, so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rouge_rpg.errors import LimitError, RougeError

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


def run_roll(
    expression: str, seed: int | None, times: int, as_json: bool, echo: Callable[[str], None]
) -> None:
    """Roll `expression` `times` times; `echo` each roll's detail, or its JSON line."""
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
            echo(json_line(result.to_json()) if as_json else result.detail)
