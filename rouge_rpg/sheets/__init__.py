"""Character sheets: YAML read safely into a tree of values that keep their spans."""

from rouge_rpg.sheets.nodes import Document, Mapping, Node, Plain, Scalar, ScalarValue, Sequence
from rouge_rpg.sheets.yamlsource import MAX_DEPTH, MAX_NODES, MAX_SHEET_BYTES, load_yaml, parse_yaml

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_SHEET_BYTES",
    "Document",
    "Mapping",
    "Node",
    "Plain",
    "Scalar",
    "ScalarValue",
    "Sequence",
    "load_yaml",
    "parse_yaml",
]
