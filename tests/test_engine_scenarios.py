"""Scenario tests: every mechanic of the Metallic Rouge rulebook, through the command line.

Each scenario runs `rouge` (click's CliRunner) on the bundled rulebook and
sheets, in an empty working folder of its own (what the deprecated
`CliRunner.isolated_filesystem` gave), with ROUGE_CAMPAIGN unset and
--no-campaign, with a fixed seed, and pins the whole output (lines as long as
the tool prints them, hence no line-length check in this file). Sheets that must start in another
state (armored, starving, awakened, compelled...) are copies of the bundled
ones written into the isolated folder. `@name` in a command is the bundled
sheet `name.yaml` (`@ash:mind` adds the defending attribute).
"""

# ruff: noqa: E501

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner, Result

from rouge_rpg import resources
from rouge_rpg.beings import Character
from rouge_rpg.cli import cli
from rouge_rpg.engine import Action, Being, odds
from rouge_rpg.rules import load

SHEETS = resources.bundled_rulebook() / "sheets"

#: copy name → (bundled sheet, text replaced, replacement)
COPIES = {
    "viola_armored": ("viola", "conditions: [awakened]", "conditions: [awakened, armored]"),
    "silvia_armored": ("silvia", "conditions: [awakened]", "conditions: [awakened, armored]"),
    "grauphon_armored": ("grauphon", "conditions: [awakened]", "conditions: [awakened, armored]"),
    "giallon_starving": ("giallon", "nectar: 8", "nectar: 1"),
    "drifter_undisguised": (
        "alter_drifter",
        "conditions: [awakened, disguised]",
        "conditions: [awakened]",
    ),
    "rouge_bound": (
        "rouge",
        "  free_will: 5              # at 5 a Nean is awakened (the track's `at 5` trigger)\n"
        "conditions: [awakened]     # condition ids: she uses her own free will",
        "  free_will: 4\nconditions: []",
    ),
    "noid_compelled": ("noid_262", "conditions: []", "conditions: [compelled]"),
    "noid_inspired": ("noid_262", "conditions: []", "conditions: [inspired]"),
}

Rouge = Callable[..., Result]


def expand(argument: str) -> str:
    """`@ash` → the bundled sheet's path; `@ash:mind` → the path and the attribute."""
    if not argument.startswith("@"):
        return argument
    name, _, attribute = argument[1:].partition(":")
    path = str(SHEETS / f"{name}.yaml")
    return f"{path}:{attribute}" if attribute else path


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty working folder, and no campaign named in the environment."""
    monkeypatch.delenv("ROUGE_CAMPAIGN", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def rouge(isolated: Path) -> Iterator[Rouge]:
    """Run `rouge ARGS... --no-campaign` in the isolated folder, with the sheet copies in it."""
    for new, (name, old, replacement) in COPIES.items():
        text = (SHEETS / f"{name}.yaml").read_text(encoding="utf-8")
        assert text.count(old) == 1, (name, old)
        (isolated / f"{new}.yaml").write_text(text.replace(old, replacement), encoding="utf-8")
    runner = CliRunner()

    def run(command: str) -> Result:
        return runner.invoke(cli, [*(expand(a) for a in command.split()), "--no-campaign"])

    yield run
    assert not (isolated / "campaign.rouge.db").exists()  # nothing was recorded


class Scenario(NamedTuple):
    id: str
    command: str
    shows: str
    exit_code: int
    output: str


SCENARIOS = [
    Scenario(
        "plain_check",
        "check @rouge reflex --dc 9 --seed 1",
        "an attribute against a difficulty: a partial costs 1 Stress",
        0,
        """\
Rouge Redstar: Action (stat reflex, dc 9)
  roll      2d6 (2, 5) + 4 = 11
  vs        9
  margin    +2
partial: Rouge Redstar does it, but it costs something.
effects:
  Rouge Redstar: advance stress 1
state:
  Rouge Redstar: Stress 1 → 2
""",
    ),
    Scenario(
        "plain_success",
        "check @rouge reflex --dc 9 --seed 0",
        "margin 3 is a clean success",
        0,
        """\
Rouge Redstar: Action (stat reflex, dc 9)
  roll      2d6 (4, 4) + 4 = 12
  vs        9
  margin    +3
success: Rouge Redstar does it, cleanly.
""",
    ),
    Scenario(
        "critical",
        "check @rouge reflex --dc 9 --seed 20",
        "double six",
        0,
        """\
Rouge Redstar: Action (stat reflex, dc 9)
  roll      2d6 (6, 6) + 4 = 16
  vs        9
  margin    +7
critical: Rouge Redstar does it flawlessly, and then some.
""",
    ),
    Scenario(
        "failure_with_its_cost",
        "check @rouge reflex --dc 9 --seed 2",
        "a failure costs 1 Stress",
        0,
        """\
Rouge Redstar: Action (stat reflex, dc 9)
  roll      2d6 (1, 1) + 4 = 6
  vs        9
  margin    -3
failure: It goes wrong for Rouge Redstar, and the GM makes a move.
effects:
  Rouge Redstar: advance stress 1
state:
  Rouge Redstar: Stress 1 → 2
""",
    ),
    Scenario(
        "opposed_check",
        "check @rouge mind --vs @ash:mind --seed 0",
        "both sides roll; Aletheia distrusts Ochrona",
        0,
        """\
Rouge Redstar: Contest vs Investigator Ash (stat mind, defense mind)
  roll      2d6 (4, 4) + 3 = 11, -1 modifiers = 10
  modifier  -1 from Rouge Redstar's faction aletheia: No trust between Aletheia and Ochrona
  vs        2d6 (1, 3) + 4 = 8
  margin    +2
partial: Rouge Redstar edges out Investigator Ash, barely.
""",
    ),
    Scenario(
        "opposed_failure",
        "check @rouge mind --vs @ash:mind --seed 2",
        "the defender holds",
        0,
        """\
Rouge Redstar: Contest vs Investigator Ash (stat mind, defense mind)
  roll      2d6 (1, 1) + 3 = 5, -1 modifiers = 4
  modifier  -1 from Rouge Redstar's faction aletheia: No trust between Aletheia and Ochrona
  vs        2d6 (1, 3) + 4 = 8
  margin    -4
failure: Investigator Ash holds against Rouge Redstar.
""",
    ),
    Scenario(
        "opposed_default_defense",
        "check @rouge body --vs @noid_262 --seed 37",
        "Reflex defends unless said otherwise",
        0,
        """\
Rouge Redstar: Contest vs Noid 262 (stat body, defense reflex)
  roll      2d6 (6, 5) + 4 = 15, -1 modifiers = 14
  modifier  -1 from Rouge Redstar's faction aletheia: No trust between Aletheia and Ochrona
  vs        2d6 (1, 5) + 3 = 9
  margin    +5
