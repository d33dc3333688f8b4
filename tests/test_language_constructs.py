"""Issue 15's constructs: pools from values, min/max, if, face ranges, let, track start, --with.

Each is parsed and printed back, checked (types, names, dice where nothing rolls
them), rolled and given exact odds, pinned against an independent enumeration.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction
from itertools import product
from pathlib import Path

import pytest
from click.testing import Result

from rouge_rpg.beings import Being, Character
from rouge_rpg.dice.odds import distribution
from rouge_rpg.dice.parse import parse as parse_dice
from rouge_rpg.engine.checks import check_odds, push_odds, resolve_check
from rouge_rpg.errors import RougeError
from rouge_rpg.rules import Rulebook, ast, load
from rouge_rpg.rules.evaluate import Context, stat
from rouge_rpg.rules.load import read
from rouge_rpg.rules.parse import parse_text

HEAD = """\
rulebook t "T"
kind person
faction crew:
  kind person
attribute prowl range -3..4
attribute fighting range 1..12 default 6
condition hidden
track harm "Harm" range -3..3 start 0
track strain range 0..9
"""


def folder(tmp_path: Path, body: str) -> Path:
    place = tmp_path / "rules"
    place.mkdir(exist_ok=True)
    (place / "rulebook.rouge").write_text(HEAD + body, encoding="utf-8")
    return place


def rulebook(tmp_path: Path, body: str) -> Rulebook:
    return load(folder(tmp_path, body))


def errors(tmp_path: Path, body: str) -> list[str]:
    loaded = read(folder(tmp_path, body), cached=False)
    return [d.message for d in loaded.errors]


def being(**attributes: int) -> Being:
    return Being.of(Character(name="Cutter", faction="crew", kind="person", attributes=attributes))


def odds(rb: Rulebook, name: str, actor: Being, **args: object) -> dict[str, Fraction]:
    check = rb.require(name, ast.Check)
    return dict(check_odds(rb, check, actor, args=args).outcomes)  # type: ignore[arg-type]


def enumerate_dice(
    sides: int, count: int, read: Callable[[tuple[int, ...]], str]
) -> dict[str, Fraction]:
    found: dict[str, Fraction] = {}
    total = sides**count
    for faces in product(range(1, sides + 1), repeat=count):
        key = read(faces)
        found[key] = found.get(key, Fraction(0)) + Fraction(1, total)
    return found


BLADES = """\
check action(act: attribute) "Action":
  roll if actor[act] == 0 then 2d6kl1 else (actor[act])d6kh1
  full when total >= 6
  partial when total >= 4
  bad otherwise
