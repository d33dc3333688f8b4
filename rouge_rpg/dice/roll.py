"""Seeded rolls of a dice AST, with a per-die breakdown.

An expression is compiled once into nested closures (cached with the parse), so
a roll does only integer work; the breakdown is kept as a raw record and turned
into `DieResult`s or text only when asked for.

Randomness comes from `random.Random.getrandbits` alone, with the rejection
sampling written here, so a seed gives the same rolls on every supported Python.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, assert_never

import attrs

from rouge_rpg.dice import ast
from rouge_rpg.dice.parse import MAX_DICE, MAX_EXPLOSIONS, parse
from rouge_rpg.errors import LimitError
from rouge_rpg.record import Record

# Per-die flags in the raw record.
DROPPED = 1
REROLLED = 2
EXPLODED = 4

Raw = Any  # nested tuples mirroring the AST; see `_compile`
Below = Callable[[int], int]
Step = Callable[[Below, list[int]], tuple[int, Raw]]


@attrs.frozen(repr=False, eq=False, slots=False)
class DieResult(Record):
    """One die of a roll: its face and what happened to it."""

    term: ast.Dice
    value: int
    kept: bool
    rerolled: bool
    exploded: bool

    def to_json(self) -> dict[str, object]:
        return {
            "value": self.value,
            "kept": self.kept,
            "rerolled": self.rerolled,
            "exploded": self.exploded,
        }


@attrs.frozen(repr=False, eq=False, slots=False)
class Roll(Record):
    """The result of rolling an expression: its total and how it came about."""

    expression: ast.Expr
    total: int
    raw: Raw = attrs.field(repr=False)

    @property
    def detail(self) -> str:
        """`4d6kh3 (6, 5, 3, ~~1~~) + 2 = 16`."""
        return f"{render(self.expression, self.raw)} = {self.total}"

    def dice(self) -> list[DieResult]:
        """Every die rolled, in order, rerolled and dropped ones included."""
        return list(_dice(self.expression, self.raw))

    def to_json(self) -> dict[str, object]:
        terms: list[dict[str, object]] = []
        for term, raw in _terms(self.expression, self.raw):
            values, flags = raw
            terms.append(
                {
                    "term": str(term),
                    "rolls": [
                        _die(term, v, flags[i] if flags else 0).to_json()
                        for i, v in enumerate(values)
                    ],
                }
            )
        return {
            "expression": str(self.expression),
            "total": self.total,
            "detail": self.detail,
            "dice": terms,
        }

    def __str__(self) -> str:
        return self.detail


#: Unseeded rolls share one generator, seeded once from the operating system.
_SHARED = random.Random()


def make_rng(seed: int | None = None, rng: random.Random | None = None) -> random.Random:
    """The generator to roll with: `rng` if given, else one seeded with `seed`."""
    if rng is not None:
        return rng
    return _SHARED if seed is None else random.Random(seed)


def roll(
    expr: ast.Expr | str, *, seed: int | None = None, rng: random.Random | None = None
) -> Roll:
    """Roll `expr` (text or AST). Same seed, same roll, on every supported Python."""
    node, step = prepared(expr) if isinstance(expr, str) else (expr, compiled(expr))
    total, raw = step(_below_from(make_rng(seed, rng)), [MAX_DICE])
    return Roll(node, total, raw)


@lru_cache(maxsize=512)
def prepared(text: str) -> tuple[ast.Expr, Step]:
    """The AST of `text` and the closure that rolls it."""
    node = parse(text)
    return node, compiled(node)


def _below_from(rng: random.Random) -> Below:
    bits = rng.getrandbits

    def below(n: int) -> int:
        """A uniform integer in [0, n), by CPython's own rejection method."""
        k = n.bit_length()
        r = bits(k)
        while r >= n:
            r = bits(k)
        return r

    return below


# -- compilation ---------------------------------------------------------------


#: id(node) → (node, closure). Equal ASTs can differ in the spans their errors
#: report, so closures are cached per node object; holding the node keeps its id unique.
_COMPILED: dict[int, tuple[ast.Expr, Step]] = {}


def compiled(node: ast.Expr) -> Step:
    """The closure that rolls `node` (compiled once per AST object)."""
    entry = _COMPILED.get(id(node))
    if entry is None or entry[0] is not node:
        if len(_COMPILED) >= 512:
            _COMPILED.clear()
        entry = _COMPILED[id(node)] = (node, _compile(node))
    return entry[1]


