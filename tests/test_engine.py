"""Unit tests of the resolution engine on a small purpose-built rulebook.

The rulebook is tests/data/engine/basic: a default `action` check, an opposed
`strike`, a `trial` for the constraints, typed and untyped modifiers, blocking
conditions, abilities with prerequisites and costs, and meters with triggers.
Characters are built here, so each test states exactly what it starts from.
Seeds are fixed; every value asserted was worked out from the dice shown.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import product
from pathlib import Path

import pytest
from click.testing import CliRunner

from rouge_rpg.beings import Character
from rouge_rpg.cli import cli
from rouge_rpg.engine import (
    Action,
    Applied,
    AppliedModifier,
    Being,
    Change,
    Refusal,
    Resolution,
    apply_changes,
    odds,
    resolve,
)
from rouge_rpg.engine.checks import resolve_check
from rouge_rpg.errors import RougeError
from rouge_rpg.rules import Rulebook, ast, load

HERE = Path(__file__).parent
RULES = HERE / "data" / "engine" / "basic"
SHEETS = RULES / "sheets"
ABILITIES = ("plate_up", "zap", "mend", "punch", "rally")


@pytest.fixture(scope="module")
def rb() -> Rulebook:
    return load(RULES)


def nean(
    name: str = "Kit",
    *,
    kind: str = "nean",
    attributes: dict[str, int] | None = None,
    nectar: int = 6,
    tracks: dict[str, int] | None = None,
    conditions: tuple[str, ...] = (),
    abilities: tuple[str, ...] = ABILITIES,
) -> Being:
    """A worker: body 3, reflex 2, mind 4 unless said otherwise."""
    return Being.of(
        Character(
            name=name,
            faction="workers",
            kind=kind,
            attributes=attributes or {"body": 3, "reflex": 2, "mind": 4},
            abilities=abilities,
            resources={"nectar": nectar},
            tracks=tracks or {},
            conditions=frozenset(conditions),
        )
    )


def human(name: str = "Hal", *, conditions: tuple[str, ...] = ()) -> Being:
    """Body 2, reflex 3, mind 2."""
    return Being.of(
        Character(
            name=name,
            faction="people",
            kind="human",
            attributes={"body": 2, "reflex": 3, "mind": 2},
            abilities=("mend", "punch", "rally"),
            conditions=frozenset(conditions),
        )
    )


def robot() -> Being:
    return Being.of(Character(name="Rob", faction="machines", kind="robot", abilities=("punch",)))


def check(rb: Rulebook, name: str) -> ast.Check:
    return rb.require(name, ast.Check)


def roll(rb: Rulebook, actor: Being, action: str, seed: int = 0, **options: object) -> Resolution:
    return resolve(rb, Action.of(rb, actor, action, **options), rng=random.Random(seed))  # type: ignore[arg-type]


def faces(r: Resolution) -> list[int]:
    assert r.rolled is not None
    return [d.value for d in r.rolled.dice()]


def applied(r: Resolution) -> list[tuple[int, str | None, str, bool]]:
    """Every modifier considered: the check's own, the actor's, the target's, then --mod."""
    return [(m.value, m.type, m.source, m.applied) for m in r.modifiers]


def from_source(r: Resolution, source: str) -> AppliedModifier:
    (found,) = [m for m in r.modifiers if m.source == source]
    return found


# -- parameters ------------------------------------------------------------------------------


def test_defaults_fill_the_parameters_not_given(rb: Rulebook) -> None:
    r = resolve_check(rb, check(rb, "action"), nean(), args={"stat": "body"}, rng=random.Random(0))
    assert r.parameters == (("stat", "body"), ("dc", 8))  # dc = base_dc
    assert r.opposition == 8
    strike = resolve_check(rb, check(rb, "strike"), nean(), target=human(), rng=random.Random(0))
    assert strike.parameters == (("stat", "body"), ("bonus", 0))


def test_given_parameters_replace_the_defaults(rb: Rulebook) -> None:
    r = resolve_check(
        rb, check(rb, "action"), nean(), args={"stat": "mind", "dc": 11}, rng=random.Random(0)
    )
    assert r.parameters == (("stat", "mind"), ("dc", 11))
    assert faces(r) == [4, 4]
    assert (r.total, r.opposition, r.margin) == (12, 11, 1)  # 8 + mind 4 against 11
    assert r.outcome == "partial"


def test_an_attribute_names_the_default_check(rb: Rulebook) -> None:
    r = roll(rb, nean(), "reflex", args={"dc": 6})
    assert (r.check, r.parameters) == ("action", (("stat", "reflex"), ("dc", 6)))


def test_an_unknown_parameter_is_an_error(rb: Rulebook) -> None:
    with pytest.raises(RougeError) as caught:
        resolve_check(
            rb, check(rb, "action"), nean(), args={"stat": "body", "dcc": 9}, rng=random.Random(0)
        )
    assert not isinstance(caught.value, Refusal)
    assert caught.value.exit_code == 2
    assert (
        caught.value.message == "check 'action' has no parameter 'dcc' (its parameters: dc, stat)"
    )