"""


def _blades(faces: tuple[int, ...], zero: bool) -> str:
    top = min(faces) if zero else max(faces)
    return "full" if top >= 6 else "partial" if top >= 4 else "bad"


# -- parse and print back ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "(actor.prowl)d6",
        "(actor[act])d6kh1",
        "1d(actor.fighting)",
        "1d(actor.fighting) + d(actor.fighting)",
        "(actor.prowl + 1)d(actor.fighting)kh2",
        "min(total, 3)",
        "max(1d6, 1d8, 2)",
        "if actor.prowl == 0 then 2d6kl1 else (actor.prowl)d6kh1",
        "if total >= 3 then 1 else if total >= 2 then 2 else 3",
        "4d6cs5..6",
        "2d6rr1..2",
    ],
)
def test_new_expressions_print_back(text: str) -> None:
    source = f"const c = 0\ncheck x:\n  roll 1d6\n  hit when {text} >= 0\n  miss otherwise\n"
    parsed, problems = parse_text(source, "x.rouge")
    assert problems == []
    check = parsed.definitions[1]
    assert isinstance(check, ast.Check)
    assert check.rungs[0].when is not None
    printed = str(check.rungs[0].when)
    assert printed == f"{text} >= 0".replace(" d(", " 1d(").removeprefix("d(")
    again, _ = parse_text(source.replace(text, printed[: -len(" >= 0")]), "x.rouge")
    assert again.definitions[1] == check


def test_face_ranges_in_plain_dice() -> None:
    assert str(parse_dice("4d6cs5..6")) == "4d6cs5..6"
    counted = distribution(parse_dice("4d6cs5..6")).die
    for hits in range(5):
        from math import comb

        expected = Fraction(comb(4, hits) * 2**hits * 4 ** (4 - hits), 6**4)
        assert Fraction(counted.quantity(hits), counted.denominator()) == expected
    rerolled = distribution(parse_dice("1d6rr1..2")).die
    assert {o: Fraction(rerolled.quantity(o), rerolled.denominator()) for o in rerolled} == {
        face: Fraction(1, 4) for face in (3, 4, 5, 6)
    }
    with pytest.raises(RougeError, match="empty"):
        parse_dice("1d6cs5..2")
    with pytest.raises(RougeError, match="reroll forever"):
        parse_dice("1d6rr1..6")


# -- item 1: pools and die sizes from values -------------------------------------------------


@pytest.mark.parametrize("rating", [0, 1, 2, 3])
def test_blades_action_roll_is_exact(tmp_path: Path, rating: int) -> None:
    rb = rulebook(tmp_path, BLADES)
    count = 2 if rating == 0 else rating
    expected = enumerate_dice(6, count, lambda f: _blades(f, rating == 0))
    assert odds(rb, "action", being(prowl=rating), act="prowl") == {
        k: expected.get(k, Fraction(0)) for k in ("full", "partial", "bad")
    }


def test_blades_rating_two_pins(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, BLADES)
    assert odds(rb, "action", being(prowl=2), act="prowl") == {
        "full": Fraction(11, 36),
        "partial": Fraction(4, 9),
        "bad": Fraction(1, 4),
    }
    assert odds(rb, "action", being(prowl=0), act="prowl")["full"] == Fraction(1, 36)


def test_pool_rolls_the_number_of_dice_of_the_sheet(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, BLADES)
    check = rb.require("action", ast.Check)
    result = resolve_check(rb, check, being(prowl=3), args={"act": "prowl"}, rng=random.Random(4))
    assert result.rolled is not None
    assert len(result.rolled.dice()) == 3
    assert str(result.rolled.detail).startswith("3d6kh1")


def test_die_size_from_a_trait(tmp_path: Path) -> None:
    rb = rulebook(
        tmp_path,
        "check fight:\n  roll 1d(actor.fighting)\n  hit when total >= 5\n  miss otherwise\n",
    )
    assert odds(rb, "fight", being(fighting=8)) == {"hit": Fraction(1, 2), "miss": Fraction(1, 2)}
    assert odds(rb, "fight", being()) == {"hit": Fraction(1, 3), "miss": Fraction(2, 3)}


def test_a_negative_count_is_an_error_at_the_table(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, BLADES.replace("(actor[act])d6kh1", "(actor[act] - 3)d6kh1"))
    check = rb.require("action", ast.Check)
    with pytest.raises(RougeError) as raised:
        resolve_check(rb, check, being(prowl=1), args={"act": "prowl"}, rng=random.Random(0))
    shown = str(raised.value)
    assert "cannot be negative" in shown
    assert "rulebook.rouge:" in shown


def test_zero_dice_roll_nothing(tmp_path: Path) -> None:
    rb = rulebook(
        tmp_path, "check c:\n  roll (actor.prowl)d6\n  zero when total == 0\n  some otherwise\n"
    )
    assert odds(rb, "c", being(prowl=0)) == {"zero": Fraction(1), "some": Fraction(0)}


def test_checker_types_pool_counts_and_sizes(tmp_path: Path) -> None:
    found = errors(
        tmp_path,
        "check c:\n  roll (1d4)d6 + (actor.has(hidden))d6 + 1d(2d4)\n  a otherwise\n",
    )
    assert sum("rolls dice, but a number of dice is a fixed number" in m for m in found) == 1
    assert sum("rolls dice, but a die's size is a fixed number" in m for m in found) == 1
    assert any("expected a number" in m for m in found)
    assert errors(tmp_path, "check c:\n  roll {1d6, 1d6}d2\n  a otherwise\n") == [
        "'{1d6, 1d6}dl2' drops 2 of a group of 2: 'dl2' here is a group's drop, not a die"
    ]
    assert errors(tmp_path, "const n = 2\ncondition c:\n  modifier (n)d6 to all\n") == []


# -- item 6: min, max, if, let -----------------------------------------------------------------


def test_max_of_dice_is_exact(tmp_path: Path) -> None:
    rb = rulebook(
        tmp_path,
        "check c:\n  roll max(1d6, 1d6) + min(actor.prowl, 1)\n  six when total >= 7\n"
        "  five when total == 6\n  rest otherwise\n",
    )
    expected = enumerate_dice(
        6, 2, lambda f: "six" if max(f) + 1 >= 7 else "five" if max(f) + 1 == 6 else "rest"
    )
    assert odds(rb, "c", being(prowl=3)) == expected


def test_if_and_let_in_the_ladder(tmp_path: Path) -> None:
    rb = rulebook(
        tmp_path,
        "check resist:\n  roll 2d6kh1\n  let stress = 6 - total\n"
        "  clean when stress == 0\n    advance actor strain stress\n"
        "  some when if stress <= 2 then true else false\n    advance actor strain stress\n"
        "  heavy otherwise\n    advance actor strain max(stress, 4)\n",
    )
    expected = enumerate_dice(
        6, 2, lambda f: "clean" if max(f) == 6 else "some" if max(f) >= 4 else "heavy"
    )
    assert odds(rb, "resist", being()) == expected
    check = rb.require("resist", ast.Check)
    assert str(check.rungs[0].when) == "stress == 0"
    for seed in range(20):
        result = resolve_check(rb, check, being(), rng=random.Random(seed))
        stress = 6 - result.total
        moved = [c.amount for c in result.effects]
        wanted = [stress] if result.outcome != "clean" or stress else []  # 0 moves nothing
        if result.outcome == "heavy":
            wanted = [max(stress, 4)]
        assert moved == wanted


def test_checker_refuses_what_if_and_let_cannot_mean(tmp_path: Path) -> None:
    found = errors(
        tmp_path,
        "check c:\n  roll if 1d6 > 3 then 1d6 else 2d6\n  let x = 1d4\n  let y = nope + 1\n"
        "  let x = 2\n  a when if total > 1 then 1 else false\n  b when x > y\n  c otherwise\n",
    )
    assert any("rolls dice, but the test of an 'if' is a fixed number" in m for m in found)
    assert any("rolls dice, but a 'let' value is a fixed number" in m for m in found)
    assert any("unknown name 'nope'" in m for m in found)
    assert any("'x' is given twice" in m for m in found)
    assert any("the two branches" in m for m in found)


# -- item 7: a start value for tracks --------------------------------------------------------


def test_track_start(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, "")
    harm = rb.require("harm", ast.Track)
    assert harm.start == 0
    assert stat(rb, being(), "harm") == 0
    assert stat(rb, being(), "strain") == 0
    assert Context(rb, being()).rulebook is rb
    found = errors(tmp_path, "track bad range -3..3 start 5\n")
    assert found == ["start 5 is outside -3..3"]


def test_track_start_is_a_sheets_default(tmp_path: Path, rouge: Callable[..., Result]) -> None:
    place = folder(tmp_path, "track mood range -3..3 start 1\n")
    sheet = tmp_path / "cutter.yaml"
    sheet.write_text(
        "name: Cutter\nfaction: crew\nkind: person\nattributes:\n  prowl: 1\n  fighting: 4\n",
        encoding="utf-8",
    )
    shown = rouge("sheet", "show", str(sheet), "--rulebook", str(place), "--json")
    assert shown.exit_code == 0, shown.output
    assert '"mood"' in shown.output


# -- item 2: parameters from the command line ---------------------------------------------------

ACTION = """\
check act(stat: attribute, position: one of (controlled, risky, desperate) = risky, bonus = 0):
  roll 1d6 + actor[stat] + bonus
  modifier +1 to act when position == controlled "Controlled"
  win when total >= 6 and position != desperate
  win_big when total >= 6
  lose otherwise
