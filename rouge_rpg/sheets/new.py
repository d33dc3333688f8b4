"""`new_sheet`: the YAML text of a valid starting sheet, with a comment on every field."""

from __future__ import annotations

import re
from typing import TypeVar

import attrs

from rouge_rpg import resources
from rouge_rpg.beings import Character
from rouge_rpg.errors import InputError, RougeError
from rouge_rpg.rules import ast
from rouge_rpg.rules.explain import words
from rouge_rpg.rules.load import display_path
from rouge_rpg.rules.rulebook import Rulebook, UnknownDefinition
from rouge_rpg.sheets.validate import may_hold, unmet_requirements, who_may_hold
from rouge_rpg.sheets.yamlsource import parse_yaml

D = TypeVar("D", bound=ast.Definition)

#: Characters written as they are inside a double-quoted YAML value (YAML's printable set,
#: without line breaks, which YAML would fold, and the byte order mark).
_AS_IS = re.compile(
    "[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def quoted(text: str) -> str:
    """`text` as a double-quoted YAML value, with escapes for anything unprintable."""
    out = ['"']
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _AS_IS.fullmatch(char):
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return "".join(out) + '"'


def scalar(text: str) -> str:
    """`text` as a YAML value that reads back as exactly that text.

    Plain when that is safe (`Rouge Redstar`), else double-quoted (`"yes"`,
    `"Jean: no last name"`), with escapes where YAML needs them.
    """
    if text and text == text.strip() and all(_AS_IS.fullmatch(c) for c in text):
        try:
            document = parse_yaml(f"k: {text}\n", "<value>")
        except RougeError:
            pass
        else:
            if document.to_python() == {"k": text}:
                return text
    return quoted(text)


def article(word: str) -> str:
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"


def _require(
    rulebook: Rulebook,
    id: str,
    cls: type[D],
    what: str,
    choices: list[str] | None = None,
) -> D:
    """`rulebook.require`, whose error also lists the valid choices."""
    try:
        return rulebook.require(id, cls)
    except UnknownDefinition as error:
        if choices is None:
            choices = [i for i, d in rulebook.definitions.items() if isinstance(d, cls)]
        listed = f"{what}: {', '.join(choices) or 'none'}"
        error.hint = f"{error.hint}\n{listed}" if error.hint else listed
        raise


def new_sheet(
    rulebook: Rulebook,
    faction: str,
    name: str,
    member: str | None = None,
    *,
    kind: str | None = None,
) -> str:
    """A starting sheet for a character of `faction`, as YAML text.

    Attributes are at their defaults (or the low end, to be set, when there is
    none), the faction's abilities that the character may hold are listed,
    with the member's own powers, granted resources at their start, tracks at
    their low end, and no conditions. `kind` defaults to the faction's kind;
    a faction that fixes none (whose members may be humans or Neans) asks for
    it. A granted resource that the kind does not carry (a human's Nectar:
    `for kind nean` on the resource) is left out. Unknown or unfitting ids, and
    a missing kind, raise a `RougeError` (exit status 2) listing the choices.
    """
    f = _require(rulebook, faction, ast.Faction, "factions")
    if not name.strip():
        raise InputError("the name is empty: give the character a name")
    own = [
        d.id.text
        for d in rulebook.definitions.values()
        if isinstance(d, ast.Member) and d.faction.text == f.id.text
    ]
    m = None
    if member is not None:
        m = _require(rulebook, member, ast.Member, f"members of {f.id}", own)
    if m is not None and m.faction.text != f.id.text:
        raise RougeError(
            f"member '{m.id}' belongs to faction '{m.faction}', not '{f.id}'",
            hint=f"the members of {f.id} are: {', '.join(own)}"
            if own
            else f"{f.id} has no members",
        )
    kinds = [d for d in rulebook.definitions.values() if isinstance(d, ast.Kind)]
    fixed = f.being.text if f.being is not None else None
    fitting = [k.id.text for k in kinds if fixed is None or rulebook.is_kind(k.id.text, fixed)]
    if kind is not None:
        chosen = _require(rulebook, kind, ast.Kind, f"kinds for faction {f.id}", fitting).id.text
        if chosen not in fitting:
            raise RougeError(
                f"kind '{chosen}' does not fit faction '{f.id}', whose members are of kind "
                f"'{fixed}'",
                hint="choose one of: " + ", ".join(fitting),
            )
    elif fixed is not None:
        chosen = fixed
    elif len(fitting) == 1:
        chosen = fitting[0]
    elif fitting:
        raise RougeError(
            f"faction '{f.id}' does not fix the kind of its members: choose one with --kind",
            hint=f"kinds for faction {f.id}: {', '.join(fitting)}",
        )
    else:
        raise RougeError(f"the rulebook has no kinds, so faction '{f.id}' cannot have members")

    definitions = list(rulebook.definitions.values())
    attributes = [d for d in definitions if isinstance(d, ast.Attribute)]
    tracks = [d for d in definitions if isinstance(d, ast.Track)]
    carried = [
        g
        for g in f.grants
        if not isinstance(r := rulebook.get(g.resource.text), ast.Resource)
        or may_hold(rulebook, r, f.id.text, chosen, m.id.text if m else None)
    ]
    character = Character(
        name=name,
        faction=f.id.text,
        kind=chosen,
        member=m.id.text if m else None,
        attributes={a.id.text: a.default if a.default is not None else a.low for a in attributes},
        resources={g.resource.text: _start(rulebook, g) for g in carried},
        tracks={t.id.text: t.low for t in tracks},
    )
    abilities = _abilities(rulebook, f, character)
    character = attrs.evolve(character, abilities=tuple(abilities))

    out = [
        f"# A character sheet for {rulebook.title}, made by `rouge sheet new`.",
        f"# Check it with: {_validate_command(rulebook)}",
        "",
        "# The character's name.",
        f"name: {scalar(name)}",
    ]
    out.append(
        f"# Faction: {_titled(f)}." + (f" Its members are of kind {fixed}." if fixed else "")
    )
    out.extend(f"# Trait: {t}" for t in f.traits)
    out.append(f"faction: {f.id}")
    kind_definition = rulebook.get(chosen)
    assert kind_definition is not None
    if fixed is None:
        note = f"Faction {f.id} does not fix the kind: choose one of {', '.join(fitting)}."
    elif len(fitting) > 1:
        note = f"It may also be a sub-kind of {fixed}: {', '.join(fitting[1:])}."
    else:
        note = f"Faction {f.id} fixes it, so this line may be left out."
    out += [f"# Kind: {_titled(kind_definition)}. {note}", f"kind: {chosen}"]
    if m is not None:
        dead = " (deceased in the rulebook)" if m.deceased else ""
        out += [f"# Member: {_titled(m)}, of {f.display}{dead}.", f"member: {m.id}"]

    out.append("# Attributes: whole numbers, each within its range.")
    if attributes:
        out.append("attributes:")
        for a in attributes:
            note = f"default {a.default}" if a.default is not None else "no default: set it"
            word = "Skill" if a.skill else "Attribute"
            out += [
                f"  # {word} {a.display}: {a.low}..{a.high}, {note}.",
                f"  {a.id}: {character.attributes[a.id.text]}",
            ]
    else:
        out.append("attributes: {}")

    others = [
        _other(rulebook, d, character)
        for d in definitions
        if isinstance(d, ast.Ability)
        and d.holders
        and d.id.text not in abilities
        and may_hold(rulebook, d, character.faction, character.kind, character.member)
    ]
    out.append(
        "# Abilities and powers (ids)."
        + (f" Others this character may take: {', '.join(others)}." if others else "")
    )
    if abilities:
        out.append("abilities:")
        for ability_id in abilities:
            out += [f"  # {_ability_note(rulebook, ability_id)}", f"  - {ability_id}"]
    else:
        out.append("abilities: []")

    out.append("# Resources that the faction grants: current value, from 0 to the maximum.")
    for g in f.grants:
        if g not in carried:
            r = rulebook.get(g.resource.text)
            assert isinstance(r, ast.Resource)
            out.append(
                f"# ({f.display} grants {r.display}, but only {who_may_hold(r)} carries it; "
                f"not {article(chosen)} {chosen}.)"
            )
    if carried:
        out.append("resources:")
        for g in carried:
            r = rulebook.get(g.resource.text)
            assert isinstance(r, ast.Resource)
            decay = f", decays {r.decay} per {r.decay_unit}" if r.decay else ""
            out += [
                f"  # {r.display}: 0..{r.maximum}, starts at {character.resources[r.id.text]}"
                f"{decay}.",
                f"  {r.id}: {character.resources[r.id.text]}",
            ]
    else:
        out.append("resources: {}")

    out.append("# Tracks and clocks: a value within the range; one left out is at its low end.")
    if tracks:
        out.append("tracks:")
        for t in tracks:
            if t.clock:
                what = f"a clock of {t.high} segments"
            else:
                what = f"{t.low}..{t.high}" + ("; damage advances it" if t.takes_damage else "")
            out += [f"  # {t.display}: {what}.", f"  {t.id}: {t.low}"]
    else:
        out.append("tracks: {}")

    conditions = [d.id.text for d in definitions if isinstance(d, ast.Condition)]
    shown = ", ".join(conditions[:8])
    if len(conditions) > 8:
        shown += f" and {len(conditions) - 8} more"
    out.append(
        "# Conditions (ids), none to start with"
        + (f"; the rulebook's: {shown}." if conditions else ".")
    )
    out.append("conditions: []")
    out += ["# Free text: looks, history, goals. Write `notes: |` for several lines.", 'notes: ""']
    return "\n".join(out) + "\n"


def _start(rulebook: Rulebook, grant: ast.Grant) -> int:
    if grant.start is not None:
        return grant.start
    resource = rulebook.get(grant.resource.text)
    if isinstance(resource, ast.Resource) and resource.start is not None:
        return resource.start
    return 0


def _abilities(rulebook: Rulebook, faction: ast.Faction, character: Character) -> list[str]:
    """The faction's abilities and the member's own powers that the character may hold."""
    candidates = [a.text for a in faction.abilities]
    if character.member is not None:
        candidates += [
            d.id.text
            for d in rulebook.definitions.values()
            if isinstance(d, ast.Ability)
            and any(
                h.kind == "member" and character.member in {i.text for i in h.ids}
                for h in d.holders
            )
        ]
    chosen: list[str] = []
    for ability_id in candidates:
        d = rulebook.get(ability_id)
        if (
            isinstance(d, ast.Ability)
            and ability_id not in chosen
            and may_hold(rulebook, d, character.faction, character.kind, character.member)
            and not unmet_requirements(rulebook, d, character)
        ):
            chosen.append(ability_id)
    return chosen


def _other(rulebook: Rulebook, ability: ast.Ability, character: Character) -> str:
    """`red_gladiator (if the actor is alter)`: an ability the character could take."""
    unmet = unmet_requirements(rulebook, ability, character)
    return ability.id.text + (f" (if {' and '.join(words(t) for t in unmet)})" if unmet else "")


def _ability_note(rulebook: Rulebook, ability_id: str) -> str:
    d = rulebook.get(ability_id)
    assert isinstance(d, ast.Ability)
    costs = ", ".join(f"{c.amount} {c.resource}" for c in d.costs)
    return f"{d.display} ({d.kind})" + (f": costs {costs}." if costs else ".")


def _titled(d: ast.Definition) -> str:
    return f"{d.title} ({d.id})" if d.title else d.id.text


def _validate_command(rulebook: Rulebook) -> str:
    command = "rouge sheet validate FILE"
    bundled = display_path(resources.bundled_rulebook())
    if rulebook.folders and rulebook.folders != (bundled,):
        command += "".join(f" --rulebook {folder}" for folder in rulebook.folders)
    return command