def test_a_missing_parameter_is_an_error(rb: Rulebook) -> None:
    with pytest.raises(RougeError) as caught:
        resolve_check(rb, check(rb, "steady"), nean(), rng=random.Random(0))
    assert caught.value.message == "check 'steady' needs a value for level"
    with pytest.raises(RougeError, match="needs a value for stat"):
        resolve_check(rb, check(rb, "action"), nean(), rng=random.Random(0))


def test_an_id_of_the_wrong_type_is_an_error(rb: Rulebook) -> None:
    with pytest.raises(RougeError) as caught:
        resolve_check(rb, check(rb, "action"), nean(), args={"stat": "nean"}, rng=random.Random(0))
    assert caught.value.message == "'nean' is not an attribute"
    with pytest.raises(RougeError) as caught:
        resolve_check(rb, check(rb, "action"), nean(), args={"stat": "bodyy"}, rng=random.Random(0))
    assert caught.value.message == "'bodyy' is not an attribute"
    assert caught.value.hint == "did you mean 'body'?"
    with pytest.raises(RougeError) as caught:
        resolve_check(rb, check(rb, "trial"), nean(), args={"act": "body"}, rng=random.Random(0))
    assert caught.value.message == "'body' is not an act"


def test_odds_bind_parameters_the_same_way(rb: Rulebook) -> None:
    with pytest.raises(RougeError, match="has no parameter 'dcc'"):
        odds(rb, Action.of(rb, nean(), "action", args={"stat": "body", "dcc": 9}))
    with pytest.raises(RougeError, match="needs a value for level"):
        odds(rb, Action.of(rb, nean(), "steady"))


# -- modifiers ---------------------------------------------------------------------------------


def test_two_bonuses_of_one_type_do_not_stack(rb: Rulebook) -> None:
    r = roll(rb, nean(conditions=("plated", "shielded")), "body")
    assert applied(r) == [
        (2, "armor", "condition plated", True),
        (1, "armor", "condition shielded", False),
        (-1, None, "faction workers", False),
    ]
    shield = r.modifiers[1]
    assert shield.reason == "not applied: a higher armor bonus applies"
    assert shield.location == "tests/data/engine/basic/core.rouge:46"
    assert shield.note == "A shield"
    assert r.bonus == 2
    assert faces(r) == [4, 4]
    assert r.total == 4 + 4 + 3 + 2


def test_a_bonus_and_a_penalty_of_one_type_both_apply(rb: Rulebook) -> None:
    r = roll(rb, nean(conditions=("plated", "dented")), "body")
    assert [(m.source, m.applied) for m in r.modifiers if m.type] == [
        ("condition dented", True),
        ("condition plated", True),
    ]
    assert r.bonus == 1
    assert r.total == 8 + 3 + 1


def test_of_two_penalties_of_one_type_only_the_worst_applies(rb: Rulebook) -> None:
    r = roll(rb, nean(conditions=("dented", "cracked")), "body")
    assert [(m.source, m.applied, m.reason) for m in r.modifiers if m.type] == [
        ("condition cracked", True, "applies"),
        ("condition dented", False, "not applied: a worse armor penalty applies"),
    ]
    assert r.bonus == -3


def test_untyped_modifiers_stack(rb: Rulebook) -> None:
    r = roll(rb, nean(conditions=("lucky", "blessed")), "body")
    assert applied(r)[:2] == [
        (1, None, "condition blessed", True),
        (1, None, "condition lucky", True),
    ]
    assert r.bonus == 2


def test_mod_adds_untyped_modifiers_that_stack(rb: Rulebook) -> None:
    r = roll(rb, nean(conditions=("plated",)), "body", modifiers=[(2, "--mod"), (-1, "--mod")])
    assert applied(r) == [
        (2, "armor", "condition plated", True),
        (-1, None, "faction workers", False),
        (2, None, "--mod", True),
        (-1, None, "--mod", True),
    ]
    assert r.bonus == 3
    assert r.total == 8 + 3 + 3
    assert r.roll_detail == "2d6 (4, 4) + 3 = 11, +3 modifiers = 14"


def test_a_modifier_applies_only_when_its_test_holds(rb: Rulebook) -> None:
    fed = roll(rb, nean(nectar=6, conditions=("focused",)), "strike", target=human())
    focus = fed.modifiers[0]
    assert (focus.source, focus.value, focus.applied) == ("condition focused", 3, True)
    assert focus.reason == "applies: the actor's nectar is at least 5"
    hungry = roll(rb, nean(nectar=4, conditions=("focused",)), "strike", target=human())
    focus = hungry.modifiers[0]
    assert (focus.source, focus.applied) == ("condition focused", False)
    assert focus.reason == "not applied: the actor's nectar is at least 5 does not hold"
    assert fed.total - hungry.total == 3  # same seed, same dice
    starving = roll(rb, nean(nectar=2), "body")
    assert applied(starving) == [(-1, None, "faction workers", True)]
    assert starving.modifiers[0].reason == "applies: the actor's nectar is at most 2"


