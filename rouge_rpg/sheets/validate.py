"""Check a sheet against a rulebook: every problem at once, each at its key or value.

`validate(sheet, rulebook)` judges what `load` could not: that every id names
a definition of the right kind (with a suggestion when it does not), that
values are within their ranges, that the kind and member fit the faction, that
the character may hold each ability (its `for` lines) and meets the
prerequisites that the sheet alone can judge, and that resources are ones the
faction grants. When there are no errors it also builds the `Character`, with
every default filled in.

Prerequisites (`requires`) are judged when they read only the actor's
attributes, kind, faction or member, constants and numbers: those cannot
change in play. A test that reads conditions, resources, tracks or a target,
or rolls dice, is about the moment of use, so the engine judges it then.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from typing import TypeVar, assert_never

import attrs

from rouge_rpg.beings import Character
from rouge_rpg.diagnostics import Diagnostic, Span
from rouge_rpg.dice import ast as dice
from rouge_rpg.errors import CheckFailed, RougeError
from rouge_rpg.rules import ast
from rouge_rpg.rules.check import kind_word
from rouge_rpg.rules.explain import words
from rouge_rpg.rules.rulebook import Rulebook
from rouge_rpg.sheets.load import KEYS, Entry, Field, Sheet, load

D = TypeVar("D", bound=ast.Definition)
T = TypeVar("T")

#: Where each kind of definition goes on a sheet, for "put it under ..." hints.
SECTIONS = {
    "attribute": "attributes",
    "ability": "abilities",
    "power": "abilities",
    "resource": "resources",
    "track": "tracks",
    "clock": "tracks",
    "condition": "conditions",
    "faction": "faction",
    "kind": "kind",
    "member": "member",
}
#: How hints name the definitions of a role, in the plural.
PLURALS = {
    "ability or power": "abilities and powers",
    "track or clock": "tracks and clocks",
}
#: Most ids a hint lists before it gives up ("the factions are: ...").
MAX_LISTED = 12


@attrs.frozen
class Validated:
    """The character (None when there are errors) and every diagnostic, in file order."""

    character: Character | None
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    @property
    def valid(self) -> bool:
        return self.character is not None


def validate(sheet: Sheet, rulebook: Rulebook) -> Validated:
    """Check `sheet` against `rulebook`; never raises for a problem of the sheet."""
    return _Validator(sheet, rulebook).run()


def read_character(path: str | os.PathLike[str], rulebook: Rulebook) -> Character:
    """The character of the sheet at `path`.

    Raises `InputError`/`LimitError` (exit status 2) for an unreadable file,
    and `CheckFailed` (exit status 1), with every diagnostic, for an invalid one.
    """
    sheet = load(path)
    result = validate(sheet, rulebook)
    if result.character is None:
        raise CheckFailed(result.diagnostics, {sheet.file: sheet.source})
    return result.character


def find(rulebook: Rulebook, id: str, cls: type[D], role: str, span: Span | None) -> D | Diagnostic:
    """The definition `id` if it is a `cls`; else an error with a suggestion."""
    found = rulebook.get(id)
    if isinstance(found, cls):
        return found
    candidates = [d.id.text for d in rulebook.definitions.values() if isinstance(d, cls)]
    close = difflib.get_close_matches(id, candidates, n=1, cutoff=0.6)
    hint: str | None = None
    if found is None:
        message = f"the rulebook has no {role} '{id}'"
    else:
        message = f"'{id}' is {kind_word(found.kind)}, not {kind_word(role)}"
        section = SECTIONS.get(found.kind)
        if section is not None and section != SECTIONS.get(cls.KIND):
            hint = f"it belongs under '{section}'"
    if hint is None and close:
        hint = f"did you mean '{close[0]}'?"
    elif hint is None:
        hint = listing(PLURALS.get(role, role + "s"), candidates)
    return Diagnostic("error", message, span, hint)


def listing(plural: str, ids: list[str]) -> str | None:
    """`the factions are: a, b, c`, if there are few enough to list."""
    if not ids or len(ids) > MAX_LISTED:
        return None
    return f"the {plural} are: " + ", ".join(ids)


def _article(word: str) -> str:
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"


def who_may_hold(ability: ast.Ability | ast.Resource) -> str:
    """`kind human or faction aletheia`, from the ability's `for` lines."""
    return " or ".join(f"{h.kind} {' or '.join(i.text for i in h.ids)}" for h in ability.holders)


