"""The 招商图 as a worklist: the targets of a chain's weak and missing segments, grouped by
segment, the segments in order of priority, with the filters and pages of the web page and the
same order and filters in its Excel.

Order: missing segments (补链) before weak ones (强链); within each, the gap analysis's
priority (:func:`chainatlas.matching.gaps.gaps`: the chain segments a segment feeds, the local
chain masters depending on it, how thin it is locally; key segments count 1.5×), then the
chain's own order. Within a segment: the firms already recorded in it (已记录), then the inferred
ones (推断) by the ranker's calibrated 0–100 score, with its tier (重点 / 推荐 / 备选). A firm's
招商方式 is shown only where the graph records one: the ``attraction_method`` of a project
for that firm (``FOR_FIRM``).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from chainatlas.graph.home import HOME_AREA
from chainatlas.graph.rules import Thresholds
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.maps import AttractionMap, Target, attraction_map
from chainatlas.matching.gaps import gaps
from chainatlas.viz.worklists import Paged, paged

__all__ = [
    "KNOWN",
    "ORDER_RULE",
    "TIERS",
    "AttractionList",
    "Filters",
    "SegmentGroup",
    "TargetRow",
    "attraction_list",
]

KNOWN = "已记录"
INFERRED = "推断"
#: The tiers of inferred targets, best first (``chainatlas.matching.targets.TIERS``).
TIERS = ("重点", "推荐", "备选")
ORDER_RULE = (
    "环节排序：缺环节在前、弱环节在后；同类按缺链补链分析的优先级（所供下游环节数、依赖它的本地链主、"
    "本地薄弱程度，关键环节×1.5），再按本链鱼骨图顺序。"
)


#: A-share short names under the exchanges' risk warning start with ST, *ST (or SST, S*ST).
ST_NAME = re.compile(r"^(S?\*?ST)")
RISK_WARNING = "风险警示"


@dataclass
class TargetRow:
    firm: str
    name: str
    region: str | None
    score: float
    tier: str  # 已记录, or 重点 / 推荐 / 备选
    known: bool
    reasons: list[str]
    methods: list[str] = field(default_factory=list)  # 招商方式 recorded on its projects

    @property
    def risk_warning(self) -> str | None:
        """「风险警示」 for a listed firm whose short name carries ST or *ST — the exchanges'
        risk-warning mark (a fact of its name, not a judgement of ours); else None."""
        return RISK_WARNING if ST_NAME.match(self.name) else None


@dataclass
class SegmentGroup:
    segment: str
    name: str
    stage: str
    verdict: str  # weak / missing
    reason: str
    priority: float
    rows: list[TargetRow]  # recorded first, then inferred by score

    @property
    def known(self) -> list[TargetRow]:
        return [r for r in self.rows if r.known]

    @property
    def inferred(self) -> list[TargetRow]:
        return [r for r in self.rows if not r.known]


@dataclass(frozen=True)
class Filters:
    """What the page's filter form asks for (every field optional)."""

    segment: str | None = None
    region: str | None = None
    tier: str | None = None
    kind: Literal["known", "inferred"] | None = None

    def keeps(self, row: TargetRow) -> bool:
        return (
            (self.region is None or row.region == self.region)
            and (self.tier is None or row.tier == self.tier)
            and (self.kind is None or row.known == (self.kind == "known"))
        )

    def applied(self, groups: list[SegmentGroup]) -> list[SegmentGroup]:
        """The groups this filter keeps, each with the rows it keeps (order unchanged); a
        segment filter keeps that segment even when no row is left."""
        out = []
        for g in groups:
            if self.segment is not None and g.segment != self.segment:
                continue
            rows = [r for r in g.rows if self.keeps(r)]
            if rows or self.segment is not None or not self.active:
                out.append(SegmentGroup(**{**g.__dict__, "rows": rows}))
        return out

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.region, self.tier, self.kind))