def test_a_modifier_to_one_check_leaves_the_others_alone(rb: Rulebook) -> None:
    r = roll(rb, nean(conditions=("focused",)), "body")
    assert "condition focused" not in [m.source for m in r.modifiers]


def test_a_checks_own_modifiers_apply_to_it(rb: Rulebook) -> None:
    r = resolve_check(rb, check(rb, "steady"), nean(), args={"level": 4}, rng=random.Random(0))
    assert applied(r) == [
        (1, None, "check steady", True),
        (-5, None, "check steady", False),
        (-1, None, "faction workers", False),
    ]
    assert r.modifiers[1].reason == "not applied: the actor has hurt does not hold"
    hurt = resolve_check(
        rb, check(rb, "steady"), nean(conditions=("hurt",)), args={"level": 4}, rng=random.Random(0)
    )
    assert hurt.bonus == 1 - 5


def test_against_modifiers_come_from_the_targets_conditions(rb: Rulebook) -> None:
    plain = roll(rb, nean(), "strike", target=human())
    exposed = roll(rb, nean(), "strike", target=human(conditions=("exposed",)))
    assert [m.source for m in exposed.modifiers] == ["faction workers", "condition exposed"]
    mod = from_source(exposed, "condition exposed")
    assert (mod.value, mod.source, mod.note, mod.applied) == (
        2,
        "condition exposed",
        "Out in the open",
        True,
    )
    assert exposed.total == plain.total + 2
    # the target's own `to` modifiers are not the actor's
    lucky = roll(rb, nean(), "strike", target=human(conditions=("lucky",)))
    assert "condition lucky" not in [m.source for m in lucky.modifiers]
    # and a bearer's `against` modifiers do not touch its own rolls
    self_exposed = roll(rb, nean(conditions=("exposed",)), "strike", target=human())
    assert "condition exposed" not in [m.source for m in self_exposed.modifiers]


def test_an_against_modifier_can_test_the_actor(rb: Rulebook) -> None:
    by_human = roll(rb, human("Ann"), "strike", target=nean(conditions=("cloaked",)))
    assert applied(by_human) == [(-2, None, "condition cloaked", True)]
    by_nean = roll(rb, nean("Nat"), "strike", target=nean(conditions=("cloaked",)))
    cloak = from_source(by_nean, "condition cloaked")
    assert not cloak.applied
    assert cloak.reason == "not applied: the actor is human does not hold"


def test_a_member_modifier_applies_to_its_member(rb: Rulebook) -> None:
    ace = Being.of(
        Character(name="Ace", faction="workers", kind="nean", member="ace", attributes={"body": 3})
    )
    r = roll(rb, ace, "strike", target=human())
    assert (1, None, "member ace", True) in applied(r)


# -- refusals ----------------------------------------------------------------------------------


def test_a_condition_that_blocks_all_refuses_every_action(rb: Rulebook) -> None:
    down = nean(conditions=("shutdown",))
    message = "Kit is shut down: shutdown blocks every action"
    for action, target in [
        ("body", None),
        ("strike", human()),
        ("harm_human", human()),
        ("rally", None),
        ("punch", human()),
    ]:
        with pytest.raises(Refusal) as caught:
            roll(rb, down, action, target=target)
        assert caught.value.message == message
        assert caught.value.exit_code == 1
        with pytest.raises(Refusal, match=message):
            odds(rb, Action.of(rb, down, action, target=target))


def test_a_condition_blocks_a_named_check(rb: Rulebook) -> None:
    dazed = nean(conditions=("dazed",))
    with pytest.raises(Refusal) as caught:
        roll(rb, dazed, "strike", target=human())
    assert caught.value.message == "Kit is dazed: dazed blocks strike"
    # an ability that rolls the blocked check is blocked too
    with pytest.raises(Refusal, match="dazed blocks strike"):
        roll(rb, dazed, "punch", target=human())
    # other checks and abilities are not
    assert roll(rb, dazed, "body").outcome == "success"
    assert roll(rb, dazed, "rally").outcome == "used"


def test_a_condition_blocks_a_named_ability_or_act(rb: Rulebook) -> None:
    cuffed = nean(conditions=("cuffed",))
    with pytest.raises(Refusal) as caught:
        roll(rb, cuffed, "punch", target=human())
    assert caught.value.message == "Kit is cuffed: cuffed blocks punch"
    with pytest.raises(Refusal, match="cuffed blocks flee"):
        roll(rb, cuffed, "flee")
    with pytest.raises(Refusal, match="cuffed blocks flee"):
        odds(rb, Action.of(rb, cuffed, "flee"))
    assert roll(rb, cuffed, "strike", target=human()).outcome == "hit"


def test_a_blocked_action_exits_1_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ROUGE_CAMPAIGN", raising=False)
    runner = CliRunner()
    common = ["--rulebook", str(RULES), "--seed", "1", "--no-campaign"]
    result = runner.invoke(cli, ["check", str(SHEETS / "dormant.yaml"), "body", *common])
    assert result.exit_code == 1
    assert result.output == "Error: Dormant is shut down: shutdown blocks every action\n"
    result = runner.invoke(
        cli, ["use", str(SHEETS / "wes.yaml"), "zap", "--target", str(SHEETS / "hal.yaml"), *common]
    )
    assert result.exit_code == 1
    assert result.output == "Error: not enough Nectar: Zap costs 3, Wes has 2\n"


