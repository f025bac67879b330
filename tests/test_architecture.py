"""The house's shape: no module imports itself back, through any path.

import-linter (`make check`) holds the layers; this holds the rest: a cycle inside one folder is
as hard to live with as one across folders, and neither contract would see it.
"""

from __future__ import annotations

import ast
import csv
from pathlib import Path

from extractors import SOURCES
from tests.conftest import PROJECT

PACKAGES = (
    "cli",
    "flows",
    "pipeline",
    "report",
    "alerts",
    "validation",
    "transforms",
    "warehouse",
    "extractors",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((PROJECT / package).rglob("*.py"))
    }


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules this module imports, at its top or lazily inside a function: a lazy
    import only hides a cycle until the function runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from a.b import c`: the submodule a.b.c when there is one, else a.b itself
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in modules
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    graph = {name: imports_of(path, modules) for name, path in modules.items()}
    for name in graph:
        graph[name].discard(name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as a list of modules (first == last), or None; iterative depth-first search."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in sorted(graph):
        if start in state:
            continue
        path: list[str] = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(child) == 1:
                return [*path[path.index(child) :], child]
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append(iter(sorted(graph[child])))
    return None


def test_the_module_import_graph_has_no_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 40, "the graph should cover every module of the project"
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    # the guard must be able to fail: a hand-made graph with a -> b -> c -> a
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_every_package_is_a_folder_of_the_project() -> None:
    on_disk = {
        path.parent.name
        for path in PROJECT.glob("*/__init__.py")
        if path.parent.name not in ("tests", "bench", "docs")
    }
    assert on_disk == set(PACKAGES)


# A source's name as a literal outside extractors/ and the catalog seeds means code that knows
# one source by name. Allowed, each for a reason:
NAMED_ON_PURPOSE = {
    # the demo runs on the two samples the project ships (cli/sample/)
    "cli/common.py": {"weirdml"},
    "cli/commands.py": {"epoch", "weirdml"},
    # the Doubleword view: a lag on Artificial Analysis' own open flags, of that source by design
    "transforms/intermediate/int_aa_frontier_lag.sql": {"artificial_analysis"},
    "transforms/python/aa_lag_trend.py": {"artificial_analysis"},
    "transforms/python/sql/aa_lag_trend_models.sql": {"artificial_analysis"},
}


def catalog_sources() -> list[str]:
    with (PROJECT / "transforms" / "seeds" / "sources.csv").open(encoding="utf-8") as handle:
        return [row["source"] for row in csv.DictReader(handle)]


def names_a_source(text: str, source: str, whole: bool) -> bool:
    """`text` names `source`: as the whole string (Python), quoted as SQL, or as NAME=..."""
    return (whole and text == source) or f"'{source}'" in text or text.startswith(f"{source}=")


def test_no_code_outside_extractors_names_a_source() -> None:
    sources = catalog_sources()
    assert sorted(sources) == sorted(SOURCES)
    named = []
    for package in PACKAGES:
        if package == "extractors":
            continue
        for path in sorted((PROJECT / package).rglob("*")):
            where = str(path.relative_to(PROJECT))
            if where.startswith("transforms/seeds/") or path.suffix not in (".py", ".sql"):
                continue
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".sql":
                found = [(1, text, False)]
            else:
                found = [
                    (node.lineno, node.value, True)
                    for node in ast.walk(ast.parse(text))
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)
                ]
            allowed = NAMED_ON_PURPOSE.get(where, set())
            named += [
                f"{where}:{line}: {source}"
                for line, value, whole in found
                for source in sources
                if source not in allowed and names_a_source(value, source, whole)
            ]
    assert not named, named