"""


def test_choice_parameters(tmp_path: Path, rouge: Callable[..., Result]) -> None:
    place = folder(tmp_path, ACTION.replace("position != desperate", "not position == desperate"))
    rb = load(place)
    assert odds(rb, "act", being(prowl=1), stat="prowl", position="desperate") == {
        "win": Fraction(0),
        "win_big": Fraction(1, 3),
        "lose": Fraction(2, 3),
    }
    sheet = tmp_path / "cutter.yaml"
    sheet.write_text(
        "name: Cutter\nfaction: crew\nkind: person\nattributes:\n  prowl: 1\n  fighting: 4\n",
        encoding="utf-8",
    )
    base = ["check", str(sheet), "act", "--rulebook", str(place), "--no-campaign", "--odds"]
    good = rouge(
        *base, "--with", "stat=prowl", "--with", "position=controlled", "--with", "bonus=1"
    )
    assert good.exit_code == 0, good.output
    assert "win        66.67%  2/3" in good.output  # 1d6 + 1 + 1 + 1 >= 6
    bad = rouge(*base, "--with", "stat=prowl", "--with", "position=desprate")
    assert bad.exit_code == 2
    assert "one of controlled, risky, desperate" in bad.output
    assert "did you mean 'desperate'?" in bad.output
    number = rouge(*base, "--with", "stat=prowl", "--with", "bonus=lots")
    assert number.exit_code == 2
    assert "bonus is a number, not 'lots'" in number.output
    kind = rouge(*base, "--with", "stat=hidden")
    assert kind.exit_code == 2
    unknown = rouge(*base, "--with", "stat=prowl", "--with", "speed=2")
    assert "has no parameter 'speed'" in unknown.output
    shape = rouge(*base, "--with", "stat")
    assert "write NAME=VALUE" in shape.output


def test_checker_on_choices(tmp_path: Path) -> None:
    found = errors(
        tmp_path,
        "check c(p: one of (a, b, a, prowl) = e):\n  roll 1d6\n  x when p == b\n  y when p == 3\n"
        "  z otherwise\n",
    )
    assert any("'a' is given twice" in m for m in found)
    assert any("'prowl' is an attribute" in m for m in found)
    assert any("unknown name 'e'" in m for m in found)
    assert any("compares one of (a, b, a, prowl) with a number" in m for m in found)


# -- item 4: several readings of one roll ------------------------------------------------------

BLADES_READ = """\
check action(act: attribute) "Action":
  roll if actor[act] == 0 then 2d6kl1 else (actor[act])d6
  critical when count(6) >= 2: "Critical: {highest} and more."
  full when highest == 6
  partial when highest >= 4
  bad otherwise
check resist(act: attribute) "Resistance":
  roll if actor[act] == 0 then 2d6kl1 else (actor[act])d6
  let stress = if count(6) >= 2 then -1 else 6 - highest
  clear when stress < 0: "Clears a stress."
    reduce actor strain 1
  cost otherwise: "Takes {stress} stress."
    advance actor strain stress
