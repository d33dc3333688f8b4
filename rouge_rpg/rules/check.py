"""The static checker: every name resolves, types agree, ladders can be reached.

`check(definitions)` returns every problem found, as diagnostics; it never
stops at the first one. Types are simple and fixed: numbers, booleans, and the
kinds of definition a name can refer to (a kind, a faction, a condition...).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from typing import assert_never

import attrs

from rouge_rpg.diagnostics import Diagnostic, Span
from rouge_rpg.dice import ast as dice
from rouge_rpg.rules import ast

NUMBER = "number"
BOOL = "condition"  # a test: true or false
TEXT = "text"
BEING = "character"

#: Parameter types a check may declare.
PARAM_TYPES = frozenset(
    {NUMBER, "attribute", "act", "condition", "kind", "faction", "resource", "track", "member"}
)
#: Values of the roll that a check's ladder may test, with what each is.
ROLL_NAMES = ast.ROLL_NAMES
#: The types of the roll's values (numbers, but for `doubles`).
ROLL_TYPES = {"doubles": BOOL}
#: Fields of `actor` and `target` besides attributes, resources and tracks.
BEING_FIELDS = {"name": TEXT, "kind": "kind", "faction": "faction", "member": "member"}
#: Methods of `actor` and `target`: method → what its argument must be.
BEING_METHODS = {"has": ("condition",), "is": ("kind", "faction", "member")}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PATH = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")


def effect_targets(verb: ast.EffectVerb) -> tuple[str, ...]:
    """The kinds of definition an effect verb acts on (none: damage, heal and narrate)."""
    match verb:
        case "gain" | "lose":
            return ("resource", "condition")
        case "set":
            return ("resource", "track")
        case "advance" | "reduce":
            return ("track",)
        case "damage" | "heal" | "narrate":
            return ()
        case _:
            assert_never(verb)


def kind_word(kind: str) -> str:
    """`an attribute`, `a check`: a definition kind with its article."""
    return ("an " if kind[0] in "aeiou" else "a ") + kind.replace("_", " ")


@attrs.define
class Scope:
    """What a name may mean at one place in the rules."""

    params: dict[str, str] = attrs.field(factory=dict)
    roll: bool = False  # total, dice, margin, opposition
    actor: bool = True
    target: bool = True
    where: str = ""
    #: Whether dice may roll here (a check's roll, vs and ladder, effects, constants).
    dice: bool = False
    #: What the place is called when dice may not roll there.
    place: str = "this line"
    #: The words of `one of (...)` parameters in reach: word → the parameter's type.
    choices: dict[str, str] = attrs.field(factory=dict)


class Checker:
    """Walks every definition and collects diagnostics."""

    def __init__(self, definitions: Mapping[str, ast.AnyDefinition]) -> None:
        self.defs = definitions
        self.diagnostics: list[Diagnostic] = []
        self.file = ""
        self.damage_reported = False
        self._rolling: frozenset[str] | None = None
        #: The types of the current check's `let` values, by name.
        self.lets: dict[str, str | None] = {}

    # -- reporting ------------------------------------------------------------------
    def error(self, message: str, span: Span | None, hint: str | None = None) -> None:
        located = span.with_file(self.file) if span is not None else None
        self.diagnostics.append(Diagnostic("error", message, located, hint))

    def warning(self, message: str, span: Span | None, hint: str | None = None) -> None:
        located = span.with_file(self.file) if span is not None else None
        self.diagnostics.append(Diagnostic("warning", message, located, hint))

    def suggest(self, name: str, candidates: Iterable[str]) -> str | None:
        import difflib  # only a wrong name needs suggestions

        close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
        return f"did you mean '{close[0]}'?" if close else None

    def ids_of(self, *kinds: str) -> list[str]:
        return [i for i, d in self.defs.items() if d.KIND in kinds or d.kind in kinds]

    def lookup(
        self, name: ast.Name, *kinds: str, role: str | None = None
    ) -> ast.AnyDefinition | None:
        """The definition `name` refers to, which must be one of `kinds`."""
        found = self.defs.get(name.text)
        wanted = kind_word(" or ".join(kinds))
        if found is None:
            what = role or " or ".join(k.replace("_", " ") for k in kinds)
            self.error(
                f"unknown {what} '{name.text}'",
                name.span,
                self.suggest(name.text, self.ids_of(*kinds)),
            )
            return None
        if found.KIND not in kinds and found.kind not in kinds:
            self.error(
                f"'{name.text}' is {kind_word(found.kind)}, but {wanted} is expected here",
                name.span,
            )
            return None
        return found

    # -- expressions --------------------------------------------------------------------
    def infer(self, node: ast.Test, scope: Scope) -> str | None:
        """The type of an expression, or None where an error was reported."""
        n: ast.ExprNode = node
        match n:
            case dice.Literal():
                return NUMBER
            case dice.Dice():
                self.dice_here(n, scope)
                return NUMBER
            case dice.Group():
                self.dice_here(n, scope)
                self.group(n)
                for item in n.items:
                    self.expect(item, NUMBER, scope)
                return NUMBER
            case dice.Parenthetical() | dice.Labeled():
                return self.infer(n.inner, scope)
            case dice.Negate():
                return NUMBER if self.expect(n.operand, NUMBER, scope) else None
            case dice.Sum() | dice.Product():
                ok = self.expect(n.first, NUMBER, scope)
                for _, term in n.rest:
                    ok = self.expect(term, NUMBER, scope) and ok
                return NUMBER if ok else None
            case dice.Compare():
                return self.compare(n, scope)
            case ast.Boolean():
                return BOOL
            case ast.AnyOf() | ast.AllOf():
                ok = True
                for operand in n.operands:
                    ok = self.expect(operand, BOOL, scope) and ok
                return BOOL if ok else None
            case ast.Not():
                return BOOL if self.expect(n.operand, BOOL, scope) else None
            case ast.Call():
                return self.call(n, scope)
            case ast.Reference():
                return self.reference(n, scope)
            case ast.Pool():
                self.dice_here(n, scope)
                fixed = attrs.evolve(scope, dice=False, roll=False)
                ok = True
                if n.count is not None:
                    where = attrs.evolve(fixed, place="a number of dice")
                    ok = self.expect(n.count, NUMBER, where)
                if n.sides is not None:
                    where = attrs.evolve(fixed, place="a die's size")
                    ok = self.expect(n.sides, NUMBER, where) and ok
                return NUMBER if ok else None
            case ast.Extreme():
                ok = True
                for operand in n.operands:
                    ok = self.expect(operand, NUMBER, scope) and ok
                return NUMBER if ok else None
            case ast.Choice():
                ok = self.expect(
                    n.test, BOOL, attrs.evolve(scope, dice=False, place="the test of an 'if'")
                )
                then, otherwise = self.infer(n.then, scope), self.infer(n.otherwise, scope)
                if not ok or then is None or otherwise is None:
                    return None
                if then != otherwise:
                    self.error(
                        f"the two branches of '{n}' differ: {_type_words(then)} and "
                        f"{_type_words(otherwise)}",
                        n.span,
                    )
                    return None
                return then
            case ast.Named():
                return self.lets.get(n.name)
            case ast.Count():
                if not scope.roll:
                    self.error(
                        f"'{n}' reads the roll's dice: it exists only in the outcome ladder "
                        "of a check",
                        n.span,
                    )
                    return None
                return NUMBER
            case _:
                assert_never(n)

    def dice_here(
        self, node: dice.Dice | dice.Group | ast.Reference | ast.Pool, scope: Scope
    ) -> bool:
        """Report dice where nothing rolls them; whether they may roll here."""
        if scope.dice:
            return True
        self.error(
            f"'{node}' rolls dice, but {scope.place} is a fixed number",
            node.span,
            "dice roll in a check's roll, vs and outcome lines, a modifier's amount, and effects",
        )
        return False

    def group(self, node: dice.Group) -> None:
        """A keep or drop that leaves nothing, or keeps more than the group holds."""
        select = node.select
        if select is None:
            return
        size = len(node.items)
        if (not select.keep and select.count >= size) or (select.keep and select.count > size):
            what = "keeps" if select.keep else "drops"
            self.error(
                f"'{node}' {what} {select.count} of a group of {size}: "
                f"'{select!s}' here is a group's {'keep' if select.keep else 'drop'}, "
                "not a die",
                node.span,
                "a group {...} is rolled as its items; for a number of dice from a value "
                "write (VALUE)d6",
            )

    def rolls(self, constant: str) -> bool:
        """Whether a constant rolls dice, itself or through the constants it reads."""
        if self._rolling is None:
            self._rolling = ast.rolling_constants(self.defs)
        return constant in self._rolling

    def expect(self, node: ast.Test, wanted: str, scope: Scope) -> bool:
        """Check that `node` has type `wanted`; report it if not."""
        found = self.infer(node, scope)
        if found is None:
            return False
        if found != wanted:
            self.error(
                f"expected {_type_words(wanted)}, but '{node}' is {_type_words(found)}",
                getattr(node, "span", None),
            )
            return False
        return True

    def compare(self, node: dice.Compare, scope: Scope) -> str | None:
        left, right = self.infer(node.left, scope), self.infer(node.right, scope)
        if left is None or right is None:
            return None
        if node.op != "==" and (left != NUMBER or right != NUMBER):
            bad = node.left if left != NUMBER else node.right
            bad_type = left if bad is node.left else right
            self.error(
                f"'{node.op}' compares numbers, but '{bad}' is {_type_words(bad_type)}", node.span
            )
            return None
        if left != right:
            self.error(
                f"'{node}' compares {_type_words(left)} with {_type_words(right)}", node.span
            )
            return None
        return BOOL

    def call(self, node: ast.Call, scope: Scope) -> str | None:
        if not self.being_root(node.subject, scope):
            return None
        kinds = BEING_METHODS.get(node.method.text)
        if kinds is None:
            self.error(
                f"'{node.subject}' has no method '{node.method}'; use has(condition) or is(kind)",
                node.method.span,
                self.suggest(node.method.text, BEING_METHODS),
            )
            return None
        return BOOL if self.lookup(node.argument, *kinds) is not None else None

    def being_root(self, name: ast.Name, scope: Scope) -> bool:
        if name.text == "actor" and not scope.actor:
            self.error(f"there is no actor in {scope.where}", name.span)
            return False
        if name.text == "target" and not scope.target:
            self.error(f"there is no target in {scope.where}", name.span)
            return False
        if name.text not in {"actor", "target"}:
            self.error(f"'{name}' is not a character; use actor or target", name.span)
            return False
        return True

    def reference(self, node: ast.Reference, scope: Scope) -> str | None:
        root = node.path[0]
        if root.text in {"actor", "target"}:
            return self.being_reference(node, scope)
        if node.index is not None:
            self.error(f"only actor and target can be indexed, not '{root}'", root.span)
            return None
        if root.text in scope.choices and root.text not in scope.params and len(node.path) == 1:
            return scope.choices[root.text]
        if root.text in scope.params:
            kind = scope.params[root.text]
            if len(node.path) == 1:
                return kind
            if kind == "act" and len(node.path) == 2 and node.path[1].text == "severity":
                return NUMBER
            self.error(
                f"'{node}': {kind_word(kind)} parameter has no field '{node.path[1]}'",
                node.path[1].span,
            )
            return None
        if scope.roll and root.text in ROLL_NAMES and len(node.path) == 1:
            return ROLL_TYPES.get(root.text, NUMBER)
        found = self.defs.get(root.text)
        if found is None:
            names = [*self.defs, *scope.params, "actor", "target"]
            if scope.roll:
                names += list(ROLL_NAMES)
            hint = self.suggest(root.text, names)
            if root.text in ROLL_NAMES and not scope.roll:
                hint = f"'{root}' exists only in the outcome ladder of a check"
            self.error(f"unknown name '{root}'", root.span, hint)
            return None
        if len(node.path) > 1:
            if found.KIND == "act" and node.path[1].text == "severity" and len(node.path) == 2:
                return NUMBER
            self.error(
                f"'{root}' is {kind_word(found.kind)} and has no field '{node.path[1]}'",
                node.path[1].span,
            )
            return None
        if found.KIND == "const":
            if self.rolls(root.text) and not scope.dice:
                self.dice_here(node, scope)
            return NUMBER
        return found.KIND

    def being_reference(self, node: ast.Reference, scope: Scope) -> str | None:
        root = node.path[0]
        if not self.being_root(root, scope):
            return None
        if node.index is not None:
            if len(node.path) > 1:
                self.error(f"'{node}': index the character itself, as {root}[stat]", node.span)
                return None
            kind = scope.params.get(node.index.text)
            if kind is None:
                self.error(
                    f"'{node.index}' in '{node}' must be a parameter naming an attribute",
                    node.index.span,
                    self.suggest(node.index.text, scope.params),
                )
                return None
            if kind not in {"attribute", "resource", "track"}:
                self.error(
                    f"'{node.index}' is {kind_word(kind)} parameter; an index must name an "
                    "attribute, resource or track",
                    node.index.span,
                )
                return None
            return NUMBER
        if len(node.path) == 1:
            return BEING
        if len(node.path) > 2:
            self.error(f"'{node}' goes too deep; write {root}.{node.path[1]}", node.path[2].span)
            return None
        field = node.path[1]
        if field.text in BEING_FIELDS:
            return BEING_FIELDS[field.text]
        found = self.defs.get(field.text)
        if found is not None and found.KIND in {"attribute", "resource", "track"}:
            return NUMBER
        if found is not None and found.KIND == "condition":
            self.error(
                f"'{node}' is not a value; test a condition with {root}.has({field})", field.span
            )
            return None
        self.error(
            f"'{root}' has no attribute, resource or track '{field}'",
            field.span,
            self.suggest(
                field.text, [*BEING_FIELDS, *self.ids_of("attribute", "resource", "track")]
            ),
        )
        return None

    def text(self, text: str, span: Span | None, scope: Scope) -> None:
        """Check the `{placeholders}` of a narrative line."""
        for match in _PLACEHOLDER.finditer(text):
            inner = match.group(1).strip()
            if not _PATH.match(inner):
                self.error(f"'{{{inner}}}' is not a name such as {{actor.name}}", span)
                continue
            if inner in self.lets:
                continue
            path = tuple(ast.Name(part, span=span) for part in inner.split("."))
            self.infer(ast.Reference(path, span=span), scope)

    # -- pieces --------------------------------------------------------------------------
    def modifier(self, modifier: ast.Modifier, scope: Scope) -> None:
        scope = attrs.evolve(scope, dice=False, place="a modifier's test")
        # A modifier of the total may roll dice (`+1d4`): they roll with the check.
        self.expect(modifier.value, NUMBER, attrs.evolve(scope, dice=True))
        if modifier.type is not None:
            self.lookup(modifier.type, "bonus_type", role="bonus type")
        if modifier.selector is not None:
            self.lookup(modifier.selector, "check")
        if modifier.when is not None:
            self.expect(modifier.when, BOOL, scope)

    def effect(self, effect: ast.Effect, scope: Scope) -> None:
        if effect.verb == "narrate":
            self.text(effect.text or "", effect.span, scope)
            return
        if effect.who == "target" and not scope.target:
            self.error(f"there is no target in {scope.where}", effect.span)
            return
        if effect.verb in {"damage", "heal"}:
            has_track = any(isinstance(d, ast.Track) and d.takes_damage for d in self.defs.values())
            if not has_track and not self.damage_reported:
                self.damage_reported = True
                self.error(
                    f"'{effect.verb}' needs a track that takes damage",
                    effect.span,
                    'declare one as: track harm "Harm" range 0..6 for damage',
                )
            if effect.amount is not None:
                self.expect(effect.amount, NUMBER, scope)
            return
        assert effect.what is not None
        found = self.lookup(effect.what, *effect_targets(effect.verb))
        if found is None:
            return
        if found.KIND == "condition":
            if effect.amount is not None:
                self.error(
                    f"a condition takes no amount: write '{effect.verb} {effect.what}'",
                    getattr(effect.amount, "span", effect.span),
                )
        else:
            if effect.duration is not None:
                self.error(
                    f"only a condition lasts; '{effect.what}' is {kind_word(found.kind)}",
                    effect.what.span,
                )
            if effect.amount is None and effect.verb in {"gain", "lose", "set"}:
                self.error(
                    f"'{effect.verb} {effect.what}' needs an amount, such as "
                    f"'{effect.verb} {effect.what} 1'",
                    effect.what.span,
                )
            elif effect.amount is not None:
                self.expect(effect.amount, NUMBER, scope)

    def triggers(self, meter: ast.Resource | ast.Track, scope: Scope) -> None:
        seen: set[tuple[int, str]] = set()
        for trigger in meter.triggers:
            if not meter.low <= trigger.at <= meter.high:
                self.error(
                    f"'at {trigger.at}' is outside the range {meter.low}..{meter.high} "
                    f"of '{meter.id}'",
                    trigger.span,
                )
            key = (trigger.at, str(trigger.lasting))
            if key in seen:
                self.error(f"a second trigger at {trigger.at}", trigger.span)
            seen.add(key)
            for effect in trigger.effects:
                self.effect(effect, scope)

    # -- definitions ------------------------------------------------------------------------
    def definition(self, d: ast.AnyDefinition) -> None:
        self.file = d.file
        where = f"{d.kind} '{d.id}'"
        bearer = Scope(target=False, where=where, place="a trigger's amount")
        if isinstance(d, ast.Constant):
            self.expect(d.value, NUMBER, Scope(actor=False, target=False, where=where, dice=True))
        elif isinstance(d, ast.Attribute):
            if d.low > d.high:
                self.error(f"the range {d.low}..{d.high} is empty", d.id.span)
            if d.default is not None and not d.low <= d.default <= d.high:
                self.error(f"default {d.default} is outside the range {d.low}..{d.high}", d.id.span)
        elif isinstance(d, ast.Kind):
            if d.parent is not None:
                self.lookup(d.parent, "kind")
        elif isinstance(d, ast.Resource):
            for holders in d.holders:
                for name in holders.ids:
                    self.lookup(name, holders.kind)
            if d.maximum < 1:
                self.error("a resource's maximum must be at least 1", d.id.span)
            if d.start is not None and not 0 <= d.start <= d.maximum:
                self.error(f"start {d.start} is outside 0..{d.maximum}", d.id.span)
            if d.decay is not None and d.decay < 1:
                self.error("decay must be at least 1 per unit of time", d.id.span)
            if d.decay_unit in {"round", "turn", "scene"}:
                self.error(
                    f"decay is counted in game time: per hour, day or week, not per {d.decay_unit}",
                    d.id.span,
                )
            self.triggers(d, bearer)
        elif isinstance(d, ast.Track):
            if d.start is not None and not d.low <= d.start <= d.high:
                self.error(f"start {d.start} is outside {d.low}..{d.high}", d.id.span)
            if d.low > d.high:
                self.error(f"the range {d.low}..{d.high} is empty", d.id.span)
            if d.clock and d.high < 1:
                self.error("a clock needs at least 1 segment", d.id.span)
            self.triggers(d, bearer)
        elif isinstance(d, ast.Condition):
            for blocked in d.blocks:
                if blocked.text != "all":
                    self.lookup(blocked, "check", "ability", "act", role="check, ability or act")
            for modifier in d.modifiers:
                self.modifier(modifier, Scope(where=where))
        elif isinstance(d, ast.Check):
            self.check(d)
        elif isinstance(d, ast.Faction):
            self.faction(d, bearer)
        elif isinstance(d, ast.Member):
            self.lookup(d.faction, "faction")
            for modifier in d.modifiers:
                self.modifier(modifier, Scope(where=where))
        elif isinstance(d, ast.Ability):
            self.ability(d)
        elif isinstance(d, ast.Constraint):
            self.constraint(d)
        elif isinstance(d, ast.Act) and d.severity < 0:
            self.error("severity must be 0 or more", d.id.span)

    def params(self, d: ast.Check) -> dict[str, str]:
        types: dict[str, str] = {}
        choices = choice_words(d)
        default_scope = Scope(
            actor=False, target=False, place="a parameter's default", choices=choices
        )
        for param in d.params:
            name = param.name.text
            if name in types:
                self.error(f"parameter '{name}' is given twice", param.name.span)
            if name in {"actor", "target", *ROLL_NAMES}:
                self.error(
                    f"'{name}' is a reserved name and cannot be a parameter", param.name.span
                )
            kind = NUMBER
            if param.choices:
                kind = choice_type(param)
                words = [c.text for c in param.choices]
                for place, word in enumerate(param.choices):
                    if word.text in words[:place]:
                        self.error(f"'{word}' is given twice in '{param}'", word.span)
                    if word.text in self.defs:
                        self.error(
                            f"'{word}' is {kind_word(self.defs[word.text].kind)}; "
                            "a choice needs a word of its own",
                            word.span,
                        )
            elif param.type is not None:
                if param.type.text not in PARAM_TYPES:
                    self.error(
                        f"unknown parameter type '{param.type}'",
                        param.type.span,
                        self.suggest(param.type.text, PARAM_TYPES),
                    )
                else:
                    kind = param.type.text
            elif param.default is not None:
                kind = self.infer(param.default, default_scope) or NUMBER
            if param.default is not None and param.type is not None:
                self.expect(
                    param.default,
                    kind,
                    Scope(
                        target=True,
                        where=f"check '{d.id}'",
                        place="a parameter's default",
                        choices=choices,
                    ),
                )
            types[name] = kind
        return types

    def check(self, d: ast.Check) -> None:
        where = f"check '{d.id}'"
        params = self.params(d)
        choices = choice_words(d)
        scope = Scope(params=params, where=where, dice=True, choices=choices)
        ladder = Scope(params=params, roll=True, where=where, dice=True, choices=choices)
        self.lets = {}
        for let in d.lets:
            name = let.name.text
            if name in self.lets:
                self.error(f"'{name}' is given twice", let.name.span)
            elif name in params or name in {"actor", "target", *ROLL_NAMES}:
                self.error(f"'{name}' is already a name here; a let needs its own", let.name.span)
            elif name in self.defs:
                self.error(
                    f"'{name}' is {kind_word(self.defs[name].kind)}; a let needs a name of its own",
                    let.name.span,
                )
            place = attrs.evolve(ladder, dice=False, place="a 'let' value")
            self.lets[name] = self.infer(let.value, place)
        self.expect(d.roll, NUMBER, scope)
        if d.versus is not None:
            self.expect(d.versus, NUMBER, scope)
        for line in (d.roll, d.versus):
            self.before_the_roll(line, params)
        for modifier in d.modifiers:
            self.modifier(modifier, scope)
        self.ladder(d, ladder)
        self.pushes(d, ladder)
        self.lets = {}
        found = ast.readings(d)
        if found:
            self.readable(d.roll, f"'{found[0]}'", set(), push=False)

    def before_the_roll(self, line: ast.Test | None, params: Mapping[str, str]) -> None:
        """Report a let the roll or vs line reads that itself reads the roll."""
        if line is None:
            return
        for n in ast.walk(line):
            if not isinstance(n, ast.Named):
                continue
            reads = ast.reads_roll(n.inner, params)
            if reads is not None:
                self.error(
                    f"'{n.name}' reads '{reads}', so the roll and vs lines, which make it, "
                    "cannot read it",
                    n.span,
                )

    def readable(self, node: ast.Test, subject: str, seen: set[str], *, push: bool) -> None:
        """Report dice of a roll that cannot be read (or, for a push, rerolled) one by one.

        The readings read the kept faces of the roll's dice terms, and a push
        rerolls some of its dice: a group's items are totals, not dice, an
        exploding die adds dice as it rolls, and (for a push) a die that rerolls
        itself (`ro1`) is more than one face.
        """
        why = None
        for n in ast.walk(node):
            die = n.template if isinstance(n, ast.Pool) else n
            if isinstance(die, dice.Dice) and die.explode is not None:
                why = f"'{n}' explodes, so its dice are not a set to read"
            elif push and isinstance(die, dice.Dice) and die.reroll is not None:
                why = f"'{n}' rerolls on its own, so a die is more than one face"
            elif isinstance(n, dice.Group) or (
                isinstance(n, ast.Extreme)
                and any(isinstance(o, dice.Dice | ast.Pool) for o in ast.walk(n))
            ):
                why = f"'{n}' keeps totals, not dice"
            elif isinstance(n, ast.Reference) and len(n.path) == 1 and self.rolls(n.root):
                found = self.defs.get(n.root)
                if isinstance(found, ast.Constant) and n.root not in seen:
                    self.readable(found.value, subject, seen | {n.root}, push=push)
                continue
            else:
                continue
            verb = "rerolls" if push else "reads"
            self.error(
                f"{subject} {verb} the roll's dice one by one, but {why}",
                n.span,
                f"{verb[:-1]} the dice of plain terms such as (actor.prowl)d6, 2d6kl1 or 4dF",
            )
            return

    def pushes(self, d: ast.Check, ladder: Scope) -> None:
        """A check's `push` lines: names, tests, effects, and a roll they can reroll."""
        names: set[str] = set()
        for push in d.pushes:
            if push.name.text in names:
                self.error(f"push '{push.name}' is given twice", push.name.span)
            names.add(push.name.text)
            if push.when is not None:
                place = attrs.evolve(ladder, dice=False, place="a push's test")
                self.expect(push.when, BOOL, place)
            for effect in push.effects:
                self.effect(effect, ladder)
        if d.pushes:
            self.readable(d.roll, f"push '{d.pushes[0].name}'", set(), push=True)

    def ladder(self, d: ast.Check, scope: Scope) -> None:
        if not d.rungs:
            self.error(
                f"check '{d.id}' has no outcomes",
                d.id.span,
                "add rungs such as: success when total >= 8 / failure otherwise",
            )
            return
        names: set[str] = set()
        otherwise: ast.Rung | None = None
        earlier = _Earlier()
        for rung in d.rungs:
            if rung.name.text in names:
                self.error(f"outcome '{rung.name}' is given twice", rung.name.span)
            names.add(rung.name.text)
            if otherwise is not None:
                self.error(
                    f"outcome '{rung.name}' can never be reached: "
                    f"'{otherwise.name} otherwise' comes before it",
                    rung.name.span,
                    "'otherwise' must be the last rung",
                )
            elif rung.when is None:
                otherwise = rung
            elif self.expect(rung.when, BOOL, scope):
                shadow = earlier.covering(rung)
                if shadow is not None:
                    self.error(
                        f"outcome '{rung.name}' can never be reached: '{shadow.name} when "
                        f"{shadow.when}' comes first and covers it",
                        rung.name.span,
                    )
                earlier.add(rung)
            if rung.narrative:
                self.text(rung.narrative, rung.name.span, scope)
            for effect in rung.effects:
                self.effect(effect, scope)
        if otherwise is None:
            self.error(
                f"check '{d.id}' has no 'otherwise' rung",
                d.rungs[-1].name.span,
                "end the ladder with a rung such as: failure otherwise",
            )

    def faction(self, d: ast.Faction, scope: Scope) -> None:
        if d.being is not None:
            self.lookup(d.being, "kind")
        for grant in d.grants:
            found = self.lookup(grant.resource, "resource")
            start = grant.start
            if (
                isinstance(found, ast.Resource)
                and start is not None
                and not 0 <= start <= found.maximum
            ):
                self.error(
                    f"start {grant.start} is outside 0..{found.maximum}", grant.resource.span
                )
        for ability in d.abilities:
            self.lookup(ability, "ability", "power")
        for relation in d.relations:
            self.lookup(relation.other, "faction", "kind", "member", role="faction or kind")
        for modifier in d.modifiers:
            self.modifier(modifier, Scope(where=f"faction '{d.id}'"))

    def ability(self, d: ast.Ability) -> None:
        where = f"{d.kind} '{d.id}'"
        scope = Scope(target=d.target != "none", where=where, place="a requirement")
        effects = attrs.evolve(scope, dice=True)
        for holders in d.holders:
            for name in holders.ids:
                self.lookup(name, holders.kind)
        for test in d.requires:
            self.expect(test, BOOL, scope)
        for performs in d.performs:
            self.lookup(performs.act, "act")
            if performs.when is not None:
                self.expect(performs.when, BOOL, attrs.evolve(scope, place="a 'performs' test"))
        for cost in d.costs:
            found = self.defs.get(cost.resource.text)
            if found is None or found.KIND != "resource":
                self.error(
                    f"cost in '{cost.resource}', but no resource '{cost.resource}' is declared",
                    cost.resource.span,
                    self.suggest(cost.resource.text, self.ids_of("resource")),
                )
            self.expect(cost.amount, NUMBER, attrs.evolve(scope, place="a cost"))
        outcomes: set[str] = set()
        if d.check is not None:
            outcomes = self.check_call(d.check, attrs.evolve(scope, place="a check's argument"))
            called = self.defs.get(d.check.check.text)
            if d.target == "none" and isinstance(called, ast.Check) and ast.reads_target(called):
                self.error(
                    f"check '{called.id}' reaches the target, but {d.kind} '{d.id}' takes none",
                    d.check.check.span,
                    "add a line: target required (or target optional)",
                )
        for outcome in d.outcomes:
            if d.check is None:
                self.error(
                    f"'on {outcome.outcomes[0]}' needs a check; add a 'check' line", outcome.span
                )
            for name in outcome.outcomes:
                if d.check is not None and outcomes and name.text not in outcomes:
                    self.error(
                        f"check '{d.check.check}' has no outcome '{name}'",
                        name.span,
                        self.suggest(name.text, outcomes),
                    )
            for effect in outcome.effects:
                self.effect(effect, effects)
        for effect in d.effects:
            self.effect(effect, effects)
        if not d.holders:
            self.warning(
                f"{d.kind} '{d.id}' names no holder; anyone may use it",
                d.id.span,
                "add a line such as: for faction aletheia",
            )

    def check_call(self, call: ast.CheckCall, scope: Scope) -> set[str]:
        found = self.lookup(call.check, "check")
        if not isinstance(found, ast.Check):
            for argument in call.arguments:
                self.infer(argument.value, scope)
            return set()
        params = {p.name.text: p for p in found.params}
        order = [p.name.text for p in found.params]
        types = {
            p.name.text: (choice_type(p) if p.choices else p.type.text if p.type else None)
            for p in found.params
        }
        scope = attrs.evolve(scope, choices={**scope.choices, **choice_words(found)})
        given: set[str] = set()
        for position, argument in enumerate(call.arguments):
            if argument.name is None:
                if position >= len(order):
                    self.error(f"check '{found.id}' takes {len(order)} argument(s)", argument.span)
                    continue
                name = order[position]
            else:
                name = argument.name.text
                if name not in params:
                    self.error(
                        f"check '{found.id}' has no parameter '{name}'",
                        argument.name.span,
                        self.suggest(name, params),
                    )
                    continue
            given.add(name)
            wanted = types[name]
            if wanted is None and params[name].default is not None:
                default = params[name].default
                assert default is not None
                wanted = self.infer(default, Scope(actor=False, target=False, dice=True))
            self.expect(argument.value, wanted or NUMBER, scope)
        missing = [n for n in order if n not in given and params[n].default is None]
        if missing:
            self.error(
                f"check '{found.id}' needs a value for {', '.join(missing)}", call.check.span
            )
        return {r.name.text for r in found.rungs}

    def constraint(self, d: ast.Constraint) -> None:
        scope = Scope(where=f"constraint '{d.id}'", place="a constraint")
        for kind in d.applies:
            self.lookup(kind, "kind")
        if not d.applies:
            self.error(
                f"constraint '{d.id}' applies to no kind of being",
                d.id.span,
                "add a line such as: applies to nean",
            )
        for test in d.exempt:
            self.expect(test, BOOL, scope)
        for rule in d.rules:
            self.lookup(rule.act, "act")
            if rule.when is not None:
                self.expect(rule.when, BOOL, scope)
            if rule.unless is not None:
                self.lookup(rule.unless, "check")


