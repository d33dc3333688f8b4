"""What the language server knows about a rulebook folder, computed from texts alone.

Nothing here imports pygls: `Analysis.of(path, overrides)` reads the rulebook folder
that holds `path`, with the editor's unsaved texts (`overrides`, resolved path → text)
in place of the files on disk, and answers diagnostics, hover, definition,
references, completion and symbols. Places are 0-based lines and code-point columns
(`Place`); the server turns them into the editor's units.

Ids are found in two ways. Diagnostics and hover come from the checker and the
parsed definitions (`rules.load.read_overlaid`). Definitions, references, symbols and
completion come from a scan of the text (every top-level definition line, every
name outside strings and comments), so they keep working while a file does not
parse: every id is unique across a rulebook, whatever its kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import attrs

from rouge_rpg import resources
from rouge_rpg.diagnostics import Diagnostic, Span
from rouge_rpg.errors import RougeError
from rouge_rpg.rules import ast
from rouge_rpg.rules.load import ENTRY, read_overlaid, read_text
from rouge_rpg.rules.rulebook import Rulebook

#: Definition keyword → the kind of definition (`ast.Definition.KIND`).
DEFINITION_KINDS = {
    "rulebook": "rulebook",
    "const": "const",
    "attribute": "attribute",
    "skill": "attribute",
    "kind": "kind",
    "resource": "resource",
    "track": "track",
    "clock": "track",
    "condition": "condition",
    "bonus_type": "bonus_type",
    "check": "check",
    "act": "act",
    "constraint": "constraint",
    "faction": "faction",
    "member": "member",
    "ability": "ability",
    "power": "ability",
}
_NAME = r"[a-z_][a-z0-9_]*"
_DEFINITION = re.compile(
    rf"^(?:override[ \t]+)?({'|'.join(DEFINITION_KINDS)})[ \t]+({_NAME})"
    r'(?:[ \t]*\([^)\n]*\))?(?:[ \t]+"((?:[^"\\\n]|\\.)*)")?'
)
# A string, a comment, or a name (never right after a digit, `)` or `}`: there it is a
# dice modifier, as in the grammar's NAME).
_TOKEN = re.compile(rf'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|(?<![0-9)}}A-Za-z_])({_NAME})')


@attrs.frozen
class Place:
    """A range in one file: 0-based lines, code-point columns, end exclusive."""

    path: Path
    line: int
    column: int
    end_line: int
    end_column: int


@attrs.frozen
class Problem:
    """A diagnostic placed in a file."""

    place: Place
    severity: str  # "error" or "warning"
    message: str


@attrs.frozen
class Symbol:
    """A top-level definition as written: `keyword id "title"`, and the lines of its block."""

    id: str
    keyword: str
    title: str | None
    name: Place
    block: Place

    @property
    def kind(self) -> str:
        return DEFINITION_KINDS[self.keyword]


@attrs.frozen
class Completion:
    label: str
    kind: str  # "id", "keyword", "snippet", "field"
    detail: str = ""
    insert: str | None = None  # a snippet body (LSP snippet syntax) when kind is "snippet"


def find_folder(path: Path) -> Path | None:
    """The nearest folder holding `path` that has a `rulebook.rouge`."""
    for folder in path.resolve().parents:
        if (folder / ENTRY).is_file():
            return folder
    return None


def _span_place(span: Span, path: Path) -> Place:
    end_line, end_column = span.end_line, span.end_column
    if (end_line, end_column) <= (span.line, span.column):
        end_line, end_column = span.line, span.column + 1
    return Place(path, span.line - 1, span.column - 1, end_line - 1, end_column - 1)


def _message(d: Diagnostic | RougeError) -> str:
    return d.message + (f"\n{d.hint}" if d.hint else "")


def names(text: str) -> Iterator[tuple[int, int, int, str]]:
    """Every name outside strings and comments: (line, start column, end column, name)."""
    for number, line in enumerate(text.split("\n")):
        for match in _TOKEN.finditer(line):
            if match.group(1):
                yield number, match.start(1), match.end(1), match.group(1)


def symbols(text: str, path: Path) -> list[Symbol]:
    """The top-level definitions of a rules file, as written (it need not parse)."""
    lines = text.split("\n")
    heads: list[tuple[int, re.Match[str]]] = []
    tops: list[int] = []  # lines that start a top-level item
    for number, line in enumerate(lines):
        if line[:1] not in ("", " ", "\t", "#", "\r"):
            tops.append(number)
            match = _DEFINITION.match(line)
            if match:
                heads.append((number, match))
    out: list[Symbol] = []
    for number, match in heads:
        following = [t for t in tops if t > number]
        last = (following[0] if following else len(lines)) - 1
        while last > number and (not lines[last].strip() or lines[last].lstrip()[:1] == "#"):
            last -= 1
        name = Place(path, number, match.start(2), number, match.end(2))
        block = Place(path, number, 0, last, len(lines[last].rstrip("\r")))
        out.append(Symbol(match.group(2), match.group(1), match.group(3), name, block))
    return out


@attrs.frozen
class Analysis:
    """A rulebook folder with the editor's texts: its files, diagnostics and ids."""

    folder: Path | None
    texts: dict[Path, str]  # every .rouge file of the folder (or the lone file)
    problems: dict[Path, list[Problem]]
    definitions: dict[str, Symbol]
    parsed: dict[str, ast.AnyDefinition]
    sources: dict[str, str]

    @classmethod
    def of(cls, path: Path, overrides: Mapping[Path, str]) -> Analysis:
        """The rulebook folder of `path` (resolved), read with `overrides` in place of files."""
        path = path.resolve()
        folder = find_folder(path)
        files = sorted(folder.rglob("*.rouge")) if folder else [path]
        texts: dict[Path, str] = {}
        for file in {*(f.resolve() for f in files), *overrides}:
            if folder is not None and not file.is_relative_to(folder) and file != path:
                continue
            if file in overrides:
                texts[file] = overrides[file]
            else:
                try:
                    texts[file] = read_text(file)
                except RougeError:
                    continue
        texts.setdefault(path, overrides.get(path, ""))
        problems: dict[Path, list[Problem]] = {file: [] for file in texts}
        parsed: dict[str, ast.AnyDefinition] = {}
        sources: dict[str, str] = {}
        reached: set[Path] = set()
        if folder is not None:
            entry = folder / ENTRY
            try:
                loaded, paths, parsed_files = read_overlaid([folder], overrides)
            except RougeError as error:
                problems.setdefault(entry, []).append(
                    Problem(Place(entry, 0, 0, 0, 1), "error", _message(error))
                )
            else:
                sources = dict(loaded.sources)
                reached = set(paths.values())
                for d in loaded.diagnostics:
                    shown = d.span.file if d.span else None
                    target = paths.get(shown or "", entry)
                    span = d.span if d.span is not None and shown in paths else Span.at(1, 1)
                    problems.setdefault(target, []).append(
                        Problem(_span_place(span, target), d.severity, _message(d))
                    )
                for f in parsed_files:
                    for definition in f.definitions:
                        parsed.setdefault(definition.id.text, definition)
        for file, text in texts.items():
            # A file no rulebook reads still shows its own syntax errors.
            if file not in reached and (file in overrides or folder is None):
                problems[file].extend(_parse_problems(file, text))
        definitions: dict[str, Symbol] = {}
        for file in sorted(texts):
            for symbol in symbols(texts[file], file):
                definitions.setdefault(symbol.id, symbol)
        return cls(folder, texts, problems, definitions, parsed, sources)

    # -- the questions an editor asks -----------------------------------------------------

    def word_at(self, path: Path, line: int, column: int) -> tuple[str, Place] | None:
        """The name under (or just before) the cursor."""
        lines = self.texts.get(path.resolve(), "").split("\n")
        if not 0 <= line < len(lines):
            return None
        for _, start, end, name in names(lines[line]):
            if start <= column <= end:
                return name, Place(path.resolve(), line, start, line, end)
        return None

    def definition(self, path: Path, line: int, column: int) -> Place | None:
        found = self.word_at(path, line, column)
        symbol = self.definitions.get(found[0]) if found else None
        return symbol.name if symbol else None

    def references(
        self, path: Path, line: int, column: int, include_declaration: bool = True
    ) -> list[Place]:
        found = self.word_at(path, line, column)
        if found is None or found[0] not in self.definitions:
            return []
        wanted = found[0]
        declaration = self.definitions[wanted].name
        out: list[Place] = []
        for file in sorted(self.texts):
            for number, start, end, name in names(self.texts[file]):
                place = Place(file, number, start, number, end)
                if name == wanted and (include_declaration or place != declaration):
                    out.append(place)
        return out

    def hover(self, path: Path, line: int, column: int) -> tuple[str, Place] | None:
        """Markdown for the id under the cursor: what `rouge rules show ID` explains."""
        found = self.word_at(path, line, column)
        if found is None or found[0] not in self.definitions:
            return None
        from rouge_rpg.rules.explain import explain

        name, place = found
        symbol = self.definitions[name]
        d = self.parsed.get(name)
        where = f"{self._shown(symbol.name.path)}:{symbol.name.line + 1}"
        title = f' "{symbol.title}"' if symbol.title else ""
        head = f"**{symbol.keyword} {name}**{title}  ({where})"
        if d is None:
            return head + "\n\n(no explanation while its file does not parse)", place
        rulebook = Rulebook(
            definitions=self.parsed,
            folders=(),
            files=tuple(self.sources),
            sources=self.sources,
            title="",
            content_hash="",
        )
        source = rulebook.source_of(d)
        lines = [head, "", "```rouge", source, "```", "", *explain(d, rulebook)]
        return "\n".join(lines).replace("\n```rouge\n\n```", ""), place

    def _shown(self, path: Path) -> str:
        from rouge_rpg.rules.load import display_path

        return display_path(path)

    def file_symbols(self, path: Path) -> list[Symbol]:
        path = path.resolve()
        return symbols(self.texts.get(path, ""), path)

    def of_kinds(self, *kinds: str) -> list[Symbol]:
        return [s for s in self.definitions.values() if s.kind in kinds]

    def completions(self, path: Path, line: int, column: int) -> list[Completion]:
        """What may be typed at the cursor: ids of the right kind, keywords, snippets."""
        lines = self.texts.get(path.resolve(), "").split("\n")
        text = lines[line] if 0 <= line < len(lines) else ""
        before = text[:column]
        partial = re.search(rf"{_NAME}$", before)
        prefix = before[: partial.start()] if partial else before
        kinds = expected_kinds(prefix)
        if kinds == ("field",):
            out = [
                Completion(s.id, "id", f"{s.keyword}: {s.title or s.id}")
                for s in self.of_kinds("attribute", "resource", "track")
            ]
            out.extend(Completion(f, "field", "the being's " + f) for f in ("name", "kind"))
            out.extend(Completion(m, "snippet", f"{m}(...)", f"{m}(${{1}})") for m in ("has", "is"))
            return out
        if kinds:
            return [
                Completion(s.id, "id", f"{s.keyword}: {s.title or s.id}")
                for s in self.of_kinds(*kinds)
            ]
        if not prefix.strip():
            if prefix:  # an indented clause
                return [Completion(k, "keyword") for k in CLAUSE_KEYWORDS]
            out = [Completion(k, "keyword") for k in TOP_KEYWORDS]
            out.extend(Completion(label, "snippet", label, body) for label, body in SNIPPETS)
            return out
        out = [Completion(k, "keyword") for k in EXPRESSION_KEYWORDS]
        out.extend(Completion(s.id, "id", "const") for s in self.of_kinds("const"))
        return out


