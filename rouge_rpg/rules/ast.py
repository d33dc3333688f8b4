"""The rules AST: frozen attrs nodes named after the rules of `grammars/rules.lark`.

Expressions are the dice AST of `rouge_rpg.dice.ast` plus the nodes here
(`Reference`, `Call`, `Boolean`, `AnyOf`, `AllOf`, `Not`). Every node keeps its
span; definitions also keep their file. Every node prints back to source text.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal, TypeAlias, cast

import attrs

from rouge_rpg.diagnostics import Span
from rouge_rpg.dice import ast as dice
from rouge_rpg.record import Record
from rouge_rpg.units import MAX_GAME_TIME as MAX_GAME_TIME
from rouge_rpg.units import MINUTES as MINUTES

_span = attrs.field(default=None, eq=False, repr=False, kw_only=True)


def quote(text: str) -> str:
    """`text` as a rules-language string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@attrs.frozen(repr=False, eq=False, slots=False)
class Name(Record):
    """An identifier as written, with its place."""

    text: str
    span: Span | None = _span

    def __str__(self) -> str:
        return self.text


# -- expressions ---------------------------------------------------------------------


@attrs.frozen(repr=False, eq=False, slots=False)
class Reference(dice.Node):
    """`actor.body`, `dc`, `act.severity`, or `actor[stat]` (with `index`)."""

    path: tuple[Name, ...]
    index: Name | None = None
    span: Span | None = _span

    @property
    def root(self) -> str:
        return self.path[0].text

    def __str__(self) -> str:
        text = ".".join(n.text for n in self.path)
        return f"{text}[{self.index}]" if self.index else text


@attrs.frozen(repr=False, eq=False, slots=False)
class Call(dice.Node):
    """`actor.has(exposed)`, `target.is(human)`."""

    subject: Name
    method: Name
    argument: Name
    span: Span | None = _span

    def __str__(self) -> str:
        return f"{self.subject}.{self.method}({self.argument})"


@attrs.frozen(repr=False, eq=False, slots=False)
class Boolean(dice.Node):
    value: bool
    span: Span | None = _span

    def __str__(self) -> str:
        return "true" if self.value else "false"


class _Junction(dice.Node):
    """What `AnyOf` and `AllOf` share: their operands are their children."""

    __slots__ = ()
    operands: tuple[Test, ...]

    def children(self) -> tuple[dice.Node, ...]:
        return self.operands

    def with_children(self, children: Sequence[dice.Node]) -> dice.Node:
        changed = tuple(cast(Test, c) for c in children)
        return cast(dice.Node, attrs.evolve(cast(Any, self), operands=changed))


@attrs.frozen(repr=False, eq=False, slots=False)
class AnyOf(_Junction):
    """`a or b or c`."""

    operands: tuple[Test, ...]
    span: Span | None = _span

    def __str__(self) -> str:
        return " or ".join(_wrap(o, AnyOf) for o in self.operands)


@attrs.frozen(repr=False, eq=False, slots=False)
class AllOf(_Junction):
    """`a and b and c`."""

    operands: tuple[Test, ...]
    span: Span | None = _span

    def __str__(self) -> str:
        return " and ".join(_wrap(o, AnyOf | AllOf) for o in self.operands)


@attrs.frozen(repr=False, eq=False, slots=False)
class Not(dice.Node):
    operand: Test
    span: Span | None = _span

    def children(self) -> tuple[dice.Node, ...]:
        return (self.operand,)

    def with_children(self, children: Sequence[dice.Node]) -> dice.Node:
        return attrs.evolve(self, operand=cast(Test, children[0]))

    def __str__(self) -> str:
        return f"not {_wrap(self.operand, AnyOf | AllOf)}"