def _compile(node: ast.Expr) -> Step:
    match node:
        case ast.Literal():
            value = node.value
            return lambda below, budget: (value, None)
        case ast.Dice():
            return _compile_dice(node)
        case ast.Group():
            return _compile_group(node)
        case ast.Parenthetical() | ast.Labeled():
            return _compile(node.inner)
        case ast.Negate():
            operand = _compile(node.operand)

            def negate(below: Below, budget: list[int]) -> tuple[int, Raw]:
                total, raw = operand(below, budget)
                return -total, raw

            return negate
        case ast.Sum() | ast.Product():
            return _compile_chain(node)
        case ast.Compare():
            return _compile_compare(node)
        case _:
            assert_never(node)


def _compile_chain(node: ast.Sum | ast.Product) -> Step:
    first = _compile(node.first)
    rest = [(op, _compile(term), term) for op, term in node.rest]
    if isinstance(node, ast.Sum) and len(rest) == 1 and rest[0][0] == "+":
        second = rest[0][1]

        def add(below: Below, budget: list[int]) -> tuple[int, Raw]:
            a, raw_a = first(below, budget)
            b, raw_b = second(below, budget)
            return a + b, (raw_a, raw_b)

        return add

    def chain(below: Below, budget: list[int]) -> tuple[int, Raw]:
        total, raw = first(below, budget)
        raws = [raw]
        for op, step, term in rest:
            value, raw = step(below, budget)
            raws.append(raw)
            total = ast.apply(op, total, value, term)
        return total, tuple(raws)

    return chain


def _compile_compare(node: ast.Compare) -> Step:
    left, right, op = _compile(node.left), _compile(node.right), node.op
    test = ast.COMPARISONS[op]

    def compare(below: Below, budget: list[int]) -> tuple[int, Raw]:
        a, raw_a = left(below, budget)
        b, raw_b = right(below, budget)
        return int(test(a, b)), (raw_a, raw_b)

    return compare


def _too_many(node: ast.Expr) -> LimitError:
    return LimitError(f"this roll needs more than {MAX_DICE:,} dice", node.span)


def _compile_dice(node: ast.Dice) -> Step:
    count = node.count
    faces = node.faces
    sides, low = len(faces), faces[0]
    plain = node == ast.Dice(count, node.sides)
    if plain and count == 1:

        def one(below: Below, budget: list[int]) -> tuple[int, Raw]:
            budget[0] -= 1
            if budget[0] < 0:
                raise _too_many(node)
            value = below(sides) + low
            return value, ((value,), None)

        return one
    if plain:

        def many(below: Below, budget: list[int]) -> tuple[int, Raw]:
            budget[0] -= count
            if budget[0] < 0:
                raise _too_many(node)
            values = tuple([below(sides) + low for _ in range(count)])
            return sum(values), (values, None)

        return many
    return _compile_modified_dice(node, sides, low)


def _compile_modified_dice(node: ast.Dice, sides: int, low: int) -> Step:
    count = node.count
    reroll, explode = node.reroll, node.explode
    explode_point = None
    if explode is not None:
        explode_point = explode.point or ast.ComparePoint("=", low + sides - 1)
    minimum, maximum, select = node.minimum, node.maximum, node.select
    successes, failures = node.successes, node.failures

    def face(below: Below, budget: list[int], values: list[int], flags: list[int]) -> int:
        budget[0] -= 1
        if budget[0] < 0:
            raise _too_many(node)
        value = below(sides) + low
        if reroll is not None and reroll.point.matches(value):
            while True:
                values.append(value)
                flags.append(REROLLED)
                budget[0] -= 1
                if budget[0] < 0:
                    raise _too_many(node)
                value = below(sides) + low
                if reroll.once or not reroll.point.matches(value):
                    break
        return value

    def dice(below: Below, budget: list[int]) -> tuple[int, Raw]:
        values: list[int] = []
        flags: list[int] = []
        for _ in range(count):
            value = face(below, budget, values, flags)
            explosions = 0
            while explode_point is not None and explode_point.matches(value):
                values.append(value)
                flags.append(EXPLODED)
                explosions += 1
                if explosions > MAX_EXPLOSIONS:
                    raise LimitError(f"a die exploded more than {MAX_EXPLOSIONS} times", node.span)
                value = face(below, budget, values, flags)
                if explode is not None and explode.once:
                    values.append(value)
                    flags.append(0)
                    break
            else:
                values.append(value)
                flags.append(0)
        if minimum is not None or maximum is not None:
            lo = low if minimum is None else minimum
            hi = max(lo, low + sides - 1) if maximum is None else maximum
            values = [
                v if f & REROLLED else min(max(v, lo), hi)
                for v, f in zip(values, flags, strict=True)
            ]
        live = [i for i, f in enumerate(flags) if not f & REROLLED]
        if select is not None:
            kept = select.kept_indices([values[i] for i in live])
            for position, i in enumerate(live):
                if position not in kept:
                    flags[i] |= DROPPED
            live = [i for position, i in enumerate(live) if position in kept]
        if successes is not None or failures is not None:
            total = 0
            for i in live:
                if successes is not None and successes.matches(values[i]):
                    total += 1
                if failures is not None and failures.matches(values[i]):
                    total -= 1
        else:
            total = sum(values[i] for i in live)
        return total, (tuple(values), tuple(flags))

    return dice


