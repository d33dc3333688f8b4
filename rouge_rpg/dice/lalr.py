"""The LALR(1) parser for dice notation, run from tables that Lark computed.

`scripts/generate_dice_parser.py` has Lark build the parser of
`grammars/dice.lark` (parse table, contextual lexer, the shape of each rule's
children) and writes it as data to `_tables.py`. This module runs that data with
Lark's semantics: a contextual lexer (each parser state scans only for the
terminals it accepts), anonymous tokens filtered out, `?rule`s inlined when they
have one child, `[x]` giving `None` when absent, and one builder method called
per reduction, named after the rule or its alias. It needs only `re`, so
`rouge roll` starts without importing Lark.

Dice notation is one line: every token is on line 1 and columns count from 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Children = list[Any]
Reducer = Callable[[Children], Any]


class Rule:
    """One grammar rule as Lark shaped it (see `lark.parse_tree_builder`).

    `keep` lists (index, splice, nones before) for the children that reach the
    builder, or is None when all do; a spliced child is a helper rule (`_name`)
    whose own children take its place. `trailing` Nones follow for absent
    `[x]`s at the end. An `inline_single` rule with one child is that child.
    """

    __slots__ = ("callback", "inline_single", "keep", "origin", "size", "trailing")

    def __init__(
        self,
        origin: str,
        size: int,
        callback: str | None,
        keep: tuple[tuple[int, bool, int], ...] | None,
        trailing: int,
        inline_single: bool,
    ) -> None:
        self.origin = origin
        self.size = size
        self.callback = callback
        self.keep = keep
        self.trailing = trailing
        self.inline_single = inline_single


class Scanner:
    """The terminals one parser state accepts, as one regular expression.

    `retype` is Lark's "unless" rule: terminal → {text: terminal}, so that the
    whole-grammar scanner reading DICE `df` gives FAILURES.
    """

    __slots__ = ("allowed", "pattern", "retype")

    def __init__(self, pattern: str, allowed: frozenset[str], retype: dict[str, dict[str, str]]):
        self.pattern = pattern
        self.allowed = allowed
        self.retype = retype


class Token(str):
    """A terminal as read: its text, with its type and columns (1-based, end exclusive)."""

    type: str
    column: int
    end_column: int
    line = 1
    end_line = 1


def _token(kind: str, value: str, column: int) -> Token:
    token = Token(value)
    token.type = kind
    token.column = column
    token.end_column = column + len(value)
    return token


class Tree:
    """What a rule without a builder method reduces to (as Lark's default)."""

    __slots__ = ("children", "data")

    def __init__(self, data: str, children: Children) -> None:
        self.data = data
        self.children = children


class UnexpectedInput(Exception):
    """The text stops making sense at `column`."""

    column: int


class UnexpectedCharacters(UnexpectedInput):
    """No terminal starts at `column`; `allowed` would have."""

    def __init__(self, column: int, allowed: frozenset[str]) -> None:
        super().__init__(f"unexpected character at column {column}")
        self.column = column
        self.allowed = allowed


class UnexpectedToken(UnexpectedInput):
    """`token` was read where only `expected` fit."""

    def __init__(self, token: Token, expected: frozenset[str]) -> None:
        super().__init__(f"unexpected {token.type} at column {token.column}")
        self.token = token
        self.column = token.column
        self.expected = expected


END = "$END"


Match = Callable[[str, int], "re.Match[str] | None"]


class Parser:
    """Parses with the generated tables, calling `builder`'s rule methods."""

    def __init__(self, builder: object) -> None:
        from rouge_rpg.dice import _tables

        self.tables = _tables
        #: per rule: (symbols popped, rule name, reducer or None to pass the one child on)
        self._plans = [_plan(rule, builder) for rule in _tables.RULES]
        self._matchers: list[Match | None] = [None] * len(_tables.SCANNERS)
        self._shortcuts: dict[tuple[int, int, str], int] = {}

    def _pass_on(self, below: int, state: int, token: str) -> int:
        """The state after the pass-on reductions that `token` triggers in `state`."""
        t = self.tables
        while state != t.END_STATE and (action := t.ACTIONS[state].get(token, 0)) < 0:
            _, origin, reduce = self._plans[-1 - action]
            if reduce is not None:
                break
            state = t.GOTOS[below][origin]
        return state

    def _matcher(self, index: int) -> Match:
        match = self._matchers[index] = re.compile(self.tables.SCANNERS[index].pattern).match
        return match

    def parse(self, text: str) -> Any:
        """The builder's value for the whole of `text`; `UnexpectedInput` if it does not parse."""
        t = self.tables
        actions, gotos, scanners, state_scanner = t.ACTIONS, t.GOTOS, t.SCANNERS, t.STATE_SCANNER
        plans, matchers, ignore, end_state = self._plans, self._matchers, t.IGNORE, t.END_STATE
        shortcuts = self._shortcuts
        stack = [0]
        values: list[Any] = []
        pos, length = 0, len(text)
        while True:
            if pos < length:
                index = state_scanner[stack[-1]]
                found = (matchers[index] or self._matcher(index))(text, pos)
                if found is None:
                    raise self._unexpected(text, pos, scanners[index])
                kind = found.lastgroup
                assert kind is not None
                end = found.end()
                if kind in ignore:
                    pos = end
                    continue
                value = found.group()
                retype = scanners[index].retype
                if retype and kind in retype:
                    kind = retype[kind].get(value, kind)
                token = _token(kind, value, pos + 1)
                pos = end
            else:
                token = _token(END, "", length + 1)
            on_token = token.type
            while True:
                action = actions[stack[-1]].get(on_token)
                if action is None:
                    raise UnexpectedToken(token, frozenset(actions[stack[-1]]))
                if action >= 0:
                    stack.append(action)
                    values.append(token)
                    break
                size, origin, reduce = plans[-1 - action]
                if reduce is None:
                    # A rule that passes its one child on changes only the state.
                    # Chains of them (dice → primary → atom → ... → sum) depend only
                    # on the state below and the token: each is followed once.
                    key = (stack[-2], stack[-1], on_token)
                    state = shortcuts.get(key)
                    if state is None:
                        state = shortcuts[key] = self._pass_on(*key)
                    stack[-1] = state
                else:
                    if size:
                        children = values[-size:]
                        del stack[-size:]
                        del values[-size:]
                    else:
                        children = []
                    values.append(reduce(children))
                    stack.append(gotos[stack[-1]][origin])
                if stack[-1] == end_state and on_token == END:
                    return values[-1]

    def _unexpected(self, text: str, pos: int, scanner: Scanner) -> UnexpectedInput:
        """As Lark's contextual lexer: name the terminal found there, if any is."""
        allowed = scanner.allowed or frozenset({"<END-OF-FILE>"})
        root = self.tables.ROOT_SCANNER
        match = re.compile(root.pattern).match
        at = pos
        while (found := match(text, at)) is not None:
            kind, value = found.lastgroup, found.group()
            assert kind is not None
            if kind not in self.tables.IGNORE:
                kind = root.retype.get(kind, {}).get(value, kind)
                return UnexpectedToken(_token(kind, value, at + 1), allowed)
            at = found.end()
        return UnexpectedCharacters(pos + 1, allowed)


Plan = tuple[int, str, "Reducer | None"]


def _plan(rule: Rule, builder: object) -> Plan:
    """How a reduction by `rule` goes: see `Parser._plans`."""
    if rule.size == 1 and rule.inline_single and rule.keep is None:
        return 1, rule.origin, None
    return rule.size, rule.origin, _reducer(rule, builder)


def _reducer(rule: Rule, builder: object) -> Reducer:
    """The function a reduction by `rule` calls on the popped values."""
    name = rule.callback
    method: Reducer | None = getattr(builder, name, None) if name else None
    if method is None:
        data = name or rule.origin

        def method(children: Children) -> Any:
            return Tree(data, children)

    keep, trailing, inline_single = rule.keep, rule.trailing, rule.inline_single
    build: Reducer = method
    if keep is None and not inline_single:
        return build

    def reduce(children: Children) -> Any:
        if keep is not None:
            shaped: Children = []
            for index, splice, nones in keep:
                if nones:
                    shaped += [None] * nones
                if splice:
                    shaped += children[index].children
                else:
                    shaped.append(children[index])
            if trailing:
                shaped += [None] * trailing
            children = shaped
        if inline_single and len(children) == 1:
            return children[0]
        return build(children)

    return reduce
