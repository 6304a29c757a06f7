"""Pages for the two maps and two libraries, and for any subgraph."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainatlas.graph.model import LABEL_ZH, PROJECT_STAGES, STAGE_ZH
from chainatlas.graph.rules import VERDICT_ZH
from chainatlas.graph.store.contract import Subgraph
from chainatlas.graph.workflows.maps import AttractionMap, Fishbone, MasterEntry
from chainatlas.viz.fishbone import fishbone_layout
from chainatlas.viz.fishbone_page import FishbonePage
from chainatlas.viz.html import GraphPage, new_network

if TYPE_CHECKING:  # pyvis loads when a view is drawn
    from pyvis.network import Network

__all__ = [
    "LABEL_COLOURS",
    "LABEL_ZH",
    "VERDICT_COLOURS",
    "attraction_page",
    "fishbone_page",
    "masters_page",
    "projects_page",
    "subgraph_page",
]

VERDICT_COLOURS = {"strong": "#3ebd93", "weak": "#f7c948", "missing": "#ef4e4e"}
LOCAL_COLOUR, OUTSIDE_COLOUR = "#47a3f3", "#b8b2a7"
#: every label's colour; its name for users is the model's ``LABEL_ZH`` (re-exported here),
#: used by the legends, tooltips and panels of both relationship pages (the vis-network page
#: here and the sigma page of :mod:`chainatlas.viz.bigview`)
LABEL_COLOURS = {
    "Chain": "#243b53",
    "Layout": "#627d98",
    "Segment": "#9fb3c8",
    "Firm": "#47a3f3",
    "Industry": "#c3b6ff",
    "Platform": "#8662c7",
    "TalentPool": "#e668a7",
    "Fund": "#f0b429",
    "Region": "#7bc47f",
    "Park": "#57ae5b",
    "Project": "#ff9466",
    "Demand": "#ef8e58",
    "Supply": "#65d6ad",
    "Problem": "#e12d39",
    "FollowUp": "#d9822b",
    "Docking": "#2bb0a8",
}
STAGE_COLOURS = dict(
    zip(
        PROJECT_STAGES,
        ["#bcccdc", "#9fb3c8", "#829ab1", "#f7c948", "#3ebd93", "#47a3f3", "#8662c7"],
        strict=True,
    )
)


def _fishbone_subtitle(fb: Fishbone) -> str:
    """The chain's layout, its verdict counts, how verdicts are made, and its lineage."""
    summary = fb.summary()
    th = fb.thresholds
    lineage = ""
    if fb.evolved_into:
        lineage += "演变为：" + "、".join(r.name for r in fb.evolved_into) + "\n"
    if fb.evolved_from:
        lineage += "承接自：" + "、".join(r.name for r in fb.evolved_from) + "\n"
    return (
        f"{fb.layout} 布局{('，' + fb.tier + '产业') if fb.tier else ''}；"
        f"环节 强 {summary['strong']} / 弱 {summary['weak']} / 缺 {summary['missing']}\n"
        f"判定：强＝本地企业≥{th.strong_firms}家且产值≥{th.strong_output:g}亿元；"
        f"弱＝≥{th.weak_firms}家；缺＝无本地企业。★ 重点领域，⇄ 与同布局其他产业链共享的环节；"
        "点击环节展开子环节并查看企业\n"
        f"{lineage}"
    )


FISHBONE_HEADER = [
    "环节位置",
    "环节",
    "上级环节",
    "重点领域",
    "判定",
    "本地企业数",
    "本地产值（亿元）",
    "外地企业数",
    "链主",
    "共享产业链",
]


def _fishbone_rows(fb: Fishbone) -> list[list[Any]]:
    """The table under the drawing: every segment and sub-segment, one row each."""
    names = {s.id: s.name for s in fb.all_segments()}
    return [
        [
            STAGE_ZH[s.stage],
            s.name,
            names.get(s.parent or "", ""),
            "是" if s.key else "",
            VERDICT_ZH[s.verdict],
            len(s.local_firms),
            s.local_output,
            s.outside_firms,
            "、".join(m.name for m in s.chain_masters),
            "、".join(r.name for r in s.shared_with),
        ]
        for s in fb.all_segments()
    ]


