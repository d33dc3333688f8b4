"""Character sheets: YAML read safely into a tree of values that keep their spans.

`load(path)` reads a sheet's structure, `validate(sheet, rulebook)` checks it
against a rulebook, and `read_character(path, rulebook)` does both and gives
the `Character` (or raises `CheckFailed` with every problem).
"""

from rouge_rpg.beings import Character
from rouge_rpg.sheets.load import Entry, Field, Item, Sheet, load
from rouge_rpg.sheets.nodes import Document, Mapping, Node, Plain, Scalar, ScalarValue, Sequence
from rouge_rpg.sheets.validate import Validated, read_character, validate
from rouge_rpg.sheets.yamlsource import MAX_DEPTH, MAX_NODES, MAX_SHEET_BYTES, load_yaml, parse_yaml

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_SHEET_BYTES",
    "Character",
    "Document",
    "Entry",
    "Field",
    "Item",
    "Mapping",
    "Node",
    "Plain",
    "Scalar",
    "ScalarValue",
    "Sequence",
    "Sheet",
    "Validated",
    "load",
    "load_yaml",
    "parse_yaml",
    "read_character",
    "validate",
]
