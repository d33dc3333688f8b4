"""Read a sheet's YAML safely into a tree of values that keep their spans.

Only pyyaml's safe machinery is used: the pure-Python `SafeLoader`'s reader,
scanner, parser and resolver, and `SafeConstructor`'s scalar constructors. The
tree is built from the parser's events by `_SheetLoader.build`, a loop with an
explicit stack that replaces pyyaml's recursive composer, so no input can reach
Python's recursion limit. The pure-Python loader is used even when LibYAML is
installed, so that positions and messages are the same everywhere.

Policies:

- One document per file, whose top level is a mapping.
- Keys are plain values (no lists or mappings as keys) and unique in each
  mapping, compared like Python dict keys (so `1` and `1.0` are the same key,
  as in the dict `to_python()` gives). `yaml.safe_load` silently keeps the last.
- Scalars are resolved with the safe loader's tags: null, bool, int, float,
  str. Timestamps (`2024-05-01`) stay text; `Scalar.tag` says what YAML saw.
  Every other tag (`!!python/object`, `!!binary`, `!!set`, `!custom`, the merge
  key `<<`) is refused.
- Aliases are allowed, and share the anchored subtree instead of copying it
  (the alias keeps its own span at the top). The size of the document *with
  aliases expanded* is bounded by `MAX_NODES`, counted without expanding
  anything: each anchored node's expanded size is known when it is finished.
  A "billion laughs" file fails on its first alias past the limit.
- An alias to an anchor still open (a recursive structure) is refused.

Every problem raises `InputError` (unreadable or malformed) or `LimitError`
(past one of the limits below), both exit status 2. Problems inside the text
carry a span (with the file) and the source, so `show()` draws a caret; a file
that cannot be read at all (missing, a directory, too large) has no span, and
its message names the file.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any, NoReturn

import attrs
import yaml
from yaml.error import Mark, MarkedYAMLError
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from rouge_rpg.diagnostics import Span
from rouge_rpg.errors import InputError, LimitError
from rouge_rpg.sheets.nodes import (
    YAML_TAG_PREFIX,
    Document,
    Mapping,
    Node,
    Plain,
    Scalar,
    ScalarValue,
    Sequence,
    short_tag,
)
from rouge_rpg.sheets.types import MAX_MAGNITUDE, describe

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_SHEET_BYTES",
    "Document",
    "Mapping",
    "Node",
    "Plain",
    "Scalar",
    "ScalarValue",
    "Sequence",
    "load_yaml",
    "parse_yaml",
]

#: Largest sheet file, in bytes (UTF-8), checked with `stat` before reading.
MAX_SHEET_BYTES = 256 * 1024
#: Deepest nesting of mappings and lists; the top-level mapping is level 1.
MAX_DEPTH = 32
#: Most nodes (keys, values, list items, mappings, lists) with aliases expanded.
MAX_NODES = 10_000

#: Longest text of a whole number read (underscores and a base prefix included), so that
#: no number is converted that is far beyond the limit (or Python's 4,300 digits).
_MAX_NUMBER_TEXT = 200

_MAP_TAG = YAML_TAG_PREFIX + "map"
_SEQ_TAG = YAML_TAG_PREFIX + "seq"
_TIMESTAMP_TAG = YAML_TAG_PREFIX + "timestamp"
_MERGE_TAG = YAML_TAG_PREFIX + "merge"


def load_yaml(path: Path) -> Document:
    """Read and parse the sheet at `path`; `Span.file` is `str(path)`."""
    file = str(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"cannot read {file!r}: it is a directory, expected a YAML file")
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
            raise InputError(f"cannot read {file!r}: it is not a regular file; only files are read")
        if info.st_size > MAX_SHEET_BYTES:
            _too_large(file, info.st_size)
        with path.open("rb") as handle:
            # Bounded even if the file grew, or is not a regular file.
            data = handle.read(MAX_SHEET_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(f"cannot read {file!r}: {reason.lower()}") from None
    except ValueError:  # a NUL in the name
        raise InputError(f"cannot read {file!r}: a file name cannot hold a NUL character") from None
    if len(data) > MAX_SHEET_BYTES:
        _too_large(file, len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _not_utf8(data, error, file) from None
    return parse_yaml(text, file)


def parse_yaml(text: str, file: str) -> Document:
    """Parse sheet text; `file` names it in spans. The size limit applies to its UTF-8."""
    if len(text) > MAX_SHEET_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_SHEET_BYTES:
        _too_large(file, len(text.encode("utf-8", "surrogatepass")))
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if bad is not None:
        char = bad.group()
        raise InputError(
            f"the character U+{ord(char):04X} is not allowed in a YAML file",
            _span_at_offset(text, bad.start(), file),
            source=text,
        )
    loader = _SheetLoader(text, file)
    try:
        root = loader.build()
    except MarkedYAMLError as error:
        raise _syntax_error(error, text, file) from None
    finally:
        loader.dispose()
    return Document(file, text, root)


# -- building the tree -------------------------------------------------------


@attrs.define
class _Open:
    """A mapping or list whose end event has not come yet."""

    start: Event
    anchor: str | None
    is_mapping: bool
    nodes_before: int
    items: list[Node] = attrs.Factory(list)
    entries: list[tuple[Scalar, Node]] = attrs.Factory(list)
    key: Scalar | None = None
    seen: dict[ScalarValue, Scalar] = attrs.Factory(dict)
    height: int = 1


@attrs.frozen
class _Anchored:
    """A finished anchored node, with its size and height once expanded."""

    node: Node
    size: int
    height: int


class _SheetLoader(yaml.SafeLoader):
    """pyyaml's safe loader, composing iteratively into our tree with limits."""

    def __init__(self, text: str, file: str) -> None:
        super().__init__(text)
        self.file = file
        self.text = text
        self.nodes = 0
        self.stack: list[_Open] = []
        self.finished: dict[str, _Anchored] = {}
        self.open_anchors: dict[str, Event] = {}
        self.root: Node | None = None

    # -- helpers -------------------------------------------------------------
    def next_event(self) -> Event:
        """The parser's next event (pyyaml's `get_event`, typed)."""
        parser: Any = super()
        event: Event = parser.get_event()
        return event

    def span(self, start: Any, end: Any) -> Span:
        """The span between two pyyaml marks (0-based) in this file."""
        return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1, self.file)

    def event_span(self, event: Event) -> Span:
        return self.span(event.start_mark, event.end_mark)

    def fail(self, message: str, event: Event, *, limit: bool = False) -> NoReturn:
        kind = LimitError if limit else InputError
        raise kind(message, self.event_span(event), source=self.text)

    def count(self, size: int, event: Event) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            self.fail(
                f"too many nodes: more than {MAX_NODES:,} keys, values and list items"
                " once aliases are expanded",
                event,
                limit=True,
            )

    # -- the loop ------------------------------------------------------------
    def build(self) -> Mapping:
        """The top-level mapping of the only document."""
        self.next_event()  # StreamStartEvent
        if self.check_event(StreamEndEvent):
            what = "is empty" if not self.text.strip() else "holds only comments"
            raise InputError(
                f"the file {what}: expected a mapping of keys and values",
                Span.at(1, 1, file=self.file),
                source=self.text,
            )
        self.next_event()  # DocumentStartEvent
        while self.root is None:
            self.step(self.next_event())
        self.next_event()  # DocumentEndEvent
        if self.check_event(DocumentStartEvent):
            event = self.next_event()
            self.fail("a sheet holds one YAML document, but a second one starts here", event)
        root = self.root
        if not isinstance(root, Mapping):
            raise InputError(
                f"expected a mapping of keys and values at the top level, got {describe(root)}",
                root.span,
                source=self.text,
            )
        return root

    def step(self, event: Event) -> None:
        """Handle one event inside the document."""
        if isinstance(event, ScalarEvent):
            self.count(1, event)
            self.register(event, self.scalar(event), 1, 0)
        elif isinstance(event, MappingStartEvent | SequenceStartEvent):
            self.start(event)
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            self.end(event)
        elif isinstance(event, AliasEvent):
            self.alias(event)
        else:  # pragma: no cover - the parser sends nothing else inside a document
            raise AssertionError(f"unexpected YAML event {event!r}")

    def start(self, event: Any) -> None:
        is_mapping = isinstance(event, MappingStartEvent)
        tag = event.tag
        if tag not in (None, "!", _MAP_TAG if is_mapping else _SEQ_TAG):
            self.refuse_tag(tag, event, "a mapping" if is_mapping else "a list")
        if len(self.stack) + 1 > MAX_DEPTH:
            self.fail(
                f"nesting too deep: more than {MAX_DEPTH} levels of mappings and lists",
                event,
                limit=True,
            )
        self.count(1, event)
        self.check_anchor(event)
        if event.anchor is not None:
            self.open_anchors[event.anchor] = event
        self.stack.append(_Open(event, event.anchor, is_mapping, self.nodes - 1))

    def end(self, event: Event) -> None:
        frame = self.stack.pop()
        span = self.span(frame.start.start_mark, event.end_mark)
        node: Node
        if frame.is_mapping:
            node = Mapping(span, tuple(frame.entries))
        else:
            node = Sequence(span, tuple(frame.items))
        if frame.anchor is not None:
            del self.open_anchors[frame.anchor]
        self.register(frame.start, node, self.nodes - frame.nodes_before, frame.height)

    def alias(self, event: Any) -> None:
        name: str = event.anchor
        if name in self.open_anchors:
            self.fail(f"alias '*{name}' is inside the value it names, which is not allowed", event)
        target = self.finished.get(name)
        if target is None:
            self.fail(f"unknown alias '*{name}': no '&{name}' is defined before it", event)
        if len(self.stack) + target.height > MAX_DEPTH:
            self.fail(
                f"nesting too deep: alias '*{name}' makes more than {MAX_DEPTH} levels"
                " of mappings and lists",
                event,
                limit=True,
            )
        self.count(target.size, event)
        node = attrs.evolve(target.node, span=self.event_span(event))
        self.deliver(event, node, target.height)

    def register(self, event: Any, node: Node, size: int, height: int) -> None:
        """A node is finished: remember its anchor, hand it to its parent."""
        if event.anchor is not None:
            self.finished[event.anchor] = _Anchored(node, size, height)
        self.deliver(event, node, height)

    def check_anchor(self, event: Any) -> None:
        name = event.anchor
        if name is None:
            return
        first = self.finished.get(name)
        first_line = first.node.span.line if first else None
        if name in self.open_anchors:
            mark = self.open_anchors[name].start_mark
            assert mark is not None
            first_line = mark.line + 1
        if first_line is not None:
            self.fail(f"anchor '&{name}' is defined twice (first at line {first_line})", event)

    def deliver(self, event: Event, node: Node, height: int) -> None:
        if not self.stack:
            self.root = node
            return
        parent = self.stack[-1]
        parent.height = max(parent.height, height + 1)
        if not parent.is_mapping:
            parent.items.append(node)
        elif parent.key is None:
            parent.key = self.key(event, node, parent)
        else:
            parent.entries.append((parent.key, node))
            parent.key = None

    def key(self, event: Event, node: Node, parent: _Open) -> Scalar:
        """Check a mapping key: a plain value, not given before."""
        if not isinstance(node, Scalar):
            self.fail(f"a key must be a single value, not {describe(node)}", event)
        try:
            first = parent.seen.get(node.value)
        except TypeError:  # pragma: no cover - scalar values are hashable
            first = None
        if first is not None:
            again = "" if first.text == node.text else f" as {first.text!r}"
            raise InputError(
                f"duplicate key {_key_name(node)} (first given{again} at line {first.span.line})",
                node.span,
                source=self.text,
            )
        parent.seen[node.value] = node
        return node

    def scalar(self, event: Any) -> Scalar:
        self.check_anchor(event)
        tag: str | None = event.tag
        if tag is None or tag == "!":
            resolver: Any = super()
            tag = resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        assert tag is not None
        raw: str = event.value
        value: ScalarValue
        if tag in (YAML_TAG_PREFIX + "str", _TIMESTAMP_TAG):
            value = raw
        elif tag == YAML_TAG_PREFIX + "null":
            value = None
        elif tag in _CONSTRUCTORS:
            if tag == YAML_TAG_PREFIX + "int" and len(raw) > _MAX_NUMBER_TEXT:
                self.fail(f"the number is too large: a number is at most {MAX_MAGNITUDE:,}", event)
            try:
                value = _CONSTRUCTORS[tag](self, yaml.ScalarNode(tag, raw))
            except (ValueError, KeyError, IndexError, OverflowError):
                self.fail(f"{raw!r} is not a valid {short_tag(tag)} value", event)
        elif tag == _MERGE_TAG:
            self.fail(
                "merge keys ('<<') are not supported: write the keys out,"
                " or quote '<<' to mean the text",
                event,
            )
        else:
            self.refuse_tag(tag, event, "a single value")
        start, end = event.start_mark, event.end_mark
        text = self.text[start.index : end.index]
        if event.anchor is not None or event.tag is not None:
            # The span and text of the value itself, after `&anchor !tag` on its line.
            prefix = _PROPERTIES.match(text)
            if prefix and not any(c in _BREAKS for c in prefix.group()):
                start = Mark(start.name, start.index, start.line, start.column, None, 0)
                start.index += prefix.end()
                start.column += prefix.end()
                text = text[prefix.end() :]
        return Scalar(self.span(start, end), value, text, tag)

    def refuse_tag(self, tag: str, event: Event, what: str) -> NoReturn:
        if tag in _CORE_TAGS:
            self.fail(f"the tag '{short_tag(tag)}' cannot be given to {what}", event)
        self.fail(
            f"the tag '{short_tag(tag)}' is not allowed: a sheet holds only"
            " text, numbers, true/false, null, lists and mappings",
            event,
        )


