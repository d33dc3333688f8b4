"""`rouge lsp`: driven through pygls's own client over the server's stdin and stdout.

The server runs as `python -m rouge_rpg lsp`, as an editor starts it. The pure
functions behind it (`rouge_rpg.lsp.analysis`) are tested at the end.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from rouge_rpg import resources
from rouge_rpg.lsp.analysis import Analysis, expected_kinds, symbols

BUNDLED = resources.bundled_rulebook()
TIMEOUT = 10


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("rouge-test-client", "0")
        self.diagnostics: dict[str, list[lsp.Diagnostic]] = {}
        self.changed = asyncio.Event()
        self.version = 1

    async def wait_for(self, uri: str, test: Callable[[list[lsp.Diagnostic]], bool]) -> list[Any]:
        async def until() -> list[Any]:
            while uri not in self.diagnostics or not test(self.diagnostics[uri]):
                self.changed.clear()
                await self.changed.wait()
            return list(self.diagnostics[uri])

        return await asyncio.wait_for(until(), TIMEOUT)

    def open(self, path: Path, text: str | None = None) -> str:
        uri = from_fs_path(str(path)) or ""
        self.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                lsp.TextDocumentItem(
                    uri=uri,
                    language_id="rouge",
                    version=1,
                    text=text or path.read_text(encoding="utf-8"),
                )
            )
        )
        return uri

    def change(self, uri: str, text: str) -> None:
        self.version += 1
        self.diagnostics.pop(uri, None)
        self.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(version=self.version, uri=uri),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )


async def ask(request: Awaitable[Any]) -> Any:
    return await asyncio.wait_for(request, TIMEOUT)


def run(scenario: Callable[[Client], Awaitable[None]]) -> None:
    async def main() -> None:
        client = Client()

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
            client.diagnostics[params.uri] = list(params.diagnostics)
            client.changed.set()

        await client.start_io(sys.executable, "-m", "rouge_rpg", "lsp")
        try:
            await asyncio.wait_for(
                client.initialize_async(
                    lsp.InitializeParams(capabilities=lsp.ClientCapabilities())
                ),
                TIMEOUT,
            )
            client.initialized(lsp.InitializedParams())
            await scenario(client)
        except BaseException:
            server = client._server
            if server is not None and server.returncode is not None and server.stderr:
                print((await server.stderr.read()).decode()[-3000:])
            raise
        finally:
            try:
                await asyncio.wait_for(client.shutdown_async(None), 5)
                client.exit(None)
            finally:
                await asyncio.wait_for(client.stop(), 5)

    asyncio.run(main())


def _position(text: str, needle: str, offset: int = 0) -> lsp.Position:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return lsp.Position(line, index - (text.rfind("\n", 0, index) + 1))


def test_bundled_rulebook_open_hover_definition_references_completion_symbols() -> None:
    core = BUNDLED / "core.rouge"
    text = core.read_text(encoding="utf-8")

    async def scenario(client: Client) -> None:
        uri = client.open(core)
        assert await client.wait_for(uri, lambda d: True) == []
        doc = lsp.TextDocumentIdentifier(uri)
        where = _position(
            text, 'defense: attribute = reflex) "Contest"', len("defense: attribute = r")
        )

        hover = await ask(client.text_document_hover_async(lsp.HoverParams(doc, where)))
        assert hover is not None
        assert isinstance(hover.contents, lsp.MarkupContent)
        assert '**attribute reflex** "Reflex"' in hover.contents.value
        assert "rulebooks/metallic_rouge/core.rouge:" in hover.contents.value
        assert "An attribute from 1 to 5 (2 if a sheet leaves it out)." in hover.contents.value

        found = await ask(client.text_document_definition_async(lsp.DefinitionParams(doc, where)))
        assert isinstance(found, lsp.Location)
        assert found.uri == uri
        assert found.range.start == _position(text, "attribute reflex", len("attribute "))

        refs = await ask(
            client.text_document_references_async(
                lsp.ReferenceParams(
                    context=lsp.ReferenceContext(include_declaration=True),
                    text_document=doc,
                    position=where,
                )
            )
        )
        assert refs is not None
        assert len({r.uri for r in refs}) > 1  # the sheets' ids are in other files too

        after = _position(text, "roll 2d6 + actor.free_will", len("roll 2d6 + actor."))
        completion = await ask(
            client.text_document_completion_async(lsp.CompletionParams(doc, after))
        )
        assert completion is not None
        items = completion.items if isinstance(completion, lsp.CompletionList) else completion
        labels = {i.label for i in items}
        assert {"body", "reflex", "stress", "nectar"} <= labels
        assert "action" not in labels

        outline = await ask(
            client.text_document_document_symbol_async(lsp.DocumentSymbolParams(doc))
        )
        assert outline is not None
        names = [s.name for s in outline]
        assert names[:3] == ["base_dc", "hard_dc", "body"]
        assert "action" in names

    run(scenario)


def test_a_broken_copy_shows_errors_as_typed_and_in_the_files_that_include_it(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "book"
    shutil.copytree(BUNDLED, folder, ignore=shutil.ignore_patterns("sheets"))
    edited = folder / "aletheia.rouge"
    original = edited.read_text(encoding="utf-8")

    async def scenario(client: Client) -> None:
        uri = client.open(edited)
        assert await client.wait_for(uri, lambda d: True) == []
        # A syntax error while typing: the file on disk is untouched.
        client.change(uri, original + '\ncondition broken_one "Broken"\n  lasts\n')
        found = await client.wait_for(uri, bool)
        assert found[0].severity == lsp.DiagnosticSeverity.Error
        assert found[0].range.start.line == original.count("\n") + 2
        # An unknown id in one file, found by the checker with its range.
        client.change(
            uri, original.replace("    gain visitor_gear", "    gain nowhere_condition_x")
        )
        found = await client.wait_for(uri, bool)
        assert any("nowhere_condition_x" in d.message for d in found)
        # Removing a definition that another file uses: that file gets the error.
        core = folder / "core.rouge"
        core_text = core.read_text(encoding="utf-8")
        core_uri = client.open(core)
        await client.wait_for(core_uri, lambda d: True)
        client.change(uri, original)
        await client.wait_for(uri, lambda d: d == [])
        client.diagnostics.clear()
        client.change(core_uri, core_text.replace("condition armored ", "condition gone ", 1))
        users = await client.wait_for(uri, bool)
        assert any("'armored'" in d.message for d in users)
        # Fixed again: the diagnostics are cleared.
        client.change(core_uri, core_text)
        client.change(uri, original)
        assert await client.wait_for(uri, lambda d: d == []) == []

    run(scenario)


# -- the pure functions ------------------------------------------------------------------


def test_symbols_and_expected_kinds_work_on_text_that_does_not_parse() -> None:
    text = 'check dodge(dc = 8) "Dodge" default:\n  roll 2d6 +\n\nkind ghost is\n'
    found = symbols(text, Path("x.rouge"))
    assert [(s.id, s.keyword, s.title) for s in found] == [
        ("dodge", "check", "Dodge"),
        ("ghost", "kind", None),
    ]
    assert found[0].block.end_line == 1
    assert expected_kinds("    gain target ") == ("condition", "resource")
    assert expected_kinds("  check ") == ("check",)
    assert expected_kinds("  roll 2d6 + actor.") == ("field",)
    assert expected_kinds("  for member ") == ("member",)
    assert expected_kinds('member gene "Gene" of ') == ("faction",)
    assert expected_kinds("  ") == ()


def test_completion_offers_keywords_and_snippets_at_the_top_and_checks_after_check() -> None:
    core = (BUNDLED / "core.rouge").resolve()
    text = core.read_text(encoding="utf-8") + "\nability x:\n  check \n"
    analysis = Analysis.of(core, {core: text})
    lines = text.split("\n")
    last = len(lines) - 2
    labels = {c.label for c in analysis.completions(core, last, len(lines[last]))}
    assert {"action", "contest", "attack"} <= labels and "body" not in labels
    top = analysis.completions(core, last + 1, 0)
    assert {"include", "condition", "power"} <= {c.label for c in top}
    assert any(c.kind == "snippet" and c.label == "check" for c in top)


def test_rouge_lsp_without_pygls_says_how_to_install_it(
    rouge: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)
    monkeypatch.delitem(sys.modules, "rouge_rpg.lsp.server", raising=False)
    result = rouge("lsp")
    assert result.exit_code == 2
    assert "pip install 'rouge-rpg[lsp]'" in result.output


def test_the_plain_tool_does_not_import_pygls() -> None:
    import subprocess

    code = (
        "import sys; from rouge_rpg.cli import app; import rouge_rpg.rules; "
        "print('pygls' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_snippet_parses_with_its_placeholders_filled_in() -> None:
    import re

    from rouge_rpg.lsp.analysis import SNIPPETS
    from rouge_rpg.rules.parse import parse_text

    for label, body in SNIPPETS:
        text = re.sub(r"\$\{\d+:?([^}]*)\}", lambda m: m.group(1) or "x", body)
        parse_text(text + "\n", f"{label}.rouge")


def test_a_file_outside_any_rulebook_still_gets_its_syntax_errors(tmp_path: Path) -> None:
    lone = tmp_path / "lone.rouge"
    analysis = Analysis.of(lone, {lone.resolve(): "condition x\n  blocks\n"})
    [problem] = analysis.problems[lone.resolve()]
    assert problem.severity == "error" and problem.place.line == 1


def test_completion_in_a_ladder_test_offers_the_readings_of_the_roll() -> None:
    core = (BUNDLED / "core.rouge").resolve()
    text = core.read_text(encoding="utf-8") + "\ncheck y:\n  roll 3d6\n  hit when h\n"
    analysis = Analysis.of(core, {core: text})
    lines = text.split("\n")
    last = len(lines) - 2
    labels = {c.label for c in analysis.completions(core, last, len(lines[last]))}
    assert {"total", "dice", "highest", "lowest", "doubles", "count"} <= labels
    clauses = {c.label for c in analysis.completions(core, last, 2)}
    assert {"push", "roll", "let", "modifier"} <= clauses