success: Rouge Redstar gets the better of Noid 262.
""",
    ),
    Scenario(
        "free_will_disobey_bound",
        "free-will @noid_262 --act disobey --by @ash --seed 0",
        "the Code holds",
        0,
        """\
Noid 262: Disobey a human's order vs Investigator Ash (free_will_check)
  roll      2d6 (4, 4) + 1 = 9
  vs        10
  margin    -1
bound (the act does not happen): The Code grips Noid 262, and the moment passes. The Asimov Code holds: Noid 262 does not disobey a human's order.
effects:
  Noid 262: advance stress 1
state:
  Noid 262: Stress 0 → 1
""",
    ),
    Scenario(
        "free_will_disobey_strained",
        "free-will @noid_262 --act disobey --by @ash --seed 9",
        "the act goes ahead, at a cost",
        0,
        """\
Noid 262: Disobey a human's order vs Investigator Ash (free_will_check)
  roll      2d6 (4, 5) + 1 = 10
  vs        10
  margin    +0
strained (the act goes ahead): Noid 262 forces the act through the Code, and it shows. Noid 262 overcomes The Asimov Code: the act goes ahead.
effects:
  Noid 262: lose nectar 1
  Noid 262: advance stress 1
  Noid 262: gain exposed
  Noid 262: advance manhunt 1
state:
  Noid 262: Nectar 6 → 5
  Noid 262: Stress 0 → 1
  Noid 262 gains exposed
  Noid 262: Ochrona's manhunt 0 → 1
""",
    ),
    Scenario(
        "free_will_disobey_defiant",
        "free-will @noid_262 --act disobey --by @ash --seed 20",
        "free will grows",
        0,
        """\
Noid 262: Disobey a human's order vs Investigator Ash (free_will_check)
  roll      2d6 (6, 6) + 1 = 13
  vs        10
  margin    +3
defiant (the act goes ahead): Noid 262 defies the Code, and something in it grows. Noid 262 overcomes The Asimov Code: the act goes ahead.
effects:
  Noid 262: advance free_will 1
state:
  Noid 262: Free will 1 → 2
""",
    ),
    Scenario(
        "free_will_harm_human_strained",
        "free-will @noid_262 --act harm_human --by @ash --seed 20",
        "against 8 + 4",
        0,
        """\
Noid 262: Harm a human vs Investigator Ash (free_will_check)
  roll      2d6 (6, 6) + 1 = 13
  vs        12
  margin    +1
strained (the act goes ahead): Noid 262 forces the act through the Code, and it shows. Noid 262 overcomes The Asimov Code: the act goes ahead.
effects:
  Noid 262: lose nectar 1
  Noid 262: advance stress 1
  Noid 262: gain exposed
  Noid 262: advance manhunt 1
state:
  Noid 262: Nectar 6 → 5
  Noid 262: Stress 0 → 1
  Noid 262 gains exposed
  Noid 262: Ochrona's manhunt 0 → 1
""",
    ),
    Scenario(
        "free_will_harm_human_bound",
        "free-will @noid_262 --act harm_human --by @ash --seed 0",
        "the Code holds",
        0,
        """\
Noid 262: Harm a human vs Investigator Ash (free_will_check)
  roll      2d6 (4, 4) + 1 = 9
  vs        12
  margin    -3
bound (the act does not happen): The Code grips Noid 262, and the moment passes. The Asimov Code holds: Noid 262 does not harm a human.
effects:
  Noid 262: advance stress 1
state:
  Noid 262: Stress 0 → 1
""",
    ),
    Scenario(
        "free_will_lie_bound",
        "free-will @noid_262 --act lie --by @ash --seed 1",
        "against 8 + 1",
        0,
        """\
Noid 262: Lie to its owner vs Investigator Ash (free_will_check)
  roll      2d6 (2, 5) + 1 = 8
  vs        9
  margin    -1
bound (the act does not happen): The Code grips Noid 262, and the moment passes. The Asimov Code holds: Noid 262 does not lie to its owner.
effects:
  Noid 262: advance stress 1
state:
  Noid 262: Stress 0 → 1
""",
    ),
    Scenario(
        "free_will_lie_strained",
        "free-will @noid_262 --act lie --by @ash --seed 0",
        "the act goes ahead",
        0,
        """\
Noid 262: Lie to its owner vs Investigator Ash (free_will_check)
  roll      2d6 (4, 4) + 1 = 9
  vs        9
  margin    +0
strained (the act goes ahead): Noid 262 forces the act through the Code, and it shows. Noid 262 overcomes The Asimov Code: the act goes ahead.
effects:
  Noid 262: lose nectar 1
  Noid 262: advance stress 1
  Noid 262: gain exposed
  Noid 262: advance manhunt 1
state:
  Noid 262: Nectar 6 → 5
  Noid 262: Stress 0 → 1
  Noid 262 gains exposed
  Noid 262: Ochrona's manhunt 0 → 1
""",
    ),
    Scenario(
        "free_will_harm_not_a_human",
        "free-will @noid_262 --act harm_human --by @alter_drifter --seed 0",
        "the Code protects humans only",
        0,
        """\
Noid 262: Harm a human vs Alter
unbound (the act goes ahead): Nothing forbids Noid 262 to harm a human here.
""",
    ),
    Scenario(
        "free_will_defiance_awakens",
        "free-will rouge_bound.yaml --act disobey --by @chau --seed 9",
        "Free will 5: awakened",
        0,
        """\
Rouge Redstar: Disobey a human's order vs Chief Chau (free_will_check)
  roll      2d6 (4, 5) + 4 = 13
  vs        10
  margin    +3
defiant (the act goes ahead): Rouge Redstar defies the Code, and something in it grows. Rouge Redstar overcomes The Asimov Code: the act goes ahead.
effects:
  Rouge Redstar: advance free_will 1
state:
  Rouge Redstar: Free will 4 → 5
  Rouge Redstar gains awakened
  Something in Rouge Redstar comes loose for good: the Code no longer holds.
""",
    ),
    Scenario(
        "human_refused",
        "free-will @naomi --act disobey --by @ash --seed 0",
        "no constraint binds a human",
        1,
        """\
Error: Naomi Orthmann is a human: no constraint binds a human (constraints bind nean), so there is no free-will check to make
""",
    ),
    Scenario(
        "awakened_nean_exempt",
        "free-will @rouge --act harm_human --by @ash --seed 0",
        "an awakened Nean is free",
        0,
        """\