#: Anchors and tags before a scalar (neither may contain spaces).
_PROPERTIES = re.compile(r"(?:[&!]\S*\s+)+")
#: What pyyaml counts as a line break.
_BREAKS = "\r\n\x85\u2028\u2029"
_CORE_TAGS = {
    YAML_TAG_PREFIX + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}

_CONSTRUCTORS: dict[str, Any] = {
    YAML_TAG_PREFIX + "bool": yaml.SafeLoader.construct_yaml_bool,
    YAML_TAG_PREFIX + "int": yaml.SafeLoader.construct_yaml_int,
    YAML_TAG_PREFIX + "float": yaml.SafeLoader.construct_yaml_float,
}


# -- messages ----------------------------------------------------------------


def _key_name(key: Scalar) -> str:
    shown = key.value if isinstance(key.value, str) else key.text
    return repr(str(shown))


def _too_large(file: str, size: int) -> NoReturn:
    raise LimitError(
        f"{file!r} is too large: {size:,} bytes, a sheet may be at most"
        f" {MAX_SHEET_BYTES // 1024} KiB ({MAX_SHEET_BYTES:,} bytes)"
    )


def _span_at_offset(text: str, offset: int, file: str) -> Span:
    """The one-character span at character `offset` of `text`."""
    lines = (text[:offset] + "x").splitlines()
    return Span.at(len(lines), len(lines[-1]), file=file)


