"""Units of game time, shared by the rules language and the campaign.

Kept apart from `rules.ast` so that what only reads or writes game time (the
campaign's log and status) need not create the rules' node classes.
"""

from __future__ import annotations

#: Game minutes in each unit of game time; rounds, turns and scenes are an encounter's.
MINUTES: dict[str, int] = {"minute": 1, "hour": 60, "day": 24 * 60, "week": 7 * 24 * 60}
#: The longest stretch of game time one duration may say: ten years.
MAX_GAME_TIME = 10 * 365 * MINUTES["day"]