@attrs.frozen(repr=False, eq=False, slots=False)
class Pool(dice.Node):
    """Dice whose number or size is a value: `(actor.prowl)d6`, `1d(actor.fighting)`.

    `template` holds the modifiers, and the count or size that is written as a
    number; `count` and `sides`, when given, are worked out before rolling
    (`rules.evaluate.substitute` makes a plain `Dice` of it).
    """

    count: Test | None
    sides: Test | None
    template: dice.Dice
    span: Span | None = _span

    def children(self) -> tuple[dice.Node, ...]:
        return tuple(c for c in (self.count, self.sides) if c is not None)

    def with_children(self, children: Sequence[dice.Node]) -> dice.Node:
        parts = list(children)
        count = cast(Test, parts.pop(0)) if self.count is not None else None
        sides = cast(Test, parts.pop(0)) if self.sides is not None else None
        return attrs.evolve(self, count=count, sides=sides)

    def __str__(self) -> str:
        t = self.template
        head = f"{t.count}d{t.sides}"
        tail = str(t)[len(head) :]
        count = f"({self.count})" if self.count is not None else str(t.count)
        sides = f"({self.sides})" if self.sides is not None else str(t.sides)
        return f"{count}d{sides}{tail}"


@attrs.frozen(repr=False, eq=False, slots=False)
class Extreme(dice.Node):
    """`min(a, b)` or `max(a, b, ...)`: the lowest or highest of the values."""

    high: bool
    operands: tuple[Test, ...]
    span: Span | None = _span

    def children(self) -> tuple[dice.Node, ...]:
        return self.operands

    def with_children(self, children: Sequence[dice.Node]) -> dice.Node:
        return attrs.evolve(self, operands=tuple(cast(Test, c) for c in children))

    def __str__(self) -> str:
        return ("max" if self.high else "min") + "(" + ", ".join(map(str, self.operands)) + ")"


@attrs.frozen(repr=False, eq=False, slots=False)
class Choice(dice.Node):
    """`if TEST then A else B`."""

    test: Test
    then: Test
    otherwise: Test
    span: Span | None = _span

    def children(self) -> tuple[dice.Node, ...]:
        return (self.test, self.then, self.otherwise)

    def with_children(self, children: Sequence[dice.Node]) -> dice.Node:
        test, then, otherwise = (cast(Test, c) for c in children)
        return attrs.evolve(self, test=test, then=then, otherwise=otherwise)

    def __str__(self) -> str:
        return f"if {self.test} then {self.then} else {self.otherwise}"


@attrs.frozen(repr=False, eq=False, slots=False)
class Named(dice.Node):
    """A check's `let` value where a rung reads it: prints as its name, means its value."""

    name: str
    inner: Test
    span: Span | None = _span

    def children(self) -> tuple[dice.Node, ...]:
        return (self.inner,)

    def with_children(self, children: Sequence[dice.Node]) -> dice.Node:
        return attrs.evolve(self, inner=cast(Test, children[0]))

    def __str__(self) -> str:
        return self.name


@attrs.frozen(repr=False, eq=False, slots=False)
class Count(dice.Node):
    """`count(6)`, `count(5..6)`, `count(>=5)`: how many of the roll's kept dice meet a point.

    A reading of the roll, like `highest` and `lowest`: it exists only in a
    check's ladder, and reads the same dice as the roll's total.
    """

    point: dice.ComparePoint
    span: Span | None = _span

    def __str__(self) -> str:
        return f"count({self.point})"


def _wrap(node: object, kinds: object) -> str:
    return f"({node})" if isinstance(node, kinds) else str(node)  # type: ignore[arg-type]


Test: TypeAlias = (
    "dice.Expr | Reference | Call | Boolean | AnyOf | AllOf | Not | Pool | Extreme | Choice | Named"
    " | Count"
)


#: Every node an expression or test can hold: the dice nodes and the rules language's own.
ExprNode: TypeAlias = (
    dice.Literal
    | dice.Dice
    | dice.Group
    | dice.Parenthetical
    | dice.Negate
    | dice.Sum
    | dice.Product
    | dice.Compare
    | dice.Labeled
    | Reference
    | Call
    | Boolean
    | AnyOf
    | AllOf
    | Not
    | Pool
    | Extreme
    | Choice
    | Named
    | Count
)


