"""The TextMate grammar and VS Code manifest follow grammars/rules.lark."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"
LARK = (ROOT / "grammars" / "rules.lark").read_text(encoding="utf-8")


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "generate_textmate", ROOT / "scripts" / "generate_textmate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _keyword_patterns(grammar: dict[str, Any]) -> list[re.Pattern[str]]:
    return [re.compile(p["match"]) for p in grammar["repository"]["keyword"]["patterns"]]


def test_the_committed_grammar_is_what_the_script_generates() -> None:
    committed = (VSCODE / "syntaxes" / "rouge.tmLanguage.json").read_text(encoding="utf-8")
    assert committed == _generator().render(LARK), "run scripts/generate_textmate.py"


def test_every_word_literal_of_rules_lark_is_a_highlighted_keyword() -> None:
    grammar = json.loads((VSCODE / "syntaxes" / "rouge.tmLanguage.json").read_text())
    patterns = _keyword_patterns(grammar)
    literals = set(re.findall(r'"([a-z_]+)"', re.sub(r"//[^\n]*", "", LARK)))
    units = re.search(r"UNIT: /\((.*?)\)s\?", LARK)
    assert units is not None
    literals |= set(units.group(1).split("|"))
    assert len(literals) > 60
    missed = sorted(w for w in literals if not any(p.fullmatch(w) for p in patterns))
    assert missed == []


def test_a_new_keyword_in_the_grammar_reaches_the_generated_grammar() -> None:
    grammar = _generator().grammar(LARK + '\nfoo: "brand_new_word" NAME _NL\n')
    assert any(p.fullmatch("brand_new_word") for p in _keyword_patterns(grammar))


def test_the_manifest_contributes_the_language_and_grammar_and_starts_rouge_lsp() -> None:
    manifest = json.loads((VSCODE / "package.json").read_text())
    language = manifest["contributes"]["languages"][0]
    assert language["extensions"] == [".rouge"]
    grammar = manifest["contributes"]["grammars"][0]
    assert (VSCODE / grammar["path"]).is_file()
    assert grammar["scopeName"] == "source.rouge"
    script = (VSCODE / manifest["main"]).read_text()
    assert 'args: ["lsp"]' in script and "vscode-languageclient" in script