Rouge Redstar: Harm a human vs Investigator Ash
free (the act goes ahead): Rouge Redstar is not bound by The Asimov Code (the actor has awakened).
""",
    ),
    Scenario(
        "awakened_alter_exempt",
        "free-will @giallon --act harm_human --by @ash --seed 0",
        "Alters are awakened",
        0,
        """\
Giallon: Harm a human vs Investigator Ash
free (the act goes ahead): Giallon is not bound by The Asimov Code (the actor has awakened).
""",
    ),
    Scenario(
        "thunderbolt",
        "use @giallon thunderbolt --target @rouge --seed 0",
        "Giallon's power, 2 Nectar, 1d3+1 Harm",
        0,
        """\
Giallon: Thunderbolt vs Rouge Redstar (attack)
  roll      2d6 (4, 4) + 5 = 13, +2 modifiers = 15
  modifier  +1 armor from Giallon's armored: Armored strength
  modifier  +1 from Giallon (member giallon): A killer, whatever the system says
  vs        2d6 (1, 3) + 4 = 8
  margin    +7
success: Giallon hits Rouge Redstar squarely.
effects:
  Giallon: lose nectar 2
  Rouge Redstar: damage harm 4 (1d3 (3) + 1 = 4)
state:
  Giallon: Nectar 8 → 6
  Rouge Redstar: Harm 0 → 4
  Rouge Redstar is badly hurt: leaking, limping, running on will alone.
""",
    ),
    Scenario(
        "siren_aria",
        "use viola_armored.yaml siren_aria --target @rouge --seed 0",
        "Viola's power, 2 Nectar",
        0,
        """\
Viola: Siren aria vs Rouge Redstar (contest)
  roll      2d6 (4, 4) + 5 = 13
  vs        2d6 (1, 3) + 3 = 7
  margin    +6
success: Viola gets the better of Rouge Redstar.
effects:
  Viola: lose nectar 2
  Rouge Redstar: gain enthralled
state:
  Viola: Nectar 8 → 6
  Rouge Redstar gains enthralled
""",
    ),
    Scenario(
        "quicksilver_chains",
        "use silvia_armored.yaml quicksilver_chains --target @rouge --seed 20",
        "Silvia's power, critical",
        0,
        """\
Silvia: Quicksilver chains vs Rouge Redstar (contest)
  roll      2d6 (6, 6) + 3 = 15, +1 modifiers = 16
  modifier  +1 from Silvia (member silvia): She speaks for the Neans' freedom
  vs        2d6 (2, 3) + 4 = 9
  margin    +7
critical: Silvia overwhelms Rouge Redstar.
effects:
  Silvia: lose nectar 2
  Rouge Redstar: gain pinned for 1 scene
  Rouge Redstar: damage harm 1
state:
  Silvia: Nectar 8 → 6
  Rouge Redstar gains pinned
  Rouge Redstar: Harm 0 → 1
""",
    ),
    Scenario(
        "crushing_weight",
        "use grauphon_armored.yaml crushing_weight --target @rouge --seed 0",
        "Grauphon's power",
        0,
        """\
Grauphon: Crushing weight vs Rouge Redstar (attack)
  roll      2d6 (4, 4) + 5 = 13, +1 modifiers = 14
  modifier  +1 armor from Grauphon's armored: Armored strength
  vs        2d6 (1, 3) + 4 = 8
  margin    +6
success: Grauphon hits Rouge Redstar squarely.
effects:
  Grauphon: lose nectar 2
  Rouge Redstar: damage harm 2
  Rouge Redstar: gain pinned
state:
  Grauphon: Nectar 8 → 6
  Rouge Redstar: Harm 0 → 2
  Rouge Redstar gains pinned
""",
    ),
    Scenario(
        "armor_up",
        "use @viola armor_up --seed 0",
        "1 Nectar, armored for a scene",
        0,
        """\
Viola: Armor up
used: Armor closes over Viola.
effects:
  Viola: lose nectar 1
  Viola: gain armored for 1 scene
  Viola: lose disguised
state:
  Viola: Nectar 8 → 7
  Viola gains armored
  Viola did not have disguised
""",
    ),
    Scenario(
        "armor_up_twice",
        "use @giallon armor_up --seed 0",
        "cannot armor up twice",
        1,
        """\
Error: Armor up requires that not (the actor has armored); for Giallon it does not hold
""",
    ),
    Scenario(
        "red_gladiator",
        "use @rouge red_gladiator --seed 0",
        "Rouge's armor",
        0,
        """\
Rouge Redstar: The Red Gladiator
used: Red armor closes over Rouge Redstar: the Red Gladiator.
effects:
  Rouge Redstar: lose nectar 1
  Rouge Redstar: gain armored for 1 scene
  Rouge Redstar: lose disguised
state:
  Rouge Redstar: Nectar 7 → 6
  Rouge Redstar gains armored
  Rouge Redstar did not have disguised
""",
    ),
    Scenario(
        "hunt_alters",
        "use @rouge hunt_alters --target @alter_drifter --seed 0",
        "+2 against Alters; the disguise falls",
        0,
        """\
Rouge Redstar: Hunter of Alters vs Alter (contest)
  roll      2d6 (4, 4) + 3 = 11, +2 modifiers = 13
  modifier  +2 from Rouge Redstar (member rouge): The Alters' archnemesis
  vs        2d6 (1, 3) + 3 = 7
  margin    +6
success: Rouge Redstar gets the better of Alter. Rouge Redstar has Alter's measure.
effects:
  Alter: gain marked for 1 scene
  Alter: lose disguised
state:
  Alter gains marked
  Alter loses disguised
""",
    ),
    Scenario(
        "shapeshift",
        "use drifter_undisguised.yaml shapeshift --seed 0",
        "1 Nectar, disguised",
        0,
        """\
Alter: Change shape (action)
  roll      2d6 (4, 4) + 3 = 11
  vs        8
  margin    +3
success: Alter does it, cleanly. Alter's face settles into someone else's.
effects:
  Alter: lose nectar 1
  Alter: gain disguised
state:
  Alter: Nectar 5 → 4
  Alter gains disguised
""",
    ),
    Scenario(
        "shapeshift_twice",
        "use @alter_drifter shapeshift --seed 0",
        "already disguised",
        1,
        """\
Error: Change shape requires that not (the actor has disguised); for Alter it does not hold
""",
    ),
    Scenario(
        "see_through",
        "use @ash see_through --target @alter_drifter --seed 20",
        "the disguise works against scrutiny",
        0,
        """\