def walk(node: Test) -> Iterator[ExprNode]:
    """Every node of an expression, parents before children (`dice.walk`, typed)."""
    return cast(Iterator[ExprNode], dice.walk(node))


def references(node: Test) -> list[Reference]:
    """Every `Reference` inside an expression, in order."""
    return [n for n in walk(node) if isinstance(n, Reference)]


def roots(node: Test) -> set[str]:
    """The names an expression starts from: reference roots and call subjects."""
    found: set[str] = set()
    for n in walk(node):
        if isinstance(n, Reference):
            found.add(n.root)
        elif isinstance(n, Call):
            found.add(n.subject.text)
    return found


def mentions(node: Test | None, root: str) -> bool:
    """Whether an expression reads `root` (`target`, `actor`, a parameter...)."""
    return node is not None and root in roots(node)


#: The values of the roll a check's ladder may read, with what each is: the names the
#: checker, the evaluator and the engine all go by.
ROLL_NAMES = {
    "total": "the roll's total, modifiers included",
    "dice": "the sum of the dice alone",
    "opposition": "the value of the 'vs' line",
    "margin": "total minus opposition",
    "highest": "the highest of the roll's kept dice",
    "lowest": "the lowest of the roll's kept dice",
    "doubles": "whether two of the roll's kept dice show the same face",
}
#: The readings of a roll's dice one by one, besides `count(...)`.
READINGS = frozenset({"highest", "lowest", "doubles"})


def reads_roll(node: Test, params: Container[str]) -> ExprNode | None:
    """The first place an expression reads the roll: a roll name that no parameter of
    that name (`params`) shadows, or a `count(...)`; None if it reads none."""
    for n in walk(node):
        if isinstance(n, Count) or (
            isinstance(n, Reference)
            and len(n.path) == 1
            and n.index is None
            and n.root in ROLL_NAMES
            and n.root not in params
        ):
            return n
    return None


def is_reading(node: object) -> bool:
    """Whether a node reads the roll's dice one by one: `highest`, `lowest`, `doubles`,
    `count(...)`."""
    if isinstance(node, Count):
        return True
    return (
        isinstance(node, Reference)
        and node.index is None
        and len(node.path) == 1
        and node.root in READINGS
    )


def readings(check: Check, *, pushes: bool = True) -> list[Test]:
    """The readings of the roll's dice a check makes: its ladder (tests, effects, lets,
    texts) and, with `pushes`, its pushes' tests and prices."""
    parts: list[Test | None] = [let.value for let in check.lets]
    steps: list[Rung | Push] = [*check.rungs, *(check.pushes if pushes else ())]
    for rung in steps:
        parts.append(rung.when)
        parts += [effect.amount for effect in rung.effects]
    found: list[Test] = [n for p in parts if p is not None for n in walk(p) if is_reading(n)]
    texts = [rung.narrative or "" for rung in check.rungs]
    texts += [e.text or "" for rung in steps for e in rung.effects]
    for text in texts:
        for word in READINGS:
            if "{" + word + "}" in text:
                found.append(Reference((Name(word),)))
    return found


def reads_target(check: Check) -> bool:
    """Whether a check's roll, opposition, ladder or modifiers reach the target."""
    parts: list[Test | None] = [check.roll, check.versus]
    parts += [p.default for p in check.params]
    parts += [m.when for m in check.modifiers] + [m.value for m in check.modifiers]
    parts += [let.value for let in check.lets]
    steps: list[Rung | Push] = [*check.rungs, *check.pushes]
    for rung in steps:
        parts.append(rung.when)
        texts = [e.text or "" for e in rung.effects]
        if isinstance(rung, Rung):
            texts.append(rung.narrative or "")
        if any("{target" in t for t in texts):
            return True
        for effect in rung.effects:
            if effect.who == "target":
                return True
            parts.append(effect.amount)
    return any(mentions(p, "target") for p in parts)


