"""Rules text → AST (`parse_file`), with errors in the GM's words.

The Lark LALR parser for `grammars/rules.lark` is built once per grammar
version and its tables are cached on disk. The AST is built while parsing by
`RulesBuilder`, which extends the dice builder, so expressions inside rules are
the same AST as `rouge roll` uses.
"""

from __future__ import annotations

import hashlib
import io
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

import attrs
import lark
from lark import Lark, Token, UnexpectedCharacters, UnexpectedInput, UnexpectedToken, v_args
from lark.exceptions import UnexpectedEOF
from lark.indenter import DedentError, Indenter

from rouge_rpg import __version__, resources
from rouge_rpg.cache import cache_dir, read_private, write_atomic
from rouge_rpg.diagnostics import Diagnostic, Span
from rouge_rpg.dice import ast as dice
from rouge_rpg.dice.build import DiceBuilder
from rouge_rpg.dice.parse import (
    _DICE_MODIFIERS,
    MAX_DICE,
    join_spans,
    kind,
    span_of,
    token_span,
)
from rouge_rpg.errors import DiceError, LimitError, RougeError
from rouge_rpg.rules import ast

#: Largest rules file accepted, in bytes.
MAX_FILE_BYTES = 1_000_000
#: Deepest indentation accepted, in blocks (the language needs three).
MAX_INDENT_LEVELS = 8


class RulesSyntaxError(RougeError):
    """A rules file that does not parse."""


class _Fresh:
    """Pickles as its class alone, so a cached parser gets a new, clean instance.

    `Lark.save` keeps the parser's options, the indenter and the builder among
    them; unpickling then calls the constructor of today's code rather than
    restoring the attributes of the object that was saved.
    """

    def __reduce__(self) -> tuple[type, tuple[()]]:
        return (type(self), ())