"""


def _blades_reading(faces: tuple[int, ...], zero: bool) -> str:
    if zero:
        faces = (min(faces),)
    if sum(1 for f in faces if f == 6) >= 2:
        return "critical"
    top = max(faces)
    return "full" if top == 6 else "partial" if top >= 4 else "bad"


@pytest.mark.parametrize("rating", [0, 1, 2, 3, 4])
def test_readings_are_exact_against_an_enumeration(tmp_path: Path, rating: int) -> None:
    rb = rulebook(tmp_path, BLADES_READ)
    count = 2 if rating == 0 else rating
    expected = enumerate_dice(6, count, lambda f: _blades_reading(f, rating == 0))
    assert odds(rb, "action", being(prowl=rating), act="prowl") == {
        k: expected.get(k, Fraction(0)) for k in ("critical", "full", "partial", "bad")
    }


def test_a_blades_action_at_rating_two_is_a_critical_one_time_in_36(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, BLADES_READ)
    found = odds(rb, "action", being(prowl=2), act="prowl")
    assert found["critical"] == Fraction(1, 36)
    assert found["full"] == Fraction(10, 36)
    assert odds(rb, "action", being(prowl=0), act="prowl")["critical"] == 0


def test_a_let_reads_the_highest_die_in_effects(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, BLADES_READ)
    check = rb.require("resist", ast.Check)
    seen: dict[str, int] = {}
    for seed in range(40):
        done = resolve_check(
            rb, check, being(prowl=2), args={"act": "prowl"}, rng=random.Random(seed)
        )
        faces = sorted(d.value for d in done.rolled.dice())
        if done.outcome == "clear":
            assert faces == [6, 6]
            assert done.narrative == "Clears a stress."
        else:
            assert done.narrative == f"Takes {6 - faces[-1]} stress."
            cost = 6 - faces[-1]
            assert [(e.verb, e.amount) for e in done.effects] == (
                [("advance", cost)] if cost else []
            )
        seen[done.outcome] = seen.get(done.outcome, 0) + 1
    assert seen["cost"] > 0


def test_count_doubles_and_lowest(tmp_path: Path) -> None:
    rb = rulebook(
        tmp_path,
        "check pool(act: attribute):\n  roll (actor[act])d6\n"
        "  hits when count(>=5) >= 2\n  pair when doubles\n  low when lowest == 1\n"
        "  none otherwise\n",
    )

    def read(faces: tuple[int, ...]) -> str:
        if sum(1 for f in faces if f >= 5) >= 2:
            return "hits"
        if len(set(faces)) < len(faces):
            return "pair"
        return "low" if min(faces) == 1 else "none"

    expected = enumerate_dice(6, 3, read)
    assert odds(rb, "pool", being(prowl=3), act="prowl") == expected


def test_readings_of_fate_dice_and_sums(tmp_path: Path) -> None:
    rb = rulebook(
        tmp_path,
        "check fate:\n  roll 4dF + actor.prowl\n  perfect when count(1) == 4\n"
        "  good when total >= 2\n  bad otherwise\n",
    )
    found = odds(rb, "fate", being(prowl=1))
    assert found["perfect"] == Fraction(1, 81)
    assert sum(found.values()) == 1


def test_the_checker_on_readings(tmp_path: Path) -> None:
    found = errors(
        tmp_path,
        "check a:\n  roll 3d6!\n  x when highest == 6\n  y otherwise\n"
        "check b:\n  roll {1d6, 1d8}kh1\n  x when count(6) > 0\n  y otherwise\n"
        "check c:\n  roll 3d6 + count(6)\n  x when doubles == 3\n  y otherwise\n"
        "check d:\n  roll 3d6\n  x when total > 3\n  y otherwise\n"
        "  modifier +1 to d when highest > 3\n"
        "check e:\n  roll 3d6 + max(1d6, 2)\n  x when lowest > 3\n  y otherwise\n",
    )
    assert found == [
        "'highest' reads the roll's dice one by one, but '3d6!' explodes, so its dice are not "
        "a set to read",
        "'count(6)' reads the roll's dice one by one, but '{1d6, 1d8}kh1' keeps totals, not dice",
        "'count(6)' reads the roll's dice: it exists only in the outcome ladder of a check",
        "'doubles == 3' compares a condition (true or false) with a number",
        "unknown name 'highest'",
        "'lowest' reads the roll's dice one by one, but 'max(1d6, 2)' keeps totals, not dice",
    ]


# -- item 3: conditions and modifiers that change the dice -------------------------------------

EDGES = """\
bonus_type gear
condition favored:
  modifier advantage to all "Favored"
condition poisoned:
  modifier disadvantage to all "Poisoned"
condition blessed:
  modifier +1d4 to all "Bless"
condition inspired:
  modifier +1d6 gear to all
condition geared:
  modifier +1d gear to all "A good tool"
condition toolkit:
  modifier +2d gear to all "A better tool"
condition hurt:
  modifier -1d to all "Hurt"
check attack(dc = 11) "Attack":
  roll 1d20 + actor.prowl
  hit when total >= dc
  miss otherwise
check crit:
  roll 1d20
  crit when dice == 20
  plain otherwise