def _parse_problems(path: Path, text: str) -> list[Problem]:
    from rouge_rpg.rules.parse import parse_text

    shown = path.name
    try:
        _, found = parse_text(text, shown)
    except RougeError as error:
        span = error.span or Span.at(1, 1)
        return [Problem(_span_place(span, path), "error", _message(error))]
    return [
        Problem(_span_place(d.span or Span.at(1, 1), path), d.severity, _message(d)) for d in found
    ]


# -- what the grammar expects where ---------------------------------------------------------

_WHO = r"(?:(?:actor|target)[ \t]+)?"
_LIST = rf"(?:{_NAME}[ \t]*,[ \t]*)*"
_TITLE = r'(?:[ \t]+"(?:[^"\\\n]|\\.)*")?'
#: A pattern on the text before the cursor's word → the kinds of id expected there.
_EXPECTED: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"\b(?:actor|target)\.$"), ("field",)),
    (re.compile(r"\b(?:actor|target)\.has\($"), ("condition",)),
    (re.compile(r"\b(?:actor|target)\.is\($"), ("kind", "faction", "member")),
    (re.compile(rf"\b(?:gain|lose)[ \t]+{_WHO}$"), ("condition", "resource")),
    (re.compile(rf"\bset[ \t]+{_WHO}$"), ("resource", "track")),
    (re.compile(rf"\b(?:advance|reduce)[ \t]+{_WHO}$"), ("track",)),
    (re.compile(r"^[ \t]+check[ \t]+$"), ("check",)),
    (re.compile(r"\bunless[ \t]+passes[ \t]+$"), ("check",)),
    (re.compile(r"^[ \t]+(?:cost|resource)[ \t]+$"), ("resource",)),
    (re.compile(rf"^[ \t]+for[ \t]+faction[ \t]+{_LIST}$"), ("faction",)),
    (re.compile(rf"^[ \t]+for[ \t]+kind[ \t]+{_LIST}$"), ("kind",)),
    (re.compile(rf"^[ \t]+for[ \t]+member[ \t]+{_LIST}$"), ("member",)),
    (re.compile(rf"^member[ \t]+{_NAME}{_TITLE}[ \t]+of[ \t]+$"), ("faction",)),
    (re.compile(rf"^kind[ \t]+{_NAME}{_TITLE}[ \t]+is[ \t]+$"), ("kind",)),
    (re.compile(r"^[ \t]+kind[ \t]+$"), ("kind",)),
    (re.compile(rf"^[ \t]+applies[ \t]+to[ \t]+{_LIST}$"), ("kind",)),
    (re.compile(rf"^[ \t]+abilities[ \t]+{_LIST}$"), ("ability",)),
    (re.compile(r"^[ \t]+(?:forbid|require)[ \t]+$"), ("act",)),
    (
        re.compile(
            r"^[ \t]+(?:authority[ \t]+over|jurisdiction[ \t]+over|hostile[ \t]+to"
            r"|distrusts|allied[ \t]+with)[ \t]+$"
        ),
        ("faction", "kind"),
    ),
]


