"""Dice: notation → AST (`parse`), a seeded roll (`roll`), exact odds (`odds`)."""

from rouge_rpg.dice.ast import Expr
from rouge_rpg.dice.parse import parse
from rouge_rpg.dice.roll import DieResult, Roll, roll

__all__ = ["DieResult", "Expr", "Roll", "parse", "roll"]