@dataclass
class AttractionList:
    map: AttractionMap
    groups: list[SegmentGroup]  # every weak or missing segment, in order

    @property
    def regions(self) -> list[str]:
        """Where the targets are (the region filter's choices), most targets first."""
        count: dict[str, int] = {}
        for g in self.groups:
            for r in g.rows:
                if r.region:
                    count[r.region] = count.get(r.region, 0) + 1
        return sorted(count, key=lambda k: (-count[k], k))

    def pages(
        self, filters: Filters, page: int, size: int
    ) -> list[tuple[SegmentGroup, Paged[TargetRow]]]:
        """The filtered groups, each with one page of its rows (``page`` is the focused
        segment's page; every other group shows its first)."""
        return [
            (g, paged(g.rows, page if filters.segment == g.segment else 1, size))
            for g in filters.applied(self.groups)
        ]


def attraction_list(
    store: GraphStore,
    chain: str,
    *,
    index: Any = None,
    thresholds: Thresholds | None = None,
    home_area: tuple[str, ...] = HOME_AREA,
    top: int = 50,
) -> AttractionList:
    """The chain's 招商图 as groups of target rows (see the module's notes).

    ``index`` ranks the targets (a ``TargetIndex``, or anything with its ``rank`` and ``sidx``,
    such as :class:`chainatlas.matching.index_cache.CachedRanking`); without one, the targets
    are the outside firms recorded in each segment, as in :func:`attraction_map`.
    """
    tiers: dict[tuple[str, str], str] = {}

    def ranked(s: GraphStore, segment: str, ch: str, k: int) -> list[Target]:
        if segment not in index.sidx:
            return []
        out = []
        for t in index.rank(segment, top=k):
            tiers[(segment, t.firm)] = KNOWN if t.known else str(t.tier or "")
            out.append(Target(t.firm, t.name, t.region, t.score, t.known, list(t.reasons)))
        return out

    with _one_thread(index is not None):
        am = attraction_map(
            store,
            chain,
            thresholds=thresholds,
            home_area=home_area,
            top=top,
            targets=ranked if index is not None else None,
        )
    priority = {
        g.segment: g.priority
        for g in gaps(store, am.chain.id, thresholds=thresholds, home_area=home_area).segments
    }
    methods = _methods(store, {t.firm for s in am.segments for t in s.targets})
    groups = []
    for order, s in enumerate(am.segments):
        rows = [
            TargetRow(
                t.firm,
                t.name,
                t.region,
                t.score,
                tiers.get((s.segment, t.firm), KNOWN if t.known else ""),
                t.known,
                t.reasons,
                methods.get(t.firm, []),
            )
            for t in s.targets
        ]
        rows.sort(key=lambda r: not r.known)  # stable: the ranker's order within each kind
        groups.append(
            (
                (s.verdict != "missing", -priority.get(s.segment, 0.0), order),
                SegmentGroup(
                    s.segment,
                    s.name,
                    s.stage,
                    s.verdict,
                    s.reason,
                    priority.get(s.segment, 0.0),
                    rows,
                ),
            )
        )
    groups.sort(key=lambda x: x[0])
    return AttractionList(am, [g for _, g in groups])


def _one_thread(ranking: bool) -> contextlib.AbstractContextManager[None]:
    """:func:`chainatlas.matching.index_cache.one_thread` while a ranking runs."""
    if not ranking:
        return contextlib.nullcontext()
    from chainatlas.matching.index_cache import one_thread

    return one_thread()


def _methods(store: GraphStore, firms: set[str]) -> dict[str, list[str]]:
    """招商方式 recorded on the projects of each firm (``Project -FOR_FIRM-> Firm``)."""
    out: dict[str, list[str]] = {}
    for f in sorted(firms):
        found = {
            str(p.props["attraction_method"])
            for _, p in store.neighbours(f, ["FOR_FIRM"], "in")
            if p.label == "Project" and p.props.get("attraction_method")
        }
        if found:
            out[f] = sorted(found)
    return out
