"""What the 驾驶舱 (the web UI's home page) shows: KPI cards, chart series and map values,
computed from the graph as plain data — the page draws them with ECharts.

Everything is computed once per page from the project rows of the ledger
(:func:`chainatlas.graph.workflows.ledger.project_row`), the firms and the problems; the figures
are the same ones the lists and the monthly report give (the 五未 of a project is
:func:`chainatlas.graph.workflows.ledger.stall_of` as of the day asked, with the office's grace
periods). The maps colour Huzhou's districts and China's provinces by value; a park or platform
is drawn at its recorded coordinates (``lng``/``lat``) when it has both, and otherwise around
the centre of its district (the tooltip says which).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chainatlas.graph.home import HOME_AREA, is_local
from chainatlas.graph.model import PROJECT_STAGES, Node
from chainatlas.graph.rules import Grace, Thresholds
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.ledger import (
    STALLS,
    ProjectRow,
    classify,
    month_range,
    project_row,
    stall_of,
)
from chainatlas.graph.workflows.maps import attraction_map
from chainatlas.graph.workflows.problems import overdue

__all__ = [
    "DISTRICT_KINDS",
    "Kpi",
    "MEASURES",
    "china_targets",
    "district_chart",
    "has_sample",
    "huzhou_map",
    "kpis",
    "month_of",
    "monthly_trend",
    "progress_chart",
    "project_rows",
]

DISTRICT_KINDS = ("区", "县")
ZONE_KIND = "功能区"
#: the firm tiers the home page counts (梯度培育)
TIER_TAGS = ("规上", "专精特新", "小巨人")
#: measures a Huzhou map can be coloured by: key → (label, unit)
MEASURES = {
    "firms": ("本地企业", "家"),
    "above_scale": ("规上企业", "家"),
    "output": ("企业产值", "亿元"),
    "projects": ("重点项目", "个"),
    "investment": ("项目总投资", "亿元"),
    "stalled": ("五未项目", "个"),
}


@dataclass(frozen=True)
class Kpi:
    """One card: a figure, what it counts, and the list it links to."""

    label: str
    value: float | int
    unit: str
    href: str
    note: str = ""
    alert: bool = False


def has_sample(store: GraphStore) -> bool:
    """Does the graph hold sample data (``sample=true``) — the pages then say 演示数据."""
    return any(store.count_nodes(label, {"sample": True}) for label in ("Firm", "Project", "Park"))


def project_rows(store: GraphStore) -> list[ProjectRow]:
    """Every project as the ledger sees it."""
    return [project_row(store, p) for p in store.find_nodes("Project")]


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def kpis(
    store: GraphStore,
    rows: list[ProjectRow],
    *,
    grace: Grace,
    today: date,
    home_area: tuple[str, ...] = HOME_AREA,
) -> dict[str, list[Kpi]]:
    """The home page's cards in groups: firms, projects by stage, 五未, problems and elements."""
    local = [f for f in store.find_nodes("Firm") if is_local(f.props.get("region"), home_area)]
    tags = Counter(t for f in local for t in f.props.get("tags", []))
    firms = [Kpi("本地企业", len(local), "家", "/ui/firms?local=1")]
    firms += [Kpi(t, tags[t], "家", f"/ui/firms?local=1&tag={t}") for t in TIER_TAGS]
    invest = round(sum(r.investment or 0 for r in rows), 2)
    projects = [Kpi("重点项目", len(rows), "个", "/ui/projects")]
    projects.append(Kpi("项目总投资", invest, "亿元", "/ui/projects"))
    stages = Counter(r.stage for r in rows)
    projects += [Kpi(s, stages[s], "个", f"/ui/projects?stage={s}") for s in PROJECT_STAGES]
    stalled = Counter(s for r in rows if (s := stall_of(r, today, grace)))
    stalls = [
        Kpi(s, stalled[s], "个", f"/ui/projects?stall={s}", alert=stalled[s] > 0) for s in STALLS
    ]
    problems = store.find_nodes("Problem")
    open_ = sum(1 for p in problems if p.props.get("status") != "办结")
    late = len(overdue(store, today))
    demands, supplies = store.count_nodes("Demand"), store.count_nodes("Supply")
    loop = [
        Kpi("问题（未办结）", open_, "个", "/ui/problems?view=open"),
        Kpi("问题（逾期）", late, "个", "/ui/problems?view=overdue", alert=late > 0),
        Kpi("已办结", len(problems) - open_, "个", "/ui/problems?view=closed"),
        Kpi(
            "要素需求 / 供给",
            demands,
            f"条 / {supplies} 条",
            "/ui/match",
            "匹配结果不入库：上传两张清单即时匹配",
        ),
    ]
    return {"企业": firms, "项目": projects, "五未": stalls, "问题与要素": loop}


def progress_chart(prog: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """2026 targets against local output per chain (``prog``: what
    :func:`chainatlas.graph.workflows.progress.progress` answers), one series per layout, never
    mixed: each chain with its name, target (or None), output, share and the target's basis."""
    out: dict[str, list[dict[str, Any]]] = {"1366": [], "eight-2.0": []}
    for r in prog["chains"]:
        if r["layout"] in out:
            out[r["layout"]].append(
                {
                    "id": r["chain"],
                    "name": r["name"],
                    "target": r["target_2026"],
                    "output": r["output"],
                    "firms": r["firms"],
                    "share": r["share"],
                    "basis": r["target_basis"],
                }
            )
    return out


def _districts(store: GraphStore) -> list[str]:
    """Districts and counties, then the functional zones, in the city's usual order."""
    regions = store.find_nodes("Region")
    names = [r.name for r in regions if r.props.get("kind") in (*DISTRICT_KINDS, ZONE_KIND)]
    order = {n: i for i, n in enumerate(HOME_AREA)}
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))


