"""The committed standalone dice parser is exactly what the generator makes of the grammar."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "generate_dice_parser.py"
COMMITTED = ROOT / "rouge_rpg" / "dice" / "_parser.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_dice_parser", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_parser_is_up_to_date() -> None:
    generator = load_generator()
    assert Path(generator.TARGET) == COMMITTED
    expected = generator.generate()
    actual = COMMITTED.read_text(encoding="utf-8")
    assert actual == expected, (
        "rouge_rpg/dice/_parser.py is stale: run `python scripts/generate_dice_parser.py`"
    )


def test_generated_parser_reads_the_grammar_it_names() -> None:
    generator = load_generator()
    assert Path(generator.GRAMMAR) == ROOT / "grammars" / "dice.lark"
    assert COMMITTED.read_text(encoding="utf-8").startswith(generator.HEADER)
