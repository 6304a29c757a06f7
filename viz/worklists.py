"""The working lists of the web UI — projects with the ledger's filters, problems by who acts,
firms found by name, code, product or tag — as rows with true counts, paged.

The filters are the ledger's own: a project's 五未 is
:func:`chainatlas.graph.workflows.ledger.stall_of` as of the day asked, "major" is its ``major``
flag, chain/segment/district are its links
(:func:`chainatlas.graph.workflows.maps.projects_library`). A firm search looks at names, full and
former names, credit and stock codes, the segments (products) a firm operates in and its tags.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from chainatlas.graph.home import HOME_AREA, is_local
from chainatlas.graph.model import Node
from chainatlas.graph.rules import Grace
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.ledger import project_row, stall_of
from chainatlas.graph.workflows.maps import projects_library, resolve_chain

__all__ = [
    "PAGE_SIZE",
    "Paged",
    "chain_segments",
    "find_firms",
    "history_entries",
    "paged",
    "project_list",
]

PAGE_SIZE = 50
T = TypeVar("T")


@dataclass
class Paged(Generic[T]):
    """One page of a list: its rows, the true count, and where it is."""

    rows: list[T]
    count: int
    page: int
    pages: int
    size: int

    @property
    def first(self) -> int:
        return (self.page - 1) * self.size + 1 if self.count else 0

    @property
    def last(self) -> int:
        return min(self.page * self.size, self.count)


def paged(items: list[T], page: int, size: int = PAGE_SIZE) -> Paged[T]:
    """Page ``page`` (from 1; past the end is the last page) of ``items``.

    >>> p = paged(list(range(120)), 3)
    >>> (p.rows[0], len(p.rows), p.count, p.pages, p.first, p.last)
    (100, 20, 120, 3, 101, 120)
    """
    pages = max(1, math.ceil(len(items) / size))
    page = min(max(1, page), pages)
    return Paged(items[(page - 1) * size : page * size], len(items), page, pages, size)


def project_list(
    store: GraphStore,
    *,
    chain: str | None = None,
    segment: str | None = None,
    region: str | None = None,
    stage: str | None = None,
    major: bool | None = None,
    stall: str | None = None,
    grace: Grace,
    today: date,
) -> list[dict[str, Any]]:
    """重点项目库 rows filtered as the projects page asks, each with its 五未 today."""
    rows = projects_library(store, chain=chain, segment=segment, region=region, stage=stage)
    out = []
    for r in rows:
        node = store.require_node(r["id"], "Project")
        r["stall"] = stall_of(project_row(store, node), today, grace)
        if major is not None and bool(r.get("major")) != major:
            continue
        if stall and r["stall"] != stall:
            continue
        out.append(r)
    out.sort(key=lambda r: (not r.get("major"), -(r.get("investment") or 0), r["name"]))
    return out


def chain_segments(store: GraphStore, chain: str) -> list[Node]:
    """A chain's segments and their sub-segments, in fishbone order."""
    ch = resolve_chain(store, chain)
    out: list[Node] = []
    todo = [n for _, n in store.neighbours(ch.id, ["HAS_SEGMENT"], "out")]
    seen: set[str] = set()
    while todo:
        s = todo.pop(0)
        if s.id in seen:
            continue
        seen.add(s.id)
        out.append(s)
        todo.extend(n for _, n in store.neighbours(s.id, ["SUBSEGMENT_OF"], "in"))
    return out


def _segment_firms(store: GraphStore, segments: list[Node]) -> dict[str, Node]:
    return {f.id: f for s in segments for _, f in store.neighbours(s.id, ["OPERATES_IN"], "in")}


def find_firms(
    store: GraphStore,
    *,
    q: str = "",
    region: str = "",
    tag: str = "",
    local: bool | None = None,
    chain: str = "",
    segment: str = "",
    home_area: tuple[str, ...] = HOME_AREA,
) -> list[Node]:
    """Firms matching every filter given; ``q`` matches names (full and former too), credit
    and stock codes, tags, and the names of segments (products) a firm operates in. Largest
    output first."""
    if chain:
        found: dict[str, Node] | None = _segment_firms(store, chain_segments(store, chain))
    else:
        found = None
    if segment:
        segs = [s for s in store.find_nodes("Segment") if s.id == segment or s.name == segment]
        by_seg = _segment_firms(store, segs)
        found = by_seg if found is None else {k: v for k, v in found.items() if k in by_seg}
    firms = list(found.values()) if found is not None else store.find_nodes("Firm")
    if q:
        key = q.strip()
        via = {
            f.id
            for s in store.find_nodes("Segment")
            if key in s.name
            for _, f in store.neighbours(s.id, ["OPERATES_IN"], "in")
        }
        firms = [f for f in firms if f.id in via or _text_match(f, key)]
    if region:
        firms = [f for f in firms if region in str(f.props.get("region") or "")]
    if tag:
        firms = [f for f in firms if tag in f.props.get("tags", [])]
    if local is not None:
        firms = [f for f in firms if is_local(f.props.get("region"), home_area) == local]
    firms.sort(key=lambda f: (-(f.props.get("output") or 0), f.name))
    return firms


def _text_match(f: Node, key: str) -> bool:
    p = f.props
    texts = [f.name, p.get("fullname"), p.get("credit_code"), p.get("stock_code")]
    texts += list(p.get("former_names") or []) + list(p.get("tags") or [])
    return any(key in str(t) for t in texts if t)


def history_entries(p: Node) -> list[dict[str, str]]:
    """A problem's history (``date｜from→to｜by｜note``) as records, oldest first."""
    out = []
    for e in p.props.get("history", []):
        parts = (str(e).split("｜") + ["", "", "", ""])[:4]
        out.append({"date": parts[0], "move": parts[1], "by": parts[2], "note": parts[3]})
    return out