def test_a_prerequisite_that_does_not_hold_refuses(rb: Rulebook) -> None:
    with pytest.raises(Refusal) as caught:
        roll(rb, nean("Wes", conditions=("plated",)), "plate_up")
    assert caught.value.message == (
        "Plate up requires that not (the actor has plated); for Wes it does not hold"
    )
    with pytest.raises(Refusal) as caught:
        roll(rb, nean("Wes"), "zap", target=human())
    assert caught.value.message == (
        "Zap requires that the actor has plated; for Wes it does not hold"
    )


def test_a_cost_that_cannot_be_paid_refuses_naming_have_and_need(rb: Rulebook) -> None:
    poor = nean("Wes", nectar=2, conditions=("plated",))
    with pytest.raises(Refusal) as caught:
        roll(rb, poor, "zap", target=human())
    assert caught.value.message == "not enough Nectar: Zap costs 3, Wes has 2"
    with pytest.raises(Refusal, match="costs 3, Wes has 2"):
        odds(rb, Action.of(rb, poor, "zap", target=human()))
    # exactly enough is enough
    r = roll(rb, nean("Wes", nectar=3, conditions=("plated",)), "zap", target=human())
    assert r.effects[0] == Change("actor", "Wes", "lose", "nectar", 3, source="cost of zap")


def test_an_ability_not_on_the_sheet_or_not_for_the_character_refuses(rb: Rulebook) -> None:
    with pytest.raises(Refusal) as caught:
        roll(rb, nean(abilities=()), "punch", target=human())
    assert caught.value.message == "Kit does not have the ability Punch"
    assert caught.value.hint == "its sheet lists: nothing"
    lost = Being.of(Character(name="Rob", faction="machines", kind="robot", abilities=("rally",)))
    with pytest.raises(Refusal) as caught:
        roll(rb, lost, "rally")
    assert caught.value.message == "Rob may not use Rally: it is for faction workers, people"


def test_targets_are_checked(rb: Rulebook) -> None:
    with pytest.raises(RougeError) as caught:
        roll(rb, nean(), "punch")
    assert caught.value.message == "Punch needs a target: give one with --target SHEET"
    assert not isinstance(caught.value, Refusal)
    with pytest.raises(RougeError, match="Plate up takes no target"):
        roll(rb, nean(), "plate_up", target=human())


# -- constraints and free will ---------------------------------------------------------------


def test_forbid_unless_passes_rolls_the_check(rb: Rulebook) -> None:
    nia = nean("Nia", tracks={"free_will": 2})
    bound = roll(rb, nia, "harm_human", target=human())
    assert (bound.action, bound.name, bound.check) == ("free-will", "harm_human", "trial")
    assert bound.parameters == (("act", "harm_human"),)
    assert faces(bound) == [4, 4]
    assert (bound.total, bound.opposition) == (10, 12)  # 8 + free will 2 against 8 + severity 4
    assert (bound.outcome, bound.allowed) == ("bound", False)
    assert bound.narrative == "The Code holds: Nia does not harm a human."
    assert bound.effects == (
        Change("actor", "Nia", "advance", "stress", 1, source="bound of trial"),
    )
    strained = roll(rb, nia, "harm_human", seed=20, target=human())
    assert faces(strained) == [6, 6]
    assert (strained.total, strained.outcome, strained.allowed) == (14, "strained", True)
    assert strained.narrative == "Nia overcomes The Code: the act goes ahead."
    assert strained.effects == (
        Change("actor", "Nia", "lose", "nectar", 1, source="strained of trial"),
    )


def test_any_rung_but_the_last_lets_the_act_go_ahead(rb: Rulebook) -> None:
    nia = nean("Nia", tracks={"free_will": 2}, conditions=("ordered",))
    seen = {}
    for seed in range(60):
        r = roll(rb, nia, "disobey", seed=seed)
        assert r.allowed is (r.outcome != "bound")
        seen.setdefault(r.outcome, seed)
    assert set(seen) == {"defiant", "strained", "bound"}
    defiant = roll(rb, nia, "disobey", seed=seen["defiant"])
    assert defiant.margin is not None and defiant.margin >= 3
    assert defiant.effects == (
        Change("actor", "Nia", "advance", "free_will", 1, source="defiant of trial"),
    )


def test_forbid_without_unless_is_outright(rb: Rulebook) -> None:
    r = roll(rb, nean(), "flee")
    assert (r.outcome, r.allowed, r.total) == ("forbidden", False, None)
    assert r.narrative == "The Code forbids it outright; no will overcomes it."
    assert r.rolled is None


def test_require_lets_the_act_go_ahead(rb: Rulebook) -> None:
    r = roll(rb, nean(), "salute")
    assert (r.outcome, r.allowed) == ("required", True)
    assert r.narrative == "The Code requires this of Kit: no struggle."