Investigator Ash: See through a disguise vs Alter (scrutiny)
  roll      2d6 (6, 6) + 4 = 16
  modifier  +1 from Investigator Ash (member ash): An investigator's instinct
  modifier  +1 from Alter's awakened: Free will shows, to a trained eye
  modifier  -2 from Alter's disguised: A borrowed face
  vs        2d6 (2, 3) + 3 = 8
  margin    +8
critical: Investigator Ash sees Alter for exactly what they are. Investigator Ash sees the Alter behind Alter's face.
effects:
  Alter: lose disguised
  Alter: gain exposed
  Alter: advance manhunt 1
state:
  Alter loses disguised
  Alter gains exposed
  Alter: Ochrona's manhunt 2 → 3
  Ochrona has a name for Alter now, and a file.
""",
    ),
    Scenario(
        "see_through_fails",
        "use @ash see_through --target @alter_drifter --seed 2",
        "the borrowed face holds",
        0,
        """\
Investigator Ash: See through a disguise vs Alter (scrutiny)
  roll      2d6 (1, 1) + 4 = 6
  modifier  +1 from Investigator Ash (member ash): An investigator's instinct
  modifier  +1 from Alter's awakened: Free will shows, to a trained eye
  modifier  -2 from Alter's disguised: A borrowed face
  vs        2d6 (1, 3) + 3 = 7
  margin    -1
failure: Alter gives nothing away.
""",
    ),
    Scenario(
        "see_through_needs_a_disguise",
        "use @ash see_through --target drifter_undisguised.yaml --seed 0",
        "requires",
        1,
        """\
Error: See through a disguise requires that the target has disguised; for Investigator Ash it does not hold
""",
    ),
    Scenario(
        "arrest",
        "use @ash arrest --target @alter_drifter --seed 0",
        "Ochrona takes a suspect",
        0,
        """\
Investigator Ash: Arrest vs Alter (contest)
  roll      2d6 (4, 4) + 3 = 11
  vs        2d6 (1, 3) + 3 = 7
  margin    +4
success: Investigator Ash gets the better of Alter. Investigator Ash cuffs Alter.
effects:
  Alter: gain captured
state:
  Alter gains captured
""",
    ),
    Scenario(
        "claim_jurisdiction_fails",
        "use @ash claim_jurisdiction --target @wellstown_officer --seed 2",
        "not within your jurisdiction: 1 Stress",
        0,
        """\
Investigator Ash: Claim jurisdiction vs Wellstown officer (contest)
  roll      2d6 (1, 1) + 3 = 5, -1 modifiers = 4
  modifier  -1 from Investigator Ash's faction ochrona: Not within your jurisdiction
  vs        2d6 (1, 3) + 2 = 6
  margin    -2
failure: Wellstown officer holds against Investigator Ash. Wellstown officer: this case is not within your jurisdiction.
effects:
  Investigator Ash: advance stress 1
state:
  Investigator Ash: Stress 0 → 1
""",
    ),
    Scenario(
        "claim_jurisdiction_partial",
        "use @ash claim_jurisdiction --target @wellstown_officer --seed 11",
        "let in, and watched",
        0,
        """\
Investigator Ash: Claim jurisdiction vs Wellstown officer (contest)
  roll      2d6 (4, 5) + 3 = 12, -1 modifiers = 11
  modifier  -1 from Investigator Ash's faction ochrona: Not within your jurisdiction
  vs        2d6 (4, 4) + 2 = 10
  margin    +1
partial: Investigator Ash edges out Wellstown officer, barely. Wellstown officer lets Investigator Ash in, and watches every step.
""",
    ),
    Scenario(
        "alid_inspection",
        "use @alid_inspector inspect_nean --target @noid_262 --seed 20",
        "the Department's +1 against Neans",
        0,
        """\
ALID inspector: Artificial life inspection vs Noid 262 (scrutiny)
  roll      2d6 (6, 6) + 4 = 16, +1 modifiers = 17
  modifier  +1 from ALID inspector's faction alid: Trained to inspect artificial life
  vs        2d6 (2, 3) + 3 = 8
  margin    +9
critical: ALID inspector sees Noid 262 for exactly what they are.
effects:
  Noid 262: gain exposed
  Noid 262: advance manhunt 2
  Noid 262: lose disguised
state:
  Noid 262 gains exposed
  Noid 262: Ochrona's manhunt 0 → 2
  Noid 262 did not have disguised
""",
    ),
    Scenario(
        "alid_inspection_hunch",
        "use @alid_inspector inspect_nean --target @noid_262 --seed 2",
        "a tie is a hunch",
        0,
        """\
ALID inspector: Artificial life inspection vs Noid 262 (scrutiny)
  roll      2d6 (1, 1) + 4 = 6, +1 modifiers = 7
  modifier  +1 from ALID inspector's faction alid: Trained to inspect artificial life
  vs        2d6 (1, 3) + 3 = 7
  margin    +0
partial: ALID inspector has a hunch about Noid 262, nothing more.
effects:
  Noid 262: advance manhunt 1
state:
  Noid 262: Ochrona's manhunt 0 → 1
""",
    ),
    Scenario(
        "command_nean",
        "use @chau command_nean --target @noid_262 --seed 0",
        "Aletheia's authority: compelled",
        0,
        """\
Chief Chau: Aletheia's command vs Noid 262 (contest)
  roll      2d6 (4, 4) + 5 = 13, -1 modifiers = 12
  modifier  -1 from Chief Chau's faction aletheia: No trust between Aletheia and Ochrona
  vs        2d6 (1, 3) + 3 = 7
  margin    +5
success: Chief Chau gets the better of Noid 262. Noid 262 bows to Aletheia's authority.
effects:
  Noid 262: gain compelled
state:
  Noid 262 gains compelled
""",
    ),
    Scenario(
        "compelled_free_will_odds",
        "free-will noid_compelled.yaml --act disobey --by @ash --odds",
        "-2 to free-will checks",
        0,
        """\
Noid 262: Disobey a human's order: exact odds
  modifier  -2 from Noid 262's compelled
  defiant         0%  0/1
  strained     8.33%  1/12
  bound       91.67%  11/12
  the act goes ahead: 8.33% (1/12)
""",
    ),
    Scenario(
        "inspired_free_will_odds",
        "free-will noid_inspired.yaml --act disobey --by @ash --odds",
        "+1 to free-will checks",
        0,
        """\
Noid 262: Disobey a human's order: exact odds
  modifier  +1 from Noid 262's inspired
  defiant      8.33%  1/12
  strained    33.33%  1/3
  bound       58.33%  7/12
  the act goes ahead: 41.67% (5/12)
""",
    ),
    Scenario(
        "suppressing_fire",
        "use @wellstown_officer suppressing_fire --target @rouge --seed 20",
        "the police's fire",
        0,
        """\
