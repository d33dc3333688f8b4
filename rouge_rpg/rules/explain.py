"""A definition in plain words, for `rouge rules show`."""

from __future__ import annotations

from typing import assert_never

from rouge_rpg.dice import ast as dice
from rouge_rpg.rules import ast
from rouge_rpg.rules.rulebook import Rulebook

_COMPARISONS = {
    ">=": "is at least",
    ">": "is more than",
    "<=": "is at most",
    "<": "is less than",
    "==": "is",
}
_ROLL_WORDS = {
    "total": "the total",
    "dice": "the dice alone",
    "margin": "the margin",
    "opposition": "the opposition",
    "highest": "the highest die",
    "lowest": "the lowest die",
    "doubles": "two dice show the same face",
}


def words(node: ast.Test) -> str:
    """An expression or test read aloud: `margin >= 3` → `the margin is at least 3`."""
    n: ast.ExprNode = node
    match n:
        case dice.Compare():
            return f"{words(n.left)} {_COMPARISONS[n.op]} {words(n.right)}"
        case ast.AllOf():
            return " and ".join(
                f"({words(o)})" if isinstance(o, ast.AnyOf) else words(o) for o in n.operands
            )
        case ast.AnyOf():
            return " or ".join(words(o) for o in n.operands)
        case ast.Not():
            return f"not ({words(n.operand)})"
        case ast.Call():
            verb = "has" if n.method.text == "has" else "is"
            who = "the actor" if n.subject.text == "actor" else "the target"
            return f"{who} {verb} {n.argument}"
        case ast.Reference():
            if len(n.path) == 1 and n.index is None and n.root in _ROLL_WORDS:
                return _ROLL_WORDS[n.root]
            if n.index is not None:
                return f"the {n.root}'s attribute named by {n.index}"
            if n.root in {"actor", "target"} and len(n.path) == 2:
                return f"the {n.root}'s {n.path[1]}"
            return str(n)
        case ast.Choice():
            return f"if {words(n.test)}, {words(n.then)}; otherwise {words(n.otherwise)}"
        case ast.Extreme():
            which = "the highest" if n.high else "the lowest"
            return f"{which} of " + ", ".join(words(o) for o in n.operands)
        case ast.Named():
            return n.name
        case ast.Count():
            return f"the number of dice showing {n.point}"
        case ast.Pool():
            return str(n)
        case (
            dice.Literal()
            | dice.Dice()
            | dice.Group()
            | dice.Parenthetical()
            | dice.Labeled()
            | dice.Negate()
            | dice.Sum()
            | dice.Product()
            | ast.Boolean()
        ):
            # Numbers, dice and arithmetic read best as written.
            return str(n)
        case _:
            assert_never(n)


def _effects(effects: tuple[ast.Effect, ...]) -> str:
    return "; ".join(str(e) for e in effects)


def _sentence(text: str) -> str:
    """`text` ended with a full stop, unless it already ends a sentence or a quote."""
    return text if text.endswith((".", "!", "?", '"')) else text + "."


