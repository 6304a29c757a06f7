"""Dependencies point down, read from the code's own imports: graph ← matching ← viz ← api.

Every module under ``graph/``, ``matching/``, ``viz/`` and ``api/`` is parsed with :mod:`ast`
(nothing is imported), and every import counts: at the top, inside functions and under
``TYPE_CHECKING``, absolute and relative. A module may import its own layer and the layers
below; no import may close a cycle between modules, even a lazy one; nothing imports the bare
folder names (``graph.``, ``api.``), only ``chainatlas.…``. Tests and benchmarks stay apart:
neither imports the other. Every module opens with a docstring saying what it is for.

:data:`KNOWN` lists the edges still to be removed, each with whose file it is; an entry that no
longer occurs fails the test too, so the list only shrinks.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Layer of each package; an import may only go to the same or a lower number.
LAYERS = {"graph": 0, "matching": 1, "viz": 2, "api": 3}
BARE = {*LAYERS, "seeds"}
#: Rooms inside ``graph/``: the model's basics (modules at its top), the stores, what goes in
#: and out, and the workflows. The stores use only the basics; import/export and the workflows
#: use the stores, and neither uses the other.
ROOMS = {"core": 0, "store": 1, "io": 2, "workflows": 2}

#: Import edges (importer, imported) still to be removed, with the owner of the file to change.
KNOWN: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("chainatlas", *parts))


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in LAYERS for p in sorted((ROOT / pkg).rglob("*.py"))}


def _imported_names(module: str, path: Path) -> list[tuple[str, int]]:
    """Every name ``module`` imports (``a.b`` for ``from a import b``), with its line."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            out += [(f"{base}.{a.name}", node.lineno) for a in node.names]
    return out


def _resolve(name: str) -> str | None:
    """The package module ``name`` refers to (itself, or the module holding the attribute)."""
    mods = _modules()
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


@cache
def _graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for module, path in _modules().items():
        g.add_node(module)
        for name, line in _imported_names(module, path):
            target = _resolve(name)
            if target and target != module:
                g.add_edge(module, target, line=line)
    return g


def _layer(module: str) -> int:
    return LAYERS[module.split(".")[1]]


def _where(a: str, b: str) -> str:
    return f"{_modules()[a].relative_to(ROOT)}:{_graph().edges[a, b]['line']} imports {b}"


def test_the_package_is_parsed() -> None:
    g = _graph()
    assert {"chainatlas.graph.model", "chainatlas.matching.elements", "chainatlas.api.main"} <= set(
        g
    )
    assert g.has_edge("chainatlas.matching.elements", "chainatlas.matching.element_reading")


def test_no_import_from_a_higher_layer() -> None:
    g = _graph()
    up = [_where(a, b) for a, b in g.edges if _layer(b) > _layer(a) and (a, b) not in KNOWN]
    assert not up, "imports from a higher layer:\n" + "\n".join(up)


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[2] if len(parts) > 3 and parts[2] in ROOMS else "core"


def test_graph_rooms_point_down() -> None:
    """Inside ``graph/``: basics ← store ← io, workflows (io and workflows never meet)."""
    g = _graph()
    bad = [
        _where(a, b)
        for a, b in g.edges
        if a.startswith("chainatlas.graph.")
        and b.startswith("chainatlas.graph.")
        and (a, b) not in KNOWN
        and _room(a) != _room(b)
        and ROOMS[_room(b)] >= ROOMS[_room(a)]
    ]
    assert not bad, "graph rooms importing sideways or up:\n" + "\n".join(bad)


def test_no_import_cycle() -> None:
    g = _graph().copy()
    g.remove_edges_from(KNOWN)
    cycles = [" → ".join([*c, c[0]]) for c in nx.simple_cycles(g)]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_known_exceptions_still_exist() -> None:
    """Remove an entry of KNOWN once its edge is gone."""
    gone = [
        f"{a} → {b} ({owner})" for (a, b), owner in KNOWN.items() if not _graph().has_edge(a, b)
    ]
    assert not gone, "no longer imported, remove from KNOWN:\n" + "\n".join(gone)


def _files(*folders: str) -> list[Path]:
    return [p for f in folders for p in sorted((ROOT / f).rglob("*.py"))]


def test_no_bare_folder_imports() -> None:
    bad = []
    for path in _files("graph", "matching", "viz", "api", "tests", "bench"):
        for name, line in _imported_names(_module_name(path), path):
            if name.split(".")[0] in BARE:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not bad, "import chainatlas.… instead:\n" + "\n".join(bad)


@pytest.mark.parametrize(("folder", "forbidden"), [("tests", "bench"), ("bench", "tests")])
def test_tests_and_benchmarks_do_not_import_each_other(folder: str, forbidden: str) -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in _files(folder)
        for name, line in _imported_names(_module_name(path), path)
        if name.split(".")[0] == forbidden
    ]
    assert not bad, "\n".join(bad)


def test_every_module_says_what_it_is_for() -> None:
    bare = [
        str(p.relative_to(ROOT))
        for p in _files("graph", "matching", "viz", "api")
        if not ast.get_docstring(ast.parse(p.read_text("utf-8")))
    ]
    assert not bare, "modules without a docstring:\n" + "\n".join(bare)


def test_no_files_read_from_a_higher_layer() -> None:
    """Package data counts too: ``resources.files("chainatlas.api")`` from ``viz`` is an upward
    reference even though nothing is imported (the vendored libraries live in ``viz/static``)."""
    pattern = re.compile(r"""resources\.files\(\s*["']chainatlas(?:\.(\w+))?["']\s*\)""")
    bad = []
    for path in _files("graph", "matching", "viz"):
        here = LAYERS[path.relative_to(ROOT).parts[0]]
        for m in pattern.finditer(path.read_text("utf-8")):
            if m.group(1) is None or LAYERS.get(m.group(1), -1) > here:
                bad.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
    assert not bad, "package files read from a higher layer (or the whole package):\n" + "\n".join(
        bad
    )