def fishbone_page(fb: Fishbone) -> FishbonePage:
    """The fishbone drawn as one: 上游 / 中游 / 下游 bands along a spine to the chain's head,
    a bone per segment with its sub-segments folded under it (:mod:`chainatlas.viz.fishbone`),
    and the table of every segment. Render it with
    :func:`~chainatlas.viz.fishbone_page.render_fishbone`."""
    return FishbonePage(
        title=f"产业链鱼骨图 · {fb.chain.name}",
        layout=fishbone_layout(fb),
        subtitle=_fishbone_subtitle(fb),
        summary=fb.summary(),
        tables=[("环节明细", FISHBONE_HEADER, _fishbone_rows(fb))],
    )


def attraction_page(am: AttractionMap) -> GraphPage:
    net = new_network()
    head = am.chain.id
    net.add_node(
        head,
        label=am.chain.name,
        color="#243b53",
        font={"color": "#ffffff"},
        shape="box",
        title=f"{am.chain.name}\n目标来源：{am.source}",
    )
    rows = []
    have: set[str] = set()
    for s in am.segments:
        sid = f"seg|{s.segment}"
        net.add_node(
            sid, label=s.name, title=s.reason, color=VERDICT_COLOURS[s.verdict], shape="box"
        )
        net.add_edge(sid, head)
        for t in s.targets:
            tid = f"firm|{t.firm}"
            if tid not in have:
                have.add(tid)
                net.add_node(
                    tid,
                    label=t.name,
                    shape="dot",
                    size=10,
                    color=OUTSIDE_COLOUR,
                    title=f"{t.name}（{t.region or '未知'}）\n{_score_text(t)}\n"
                    + "\n".join(t.reasons),
                )
            net.add_edge(tid, sid, dashes=not t.known)
            rows.append(
                [
                    s.name,
                    VERDICT_ZH[s.verdict],
                    t.name,
                    t.region,
                    None if t.known else t.score,
                    "已记录" if t.known else "推断",
                    "；".join(t.reasons),
                ]
            )
    for site in am.landing:
        rid = f"region|{site.region}"
        parks = "、".join(
            f"{p['name']}（空置率 {p['vacancy']:.0%}）"
            for p in site.parks
            if p.get("vacancy") is not None
        )
        net.add_node(
            rid,
            label=site.region,
            color="#7bc47f",
            shape="ellipse",
            title=f"{site.region}：{site.basis}\n{parks}",
        )
        net.add_edge(head, rid, dashes=True)
    land_rows = [
        [s.region, s.basis, p["name"], p.get("vacancy"), p.get("area")]
        for s in am.landing
        for p in (s.parks or [{"name": ""}])
    ]
    return GraphPage(
        title=f"产业链招商图 · {am.chain.name}",
        net=net,
        legend=[
            (VERDICT_COLOURS["weak"], "弱环节"),
            (VERDICT_COLOURS["missing"], "缺环节"),
            (OUTSIDE_COLOUR, "目标企业"),
            ("#7bc47f", "落地区域"),
        ],
        subtitle=f"弱、缺环节 {len(am.segments)} 个；目标来源：{am.source}",
        tables=[
            ("招商目标", ["环节", "判定", "目标企业", "所在地", "得分", "类型", "理由"], rows),
            ("落地区域与园区", ["区域", "依据", "园区", "空置率", "面积（亩）"], land_rows),
        ],
    )


def _score_text(t: Any) -> str:
    """What a target's tooltip says of its standing: a recorded firm is a fact of the graph
    (no score); an inferred one has the ranker's calibrated 0–100 score."""
    return "已记录在本环节（事实，不打分）" if t.known else f"推断得分 {t.score:g}"


def _master_node(net: Network, m: MasterEntry) -> None:
    ratio = "—" if m.local_ratio is None else f"{m.local_ratio:.0%}"
    net.add_node(
        m.firm.id,
        label=m.firm.name,
        shape="box",
        color="#243b53" if m.role == "链主" else "#486581",
        font={"color": "#fff"},
        title=f"{m.firm.name}（{m.role}）\n本地化配套比例 {ratio}",
    )


def _partner_nodes(net: Network, m: MasterEntry, have: set[str]) -> None:
    """The master's suppliers (edges into it) and customers (edges out of it), each once."""
    mid = m.firm.id
    for side, partners in (("supplier", m.suppliers), ("customer", m.customers)):
        for p in partners:
            if p.firm not in have:
                have.add(p.firm)
                tip = {"title": f"{p.name}（{p.region or '未知'}）"} if side == "supplier" else {}
                net.add_node(
                    p.firm,
                    label=p.name,
                    shape="dot",
                    size=9,
                    color=LOCAL_COLOUR if p.local else OUTSIDE_COLOUR,
                    **tip,
                )
            if side == "supplier":
                net.add_edge(p.firm, mid, title=f"供货 {p.value or '—'} 亿元")
            else:
                net.add_edge(mid, p.firm)