def district_chart(
    store: GraphStore, rows: list[ProjectRow], *, grace: Grace, today: date
) -> dict[str, Any]:
    """Projects by stage per district and 五未 by district (functional zones included, as the
    projects name them)."""
    names = _districts(store)
    names += sorted({r.region for r in rows} - set(names))
    stage = {
        s: [sum(1 for r in rows if r.region == d and r.stage == s) for d in names]
        for s in PROJECT_STAGES
    }
    stalls = {s: [0] * len(names) for s in STALLS}
    for r in rows:
        s = stall_of(r, today, grace)
        if s:
            stalls[s][names.index(r.region)] += 1
    return {"districts": names, "stages": stage, "stalls": stalls}


def monthly_trend(
    rows: list[ProjectRow], *, grace: Grace, today: date, months: int = 12
) -> dict[str, Any]:
    """The last ``months`` months up to ``today``'s: the three new lists (新备案, 新开工,
    新投产), new signings and the 五未 count at each month's end (or today, this month)."""
    labels: list[str] = []
    day = today.replace(day=1)
    for _ in range(months):
        labels.insert(0, month_of(day))
        day = (day - timedelta(days=1)).replace(day=1)
    series: dict[str, list[int]] = {k: [] for k in ("新签约", "新备案", "新开工", "新投产", "五未")}
    for m in labels:
        start, end = month_range(m)
        end = min(end, today)
        c = Counter(k for r in rows for k, yes in classify(r, start, end).items() if yes)
        series["新签约"].append(
            sum(1 for r in rows if start <= (r.dates["signed"] or date.min) <= end)
        )
        for k in ("新备案", "新开工", "新投产"):
            series[k].append(c[k])
        series["五未"].append(sum(1 for r in rows if stall_of(r, end, grace)))
    return {"months": labels, "series": series}


def huzhou_map(
    store: GraphStore,
    rows: list[ProjectRow],
    *,
    grace: Grace,
    today: date,
    home_area: tuple[str, ...] = HOME_AREA,
) -> dict[str, Any]:
    """Values per district and functional zone for each of :data:`MEASURES`, the zones with
    the districts they overlap, and the parks and platforms with the district they are in."""
    regions = store.find_nodes("Region")
    names = _districts(store)
    values: dict[str, dict[str, float]] = {m: dict.fromkeys(names, 0.0) for m in MEASURES}

    def add(measure: str, region: str | None, v: float) -> None:
        if region in values[measure]:
            values[measure][region] = round(values[measure][region] + v, 2)

    for f in store.find_nodes("Firm"):
        reg = f.props.get("region")
        if not is_local(reg, home_area):
            continue
        add("firms", reg, 1)
        add("above_scale", reg, 1 if "规上" in f.props.get("tags", []) else 0)
        add("output", reg, float(f.props.get("output") or 0))
    for r in rows:
        add("projects", r.region, 1)
        add("investment", r.region, r.investment or 0)
        add("stalled", r.region, 1 if stall_of(r, today, grace) else 0)
    zones = [
        {
            "name": z.name,
            "overlaps": [n.name for _, n in store.neighbours(z.id, ["OVERLAPS"], "out")],
        }
        for z in regions
        if z.props.get("kind") == ZONE_KIND
    ]
    points = [
        {
            "name": p.name,
            "kind": "园区",
            "region": p.props.get("region"),
            "detail": (
                f"空置率 {p.props['vacancy']:.0%}" if p.props.get("vacancy") is not None else ""
            ),
            "at": _coordinates(p),
        }
        for p in store.find_nodes("Park")
    ]
    points += [
        {
            "name": p.name,
            "kind": "平台",
            "region": p.props.get("region")
            or next((n.name for _, n in store.neighbours(p.id, ["LOCATED_IN"], "out")), None),
            "detail": str(p.props.get("kind") or ""),
            "at": _coordinates(p),
        }
        for p in store.find_nodes("Platform")
    ]
    placed = [p for p in points if p["at"] or p["region"] in names]
    return {
        "measures": {k: {"label": v[0], "unit": v[1]} for k, v in MEASURES.items()},
        "values": values,
        "zones": zones,
        "points": placed,
        "unplaced": len(points) - len(placed),
    }


def _coordinates(node: Node) -> list[float] | None:
    """``[lng, lat]`` when the node records both, else None (it is placed at its district)."""
    lng, lat = node.props.get("lng"), node.props.get("lat")
    return [float(lng), float(lat)] if lng is not None and lat is not None else None


def china_targets(
    store: GraphStore,
    chain: str,
    *,
    thresholds: Thresholds | None = None,
    home_area: tuple[str, ...] = HOME_AREA,
) -> dict[str, Any]:
    """Where a chain's target firms are: the outside firms recorded in its weak and missing
    segments (the 招商图's recorded targets), each once, by region name, with the segments
    they would fill."""
    am = attraction_map(store, chain, thresholds=thresholds, home_area=home_area, top=200)
    firms: dict[str, dict[str, Any]] = {}
    for seg in am.segments:
        for t in seg.targets:
            f = firms.setdefault(
                t.firm, {"name": t.name, "region": t.region or "未知", "segments": []}
            )
            f["segments"].append(seg.name)
    by_region = Counter(f["region"] for f in firms.values())
    return {
        "chain": {"id": am.chain.id, "name": am.chain.name},
        "source": am.source,
        "regions": dict(by_region),
        "firms": sorted(firms.values(), key=lambda f: (f["region"], f["name"]))[:300],
        "count": len(firms),
        "gaps": len(am.segments),
    }
