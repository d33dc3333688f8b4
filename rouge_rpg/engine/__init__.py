"""The resolution engine: checks, free-will checks and abilities, with traces and exact odds.

One dispatcher: an `Action` says what the GM asks (its `kind`: a check, a
free-will attempt or the use of an ability), and `resolve` and `odds` send it
to the module of that kind. The CLI, the demo and the campaign all come
through here. The engine is pure: it reads beings and returns `Resolution`s
and changes; `apply_resolution` applies them outside a campaign.

Modules, one per thing the GM does: `checks`, `free_will`, `abilities`; and
what they share: `modifiers`, `effects`, `results`, `apply`. The dispatcher
imports `free_will` and `abilities` when an action of their kind comes, so a
check does not load them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Literal, TypeAlias, assert_never

import attrs

from rouge_rpg.beings import Being, Character
from rouge_rpg.engine.apply import Applied, apply_changes, apply_resolution
from rouge_rpg.engine.checks import (
    Pushing,
    check_for,
    check_odds,
    defense_param,
    resolve_check,
)
from rouge_rpg.engine.checks import push_odds as check_push_odds
from rouge_rpg.engine.results import (
    AppliedModifier,
    Change,
    CheckOdds,
    Refusal,
    Resolution,
)
from rouge_rpg.errors import RougeError
from rouge_rpg.record import Record
from rouge_rpg.rules import ast
from rouge_rpg.rules.evaluate import EvaluationError, Value
from rouge_rpg.rules.rulebook import Rulebook

__all__ = [
    "Action",
    "ActionKind",
    "Applied",
    "AppliedModifier",
    "Being",
    "Change",
    "CheckOdds",
    "Refusal",
    "Resolution",
    "action_kind",
    "apply_changes",
    "apply_resolution",
    "check_for",
    "odds",
    "push_odds",
    "resolve",
]

ActionKind: TypeAlias = Literal["check", "free-will", "use"]


def _arguments(
    value: Mapping[str, Value] | Sequence[tuple[str, Value]],
) -> tuple[tuple[str, Value], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted(items))


@attrs.frozen(repr=False, eq=False, slots=False)
class Action(Record):
    """What the GM asks of the engine: who does what, to whom, with which arguments.

    `name` is a check or an attribute (kind `check`), an act (`free-will`) or
    an ability or power (`use`). `target` is the check's target, the other
    party of a free-will attempt, or the ability's target. `defense` names the
    target's attribute an opposed check defends with (`--vs SHEET:ATTRIBUTE`).
    """

    kind: ActionKind
    name: str
    actor: Being
    target: Being | None = None
    args: tuple[tuple[str, Value], ...] = attrs.field(default=(), converter=_arguments)
    modifiers: tuple[tuple[int, str], ...] = ()
    defense: str | None = None
    #: False for the second and later targets of one use: only costs `per target` are paid.
    pays: bool = True
    #: Pushes made on a check's roll: each push's name and its seed (see `resolve_check`).
    pushes: tuple[Pushing, ...] = ()

    @classmethod
    def of(
        cls,
        rulebook: Rulebook,
        actor: Character | Being,
        name: str,
        *,
        target: Character | Being | None = None,
        args: Mapping[str, Value] | None = None,
        modifiers: Sequence[tuple[int, str]] = (),
        defense: str | None = None,
    ) -> Action:
        """The action `name` calls for (its kind from what the rulebook defines `name` as)."""
        return cls(
            action_kind(rulebook, name),
            name,
            being_of(actor),
            being_of(target) if target is not None else None,
            tuple((args or {}).items()),
            tuple(modifiers),
            defense,
        )


def action_kind(rulebook: Rulebook, name: str) -> ActionKind:
    """The kind of action a name calls for: an ability is used, an act attempted, else a check."""
    found = rulebook.get(name)
    if isinstance(found, ast.Ability):
        return "use"
    if isinstance(found, ast.Act):
        return "free-will"
    return "check"


def _check(rulebook: Rulebook, action: Action) -> tuple[ast.Check, dict[str, Value]]:
    """The check an action of kind `check` rolls, with its arguments."""
    check, args = check_for(rulebook, action.name, opposed=action.target is not None)
    args.update(action.args)
    if action.defense is not None:
        param = defense_param(check)
        if check.versus is None:
            raise RougeError(
                f"check '{check.id}' has no 'vs' line: nothing defends against it",
                hint="--vs SHEET:ATTRIBUTE needs a check whose 'vs' line reads target[PARAMETER]",
            )
        if param is None:
            raise RougeError(
                f"check '{check.id}' does not read a defending attribute of its target",
                hint="its 'vs' line would read one as target[PARAMETER]",
            )
        args[param] = action.defense
    if action.target is not None and not _has_use_for_target(rulebook, check):
        raise RougeError(
            f"check '{check.id}' has nothing to do with a target: no 'vs' line, nothing that "
            "reads the target, and no modifier against it",
            hint="leave out --vs, or roll a check whose 'vs' line reads the target",
        )
    return check, args


def _has_use_for_target(rulebook: Rulebook, check: ast.Check) -> bool:
    """Whether a target can change a check: it reads the target, or a modifier some
    bearer carries `against` it could apply."""
    if ast.reads_target(check):
        return True
    return any(
        m.direction == "against" and (m.selector is None or m.selector.text == check.id.text)
        for d in rulebook.of_kind("condition", "faction", "member")
        if isinstance(d, ast.Condition | ast.Faction | ast.Member)
        for m in d.modifiers
    )


#: How each kind of action is given the other party, for the hint when it is missing.
OTHER_PARTY: dict[ActionKind, str] = {
    "check": "give one with --vs SHEET",
    "free-will": "say who is involved with --by SHEET",
    "use": "give one with --target SHEET",
}


def resolve(rulebook: Rulebook, action: Action, *, rng: random.Random) -> Resolution:
    """Resolve an action: roll its check, face the constraint, or use the ability."""
    try:
        return _resolve(rulebook, action, rng=rng)
    except EvaluationError as error:
        raise _completed(error, action) from None


def odds(rulebook: Rulebook, action: Action) -> CheckOdds:
    """The exact chance of each outcome of an action, without rolling."""
    try:
        return _odds(rulebook, action)
    except EvaluationError as error:
        raise _completed(error, action) from None


def push_odds(rulebook: Rulebook, action: Action, push: str, *, rng: random.Random) -> CheckOdds:
    """The exact chance of each outcome if the action's roll (made with `rng` and the
    action's pushes) is pushed once more with `push`."""
    if action.kind != "check":
        raise RougeError("only a check's roll can be pushed")
    check, args = _check(rulebook, action)
    try:
        return check_push_odds(
            rulebook,
            check,
            action.actor,
            push,
            target=action.target,
            args=args,
            extra_modifiers=action.modifiers,
            rng=rng,
            pushes=action.pushes,
        )
    except EvaluationError as error:
        raise _completed(error, action) from None


