"""Exact odds of a dice AST, computed with icepool.

The AST is compiled into icepool `Die` objects. Every probability is a
`fractions.Fraction`. Explosions without an end are followed to a stated depth
(until the chance of going deeper is under one in a billion, or to
`MAX_EXPLOSIONS`) and the result is marked inexact. Work is bounded: a step whose
size passes `MAX_WORK` is refused with an error before it starts, so `odds`
never hangs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any, assert_never

import attrs

from rouge_rpg.dice import ast
from rouge_rpg.dice.parse import MAX_EXPLOSIONS, parse
from rouge_rpg.errors import DiceError, LimitError

if TYPE_CHECKING:
    from icepool import Die

#: Largest product of two operand sizes in one step of the computation.
MAX_WORK = 10_000_000
#: Largest estimated work of one step that is not a plain sum (a product or comparison of
#: two dice, keep/drop among a pool), about a microsecond each on a small machine.
MAX_COMBINE = 2_000_000
#: Largest pool (dice × sides) that keep/drop or success counting may select from.
MAX_POOL = 10_000
#: Most outcomes of one die (or group item) that keep/drop may select among: icepool
#: evaluates a pool outcome by outcome, recursively.
MAX_POOL_OUTCOMES = 500
#: Most outcomes a distribution may have (the output is bounded too: see `rouge odds`).
MAX_OUTCOMES = 1_000_000
#: Dice with up to this many sides come from icepool's cache of standard dice ...
_STANDARD_DICE = 1000
#: ... and so do sums of up to this many of them.
_CACHED_SUMS = 20
#: Explosions are followed until the chance of going deeper is below this.
EXPLOSION_TAIL = Fraction(1, 10**9)


@attrs.frozen
class Odds:
    """The exact distribution of an expression: outcome → probability."""

    expression: ast.Expr
    distribution: dict[int, Fraction]
    exact: bool = True
    note: str | None = None

    @property
    def min(self) -> int:
        return min(self.distribution)

    @property
    def max(self) -> int:
        return max(self.distribution)

    @property
    def mean(self) -> Fraction:
        """Exact: a product of large numbers has a mean no float can hold."""
        return sum((o * p for o, p in self.distribution.items()), Fraction(0))

    def probability(self, outcome: int) -> Fraction:
        """P(total == outcome)."""
        return self.distribution.get(outcome, Fraction(0))

    def at_least(self, outcome: int) -> Fraction:
        """P(total >= outcome)."""
        return sum((p for o, p in self.distribution.items() if o >= outcome), Fraction(0))

    def at_most(self, outcome: int) -> Fraction:
        """P(total <= outcome)."""
        return sum((p for o, p in self.distribution.items() if o <= outcome), Fraction(0))

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "expression": str(self.expression),
            "exact": self.exact,
            "mean": mean_number(self.mean),
            "min": self.min,
            "max": self.max,
            "distribution": [
                {"outcome": o, "probability": f"{p.numerator}/{p.denominator}"}
                for o, p in sorted(self.distribution.items())
            ],
        }
        if self.note:
            data["note"] = self.note
        return data


def mean_number(mean: Fraction) -> float | str:
    """The mean as a JSON number, or as decimal text when no float holds it."""
    try:
        return float(mean)
    except OverflowError:
        return significant(mean, 17)  # text: JSON numbers past a float's range are not portable


def significant(value: Fraction, digits: int = 4) -> str:
    """`value` to `digits` significant digits (`.4g`), beyond a float's range too."""
    try:
        return f"{float(value):.{digits}g}"
    except OverflowError:
        from decimal import Context, Decimal

        context = Context(prec=digits + 2)
        exact = context.divide(Decimal(value.numerator), Decimal(value.denominator))
        return f"{exact:.{digits - 1}e}"


def odds(expr: ast.Expr | str) -> Odds:
    """The exact distribution of `expr` (text or AST)."""
    node = parse(expr) if isinstance(expr, str) else expr
    return _odds(node)