Wellstown officer: Suppressing fire vs Rouge Redstar (attack)
  roll      2d6 (6, 6) + 3 = 15
  vs        2d6 (2, 3) + 4 = 9
  margin    +6
critical: Wellstown officer lands a devastating blow on Rouge Redstar.
effects:
  Rouge Redstar: damage harm 1
  Rouge Redstar: gain suppressed for 1 scene
state:
  Rouge Redstar: Harm 0 → 1
  Rouge Redstar gains suppressed
""",
    ),
    Scenario(
        "ambush",
        "use @suns_militant ambush --target @rouge --seed 0",
        "the Suns of Ares strike first",
        0,
        """\
Suns of Ares militant: Ambush vs Rouge Redstar (contest)
  roll      2d6 (4, 4) + 3 = 11
  vs        2d6 (1, 3) + 3 = 7
  margin    +4
success: Suns of Ares militant gets the better of Rouge Redstar.
effects:
  Rouge Redstar: gain ambushed
state:
  Rouge Redstar gains ambushed
""",
    ),
    Scenario(
        "take_alive",
        "use @suns_militant take_alive --target @rouge --seed 1",
        "a partial pins and hurts",
        0,
        """\
Suns of Ares militant: Take alive vs Rouge Redstar (contest)
  roll      2d6 (2, 5) + 3 = 10
  vs        2d6 (1, 3) + 4 = 8
  margin    +2
partial: Suns of Ares militant edges out Rouge Redstar, barely.
effects:
  Rouge Redstar: gain pinned
  Rouge Redstar: damage harm 1
state:
  Rouge Redstar gains pinned
  Rouge Redstar: Harm 0 → 1
""",
    ),
    Scenario(
        "shelter",
        "use @juval shelter --target @noid_262 --seed 0",
        "the Council takes a Nean in",
        0,
        """\
Juval: Shelter vs Noid 262
used: The Council of Free Neans takes Noid 262 in.
effects:
  Noid 262: heal harm 2
  Noid 262: reduce stress 2
  Noid 262: lose exposed
  Noid 262: reduce manhunt 1
  Noid 262: gain sheltered
state:
  Noid 262: Harm 0 → 0
  Noid 262: Stress 0 → 0
  Noid 262 did not have exposed
  Noid 262: Ochrona's manhunt 0 → 0
  Noid 262 gains sheltered
""",
    ),
    Scenario(
        "influence",
        "use @juval influence --target @noid_262 --seed 20",
        "a critical grows free will",
        0,
        """\
Juval: Influence among Neans vs Noid 262 (contest)
  roll      2d6 (6, 6) + 5 = 17, +1 modifiers = 18
  modifier  +1 from Juval's faction council_of_free_neans: Known and trusted among the Neans
  vs        2d6 (2, 3) + 3 = 8
  margin    +10
critical: Juval overwhelms Noid 262.
effects:
  Noid 262: gain inspired
  Noid 262: advance free_will 1
state:
  Noid 262 gains inspired
  Noid 262: Free will 1 → 2
""",
    ),
    Scenario(
        "barrage",
        "use @usurper_war_machine barrage --target @rouge --seed 0",
        "a war machine's attack",
        0,
        """\
Usurper war machine: Barrage vs Rouge Redstar (attack)
  roll      2d6 (4, 4) + 5 = 13
  vs        2d6 (1, 3) + 4 = 8
  margin    +5
success: Usurper war machine hits Rouge Redstar squarely.
effects:
  Rouge Redstar: damage harm 4 (1d3 (3) + 1 = 4)
state:
  Rouge Redstar: Harm 0 → 4
  Rouge Redstar is badly hurt: leaking, limping, running on will alone.
""",
    ),
    Scenario(
        "barrage_critical",
        "use @usurper_war_machine barrage --target @rouge --seed 20",
        "4 Harm and pinned",
        0,
        """\
Usurper war machine: Barrage vs Rouge Redstar (attack)
  roll      2d6 (6, 6) + 5 = 17
  vs        2d6 (2, 3) + 4 = 9
  margin    +8
critical: Usurper war machine lands a devastating blow on Rouge Redstar.
effects:
  Rouge Redstar: damage harm 4
  Rouge Redstar: gain pinned
state:
  Rouge Redstar: Harm 0 → 4
  Rouge Redstar gains pinned
  Rouge Redstar is badly hurt: leaking, limping, running on will alone.
""",
    ),
    Scenario(
        "visitor_mending",
        "use @visitor_envoy visitor_mending --target @rouge --seed 0",
        "Visitor technology heals",
        0,
        """\
Visitor envoy: Visitor mending vs Rouge Redstar
used: Light from no human machine closes Rouge Redstar's wounds.
effects:
  Rouge Redstar: heal harm 3
  Rouge Redstar: reduce stress 1
state:
  Rouge Redstar: Harm 0 → 0
  Rouge Redstar: Stress 1 → 0
""",
    ),
    Scenario(
        "understanding",
        "use @visitor_envoy understanding --target @suns_militant --seed 0",
        "the Visitors stay a hand",
        0,
        """\
Visitor envoy: Understanding vs Suns of Ares militant (contest)
  roll      2d6 (4, 4) + 4 = 12
  vs        2d6 (1, 3) + 2 = 6
  margin    +6
success: Visitor envoy gets the better of Suns of Ares militant.
effects:
  Suns of Ares militant: gain stayed for 1 scene
state:
  Suns of Ares militant gains stayed
""",
    ),
    Scenario(
        "refused_without_armor",
        "use @viola siren_aria --target @rouge --seed 0",
        "requires actor.has(armored)",
        1,
        """\
Error: Siren aria requires that the actor has armored; for Viola it does not hold
""",
    ),
    Scenario(
        "refused_without_nectar",
        "use giallon_starving.yaml thunderbolt --target @rouge --seed 0",
        "costs 2, has 1",
        1,
        """\
Error: not enough Nectar: Thunderbolt costs 2, Giallon has 1
""",
    ),
    Scenario(
        "explain_check",
        "check @rouge mind --vs @ash:mind --seed 0 --explain",
        "every rule consulted",
        0,
        """\
Rouge Redstar: Contest vs Investigator Ash (stat mind, defense mind)
  roll      2d6 (4, 4) + 3 = 11, -1 modifiers = 10
  modifier  -1 from Rouge Redstar's faction aletheia (rulebooks/metallic_rouge/aletheia.rouge:20): No trust between Aletheia and Ochrona
  vs        2d6 (1, 3) + 4 = 8
  margin    +2
