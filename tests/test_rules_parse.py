"""The rules parser: every construct of the language becomes the right AST.

`parse_text(text, file)` is tested directly. Expected trees are built from the
nodes of `rouge_rpg.rules.ast` (and `rouge_rpg.dice.ast` for expressions);
spans take no part in equality, so a few are checked on their own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rouge_rpg.diagnostics import Span
from rouge_rpg.dice import ast as dice
from rouge_rpg.rules import ast
from rouge_rpg.rules.parse import RulesSyntaxError, parse_text

BASIC = Path(__file__).parent / "data" / "good" / "basic"


# -- helpers ------------------------------------------------------------------------------


def N(text: str) -> ast.Name:
    return ast.Name(text)


def ref(*path: str, index: str | None = None) -> ast.Reference:
    return ast.Reference(tuple(N(p) for p in path), None if index is None else N(index))


def lit(value: int) -> dice.Literal:
    return dice.Literal(value)


def roll(count: int, sides: int, **modifiers: object) -> dice.Dice:
    return dice.Dice(count, sides, **modifiers)  # type: ignore[arg-type]


def add(first: object, *rest: tuple[str, object]) -> dice.Sum:
    return dice.Sum(first, tuple(rest))  # type: ignore[arg-type]


def cmp(left: object, op: str, right: object) -> dice.Compare:
    return dice.Compare(left, op, right)  # type: ignore[arg-type]


def has(subject: str, argument: str) -> ast.Call:
    return ast.Call(N(subject), N("has"), N(argument))


def is_(subject: str, argument: str) -> ast.Call:
    return ast.Call(N(subject), N("is"), N(argument))


def effect(verb: str, who: str = "actor", what: str | None = None, **fields: object) -> ast.Effect:
    return ast.Effect(verb, who, None if what is None else N(what), **fields)  # type: ignore[arg-type]


def parse(text: str) -> ast.File:
    parsed, problems = parse_text(text, "test.rouge")
    assert problems == []
    return parsed


def one(text: str) -> ast.AnyDefinition:
    """The single definition of `text`."""
    (definition,) = parse(text).definitions
    return definition


def test_expression(text: str) -> ast.Test:
    """A test (condition) expression, parsed where tests are allowed."""
    d = one(f"power p:\n  requires {text}\n")
    assert isinstance(d, ast.Ability)
    (found,) = d.requires
    return found


test_expression.__test__ = False  # type: ignore[attr-defined]


def number(text: str) -> ast.Test:
    """A number expression, parsed as a constant."""
    d = one(f"const x = {text}\n")
    assert isinstance(d, ast.Constant)
    return d.value


# -- files, includes, comments -----------------------------------------------------------


def test_rulebook_include_and_comments() -> None:
    parsed = parse(
        "# a comment before anything\n"
        "\n"
        'rulebook basic "Basic Rules"  # a comment after a line\n'
        'include "core.rouge"\n'
        "   # an indented comment is not a block\n"
        'include "world/factions.rouge"\n'
    )
    assert parsed.path == "test.rouge"
    assert parsed.definitions == (ast.RulebookInfo(id=N("basic"), title="Basic Rules"),)
    assert parsed.includes == (
        ast.Include("core.rouge"),
        ast.Include("world/factions.rouge"),
    )
    assert parsed.includes[0].file == "test.rouge"
    assert parsed.definitions[0].file == "test.rouge"


def test_empty_file_and_only_comments() -> None:
    assert parse("").definitions == ()
    assert parse("# nothing here\n\n# at all").definitions == ()


def test_rulebook_without_title() -> None:
    assert one("rulebook house\n") == ast.RulebookInfo(id=N("house"))


def test_string_escapes() -> None:
    d = one(r'kind k "A \"quoted\" back\\slash"' + "\n")
    assert d.title == 'A "quoted" back\\slash'


# -- simple definitions ------------------------------------------------------------------


def test_const() -> None:
    assert one("const base_dc = 8\n") == ast.Constant(id=N("base_dc"), value=lit(8))
    assert one("const hard_dc = base_dc + 3\n") == ast.Constant(
        id=N("hard_dc"), value=add(ref("base_dc"), ("+", lit(3)))
    )


def test_attribute_and_skill() -> None:
    assert one('attribute body "Body" range 1..5 default 2\n') == ast.Attribute(
        id=N("body"), title="Body", low=1, high=5, default=2
    )
    assert one("attribute reflex range 1..5\n") == ast.Attribute(id=N("reflex"), low=1, high=5)
    assert one('skill stealth "Stealth" range 0..3:\n  description "Moving unseen."\n') == (
        ast.Attribute(
            id=N("stealth"),
            title="Stealth",
            low=0,
            high=3,
            skill=True,
            description="Moving unseen.",
        )
    )


def test_negative_range() -> None:
    d = one("attribute luck range -2..2\n")
    assert isinstance(d, ast.Attribute)
    assert (d.low, d.high) == (-2, 2)


def test_kind_with_parent_and_description() -> None:
    assert one('kind human "Human"\n') == ast.Kind(id=N("human"), title="Human")
    assert one('kind alter "Alter" is nean\n') == ast.Kind(
        id=N("alter"), title="Alter", parent=N("nean")
    )
    assert one('kind nean:\n  description "Androids."\n  description "Built."\n') == ast.Kind(
        id=N("nean"), description="Androids.\nBuilt."
    )


def test_bonus_type_and_act() -> None:
    assert one('bonus_type armor "Armor"\n') == ast.BonusType(id=N("armor"), title="Armor")
    assert one('act harm "Harm a human" severity 4\n') == ast.Act(
        id=N("harm"), title="Harm a human", severity=4
    )
    assert one('act obey severity 1:\n  description "Doing as told."\n') == ast.Act(
        id=N("obey"), severity=1, description="Doing as told."
    )


# -- resources, tracks, clocks -------------------------------------------------------------


def test_resource_with_decay_and_triggers() -> None:
    text = (
        'resource nectar "Nectar" max 10 start 6 decay 1 per day:\n'
        "  at 0: gain shutdown\n"
        "  at 0 for 3 days:\n"
        "    gain dead\n"
        '    narrate "{actor.name} is disposed of."\n'
        '  description "The drug."\n'
    )
    assert one(text) == ast.Resource(
        id=N("nectar"),
        title="Nectar",
        maximum=10,
        start=6,
        decay=1,
        decay_unit="day",
        description="The drug.",
        triggers=(
            ast.Trigger(0, None, (effect("gain", what="shutdown"),)),
            ast.Trigger(
                0,
                ast.Duration(3, "day"),
                (
                    effect("gain", what="dead"),
                    effect("narrate", text="{actor.name} is disposed of."),
                ),
            ),
        ),
    )


def test_resource_plain() -> None:
    assert one("resource grit max 3\n") == ast.Resource(id=N("grit"), maximum=3)
    d = one("resource ammo max 6 decay 2 per weeks\n")
    assert isinstance(d, ast.Resource)
    assert (d.decay, d.decay_unit, d.start) == (2, "week", None)


def test_track_for_damage_and_clock() -> None:
    assert one('track wounds "Wounds" range 0..6 for damage:\n  at 6: gain down\n') == ast.Track(
        id=N("wounds"),
        title="Wounds",
        low=0,
        high=6,
        takes_damage=True,
        triggers=(ast.Trigger(6, None, (effect("gain", what="down"),)),),
    )
    plain = one("track will range 0..5\n")
    assert plain == ast.Track(id=N("will"), low=0, high=5)
    assert plain.kind == "track"
    clock = one('clock manhunt "The manhunt" segments 6:\n  at 6: narrate "Found."\n')
    assert clock == ast.Track(
        id=N("manhunt"),
        title="The manhunt",
        low=0,
        high=6,
        clock=True,
        triggers=(ast.Trigger(6, None, (effect("narrate", text="Found."),)),),
    )
    assert clock.kind == "clock"
    assert clock.KIND == "track"


# -- conditions and modifiers ----------------------------------------------------------------


def test_condition() -> None:
    text = (
        'condition exposed "Exposed":\n'
        '  modifier +2 against all "Easy to find"\n'
        '  modifier -1 to action when actor.nectar <= 2 "Starving"\n'
        "  blocks strike, hide\n"
        "  blocks harm\n"
        "  lasts 2 scenes\n"
        '  description "Seen."\n'
    )
    assert one(text) == ast.Condition(
        id=N("exposed"),
        title="Exposed",
        description="Seen.",
        blocks=(N("strike"), N("hide"), N("harm")),
        modifiers=(
            ast.Modifier(lit(2), None, "against", None, None, "Easy to find"),
            ast.Modifier(
                dice.Negate(lit(1)),
                None,
                "to",
                N("action"),
                cmp(ref("actor", "nectar"), "<=", lit(2)),
                "Starving",
            ),
        ),
        lasts=ast.Duration(2, "scene"),
    )
    assert one("condition shutdown:\n  blocks all\n") == ast.Condition(
        id=N("shutdown"), blocks=(N("all"),)
    )
    assert one('condition awakened "Awakened"\n') == ast.Condition(
        id=N("awakened"), title="Awakened"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("modifier 1 to all", ast.Modifier(lit(1), None, "to", None)),
        ("modifier +1 to all", ast.Modifier(lit(1), None, "to", None)),
        ("modifier -2 against all", ast.Modifier(dice.Negate(lit(2)), None, "against", None)),
        (
            "modifier +2 armor to all when actor.has(armored)",
            ast.Modifier(lit(2), N("armor"), "to", None, has("actor", "armored")),
        ),
        (
            "modifier +1d4 dodge against strike",
            ast.Modifier(roll(1, 4), N("dodge"), "against", N("strike")),
        ),
        (
            'modifier +actor.body to action "Strong"',
            ast.Modifier(ref("actor", "body"), None, "to", N("action"), None, "Strong"),
        ),
        (
            "modifier +4d6kh1 to all",
            ast.Modifier(roll(4, 6, select=dice.Select(True, True, 1)), None, "to", None),
        ),
    ],
)
def test_modifier_forms(line: str, expected: ast.Modifier) -> None:
    d = one(f"condition c:\n  {line}\n")
    assert isinstance(d, ast.Condition)
    assert d.modifiers == (expected,)


def test_modifier_prints_back() -> None:
    for line in [
        "modifier +1 to all",
        'modifier -2 armor against strike when target.is(human) "Hard"',
        "modifier +1d4 to action",
    ]:
        d = one(f"condition c:\n  {line}\n")
        assert isinstance(d, ast.Condition)
        assert str(d.modifiers[0]) == line


# -- checks ------------------------------------------------------------------------------------


def test_check_every_clause() -> None:
    text = (
        'check action(stat: attribute, dc = base_dc, bonus: number = 0) "Action" default:\n'
        "  roll 2d6 + actor[stat] + bonus\n"
        "  vs dc\n"
        '  modifier -1 to all when actor.has(exposed) "Shaken"\n'
        '  critical when dice == 12: "Flawless."\n'
        '  success when margin >= 3: "Clean."\n'
        '  partial when margin >= 0: "At a cost."\n'
        "    gain exposed for 1 scene\n"
        "    lose nectar 1\n"
        "  near when margin >= -2\n"
        "    advance manhunt\n"
        '  failure otherwise: "It goes wrong."\n'
        '  description "The basic check."\n'
    )
    assert one(text) == ast.Check(
        id=N("action"),
        title="Action",
        description="The basic check.",
        default=True,
        params=(
            ast.Param(N("stat"), N("attribute")),
            ast.Param(N("dc"), None, ref("base_dc")),
            ast.Param(N("bonus"), N("number"), lit(0)),
        ),
        roll=add(roll(2, 6), ("+", ref("actor", index="stat")), ("+", ref("bonus"))),
        versus=ref("dc"),
        modifiers=(
            ast.Modifier(dice.Negate(lit(1)), None, "to", None, has("actor", "exposed"), "Shaken"),
        ),
        rungs=(
            ast.Rung(N("critical"), cmp(ref("dice"), "==", lit(12)), "Flawless."),
            ast.Rung(N("success"), cmp(ref("margin"), ">=", lit(3)), "Clean."),
            ast.Rung(
                N("partial"),
                cmp(ref("margin"), ">=", lit(0)),
                "At a cost.",
                (
                    effect("gain", what="exposed", duration=ast.Duration(1, "scene")),
                    effect("lose", what="nectar", amount=lit(1)),
                ),
            ),
            ast.Rung(
                N("near"),
                cmp(ref("margin"), ">=", dice.Negate(lit(2))),
                None,
                (effect("advance", what="manhunt"),),
            ),
            ast.Rung(N("failure"), None, "It goes wrong."),
        ),
    )


def test_check_opposed_and_without_params() -> None:
    text = (
        "check strike:\n"
        "  roll 2d6 + actor.body\n"
        "  vs 2d6 + target.reflex\n"
        "  hit when total > opposition\n"
        "  miss otherwise\n"
    )
    assert one(text) == ast.Check(
        id=N("strike"),
        roll=add(roll(2, 6), ("+", ref("actor", "body"))),
        versus=add(roll(2, 6), ("+", ref("target", "reflex"))),
        rungs=(
            ast.Rung(N("hit"), cmp(ref("total"), ">", ref("opposition"))),
            ast.Rung(N("miss"), None),
        ),
    )
    d = one("check plain():\n  roll 1d20\n  done otherwise\n")
    assert isinstance(d, ast.Check)
    assert d.params == ()
    assert d.versus is None


# -- factions and members ------------------------------------------------------------------------


def test_faction_every_clause() -> None:
    text = (
        'faction neans "Neans":\n'
        "  kind nean\n"
        "  resource nectar start 6\n"
        "  resource grit\n"
        '  trait "Made to serve."\n'
        '  trait "Quiet."\n'
        "  abilities armor_up, mend\n"
        "  abilities hide\n"
        '  authority over usurpers "By decree"\n'
        "  jurisdiction over human\n"
        '  hostile to usurpers "Sworn enemies"\n'
        "  distrusts ochrona\n"
        '  allied with immortal_nine "Uneasy"\n'
        '  modifier +1 to action when actor.nectar >= 5 "Well fed"\n'
        '  description "Androids."\n'
    )
    assert one(text) == ast.Faction(
        id=N("neans"),
        title="Neans",
        description="Androids.",
        being=N("nean"),
        grants=(ast.Grant(N("nectar"), 6), ast.Grant(N("grit"))),
        traits=("Made to serve.", "Quiet."),
        abilities=(N("armor_up"), N("mend"), N("hide")),
        relations=(
            ast.Relation("authority", N("usurpers"), "By decree"),
            ast.Relation("jurisdiction", N("human")),
            ast.Relation("hostile", N("usurpers"), "Sworn enemies"),
            ast.Relation("distrusts", N("ochrona")),
            ast.Relation("allied", N("immortal_nine"), "Uneasy"),
        ),
        modifiers=(
            ast.Modifier(
                lit(1),
                None,
                "to",
                N("action"),
                cmp(ref("actor", "nectar"), ">=", lit(5)),
                "Well fed",
            ),
        ),
    )


def test_relations_print_back() -> None:
    for line in [
        'authority over usurpers "By decree"',
        "jurisdiction over human",
        "hostile to usurpers",
        'distrusts ochrona "Spies"',
        "allied with immortal_nine",
    ]:
        d = one(f"faction f:\n  {line}\n")
        assert isinstance(d, ast.Faction)
        assert str(d.relations[0]) == line


def test_member() -> None:
    assert one('member nius "Nius" of immortal_nine deceased\n') == ast.Member(
        id=N("nius"), title="Nius", faction=N("immortal_nine"), deceased=True
    )
    text = 'member giallon of immortal_nine:\n  modifier +1 to strike\n  description "Thunder."\n'
    assert one(text) == ast.Member(
        id=N("giallon"),
        faction=N("immortal_nine"),
        description="Thunder.",
        modifiers=(ast.Modifier(lit(1), None, "to", N("strike")),),
    )


# -- abilities, powers, constraints ----------------------------------------------------------------


def test_power_every_clause() -> None:
    text = (
        'power thunderbolt "Thunderbolt":\n'
        "  for member giallon\n"
        "  for faction neans, ochrona\n"
        "  for kind alter\n"
        "  requires actor.has(armored)\n"
        "  requires actor.nectar >= 2\n"
        "  performs harm_human when target.is(human)\n"
        "  performs lie\n"
        "  cost nectar 2\n"
        "  cost grit 1d2\n"
        "  target optional\n"
        "  check strike(body, bonus = 2)\n"
        "  on hit, glance: damage target 2d6 + 2\n"
        "  on miss:\n"
        "    lose nectar 1\n"
        "    reduce manhunt 2\n"
        '  effects: narrate "Thunder."\n'
        "  lasts 1 round\n"
        '  description "Lightning."\n'
    )
    assert one(text) == ast.Ability(
        id=N("thunderbolt"),
        title="Thunderbolt",
        description="Lightning.",
        power=True,
        holders=(
            ast.Holders("member", (N("giallon"),)),
            ast.Holders("faction", (N("neans"), N("ochrona"))),
            ast.Holders("kind", (N("alter"),)),
        ),
        requires=(has("actor", "armored"), cmp(ref("actor", "nectar"), ">=", lit(2))),
        performs=(
            ast.Performs(N("harm_human"), is_("target", "human")),
            ast.Performs(N("lie")),
        ),
        costs=(ast.Cost(N("nectar"), lit(2)), ast.Cost(N("grit"), roll(1, 2))),
        target="optional",
        check=ast.CheckCall(
            N("strike"),
            (ast.Argument(None, ref("body")), ast.Argument(N("bonus"), lit(2))),
        ),
        outcomes=(
            ast.Outcome(
                (N("hit"), N("glance")),
                (effect("damage", "target", amount=add(roll(2, 6), ("+", lit(2)))),),
            ),
            ast.Outcome(
                (N("miss"),),
                (
                    effect("lose", what="nectar", amount=lit(1)),
                    effect("reduce", what="manhunt", amount=lit(2)),
                ),
            ),
        ),
        effects=(effect("narrate", text="Thunder."),),
        lasts=ast.Duration(1, "round"),
    )


def test_ability_target_defaults() -> None:
    """`target` is `required` when the check call mentions the target, else `none`."""
    plain = one("ability a:\n  effects: gain armored\n")
    assert isinstance(plain, ast.Ability)
    assert (plain.power, plain.target, plain.check) == (False, "none", None)
    aimed = one("ability b:\n  check strike(dc = target.reflex)\n")
    assert isinstance(aimed, ast.Ability)
    assert aimed.target == "required"
    told = one("ability c:\n  target none\n  check strike(dc = target.reflex)\n")
    assert isinstance(told, ast.Ability)
    assert told.target == "none"
    assert one("ability d:\n  check hide\n") == ast.Ability(
        id=N("d"), check=ast.CheckCall(N("hide"))
    )


def test_a_name_containing_target_does_not_make_an_ability_need_a_target() -> None:
    """Only a reference or call rooted at `target` counts, not the word inside a name."""
    definitions = parse(
        "const retarget_dc = 8\n"
        "check leap(dc):\n"
        "  roll 1d20\n"
        "  success when total >= dc\n"
        "  failure otherwise\n"
        "ability jump:\n"
        "  check leap(dc = retarget_dc)\n"
        "ability pounce:\n"
        "  check leap(dc = retarget_dc + target.reflex)\n"
        "ability grab:\n"
        "  check leap(dc = target.is(small))\n"
    ).definitions
    targets = {d.id.text: d.target for d in definitions if isinstance(d, ast.Ability)}
    assert targets == {"jump": "none", "pounce": "required", "grab": "required"}


def test_constraint_every_clause() -> None:
    text = (
        'constraint asimov_code "The Asimov Code":\n'
        "  applies to nean, alter\n"
        "  exempt when actor.has(awakened)\n"
        "  forbid harm when target.is(human) unless passes free_will\n"
        "  forbid lie\n"
        "  require obey when not actor.has(shutdown) unless passes free_will\n"
        "  require report unless passes courage\n"
        '  description "The Code."\n'
    )
    assert one(text) == ast.Constraint(
        id=N("asimov_code"),
        title="The Asimov Code",
        description="The Code.",
        applies=(N("nean"), N("alter")),
        exempt=(has("actor", "awakened"),),
        rules=(
            ast.ConstraintRule("forbid", N("harm"), is_("target", "human"), N("free_will")),
            ast.ConstraintRule("forbid", N("lie")),
            ast.ConstraintRule(
                "require", N("obey"), ast.Not(has("actor", "shutdown")), N("free_will")
            ),
            ast.ConstraintRule("require", N("report"), None, N("courage")),
        ),
    )


def test_override() -> None:
    d = one('override condition exposed "Exposed":\n  lasts 1 round\n')
    assert d == ast.Condition(
        id=N("exposed"), title="Exposed", override=True, lasts=ast.Duration(1, "round")
    )
    assert one("override const hard_dc = 10\n").override
    assert not one("const hard_dc = 10\n").override


# -- effects --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("damage 1", effect("damage", amount=lit(1))),
        (
            "damage target 2d6 + actor.body",
            effect("damage", "target", amount=add(roll(2, 6), ("+", ref("actor", "body")))),
        ),
        ("heal actor 2", effect("heal", amount=lit(2))),
        ("heal target 1d4", effect("heal", "target", amount=roll(1, 4))),
        ("gain nectar 2", effect("gain", what="nectar", amount=lit(2))),
        ("gain target nectar 1d3", effect("gain", "target", "nectar", amount=roll(1, 3))),
        ("gain exposed", effect("gain", what="exposed")),
        (
            "gain target exposed for 2 rounds",
            effect("gain", "target", "exposed", duration=ast.Duration(2, "round")),
        ),
        ("lose nectar 1", effect("lose", what="nectar", amount=lit(1))),
        ("lose target exposed", effect("lose", "target", "exposed")),
        ("set will 0", effect("set", what="will", amount=lit(0))),
        (
            "set target nectar actor.nectar",
            effect("set", "target", "nectar", amount=ref("actor", "nectar")),
        ),
        ("advance manhunt", effect("advance", what="manhunt")),
        ("advance target will 2", effect("advance", "target", "will", amount=lit(2))),
        ("reduce manhunt 1d2", effect("reduce", what="manhunt", amount=roll(1, 2))),
        ("reduce target wounds", effect("reduce", "target", "wounds")),
        ('narrate "{actor.name} \\"wins\\"."', effect("narrate", text='{actor.name} "wins".')),
    ],
)
def test_effect(text: str, expected: ast.Effect) -> None:
    d = one(f"ability a:\n  effects: {text}\n")
    assert isinstance(d, ast.Ability)
    assert d.effects == (expected,)
    # An effect prints back to text that parses to the same effect.
    again = one(f"ability a:\n  effects: {d.effects[0]}\n")
    assert isinstance(again, ast.Ability)
    assert again.effects == d.effects


def test_effects_block() -> None:
    d = one("ability a:\n  effects:\n    gain exposed\n    damage 1\n")
    assert isinstance(d, ast.Ability)
    assert d.effects == (effect("gain", what="exposed"), effect("damage", amount=lit(1)))


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("1 round", "round"),
        ("2 rounds", "round"),
        ("1 scene", "scene"),
        ("10 minutes", "minute"),
        ("1 hour", "hour"),
        ("3 days", "day"),
        ("1 week", "week"),
    ],
)
def test_duration_units(text: str, unit: str) -> None:
    d = one(f"condition c:\n  lasts {text}\n")
    assert isinstance(d, ast.Condition)
    assert d.lasts == ast.Duration(int(text.split()[0]), unit)
    assert str(d.lasts) == text


# -- expressions ----------------------------------------------------------------------------------


def test_expression_nodes() -> None:
    assert test_expression("actor.has(exposed) and not (a or b)") == ast.AllOf(
        (has("actor", "exposed"), ast.Not(ast.AnyOf((ref("a"), ref("b")))))
    )
    assert test_expression("target.kind == human") == cmp(ref("target", "kind"), "==", ref("human"))
    assert test_expression("true or false") == ast.AnyOf((ast.Boolean(True), ast.Boolean(False)))
    assert test_expression("a or b and not c") == ast.AnyOf(
        (ref("a"), ast.AllOf((ref("b"), ast.Not(ref("c")))))
    )
    assert number("actor[stat] + 2d6kh1") == add(
        ref("actor", index="stat"), ("+", roll(2, 6, select=dice.Select(True, True, 1)))
    )
    assert number("act.severity * 2") == dice.Product(ref("act", "severity"), (("*", lit(2)),))
    assert number("(1 + base_dc) / 2") == dice.Product(
        dice.Parenthetical(add(lit(1), ("+", ref("base_dc")))), (("/", lit(2)),)
    )


@pytest.mark.parametrize(
    "text",
    [
        "4d6kh3",
        "4d6dl1",
        "1d20ro1",
        "2d6rr<2",
        "2d6!",
        "2d6x",
        "3d6min2",
        "3d6max5",
        "{1d6, 1d8}kh1",
        "(1d6, 1d8)kh1",
        "5d10cs>=8",
        "d20",
        "1d%",
        "4dF",
        "2d6[fire] + 1",
    ],
)
def test_dice_notation_inside_rules(text: str) -> None:
    """Dice modifiers written as letters (kh, ro, x, min) are dice, not names."""
    from rouge_rpg.dice.parse import parse as parse_dice

    assert number(text) == parse_dice(text)


def test_dice_modifier_letters_after_a_space_are_names() -> None:
    """A name after dice and a space (a modifier's bonus type) stays a name."""
    d = one("condition c:\n  modifier +1d6 kind to all\n")
    assert isinstance(d, ast.Condition)
    assert d.modifiers[0].type == N("kind")


ROUND_TRIP = [
    "actor.has(exposed) and not (a or b)",
    "actor[stat] + 2d6kh1",
    "target.kind == human",
    "not (a)",
    "not not a",
    "not (a and b) or c",
    "(a or b) and c",
    "a or (b or c)",
    "(a or b) or c",
    "a and (b and c)",
    "a or b and c and not d",
    "(margin >= 0)",
    "(actor.body + 1) >= 3 and false",
    "-(1 + 2) * 3 < act.severity",
    "{1d6, 1d8}kh1 + 1 >= 10",
    "1d20ro1 - actor[stat] <= dc / 2",
    "target.is(alter) or actor.faction == neans",
    "true",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_expression_prints_back(text: str) -> None:
    """`str()` of a parsed test parses again to the same tree."""
    first = test_expression(text)
    assert test_expression(str(first)) == first


@pytest.mark.parametrize("text", ["actor[stat] + 2d6kh1", "(1 + base_dc) * 2", "-actor.body"])
def test_number_prints_back_as_a_constant(text: str) -> None:
    first = number(text)
    assert str(first) == text
    assert number(str(first)) == first


def test_constants_hold_numbers_not_tests() -> None:
    """`const x = a and b` is not a constant: a constant is a number expression."""
    with pytest.raises(RulesSyntaxError):
        parse_text("const x = a and b\n", "test.rouge")


_names = st.sampled_from(["a", "b", "dc", "base_dc", "margin", "total"])
_numbers = st.recursive(
    st.one_of(
        _names.map(lambda n: n),
        st.integers(0, 20).map(str),
        st.sampled_from(["2d6", "4d6kh3", "1d20ro1", "actor.body", "target[stat]"]),
    ),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(" ".join),
        inner.map(lambda x: f"({x})"),
        inner.map(lambda x: f"-{x}"),
    ),
    max_leaves=6,
)
_tests = st.recursive(
    st.one_of(
        st.tuples(_numbers, st.sampled_from([">=", "<=", ">", "<", "=="]), _numbers).map(" ".join),
        st.sampled_from(["true", "false", "actor.has(exposed)", "target.is(human)"]),
    ),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
        inner.map(lambda x: f"not {x}"),
        inner.map(lambda x: f"({x})"),
    ),
    max_leaves=6,
)


