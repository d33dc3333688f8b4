"""Time from a keystroke to diagnostics in `rouge lsp`, on the bundled rulebook.

Starts `python -m rouge_rpg lsp` as an editor does, opens every file of the
bundled rulebook (as a GM with the folder open), then types N keystrokes into
core.rouge, one `didChange` each (the whole text, as most clients send), and
times each from sending the change to receiving the `publishDiagnostics` for
that file. Every other keystroke leaves a syntax error behind (half a word),
every other one a clean file, so both paths are measured.

    .venv/bin/python benchmarks/bench_lsp.py [--keystrokes 50]

Needs the lsp extra (pip install -e '.[lsp]').
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import time

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from rouge_rpg import resources


async def measure(keystrokes: int) -> tuple[float, list[float], list[float]]:
    client = LanguageClient("bench", "0")
    arrived: dict[str, asyncio.Event] = {}

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
        arrived.setdefault(params.uri, asyncio.Event()).set()

    start = time.perf_counter()
    await client.start_io(sys.executable, "-m", "rouge_rpg", "lsp")
    await client.initialize_async(lsp.InitializeParams(capabilities=lsp.ClientCapabilities()))
    client.initialized(lsp.InitializedParams())
    folder = resources.bundled_rulebook()
    core = folder / "core.rouge"
    uri = from_fs_path(str(core)) or ""
    text = core.read_text(encoding="utf-8")
    for path in sorted(folder.glob("*.rouge")):
        file_uri = from_fs_path(str(path)) or ""
        arrived[file_uri] = asyncio.Event()
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                lsp.TextDocumentItem(
                    uri=file_uri,
                    language_id="rouge",
                    version=1,
                    text=path.read_text(encoding="utf-8"),
                )
            )
        )
        await arrived[file_uri].wait()
    first = time.perf_counter() - start
    clean: list[float] = []
    broken: list[float] = []
    typed = "\ncondition bench_typed_x"
    for n in range(keystrokes):
        # Type one more letter of `"Typed"`: with the closing quote the file is clean.
        body = text + typed + (' "Typed"\n' if n % 2 else ' "Typ\n')
        arrived[uri].clear()
        sent = time.perf_counter()
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(version=n + 2, uri=uri),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=body)],
            )
        )
        await arrived[uri].wait()
        (clean if n % 2 else broken).append(time.perf_counter() - sent)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return first, clean, broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keystrokes", type=int, default=50)
    args = parser.parse_args()
    first, clean, broken = asyncio.run(measure(args.keystrokes))
    files = len(list(resources.bundled_rulebook().glob("*.rouge")))

    def row(what: str, times: list[float]) -> str:
        ms = sorted(t * 1000 for t in times)
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        return f"| {what} | {len(ms)} | {statistics.median(ms):.0f} | {p95:.0f} | {ms[-1]:.0f} |"

    print(f"Python {platform.python_version()}, {platform.machine()}")
    print(f"start, initialize and open the {files} files: {first:.2f} s")
    print("| keystroke | n | median ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    print(row("the file stays clean (parse + check the rulebook)", clean))
    print(row("a syntax error in the file", broken))


if __name__ == "__main__":
    main()