class _RulesIndenter(_Fresh, Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types: ClassVar[list[str]] = []
    CLOSE_PAREN_types: ClassVar[list[str]] = []
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8


#: What marks a rules parser cache file, before its key.
_CACHE_MAGIC = b"rouge-rpg rules parser\n"


def _options(builder: RulesBuilder) -> dict[str, Any]:
    path = resources.grammar("rules")
    return {
        "parser": "lalr",
        "lexer": "contextual",
        "postlex": _RulesIndenter(),
        "import_paths": [str(path.parent)],
        "maybe_placeholders": True,
        "propagate_positions": False,
        "transformer": builder,
    }


def _cache_key(text: str, dice_text: str, options: dict[str, Any]) -> str:
    """What the cached tables depend on: Lark's own cache key, and our version.

    That is Lark's version, the grammar (the rules grammar and the dice grammar
    it imports), the options (objects by their class), the Python version (for
    the pickle), and rouge-rpg's version.
    """
    described = sorted(
        (name, value if isinstance(value, str | int | bool | list | None) else type(value).__name__)
        for name, value in options.items()
    )
    parts = [
        lark.__version__,
        __version__,
        repr(sys.version_info[:2]),
        repr(described),
        text,
        dice_text,
    ]
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _load_cached(path: Path, header: bytes) -> Lark | None:
    """The parser cached at `path`, or None if it is missing, foreign or damaged."""
    data = read_private(path)
    if data is None or not data.startswith(header):
        return None
    try:
        loaded = Lark.load(io.BytesIO(data[len(header) :]))
    except Exception:  # a damaged file of ours: build the parser again
        return None
    if not isinstance(loaded.options.transformer, RulesBuilder):
        return None
    return loaded


def _lark() -> Lark:
    """The Lark parser for the rules grammar, with a fresh `RulesBuilder` as its transformer.

    Its tables are cached in the private cache folder (`rouge_rpg.cache`),
    stored with `Lark.save` and read back with `Lark.load`; a cache file that
    cannot be read is rebuilt, and with no cache folder nothing is cached.
    """
    grammar = resources.grammar("rules")
    text = grammar.read_text(encoding="utf-8")
    dice_text = resources.grammar("dice").read_text(encoding="utf-8")
    options = _options(RulesBuilder())
    folder = cache_dir()
    if folder is None:
        return Lark(text, **options)
    key = _cache_key(text, dice_text, options)
    path = folder / f"rules-parser-{key[:32]}.lark"
    header = _CACHE_MAGIC + key.encode("ascii") + b"\n"
    loaded = _load_cached(path, header)
    if loaded is not None:
        return loaded
    built = Lark(text, **options)
    buffer = io.BytesIO()
    try:
        built.save(buffer)
    except Exception:  # the parser works; only the cache is lost
        return built
    write_atomic(path, header + buffer.getvalue())
    return built


def _unquote(token: Any) -> str:
    text = str(token)[1:-1]
    if "\\" not in text:
        return text
    out = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _name(token: Any) -> ast.Name:
    return ast.Name(str(token), span=token_span(token))


def _opt_str(token: Any) -> str | None:
    return None if token is None else _unquote(token)


class _Clause:
    """A tagged clause handed from a clause rule to its definition."""

    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value


def _clauses(items: Iterable[Any]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for item in items:
        if isinstance(item, _Clause):
            found.setdefault(item.tag, []).append(item.value)
        elif isinstance(item, ast.Effect):
            found.setdefault("effect", []).append(item)
    return found


def _description(found: dict[str, list[Any]]) -> str | None:
    texts = found.get("description", [])
    return "\n".join(texts) if texts else None


class RulesBuilder(_Fresh, DiceBuilder):
    """Builds the rules AST as the LALR parser reduces; dice rules go to `DiceBuilder`."""

    def __init__(self) -> None:
        super().__init__()
        self.file = ""
        self.problems: list[Diagnostic] = []

    def _once(self, found: dict[str, list[Any]], tag: str, owner: Any, what: str) -> Any:
        """The single value of clause `tag`; a problem if it is given more than once."""
        values = found.get(tag, [])
        if len(values) > 1:
            span = span_of(values[1]) or token_span(owner)
            self.problems.append(
                Diagnostic("error", f"{what} is given more than once", span.with_file(self.file))
            )
        return values[0] if values else None

    def _group(self, found: dict[str, list[Any]], owner: Any) -> ast.GroupWay | None:
        way = self._once(found, "group", owner, "'group'")
        return None if way is None else cast(ast.GroupWay, str(way))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("dice__"):
            return getattr(self, name[len("dice__") :])
        raise AttributeError(name)

    # Each method gets the rule's children by name (`@v_args(inline=True)`); a
    # `[x]` that is absent arrives as None, and repeated parts as `*items`.
    # Methods inherited from `DiceBuilder` keep their own calling convention.

    # -- expressions ------------------------------------------------------------
    @v_args(inline=True)
    def reference(self, *names: Token) -> ast.Reference:
        path = tuple(_name(t) for t in names)
        return ast.Reference(path, span=join_spans(path[0].span, path[-1].span))

    # A dice rule (`dice__labeled`), extended: `actor[stat]` is an index, not a label.
    @v_args(inline=True)
    def labeled(self, inner: Any, token: Token) -> Any:
        label = str(token)[1:-1].strip()
        if isinstance(inner, ast.Reference) and inner.index is None and len(inner.path) == 1:
            index = ast.Name(label, span=token_span(token))
            return ast.Reference(inner.path, index, span=join_spans(inner.span, index.span))
        return super().labeled(inner, token)

    @v_args(inline=True)
    def pool(self, *children: Any) -> ast.Pool:
        # `(EXPR) DICE mods`, `(EXPR) DIE_OF (EXPR) mods`, or `DIE_OF (EXPR) mods`
        parts = list(children)
        count: Any = None
        if not isinstance(parts[0], Token):
            count = parts.pop(0)
        token = parts.pop(0)
        sides: Any = None
        if kind(token) == "DIE_OF":
            sides = parts.pop(0)
        modifiers = parts
        span = token_span(token)
        if sides is None:
            template = self.dice(token, *modifiers)
        else:
            fields = self._modifier_fields(modifiers, allowed=_DICE_MODIFIERS)
            written = str(token).lower().rstrip("d")
            number = int(written) if written else 1
            if number > MAX_DICE:
                raise LimitError(f"{number:,} dice is too many; the limit is {MAX_DICE:,}", span)
            template = dice.Dice(number, 6, **fields, span=span)
        if count is not None and isinstance(template.sides, str):
            raise DiceError("a number of Fate dice from a value is not supported", span)
        first = count if count is not None else token
        last = modifiers[-1] if modifiers else (sides if sides is not None else token)
        node = ast.Pool(count, sides, template, span=join_spans(span_of(first), span_of(last)))
        inner = [c for c in (count, sides) if c is not None]
        return self._nest(node, inner, deeper=True)  # type: ignore[no-any-return]

    @v_args(inline=True)
    def function(self, name: Token, *operands: Any) -> ast.Extreme:
        word = str(name)
        span = join_spans(token_span(name), span_of(operands[-1]))
        if word not in ("min", "max"):
            raise RulesSyntaxError(
                f"unknown function '{word}'; the functions are min(a, b) and max(a, b)",
                token_span(name).with_file(self.file),
            )
        node = ast.Extreme(word == "max", operands, span=span)
        return self._nest(node, list(operands), deeper=True)  # type: ignore[no-any-return]

    @v_args(inline=True)
    def count(self, keyword: Token, point: tuple[dice.ComparePoint, Span]) -> ast.Count:
        return ast.Count(point[0], span=join_spans(token_span(keyword), point[1]))

    @v_args(inline=True)
    def choice(self, test: Any, then: Any, otherwise: Any) -> ast.Choice:
        node = ast.Choice(test, then, otherwise, span=join_spans(span_of(test), span_of(otherwise)))
        return self._nest(node, [test, then, otherwise], deeper=True)  # type: ignore[no-any-return]

    @v_args(inline=True)
    def call(self, subject: Token, method: Token, argument: Token) -> ast.Call:
        names = _name(subject), _name(method), _name(argument)
        return ast.Call(*names, span=join_spans(names[0].span, names[2].span))

    @v_args(inline=True)
    def boolean(self, token: Token) -> ast.Boolean:
        return ast.Boolean(str(token) == "true", span=token_span(token))

    # Logic nests like parentheses: each level counts against the depth limit, so
    # that the checker and printer, which recurse, never meet a tree too deep.
    @v_args(inline=True)
    def any_of(self, *operands: Any) -> ast.AnyOf:
        node = ast.AnyOf(operands, span=join_spans(span_of(operands[0]), span_of(operands[-1])))
        return self._nest(node, list(operands), deeper=True)  # type: ignore[no-any-return]

    @v_args(inline=True)
    def all_of(self, *operands: Any) -> ast.AllOf:
        node = ast.AllOf(operands, span=join_spans(span_of(operands[0]), span_of(operands[-1])))
        return self._nest(node, list(operands), deeper=True)  # type: ignore[no-any-return]

    @v_args(inline=True)
    def not_(self, operand: Any) -> ast.Not:
        node = ast.Not(operand, span=span_of(operand))
        return self._nest(node, [operand], deeper=True)  # type: ignore[no-any-return]

    # -- effects ------------------------------------------------------------------
    @v_args(inline=True)
    def who(self, token: Token) -> Token:
        return token  # kept as a token: the effect's span starts at it

    @v_args(inline=True)
    def duration(self, amount: Token, unit: Token) -> ast.Duration:
        span = join_spans(token_span(amount), token_span(unit))
        return ast.Duration(self._int(amount), cast(ast.TimeUnit, str(unit).rstrip("s")), span=span)

    def _make_effect(
        self, verb: ast.EffectVerb, who: Any, what: Any, amount: Any, **extra: Any
    ) -> ast.Effect:
        first = next((x for x in (who, what, amount) if x is not None), None)
        last = next((x for x in (amount, what, who) if x is not None), None)
        span = join_spans(span_of(first), span_of(last)) if first is not None else None
        return ast.Effect(
            verb,
            "actor" if who is None else cast(ast.Who, str(who)),
            None if what is None else _name(what),
            amount,
            span=span,
            **extra,
        )

    @v_args(inline=True)
    def damage(self, who: Token | None, amount: Any) -> ast.Effect:
        return self._make_effect("damage", who, None, amount)

    @v_args(inline=True)
    def heal(self, who: Token | None, amount: Any) -> ast.Effect:
        return self._make_effect("heal", who, None, amount)

    @v_args(inline=True)
    def gain(
        self,
        who: Token | None,
        what: Token,
        amount: Any,
        for_: Token | None,
        duration: ast.Duration | None,
    ) -> ast.Effect:
        return self._make_effect("gain", who, what, amount, duration=duration)

    @v_args(inline=True)
    def lose(self, who: Token | None, what: Token, amount: Any) -> ast.Effect:
        return self._make_effect("lose", who, what, amount)

    @v_args(inline=True)
    def set(self, who: Token | None, what: Token, amount: Any) -> ast.Effect:
        return self._make_effect("set", who, what, amount)

    @v_args(inline=True)
    def advance(self, who: Token | None, what: Token, amount: Any) -> ast.Effect:
        return self._make_effect("advance", who, what, amount)

    @v_args(inline=True)
    def reduce(self, who: Token | None, what: Token, amount: Any) -> ast.Effect:
        return self._make_effect("reduce", who, what, amount)

    @v_args(inline=True)
    def narrate(self, text: Token) -> ast.Effect:
        return ast.Effect("narrate", text=_unquote(text), span=token_span(text))

    # -- clauses --------------------------------------------------------------------
    @v_args(inline=True)
    def description(self, text: Token) -> _Clause:
        return _Clause("description", _unquote(text))

    @v_args(inline=True)
    def int_range(self, low: Token, high: Token) -> tuple[int, int]:
        return self._int(low), self._int(high)

    @v_args(inline=True)
    def decay(self, amount: Token, unit: Token) -> tuple[int, str]:
        return self._int(amount), str(unit).rstrip("s")

    @v_args(inline=True)
    def trigger(
        self, at: Token, for_: Token | None, lasting: ast.Duration | None, *effects: ast.Effect
    ) -> _Clause:
        return _Clause("trigger", ast.Trigger(self._int(at), lasting, effects, span=token_span(at)))

    @v_args(inline=True)
    def blocks(self, *names: Token) -> _Clause:
        return _Clause("blocks", [_name(t) for t in names])

    @v_args(inline=True)
    def lasts(self, duration: ast.Duration) -> _Clause:
        return _Clause("lasts", duration)

    @v_args(inline=True)
    def modifier_value(self, *parts: Any) -> tuple[ast.ModifierKind, Any]:
        # `[PLUS] expr`, or one token: POOL_DICE, ADVANTAGE or DISADVANTAGE
        if len(parts) == 2:
            return "total", parts[1]
        (token,) = parts
        span = token_span(token)
        if kind(token) == "POOL_DICE":
            return "pool", dice.Literal(int(str(token)[:-1]), span=span)
        edge: ast.ModifierKind = "advantage" if kind(token) == "ADVANTAGE" else "disadvantage"
        return edge, dice.Literal(0, span=span)

    @v_args(inline=True)
    def modifier(
        self,
        change: tuple[ast.ModifierKind, Any],
        bonus_type: Token | None,
        direction: Token,
        selector: Token,
        when: Any,
        note: Token | None,
    ) -> _Clause:
        kind_, value = change
        return _Clause(
            "modifier",
            ast.Modifier(
                value,
                None if bonus_type is None else _name(bonus_type),
                str(direction),
                None if str(selector) == "all" else _name(selector),
                when,
                _opt_str(note),
                span=span_of(value),
                kind=kind_,
            ),
        )

    @v_args(inline=True)
    def params(self, *params: ast.Param | None) -> tuple[ast.Param, ...]:
        return tuple(p for p in params if p is not None)

    @v_args(inline=True)
    def param_type(self, *names: Token) -> tuple[ast.Name, tuple[ast.Name, ...]]:
        if kind(names[0]) == "ONE":
            return ast.Name("one of", span=token_span(names[0])), tuple(map(_name, names[1:]))
        return _name(names[0]), ()

    @v_args(inline=True)
    def param(
        self,
        name: Token,
        param_type: tuple[ast.Name, tuple[ast.Name, ...]] | None,
        default: Any,
    ) -> ast.Param:
        return ast.Param(
            _name(name),
            None if param_type is None else param_type[0],
            default,
            span=token_span(name),
            choices=() if param_type is None else param_type[1],
        )

    @v_args(inline=True)
    def let(self, name: Token, value: Any) -> _Clause:
        return _Clause("let", ast.Let(_name(name), value, span=token_span(name)))

    @v_args(inline=True)
    def roll(self, expr: Any) -> _Clause:
        return _Clause("roll", expr)

    @v_args(inline=True)
    def versus(self, expr: Any) -> _Clause:
        return _Clause("versus", expr)

    @v_args(inline=True)
    def rung(self, name: Token, test: Any, narrative: Token | None, *effects: Any) -> _Clause:
        when = None if isinstance(test, Token) and test.type == "OTHERWISE" else test
        return _Clause(
            "rung",
            ast.Rung(
                _name(name),
                when,
                _opt_str(narrative),
                tuple(e for e in effects if e is not None),
                span=token_span(name),
            ),
        )

    @v_args(inline=True)
    def push(
        self,
        name: Token,
        title: Token | None,
        point: Token | tuple[dice.ComparePoint, Span],
        once: Token | None,
        when: Any,
        *effects: ast.Effect,
    ) -> _Clause:
        return _Clause(
            "push",
            ast.Push(
                _name(name),
                _opt_str(title),
                None if isinstance(point, Token) else point[0],
                once is not None,
                when,
                tuple(e for e in effects if e is not None),
                span=token_span(name),
            ),
        )

    @v_args(inline=True)
    def faction_kind(self, name: Token) -> _Clause:
        return _Clause("being", _name(name))

    @v_args(inline=True)
    def grant(self, name: Token, start: Token | None) -> _Clause:
        return _Clause(
            "grant",
            ast.Grant(
                _name(name),
                None if start is None else self._int(start),
                span=token_span(name),
            ),
        )

    @v_args(inline=True)
    def trait(self, text: Token) -> _Clause:
        return _Clause("trait", _unquote(text))

    @v_args(inline=True)
    def abilities(self, *names: Token) -> _Clause:
        return _Clause("abilities", [_name(t) for t in names])

    @v_args(inline=True)
    def relation(self, *items: Token | None) -> _Clause:
        # `hostile to NAME` has two tokens before the name, the other relations one.
        kind, other, note = [x for x in items if not (isinstance(x, Token) and x.type == "TO")]
        assert kind is not None and other is not None
        return _Clause(
            "relation",
            ast.Relation(str(kind), _name(other), _opt_str(note), span=token_span(kind)),
        )

    @v_args(inline=True)
    def holders(self, for_: Token, kind: Token, *names: Token) -> _Clause:
        return _Clause(
            "holders",
            ast.Holders(str(kind), tuple(_name(n) for n in names), span=token_span(kind)),
        )

    @v_args(inline=True)
    def requires(self, test: Any) -> _Clause:
        return _Clause("requires", test)

    @v_args(inline=True)
    def performs(self, act: Token, when: Any) -> _Clause:
        return _Clause("performs", ast.Performs(_name(act), when, span=token_span(act)))

    @v_args(inline=True)
    def cost(self, name: Token, amount: Any, per: Token | None, target: Token | None) -> _Clause:
        cost = ast.Cost(_name(name), amount, per is not None, span=token_span(name))
        return _Clause("cost", cost)

    @v_args(inline=True)
    def group_reading(self, way: Token) -> _Clause:
        return _Clause("group", way)

    @v_args(inline=True)
    def targets(self, keyword: Token, mode: Token) -> _Clause:
        return _Clause("target", mode)  # the token, so that a second one can be pointed at

    @v_args(inline=True)
    def uses(self, name: Token, arguments: tuple[ast.Argument, ...] | None) -> _Clause:
        call = ast.CheckCall(_name(name), tuple(arguments or ()), span=token_span(name))
        return _Clause("check", call)

    @v_args(inline=True)
    def arguments(self, *arguments: ast.Argument | None) -> tuple[ast.Argument, ...]:
        return tuple(a for a in arguments if a is not None)

    @v_args(inline=True)
    def argument(self, name: Token | None, value: Any) -> ast.Argument:
        span = token_span(name) if name is not None else span_of(value)
        return ast.Argument(None if name is None else _name(name), value, span=span)

    @v_args(inline=True)
    def outcome(self, *items: Any) -> _Clause:
        names = [_name(t) for t in items if isinstance(t, Token)]
        effects = [e for e in items if isinstance(e, ast.Effect)]
        return _Clause("outcome", ast.Outcome(tuple(names), tuple(effects), span=names[0].span))

    @v_args(inline=True)
    def effects(self, *effects: ast.Effect) -> _Clause:
        return _Clause("effects", list(effects))

    @v_args(inline=True)
    def applies(self, to: Token, *names: Token) -> _Clause:
        return _Clause("applies", [_name(t) for t in names])

    @v_args(inline=True)
    def exempt(self, test: Any) -> _Clause:
        return _Clause("exempt", test)

    @v_args(inline=True)
    def rule(self, mode: Token, act: Token, when: Any, unless: Token | None) -> _Clause:
        return _Clause(
            "rule",
            ast.ConstraintRule(
                str(mode),
                _name(act),
                when,
                None if unless is None else _name(unless),
                span=token_span(mode),
            ),
        )

    # -- definitions ------------------------------------------------------------------
    def _common(self, name: Any, title: Any, found: dict[str, list[Any]]) -> dict[str, Any]:
        return {
            "id": _name(name),
            "title": _opt_str(title),
            "description": _description(found),
            "file": self.file,
            "span": token_span(name),
        }

    @v_args(inline=True)
    def definition(self, override: Token | None, definition: Any) -> ast.AnyDefinition:
        if override is None:
            return definition  # type: ignore[no-any-return]
        import attrs

        return attrs.evolve(definition, override=True)  # type: ignore[no-any-return]

    @v_args(inline=True)
    def rulebook(
        self,
        name: Token,
        title: Token | None,
        extends: Token | None,
        base: Token | None,
        round_: Token | None,
        length: ast.Duration | None,
    ) -> ast.RulebookInfo:
        laid_on = _name(base) if base is not None else None
        return ast.RulebookInfo(extends=laid_on, round=length, **self._common(name, title, {}))

    @v_args(inline=True)
    def constant(self, name: Token, value: Any) -> ast.Constant:
        return ast.Constant(value=value, **self._common(name, None, {}))

    @v_args(inline=True)
    def attribute(
        self,
        keyword: Token,
        name: Token,
        title: Token | None,
        int_range: tuple[int, int],
        default: Token | None,
        *rest: Any,
    ) -> ast.Attribute:
        low, high = int_range
        return ast.Attribute(
            low=low,
            high=high,
            default=None if default is None else self._int(default),
            skill=str(keyword) == "skill",
            **self._common(name, title, _clauses(rest)),
        )

    @v_args(inline=True)
    def kind(self, name: Token, title: Token | None, parent: Token | None, *rest: Any) -> ast.Kind:
        return ast.Kind(
            parent=None if parent is None else _name(parent),
            **self._common(name, title, _clauses(rest)),
        )

    @v_args(inline=True)
    def bonus_type(self, name: Token, title: Token | None) -> ast.BonusType:
        return ast.BonusType(**self._common(name, title, {}))

    @v_args(inline=True)
    def act(self, name: Token, title: Token | None, severity: Token, *rest: Any) -> ast.Act:
        return ast.Act(severity=self._int(severity), **self._common(name, title, _clauses(rest)))

    @v_args(inline=True)
    def resource(
        self,
        name: Token,
        title: Token | None,
        maximum: Token,
        start: Token | None,
        decay: tuple[int, str] | None,
        *rest: Any,
    ) -> ast.Resource:
        found = _clauses(rest)
        return ast.Resource(
            maximum=self._int(maximum),
            start=None if start is None else self._int(start),
            decay=None if decay is None else decay[0],
            decay_unit=None if decay is None else decay[1],
            triggers=tuple(found.get("trigger", ())),
            holders=tuple(found.get("holders", ())),
            **self._common(name, title, found),
        )

    @v_args(inline=True)
    def track(
        self,
        name: Token,
        title: Token | None,
        int_range: tuple[int, int],
        start: Token | None,
        for_damage: Token | None,
        *rest: Any,
    ) -> ast.Track:
        low, high = int_range
        found = _clauses(rest)
        return ast.Track(
            low=low,
            high=high,
            start=None if start is None else self._int(start),
            takes_damage=for_damage is not None,
            triggers=tuple(found.get("trigger", ())),
            **self._common(name, title, found),
        )

    @v_args(inline=True)
    def clock(self, name: Token, title: Token | None, segments: Token, *rest: Any) -> ast.Track:
        found = _clauses(rest)
        return ast.Track(
            low=0,
            high=self._int(segments),
            clock=True,
            triggers=tuple(found.get("trigger", ())),
            **self._common(name, title, found),
        )

    @v_args(inline=True)
    def condition(self, name: Token, title: Token | None, *rest: Any) -> ast.Condition:
        found = _clauses(rest)
        lasts = self._once(found, "lasts", name, "'lasts'")
        return ast.Condition(
            blocks=tuple(n for group in found.get("blocks", ()) for n in group),
            modifiers=tuple(found.get("modifier", ())),
            lasts=lasts,
            **self._common(name, title, found),
        )

    @v_args(inline=True)
    def check(
        self,
        name: Token,
        params: tuple[ast.Param, ...] | None,
        title: Token | None,
        default: Token | None,
        initiative: Token | None,
        *rest: Any,
    ) -> ast.Check:
        found = _clauses(rest)
        roll = self._once(found, "roll", name, "'roll'")
        if roll is None:
            self.problems.append(
                Diagnostic(
                    "error",
                    f"check '{name}' has no 'roll' line",
                    token_span(name).with_file(self.file),
                    hint="add a line such as: roll 2d6 + actor[stat]",
                )
            )
        lets: tuple[ast.Let, ...] = tuple(found.get("let", ()))
        rungs: tuple[ast.Rung, ...] = tuple(found.get("rung", ()))
        pushes: tuple[ast.Push, ...] = tuple(found.get("push", ()))
        versus = self._once(found, "versus", name, "'vs'")
        if lets:
            lets, rungs, pushes = _with_lets(lets, rungs, pushes)
            # The roll and vs lines may read a let that reads no roll (the checker says so).
            every = {let.name.text: ast.Named(let.name.text, let.value) for let in lets}
            roll, versus = _named(roll, every), _named(versus, every)
        return ast.Check(
            params=params or (),
            roll=dice.Literal(0) if roll is None else roll,
            versus=versus,
            rungs=rungs,
            lets=lets,
            modifiers=tuple(found.get("modifier", ())),
            default=default is not None,
            initiative=initiative is not None,
            group=self._group(found, name),
            pushes=pushes,
            **self._common(name, title, found),
        )

    @v_args(inline=True)
    def faction(self, name: Token, title: Token | None, *rest: Any) -> ast.Faction:
        found = _clauses(rest)
        return ast.Faction(
            being=self._once(found, "being", name, "'kind'"),
            grants=tuple(found.get("grant", ())),
            traits=tuple(found.get("trait", ())),
            abilities=tuple(n for group in found.get("abilities", ()) for n in group),
            relations=tuple(found.get("relation", ())),
            modifiers=tuple(found.get("modifier", ())),
            **self._common(name, title, found),
        )

    @v_args(inline=True)
    def member(
        self,
        name: Token,
        title: Token | None,
        faction: Token,
        deceased: Token | None,
        *rest: Any,
    ) -> ast.Member:
        found = _clauses(rest)
        return ast.Member(
            faction=_name(faction),
            deceased=deceased is not None,
            modifiers=tuple(found.get("modifier", ())),
            **self._common(name, title, found),
        )

    @v_args(inline=True)
    def ability(self, keyword: Token, name: Token, title: Token | None, *rest: Any) -> ast.Ability:
        found = _clauses(rest)
        check = self._once(found, "check", name, "'check'")
        target = self._once(found, "target", name, "'target'")
        return ast.Ability(
            power=str(keyword) == "power",
            holders=tuple(found.get("holders", ())),
            requires=tuple(found.get("requires", ())),
            performs=tuple(found.get("performs", ())),
            costs=tuple(found.get("cost", ())),
            target=str(target or ("required" if check is not None and _targets(check) else "none")),
            check=check,
            outcomes=tuple(found.get("outcome", ())),
            effects=tuple(e for group in found.get("effects", ()) for e in group),
            lasts=self._once(found, "lasts", name, "'lasts'"),
            **self._common(name, title, found),
        )

    @v_args(inline=True)
    def constraint(self, name: Token, title: Token | None, *rest: Any) -> ast.Constraint:
        found = _clauses(rest)
        return ast.Constraint(
            applies=tuple(n for group in found.get("applies", ()) for n in group),
            exempt=tuple(found.get("exempt", ())),
            rules=tuple(found.get("rule", ())),
            **self._common(name, title, found),
        )

    @v_args(inline=True)
    def include(self, path: Token) -> ast.Include:
        return ast.Include(_unquote(path), file=self.file, span=token_span(path))

    @v_args(inline=True)
    def start(self, *items: Any) -> list[Any]:
        return list(items)


#: A rung or a push: a test and effects that may read a check's lets.
Step = TypeVar("Step", ast.Rung, ast.Push)


def _with_lets(
    lets: tuple[ast.Let, ...], rungs: tuple[ast.Rung, ...], pushes: tuple[ast.Push, ...]
) -> tuple[tuple[ast.Let, ...], tuple[ast.Rung, ...], tuple[ast.Push, ...]]:
    """The lets, rungs and pushes with each use of a let's name (`stress`) a `Named` node.

    A let reads the lets above it; a rung's (or push's) test and its effects' amounts
    read them all.
    """
    known: dict[str, ast.Named] = {}
    done = []
    for let in lets:
        let = attrs.evolve(let, value=_named(let.value, known))
        done.append(let)
        known[let.name.text] = ast.Named(let.name.text, let.value, span=let.name.span)

    def place(step: Step) -> Step:
        effects = tuple(attrs.evolve(e, amount=_named(e.amount, known)) for e in step.effects)
        return attrs.evolve(step, when=_named(step.when, known), effects=effects)

    return tuple(done), tuple(map(place, rungs)), tuple(map(place, pushes))


def _named(node: Any, known: dict[str, ast.Named]) -> Any:
    """`node` with each use of a name in `known` (a let's) that `Named` node."""
    if node is None:
        return None
    if (
        isinstance(node, ast.Reference)
        and node.index is None
        and len(node.path) == 1
        and node.root in known
    ):
        return attrs.evolve(known[node.root], span=node.span)
    children = node.children()
    if not children:
        return node
    return node.with_children([_named(c, known) for c in children])


def _targets(call: ast.CheckCall) -> bool:
    """Whether a check call's arguments mention the target: a reference or call rooted at it.

    Decided from the AST, so a name that merely contains the word (`retarget_dc`)
    or a string does not count.
    """
    return any("target" in ast.roots(argument.value) for argument in call.arguments)


# -- parsing a file -------------------------------------------------------------------

#: Parse failures that Lark's `match_examples` recognises, in the GM's words.
_EXAMPLES: dict[str, list[str]] = {
    "a definition starts with a keyword such as 'attribute', 'check', 'faction' or 'power'": [
        "foo bar\n",
        'body "Body" range 1..5\n',
    ],
    "expected ':' and an indented block after the header": [
        'check a "A"\n  roll 1d6\n',
        "check a\n  roll 1d6\n",
        "check a(b)\n  roll 1d6\n",
        'check a "A" default\n  roll 1d6\n',
        'faction a "A"\n  kind b\n',
        "faction a\n  kind b\n",
        'power a "A"\n  cost nectar 1\n',
        "power a\n  cost nectar 1\n",
        'constraint a "A"\n  applies to b\n',
        "constraint a\n  applies to b\n",
    ],
    "expected an indented block after ':'": [
        "check a:\nroll 1d6\n",
        "faction a:\nkind b\n",
    ],
    "a ladder rung is 'NAME when TEST' or 'NAME otherwise'": [
        "check a:\n  roll 1d6\n  success total >= 3\n",
        "check a:\n  roll 1d6\n  success if total >= 3\n",
    ],
    "after ':' a rung takes its narrative in double quotes; "
    "its effects go on the indented lines below, without ':'": [
        "check a:\n  roll 1d6\n  success when total >= 3:\n",
        "check a:\n  roll 1d6\n  failure otherwise:\n",
    ],
    "expected an expression, such as 2d6 + actor.body": [
        "const a =\n",
        "check a:\n  roll\n",
        "check a:\n  roll 1d6\n  vs\n",
    ],
    "expected a range such as 'range 1..5'": [
        "attribute a range 1 5\n",
        "attribute a range 1\n",
        "attribute a\n",
        'attribute a "A" default 2\n',
        "track a\n",
        'track a "A"\n',
    ],
    "a title is a string in double quotes": [
        "attribute a 'A' range 1..5\n",
        "kind a A\n",
    ],
    "a modifier needs 'to' or 'against', then a check or 'all'": [
        "condition a:\n  modifier +1\n",
        "condition a:\n  modifier +1 status\n",
    ],
}


#: Terminals that can begin an expression: "an expression" covers them all.
_EXPRESSION_START = frozenset(
    {"DICE", "INT", "LPAR", "LBRACE", "MINUS", "ACTOR", "TARGET", "TRUE", "FALSE", "NOT"}
)
#: Punctuation, as the GM types it.
_PUNCTUATION = {
    "COLON": "':'",
    "COMMA": "','",
    "LPAR": "'('",
    "RPAR": "')'",
    "EQUAL": "'='",
    "DOT": "'.'",
    "PLUS": "'+'",
}
#: Terminals that continue an expression or name a kind of token: never listed as keywords.
_NOT_KEYWORDS = frozenset(
    {
        "NAME",
        "STRING",
        "INTEGER",
        "INT",
        "SIGNED_INT",
        "DICE",
        "UNIT",
        "LABEL",
        "COMPARATOR",
        "KEEP",
        "DROP",
        "REROLL",
        "EXPLODE",
        "MINIMUM",
        "MAXIMUM",
        "SUCCESSES",
        "FAILURES",
        "RBRACE",
        "LSQB",
        "RSQB",
    }
)


def _describe_expected(expected: set[str]) -> str:
    """The GM's words for the terminals Lark expected: names, punctuation and keywords."""
    names = {e.rsplit("__", 1)[-1] for e in expected}
    expression = "DICE" in names
    words = []
    if "NAME" in names and not expression:
        words.append("a name")
    if "STRING" in names:
        words.append("a string in double quotes")
    if names & {"INTEGER", "INT", "SIGNED_INT"} and not expression:
        words.append("a whole number")
    if expression:
        words.append("an expression")
    if "UNIT" in names:
        words.append("a unit of time such as 'day'")
    if names & {"_NL", "$END"}:
        words.append("the end of the line")
    if "_INDENT" in names:
        words.append("an indented block")
    for name, symbol in _PUNCTUATION.items():
        if name in names and not (expression and name in _EXPRESSION_START):
            words.append(symbol)
    keywords = sorted(
        n.lower()
        for n in names
        if n.isalpha()
        and n.isupper()
        and n not in _NOT_KEYWORDS
        and n not in _PUNCTUATION
        and n not in _EXPRESSION_START
    )
    words += [f"'{k}'" for k in keywords[:6]]
    if not words:
        return "something else"
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1]


def _parser_state(error: UnexpectedInput) -> tuple[type, int | None, str | None]:
    """The kind of a parse error, the LALR state it stopped in, and the token it met."""
    state = getattr(error, "state", None)
    token = getattr(error, "token", None)
    return type(error), getattr(state, "position", None), getattr(token, "type", None)


@lru_cache(maxsize=1)
def _example_states() -> list[tuple[str, tuple[type, int | None, str | None]]]:
    """Each `_EXAMPLES` label with the parser state its examples fail in.

    The examples run on the very parser that parses files, so the states are
    numbered alike however Lark numbered them when it built (or loaded) it.
    """
    parser, builder = _parser()
    saved = builder.file, builder.problems
    found = []
    try:
        for label, examples in _EXAMPLES.items():
            for example in examples:
                builder.problems = []
                builder.depth.clear()
                try:
                    parser.parse(example)
                except UnexpectedInput as error:
                    found.append((label, _parser_state(error)))
                except Exception:  # an example the builder rejects teaches nothing
                    continue
    finally:
        builder.file, builder.problems = saved
        builder.depth.clear()
    return found


def _example_label(error: UnexpectedInput) -> str | None:
    """The `_EXAMPLES` label whose examples fail as `error` does, if there is one.

    Lark's own `match_examples` compares the depth of the parser's stack too,
    which depends on what came before (a title, a comment, other definitions),
    so the examples would only match the first definition of a file. Here only
    the LALR state is compared, preferring an example that met the same token.
    """
    kind, position, token = _parser_state(error)
    if position is None:
        return None
    candidate = None
    for label, (example_kind, example_position, example_token) in _example_states():
        if example_position != position or example_kind is not kind:
            continue
        if example_token == token:
            return label
        candidate = candidate or label
    return candidate


def _syntax_error(error: UnexpectedInput, text: str, file: str) -> RulesSyntaxError:
    line = getattr(error, "line", None) or 1
    column = getattr(error, "column", None) or 1
    if isinstance(error, UnexpectedToken) and error.token.type in {"_INDENT", "_DEDENT"}:
        line, column = _next_code_position(text, error)
    if line < 1:
        line, column = max(1, text.count("\n")), 1
    span = Span.at(line, column, file=file)
    label = _example_label(error)
    if isinstance(error, UnexpectedCharacters):
        char = error.char
        message = f"unexpected character {char!r}"
        if label:
            message += f"; {label}"
        elif char.isupper():
            message += "; names and keywords are lower case"
        return RulesSyntaxError(message, span, source=text)
    if isinstance(error, UnexpectedEOF):
        return RulesSyntaxError(
            f"unexpected end of file; {label or 'a block is unfinished'}", span, source=text
        )
    assert isinstance(error, UnexpectedToken)
    token = error.token
    if token.type == "_INDENT":
        return RulesSyntaxError(
            "unexpected indentation; a line is indented only under one that ends with ':'",
            Span.at(line, column, file=file),
            source=text,
        )
    if token.type in {"_NL", "$END"}:
        found = "end of line"
    elif token.type == "_DEDENT":
        found = "end of the block"
    else:
        found = repr(str(token))
        span = Span.at(line, column, len(str(token)), file=file)
    message = f"unexpected {found}; " + (
        label or f"expected {_describe_expected(_accepted(error))}"
    )
    return RulesSyntaxError(message, span, source=text)


def _accepted(error: UnexpectedToken) -> set[str]:
    """The terminals the parser would have taken where it stopped.

    Lark's `accepts` (and `expected`) leave out the terminals imported from
    dice.lark, such as `dice__DICE`, because their names are not upper case;
    those start an expression, so they are read from the parse table.
    """
    try:
        found = set(error.accepts or error.expected)
    except Exception:  # `accepts` feeds tokens to a copy of the parser; keep to `expected`
        found = set(error.expected)
    try:
        state = error.state
        table = state.parse_conf.parse_table.states[state.position]
    except (AttributeError, KeyError):
        return found
    imported = {k for k in table if isinstance(k, str) and "__" in k}
    return found | {k for k in imported if k.rsplit("__", 1)[-1].isupper()}


def _next_code_position(text: str, error: UnexpectedToken) -> tuple[int, int]:
    """Where a dedent token really points: the first code after the break."""
    line = getattr(error.token, "end_line", None) or getattr(error, "line", 1) or 1
    lines = _lines(text)
    for number in range(max(line, 1), len(lines) + 1):
        stripped = lines[number - 1].lstrip()
        if stripped and not stripped.startswith("#"):
            return number, len(lines[number - 1]) - len(stripped) + 1
    return max(len(lines), 1), 1


def _lines(text: str) -> list[str]:
    """The lines of `text` as Lark counts them: split at newlines only, unlike `splitlines`."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _continues(line: str) -> bool:
    """Whether `line` ends in a `\\` outside strings and comments: the next line goes on."""
    if "\\" not in line:
        return False
    in_string = False
    i = 0
    while i < len(line):
        char = line[i]
        if in_string:
            if char == "\\":
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "#":
            return False
        elif char == "\\" and not line[i + 1 :].strip(" \t"):
            return True
        i += 1
    return False


def _check_layout(text: str, file: str) -> None:
    """Tabs, over-deep and inconsistent indentation, found before Lark sees them.

    A line continued from the one before (which ends in `\\`) has no indentation
    of its own: Lark ignores the break and the spaces after it.
    """
    stack = [(0, 0)]  # (indentation, the line that began the block)
    continued = False
    for number, line in enumerate(_lines(text), 1):
        if continued:
            continued = _continues(line)
            continue
        continued = _continues(line)
        body = line.lstrip(" ")
        if not body.strip() or body.startswith("#"):
            continue
        if body.startswith("\t"):
            raise RulesSyntaxError(
                "indent with spaces, not tabs",
                Span.at(number, len(line) - len(body) + 1, file=file),
                source=text,
            )
        depth = len(line) - len(body)
        if depth > stack[-1][0]:
            stack.append((depth, number))
            if len(stack) > MAX_INDENT_LEVELS + 1:
                raise RulesSyntaxError(
                    f"indented more than {MAX_INDENT_LEVELS} levels deep",
                    Span.at(number, 1, depth, file=file),
                    source=text,
                )
            continue
        left = stack[-1]
        while depth < stack[-1][0]:
            left = stack.pop()
        if depth != stack[-1][0]:
            raise RulesSyntaxError(
                f"this line is indented {depth} spaces, but line {left[1]}, which began "
                f"its block, is indented {left[0]}",
                Span.at(number, 1, max(depth, 1), file=file),
                source=text,
                hint=f"indent lines {left[1]} and {number} alike "
                f"(the block around them is at {stack[-1][0]})",
            )


@lru_cache(maxsize=1)
def _parser() -> tuple[Lark, RulesBuilder]:
    """The one rules parser of this process, and the builder its reductions go to."""
    parser = _lark()
    builder = parser.options.transformer
    assert isinstance(builder, RulesBuilder)
    return parser, builder


def parse_text(text: str, file: str) -> tuple[ast.File, list[Diagnostic]]:
    """Parse one rules file; raise `RulesSyntaxError` if it does not parse.

    Returns the file's AST and the structural problems found while building it
    (a check without `roll`, a clause given twice).
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise RulesSyntaxError(f"{file} is larger than {MAX_FILE_BYTES:,} bytes")
    _check_layout(text, file)
    if not text.endswith("\n"):
        text += "\n"
    parser, builder = _parser()
    builder.file = file
    builder.problems = []
    builder.depth.clear()
    try:
        items: list[Any] = parser.parse(text)  # type: ignore[assignment]
    except UnexpectedInput as error:
        raise _syntax_error(error, text, file) from None
    except DedentError:
        raise RulesSyntaxError(
            "this line's indentation matches no enclosing block",
            Span.at(1, 1, file=file),
            source=text,
        ) from None
    except RougeError as error:
        if error.span is not None and error.span.file is None:
            error.span = error.span.with_file(file)
        error.source = text
        raise
    finally:
        builder.depth.clear()
    includes = tuple(i for i in items if isinstance(i, ast.Include))
    definitions = tuple(i for i in items if not isinstance(i, ast.Include))
    return ast.File(file, includes, definitions), list(builder.problems)
