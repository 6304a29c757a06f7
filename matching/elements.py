"""Cross-domain element matching (跨域跨链要素匹配): demand lists against supply lists.

The entry point of the matching, and the names other code imports (``from
chainatlas.matching.elements import match, Element, …``). Each job has its own module:

- :mod:`~chainatlas.matching.element_reading` — the lists read into :class:`Element` rows, every
  bad row named by file, row and column;
- :mod:`~chainatlas.matching.element_graph` — what the graph says: region compatibility
  (functional zones overlay districts; a city-wide supply serves every district), chain and
  segment families (sub-segments, chains sharing the segment, lineage), the firms of a segment;
- :mod:`~chainatlas.matching.element_candidates` — hard constraints, then a score (description
  similarity, segment proximity), top-k candidates per demand from blocked sparse products, and
  the reason of each demand without any; 配套 (supplier) demands also search the graph for firms
  in the needed segment, local firms first;
- :mod:`~chainatlas.matching.element_allocation` — the optimal allocation under capacities, major
  projects first, checked per supply so that no allocation breaks a constraint.

The result's workbook is rendered by :func:`chainatlas.viz.reports.match_tables` (matching never
renders).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sklearn.feature_extraction.text import TfidfVectorizer

from chainatlas.graph.errors import RowError
from chainatlas.graph.home import HOME_AREA
from chainatlas.graph.store.contract import GraphStore
from chainatlas.matching.element_allocation import assign
from chainatlas.matching.element_candidates import Match, find_candidates
from chainatlas.matching.element_graph import ElementGraph
from chainatlas.matching.element_reading import (
    Element,
    elements_from_dicts,
    load_lists,
    read_elements,
)

__all__ = [
    "Element",
    "Match",
    "MatchResult",
    "elements_from_dicts",
    "load_lists",
    "match",
    "read_elements",
]


@dataclass
class MatchResult:
    """Candidates, the allocation and the demands left unmatched, with the lists matched."""

    assigned: list[Match]
    candidates: list[Match]
    unmatched: list[tuple[str, str]]  # (demand id, reason)
    errors: list[RowError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    demands: dict[str, Element] = field(default_factory=dict)
    supplies: dict[str, Element] = field(default_factory=dict)


def match(
    demands: list[Element],
    supplies: list[Element],
    *,
    store: GraphStore | None = None,
    top: int = 5,
    home_area: tuple[str, ...] = HOME_AREA,
    block: int = 256,
    graph_suppliers: bool = True,
) -> MatchResult:
    """Candidates, an optimal allocation and the unmatched demands with their reasons.

    Parameters
    ----------
    demands, supplies : list of Element
        The two lists (:func:`read_elements`, :func:`elements_from_dicts`).
    store : GraphStore, optional
        The graph that relates regions, chains and segments; without it only names written
        alike are compatible and 配套 demands get no firms.
    top : int
        Candidates kept per demand.
    home_area : tuple of str
        The regions whose firms are local (配套 firms from the graph: local first).
    block : int
        Demands scored together (memory: ``block`` × supplies of a kind).
    graph_suppliers : bool
        Whether 配套 demands also get firms of their segment from the graph.

    Returns
    -------
    MatchResult
        ``assigned`` (at most one supply per demand, within every capacity and quantity),
        ``candidates`` (ranked, with the constraints each passed), ``unmatched`` (demand id,
        reason) and the stage ``timings`` in seconds.

    Examples
    --------
    Two plots of land for one 50 亩 demand; 3 公顷 (45 亩) is too small:

    >>> need = Element("d1", "demand", "土地", "工业用地", 50, "亩", "长兴县")
    >>> small = Element("s1", "supply", "土地", "工业用地", 3, "公顷", "长兴县")
    >>> big = Element("s2", "supply", "土地", "工业用地", 4, "公顷", "长兴县")
    >>> [(m.demand, m.supply) for m in match([need], [small, big]).assigned]
    [('d1', 's2')]
    >>> match([need], [small]).unmatched
    [('d1', '数量不足：需 50亩，最大供给 3公顷')]
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    g = ElementGraph(store, home_area)
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    vec.fit([e.description for e in demands] + [e.description for e in supplies] or ["-"])
    timings["prepare"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    candidates, unmatched = find_candidates(
        demands, supplies, g, vec, top=top, block=block, graph_suppliers=graph_suppliers
    )
    timings["candidates"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    assigned = assign(demands, supplies, candidates, unmatched)
    timings["assignment"] = time.perf_counter() - t0
    return MatchResult(
        assigned,
        candidates,
        list(unmatched.items()),
        [],
        timings,
        {d.id: d for d in demands},
        {s.id: s for s in supplies},
    )