@settings(deadline=None, max_examples=150)
@given(_tests)
def test_generated_tests_print_back(text: str) -> None:
    first = test_expression(text)
    assert test_expression(str(first)) == first


# -- spans --------------------------------------------------------------------------------------


def test_spans_of_ids_and_expressions() -> None:
    text = (
        "# spans\n"
        "check action(stat: attribute):\n"
        "  roll 2d6 + actor[stat]\n"
        "  success when margin >= 3 and actor.has(exposed)\n"
        "  failure otherwise\n"
    )
    d = one(text)
    assert isinstance(d, ast.Check)
    assert d.id.span == Span(2, 7, 2, 13)
    assert d.span == d.id.span
    assert d.params[0].name.span == Span(2, 14, 2, 18)
    assert d.roll.span == Span(3, 8, 3, 25)  # `2d6 + actor[stat]`
    success = d.rungs[0]
    assert success.name.span == Span(4, 3, 4, 10)
    assert isinstance(success.when, ast.AllOf)
    # From `margin` to `exposed` (a call's span ends at its argument, before the `)`).
    assert success.when.span == Span(4, 16, 4, 49)
    left, right = success.when.operands
    assert left.span == Span(4, 16, 4, 27)  # `margin >= 3`
    assert isinstance(right, ast.Call)
    assert right.subject.span == Span(4, 32, 4, 37)  # `actor`
    assert right.argument.span == Span(4, 42, 4, 49)  # `exposed`
    assert d.rungs[1].name.span == Span(5, 3, 5, 10)