def _completed(error: EvaluationError, action: Action) -> EvaluationError:
    """The error, with the hint that names how this kind of action is given a target."""
    if error.missing == "target" and error.hint is None:
        error.hint = OTHER_PARTY[action.kind]
    return error


def _resolve(rulebook: Rulebook, action: Action, *, rng: random.Random) -> Resolution:
    match action.kind:
        case "check":
            check, args = _check(rulebook, action)
            return resolve_check(
                rulebook,
                check,
                action.actor,
                target=action.target,
                args=args,
                extra_modifiers=action.modifiers,
                rng=rng,
                pushes=action.pushes,
            )
        case "free-will" if action.pushes:
            raise RougeError("only a check's roll can be pushed, not a free-will check")
        case "use" if action.pushes:
            raise RougeError("only a check's roll can be pushed, not an ability's")
        case "free-will":
            from rouge_rpg.engine.free_will import resolve_free_will

            return resolve_free_will(
                rulebook,
                action.actor,
                action.name,
                by=action.target,
                extra_modifiers=action.modifiers,
                rng=rng,
            )
        case "use":
            from rouge_rpg.engine.abilities import resolve_use

            return resolve_use(
                rulebook,
                action.actor,
                action.name,
                target=action.target,
                extra_modifiers=action.modifiers,
                rng=rng,
                pays=action.pays,
            )
        case _:
            assert_never(action.kind)


def _odds(rulebook: Rulebook, action: Action) -> CheckOdds:
    match action.kind:
        case "check":
            check, args = _check(rulebook, action)
            return check_odds(
                rulebook,
                check,
                action.actor,
                target=action.target,
                args=args,
                extra_modifiers=action.modifiers,
            )
        case "free-will":
            from rouge_rpg.engine.free_will import free_will_odds

            return free_will_odds(
                rulebook,
                action.actor,
                action.name,
                by=action.target,
                extra_modifiers=action.modifiers,
            )
        case "use":
            from rouge_rpg.engine.abilities import use_odds

            return use_odds(
                rulebook,
                action.actor,
                action.name,
                target=action.target,
                extra_modifiers=action.modifiers,
            )
        case _:
            assert_never(action.kind)


def being_of(character: Character | Being) -> Being:
    """A `Being`: itself, or the character as its sheet says."""
    return character if isinstance(character, Being) else Being.of(character)