def may_hold(
    rulebook: Rulebook,
    ability: ast.Ability | ast.Resource,
    faction: str | None,
    kind: str | None,
    member: str | None,
    *,
    member_known: bool = True,
) -> bool | None:
    """Whether the `for` lines (of an ability, or of a resource: who carries it) admit
    the character; None when that cannot be told.

    None for `faction` or `kind` means it is not known (an error elsewhere);
    None for `member` is no member, unless `member_known` is false.
    """
    if not ability.holders:
        return True
    unsure = False
    for h in ability.holders:
        ids = {i.text for i in h.ids}
        if h.kind == "faction":
            if faction is None:
                unsure = True
            elif faction in ids:
                return True
        elif h.kind == "kind":
            if kind is None:
                unsure = True
            elif any(rulebook.is_kind(kind, k) for k in ids):
                return True
        elif h.kind == "member":
            if not member_known:
                unsure = True
            elif member in ids:
                return True
    return None if unsure else False


def judgeable(node: ast.Test, rulebook: Rulebook) -> bool:
    """Whether a test reads only what a sheet fixes: attributes, kind, faction, member.

    Constants, numbers and definition names are fine; conditions, resources,
    tracks, a target, parameters, roll values and dice are not.
    """
    return _judgeable(node, rulebook, set())


def _judgeable(node: ast.Test, rulebook: Rulebook, seen: set[str]) -> bool:
    for current in ast.walk(node):
        match current:
            case dice.Dice() | dice.Group() | ast.Pool():
                return False
            case ast.Reference():
                if not _reads_the_sheet(current, rulebook, seen):
                    return False
            case ast.Call():
                if current.subject.text != "actor" or current.method.text != "is":
                    return False
            case (
                dice.Literal()
                | ast.Boolean()
                | ast.AnyOf()
                | ast.AllOf()
                | ast.Not()
                | dice.Compare()
                | dice.Sum()
                | dice.Product()
                | dice.Parenthetical()
                | dice.Labeled()
                | dice.Negate()
                | ast.Extreme()
                | ast.Choice()
                | ast.Named()
                | ast.Count()
            ):
                continue
            case _:
                assert_never(current)
    return True


def _reads_the_sheet(ref: ast.Reference, rulebook: Rulebook, seen: set[str]) -> bool:
    """Whether a reference reads only the sheet, constants and definition names."""
    if ref.index is not None:
        return False
    if ref.root == "actor":
        if len(ref.path) != 2:
            return False
        field = ref.path[1].text
        return field in ("kind", "faction", "member", "name") or isinstance(
            rulebook.get(field), ast.Attribute
        )
    found = rulebook.get(ref.root)
    if isinstance(found, ast.Constant) and len(ref.path) == 1:
        if ref.root in seen:
            return True
        seen.add(ref.root)
        return _judgeable(found.value, rulebook, seen)
    return found is not None and len(ref.path) == 1 and not isinstance(found, ast.Act)


def conjuncts(tests: Iterable[ast.Test]) -> list[ast.Test]:
    """`a and b` as `a`, `b`, so that each part is judged on its own."""
    out: list[ast.Test] = []
    for t in tests:
        if isinstance(t, ast.AllOf):
            out.extend(conjuncts(t.operands))
        else:
            out.append(t)
    return out


def unmet_requirements(
    rulebook: Rulebook, ability: ast.Ability, character: Character
) -> list[ast.Test]:
    """The judgeable parts of the ability's `requires` lines that the character fails."""
    from rouge_rpg.beings import Being
    from rouge_rpg.rules.evaluate import Context, test

    ctx = Context(rulebook, Being.of(character))
    failed = []
    for requirement in conjuncts(ability.requires):
        if not judgeable(requirement, rulebook):
            continue
        try:
            holds = test(requirement, ctx)
        except (RougeError, KeyError, ValueError):
            continue
        if not holds:
            failed.append(requirement)
    return failed


def requirement_hint(node: ast.Test, character: Character, rulebook: Rulebook) -> str | None:
    """`this character: wits 2`, `this character: body 3; gifted is 4`: what a test read."""
    from rouge_rpg.beings import Being
    from rouge_rpg.rules.evaluate import Context, number

    mine: list[str] = []
    constants: list[str] = []
    for ref in ast.references(node):
        field = ref.path[1].text if len(ref.path) == 2 else None
        if ref.root == "actor" and field in ("kind", "faction", "member"):
            mine.append(f"{field} {getattr(character, field) or 'none'}")
        elif ref.root == "actor" and field is not None:
            mine.append(f"{field} {character.attributes.get(field, 'none')}")
        elif isinstance(rulebook.get(ref.root), ast.Constant):
            try:
                shown = number(ref, Context(rulebook, Being.of(character)))
            except (RougeError, KeyError, ValueError):
                continue
            constants.append(f"{ref.root} is {shown}")
    for call in _calls(node):
        what = rulebook.get(call.argument.text)
        field = what.KIND if isinstance(what, ast.Faction | ast.Member) else "kind"
        mine.append(f"{field} {getattr(character, field) or 'none'}")
    parts = [", ".join(dict.fromkeys(mine)), ", ".join(dict.fromkeys(constants))]
    text = "; ".join(p for p in parts if p)
    return f"this character: {text}" if text else None


