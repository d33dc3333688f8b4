"""The shape of the code: packages depend one way, and the engine has one dispatcher."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "rouge_rpg"


def _unit(module: str) -> str:
    """The unit a module belongs to: its subpackage (`rules`), or the module itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _imports() -> dict[str, set[str]]:
    """Unit → the units its modules import, function-level imports included."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        unit = _unit(module)
        graph.setdefault(unit, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                other = _unit(name) if name.startswith("rouge_rpg.") else unit
                if other != unit and (
                    (PACKAGE / other).is_dir() or (PACKAGE / f"{other}.py").exists()
                ):
                    graph[unit].add(other)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(unit: str) -> list[str] | None:
        state[unit] = 1
        path.append(unit)
        for other in sorted(graph.get(unit, ())):
            if state.get(other) == 1:
                return [*path[path.index(other) :], other]
            if other not in state:
                found = visit(other)
                if found:
                    return found
        state[unit] = 2
        path.pop()
        return None

    for unit in sorted(graph):
        if unit not in state:
            found = visit(unit)
            if found:
                return found
    return None


def test_no_package_imports_one_that_imports_it_back() -> None:
    graph = _imports()
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_values_sit_at_the_bottom_and_dice_know_nothing_of_the_game() -> None:
    graph = _imports()
    assert graph["record"] == set()  # the shared __repr__, __eq__, __hash__: below all
    assert graph["beings"] <= {"record"}
    assert graph["units"] == set()
    assert graph["dice"] <= {"diagnostics", "errors", "record"}
    assert graph["rules"] <= {
        "record",
        "dice",
        "beings",
        "units",
        "diagnostics",
        "errors",
        "resources",
        "cache",
    }
    assert "engine" not in graph["sheets"] and "campaign" not in graph["engine"]


def test_one_dispatcher_resolves_every_kind_of_action() -> None:
    """The CLI, the demo and the campaign reach the engine through `engine.resolve`."""
    callers = [
        PACKAGE / "demo.py",
        PACKAGE / "campaign" / "actions.py",
        PACKAGE / "cli" / "play.py",
    ]
    for path in callers:
        text = path.read_text(encoding="utf-8")
        for private in ("resolve_check", "resolve_free_will", "resolve_use"):
            assert private not in text, f"{path.name} calls {private}"
