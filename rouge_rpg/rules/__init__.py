"""The rules language: parse rulebook text, check it, and index it as a `Rulebook`."""

from rouge_rpg.rules.load import Loaded, load, read
from rouge_rpg.rules.rulebook import Rulebook

__all__ = ["Loaded", "Rulebook", "load", "read"]