# -- effects --------------------------------------------------------------------------

#: What an effect does. Every interpretation of effects (the checker, the engine that
#: applies them, explanations) handles each verb, and mypy holds them to it.
EffectVerb: TypeAlias = Literal[
    "damage", "heal", "gain", "lose", "set", "advance", "reduce", "narrate"
]
#: Who an effect lands on.
Who: TypeAlias = Literal["actor", "target"]
#: How a group's outcome is read from its members': the rung at least half of them
#: reached, the best one any reached, or the worst.
GroupWay: TypeAlias = Literal["half", "best", "worst"]
#: What a modifier changes: the `total` (by a number, or by dice it rolls: `+1d4`), the
#: number of dice in the roll's `pool` (`+1d`), or the roll by `advantage` or
#: `disadvantage` (one die more, keeping the best or the worst).
ModifierKind: TypeAlias = Literal["total", "pool", "advantage", "disadvantage"]
#: The units of a duration, singular.
TimeUnit: TypeAlias = Literal["round", "turn", "scene", "minute", "hour", "day", "week"]


@attrs.frozen(repr=False, eq=False, slots=False)
class Duration(Record):
    amount: int
    unit: TimeUnit
    span: Span | None = _span

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}{'' if self.amount == 1 else 's'}"


@attrs.frozen(repr=False, eq=False, slots=False)
class Effect(Record):
    """One change: `damage target 2d6`, `gain nectar 2`, `narrate "..."`."""

    verb: EffectVerb
    who: Who = "actor"
    what: Name | None = None
    amount: Test | None = None
    duration: Duration | None = None
    text: str | None = None
    span: Span | None = _span

    def __str__(self) -> str:
        if self.verb == "narrate":
            return f"narrate {quote(self.text or '')}"
        parts: list[str] = [self.verb]
        if self.who != "actor" or self.verb in {"damage", "heal"}:
            parts.append(self.who)
        if self.what is not None:
            parts.append(self.what.text)
        if self.amount is not None:
            parts.append(str(self.amount))
        if self.duration is not None:
            parts.append(f"for {self.duration}")
        return " ".join(parts)


# -- clauses --------------------------------------------------------------------------


@attrs.frozen(repr=False, eq=False, slots=False)
class Trigger(Record):
    """`at 0: gain shutdown`, or `at 0 for 2 days: ...` once it has lasted."""

    at: int
    lasting: Duration | None
    effects: tuple[Effect, ...]
    span: Span | None = _span


@attrs.frozen(repr=False, eq=False, slots=False)
class Modifier(Record):
    """`modifier +2 armor to all when actor.has(armored) "note"`."""

    #: The amount: of the total (`+2`, `+1d4`), or of dice in the pool (`+1d` is 1);
    #: 0 for advantage and disadvantage.
    value: Test
    type: Name | None
    direction: str  # "to" (the bearer acts) or "against" (the bearer is the target)
    selector: Name | None  # a check id; None for all
    when: Test | None = None
    note: str | None = None
    span: Span | None = _span
    kind: ModifierKind = "total"

    @property
    def shown(self) -> str:
        """The change as written: `+2`, `-1d4`, `+1d`, `advantage`."""
        if self.kind in ("advantage", "disadvantage"):
            return self.kind
        value = str(self.value)
        signed = value if value.startswith("-") else "+" + value
        return signed + "d" if self.kind == "pool" else signed

    def __str__(self) -> str:
        text = f"modifier {self.shown}"
        if self.type is not None:
            text += f" {self.type}"
        text += f" {self.direction} {self.selector or 'all'}"
        if self.when is not None:
            text += f" when {self.when}"
        return text + (f" {quote(self.note)}" if self.note else "")