def test_spans_of_clauses() -> None:
    text = "power p:\n  cost nectar 2\n  on hit: damage target 1d6\n  lasts 2 rounds\n"
    d = one(text)
    assert isinstance(d, ast.Ability)
    assert d.costs[0].resource.span == Span(2, 8, 2, 14)
    assert d.outcomes[0].span == Span(3, 6, 3, 9)
    assert d.outcomes[0].effects[0].span == Span(3, 18, 3, 28)  # `target 1d6`
    assert d.lasts is not None
    assert d.lasts.span == Span(4, 9, 4, 17)


def test_include_span() -> None:
    parsed = parse('rulebook r\n\ninclude "core.rouge"\n')
    assert parsed.includes[0].span == Span(3, 9, 3, 21)


# -- line continuation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "check a:\n  roll 2d6 + \\\n       actor.body\n  done otherwise\n",
        "check a:\n  roll 2d6 + \\\n actor.body\n  done otherwise\n",
        "check a:\n  roll 2d6 + \\\nactor.body\n  done otherwise\n",
        "check a:\n  roll 2d6 \\  \n    + actor.body\n  done otherwise\n",
        "check a:\n  roll 2d6 \\\n    + \\\n  actor.body\n  done otherwise\n",
        "check a:\n  roll 2d6 \\\n\t+ actor.body\n  done otherwise\n",
    ],
)
def test_line_continuation(text: str) -> None:
    """A line ending in a backslash goes on at the next, whatever that one's indentation."""
    d = one(text)
    assert isinstance(d, ast.Check)
    assert d.roll == add(roll(2, 6), ("+", ref("actor", "body")))
    assert d.rungs == (ast.Rung(N("done"), None),)


