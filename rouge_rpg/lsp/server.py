"""`rouge lsp`: the Language Server Protocol over stdio, on pygls.

The wiring only: each request becomes a question to `Analysis` (rouge_rpg/lsp/analysis.py),
whose answers are turned into LSP types here. Every change to an open `.rouge` file
re-reads its rulebook folder with the open documents' texts laid over the files on
disk, and publishes diagnostics for every file of the folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import ServerTextPosition

from rouge_rpg import __version__
from rouge_rpg.lsp.analysis import Analysis, Completion, Place, Symbol

_SYMBOL_KINDS = {
    "rulebook": lsp.SymbolKind.Module,
    "const": lsp.SymbolKind.Constant,
    "attribute": lsp.SymbolKind.Field,
    "kind": lsp.SymbolKind.Class,
    "resource": lsp.SymbolKind.Variable,
    "track": lsp.SymbolKind.Variable,
    "condition": lsp.SymbolKind.Enum,
    "bonus_type": lsp.SymbolKind.TypeParameter,
    "check": lsp.SymbolKind.Function,
    "act": lsp.SymbolKind.Event,
    "constraint": lsp.SymbolKind.Interface,
    "faction": lsp.SymbolKind.Namespace,
    "member": lsp.SymbolKind.Object,
    "ability": lsp.SymbolKind.Method,
}
_COMPLETION_KINDS = {
    "id": lsp.CompletionItemKind.Reference,
    "keyword": lsp.CompletionItemKind.Keyword,
    "snippet": lsp.CompletionItemKind.Snippet,
    "field": lsp.CompletionItemKind.Field,
}

F = TypeVar("F", bound=Callable[..., Any])


class RougeServer(LanguageServer):
    """A language server for `.rouge` rulebooks."""

    def __init__(self) -> None:
        super().__init__("rouge-lsp", __version__)
        self.published: dict[Path, set[str]] = {}  # folder → URIs last given diagnostics

    def overrides(self) -> dict[Path, str]:
        """The open documents' texts, by resolved path."""
        out: dict[Path, str] = {}
        for uri, document in self.workspace.text_documents.items():
            path = to_fs_path(uri)
            if path is not None and path.endswith(".rouge"):
                out[Path(path).resolve()] = document.source
        return out

    def analysis(self, uri: str) -> tuple[Analysis, Path] | None:
        path = to_fs_path(uri)
        if path is None:
            return None
        resolved = Path(path).resolve()
        return Analysis.of(resolved, self.overrides()), resolved

    def lines(self, path: Path) -> Sequence[str]:
        uri = from_fs_path(str(path)) or ""
        document = self.workspace.text_documents.get(uri)
        lines: Sequence[str] = document.lines if document is not None else []
        return lines

    # -- units: the analysis counts code points, the client (usually) UTF-16 -------------

    def to_server(self, path: Path, position: lsp.Position) -> tuple[int, int]:
        found = self.workspace.position_codec.position_from_client_units(self.lines(path), position)
        return found.line, found.character

    def to_client(self, place: Place, text: str | None = None) -> lsp.Range:
        codec = self.workspace.position_codec
        lines = self.lines(place.path) or (text or "").split("\n")
        start = codec.position_to_client_units(lines, ServerTextPosition(place.line, place.column))
        end = codec.position_to_client_units(
            lines, ServerTextPosition(place.end_line, place.end_column)
        )
        return lsp.Range(start, end)

    def location(self, place: Place, analysis: Analysis) -> lsp.Location:
        return lsp.Location(
            from_fs_path(str(place.path)) or "",
            self.to_client(place, analysis.texts.get(place.path)),
        )

    def publish(self, uri: str) -> None:
        """Diagnostics for every file of the rulebook folder of `uri` (always for `uri`)."""
        found = self.analysis(uri)
        if found is None:
            return
        analysis, path = found
        folder = analysis.folder or path
        sent: set[str] = set()
        for file, problems in analysis.problems.items():
            file_uri = from_fs_path(str(file)) or ""
            items = [
                lsp.Diagnostic(
                    range=self.to_client(p.place, analysis.texts.get(file)),
                    message=p.message,
                    severity=lsp.DiagnosticSeverity.Error
                    if p.severity == "error"
                    else lsp.DiagnosticSeverity.Warning,
                    source="rouge",
                )
                for p in problems
            ]
            if items or file_uri == uri or file_uri in self.published.get(folder, set()):
                self.text_document_publish_diagnostics(
                    lsp.PublishDiagnosticsParams(uri=file_uri, diagnostics=items)
                )
            if items:
                sent.add(file_uri)
        self.published[folder] = sent


server = RougeServer()


def _feature(name: str, options: Any = None) -> Callable[[F], F]:
    decorator: Callable[[F], F] = server.feature(name, options)
    return decorator


@_feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: RougeServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@_feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: RougeServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@_feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: RougeServer, params: lsp.DidSaveTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@_feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: RougeServer, params: lsp.DidCloseTextDocumentParams) -> None:
    # The file on disk counts again: its diagnostics may change.
    ls.publish(params.text_document.uri)


@_feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: RougeServer, params: lsp.HoverParams) -> lsp.Hover | None:
    found = ls.analysis(params.text_document.uri)
    if found is None:
        return None
    analysis, path = found
    answer = analysis.hover(path, *ls.to_server(path, params.position))
    if answer is None:
        return None
    text, place = answer
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
        range=ls.to_client(place),
    )


@_feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: RougeServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    found = ls.analysis(params.text_document.uri)
    if found is None:
        return None
    analysis, path = found
    place = analysis.definition(path, *ls.to_server(path, params.position))
    return ls.location(place, analysis) if place else None


@_feature(lsp.TEXT_DOCUMENT_REFERENCES)
def references(ls: RougeServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    found = ls.analysis(params.text_document.uri)
    if found is None:
        return []
    analysis, path = found
    line, column = ls.to_server(path, params.position)
    places = analysis.references(path, line, column, params.context.include_declaration)
    return [ls.location(p, analysis) for p in places]


def _item(c: Completion) -> lsp.CompletionItem:
    snippet = c.insert is not None
    return lsp.CompletionItem(
        label=c.label,
        kind=_COMPLETION_KINDS[c.kind],
        detail=c.detail or None,
        insert_text=c.insert,
        insert_text_format=lsp.InsertTextFormat.Snippet if snippet else None,
    )


@_feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[".", " ", "("]))
def completion(ls: RougeServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    found = ls.analysis(params.text_document.uri)
    if found is None:
        return lsp.CompletionList(is_incomplete=False, items=[])
    analysis, path = found
    items = analysis.completions(path, *ls.to_server(path, params.position))
    return lsp.CompletionList(is_incomplete=False, items=[_item(c) for c in items])


def _symbol(ls: RougeServer, s: Symbol) -> lsp.DocumentSymbol:
    return lsp.DocumentSymbol(
        name=s.id,
        detail=f"{s.keyword}" + (f' "{s.title}"' if s.title else ""),
        kind=_SYMBOL_KINDS[s.kind],
        range=ls.to_client(s.block),
        selection_range=ls.to_client(s.name),
    )


@_feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: RougeServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
    found = ls.analysis(params.text_document.uri)
    if found is None:
        return []
    analysis, path = found
    return [_symbol(ls, s) for s in analysis.file_symbols(path)]


def main() -> None:
    """Serve over stdin and stdout until the client says exit."""
    server.start_io()