@attrs.frozen(repr=False, eq=False, slots=False)
class Param(Record):
    name: Name
    type: Name | None = None
    default: Test | None = None
    span: Span | None = _span
    #: `one of (controlled, risky, desperate)`: the words the parameter may be (its type
    #: is then `one of`).
    choices: tuple[Name, ...] = ()

    def __str__(self) -> str:
        text = self.name.text
        if self.choices:
            text += ": one of (" + ", ".join(c.text for c in self.choices) + ")"
        elif self.type is not None:
            text += f": {self.type}"
        return text + (f" = {self.default}" if self.default is not None else "")


@attrs.frozen(repr=False, eq=False, slots=False)
class Let(Record):
    """`let stress = 6 - total`: a named value of a check, read by its rungs and effects."""

    name: Name
    value: Test
    span: Span | None = _span

    def __str__(self) -> str:
        return f"let {self.name} = {self.value}"


@attrs.frozen(repr=False, eq=False, slots=False)
class Rung(Record):
    """One outcome of a check's ladder; `when` is None for `otherwise`."""

    name: Name
    when: Test | None
    narrative: str | None = None
    effects: tuple[Effect, ...] = ()
    span: Span | None = _span


@attrs.frozen(repr=False, eq=False, slots=False)
class Push(Record):
    """`push NAME ["Title"] rerolls all|POINT [once] [when TEST] [: effects]`.

    After a check is rolled, the GM may push it: the dice of its roll line that
    meet `point` (every die when None) roll again, the rest stay, and the
    ladder is read anew. `once`: at most once per roll. `when`: only while the
    test holds of the roll as it stands. The effects are the price, paid at each
    push, and read the roll as pushed.
    """

    name: Name
    title: str | None
    point: dice.ComparePoint | None
    once: bool = False
    when: Test | None = None
    effects: tuple[Effect, ...] = ()
    span: Span | None = _span

    @property
    def display(self) -> str:
        return self.title or self.name.text

    def __str__(self) -> str:
        text = f"push {self.name}" + (f" {quote(self.title)}" if self.title else "")
        text += f" rerolls {self.point if self.point is not None else 'all'}"
        if self.once:
            text += " once"
        if self.when is not None:
            text += f" when {self.when}"
        return text


@attrs.frozen(repr=False, eq=False, slots=False)
class Relation(Record):
    kind: str  # authority, jurisdiction, hostile, distrusts, allied
    other: Name
    note: str | None = None
    span: Span | None = _span

    def __str__(self) -> str:
        words = {
            "authority": "authority over",
            "jurisdiction": "jurisdiction over",
            "hostile": "hostile to",
            "distrusts": "distrusts",
            "allied": "allied with",
        }
        return f"{words[self.kind]} {self.other}" + (f" {quote(self.note)}" if self.note else "")


@attrs.frozen(repr=False, eq=False, slots=False)
class Grant(Record):
    """A faction's `resource nectar start 6`."""

    resource: Name
    start: int | None = None
    span: Span | None = _span


@attrs.frozen(repr=False, eq=False, slots=False)
class Holders(Record):
    """`for faction aletheia, ochrona`: who may have an ability."""

    kind: str  # faction, kind, member
    ids: tuple[Name, ...]
    span: Span | None = _span


@attrs.frozen(repr=False, eq=False, slots=False)
class Cost(Record):
    """`cost nectar 2`, paid once for every target; `cost nectar 1 per target`, for each."""

    resource: Name
    amount: Test
    per_target: bool = False
    span: Span | None = _span


@attrs.frozen(repr=False, eq=False, slots=False)
class Argument(Record):
    name: Name | None
    value: Test
    span: Span | None = _span

    def __str__(self) -> str:
        return f"{self.name} = {self.value}" if self.name else str(self.value)


@attrs.frozen(repr=False, eq=False, slots=False)
class CheckCall(Record):
    """`check action(stat = body, dc = 9)` inside an ability."""

    check: Name
    arguments: tuple[Argument, ...] = ()
    span: Span | None = _span

    def __str__(self) -> str:
        args = ", ".join(str(a) for a in self.arguments)
        return f"check {self.check}({args})" if self.arguments else f"check {self.check}"