def _compile_group(node: ast.Group) -> Step:
    items = [_compile(item) for item in node.items]
    select, successes, failures = node.select, node.successes, node.failures

    def group(below: Below, budget: list[int]) -> tuple[int, Raw]:
        results = [item(below, budget) for item in items]
        totals = [total for total, _ in results]
        kept = set(range(len(totals))) if select is None else select.kept_indices(totals)
        if successes is not None or failures is not None:
            total = 0
            for i in kept:
                if successes is not None and successes.matches(totals[i]):
                    total += 1
                if failures is not None and failures.matches(totals[i]):
                    total -= 1
        else:
            total = sum(totals[i] for i in kept)
        return total, (tuple(raw for _, raw in results), tuple(totals), frozenset(kept))

    return group


# -- reading the raw record ------------------------------------------------------


def _children(node: ast.Expr, raw: Raw) -> Iterator[tuple[ast.Expr, Raw]]:
    """The (child, raw) pairs of `node`, in the order they were rolled."""
    if isinstance(node, ast.Parenthetical | ast.Labeled):
        yield node.inner, raw
    elif isinstance(node, ast.Negate):
        yield node.operand, raw
    elif isinstance(node, ast.Sum | ast.Product):
        yield from zip([node.first, *(t for _, t in node.rest)], raw, strict=True)
    elif isinstance(node, ast.Compare):
        yield from zip((node.left, node.right), raw, strict=True)
    elif isinstance(node, ast.Group):
        yield from zip(node.items, raw[0], strict=True)


def _terms(node: ast.Expr, raw: Raw) -> Iterator[tuple[ast.Dice, Raw]]:
    if isinstance(node, ast.Dice):
        yield node, raw
        return
    for child, child_raw in _children(node, raw):
        yield from _terms(child, child_raw)


def _die(term: ast.Dice, value: int, flag: int) -> DieResult:
    return DieResult(
        term, value, not flag & (DROPPED | REROLLED), bool(flag & REROLLED), bool(flag & EXPLODED)
    )


def _dice(node: ast.Expr, raw: Raw) -> Iterator[DieResult]:
    for term, (values, flags) in _terms(node, raw):
        for i, value in enumerate(values):
            yield _die(term, value, flags[i] if flags else 0)


def render(node: ast.Expr, raw: Raw) -> str:
    """The expression with each die's face: `4d6kh3 (6, 5, 3, ~~1~~) + 2`."""
    match node:
        case ast.Literal():
            return str(node.value)
        case ast.Dice():
            values, flags = raw
            shown = []
            for i, value in enumerate(values):
                flag = flags[i] if flags else 0
                text = str(value) + ("!" if flag & EXPLODED else "")
                shown.append(f"~~{text}~~" if flag & (DROPPED | REROLLED) else text)
            return f"{node} ({', '.join(shown)})"
        case ast.Group():
            parts = []
            for i, (item, item_raw) in enumerate(zip(node.items, raw[0], strict=True)):
                text = render(item, item_raw)
                parts.append(text if i in raw[2] else f"~~{text}~~")
            modifiers = str(attrs.evolve(node, items=()))[2:]
            return "{" + ", ".join(parts) + "}" + modifiers
        case ast.Parenthetical():
            return f"({render(node.inner, raw)})"
        case ast.Labeled():
            return f"{render(node.inner, raw)} [{node.label}]"
        case ast.Negate():
            return f"-{render(node.operand, raw)}"
        case ast.Compare():
            return f"{render(node.left, raw[0])} {node.op} {render(node.right, raw[1])}"
        case ast.Sum() | ast.Product():
            parts = [render(node.first, raw[0])]
            for (op, term), term_raw in zip(node.rest, raw[1:], strict=True):
                parts.append(f"{op} {render(term, term_raw)}")
            return " ".join(parts)
        case _:
            assert_never(node)