def test_a_rule_whose_when_does_not_hold_does_not_bind(rb: Rulebook) -> None:
    r = roll(rb, nean(), "harm_human", target=robot())
    assert (r.outcome, r.allowed) == ("unbound", True)
    assert r.narrative == "Nothing forbids Kit to harm a human here."
    assert r.trace == ("code: forbid harm_human when target.is(human): no",)
    unordered = roll(rb, nean(), "disobey")
    assert (unordered.outcome, unordered.allowed) == ("unbound", True)
    nothing = roll(rb, nean(), "whistle")
    assert (nothing.outcome, nothing.trace) == ("unbound", ())


def test_an_exempt_being_is_free(rb: Rulebook) -> None:
    free = nean("Ada", conditions=("awakened",))
    for act in ("harm_human", "flee", "salute"):
        r = roll(rb, free, act, target=human())
        assert (r.outcome, r.allowed) == ("free", True)
        assert r.narrative == "Ada is not bound by The Code (the actor has awakened)."
        assert r.trace == ("constraint code: exempt, the actor has awakened",)
    assert odds(rb, Action.of(rb, free, "harm_human", target=human())).allowed == 1


def test_an_exemption_lifts_only_its_own_constraint(rb: Rulebook) -> None:
    alter = nean("Alt", kind="alter", tracks={"free_will": 2}, conditions=("awakened",))
    r = roll(rb, alter, "confess")  # the oath has no exemption
    assert r.check == "trial"
    assert r.trace[:2] == (
        "constraint oath: forbid confess, unless passes trial",
        "constraint code: exempt, the actor has awakened",
    )
    assert (r.total, r.opposition, r.outcome, r.allowed) == (10, 9, "strained", True)
    assert roll(rb, alter, "flee").outcome == "free"  # the Code's rule, and the Code exempts


def test_sub_kinds_are_bound(rb: Rulebook) -> None:
    alter = nean("Alt", kind="alter", tracks={"free_will": 2})
    r = roll(rb, alter, "harm_human", target=human())
    assert (r.check, r.outcome, r.allowed) == ("trial", "bound", False)
    assert roll(rb, alter, "flee").outcome == "forbidden"


def test_a_kind_no_constraint_binds_is_refused(rb: Rulebook) -> None:
    with pytest.raises(Refusal) as caught:
        roll(rb, robot(), "flee")
    assert caught.value.message == (
        "Rob is a robot: no constraint binds a robot (constraints bind alter, nean), "
        "so there is no free-will check to make"
    )
    with pytest.raises(Refusal, match="Hal is a human: no constraint binds a human"):
        roll(rb, human(), "disobey")
    with pytest.raises(Refusal, match="no constraint binds a human"):
        odds(rb, Action.of(rb, human(), "disobey"))


def test_a_rule_about_the_target_needs_one(rb: Rulebook) -> None:
    with pytest.raises(RougeError) as caught:
        roll(rb, nean(), "harm_human")
    assert not isinstance(caught.value, Refusal)
    assert caught.value.hint == "say who is involved with --by SHEET"


def test_free_will_odds(rb: Rulebook) -> None:
    nia = nean("Nia", tracks={"free_will": 2})
    found = odds(rb, Action.of(rb, nia, "harm_human", target=human()))
    # 2d6 + 2 against 12: strained on 10 or 11, defiant never
    assert found.outcomes == {
        "defiant": Fraction(0),
        "strained": Fraction(3 + 2 + 1, 36),
        "bound": Fraction(30, 36),
    }
    assert found.allowed == Fraction(1, 6)
    assert odds(rb, Action.of(rb, nia, "flee")).outcomes == {"forbidden": 1}
    assert odds(rb, Action.of(rb, nia, "flee")).allowed == 0


# -- opposed checks ----------------------------------------------------------------------------


def test_an_opposed_check_rolls_both_sides(rb: Rulebook) -> None:
    r = roll(rb, nean(), "body", target=human())
    assert r.check == "strike"  # an attribute against a target rolls the opposed check
    assert r.vs_is_roll
    assert r.vs_rolled is not None
    assert r.roll_detail == "2d6 (4, 4) + 3 + 0 = 11"
    assert r.vs_detail == "2d6 (1, 3) + 3 = 7"
    assert (r.total, r.opposition, r.margin) == (11, 7, 4)
    assert r.outcome == "hit"
    assert r.narrative == "Kit hits Hal: 11 against 7."


def test_ties_go_to_the_defender(rb: Rulebook) -> None:
    r = roll(rb, nean(), "body", seed=3, target=human())
    assert (r.total, r.opposition, r.margin, r.outcome) == (10, 10, 0, "miss")
    assert r.narrative == "Hal slips away from Kit."


def test_opposed_odds_match_counting_every_roll(rb: Rulebook) -> None:
    found = odds(rb, Action.of(rb, nean(), "strike", target=human()))
    hits = sum(1 for a, b, c, d in product(range(1, 7), repeat=4) if (a + b + 3) - (c + d + 3) >= 1)
    assert found.outcomes == {"hit": Fraction(hits, 6**4), "miss": Fraction(6**4 - hits, 6**4)}
    assert found.outcomes["hit"] == Fraction(575, 1296)