def expected_kinds(prefix: str) -> tuple[str, ...]:
    """The kinds of id the grammar expects after `prefix` (the line before the cursor)."""
    for pattern, kinds in _EXPECTED:
        if pattern.search(prefix):
            return kinds
    return ()


def grammar_keywords(text: str | None = None) -> list[str]:
    """Every keyword of grammars/rules.lark: its word literals, in order, once each."""
    if text is None:
        text = resources.grammar("rules").read_text(encoding="utf-8")
    found: list[str] = []
    for line in text.split("\n"):
        code = line.split("//", 1)[0]
        for word in re.findall(r'"([a-z_]+)"', code):
            if word not in found:
                found.append(word)
    return found


TOP_KEYWORDS = ["include", "override", *DEFINITION_KINDS]
EXPRESSION_KEYWORDS = [
    "actor",
    "target",
    "and",
    "or",
    "not",
    "true",
    "false",
    "when",
    "if",
    "then",
    "else",
    # a check's ladder reads the roll: its total, dice, opposition, margin and readings
    "total",
    "dice",
    "opposition",
    "margin",
    "highest",
    "lowest",
    "doubles",
    "count",
]
CLAUSE_KEYWORDS = [k for k in grammar_keywords() if k not in ("include", "rulebook", "const")]
SNIPPETS = [
    ("const", "const ${1:name} = ${2:0}"),
    (
        "attribute",
        'attribute ${1:id} "${2:Title}" range ${3:1}..${4:5} default ${5:2}:\n  description "${6}"',
    ),
    (
        "condition",
        'condition ${1:id} "${2:Title}":\n  modifier -${3:1} to ${4:all}\n  lasts ${5:1 scene}',
    ),
    (
        "check",
        'check ${1:id}(stat: attribute, dc = base_dc) "${2:Title}":\n'
        "  roll 2d6 + actor[stat]\n  vs dc\n"
        '  success when margin >= 0: "${3:It works.}"\n  failure otherwise',
    ),
    ("act", 'act ${1:id} "${2:Title}" severity ${3:1}'),
    ("resource", 'resource ${1:id} "${2:Title}" max ${3:10} start ${4:5}'),
    ("track", 'track ${1:id} "${2:Title}" range ${3:0}..${4:6}'),
    ("clock", 'clock ${1:id} "${2:Title}" segments ${3:6}'),
    ("faction", 'faction ${1:id} "${2:Title}":\n  kind ${3:human}\n  trait "${4}"'),
    ("member", 'member ${1:id} "${2:Name}" of ${3:faction}'),
    (
        "ability",
        'ability ${1:id} "${2:Title}":\n  for faction ${3:faction}\n'
        '  check ${4:action}\n  on success:\n    narrate "${5}"',
    ),
    (
        "power",
        'power ${1:id} "${2:Title}":\n  for member ${3:member}\n  cost ${4:nectar} ${5:1}\n'
        '  effects:\n    narrate "${6}"',
    ),
    (
        "constraint",
        'constraint ${1:id} "${2:Title}":\n  applies to ${3:nean}\n  forbid ${4:act}',
    ),
    ("include", 'include "${1:file}.rouge"'),
]