def test_continuation_keeps_line_numbers() -> None:
    d = one('power p:\n  requires actor.has(a) and \\\n    actor.has(b)\n  effects: narrate "x"\n')
    assert isinstance(d, ast.Ability)
    assert d.requires == (ast.AllOf((has("actor", "a"), has("actor", "b"))),)
    assert d.effects[0].span is not None
    assert d.effects[0].span.line == 4


def test_backslash_in_a_comment_or_string_does_not_continue() -> None:
    parsed = parse('kind a "back\\\\" # not continued \\\nkind b\n')
    assert [d.id.text for d in parsed.definitions] == ["a", "b"]
    with pytest.raises(RulesSyntaxError):
        parse_text("check a:\n  roll 2d6 # \\\n actor.body\n  done otherwise\n", "t")


# -- structural problems found while parsing -------------------------------------------------------


def test_clause_given_twice_is_a_problem_not_an_exception() -> None:
    parsed, problems = parse_text(
        "power p:\n  target none\n  target required\n  lasts 1 round\n  lasts 2 rounds\n", "t"
    )
    assert [p.message for p in problems] == [
        "'target' is given more than once",
        "'lasts' is given more than once",
    ]
    assert [p.span.location() for p in problems if p.span] == ["t:3:10", "t:5:9"]
    assert parsed.definitions[0].target == "none"  # type: ignore[union-attr]