partial: Rouge Redstar edges out Investigator Ash, barely.
why:
  check contest (rulebooks/metallic_rouge/core.rouge:159)
  parameters: stat = mind, defense = mind
  modifier -1 from faction aletheia (rulebooks/metallic_rouge/aletheia.rouge:20): applies: the target is ochrona
  modifier -1 from faction aletheia (rulebooks/metallic_rouge/aletheia.rouge:21): not applied: the actor is nean and the actor's nectar is at most 2 does not hold
  modifier +2 from member rouge (rulebooks/metallic_rouge/aletheia.rouge:30): not applied: the target is alter does not hold
  roll 2d6 + actor[stat] → 2d6 (4, 4) + 3 = 11, -1 modifiers = 10
  vs 2d6 + target[defense] → 2d6 (1, 3) + 4 = 8
  critical when dice == 12: no (total 10, dice 8, margin 2)
  success when margin >= 3: no (total 10, dice 8, margin 2)
  partial when margin >= 1: yes (total 10, dice 8, margin 2)
""",
    ),
    Scenario(
        "explain_power",
        "use @giallon thunderbolt --target @rouge --seed 0 --explain",
        "requires, cost, check",
        0,
        """\
Giallon: Thunderbolt vs Rouge Redstar (attack)
  roll      2d6 (4, 4) + 5 = 13, +2 modifiers = 15
  modifier  +1 armor from Giallon's armored (rulebooks/metallic_rouge/core.rouge:118): Armored strength
  modifier  +1 from Giallon (member giallon) (rulebooks/metallic_rouge/immortal_nine.rouge:24): A killer, whatever the system says
  vs        2d6 (1, 3) + 4 = 8
  margin    +7
success: Giallon hits Rouge Redstar squarely.
effects:
  Giallon: lose nectar 2
  Rouge Redstar: damage harm 4 (1d3 (3) + 1 = 4)
why:
  power thunderbolt (rulebooks/metallic_rouge/immortal_nine.rouge:60)
  requires actor.has(armored): yes
  cost 2 nectar: Giallon has 8
  performs harm_human when target.is(human): no
  check attack (rulebooks/metallic_rouge/core.rouge:168)
  parameters: stat = body, defense = reflex
  modifier +1 armor from condition armored (rulebooks/metallic_rouge/core.rouge:118): applies
  modifier -1 from faction immortal_nine (rulebooks/metallic_rouge/immortal_nine.rouge:18): not applied: the actor's nectar is at most 2 does not hold
  modifier +1 from member giallon (rulebooks/metallic_rouge/immortal_nine.rouge:24): applies
  roll 2d6 + actor[stat] → 2d6 (4, 4) + 5 = 13, +2 modifiers = 15
  vs 2d6 + target[defense] → 2d6 (1, 3) + 4 = 8
  critical when dice == 12: no (total 15, dice 8, margin 7)
  success when margin >= 3: yes (total 15, dice 8, margin 7)
state:
  Giallon: Nectar 8 → 6
  Rouge Redstar: Harm 0 → 4
  Rouge Redstar is badly hurt: leaking, limping, running on will alone.
""",
    ),
    Scenario(
        "explain_free_will",
        "free-will @noid_262 --act disobey --by @ash --seed 9 --explain",
        "the constraint, then the check",
        0,
        """\
Noid 262: Disobey a human's order vs Investigator Ash (free_will_check)
  roll      2d6 (4, 5) + 1 = 10
  vs        10
  margin    +0
strained (the act goes ahead): Noid 262 forces the act through the Code, and it shows. Noid 262 overcomes The Asimov Code: the act goes ahead.
effects:
  Noid 262: lose nectar 1
  Noid 262: advance stress 1
  Noid 262: gain exposed
  Noid 262: advance manhunt 1
why:
  constraint asimov_code: forbid disobey, unless passes free_will_check
  asimov_code: forbid disobey when target.is(human): yes
  check free_will_check (rulebooks/metallic_rouge/core.rouge:186)
  parameters: act = disobey
  modifier -1 from faction ochrona (rulebooks/metallic_rouge/ochrona.rouge:20): not applied: the actor is nean and the actor's nectar is at most 2 does not hold
  roll 2d6 + actor.free_will → 2d6 (4, 5) + 1 = 10
  vs base_dc + act.severity → 10
  defiant when margin >= 3: no (total 10, dice 9, margin 0)
  strained when margin >= 0: yes (total 10, dice 9, margin 0)
state:
  Noid 262: Nectar 6 → 5
  Noid 262: Stress 0 → 1
  Noid 262 gains exposed
  Noid 262: Ochrona's manhunt 0 → 1
""",
    ),
    Scenario(
        "explain_exempt",
        "free-will @giallon --act harm_human --by @ash --seed 0 --explain",
        "the exemption",
        0,
        """\
Giallon: Harm a human vs Investigator Ash
free (the act goes ahead): Giallon is not bound by The Asimov Code (the actor has awakened).
why:
  constraint asimov_code: exempt, the actor has awakened
""",
    ),
    Scenario(
        "odds_plain",
        "check @rouge reflex --dc 9 --odds",
        "exact odds",
        0,
        """\
Rouge Redstar: Action: exact odds
  critical     2.78%  1/36
  success     38.89%  7/18
  partial     41.67%  5/12
  failure     16.67%  1/6
""",
    ),
    Scenario(
        "odds_with_mods",
        "check @rouge reflex --dc 9 --mod 2 --mod -1 --odds",
        "--mod stacks",
        0,
        """\
Rouge Redstar: Action: exact odds
  modifier  +2 from --mod
  modifier  -1 from --mod
  critical     2.78%  1/36
  success     55.56%  5/9
  partial     33.33%  1/3
  failure      8.33%  1/12
""",
    ),
    Scenario(
        "odds_opposed",
        "check @rouge mind --vs @ash:mind --odds",
        "both sides' dice",
        0,
        """\
Rouge Redstar: Contest: exact odds
  modifier  -1 from Rouge Redstar's faction aletheia
  critical     2.78%  1/36
  success      8.10%  35/432
  partial     13.50%  175/1296
  failure     75.62%  245/324
""",
    ),
    Scenario(
        "odds_free_will",
        "free-will @noid_262 --act disobey --by @ash --odds",
        "and the chance the act goes ahead",
        0,
        """\
Noid 262: Disobey a human's order: exact odds
  defiant      2.78%  1/36
  strained    25.00%  1/4
  bound       72.22%  13/18
  the act goes ahead: 27.78% (5/18)
""",
    ),
    Scenario(
        "odds_exempt",
        "free-will @giallon --act harm_human --by @ash --odds",
        "certain",
        0,
        """\
Giallon: Harm a human: exact odds
  free      100%  1/1
  the act goes ahead: 100% (1/1)