def term_total(term: ast.Dice, values: tuple[int, ...], flags: tuple[int, ...] | None) -> int:
    """What one dice term contributed: its kept dice, or its successes less failures."""
    live = [v for i, v in enumerate(values) if not (flags and flags[i] & (DROPPED | REROLLED))]
    if not term.counts_successes:
        return sum(live)
    return _count(term, live)


def natural(result: Roll) -> int:
    """The roll's `dice`: what its dice alone came to, without the numbers added to them.

    The one definition, shared with `rouge_rpg.dice.odds.joint`: each dice term
    gives its kept dice (or its successes less failures); a group gives the
    dice of the items it keeps (or, counting successes, its count); numbers
    give nothing, and operators do not change what the dice gave (a die taken
    away still counts its face).
    """
    return _natural(result.expression, result.raw)


def _natural(node: ast.Expr, raw: Raw) -> int:
    if isinstance(node, ast.Dice):
        return term_total(node, *raw)
    if isinstance(node, ast.Group):
        items, totals, kept = raw
        if node.counts_successes:
            return _count(node, [totals[i] for i in sorted(kept)])
        return sum(
            _natural(item, item_raw)
            for i, (item, item_raw) in enumerate(zip(node.items, items, strict=True))
            if i in kept
        )
    return sum(_natural(child, child_raw) for child, child_raw in _children(node, raw))


def reroll(result: Roll, point: ast.ComparePoint | None, rng: random.Random) -> Roll:
    """`result` with every die that meets `point` (every die, if None) rolled again.

    The other dice keep their faces; keeps, drops and counts are worked out
    anew. The roll is made again by the same compiled closure, fed the kept
    faces and fresh ones in the order the dice were rolled, so a pushed roll
    reads exactly as a roll does. Dice that reroll or explode on their own are
    not pushed (the checker refuses them): each die here is one face.
    """
    return rerolled_with(result, point, _below_from(rng))


def rerolled(result: Roll, point: ast.ComparePoint | None) -> list[ast.Dice]:
    """The term of each die `reroll` would roll again, in the order they were rolled."""
    return [
        d.term
        for d in _dice(result.expression, result.raw)
        if point is None or point.matches(d.value)
    ]


def rerolled_with(result: Roll, point: ast.ComparePoint | None, fresh: Below) -> Roll:
    """`reroll`, the new faces from `fresh` (a die of n faces: 0 to n - 1, as `below` gives)."""
    queue = [
        None if point is None or point.matches(d.value) else d.value - d.term.faces[0]
        for d in _dice(result.expression, result.raw)
    ]
    place = iter(queue)

    def below(n: int) -> int:
        kept = next(place, None)
        return fresh(n) if kept is None else kept

    total, raw = compiled(result.expression)(below, [MAX_DICE])
    return Roll(result.expression, total, raw)


def faces(result: Roll) -> tuple[int, ...]:
    """The faces of the roll's kept dice, lowest first: what `highest` and `count(6)` read.

    The one definition, shared with `rouge_rpg.dice.odds.distribution(with_faces=True)`.
    """
    return tuple(sorted(d.value for d in _dice(result.expression, result.raw) if d.kept))


def _count(node: ast.Dice | ast.Group, values: list[int]) -> int:
    """Successes less failures among `values`."""
    hits = sum(1 for v in values if node.successes is not None and node.successes.matches(v))
    misses = sum(1 for v in values if node.failures is not None and node.failures.matches(v))
    return hits - misses


def roller(node: ast.Expr) -> Callable[[random.Random], Roll]:
    """A function that rolls `node` with a given generator (compiled once)."""
    step = compiled(node)

    def roll_once(rng: random.Random) -> Roll:
        total, raw = step(_below_from(rng), [MAX_DICE])
        return Roll(node, total, raw)

    return roll_once