@attrs.frozen(repr=False, eq=False, slots=False)
class Outcome(Record):
    """`on success, critical: ...`"""

    outcomes: tuple[Name, ...]
    effects: tuple[Effect, ...]
    span: Span | None = _span


@attrs.frozen(repr=False, eq=False, slots=False)
class Performs(Record):
    """`performs harm_human when target.is(human)`: an act the ability commits, when the test holds.

    A being that a constraint binds faces the constraint (a free-will check, or
    a verdict) for the act before the ability goes ahead.
    """

    act: Name
    when: Test | None = None
    span: Span | None = _span


@attrs.frozen(repr=False, eq=False, slots=False)
class ConstraintRule(Record):
    """`forbid harm when target.is(human) unless passes free_will`."""

    mode: str  # forbid, require
    act: Name
    when: Test | None = None
    unless: Name | None = None
    span: Span | None = _span


# -- definitions ------------------------------------------------------------------------


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Definition(Record):
    """Fields every definition has."""

    id: Name
    title: str | None = None
    description: str | None = None
    override: bool = False
    file: str = attrs.field(default="", eq=False)
    span: Span | None = _span

    KIND: ClassVar[str] = ""

    @property
    def kind(self) -> str:
        """The definition's keyword: `check`, `faction`, `power`..."""
        return self.KIND

    @property
    def display(self) -> str:
        return self.title or self.id.text


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class RulebookInfo(Definition):
    """`rulebook house "House rules" extends metallic_rouge`: a house overlay says its base."""

    extends: Name | None = None
    #: `round 1 minute`: the game time an encounter's round takes (none: narrative).
    round: Duration | None = None
    KIND: ClassVar[str] = "rulebook"


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Constant(Definition):
    value: Test
    KIND: ClassVar[str] = "const"


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Attribute(Definition):
    low: int
    high: int
    default: int | None = None
    skill: bool = False
    KIND: ClassVar[str] = "attribute"


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Kind(Definition):
    parent: Name | None = None
    KIND: ClassVar[str] = "kind"


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class BonusType(Definition):
    KIND: ClassVar[str] = "bonus_type"


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Act(Definition):
    severity: int
    KIND: ClassVar[str] = "act"


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Resource(Definition):
    maximum: int
    start: int | None = None
    decay: int | None = None
    decay_unit: str | None = None
    triggers: tuple[Trigger, ...] = ()
    #: `for kind nean`: who carries it (no lines: whoever a faction grants it to).
    holders: tuple[Holders, ...] = ()
    KIND: ClassVar[str] = "resource"

    @property
    def low(self) -> int:
        return 0

    @property
    def high(self) -> int:
        return self.maximum


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Track(Definition):
    low: int
    high: int
    takes_damage: bool = False
    clock: bool = False
    #: `start N`: the value a being has before anything moves it (None: `low`).
    start: int | None = None
    triggers: tuple[Trigger, ...] = ()
    KIND: ClassVar[str] = "track"

    @property
    def kind(self) -> str:
        return "clock" if self.clock else "track"

    @property
    def initial(self) -> int:
        """The value a being has before anything moves it: `start`, or the low end."""
        return self.low if self.start is None else self.start


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Condition(Definition):
    blocks: tuple[Name, ...] = ()  # Name("all") blocks every action
    modifiers: tuple[Modifier, ...] = ()
    lasts: Duration | None = None
    KIND: ClassVar[str] = "condition"


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Check(Definition):
    params: tuple[Param, ...] = ()
    roll: Test
    versus: Test | None = None
    rungs: tuple[Rung, ...] = ()
    modifiers: tuple[Modifier, ...] = ()
    default: bool = False
    #: Marked `initiative`: the check an encounter's turn order is rolled with.
    initiative: bool = False
    #: `group half|best|worst`: how the outcome of a group rolling this check is read.
    group: GroupWay | None = None
    #: `let NAME = VALUE` lines, in order (the rungs hold them as `Named` nodes).
    lets: tuple[Let, ...] = ()
    #: `push` lines: how the roll may be pushed after it is made.
    pushes: tuple[Push, ...] = ()
    KIND: ClassVar[str] = "check"

    @property
    def named_lets(self) -> dict[str, Named]:
        """The `let` values by name, as rungs hold them."""
        return {
            let.name.text: Named(let.name.text, let.value, span=let.name.span) for let in self.lets
        }


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Faction(Definition):
    being: Name | None = None
    grants: tuple[Grant, ...] = ()
    traits: tuple[str, ...] = ()
    abilities: tuple[Name, ...] = ()
    relations: tuple[Relation, ...] = ()
    modifiers: tuple[Modifier, ...] = ()
    KIND: ClassVar[str] = "faction"


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Member(Definition):
    faction: Name
    deceased: bool = False
    modifiers: tuple[Modifier, ...] = ()
    KIND: ClassVar[str] = "member"


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Ability(Definition):
    power: bool = False
    holders: tuple[Holders, ...] = ()
    requires: tuple[Test, ...] = ()
    performs: tuple[Performs, ...] = ()
    costs: tuple[Cost, ...] = ()
    target: str = "none"  # none, optional, required
    check: CheckCall | None = None
    outcomes: tuple[Outcome, ...] = ()
    effects: tuple[Effect, ...] = ()
    lasts: Duration | None = None
    KIND: ClassVar[str] = "ability"

    @property
    def kind(self) -> str:
        return "power" if self.power else "ability"