check pool:
  roll (actor.prowl)d6
  success when count(6) >= 1
  failure otherwise
"""


def with_conditions(*names: str, prowl: int = 0) -> Being:
    return Being.of(
        Character(name="Cutter", faction="crew", kind="person", attributes={"prowl": prowl}),
        conditions=frozenset(names),
    )


def test_advantage_and_disadvantage_change_the_d20_and_cancel(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, EDGES)
    plain = odds(rb, "crit", with_conditions())
    assert plain["crit"] == Fraction(1, 20)
    assert odds(rb, "crit", with_conditions("favored"))["crit"] == Fraction(39, 400)
    assert odds(rb, "crit", with_conditions("poisoned"))["crit"] == Fraction(1, 400)
    assert odds(rb, "crit", with_conditions("favored", "poisoned")) == plain
    # 5e: hitting 11 on a d20 is 1/2; with advantage 3/4, with disadvantage 1/4.
    assert odds(rb, "attack", with_conditions("favored"))["hit"] == Fraction(3, 4)
    assert odds(rb, "attack", with_conditions("poisoned"))["hit"] == Fraction(1, 4)


def test_a_bonus_that_rolls_adds_to_the_total_not_to_the_dice(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, EDGES)
    # 1d20 + 1d4 >= 11, counted by hand.
    expected = Fraction(sum(1 for a in range(1, 21) for b in range(1, 5) if a + b >= 11), 80)
    assert odds(rb, "attack", with_conditions("blessed"))["hit"] == expected
    assert odds(rb, "crit", with_conditions("blessed"))["crit"] == Fraction(1, 20)
    check = rb.require("attack", ast.Check)
    done = resolve_check(rb, check, with_conditions("blessed"), rng=random.Random(4))
    assert done.boosted is not None
    assert done.total == done.rolled.total + done.boosted.total
    assert done.roll_detail == (
        f"1d20 ({done.rolled.total}) + 0 = {done.rolled.total}, "
        f"+1d4 ({done.boosted.total}) [blessed] = {done.total}"
    )


def test_bonus_dice_stack_by_type(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, EDGES)
    one = odds(rb, "pool", with_conditions("geared", prowl=2))
    assert one["success"] == 1 - Fraction(5, 6) ** 3
    # Two gear bonuses: only the larger applies; an untyped penalty stacks.
    both = odds(rb, "pool", with_conditions("geared", "toolkit", "hurt", prowl=2))
    assert both["success"] == 1 - Fraction(5, 6) ** 3
    check = rb.require("pool", ast.Check)
    done = resolve_check(
        rb, check, with_conditions("geared", "toolkit", "hurt", prowl=2), rng=random.Random(1)
    )
    shown = {(m.shown, m.applied, m.reason) for m in done.modifiers}
    assert shown == {
        ("+1d", False, "not applied: a higher gear bonus applies"),
        ("+2d", True, "applies"),
        ("-1d", True, "applies"),
    }
    # A gear die that rolls (mean 3.5) and a gear die in the pool (+1d): different changes.
    mixed = resolve_check(
        rb, check, with_conditions("geared", "inspired", prowl=2), rng=random.Random(1)
    )
    assert all(m.applied for m in mixed.modifiers)


def test_advantage_on_dice_that_already_keep_is_not_applied(tmp_path: Path) -> None:
    rb = rulebook(
        tmp_path, EDGES + "check kept:\n  roll 2d20kh1\n  a when total > 10\n  b otherwise\n"
    )
    done = resolve_check(
        rb, rb.require("kept", ast.Check), with_conditions("favored"), rng=random.Random(2)
    )
    assert [(m.applied, m.reason) for m in done.modifiers] == [
        (False, "not applied: '2d20kh1' already keeps or drops dice")
    ]


def test_dice_modifiers_print_back_and_through_the_cli(
    tmp_path: Path, rouge: Callable[..., Result]
) -> None:
    parsed, problems = parse_text(EDGES, "e.rouge")
    assert problems == []
    shown = [
        str(m) for d in parsed.definitions if isinstance(d, ast.Condition) for m in d.modifiers
    ]
    assert shown == [
        'modifier advantage to all "Favored"',
        'modifier disadvantage to all "Poisoned"',
        'modifier +1d4 to all "Bless"',
        "modifier +1d6 gear to all",
        'modifier +1d gear to all "A good tool"',
        'modifier +2d gear to all "A better tool"',
        'modifier -1d to all "Hurt"',
    ]
    place = folder(tmp_path, EDGES)
    sheet = tmp_path / "cutter.yaml"
    sheet.write_text(
        "name: Cutter\nfaction: crew\nkind: person\nattributes:\n  prowl: 2\n"
        "conditions: [favored, blessed]\n",
        encoding="utf-8",
    )
    base = ["check", str(sheet), "attack", "--rulebook", str(place), "--no-campaign"]
    weighed = rouge(*base, "--odds")
    assert weighed.exit_code == 0, weighed.output
    assert weighed.output.splitlines() == [
        "Cutter: Attack: exact odds",
        "  modifier  +1d4 from Cutter's blessed",
        "  modifier  advantage from Cutter's favored",
        "  hit     92.12%  737/800",  # max(1d20, 1d20) + 2 + 1d4 >= 11, counted by hand
        "  miss     7.88%  63/800",
    ]
    by_hand = sum(
        1
        for a in range(1, 21)
        for b in range(1, 21)
        for c in range(1, 5)
        if max(a, b) + 2 + c >= 11
    )
    assert Fraction(by_hand, 1600) == Fraction(737, 800)
    rolled = rouge(*base, "--seed", "3")
    assert rolled.exit_code == 0, rolled.output
    assert rolled.output.splitlines()[1].startswith("  roll      2d20kh1 (")
    assert "[blessed] = " in rolled.output.splitlines()[1]


# -- item 5: pushing a roll already made -------------------------------------------------------

PUSHES = """\
resource willpower max 10
check fight "Fight":
  roll (actor.prowl)d6
  push push "Push the roll" rerolls 1..5 once:
    gain actor willpower count(1)
  success when count(6) >= 1: "It lands."
  failure otherwise: "Nothing."
