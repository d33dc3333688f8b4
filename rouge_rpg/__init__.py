"""rouge-rpg: a narrative rules engine for tabletop RPGs set in Metallic Rouge."""

__version__ = "0.1.0"
