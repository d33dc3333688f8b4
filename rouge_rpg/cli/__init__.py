"""The `rouge` command: a thin Click layer over the library.

The Click group and its commands are in `cli/app.py`, loaded by `main()`.
`cli`, `COMMANDS`, `LazyGroup` and `report` are importable from here too: they
load `cli/app.py`, and Click, when first asked for.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rouge_rpg.cli.app import COMMANDS, LazyGroup, cli, report
    from rouge_rpg.errors import RougeError

__all__ = ["COMMANDS", "LazyGroup", "cli", "error_line", "main", "report"]

_FROM_APP = frozenset({"COMMANDS", "LazyGroup", "cli", "report"})


def __getattr__(name: str) -> object:
    """`cli`, `COMMANDS`, `LazyGroup` and `report`, from `cli/app.py`."""
    if name in _FROM_APP:
        from rouge_rpg.cli import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def error_line(error: RougeError) -> str:
    """What the user sees of `error` on stderr: `Error: ...`, printable (names are quoted)."""
    from rouge_rpg.cli.output import printable

    return printable(f"Error: {error.show()}")


#: Allocations between two runs of the garbage collector's youngest generation (Python's
#: default is 700). A command's objects are nearly all long-lived: the classes it imports,
#: the rulebook it loads. Collecting every 700 of them walks tens of thousands of objects
#: again and again and frees almost nothing.
GC_THRESHOLD = 100_000


def main() -> None:
    """Entry point of the `rouge` console script.

    Click's standalone mode handles what happens while a command runs: Ctrl-C
    prints `Aborted!` (status 1), a closed stdout ends quietly (status 1). A
    Ctrl-C before Click has started, while importing, prints `Interrupted.`
    (status 130) instead of a traceback.

    The process is short-lived, so the garbage collector runs less often (see
    `GC_THRESHOLD`; `rouge table` and `rouge lsp` still collect as they go), and
    at the end every object left is frozen (`gc.freeze`), so that the interpreter's
    collections at exit do not walk them all once more before it frees them. Files
    and journals are closed by the commands themselves, never left to a collection.
    """
    import gc

    gc.set_threshold(GC_THRESHOLD)
    try:
        from rouge_rpg.cli.app import cli

        cli(prog_name="rouge")
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr, flush=True)
        sys.exit(130)
    finally:
        gc.freeze()