def test_plain_odds_are_exact(rb: Rulebook) -> None:
    # 2d6 + 3 against 8: critical on 12, success on 8-11, partial on 5-7, failure on 2-4
    assert odds(rb, Action.of(rb, nean(), "body")).outcomes == {
        "critical": Fraction(1, 36),
        "success": Fraction(14, 36),
        "partial": Fraction(15, 36),
        "failure": Fraction(6, 36),
    }
    with_mod = odds(rb, Action.of(rb, nean(), "body", modifiers=[(2, "--mod")]))
    assert with_mod.outcomes["failure"] == Fraction(1, 36)
    assert sum(with_mod.outcomes.values()) == 1


# -- dice and total ---------------------------------------------------------------------------


def test_dice_is_the_natural_roll_and_total_adds_the_rest(rb: Rulebook) -> None:
    r = roll(rb, nean(conditions=("plated",)), "body", seed=1)
    assert faces(r) == [2, 5]
    assert r.dice == 7
    assert r.total == 7 + 3 + 2
    steady = resolve_check(rb, check(rb, "steady"), nean(), args={"level": 4}, rng=random.Random(5))
    assert steady.dice == faces(steady)[0]
    assert steady.total == steady.dice + 4 + 1


def test_a_critical_reads_the_dice_not_the_total(rb: Rulebook) -> None:
    critical = roll(rb, nean(), "body", seed=20)
    assert (faces(critical), critical.dice, critical.total) == ([6, 6], 12, 15)
    assert critical.outcome == "critical"
    assert critical.narrative == "Kit nails it: 15."
    high = roll(rb, nean(), "body", modifiers=[(5, "--mod")])
    assert (high.dice, high.total, high.outcome) == (8, 16, "success")


def test_each_rung_of_the_plain_check(rb: Rulebook) -> None:
    cases = {
        0: ("success", [4, 4], 11, "Kit succeeds with 11 against 8."),
        1: ("partial", [2, 5], 10, "Kit scrapes by."),
        2: ("failure", [1, 1], 5, "Kit fails."),
        20: ("critical", [6, 6], 15, "Kit nails it: 15."),
    }
    for seed, (outcome, dice, total, narrative) in cases.items():
        r = roll(rb, nean(), "body", seed=seed)
        assert (r.outcome, faces(r), r.total, r.narrative) == (outcome, dice, total, narrative)
        expected = (
            (Change("actor", "Kit", "advance", "stress", 1, source=f"{outcome} of action"),)
            if outcome in ("partial", "failure")
            else ()
        )
        assert r.effects == expected


# -- effects ----------------------------------------------------------------------------------


def test_effects_of_an_outcome_and_their_narrative(rb: Rulebook) -> None:
    wes = nean("Wes", nectar=5, conditions=("plated",))
    hit = roll(rb, wes, "zap", target=human())
    assert (hit.action, hit.name, hit.title, hit.check, hit.outcome) == (
        "use",
        "zap",
        "Zap",
        "strike",
        "hit",
    )
    assert hit.parameters == (("stat", "reflex"), ("bonus", 1))
    assert hit.roll_detail == "2d6 (4, 4) + 2 + 1 = 11, +2 modifiers = 13"
    assert hit.effects == (
        Change("actor", "Wes", "lose", "nectar", 3, source="cost of zap"),
        Change("target", "Hal", "damage", "harm", 2, source="hit of zap"),
    )
    assert hit.narrative == "Wes hits Hal: 13 against 7. Hal is zapped."
    miss = roll(rb, wes, "zap", seed=2, target=human())
    assert miss.outcome == "miss"
    assert miss.effects == (
        Change("actor", "Wes", "lose", "nectar", 3, source="cost of zap"),
        Change("actor", "Wes", "gain", "exposed", None, source="miss of zap"),
    )
    assert miss.narrative == "Hal slips away from Wes."


def test_every_kind_of_effect(rb: Rulebook) -> None:
    r = roll(rb, nean("Wes"), "mend", target=human())
    source = "mend"
    assert r.outcome == "used"
    assert r.effects == (
        Change("target", "Hal", "heal", "harm", 2, source=source),
        Change("target", "Hal", "gain", "nectar", 3, source=source),
        Change("target", "Hal", "lose", "exposed", None, source=source),
        Change("target", "Hal", "set", "stress", 0, source=source),
        Change("target", "Hal", "advance", "manhunt", None, source=source),
        Change("target", "Hal", "reduce", "free_will", 1, source=source),
        Change("actor", "Wes", "damage", "harm", 1, source=source),
        Change("actor", "Wes", "gain", "hurt", None, ast.Duration(2, "round"), source=source),
    )
    assert r.narrative == "Wes mends Hal."
    assert [e.describe() for e in r.effects] == [
        "Hal: heal harm 2",
        "Hal: gain nectar 3",
        "Hal: lose exposed",
        "Hal: set stress 0",
        "Hal: advance manhunt",
        "Hal: reduce free_will 1",
        "Wes: damage harm 1",
        "Wes: gain hurt for 2 rounds",
    ]