def explain(d: ast.Definition, rulebook: Rulebook) -> list[str]:
    """Lines that say what `d` means at the table."""
    out: list[str] = []
    if isinstance(d, ast.Attribute):
        label = "A skill" if d.skill else "An attribute"
        default = f" ({d.default} if a sheet leaves it out)" if d.default is not None else ""
        out.append(f"{label} from {d.low} to {d.high}{default}.")
    elif isinstance(d, ast.Kind):
        out.append(
            "A kind of being."
            if d.parent is None
            else f"A kind of being; every {d.id} is also a {d.parent}, and rules for "
            f"{d.parent} reach it too."
        )
    elif isinstance(d, ast.Constant):
        out.append(f"A constant: {d.value}.")
    elif isinstance(d, ast.BonusType):
        out.append("A bonus type: of each type only the highest bonus and the worst penalty apply.")
    elif isinstance(d, ast.Act):
        out.append(f"An act of severity {d.severity} that a constraint can forbid or require.")
        for c in rulebook.of_kind("constraint"):
            assert isinstance(c, ast.Constraint)
            for rule in c.rules:
                if rule.act.text == d.id.text:
                    out.append(
                        f"{c.display} {rule.mode}s it"
                        + (f" when {words(rule.when)}" if rule.when else "")
                        + (f", unless the being passes {rule.unless}." if rule.unless else ".")
                    )
        performed = [
            a.id.text
            for a in rulebook.of_kind("ability", "power")
            if isinstance(a, ast.Ability) and any(p.act.text == d.id.text for p in a.performs)
        ]
        if performed:
            out.append("Performed by: " + ", ".join(performed) + ".")
    elif isinstance(d, ast.Resource):
        start = f"; characters start with {d.start}" if d.start is not None else ""
        out.append(f"A resource from 0 to {d.maximum}{start}.")
        if d.holders:
            out.append(
                "Carried only by "
                + "; ".join(f"{h.kind} {', '.join(i.text for i in h.ids)}" for h in d.holders)
                + ", whatever their faction grants."
            )
        if d.decay:
            out.append(f"It decays by {d.decay} every {d.decay_unit} of game time.")
        out.extend(_triggers(d))
    elif isinstance(d, ast.Track):
        what = f"A clock of {d.high} segments." if d.clock else f"A track from {d.low} to {d.high}."
        if d.start is not None:
            what += f" Characters start at {d.start}."
        out.append(what + (" Damage advances it and healing reduces it." if d.takes_damage else ""))
        out.extend(_triggers(d))
    elif isinstance(d, ast.Condition):
        out.append("A condition.")
        for blocked in d.blocks:
            out.append(
                "It blocks every action." if blocked.text == "all" else f"It blocks {blocked}."
            )
        out.extend(_modifier(m) for m in d.modifiers)
        if d.lasts:
            out.append(f"It lasts {d.lasts}.")
    elif isinstance(d, ast.Check):
        out.extend(_check(d))
    elif isinstance(d, ast.Faction):
        out.append("A faction" + (f" of {d.being} beings." if d.being else "."))
        for grant in d.grants:
            start = f", starting at {grant.start}" if grant.start is not None else ""
            out.append(f"Its members carry {grant.resource}{start}.")
        out.extend(f"Trait: {t}" for t in d.traits)
        if d.abilities:
            out.append("Abilities: " + ", ".join(a.text for a in d.abilities) + ".")
        out.extend(
            f"It has {r}." if r.kind in {"authority", "jurisdiction"} else f"It is {r}."
            for r in d.relations
        )
        out.extend(_modifier(m) for m in d.modifiers)
    elif isinstance(d, ast.Member):
        out.append(f"A member of {d.faction}" + (", now deceased." if d.deceased else "."))
        powers = [
            a.id.text
            for a in rulebook.of_kind("ability", "power")
            if isinstance(a, ast.Ability)
            and any(h.kind == "member" and d.id in h.ids for h in a.holders)
        ]
        if powers:
            out.append("Their own: " + ", ".join(powers) + ".")
    elif isinstance(d, ast.Ability):
        out.extend(_ability(d))
    elif isinstance(d, ast.Constraint):
        out.append("A constraint on " + ", ".join(k.text for k in d.applies) + " beings.")
        out.extend(f"Not when {words(t)}." for t in d.exempt)
        for rule in d.rules:
            out.append(
                f"It {rule.mode}s {rule.act}"
                + (f" when {words(rule.when)}" if rule.when else "")
                + (f", unless the being passes {rule.unless}." if rule.unless else ".")
            )
    if d.description:
        out.append(d.description)
    return out


def _triggers(d: ast.Resource | ast.Track) -> list[str]:
    lines = []
    for t in d.triggers:
        when = f"When it reaches {t.at}" + (f" and stays there {t.lasting}" if t.lasting else "")
        lines.append(_sentence(f"{when}: {_effects(t.effects)}"))
    return lines


def _modifier(m: ast.Modifier, every: str = "every check") -> str:
    sign = m.shown
    typed = f" {m.type}" if m.type else ""
    side = "to" if m.direction == "to" else "against the bearer, to"
    target = m.selector.text if m.selector else every
    when = f" when {words(m.when)}" if m.when else ""
    note = f" ({m.note})" if m.note else ""
    return f"Modifier {sign}{typed} {side} {target}{when}{note}."


def _check(d: ast.Check) -> list[str]:
    params = ", ".join(str(p) for p in d.params)
    out = [
        f"A check{f' with {params}' if params else ''}: roll {d.roll}"
        + (f" against {d.versus}." if d.versus is not None else ".")
    ]
    if d.default:
        out.append("It is the default check: naming an attribute rolls it with that attribute.")
    # Inside a check, `to all` means this check alone.
    out.extend(_modifier(m, every="this check") for m in d.modifiers)
    out.extend(f"{let.name} is {words(let.value)}." for let in d.lets)
    out.append("Outcomes, the first that holds:")
    for rung in d.rungs:
        when = "otherwise" if rung.when is None else f"when {words(rung.when)}"
        extra = f": {_effects(rung.effects)}" if rung.effects else ""
        out.append(f"  {rung.name} {when}{extra}")
    return out


def _ability(d: ast.Ability) -> list[str]:
    out = [
        f"{'A power' if d.power else 'An ability'}"
        + (
            " for " + "; ".join(f"{h.kind} {', '.join(i.text for i in h.ids)}" for h in d.holders)
            if d.holders
            else ""
        )
        + "."
    ]
    out.extend(f"Requires {words(t)}." for t in d.requires)
    for p in d.performs:
        when = f" when {words(p.when)}" if p.when is not None else ""
        out.append(f"Performs the act {p.act}{when}; a being a constraint binds faces it first.")
    if d.costs:
        out.append("Costs " + ", ".join(f"{c.amount} {c.resource}" for c in d.costs) + ".")
    if d.target != "none":
        out.append(f"A target is {d.target}.")
    if d.check is not None:
        out.append(f"Rolls {d.check}.".replace("Rolls check ", "Rolls "))
    for o in d.outcomes:
        out.append(_sentence(f"On {', '.join(n.text for n in o.outcomes)}: {_effects(o.effects)}"))
    if d.effects:
        out.append(_sentence(f"Always: {_effects(d.effects)}"))
    if d.lasts:
        out.append(f"Lasts {d.lasts}.")
    return out