def _not_utf8(data: bytes, error: UnicodeDecodeError, file: str) -> InputError:
    shown = data.decode("utf-8-sig", "replace")
    before = data[: error.start].decode("utf-8-sig")
    return InputError(
        f"the file is not UTF-8 text: byte 0x{data[error.start]:02x} cannot be decoded",
        _span_at_offset(shown, len(before), file),
        source=shown,
        hint="save the file as UTF-8",
    )


#: pyyaml's problem texts → plain words, matched on how the problem starts.
_PLAIN_PROBLEMS = {
    "found character '\\t' that cannot start any token": "a tab cannot indent YAML: use spaces",
    "mapping values are not allowed here": (
        "unexpected ':' here: quote a value that contains ': ', or check the indentation"
    ),
    "expected <block end>, but found": "this line is not indented like the lines above it",
    "expected ',' or ']'": "expected ',' or ']' here, to go on with the list or to close it",
    "expected ',' or '}'": "expected ',' or '}' here, to go on with the mapping or to close it",
    "found undefined tag handle": "unknown tag prefix: only YAML's own '!!' tags are understood",
}

#: What pyyaml was reading when it failed (its context text) → plain words.
_PLAIN_CONTEXTS = {
    "block mapping": "mapping",
    "flow mapping": "{...} mapping",
    "block collection": "block",
    "flow sequence": "[...] list",
    "quoted scalar": "quoted text",
    "block scalar": "block of text",
    "plain scalar": "value",
    "simple key": "key",
}


def _syntax_error(error: MarkedYAMLError, text: str, file: str) -> InputError:
    """A pyyaml scanner or parser error, at its problem mark, in plainer words."""
    problem = error.problem or error.context or "invalid YAML"
    mark, context_mark = error.problem_mark or error.context_mark, error.context_mark
    what = None
    if error.context:
        what = error.context.removeprefix("while parsing ").removeprefix("while scanning ")
        what = what.removeprefix("a ").removeprefix("an ")
        what = _PLAIN_CONTEXTS.get(what, what)
    if what and context_mark and ("end of stream" in problem or "<stream end>" in problem):
        return InputError(
            f"the file ends before the {what} that starts here is closed",
            Span.at(context_mark.line + 1, context_mark.column + 1, file=file),
            source=text,
        )
    message = next(
        (plain for start, plain in _PLAIN_PROBLEMS.items() if problem.startswith(start)),
        f"invalid YAML: {problem}",
    )
    span = Span.at(mark.line + 1, mark.column + 1, file=file) if mark else None
    hint = None
    if what and context_mark and mark and context_mark.line != mark.line:
        hint = f"(in the {what} that starts at line {context_mark.line + 1})"
    return InputError(message, span, source=text, hint=hint)