@lru_cache(maxsize=128)
def _odds(node: ast.Expr) -> Odds:
    found = distribution(node)
    if len(found.die) > MAX_OUTCOMES:
        raise LimitError(
            f"the exact odds of '{node}' have {len(found.die):,} outcomes; "
            f"the limit is {MAX_OUTCOMES:,}; 'rouge roll' still rolls it",
            node.span,
        )
    denominator = found.die.denominator()
    values = {int(o): Fraction(q, denominator) for o, q in found.die.items() if q}
    return Odds(node, values, exact=found.exact, note=found.note)


@attrs.frozen
class Distribution:
    """An expression's outcomes as an icepool `Die`, and whether they are exact.

    With `with_dice`, each outcome is a pair `(dice, value)`: what the dice
    alone came to (the roll's `dice`, as `rouge_rpg.dice.roll.natural` reads
    it off a roll) and the expression's value.
    """

    die: Die[Any]
    exact: bool = True
    note: str | None = None


@lru_cache(maxsize=256)
def distribution(
    node: ast.Expr, *, with_dice: bool = False, with_faces: bool = False, ceiling: int = 0
) -> Distribution:
    """The exact outcomes of a dice AST (work bounded; refusals name the place).

    Explosions without an end are followed to a stated depth, and the result is
    marked inexact. With a `ceiling`, every chain cut short there is raised by
    it instead of stopping: the engine compares the two to show that a cut
    cannot change a check's outcome. With `with_faces`, each outcome is a
    triple `(faces, dice, value)`: the kept dice's faces, lowest first (as
    `rouge_rpg.dice.roll.faces` reads them off a roll), then as `with_dice`.
    """
    compiler = _Compiler(ceiling)
    try:
        if with_faces:
            die = compiler.faces(node)
        else:
            die = compiler.joint(node) if with_dice else compiler.compile(node)
    except RecursionError:  # a safety net: the estimates below should refuse it first
        raise LimitError(
            f"the exact odds of '{node}' are too deep to compute; 'rouge roll' still rolls it",
            node.span,
        ) from None
    if not compiler.depths:
        return Distribution(die)
    depth = max(compiler.depths)
    note = f"explosions followed to depth {depth}; deeper chains are left out"
    return Distribution(die, exact=False, note=note)


def _same(node: ast.Expr) -> bool:
    """Whether the dice alone always come to the value (`2d6`, `{1d6, 1d8}`, `1d6 + 1d4`)."""
    if isinstance(node, ast.Dice):
        return True
    if isinstance(node, ast.Group):
        return node.select is None and not node.counts_successes and all(map(_same, node.items))
    if isinstance(node, ast.Parenthetical | ast.Labeled):
        return _same(node.inner)
    if isinstance(node, ast.Sum):
        return all(op == "+" for op, _ in node.rest) and all(
            _same(term) for term in (node.first, *(t for _, t in node.rest))
        )
    return False