MASTER_COLUMNS = [
    "企业",
    "角色",
    "所在地",
    "供应商数",
    "本地供应商数",
    "本地化配套比例",
    "本地化配套比例（金额加权）",
    "客户数",
    "以商引商候选",
]


def _master_row(m: MasterEntry) -> list[object]:
    return [
        m.firm.name,
        m.role,
        m.region,
        len(m.suppliers),
        sum(1 for s in m.suppliers if s.local),
        m.local_ratio,
        m.local_ratio_value,
        len(m.customers),
        "、".join(c.name for c in m.candidates),
    ]


def masters_page(chain_name: str, entries: list[MasterEntry]) -> GraphPage:
    """The chain masters and their partners, suppliers and customers as a graph, with the
    table of 本地化配套比例 under it."""
    net = new_network()
    have: set[str] = set()
    for m in entries:
        if m.firm.id not in have:
            have.add(m.firm.id)
            _master_node(net, m)
        _partner_nodes(net, m, have)
    return GraphPage(
        title=f"链主型企业库 · {chain_name}",
        net=net,
        legend=[
            ("#243b53", "链主"),
            ("#486581", "链主伙伴"),
            (LOCAL_COLOUR, "本地企业"),
            (OUTSIDE_COLOUR, "外地企业"),
        ],
        subtitle=(
            "本地化配套比例＝本地供应商关系数 / 全部供应商关系数；按金额加权的比例只计有金额的关系"
        ),
        tables=[("链主与伙伴", MASTER_COLUMNS, [_master_row(m) for m in entries])],
    )


def projects_page(title: str, projects: list[dict[str, object]]) -> GraphPage:
    net = new_network()
    rows = []
    have: set[str] = set()
    for p in projects:
        chain = str(p.get("chain") or "未归链")
        cid = f"chain|{chain}"
        if cid not in have:
            have.add(cid)
            net.add_node(cid, label=chain, shape="box", color="#243b53", font={"color": "#fff"})
        stage = str(p.get("stage") or "")
        net.add_node(
            str(p["id"]),
            label=str(p["name"]),
            shape="dot",
            size=10,
            color=STAGE_COLOURS.get(stage, "#cbd2d9"),
            title=f"{p['name']}\n阶段 {stage or '—'}\n总投资 {p.get('investment') or '—'} 亿元"
            f"\n{p.get('region') or ''} {p.get('park') or ''}",
        )
        net.add_edge(str(p["id"]), cid)
        rows.append(
            [
                p["name"],
                chain,
                p.get("segment"),
                p.get("region"),
                p.get("park"),
                p.get("investment"),
                stage,
                "是" if p.get("major") else "",
            ]
        )
    return GraphPage(
        title=title,
        net=net,
        legend=[(c, s) for s, c in STAGE_COLOURS.items()],
        subtitle=f"项目 {len(projects)} 个",
        tables=[
            (
                "项目",
                ["项目", "产业链", "环节", "区域", "园区", "总投资（亿元）", "阶段", "重大项目"],
                rows,
            )
        ],
    )


def subgraph_page(title: str, sg: Subgraph, root: str | None = None) -> GraphPage:
    """Any subgraph (a chain's, a firm's neighbourhood), coloured by label; labels are named
    in Chinese (:data:`LABEL_ZH`); the ``root`` of a neighbourhood is drawn larger, ringed,
    with a larger name."""
    net = new_network()
    for n in sg.nodes.values():
        props = "\n".join(f"{k}: {v}" for k, v in list(n.props.items())[:8])
        look: dict[str, Any] = {"size": 12 if n.label != "Firm" else 7}
        if n.id == root:
            look = {"size": 22, "borderWidth": 4, "font": {"size": 18}}
        net.add_node(
            n.id,
            label=n.name,
            shape="dot",
            color=LABEL_COLOURS.get(n.label, "#cbd2d9"),
            title=f"{LABEL_ZH.get(n.label, n.label)} {n.id}\n{props}",
            **look,
        )
    for r in sg.relationships:
        if r.start in sg.nodes and r.end in sg.nodes:
            net.add_edge(r.start, r.end, title=r.type)
    used = sorted({n.label for n in sg.nodes.values()})
    return GraphPage(
        title=title,
        net=net,
        legend=[(LABEL_COLOURS.get(u, "#cbd2d9"), LABEL_ZH.get(u, u)) for u in used],
        subtitle=f"节点 {len(sg.nodes)}，关系 {len(sg.relationships)}",
    )