def test_an_amount_that_rolls_dice_records_the_roll(rb: Rulebook) -> None:
    r = roll(rb, nean("Wes"), "punch", target=human())
    assert r.outcome == "hit"
    (damage,) = r.effects
    assert (damage.verb, damage.what, damage.amount) == ("damage", "harm", 4)
    assert damage.detail == "1d3 (3) + 1 = 4"
    assert damage.describe() == "Hal: damage harm 4 (1d3 (3) + 1 = 4)"
    amounts = {roll(rb, nean("Wes"), "punch", seed=s, target=human()).effects for s in range(40)}
    assert {e[0].amount for e in amounts if e} == {2, 3, 4}


def test_an_unfilled_placeholder_is_left_as_written(rb: Rulebook) -> None:
    assert roll(rb, nean(), "rally").narrative == "Kit rallies {target.name}."
    assert roll(rb, nean(), "rally", target=human()).narrative == "Kit rallies Hal."


def test_an_ability_without_a_check_is_used(rb: Rulebook) -> None:
    r = roll(rb, nean("Wes"), "plate_up")
    assert (r.outcome, r.total, r.dice, r.check) == ("used", None, None, None)
    assert r.effects == (
        Change("actor", "Wes", "lose", "nectar", 2, source="cost of plate_up"),
        Change("actor", "Wes", "gain", "plated", None, ast.Duration(1, "scene"), source="plate_up"),
    )
    assert r.narrative == "Wes plates up."
    assert odds(rb, Action.of(rb, nean("Wes"), "plate_up")).outcomes == {"used": 1}


# -- applying changes ------------------------------------------------------------------------


def test_apply_clamps_and_fires_every_threshold_passed(rb: Rulebook) -> None:
    kit = nean()
    after, landed = apply_changes(rb, kit, [("damage", "harm", 10)])
    assert after.tracks["harm"] == 6
    assert landed == [
        Applied("Kit", "damage", "harm", 0, 6, "Kit: Harm 0 → 6"),
        Applied("Kit", "gain", "hurt", None, None, "Kit gains hurt"),
        Applied("Kit", "gain", "down", None, None, "Kit gains down"),
    ]
    assert after.conditions == {"hurt", "down"}
    assert kit.tracks == {} and kit.conditions == frozenset()  # pure


def test_a_jump_past_a_threshold_fires_it(rb: Rulebook) -> None:
    after, landed = apply_changes(rb, nean(tracks={"harm": 1}), [("damage", "harm", 4)])
    assert after.tracks["harm"] == 5
    assert [a.note for a in landed] == ["Kit: Harm 1 → 5", "Kit gains hurt"]
    # landing just short does not
    _, landed = apply_changes(rb, nean(), [("damage", "harm", 2)])
    assert [a.note for a in landed] == ["Kit: Harm 0 → 2"]


def test_triggers_chain(rb: Rulebook) -> None:
    after, landed = apply_changes(
        rb, nean(tracks={"stress": 3, "manhunt": 4}), [("advance", "stress", None)]
    )
    assert (after.tracks["stress"], after.tracks["manhunt"]) == (4, 6)
    assert "hunted" in after.conditions
    assert [a.note for a in landed] == [
        "Kit: Stress 3 → 4",
        "Kit: Manhunt 4 → 6",
        "Kit gains hunted",
    ]


def test_resources_clamp_and_fire_at_zero(rb: Rulebook) -> None:
    full, landed = apply_changes(rb, nean(nectar=8), [("gain", "nectar", 5)])
    assert full.resources["nectar"] == 10
    assert landed[0].note == "Kit: Nectar 8 → 10"
    empty, landed = apply_changes(rb, nean(nectar=2), [("lose", "nectar", 3)])
    assert empty.resources["nectar"] == 0
    assert [a.note for a in landed] == [
        "Kit: Nectar 2 → 0",
        "Kit gains shutdown",
        "Kit shuts down.",
    ]
    # already at 0: nothing changes, nothing fires
    again, landed = apply_changes(rb, empty, [("lose", "nectar", 1)])
    assert [a.note for a in landed] == ["Kit: Nectar 0 → 0"]
    assert again.conditions == {"shutdown"}


def test_set_reduce_and_conditions(rb: Rulebook) -> None:
    kit = nean(tracks={"stress": 3, "free_will": 1}, conditions=("exposed",))
    after, landed = apply_changes(
        rb,
        kit,
        [
            ("set", "stress", 0),
            ("reduce", "free_will", 5),
            ("advance", "manhunt", None),
            ("lose", "exposed", None),
            ("lose", "exposed", None),
            ("gain", "lucky", None),
            ("gain", "lucky", None),
            ("narrate", None, None),
        ],
    )
    assert after.tracks == {"stress": 0, "free_will": 0, "manhunt": 1}
    assert after.conditions == {"lucky"}
    assert [a.note for a in landed] == [
        "Kit: Stress 3 → 0",
        "Kit: Free will 1 → 0",
        "Kit: Manhunt 0 → 1",
        "Kit loses exposed",
        "Kit did not have exposed",
        "Kit gains lucky",
        "Kit already has lucky",
    ]