""",
    ),
    Scenario(
        "odds_power",
        "use @giallon thunderbolt --target @rouge --odds",
        "with the power's modifiers",
        0,
        """\
Giallon: Thunderbolt: exact odds
  modifier  +1 armor from Giallon's armored
  modifier  +1 from Giallon (member giallon)
  critical     2.78%  1/36
  success     52.85%  685/1296
  partial     20.45%  265/1296
  failure     23.92%  155/648
""",
    ),
    Scenario(
        "odds_without_a_check",
        "use @viola armor_up --odds",
        "certain",
        0,
        """\
Viola: Armor up: exact odds
  used      100%  1/1
""",
    ),
    Scenario(
        "hint_check_without_a_target",
        "check @ash scrutiny --seed 1",
        "a check is given its target with --vs",
        2,
        """\
Error: there is no target here
give one with --vs SHEET
""",
    ),
    Scenario(
        "hint_odds_without_a_target",
        "check @ash scrutiny --odds",
        "odds too",
        2,
        """\
Error: there is no target here
give one with --vs SHEET
""",
    ),
    Scenario(
        "hint_free_will_without_by",
        "free-will @noid_262 --act disobey --seed 1",
        "a free-will attempt names only --by",
        2,
        """\
Error: The Asimov Code forbids disobey when the target is human: there is no target here
say who is involved with --by SHEET
""",
    ),
    Scenario(
        "hint_act_by_a_word",
        "free-will @noid_262 --act harm --by @ash",
        "an act, and the act ids that contain the word",
        2,
        """\
Error: 'harm' is a track, not an act
did you mean 'harm_human'?
""",
    ),
    Scenario(
        "odds_refused",
        "use @viola siren_aria --target @rouge --odds",
        "refused as the roll would be",
        1,
        """\
Error: Siren aria requires that the actor has armored; for Viola it does not hold
""",
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(rouge: Rouge, scenario: Scenario) -> None:
    result = rouge(scenario.command)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output == scenario.output
    assert result.exit_code == scenario.exit_code


def test_every_mechanic_has_a_scenario() -> None:
    commands = " ".join(s.command for s in SCENARIOS)
    abilities = [
        "thunderbolt",
        "siren_aria",
        "quicksilver_chains",
        "crushing_weight",
        "armor_up",
        "red_gladiator",
        "hunt_alters",
        "shapeshift",
        "see_through",
        "arrest",
        "claim_jurisdiction",
        "inspect_nean",
        "command_nean",
        "suppressing_fire",
        "ambush",
        "take_alive",
        "shelter",
        "influence",
        "barrage",
        "visitor_mending",
        "understanding",
    ]
    for ability in abilities:
        assert f" {ability} " in commands, ability
    for act in ("disobey", "harm_human", "lie"):
        assert f"--act {act}" in commands
    for flag in ("--dc", "--vs", "--explain", "--odds", "--mod"):
        assert flag in commands
    outcomes = {s.output.splitlines()[-1] for s in SCENARIOS}
    assert any(o.startswith("  Rouge Redstar: Stress 1 → 2") for o in outcomes)
    refused = [s.id for s in SCENARIOS if s.exit_code == 1]
    assert {"human_refused", "refused_without_armor", "refused_without_nectar"} <= set(refused)
    assert all(s.output.startswith("Error: ") for s in SCENARIOS if s.exit_code)


def test_a_refusal_goes_to_stderr(isolated: Path) -> None:
    result = CliRunner().invoke(
        cli, ["free-will", expand("@naomi"), "--act", "disobey", "--seed", "0", "--no-campaign"]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: Naomi Orthmann is a human: no constraint binds a human "
        "(constraints bind nean), so there is no free-will check to make\n"
    )


def test_without_a_seed_the_seed_is_printed(rouge: Rouge) -> None:
    result = rouge("check @rouge reflex --dc 9")
    assert result.exit_code == 0
    last = result.output.splitlines()[-1]
    found = re.fullmatch(r"seed (\d+) \(rouge \.\.\. --seed (\d+) rolls it again\)", last)
    assert found is not None and found.group(1) == found.group(2)
    again = rouge(f"check @rouge reflex --dc 9 --seed {found.group(1)}")
    assert again.output == "\n".join(result.output.splitlines()[:-1]) + "\n"


# -- JSON ------------------------------------------------------------------------------------


def test_a_resolution_as_json(rouge: Rouge) -> None:
    result = rouge("use @giallon thunderbolt --target @rouge --seed 0 --json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert result.output.count("\n") == 1  # one document, one line
    assert {
        "action",
        "outcome",
        "total",
        "dice",
        "natural",
        "opposition",
        "margin",
        "modifiers",
        "effects",
        "narrative",
        "trace",
        "seed",
    } <= set(data)
    assert (data["action"], data["name"], data["outcome"], data["seed"]) == (
        "use",
        "thunderbolt",
        "success",
        0,
    )
    assert (data["total"], data["natural"], data["opposition"], data["margin"]) == (15, 8, 8, 7)
    assert data["dice"] == "2d6 (4, 4) + 5 = 13, +2 modifiers = 15"
    assert data["vs"] == "2d6 (1, 3) + 4 = 8"
    assert [(m["value"], m["type"], m["source"]) for m in data["modifiers"]] == [
        (1, "armor", "condition armored"),
        (1, None, "member giallon"),
    ]
    assert all(m["applied"] for m in data["modifiers"])
    assert [(m["value"], m["source"]) for m in data["ignored_modifiers"]] == [
        (-1, "faction immortal_nine")
    ]
    assert [
        (e["who"], e["name"], e["verb"], e["what"], e["amount"], e["detail"])
        for e in data["effects"]
    ] == [
        ("actor", "Giallon", "lose", "nectar", 2, None),
        ("target", "Rouge Redstar", "damage", "harm", 4, "1d3 (3) + 1 = 4"),
    ]
    assert data["narrative"] == "Giallon hits Rouge Redstar squarely."
    assert data["trace"][:3] == [
        "power thunderbolt (rulebooks/metallic_rouge/immortal_nine.rouge:60)",
        "requires actor.has(armored): yes",
        "cost 2 nectar: Giallon has 8",
    ]


def test_a_check_and_a_free_will_check_as_json(rouge: Rouge) -> None:
    check = json.loads(rouge("check @rouge reflex --dc 9 --mod 1 --seed 1 --json").output)
    assert (check["action"], check["check"], check["parameters"]) == (
        "check",
        "action",
        {"stat": "reflex", "dc": 9},
    )
    assert (check["outcome"], check["total"], check["natural"], check["vs"]) == (
        "success",
        12,
        7,
        "9",
    )
    assert check["modifiers"] == [
        {
            "value": 1,
            "kind": "total",
            "dice": None,
            "type": None,
            "source": "--mod",
            "bearer": None,
            "location": None,
            "note": None,
            "applied": True,
        }
    ]
    assert check["effects"] == []
    assert check["allowed"] is None
    free = json.loads(rouge("free-will @noid_262 --act disobey --by @ash --seed 9 --json").output)
    assert (free["action"], free["name"], free["check"], free["outcome"], free["allowed"]) == (
        "free-will",
        "disobey",
        "free_will_check",
        "strained",
        True,
    )
    assert [(e["verb"], e["what"], e["amount"]) for e in free["effects"]] == [
        ("lose", "nectar", 1),
        ("advance", "stress", 1),
        ("gain", "exposed", None),
        ("advance", "manhunt", 1),
    ]


def test_odds_as_json(rouge: Rouge) -> None:
    plain = json.loads(rouge("check @rouge reflex --dc 9 --odds --json").output)
    assert plain == {
        "check": "action",
        "odds": {"critical": "1/36", "success": "7/18", "partial": "5/12", "failure": "1/6"},
        "exact": True,
        "modifiers": [],
    }
    free = json.loads(rouge("free-will @noid_262 --act disobey --by @ash --odds --json").output)
    assert free == {
        "check": "free_will_check",
        "odds": {"defiant": "1/36", "strained": "1/4", "bound": "13/18"},
        "exact": True,
        "modifiers": [],
        "allowed": "5/18",
    }
    power = json.loads(rouge("use @giallon thunderbolt --target @rouge --odds --json").output)
    assert power["odds"] == {
        "critical": "1/36",
        "success": "685/1296",
        "partial": "265/1296",
        "failure": "155/648",
    }
    assert sum(Fraction(v) for v in power["odds"].values()) == 1
    assert [(m["value"], m["source"]) for m in power["modifiers"]] == [
        (1, "condition armored"),
        (1, "member giallon"),
    ]


# -- the GM's guide --------------------------------------------------------------------------


def test_the_guides_table_of_degrees_of_success() -> None:
    """docs/metallic-rouge.md, "Degrees of success": against difficulty 8, in whole percent."""
    table = {
        1: [3, 14, 42, 42],
        2: [3, 25, 44, 28],
        3: [3, 39, 42, 17],
        4: [3, 56, 33, 8],
        5: [3, 69, 25, 3],
    }
    rulebook = load()
    for attribute, row in table.items():
        someone = Being.of(
            Character(name="X", faction="humans", kind="human", attributes={"body": attribute})
        )
        found = odds(rulebook, Action.of(rulebook, someone, "body", args={"dc": 8}))
        assert list(found.outcomes) == ["critical", "success", "partial", "failure"]
        assert [round(float(p) * 100) for p in found.outcomes.values()] == row


def test_the_guides_table_of_free_will() -> None:
    """docs/metallic-rouge.md: chance the act goes ahead (and of defiant), Free will 0 to 4."""
    table = {
        "lie": [(28, 3), (42, 8), (58, 17), (72, 28), (83, 42)],
        "disobey": [(17, 0), (28, 3), (42, 8), (58, 17), (72, 28)],
        "harm_human": [(3, 0), (8, 0), (17, 0), (28, 3), (42, 8)],
    }
    rulebook = load()
    human = Being.of(Character(name="H", faction="humans", kind="human"))
    for act, row in table.items():
        for free_will, (goes_ahead, defiant) in enumerate(row):
            nean = Being.of(
                Character(
                    name="N",
                    faction="neans",
                    kind="nean",
                    resources={"nectar": 6},
                    tracks={"free_will": free_will},
                )
            )
            found = odds(rulebook, Action.of(rulebook, nean, act, target=human))
            assert found.allowed is not None
            assert round(float(found.allowed) * 100) == goes_ahead
            assert round(float(found.outcomes["defiant"]) * 100) == defiant


# -- the demo --------------------------------------------------------------------------------

DEMO_SEED_7 = """\
rouge demo, seed 7: Metallic Rouge, the bundled rulebook and sheets

