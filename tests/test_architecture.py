"""The shape of the code, checked: no import cycle in tracker or config, and the three
surfaces (admin, portal, API) never query domain models themselves: they read through
``tracker.selectors`` and write through ``tracker.services``."""

from __future__ import annotations

import ast
from itertools import pairwise
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tracker", "config")
SURFACES = ("tracker/admin", "tracker/portal", "tracker/api", "tracker/admin_site.py")


def _strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other in a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group: list[str] = []
            while not group or group[-1] != module:
                group.append(stack.pop())
            groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return [group for group in groups if len(group) > 1]


def _where(graph: grimp.ImportGraph, importer: str, imported: str) -> str:
    details = graph.get_import_details(importer=importer, imported=imported)
    lines = sorted({(d["line_number"], d["line_contents"]) for d in details})
    return "; ".join(f"{importer}:{number} {text}" for number, text in lines)


def _cycles(graph: grimp.ImportGraph, group: list[str]) -> list[str]:
    """For each import inside the group, the shortest cycle through it (once each)."""
    found = set()
    report = []
    for importer in group:
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported not in group:
                continue
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            cycle = (importer, *back)
            start = cycle.index(min(cycle[:-1]))
            key = cycle[start:-1] + cycle[:start]
            if key in found:
                continue
            found.add(key)
            steps = [_where(graph, a, b) for a, b in pairwise(cycle)]
            report.append(" -> ".join(cycle) + "\n      " + "\n      ".join(steps))
    return report


def test_no_import_cycles():
    # Imports inside functions count; those under ``if TYPE_CHECKING:`` never run.
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    cycles = [cycle for group in _strongly_connected(graph) for cycle in _cycles(graph, group)]
    assert not cycles, "Import cycles:\n  " + "\n  ".join(cycles)


def _queries(path: Path, root: Path = ROOT) -> list[str]:
    """``Model.objects…`` and ``…._default_manager`` in one file: a query of its own."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{path.relative_to(root)}:{node.lineno} {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager")
    ]


def _python_files(path: Path) -> list[Path]:
    return [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))


def test_surfaces_read_through_selectors():
    files = [f for surface in SURFACES for f in _python_files(ROOT / surface)]
    found = [query for f in files for query in _queries(f)]
    assert not found, "Surfaces querying models themselves:\n" + "\n".join(found)


def test_the_surface_check_sees_a_query(tmp_path):
    # The check above must be able to fail: a view that queries for itself is found.
    view = tmp_path / "view.py"
    view.write_text("def page(request):\n    return Plan.objects.filter(request=1)\n")
    assert _queries(view, tmp_path) == ["view.py:2 Plan.objects"]
