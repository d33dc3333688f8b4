"""The resolution engine: checks, free-will checks and powers, with traces and exact odds.

`resolve(rulebook, actor, action, ...)` is the one entry point; `action` is a
check id, an attribute (rolled with the default check), an act (a free-will
attempt) or an ability or power id. It is pure: it reads the sheets and the
state and returns a `Resolution`; it writes nothing.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Mapping, Sequence

from rouge_rpg.engine.apply import Applied, apply_changes
from rouge_rpg.engine.being import Being
from rouge_rpg.engine.evaluate import Value
from rouge_rpg.engine.odds import CheckOdds, check_odds, free_will_odds, use_odds
from rouge_rpg.engine.prepare import IdentityCache
from rouge_rpg.engine.resolve import (
    AppliedModifier,
    Change,
    Refusal,
    Resolution,
    resolve_check,
    resolve_free_will,
    resolve_use,
)
from rouge_rpg.errors import RougeError
from rouge_rpg.rules import ast
from rouge_rpg.rules.check import kind_word
from rouge_rpg.rules.rulebook import Rulebook, UnknownDefinition
from rouge_rpg.sheets.model import Character

__all__ = [
    "Applied",
    "AppliedModifier",
    "Being",
    "Change",
    "CheckOdds",
    "Refusal",
    "Resolution",
    "apply_changes",
    "as_being",
    "check_for",
    "odds",
    "resolve",
]


def as_being(character: Character | Being, state: Being | None = None) -> Being:
    """A `Being`: the campaign's state of the character if given, else its sheet."""
    if state is not None:
        return state
    return character if isinstance(character, Being) else Being.of(character)


def check_for(
    rulebook: Rulebook, action: str, *, opposed: bool = False
) -> tuple[ast.Check, dict[str, Value]]:
    """The check an action names, with the arguments naming implies.

    A check id is itself. An attribute rolls the rulebook's default check with
    the attribute as its first attribute parameter; when the roll is opposed,
    the first check whose `vs` line involves the target is used instead.
    """
    check, implied = _CHOSEN.get(
        (rulebook,), (action, opposed), lambda: _check_for(rulebook, action, opposed)
    )
    return check, dict(implied)


_CHOSEN: IdentityCache[tuple[ast.Check, tuple[tuple[str, Value], ...]]] = IdentityCache()


def _check_for(
    rulebook: Rulebook, action: str, opposed: bool
) -> tuple[ast.Check, tuple[tuple[str, Value], ...]]:
    found = rulebook.get(action)
    if isinstance(found, ast.Check):
        return found, ()
    if isinstance(found, ast.Attribute):
        check = rulebook.default_check
        if opposed:
            check = next(
                (
                    c
                    for c in rulebook.of_kind("check")
                    if isinstance(c, ast.Check)
                    and c.versus is not None
                    and "target" in str(c.versus)
                    and _attribute_params(c)
                ),
                check,
            )
        if check is None:
            raise RougeError(
                f"'{action}' is an attribute, but the rulebook has no default check to roll it",
                hint="mark one check as default: check action(stat: attribute) default:",
            )
        params = _attribute_params(check)
        if not params:
            raise RougeError(f"check '{check.id}' takes no attribute to roll '{action}' with")
        return check, ((params[0], action),)
    if found is None:
        names = [d.id.text for d in rulebook.of_kind("check", "attribute")]
        close = difflib.get_close_matches(action, names, n=1, cutoff=0.6)
        raise UnknownDefinition(
            f"the rulebook has no check or attribute '{action}'",
            hint=f"did you mean '{close[0]}'?" if close else None,
        )
    hint = None
    if isinstance(found, ast.Act):
        hint = f"an act is attempted with: rouge free-will SHEET --act {action}"
    elif isinstance(found, ast.Ability):
        hint = f"an ability is used with: rouge use SHEET {action}"
    raise UnknownDefinition(
        f"'{action}' is {kind_word(found.kind)}, not a check or attribute", hint=hint
    )


def _attribute_params(check: ast.Check) -> list[str]:
    return [p.name.text for p in check.params if p.type is not None and p.type.text == "attribute"]


def _kind_of_action(rulebook: Rulebook, action: str) -> str:
    found = rulebook.get(action)
    if isinstance(found, ast.Ability):
        return "use"
    if isinstance(found, ast.Act):
        return "free-will"
    return "check"


Route = tuple[str, ast.Check | None, tuple[tuple[str, Value], ...]]
_ROUTES: IdentityCache[Route] = IdentityCache()


def _route(rulebook: Rulebook, action: str, opposed: bool) -> Route:
    """What resolving `action` means: its kind, and for a check the check and implied arguments."""

    def build() -> Route:
        kind = _kind_of_action(rulebook, action)
        if kind != "check":
            return kind, None, ()
        check, implied = check_for(rulebook, action, opposed=opposed)
        return kind, check, tuple(implied.items())

    return _ROUTES.get((rulebook,), (action, opposed), build)


def resolve(
    rulebook: Rulebook,
    actor: Character | Being,
    action: str,
    *,
    target: Character | Being | None = None,
    state: Being | None = None,
    rng: random.Random,
    args: Mapping[str, Value] | None = None,
    modifiers: Sequence[tuple[int, str]] = (),
) -> Resolution:
    """Resolve `action` for `actor`: a check, an attribute, an act, or an ability."""
    being = as_being(actor, state)
    other = as_being(target) if target is not None else None
    kind, check, implied = _route(rulebook, action, other is not None)
    if kind == "use":
        return resolve_use(
            rulebook, being, action, target=other, extra_modifiers=modifiers, rng=rng
        )
    if kind == "free-will":
        return resolve_free_will(
            rulebook, being, action, by=other, extra_modifiers=modifiers, rng=rng
        )
    assert check is not None
    return resolve_check(
        rulebook,
        check,
        being,
        target=other,
        args={**dict(implied), **args} if args else dict(implied),
        extra_modifiers=modifiers,
        rng=rng,
    )


def odds(
    rulebook: Rulebook,
    actor: Character | Being,
    action: str,
    *,
    target: Character | Being | None = None,
    state: Being | None = None,
    args: Mapping[str, Value] | None = None,
    modifiers: Sequence[tuple[int, str]] = (),
) -> CheckOdds:
    """The exact chance of each outcome of `action`, without rolling."""
    being = as_being(actor, state)
    other = as_being(target) if target is not None else None
    kind = _kind_of_action(rulebook, action)
    if kind == "use":
        return use_odds(rulebook, being, action, target=other, extra_modifiers=modifiers)
    if kind == "free-will":
        return free_will_odds(rulebook, being, action, by=other, extra_modifiers=modifiers)
    check, implied = check_for(rulebook, action, opposed=other is not None)
    return check_odds(
        rulebook,
        check,
        being,
        target=other,
        args={**implied, **(args or {})},
        extra_modifiers=modifiers,
    )