def _calls(node: ast.Test) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call)]


class _Validator:
    """One run of `validate`: collects diagnostics and the values of the character."""

    def __init__(self, sheet: Sheet, rulebook: Rulebook) -> None:
        self.sheet = sheet
        self.rulebook = rulebook
        self.diagnostics: list[Diagnostic] = list(sheet.diagnostics)
        #: The errors that a key's absence caused, by key (`name`, `attributes`...).
        self.absent: dict[str, list[Diagnostic]] = {}

    def error(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic("error", message, span, hint))

    def missing(self, key: str, message: str, span: Span | None, hint: str | None = None) -> None:
        """An error that the absence of top-level `key` causes."""
        found = Diagnostic("error", message, span, hint)
        self.diagnostics.append(found)
        self.absent.setdefault(key, []).append(found)

    def misspellings(self) -> None:
        """A misspelt key that hides a required one (`atributes:`) is an error, not a warning.

        It takes the place of the errors the hidden key's absence caused: the
        misspelling is what to fix.
        """
        for key, _ in self.sheet.root.items():
            name = key.value if isinstance(key.value, str) else key.text
            if isinstance(key.value, str) and key.value in KEYS:
                continue
            close = difflib.get_close_matches(str(name).lower(), KEYS, n=1, cutoff=0.6)
            if not close or close[0] not in self.absent:
                continue
            hidden = close[0]
            caused = self.absent[hidden]
            for index, d in enumerate(self.diagnostics):
                if not d.is_error and d.span == key.span:
                    self.diagnostics[index] = Diagnostic(
                        "error",
                        f"unknown key '{name}' hides the required key '{hidden}'",
                        key.span,
                        f"did you mean '{hidden}'?",
                    )
            self.diagnostics = [d for d in self.diagnostics if all(d is not c for c in caused)]

    def warn(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic("warning", message, span, hint))

    def find(self, id: str, cls: type[D], role: str, span: Span) -> D | None:
        found = find(self.rulebook, id, cls, role, span)
        if isinstance(found, Diagnostic):
            self.diagnostics.append(found)
            return None
        return found

    def ids(self, cls: type[ast.Definition]) -> list[str]:
        return [d.id.text for d in self.rulebook.definitions.values() if isinstance(d, cls)]

    # -- the run ---------------------------------------------------------------
    def run(self) -> Validated:
        sheet = self.sheet
        root_span = sheet.root.span
        name = self.name(root_span)
        faction = self.faction(root_span)
        kind = self.kind(faction, root_span)
        member, member_known = self.member(faction)
        attributes = self.attributes(root_span)
        resources = self.resources(faction, kind, member, member_known)
        tracks = self.tracks()
        conditions = self.conditions()
        notes = sheet.notes.value if sheet.notes is not None else ""
        provisional = Character(
            name=name or "",
            faction=faction.id.text if faction else "",
            kind=kind or "",
            member=member,
            attributes=attributes,
            resources=resources,
            tracks=tracks,
            conditions=frozenset(conditions),
            notes=notes or "",
            file=sheet.file,
        )
        abilities = self.abilities(
            provisional, faction is not None, kind is not None, member_known, attributes
        )
        self.misspellings()
        self.diagnostics.sort(key=_position)
        if any(d.is_error for d in self.diagnostics):
            return Validated(None, self.diagnostics)
        return Validated(attrs.evolve(provisional, abilities=tuple(abilities)), self.diagnostics)

    def name(self, root_span: Span) -> str | None:
        field = self.sheet.name
        if field is None:
            self.missing(
                "name", "missing key 'name'", root_span, "give the character's name: name: ..."
            )
            return None
        if field.value is not None and not field.value.strip():
            self.error("the name is empty", field.node.span)
            return None
        return field.value

    def faction(self, root_span: Span) -> ast.Faction | None:
        field = self.sheet.faction
        if field is None:
            self.missing(
                "faction", "missing key 'faction'", root_span, listing("factions", self.factions())
            )
            return None
        if field.value is None:
            return None
        return self.find(field.value, ast.Faction, "faction", field.node.span)

    def factions(self) -> list[str]:
        return self.ids(ast.Faction)

    def kind(self, faction: ast.Faction | None, root_span: Span) -> str | None:
        field = self.sheet.kind
        fixed = faction.being.text if faction is not None and faction.being else None
        if field is None:
            if faction is not None and fixed is None:
                self.missing(
                    "kind",
                    "missing key 'kind'",
                    root_span,
                    f"faction '{faction.id}' does not say what kind its members are; "
                    + (listing("kinds", self.ids(ast.Kind)) or "give one"),
                )
            return fixed
        if field.value is None:
            return None
        found = self.find(field.value, ast.Kind, "kind", field.node.span)
        if found is None:
            return None
        if (
            faction is not None
            and fixed is not None
            and not self.rulebook.is_kind(found.id.text, fixed)
        ):
            below = [
                k for k in self.ids(ast.Kind) if k != fixed and self.rulebook.is_kind(k, fixed)
            ]
            choice = f"'{fixed}'" + (f" or a sub-kind of it ({', '.join(below)})" if below else "")
            self.error(
                f"kind '{found.id}' does not fit faction '{faction.id}', "
                f"whose members are of kind '{fixed}'",
                field.node.span,
                f"write {choice}, or leave 'kind' out",
            )
            return None
        return found.id.text

    def member(self, faction: ast.Faction | None) -> tuple[str | None, bool]:
        """The member id (None: no member) and whether that is known."""
        field = self.sheet.member
        if field is None:
            return None, True
        if field.value is None:
            return None, False
        members = [
            d
            for d in self.rulebook.definitions.values()
            if isinstance(d, ast.Member)
            and faction is not None
            and d.faction.text == faction.id.text
        ]
        own = [m.id.text for m in members]
        span = field.node.span
        found = self.rulebook.get(field.value)
        if not isinstance(found, ast.Member):
            diagnostic = find(self.rulebook, field.value, ast.Member, "member", span)
            assert isinstance(diagnostic, Diagnostic)
            close = difflib.get_close_matches(field.value, own, n=1, cutoff=0.6)
            if close:
                diagnostic = attrs.evolve(diagnostic, hint=f"did you mean '{close[0]}'?")
            elif faction is not None and not own:
                diagnostic = attrs.evolve(
                    diagnostic,
                    hint=f"faction '{faction.id}' has no members: leave 'member' out",
                )
            elif faction is not None:
                diagnostic = attrs.evolve(diagnostic, hint=listing(f"members of {faction.id}", own))
            self.diagnostics.append(diagnostic)
            return None, False
        if faction is None:
            return found.id.text, True
        if found.faction.text != faction.id.text:
            if own:
                hint = listing(f"members of {faction.id}", own)
                message = (
                    f"member '{found.id}' belongs to faction '{found.faction}', not '{faction.id}'"
                )
            else:
                hint = "leave 'member' out"
                message = (
                    f"member '{found.id}' belongs to faction '{found.faction}', "
                    f"and faction '{faction.id}' has no members"
                )
            self.error(message, span, hint)
            return None, False
        if found.deceased:
            self.warn(f"member '{found.id}' is deceased in the rulebook", span)
        return found.id.text, True

    def attributes(self, root_span: Span) -> dict[str, int]:
        field = self.sheet.attributes
        given: dict[str, int | None] = {}
        for entry in _contents(field):
            found = self.find(entry.id, ast.Attribute, "attribute", entry.key.span)
            if found is None:
                continue
            given[entry.id] = entry.value
            self.in_range(entry, found.low, found.high, "skill" if found.skill else "attribute")
        values: dict[str, int] = {}
        where = field.key.span if field is not None else root_span
        for d in self.rulebook.definitions.values():
            if not isinstance(d, ast.Attribute):
                continue
            value = given.get(d.id.text)
            if d.id.text in given:
                if value is not None:
                    values[d.id.text] = value
            elif d.default is not None:
                values[d.id.text] = d.default
            elif field is None or field.value is not None:
                word = "skill" if d.skill else "attribute"
                title = f"{d.title}, " if d.title else ""
                message = f"missing {word} '{d.id}' ({title}{d.low}..{d.high})"
                hint = f"give it a value under 'attributes', such as: {d.id}: {d.low}"
                if field is None:
                    self.missing("attributes", message, where, hint)
                else:
                    self.error(message, where, hint)
        return values

    def in_range(self, entry: Entry, low: int, high: int, what: str) -> None:
        if entry.value is not None and not low <= entry.value <= high:
            self.error(
                f"{entry.value} is outside the range of {what} '{entry.id}' ({low}..{high})",
                entry.node.span,
            )

    def resources(
        self, faction: ast.Faction | None, kind: str | None, member: str | None, known: bool
    ) -> dict[str, int]:
        field = self.sheet.resources
        grants = {g.resource.text: g for g in faction.grants} if faction is not None else None
        who = faction.id.text if faction is not None else None

        def carries(resource: ast.Resource) -> bool | None:
            return may_hold(self.rulebook, resource, who, kind, member, member_known=known)

        given: dict[str, int] = {}
        for entry in _contents(field):
            found = self.find(entry.id, ast.Resource, "resource", entry.key.span)
            if found is None:
                continue
            if faction is not None and grants is not None and entry.id not in grants:
                hint = (
                    "its resources are: " + ", ".join(grants)
                    if grants
                    else "it grants none: leave them out"
                )
                self.error(
                    f"faction '{faction.id}' does not grant resource '{entry.id}'",
                    entry.key.span,
                    hint,
                )
                continue
            if carries(found) is False:
                self.error(
                    f"{_article(kind or '')} {kind} does not carry {found.display} "
                    f"(resource '{found.id}' is for {who_may_hold(found)})",
                    entry.key.span,
                    "leave it out",
                )
                continue
            self.in_range(entry, 0, found.maximum, "resource")
            if entry.value is not None:
                given[entry.id] = entry.value
        if field is not None:
            # A `resources` mapping lists exactly what the character carries:
            # an Ochrona human writes `resources: {}` and carries no Nectar.
            return given
        values: dict[str, int] = {}
        for resource_id, grant in (grants or {}).items():
            resource = self.rulebook.get(resource_id)
            if isinstance(resource, ast.Resource) and carries(resource) is False:
                continue  # a human of Aletheia carries no Nectar
            if resource_id in given:
                values[resource_id] = given[resource_id]
            elif grant.start is not None:
                values[resource_id] = grant.start
            elif isinstance(resource, ast.Resource) and resource.start is not None:
                values[resource_id] = resource.start
            else:
                values[resource_id] = 0
        return values

    def tracks(self) -> dict[str, int]:
        field = self.sheet.tracks
        given: dict[str, int] = {}
        for entry in _contents(field):
            found = self.find(entry.id, ast.Track, "track or clock", entry.key.span)
            if found is None:
                continue
            self.in_range(entry, found.low, found.high, found.kind)
            if entry.value is not None:
                given[entry.id] = entry.value
        return {
            d.id.text: given.get(d.id.text, d.initial)
            for d in self.rulebook.definitions.values()
            if isinstance(d, ast.Track)
        }

    def conditions(self) -> list[str]:
        field = self.sheet.conditions
        found = []
        for item in _contents(field):
            if self.find(item.id, ast.Condition, "condition", item.node.span) is not None:
                found.append(item.id)
        return found

    def abilities(
        self,
        character: Character,
        faction_known: bool,
        kind_known: bool,
        member_known: bool,
        attributes: dict[str, int],
    ) -> list[str]:
        field = self.sheet.abilities
        held: list[str] = []
        attributes_complete = all(
            d.id.text in attributes
            for d in self.rulebook.definitions.values()
            if isinstance(d, ast.Attribute)
        )
        for item in _contents(field):
            found = self.find(item.id, ast.Ability, "ability or power", item.node.span)
            if found is None:
                continue
            held.append(item.id)
            allowed = may_hold(
                self.rulebook,
                found,
                character.faction if faction_known else None,
                character.kind if kind_known else None,
                character.member,
                member_known=member_known,
            )
            if allowed is False:
                self.error(
                    f"{found.kind} '{found.id}' is only for {who_may_hold(found)}",
                    item.node.span,
                    "this character: " + _identity(character),
                )
                continue
            if not (allowed and faction_known and kind_known and attributes_complete):
                continue
            for requirement in unmet_requirements(self.rulebook, found, character):
                self.error(
                    f"{found.kind} '{found.id}' requires that {words(requirement)}",
                    item.node.span,
                    requirement_hint(requirement, character, self.rulebook),
                )
        return held


def _contents(field: Field[tuple[T, ...]] | None) -> tuple[T, ...]:
    """The entries of a section; none when it is absent or was not readable."""
    return field.value or () if field is not None else ()


def _identity(character: Character) -> str:
    text = f"faction {character.faction}, kind {character.kind}"
    return text + (f", member {character.member}" if character.member else ", no member")


def _position(d: Diagnostic) -> tuple[int, int]:
    return (d.span.line, d.span.column) if d.span else (0, 0)


__all__: list[str] = [
    "Validated",
    "find",
    "may_hold",
    "read_character",
    "validate",
]