def test_check_without_roll_is_a_problem() -> None:
    _, problems = parse_text("check a:\n  done otherwise\n", "t")
    assert [(p.message, p.hint) for p in problems] == [
        ("check 'a' has no 'roll' line", "add a line such as: roll 2d6 + actor[stat]")
    ]


def test_parse_error_is_located() -> None:
    with pytest.raises(RulesSyntaxError) as caught:
        parse_text('rulebook r\n\ncheck sneak "Sneak"\n  roll 2d6\n', "dir/x.rouge")
    error = caught.value
    assert error.span is not None
    assert error.span.location() == "dir/x.rouge:3:20"
    assert error.message == (
        "unexpected end of line; expected ':' and an indented block after the header"
    )


def test_basic_rulebook_files_parse_cleanly() -> None:
    kinds: set[str] = set()
    verbs: set[str] = set()
    for path in sorted(BASIC.rglob("*.rouge")):
        parsed = parse(path.read_text(encoding="utf-8"))
        for d in parsed.definitions:
            kinds.add(d.kind)
            for node in _walk(d):
                if isinstance(node, ast.Effect):
                    verbs.add(node.verb)
    assert kinds == {
        "rulebook", "const", "attribute", "kind", "bonus_type", "act", "resource", "track",
        "clock", "condition", "check", "faction", "member", "ability", "power", "constraint",
    }  # fmt: skip
    assert verbs == {"damage", "heal", "gain", "lose", "set", "advance", "reduce", "narrate"}


def _walk(node: object) -> list[object]:
    """Every attrs node reachable from `node`."""
    import attrs

    found: list[object] = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        if attrs.has(type(current)):
            stack.extend(attrs.asdict(current, recurse=False).values())  # type: ignore[arg-type]
        elif isinstance(current, tuple):
            stack.extend(current)
    return found
