"""The shape of the code, checked: no import cycle in tracker or config; imports only go
down the floors (docs/decisions/0015-layout.md); and the three surfaces (admin, portal,
API) never query domain models themselves: they read through ``tracker.selectors`` and
write through ``tracker.services``."""

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


#: The floors, highest first: a module imports only from its own floor or those below.
#: The capabilities share a floor and do not import one another.
LAYERS = (
    grimp.Layer(
        "tracker.admin",
        "tracker.admin_site",
        "tracker.portal",
        "tracker.api",
        "tracker.management",
        "tracker.apps",
        independent=False,
    ),
    "tracker.demo",
    "tracker.web",
    "tracker.services",
    "tracker.tasks",
    grimp.Layer(
        "tracker.documents",
        "tracker.notifications",
        "tracker.interop",
        "tracker.figures",
        independent=True,
    ),
    "tracker.selectors",
    "tracker.models",
    "tracker.workflow",
    "tracker.kernel",
)


def _upward_imports(package: str, layers: tuple[grimp.Layer | str, ...]) -> list[str]:
    """Every import that climbs a floor, with where it is. Imports under
    ``if TYPE_CHECKING:`` are left out: they never run, and the workflow's and the
    kernel's annotations name the models they are given."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)
    return sorted(
        "; ".join(_where(graph, a, b) for a, b in pairwise((head, *route.middle, tail)))
        for dependency in graph.find_illegal_dependencies_for_layers(layers=layers)
        for route in dependency.routes
        for head in route.heads
        for tail in route.tails
    )


def test_imports_only_go_down_the_floors():
    climbing = _upward_imports("tracker", LAYERS)
    assert not climbing, "Imports that climb a floor:\n  " + "\n  ".join(climbing)


def test_the_floor_check_sees_an_import_that_climbs(tmp_path, monkeypatch):
    # The check above must be able to fail: a kernel module importing a service is found,
    # and one importing it only for its annotations is not.
    package = tmp_path / "floors"
    (package / "kernel").mkdir(parents=True)
    (package / "services").mkdir()
    for init in (package, package / "kernel", package / "services"):
        (init / "__init__.py").write_text("")
    (package / "services" / "intake.py").write_text("from floors.kernel import clock\n")
    (package / "kernel" / "clock.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from floors.services import intake\n"
    )
    (package / "kernel" / "names.py").write_text("from floors.services import intake\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    layers = ("floors.services", "floors.kernel")
    assert _upward_imports("floors", layers) == [
        "floors.kernel.names:1 from floors.services import intake"
    ]


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