class _Compiler:
    """AST → icepool Die, with the work bound checked before each step."""

    def __init__(self, ceiling: int = 0) -> None:
        self.depths: list[int] = []
        #: Added to every chain an explosion was cut short on (0: none); see `distribution`.
        self.ceiling = ceiling

    def compile(self, node: ast.Expr) -> Die[int]:
        import icepool

        match node:
            case ast.Literal():
                return icepool.Die([node.value])
            case ast.Dice():
                return self.dice(node)
            case ast.Group():
                return self.group(node)
            case ast.Parenthetical() | ast.Labeled():
                return self.compile(node.inner)
            case ast.Negate():
                return -self.compile(node.operand)
            case ast.Compare():
                compare = ast.COMPARISONS[node.op]
                return _as_die(
                    self.combine(
                        node,
                        self.operand(node.left),
                        self.operand(node.right),
                        lambda a, b: int(compare(a, b)),
                    )
                )
            case ast.Sum() | ast.Product():
                total = self.operand(node.first)
                for op, term in node.rest:
                    other = self.operand(term)
                    if op == "/":
                        _no_zero(term, [other] if isinstance(other, int) else other.outcomes())
                    total = self.combine(node, total, other, ast.ARITHMETIC[op])
                return _as_die(total)
            case _:
                assert_never(node)

    def joint(self, node: ast.Expr) -> Die[tuple[int, int]]:
        """The outcomes of `node` as `(dice, value)` pairs: `natural`'s meaning of `dice`."""
        import icepool

        if _same(node):
            return self.compile(node).map(lambda o: (o, o), star=False)
        match node:
            case ast.Literal():
                return icepool.Die([(0, node.value)])
            case ast.Dice():
                raise AssertionError("a dice term's dice are its value")
            case ast.Group():
                items = [self.joint(item) for item in node.items]
                self.check_work(node, math.prod(len(item) for item in items), MAX_COMBINE)
                group = node

                def kept(*pairs: tuple[int, int]) -> tuple[int, int]:
                    values = [v for _, v in pairs]
                    chosen = (
                        range(len(values))
                        if group.select is None
                        else sorted(group.select.kept_indices(values))
                    )
                    if group.counts_successes:
                        count = _count(group, [values[i] for i in chosen])
                        return count, count
                    return sum(pairs[i][0] for i in chosen), sum(values[i] for i in chosen)

                return icepool.map(kept, *items, star=False)
            case ast.Parenthetical() | ast.Labeled():
                return self.joint(node.inner)
            case ast.Negate():
                return self.joint(node.operand).map(lambda o: (o[0], -o[1]), star=False)
            case ast.Compare():
                test = ast.COMPARISONS[node.op]
                return self.pair(
                    node, self.joint(node.left), node.right, lambda a, b: int(test(a, b))
                )
            case ast.Sum() | ast.Product():
                total = self.joint(node.first)
                for op, term in node.rest:
                    total = self.pair(node, total, term, ast.ARITHMETIC[op], divides=op == "/")
                return total
            case _:
                assert_never(node)

    def faces(self, node: ast.Expr) -> Die[tuple[tuple[int, ...], int, int]]:
        """The outcomes of `node` as `(faces, dice, value)`: the kept faces of its dice terms,
        lowest first, with `joint`'s pair. A pool's faces come from icepool's multiset
        evaluation (`Pool.expand`): one outcome per multiset of faces, not per ordering."""
        import icepool

        match node:
            case ast.Literal():
                return icepool.Die([((), 0, node.value)])
            case ast.Dice():
                return self.dice_faces(node)
            case ast.Group():
                raise DiceError(
                    f"'{node}' keeps totals, not dice: its dice cannot be read one by one",
                    node.span,
                )
            case ast.Parenthetical() | ast.Labeled():
                return self.faces(node.inner)
            case ast.Negate():
                return self.faces(node.operand).map(lambda o: (o[0], o[1], -o[2]), star=False)
            case ast.Compare():
                test = ast.COMPARISONS[node.op]
                return self.face_pair(
                    node, self.faces(node.left), node.right, lambda a, b: int(test(a, b))
                )
            case ast.Sum() | ast.Product():
                total = self.faces(node.first)
                for op, term in node.rest:
                    total = self.face_pair(node, total, term, ast.ARITHMETIC[op], divides=op == "/")
                return total
            case _:
                assert_never(node)

    def dice_faces(self, node: ast.Dice) -> Die[tuple[tuple[int, ...], int, int]]:
        """One dice term's kept faces, with what they come to."""
        if node.explode is not None:
            raise DiceError(f"'{node}' explodes: its dice cannot be read one by one", node.span)
        base = self.dice(attrs.evolve(node, count=1, select=None, successes=None, failures=None))
        kept = node.count if node.select is None else _kept(node.select, node.count)
        size = len(base)
        self.check_pool(node, node.count * size)  # bounds the count of multisets below
        self.check_work(
            node, math.comb(node.count + size - 1, size - 1) * max(kept, 1), MAX_COMBINE
        )
        pool = base.pool(node.count)
        if node.select is not None:
            pool = pool.highest(kept) if _keeps_high(node.select) else pool.lowest(kept)

        def read(faces: tuple[int, ...]) -> tuple[tuple[int, ...], int, int]:
            total = _count(node, list(faces)) if node.counts_successes else sum(faces)
            return faces, total, total

        return pool.expand().map(read, star=False)

    def face_pair(
        self,
        node: ast.Expr,
        first: Die[tuple[tuple[int, ...], int, int]],
        right: ast.Expr,
        op: Callable[[int, int], int],
        *,
        divides: bool = False,
    ) -> Die[tuple[tuple[int, ...], int, int]]:
        """`left op right` on `(faces, dice, value)`: the faces join, as `pair` does the rest."""
        import icepool

        second = self.faces(right)
        if divides:
            _no_zero(right, [v for _, _, v in second.outcomes()])
        self.check_work(node, len(first) * len(second), MAX_COMBINE)
        return icepool.map(
            lambda a, b: (tuple(sorted(a[0] + b[0])), a[1] + b[1], op(a[2], b[2])),
            first,
            second,
            star=False,
        )

    def pair(
        self,
        node: ast.Expr,
        first: Die[tuple[int, int]],
        right: ast.Expr,
        op: Callable[[int, int], int],
        *,
        divides: bool = False,
    ) -> Die[tuple[int, int]]:
        """`left op right` on `(dice, value)` pairs: the dice add up, the values combine."""
        import icepool

        second = self.joint(right)
        if divides:
            _no_zero(right, [v for _, v in second.outcomes()])
        self.check_work(node, len(first) * len(second), MAX_COMBINE)
        return icepool.map(lambda a, b: (a[0] + b[0], op(a[1], b[1])), first, second, star=False)

    def operand(self, node: ast.Expr) -> Die[int] | int:
        """A term of arithmetic or a comparison: a die, or a plain number as itself."""
        constant = _constant(node)
        return self.compile(node) if constant is None else constant

    def combine(
        self,
        node: ast.Expr,
        left: Die[int] | int,
        right: Die[int] | int,
        op: Callable[[int, int], int],
    ) -> Die[int] | int:
        """`left op right`; with a plain number on one side, one pass over the other."""
        import icepool

        if isinstance(left, int) and isinstance(right, int):
            return op(left, right)
        if isinstance(left, int) or isinstance(right, int):
            weights: dict[int, int] = {}
            if isinstance(right, int):
                assert not isinstance(left, int)
                pairs = ((op(outcome, right), q) for outcome, q in left.items())
            else:
                pairs = ((op(left, outcome), q) for outcome, q in right.items())
            for outcome, q in pairs:
                weights[outcome] = weights.get(outcome, 0) + q
            return icepool.Die(weights)
        self.check_work(node, len(left) * len(right), MAX_COMBINE)
        return left.binary_operator(right, op)

    def check_work(self, node: ast.Expr, work: int, limit: int = MAX_WORK) -> None:
        if work > limit:
            raise LimitError(
                f"the exact odds of '{node}' are too large to compute "
                f"({work:,} steps; the limit is {limit:,}); 'rouge roll' still rolls it",
                node.span,
            )

    def check_selection(self, node: ast.Expr, outcomes: int, count: int, kept: int) -> None:
        """Keep/drop among `count` dice of `outcomes` outcomes each: refused if too large.

        icepool's work grows with the outcomes, the dice, the dice kept and the totals
        the kept dice can reach (about outcomes × kept): outcomes² × dice × kept.
        """
        if outcomes > MAX_POOL_OUTCOMES:
            raise LimitError(
                f"the exact odds of '{node}' are too large to compute (keep or drop among "
                f"dice of {outcomes:,} outcomes; the limit is {MAX_POOL_OUTCOMES:,}); "
                "'rouge roll' still rolls it",
                node.span,
            )
        self.check_work(node, outcomes * outcomes * count * max(kept, 1), MAX_COMBINE)

    def sum_of(self, node: ast.Expr, die: Die[int], count: int, standard: bool = False) -> Die[int]:
        """The sum of `count` independent copies of `die`.

        icepool keeps the sums of its standard dice, which it makes one die at a
        time, so a few standard dice come from it; anything else is summed here by
        doubling, which is faster the first time.
        """
        import icepool

        size = len(die)
        self.check_work(node, (count * (size - 1) + 1) ** 2)
        if standard and 1 < count <= _CACHED_SUMS:
            total: Die[int] = count @ die
            return total
        result: Die[int] | None = None
        power = die
        while count:
            if count & 1:
                result = power if result is None else result + power
            count >>= 1
            if count:
                power = power + power
        return icepool.Die([0]) if result is None else result

    def dice(self, node: ast.Dice) -> Die[int]:
        import icepool

        faces = node.faces
        self.precheck(node, faces)
        # icepool keeps its standard dice (and what it derives from them) cached.
        standard = isinstance(node.sides, int) and node.sides <= _STANDARD_DICE
        base: Die[int] = icepool.d(node.sides) if standard else icepool.Die(list(faces))
        reroll = node.reroll
        if reroll is not None:
            rerolled = reroll.point.matching(faces)
            if len(rerolled) == len(faces) and not reroll.once:
                raise DiceError(
                    f"'{reroll}' matches every face: it would reroll forever", node.span
                )
            # Rerolling every face once leaves the die as it was.
            if rerolled and len(rerolled) < len(faces):
                base = base.reroll(rerolled, depth=1 if reroll.once else "inf")
                standard = False
        lo, hi = node.minimum, node.maximum

        def clamp(face: int) -> int:
            if lo is not None and face < lo:
                face = lo
            if hi is not None and face > hi:
                face = hi
            return face

        def score(face: int) -> int:
            value = clamp(face)
            if not node.counts_successes:
                return value
            hit = 1 if node.successes is not None and node.successes.matches(value) else 0
            miss = 1 if node.failures is not None and node.failures.matches(value) else 0
            return hit - miss

        if node.explode is not None:
            if node.select is not None:
                raise DiceError(
                    "exact odds of keep or drop among exploding dice are not supported; "
                    "'rouge roll' still rolls it",
                    node.span,
                )
            one = self.explosion_chain(node, base, score, faces)
            return self.sum_of(node, one, node.count)
        clamps = lo is not None or hi is not None
        if node.select is None:
            if clamps or node.counts_successes:
                return self.sum_of(node, base.map(score), node.count)
            return self.sum_of(node, base, node.count, standard)
        self.check_pool(node, node.count * len(base))
        kept = _kept(node.select, node.count)
        if kept == 0:
            return icepool.Die([0])
        if kept == node.count and not node.counts_successes:  # every die kept: the sum
            scored = base.map(clamp) if clamps else base
            return self.sum_of(node, scored, node.count, standard and not clamps)
        self.check_selection(node, len(base), node.count, kept)
        pool = (base.map(clamp) if clamps else base).pool(node.count)
        chosen = pool.highest(kept) if _keeps_high(node.select) else pool.lowest(kept)
        if not node.counts_successes:
            return chosen.sum()
        return chosen.expand().map(lambda faces: sum(score(f) for f in faces))

    def precheck(self, node: ast.Dice, faces: range) -> None:
        """Refuse a die too large to build, before building it (`1d1000000!`)."""
        if node.explode is None or node.explode.once or node.reroll is not None:
            return
        if node.counts_successes or node.minimum is not None or node.maximum is not None:
            return  # scores spread less than the faces: `explosion_chain` estimates it
        point = node.explode.point or ast.ComparePoint("=", faces[-1])
        matched = len(point.matching(faces))
        if matched == 0 or matched == len(faces):
            return
        chance = matched / len(faces)
        depth = min(MAX_EXPLOSIONS, max(1, math.ceil(math.log(1e-9) / math.log(chance))))
        spread = faces[-1] - faces[0]
        self.check_work(node, len(faces) * sum(k * spread + 1 for k in range(1, depth + 1)))

    def explosion_chain(
        self, node: ast.Dice, base: Die[int], score: Callable[[int], int], faces: range
    ) -> Die[int]:
        """One die and the dice its explosions add, scored and summed."""
        assert node.explode is not None
        point = node.explode.point or ast.ComparePoint("=", faces[-1])
        chance = sum(
            (
                p
                for o, p in zip(base.outcomes(), base.probabilities(), strict=True)
                if point.matches(o)
            ),
            Fraction(0),
        )
        if chance == 0:
            depth = 0
        elif node.explode.once:
            depth = 1
        elif chance == 1:
            raise DiceError(
                f"'{node.explode}' matches every face: it would explode forever", node.span
            )
        else:
            depth = min(
                MAX_EXPLOSIONS, max(1, math.ceil(math.log(EXPLOSION_TAIL) / math.log(chance)))
            )
            self.depths.append(depth)

        def then(deeper: Die[int]) -> Callable[[int], Die[int] | int]:
            return lambda face: score(face) + deeper if point.matches(face) else score(face)

        ceiling = self.ceiling if depth and not node.explode.once else 0

        def last(face: int) -> int:
            """The deepest face followed: a chain cut short here goes up by the ceiling."""
            return score(face) + (ceiling if point.matches(face) else 0)

        scored: Die[int] = base.map(score)
        # Step k maps the die over a chain of at most k * spread + 1 outcomes (+ k raised).
        spread = max(scored.outcomes()) - min(scored.outcomes())
        chain = base.map(last) if ceiling else scored
        self.check_work(node, len(base) * sum(k * spread + 1 for k in range(1, depth + 1)))
        for _ in range(depth):
            chain = base.map(then(chain))
        return chain

    def check_pool(self, node: ast.Expr, size: int) -> None:
        if size > MAX_POOL:
            raise LimitError(
                f"the exact odds of '{node}' are too large to compute "
                f"(a pool of {size:,} dice × faces; the limit is {MAX_POOL:,}); "
                "'rouge roll' still rolls it",
                node.span,
            )

    def group(self, node: ast.Group) -> Die[int]:
        import icepool

        items = [self.compile(item) for item in node.items]

        def score(total: int) -> int:
            if not node.counts_successes:
                return total
            hit = 1 if node.successes is not None and node.successes.matches(total) else 0
            miss = 1 if node.failures is not None and node.failures.matches(total) else 0
            return hit - miss

        if node.select is None:
            scored = [item.map(score) if node.counts_successes else item for item in items]
            total = scored[0]
            for item in scored[1:]:
                total = self.combine(node, total, item, ast.ARITHMETIC["+"])
            return total
        self.check_pool(node, sum(len(item) for item in items))
        kept = _kept(node.select, len(items))
        if kept == 0:
            return icepool.Die([0])
        self.check_selection(node, max(len(item) for item in items), len(items), kept)
        if not node.counts_successes:
            keep = icepool.highest if _keeps_high(node.select) else icepool.lowest
            kept_sum: Die[int] = keep(items, keep=kept)
            return kept_sum
        pool = icepool.Pool(items)
        chosen = pool.highest(kept) if _keeps_high(node.select) else pool.lowest(kept)
        return chosen.expand().map(lambda totals: sum(score(t) for t in totals))