def test_a_resolutions_effects_apply(rb: Rulebook) -> None:
    wes, hal = nean("Wes", nectar=5, conditions=("plated",)), human()
    r = roll(rb, wes, "zap", target=hal)
    for who, being in (("actor", wes), ("target", hal)):
        changes = [(e.verb, e.what, e.amount) for e in r.effects if e.who == who]
        after, _ = apply_changes(rb, being, changes)
        if who == "actor":
            assert after.resources["nectar"] == 2
        else:
            assert after.tracks["harm"] == 2


# -- the trace -------------------------------------------------------------------------------


def test_the_trace_of_a_check_names_each_rule_and_why(rb: Rulebook) -> None:
    r = roll(rb, nean(conditions=("plated", "shielded")), "body", seed=1)
    assert r.trace == (
        "check action (tests/data/engine/basic/core.rouge:76)",
        "parameters: stat = body, dc = 8",
        "modifier +2 armor from condition plated (tests/data/engine/basic/core.rouge:44): applies",
        "modifier +1 armor from condition shielded (tests/data/engine/basic/core.rouge:46): "
        "not applied: a higher armor bonus applies",
        "modifier -1 from faction workers (tests/data/engine/basic/factions.rouge:7): "
        "not applied: the actor's nectar is at most 2 does not hold",
        "roll 2d6 + actor[stat] → 2d6 (2, 5) + 3 = 10, +2 modifiers = 12",
        "vs dc → 8",
        "critical when dice == 12: no (total 12, dice 7, margin 4)",
        "success when margin >= 3: yes (total 12, dice 7, margin 4)",
    )


def test_the_trace_reaches_otherwise(rb: Rulebook) -> None:
    r = roll(rb, nean(), "body", seed=2)
    assert r.trace[-4:] == (
        "critical when dice == 12: no (total 5, dice 2, margin -3)",
        "success when margin >= 3: no (total 5, dice 2, margin -3)",
        "partial when margin >= 0: no (total 5, dice 2, margin -3)",
        "failure: otherwise",
    )


def test_the_trace_of_an_ability_starts_with_its_rules(rb: Rulebook) -> None:
    r = roll(rb, nean("Wes", nectar=5, conditions=("plated",)), "zap", target=human())
    assert r.trace[:5] == (
        "ability zap (tests/data/engine/basic/factions.rouge:28)",
        "requires actor.has(plated): yes",
        "cost 3 nectar: Wes has 5",
        "check strike (tests/data/engine/basic/core.rouge:86)",
        "parameters: stat = reflex, bonus = 1",
    )
    assert r.trace[-3:] == (
        "roll 2d6 + actor[stat] + bonus → 2d6 (4, 4) + 2 + 1 = 11, +2 modifiers = 13",
        "vs 2d6 + target.reflex → 2d6 (1, 3) + 3 = 7",
        "hit when margin >= 1: yes (total 13, dice 8, margin 6)",
    )


def test_the_trace_of_a_free_will_check_starts_with_the_constraint(rb: Rulebook) -> None:
    r = roll(rb, nean("Nia", tracks={"free_will": 2}), "harm_human", target=human())
    assert r.trace == (
        "constraint code: forbid harm_human, unless passes trial",
        "code: forbid harm_human when target.is(human): yes",
        "check trial (tests/data/engine/basic/core.rouge:100)",
        "parameters: act = harm_human",
        "modifier -1 from faction workers (tests/data/engine/basic/factions.rouge:7): "
        "not applied: the actor's nectar is at most 2 does not hold",
        "roll 2d6 + actor.free_will → 2d6 (4, 4) + 2 = 10",
        "vs base_dc + act.severity → 12",
        "defiant when margin >= 3: no (total 10, dice 8, margin -2)",
        "strained when margin >= 0: no (total 10, dice 8, margin -2)",
        "bound: otherwise",
    )


# -- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "target"),
    [("body", False), ("strike", True), ("harm_human", True), ("zap", True), ("punch", True)],
)
def test_the_same_seed_gives_the_same_resolution(rb: Rulebook, action: str, target: bool) -> None:
    actor = nean("Wes", nectar=9, tracks={"free_will": 3}, conditions=("plated", "lucky"))
    other = human() if target else None
    for seed in range(25):
        first = roll(rb, actor, action, seed=seed, target=other)
        again = roll(rb, actor, action, seed=seed, target=other)
        assert first == again
        assert first.to_json() == again.to_json()
        # a fresh copy of the same characters rolls the same too
        copy = Being.of(actor.character)
        other_copy = Being.of(other.character) if other else None
        assert roll(rb, copy, action, seed=seed, target=other_copy).to_json() == first.to_json()


def test_a_resolution_consumes_a_shared_generator_in_order(rb: Rulebook) -> None:
    rng = random.Random(9)
    first = [resolve(rb, Action.of(rb, nean(), "body"), rng=rng).total for _ in range(5)]
    rng = random.Random(9)
    assert [resolve(rb, Action.of(rb, nean(), "body"), rng=rng).total for _ in range(5)] == first
    assert len(set(first)) > 1