def choice_type(param: ast.Param) -> str:
    """The type of a `one of (...)` parameter: its words."""
    return "one of (" + ", ".join(c.text for c in param.choices) + ")"


def choice_words(check: ast.Check) -> dict[str, str]:
    """The words of a check's `one of (...)` parameters, each with its parameter's type."""
    return {c.text: choice_type(p) for p in check.params for c in p.choices}


def _type_words(kind: str) -> str:
    if kind.startswith("one of"):
        return kind
    if kind == BOOL:
        return "a condition (true or false)"
    if kind == BEING:
        return "a character"
    return kind_word(kind)


def _threshold(test: object) -> tuple[str, int] | None:
    """`total >= 8` → ("total", 8); `margin > 2` → ("margin", 3); else None."""
    if not isinstance(test, dice.Compare) or not isinstance(test.right, dice.Literal):
        return None
    if not isinstance(test.left, ast.Reference) or len(test.left.path) != 1:
        return None
    if test.op == ">=":
        return test.left.root, test.right.value
    if test.op == ">":
        return test.left.root, test.right.value + 1
    return None


class _Earlier:
    """The rungs read so far, kept so that whether one covers the next is found at once.

    A rung covers a later one when it is always true, tests the same, or tests
    the same roll value against a threshold no higher. The first such rung in
    ladder order is the one named: for thresholds, only each record low can be
    first, so those are kept in order and searched by halves (a ladder of
    thousands of rungs is checked in n log n, not n squared).
    """

    def __init__(self) -> None:
        self.always: ast.Rung | None = None
        self.tests: dict[object, ast.Rung] = {}
        #: roll value → record-low thresholds so far, in ladder order (strictly falling),
        #: and the same negated (rising, for bisect).
        self.lows: dict[str, list[tuple[int, ast.Rung]]] = {}
        self.keys: dict[str, list[int]] = {}
        #: each rung's place in the ladder, by identity
        self.order: dict[int, int] = {}

    def covering(self, rung: ast.Rung) -> ast.Rung | None:
        """An earlier rung whose test is true whenever this one's is, if there is one."""
        if isinstance(rung.when, ast.Boolean) and not rung.when.value:
            return rung
        found: list[ast.Rung] = [self.always] if self.always is not None else []
        same = self.tests.get(rung.when)
        if same is not None:
            found.append(same)
        mine = _threshold(rung.when)
        if mine is not None and mine[0] in self.lows:
            lows = self.lows[mine[0]]
            place = bisect.bisect_left(self.keys[mine[0]], -mine[1])
            if place < len(lows):
                found.append(lows[place][1])
        if not found:
            return None
        order = self.order
        return min(found, key=lambda r: order[id(r)])

    def add(self, rung: ast.Rung) -> None:
        self.order[id(rung)] = len(self.order)
        if isinstance(rung.when, ast.Boolean) and rung.when.value and self.always is None:
            self.always = rung
        self.tests.setdefault(rung.when, rung)
        mine = _threshold(rung.when)
        if mine is not None:
            lows = self.lows.setdefault(mine[0], [])
            if not lows or mine[1] < lows[-1][0]:
                lows.append((mine[1], rung))
                self.keys.setdefault(mine[0], []).append(-mine[1])