check fate "Fate":
  roll 4dF + actor.prowl
  push invoke "Invoke an aspect" rerolls all when actor.willpower > 0:
    lose actor willpower 1
  win when total >= 2
  lose otherwise
check plain:
  roll 2d6
  done otherwise
"""


def test_a_push_rerolls_only_the_dice_that_meet_its_point(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, PUSHES)
    check = rb.require("fight", ast.Check)
    for seed in range(30):
        first = resolve_check(rb, check, being(prowl=4), rng=random.Random(seed))
        pushed = resolve_check(
            rb, check, being(prowl=4), rng=random.Random(seed), pushes=[("push", seed + 100)]
        )
        assert pushed.pushed[0][0] == "push"
        assert pushed.pushed[0][1].detail == first.rolled.detail
        before = [d.value for d in first.rolled.dice()]
        after = [d.value for d in pushed.rolled.dice()]
        assert [b for b in before if b == 6] == [
            a for a, b in zip(after, before, strict=True) if b == 6
        ]
        ones = sum(1 for a in after if a == 1)
        paid = [(e.verb, e.what, e.amount) for e in pushed.effects if e.source == "push push"]
        assert paid == ([("gain", "willpower", ones)] if ones else [])


def test_the_odds_of_a_push_are_exact_given_the_dice_that_stay(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, PUSHES)
    check = rb.require("fight", ast.Check)
    for seed in range(12):
        first = resolve_check(rb, check, being(prowl=3), rng=random.Random(seed))
        faces = [d.value for d in first.rolled.dice()]
        again = sum(1 for f in faces if f != 6)
        expected = (
            {"success": Fraction(1), "failure": Fraction(0)}
            if again < len(faces)
            else enumerate_dice(6, again, lambda f: "success" if 6 in f else "failure")
        )
        found = push_odds(rb, check, being(prowl=3), "push", rng=random.Random(seed))
        assert found.outcomes == {k: expected.get(k, Fraction(0)) for k in found.outcomes}
    # Rerolling every die of 4dF gives the roll's own odds back.
    fate = rb.require("fate", ast.Check)
    rich = Being.of(
        Character(name="C", faction="crew", kind="person", attributes={"prowl": 1}),
        resources={"willpower": 2},
    )
    assert push_odds(rb, fate, rich, "invoke", rng=random.Random(3)).outcomes == odds(
        rb, "fate", rich
    )


def test_pushed_rolls_agree_with_the_odds_of_a_push(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, PUSHES)
    check = rb.require("fight", ast.Check)
    actor = being(prowl=4)
    seed = next(
        s
        for s in range(100)
        if [
            d.value for d in resolve_check(rb, check, actor, rng=random.Random(s)).rolled.dice()
        ].count(6)
        == 0
    )
    expected = push_odds(rb, check, actor, "push", rng=random.Random(seed)).outcomes
    runs = 3000
    seen = {"success": 0, "failure": 0}
    for n in range(runs):
        done = resolve_check(rb, check, actor, rng=random.Random(seed), pushes=[("push", n)])
        seen[done.outcome] += 1
    statistic = sum(
        (seen[k] - runs * float(p)) ** 2 / (runs * float(p)) for k, p in expected.items()
    )
    assert statistic < 10.83  # chi-square, 1 degree of freedom, p = 0.001


def test_pushes_that_cannot_be_made_are_refused(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, PUSHES)
    fight, fate = rb.require("fight", ast.Check), rb.require("fate", ast.Check)
    with pytest.raises(RougeError, match="'Push the roll' can be made once per roll, and it was"):
        resolve_check(
            rb, fight, being(prowl=2), rng=random.Random(1), pushes=[("push", 1), ("push", 2)]
        )
    with pytest.raises(RougeError) as refused:
        resolve_check(rb, fate, being(prowl=1), rng=random.Random(1), pushes=[("invoke", 1)])
    assert refused.value.message == (
        "'Invoke an aspect' cannot be made now: the actor's willpower is more than 0 does not hold"
    )
    with pytest.raises(RougeError) as unknown:
        resolve_check(rb, fight, being(prowl=2), rng=random.Random(1), pushes=[("pusj", 1)])
    assert unknown.value.message == "check 'fight' has no push 'pusj' (its pushes: push)"
    assert unknown.value.hint == "did you mean 'push'?"
    with pytest.raises(RougeError, match="101 pushes on one roll; the limit is 100"):
        resolve_check(rb, fate, being(prowl=1), rng=random.Random(1), pushes=[("invoke", 1)] * 101)
    with pytest.raises(RougeError, match="check 'plain' cannot be pushed: it has no 'push' line"):
        resolve_check(
            rb, rb.require("plain", ast.Check), being(), rng=random.Random(1), pushes=[("x", 1)]
        )


def test_the_checker_on_pushes(tmp_path: Path) -> None:
    assert errors(
        tmp_path,
        "check a:\n  roll 3d6!\n  push p rerolls all\n  x otherwise\n"
        "check b:\n  roll 3d6ro1\n  push p rerolls 1\n  push p rerolls 2\n  x otherwise\n"
        "check c:\n  roll 3d6\n  push p rerolls all when 1d6 > 2: lose actor nerve 1\n"
        "  x otherwise\n",
    ) == [
        "push 'p' rerolls the roll's dice one by one, but '3d6!' explodes, so its dice are not "
        "a set to read",
        "push 'p' rerolls the roll's dice one by one, but '3d6ro1' rerolls on its own, so a "
        "die is more than one face",
        "push 'p' is given twice",
        "'1d6' rolls dice, but a push's test is a fixed number",
        "unknown resource or condition 'nerve'",
    ]
    parsed, problems = parse_text(PUSHES, "p.rouge")
    assert problems == []
    fight = parsed.definitions[1]
    assert isinstance(fight, ast.Check)
    assert [str(p) for p in fight.pushes] == ['push push "Push the roll" rerolls 1..5 once']


def test_pushing_in_a_campaign_and_outside_one(
    tmp_path: Path, rouge: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    place = folder(tmp_path, PUSHES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ROUGE_CAMPAIGN", raising=False)
    sheet = tmp_path / "alva.yaml"
    sheet.write_text(
        "name: Alva\nfaction: crew\nkind: person\nattributes:\n  prowl: 3\n", encoding="utf-8"
    )
    alone = rouge("push")
    assert alone.exit_code == 2
    assert "rouge push pushes the last roll of a campaign, and there is none here" in (alone.output)
    offline = rouge(
        "check", str(sheet), "fight", "--rulebook", str(place), "--no-campaign", "--seed", "1",
        "--push", "push",
    )  # fmt: skip
    assert offline.exit_code == 0, offline.output
    assert offline.output.splitlines()[1:3] == [
        "  rolled    3d6 (2, 5, 1) = 8, then pushed: push",
        "  roll      3d6 (6, 2, 6) = 14",
    ]
    assert rouge("campaign", "init", "--rulebook", str(place)).exit_code == 0
    assert rouge("campaign", "join", str(sheet)).exit_code == 0
    rolled = rouge("check", "alva", "fight", "--seed", "1")
    assert rolled.output.splitlines()[1:4] == [
        "  roll      3d6 (2, 5, 1) = 8",
        "  reads     count(6) 0",
        "failure: Nothing.",
    ]
    weighed = rouge("push", "--odds")
    assert weighed.exit_code == 0, weighed.output
    assert weighed.output.splitlines() == [
        "Alva: Fight, pushed: exact odds",
        "  success    42.13%  91/216",
        "  failure    57.87%  125/216",
        "  note: if pushed (Push the roll): 3 dice roll again, 0 stay as rolled "
        "(3d6 (2, 5, 1) = 8)",
    ]
    pushed = rouge("push", "--seed", "5")
    assert pushed.exit_code == 0, pushed.output
    assert pushed.output.splitlines()[:5] == [
        "Alva: Fight",
        "  rolled    3d6 (2, 5, 1) = 8, then pushed: push",
        "  roll      3d6 (5, 3, 6) = 14",
        "  reads     count(6) 1",
        "success: It lands.",
    ]
    again = rouge("push", "--seed", "6")
    assert again.exit_code == 1
    assert "'Push the roll' can be made once per roll, and it was" in again.output
    log = rouge("campaign", "log", "-n", "2")
    assert log.output.splitlines()[-1].endswith("push #2: Alva: Fight → success (14)")
    assert "2 of 2 recorded rolls reproduce" in rouge("campaign", "replay").output
    undone = rouge("campaign", "undo")
    assert "undo #3: push #2" in undone.output
    assert rouge("campaign", "advance", "1h").exit_code == 0
    late = rouge("push")
    assert late.exit_code == 2
    assert "only the last roll can be pushed" in late.output


def test_choice_words_read_in_a_rung_worked_out_at_each_roll(tmp_path: Path) -> None:
    rb = rulebook(
        tmp_path,
        "check c(p: one of (no, yes) = no):\n  roll 1d6\n"
        "  let lvl = if p == yes then 1 else 2\n"
        '  hit otherwise: "Rolled {total}, level {lvl}."\n'
        "    advance actor strain (if p == yes then 2 else 0)\n",
    )
    check = rb.require("c", ast.Check)
    done = resolve_check(rb, check, being(), args={"p": "yes"}, rng=random.Random(1))
    assert done.narrative == f"Rolled {done.total}, level 1."
    assert [(e.verb, e.amount) for e in done.effects] == [("advance", 2)]


def test_call_of_cthulhus_bonus_dice_as_the_porting_page_writes_them(tmp_path: Path) -> None:
    rb = rulebook(
        tmp_path,
        "check skill(bonus = 0):\n  roll ((1 + bonus)d10kl1 - 1) * 10 + 1d10\n"
        "  hard when total <= 25\n  regular when total <= 50\n  fail otherwise\n",
    )

    def physical(bonus: int) -> dict[str, Fraction]:
        """Tens dice 00-90 and a units die 0-9; 00 and 0 is 100; keep the lower result."""
        found: dict[str, Fraction] = {}
        tens_rolls = list(product(range(10), repeat=1 + bonus))
        for units in range(10):
            for tens in tens_rolls:
                result = min(100 if t == 0 and units == 0 else 10 * t + units for t in tens)
                key = "hard" if result <= 25 else "regular" if result <= 50 else "fail"
                share = Fraction(1, 10 * len(tens_rolls))
                found[key] = found.get(key, Fraction(0)) + share
        return found

    for bonus in (0, 1, 2):
        assert odds(rb, "skill", being(), bonus=bonus) == physical(bonus)


def test_rules_show_explains_a_push(tmp_path: Path, rouge: Callable[..., Result]) -> None:
    place = folder(tmp_path, PUSHES)
    shown = rouge("rules", "show", "--rulebook", str(place), "fight")
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[-2:] == [
        "It can be pushed (push: Push the roll): the dice showing 1..5 roll again (once per roll); "
        "it costs:",
        "  gain willpower count(1).",
    ]


def test_rolled_readings_agree_with_their_exact_odds(tmp_path: Path) -> None:
    """A chi-square of 4,000 seeded Blades action rolls (3 dice) against the joint odds."""
    rb = rulebook(tmp_path, BLADES_READ)
    check = rb.require("action", ast.Check)
    actor = being(prowl=3)
    expected = odds(rb, "action", actor, act="prowl")
    runs = 4000
    seen = dict.fromkeys(expected, 0)
    for seed in range(runs):
        done = resolve_check(rb, check, actor, args={"act": "prowl"}, rng=random.Random(seed))
        seen[done.outcome] += 1
    statistic = sum(
        (seen[k] - runs * float(p)) ** 2 / (runs * float(p)) for k, p in expected.items()
    )
    assert statistic < 16.27  # chi-square, 3 degrees of freedom, p = 0.001


def test_the_roll_line_reads_a_let_that_reads_no_roll(tmp_path: Path) -> None:
    rb = rulebook(
        tmp_path,
        "check act(act: attribute, bonus = 0):\n  let pool = actor[act] + bonus\n"
        "  roll if pool <= 0 then 2d6kl1 else (pool)d6\n"
        "  full when highest == 6\n  partial when highest >= 4\n  bad otherwise\n",
    )
    for rating, bonus in ((0, 0), (0, 1), (1, 1), (2, -1)):
        pool = rating + bonus
        zero = pool <= 0
        expected = enumerate_dice(6, 2 if zero else pool, lambda f, z=zero: _blades(f, z))
        assert odds(rb, "act", being(prowl=rating), act="prowl", bonus=bonus) == {
            k: expected.get(k, Fraction(0)) for k in ("full", "partial", "bad")
        }
    assert errors(
        tmp_path,
        "check c:\n  let cost = 6 - highest\n  roll (cost)d6\n  x when cost > 1\n  y otherwise\n",
    ) == [
        "'cost' reads 'highest', so the roll and vs lines, which make it, cannot read it",
    ]


def test_the_odds_of_readings_of_a_huge_pool_are_refused_not_attempted(tmp_path: Path) -> None:
    rb = rulebook(tmp_path, "check c:\n  roll 2000d6\n  a when highest > 5\n  b otherwise\n")
    with pytest.raises(RougeError) as refused:
        odds(rb, "c", being())
    assert refused.value.message == (
        "the exact odds of '2000d6' are too large to compute (a pool of 12,000 dice × faces; "
        "the limit is 10,000); 'rouge roll' still rolls it"
    )


def test_a_push_named_or_the_only_one(tmp_path: Path) -> None:
    from rouge_rpg.engine.checks import find_push

    rb = rulebook(
        tmp_path,
        PUSHES + "check two:\n  roll 2d6\n  push a rerolls all\n  push b rerolls 1\n"
        "  done otherwise\n",
    )
    assert find_push(rb.require("fight", ast.Check), None).name.text == "push"
    two = rb.require("two", ast.Check)
    assert find_push(two, "b").name.text == "b"
    with pytest.raises(RougeError) as several:
        find_push(two, None)
    assert several.value.message == "check 'two' has several pushes: name one of a, b"
    assert several.value.hint == "rouge push a"