@attrs.frozen(kw_only=True, repr=False, eq=False, slots=False)
class Constraint(Definition):
    applies: tuple[Name, ...] = ()
    exempt: tuple[Test, ...] = ()
    rules: tuple[ConstraintRule, ...] = ()
    KIND: ClassVar[str] = "constraint"


@attrs.frozen(repr=False, eq=False, slots=False)
class Include(Record):
    path: str
    file: str = attrs.field(default="", eq=False)
    span: Span | None = _span


AnyDefinition: TypeAlias = (
    RulebookInfo
    | Constant
    | Attribute
    | Kind
    | BonusType
    | Act
    | Resource
    | Track
    | Condition
    | Check
    | Faction
    | Member
    | Ability
    | Constraint
)


@attrs.frozen(repr=False, eq=False, slots=False)
class File(Record):
    """One parsed rules file: its includes and definitions, in order."""

    path: str
    includes: tuple[Include, ...]
    definitions: tuple[AnyDefinition, ...]


# -- constants, as a graph --------------------------------------------------------------


def constant_order(definitions: Mapping[str, AnyDefinition]) -> list[str]:
    """Every constant, each after the constants it reads (iterative: no depth limit).

    A cycle (which the checker reports) is broken where it is met.
    """
    order: list[str] = []
    state: dict[str, int] = {}  # 1: being visited, 2: placed
    for start, d in definitions.items():
        if not isinstance(d, Constant) or start in state:
            continue
        stack: list[tuple[str, list[str]]] = [(start, _reads(definitions, start))]
        state[start] = 1
        while stack:
            name, pending = stack[-1]
            if pending:
                nxt = pending.pop()
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, _reads(definitions, nxt)))
                continue
            stack.pop()
            state[name] = 2
            order.append(name)
    return order


def _reads(definitions: Mapping[str, AnyDefinition], name: str) -> list[str]:
    found = definitions.get(name)
    if not isinstance(found, Constant):
        return []
    return [
        r.root for r in references(found.value) if isinstance(definitions.get(r.root), Constant)
    ]


def rolling_constants(definitions: Mapping[str, AnyDefinition]) -> frozenset[str]:
    """The constants that roll dice, themselves or through the constants they read."""
    rolling: set[str] = set()
    for name in constant_order(definitions):
        found = definitions[name]
        assert isinstance(found, Constant)
        rolls = any(isinstance(n, dice.Dice | dice.Group | Pool) for n in walk(found.value))
        if rolls or any(r in rolling for r in _reads(definitions, name)):
            rolling.add(name)
    return frozenset(rolling)