def cycles(definitions: Mapping[str, ast.AnyDefinition]) -> list[Diagnostic]:
    """Constants that depend on themselves, and kinds that are their own ancestors."""
    graph: dict[str, list[str]] = {}
    for i, d in definitions.items():
        if isinstance(d, ast.Constant):
            graph[i] = [
                r.root
                for r in ast.references(d.value)
                if isinstance(definitions.get(r.root), ast.Constant)
            ]
        elif isinstance(d, ast.Kind) and d.parent is not None:
            graph[i] = (
                [d.parent.text] if isinstance(definitions.get(d.parent.text), ast.Kind) else []
            )
    found: list[Diagnostic] = []
    done: set[str] = set()
    for start in graph:
        if start in done:
            continue
        path: list[str] = []
        stack: list[tuple[str, int]] = [(start, 0)]
        on_path: set[str] = set()
        while stack:
            node, index = stack.pop()
            if index == 0:
                if node in done:
                    continue
                path.append(node)
                on_path.add(node)
            edges = graph.get(node, [])
            if index < len(edges):
                stack.append((node, index + 1))
                nxt = edges[index]
                if nxt in on_path:
                    loop = [*path[path.index(nxt) :], nxt]
                    d = definitions[nxt]
                    span = d.id.span.with_file(d.file) if d.id.span else None
                    found.append(
                        Diagnostic(
                            "error",
                            f"{d.kind} '{nxt}' depends on itself: {' -> '.join(loop)}",
                            span,
                        )
                    )
                elif nxt not in done:
                    stack.append((nxt, 0))
            else:
                done.add(node)
                on_path.discard(node)
                path.pop()
    return found


def check(definitions: Mapping[str, ast.AnyDefinition]) -> list[Diagnostic]:
    """Every problem in the definitions, as diagnostics."""
    checker = Checker(definitions)
    for definition in definitions.values():
        checker.definition(definition)
    checks = [d for d in definitions.values() if isinstance(d, ast.Check)]
    for flag in ("default", "initiative"):
        marked = [d for d in checks if getattr(d, flag)]
        for extra in marked[1:]:
            checker.file = extra.file
            checker.error(
                f"check '{extra.id}' is a second {flag} check (the first is '{marked[0].id}')",
                extra.id.span,
            )
    return checker.diagnostics + cycles(definitions)