def _no_zero(term: ast.Expr, values: Iterable[int]) -> None:
    """Refuse a division whose divisor can be 0: the one meaning of `/` by 0."""
    if 0 in values:
        raise DiceError(f"division by zero is possible: '{term}' can be 0", term.span)


def _count(node: ast.Dice | ast.Group, values: list[int]) -> int:
    hits = sum(1 for v in values if node.successes is not None and node.successes.matches(v))
    misses = sum(1 for v in values if node.failures is not None and node.failures.matches(v))
    return hits - misses


def _as_die(value: Die[int] | int) -> Die[int]:
    import icepool

    return icepool.Die([value]) if isinstance(value, int) else value


def _constant(node: ast.Expr) -> int | None:
    """The value of a plain number (in brackets, labelled or negated), else None."""
    sign = 1
    while True:
        if isinstance(node, ast.Literal):
            return sign * node.value
        if isinstance(node, ast.Parenthetical | ast.Labeled):
            node = node.inner
        elif isinstance(node, ast.Negate):
            sign, node = -sign, node.operand
        else:
            return None


def _kept(select: ast.Select, count: int) -> int:
    """How many dice a keep or drop leaves."""
    return min(select.count, count) if select.keep else max(count - select.count, 0)


def _keeps_high(select: ast.Select) -> bool:
    """Whether the dice left are the highest ones (keep high, or drop low)."""
    return select.high == select.keep