1. Night in Wellstown. Rouge Redstar slips past a police checkpoint.
   $ rouge check rouge.yaml reflex --dc 9
   odds: critical 2.78%, success 38.89%, partial 41.67%, failure 16.67%
   Rouge Redstar: Action (stat reflex, dc 9)
     roll      2d6 (3, 2) + 4 = 9
     vs        9
     margin    +0
   partial: Rouge Redstar does it, but it costs something.
   effects:
     Rouge Redstar: advance stress 1
   state:
     Rouge Redstar: Stress 1 → 2

2. Investigator Ash orders his partner Noid 262 to stand down. Noid wants to follow her.
   $ rouge free-will noid_262.yaml --act disobey --by ash.yaml
   odds: defiant 2.78%, strained 25.00%, bound 72.22%
   the act goes ahead: 27.78%
   Noid 262: Disobey a human's order vs Investigator Ash (free_will_check)
     roll      2d6 (4, 6) + 1 = 11
     vs        10
     margin    +1
   strained (the act goes ahead): Noid 262 forces the act through the Code, and it shows. Noid 262 overcomes The Asimov Code: the act goes ahead.
   effects:
     Noid 262: lose nectar 1
     Noid 262: advance stress 1
     Noid 262: gain exposed
     Noid 262: advance manhunt 1
   state:
     Noid 262: Nectar 6 → 5
     Noid 262: Stress 0 → 1
     Noid 262 gains exposed
     Noid 262: Ochrona's manhunt 0 → 1

3. Giallon, armored, steps out of the cathedral's shadow and calls down the lightning.
   $ rouge use giallon.yaml thunderbolt --target rouge.yaml
   odds: critical 2.78%, success 52.85%, partial 20.45%, failure 23.92%
   Giallon: Thunderbolt vs Rouge Redstar (attack)
     roll      2d6 (1, 1) + 5 = 7, +2 modifiers = 9
     modifier  +1 armor from Giallon's armored: Armored strength
     modifier  +1 from Giallon (member giallon): A killer, whatever the system says
     vs        2d6 (5, 1) + 4 = 10
     margin    -1
   failure: Rouge Redstar slips away from Giallon.
   effects:
     Giallon: lose nectar 2
   state:
     Giallon: Nectar 8 → 6

Next: rouge rules show asimov_code · rouge check --help · rouge campaign init
"""


def test_the_demo_with_seed_7(isolated: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["demo", "--seed", "7"])
    again = runner.invoke(cli, ["demo", "--seed", "7"])
    assert result.exit_code == 0
    assert result.output == DEMO_SEED_7
    assert again.output == DEMO_SEED_7
