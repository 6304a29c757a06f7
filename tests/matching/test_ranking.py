"""The learned target ranking on a synthetic graph whose answers are knowable, its scores and
tiers, and the reasons it gives — each one checked against the store it came from.

The synthetic graph: eight product families (电池, 光伏, …) of eight products each, arranged in a
ring; every firm makes a window of four consecutive products of its family (sometimes one
product of another family); the family's products are linked upstream → downstream and to one
Shenwan-like industry per family. A hidden product of a firm is then findable from its other
products, its industry and the product graph — and not from popularity.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.maps import Target
from chainatlas.matching.holdout import code_group, hide_edges
from chainatlas.matching.reasons import TEMPLATES
from chainatlas.matching.targets import (
    KNOWN_TIER,
    MIN_SCORE,
    TargetIndex,
    tier_of,
)

FAMILIES = ("电池", "光伏", "纺织", "钢材", "芯片", "医药", "家具", "汽车")
PARTS = ("原料", "材料", "组件", "模组", "部件", "设备", "系统", "整机")
REGIONS = ("上海市", "江苏省", "广东省", "安徽省", "山东省")


def _synthetic(seed: int = 0) -> tuple[list[Node], list[Relationship]]:
    rng = np.random.default_rng(seed)
    nodes: list[Node] = []
    rels: list[Relationship] = []
    nodes.append(Node("ind:all", "Industry", {"name": "制造业", "level": 1}))
    for fi, fam in enumerate(FAMILIES):
        mid = f"ind:{fi // 2}"
        if fi % 2 == 0:
            nodes.append(Node(mid, "Industry", {"name": f"大类{fi // 2}", "level": 2}))
            rels.append(Relationship(mid, "SUBINDUSTRY_OF", "ind:all"))
        nodes.append(Node(f"ind:{fam}", "Industry", {"name": f"{fam}制造", "level": 3}))
        rels.append(Relationship(f"ind:{fam}", "SUBINDUSTRY_OF", mid))
        for j, part in enumerate(PARTS):
            nodes.append(Node(f"seg:{fam}{part}", "Segment", {"name": f"{fam}{part}"}))
            if j:
                rels.append(
                    Relationship(f"seg:{fam}{PARTS[j - 1]}", "UPSTREAM_OF", f"seg:{fam}{part}")
                )
    k = 0
    for fi, fam in enumerate(FAMILIES):
        for _ in range(60):
            k += 1
            fid = f"firm:{k:04d}"
            local = k % 25 == 0
            region = "湖州市" if local else REGIONS[k % len(REGIONS)]
            nodes.append(Node(fid, "Firm", {"name": f"{fam}企业{k}号", "region": region}))
            rels.append(Relationship(fid, "IN_INDUSTRY", f"ind:{fam}"))
            start = int(rng.integers(8))
            for j in range(4):
                part = PARTS[(start + j) % 8]
                rels.append(Relationship(fid, "OPERATES_IN", f"seg:{fam}{part}"))
            if rng.random() < 0.2:
                other = FAMILIES[(fi + 1 + int(rng.integers(7))) % 8]
                part = PARTS[int(rng.integers(8))]
                rels.append(Relationship(fid, "OPERATES_IN", f"seg:{other}{part}"))
    return nodes, rels


def _store(path: Path, nodes: list[Node], rels: list[Relationship]) -> EmbeddedStore:
    s = EmbeddedStore(path)
    with s.batch() as b:
        b.upsert_nodes(nodes)
        b.upsert_relationships(rels)
    return s


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    nodes, rels = _synthetic()
    s = _store(tmp_path_factory.mktemp("syn") / "graph.db", nodes, rels)
    yield s
    s.close()


@pytest.fixture(scope="module")
def index(synthetic: EmbeddedStore) -> TargetIndex:
    return TargetIndex.from_store(synthetic)


def _edges(store: GraphStore) -> list[tuple[str, str]]:
    return [(r.start, r.end) for r in store.iter_relationships("OPERATES_IN")]


class TestLearnedRanking:
    def test_beats_popularity_on_hidden_products(
        self, synthetic: EmbeddedStore, tmp_path: Path
    ) -> None:
        """Hide 30 % of the report group's products; the ranker, built and trained on the
        rest, must find them far more often than ranking firms by their number of products."""
        edges = _edges(synthetic)
        report = {f for f, _ in edges if code_group(f) == "report"}
        h = hide_edges(edges, report, np.random.default_rng(3), share=0.3)
        hidden = set(h.hidden)
        nodes = list(synthetic.iter_nodes())
        rels = [
            r
            for t in ("OPERATES_IN", "UPSTREAM_OF", "IN_INDUSTRY", "SUBINDUSTRY_OF")
            for r in synthetic.iter_relationships(t)
            if (r.start, r.end) not in hidden
        ]
        with _store(tmp_path / "visible.db", nodes, rels) as visible:
            idx = TargetIndex.from_store(visible)
        assert idx.ranker_ is not None and idx.calibrator_ is not None  # the trained path
        pop = np.asarray(idx.F.sum(axis=1)).ravel()
        ours, base = [], []
        for seg, answers in h.queries.items():
            s = idx.sidx[seg]
            known = set(idx.view.known(s).tolist())
            cand = [f for f in range(len(idx.firm_ids)) if f not in known and not idx.local[f]]
            key = idx.score_all(s)
            for a in answers:
                fa = idx.fidx[a]
                if idx.local[fa]:
                    continue
                others = [f for f in cand if idx.firm_ids[f] not in answers]
                ours.append(1 + sum(key[f] > key[fa] for f in others))
                base.append(1 + sum(pop[f] > pop[fa] for f in others))
        hits, hits_pop = np.mean(np.array(ours) <= 10), np.mean(np.array(base) <= 10)
        assert len(ours) >= 50
        assert hits >= 0.5 and hits >= 2 * hits_pop, (hits, hits_pop)

    def test_scores_tiers_and_known(self, index: TargetIndex) -> None:
        for seg in index.seg_ids:
            ranked = index.rank(seg, top=30)
            known = [t for t in ranked if t.known]
            inferred = [t for t in ranked if not t.known]
            assert ranked[: len(known)] == known  # recorded firms first
            assert all(t.score == 100.0 and t.tier == KNOWN_TIER for t in known)
            scores = [t.score for t in inferred]
            assert scores == sorted(scores, reverse=True)
            for t in inferred:
                assert MIN_SCORE <= t.score <= 100.0
                assert t.tier == tier_of(t.score) and t.tier is not None
                assert t.reasons
            firm_ids = {t.firm for t in ranked}
            assert not {f for f in firm_ids if index.local[index.fidx[f]]}  # no local firm
        assert any(not t.known for s in index.seg_ids for t in index.rank(s, top=30))

    def test_inferred_only_and_floor(self, index: TargetIndex) -> None:
        seg = max(index.seg_ids, key=lambda s: len(index.rank(s, top=50, inferred_only=True)))
        inferred = index.rank(seg, top=50, inferred_only=True)
        assert inferred and not any(t.known for t in inferred)
        everything = index.rank(seg, top=500, inferred_only=True, min_score=0.0)
        assert len(everything) >= len(inferred)
        assert min(t.score for t in everything) < MIN_SCORE <= min(t.score for t in inferred)

    def test_tier_cut_offs(self) -> None:
        assert tier_of(100.0) == "重点" and tier_of(0.0) is None
        assert [tier_of(x) for x in (25.0, 24.9, 12.0, 11.9, 5.0, 4.9)] == [
            "重点",
            "推荐",
            "推荐",
            "备选",
            "备选",
            None,
        ]


# ---- every reason is a fact of the graph ------------------------------------------------------


def _pattern(template: str) -> re.Pattern[str]:
    out, pos = "", 0
    for m in re.finditer(r"\{(\w+)\}", template):
        out += re.escape(template[pos : m.start()])
        name = m.group(1)
        group = {"n": r"\d+", "share": r"\d+%|<1%"}.get(name, "[^「」]+")
        out += f"(?P<{name}>{group})" if f"(?P<{name}>" not in out else f"(?P={name})"
        pos = m.end()
    return re.compile(out + re.escape(template[pos:]) + "$")


PATTERNS = {kind: _pattern(t) for kind, t in TEMPLATES.items()}


class GraphFacts:
    """What the store says, read straight from it (names are unique in these graphs)."""

    def __init__(self, store: GraphStore) -> None:
        self.seg = {n.name: n.id for n in store.iter_nodes("Segment")}
        self.firm = {n.name: n.id for n in store.iter_nodes("Firm")}
        self.makes: dict[str, set[str]] = {}
        self.weight: dict[tuple[str, str], float] = {}
        for r in store.iter_relationships("OPERATES_IN"):
            self.makes.setdefault(r.start, set()).add(r.end)
            if "weight" in r.props:
                self.weight[(r.start, r.end)] = r.props["weight"]
        self.up = {(r.start, r.end) for r in store.iter_relationships("UPSTREAM_OF")}
        self.sub = {(r.start, r.end) for r in store.iter_relationships("SUBSEGMENT_OF")}
        names = {n.id: n.name for n in store.iter_nodes("Industry")}
        parent = {r.start: r.end for r in store.iter_relationships("SUBINDUSTRY_OF")}
        own = {r.start: r.end for r in store.iter_relationships("IN_INDUSTRY")}
        self.industries = {
            f: {names.get(i, i), names.get(parent.get(i, ""), None)} - {None}
            for f, i in own.items()
        }
        self.level = {f: [names.get(i, i), names.get(parent.get(i, ""))] for f, i in own.items()}
        self.masters = {r.start for r in store.iter_relationships("CHAIN_MASTER_OF")}

    def firms_in(self, seg: str) -> set[str]:
        return {f for f, segs in self.makes.items() if seg in segs}

    def linked(self, a: str, b: str) -> bool:
        return bool({(a, b), (b, a)} & (self.up | self.sub))


def check_reason(facts: GraphFacts, firm: str, seg: str, reason: str) -> None:
    """Assert that ``reason``, given for ``firm`` in ``seg``, is true in the graph."""
    kind, m = next(((k, m) for k, p in PATTERNS.items() if (m := p.match(reason))), (None, None))
    assert kind and m, f"not a known reason: {reason}"
    g = m.groupdict()
    made = facts.makes.get(firm, set())
    if "seg" in g:
        assert facts.seg[g["seg"]] == seg, reason
    prod = facts.seg.get(g.get("prod", ""), "")
    if kind in ("known", "known_weight"):
        assert seg in made, reason
        if kind == "known_weight":
            w = facts.weight[(firm, seg)]
            if g["share"] == "<1%":
                assert 0 < w <= 0.005, reason  # rounds to 0 %, shown as under 1 %
            else:
                assert f"{w:.0%}" == g["share"] and g["share"] != "0%", reason
        return
    if kind not in ("co_product", "co_product2", "industry", "industry1", "master"):
        assert prod in made and prod != seg, reason
    if kind == "input":
        assert (prod, seg) in facts.up, reason
    elif kind == "output":
        assert (seg, prod) in facts.up, reason
    elif kind == "subtype":
        assert (prod, seg) in facts.sub, reason
    elif kind == "supertype":
        assert (seg, prod) in facts.sub, reason
    elif kind == "contains":
        assert g["seg"] in g["prod"], reason
    elif kind == "within":
        assert g["prod"] in g["seg"], reason
    elif kind in ("co_product", "co_product2"):
        other = facts.firm[g["firm"]]
        assert seg in facts.makes[other], reason
        for p in (g["prod"], g.get("prod2")):
            if p:
                assert facts.seg[p] in made & facts.makes[other], reason
    elif kind == "co_count":
        both = {f for f in facts.firms_in(seg) if prod in facts.makes[f]}
        assert len(both) == int(g["n"]) >= 2, reason
    elif kind in ("industry", "industry1"):
        other = facts.firm[g["firm"]]
        assert seg in facts.makes[other], reason
        level = next(i for i, x in enumerate(facts.level[firm]) if x == g["industry"])
        assert facts.level[other][level] == g["industry"], reason
        of = {f: facts.level.get(f, [None, None])[level] for f in facts.firms_in(seg)}
        same = [f for f, name in of.items() if name == g["industry"]]
        assert len(same) == (int(g["n"]) if kind == "industry" else 1), reason
    elif kind == "master":
        z = facts.firm[g["firm"]]
        assert z in facts.masters and g["industry"] in facts.industries[firm], reason
        assert g["industry"] in facts.industries[z], reason
        assert facts.seg[g["prod"]] in facts.makes[z] and (seg, facts.seg[g["prod"]]) in facts.up
    elif kind == "two_steps":
        via = facts.seg[g["via"]]
        assert facts.linked(prod, via) and facts.linked(via, seg), reason


def _all_targets(index: TargetIndex) -> Iterator[tuple[str, Target]]:
    for seg in index.seg_ids:
        for t in index.rank(seg, top=40, min_score=0.0):
            yield seg, t


class TestReasons:
    def test_every_reason_is_true_in_the_graph(
        self, synthetic: EmbeddedStore, index: TargetIndex
    ) -> None:
        facts = GraphFacts(synthetic)
        kinds: set[str] = set()
        for seg, t in _all_targets(index):
            assert t.reasons, t
            for reason in t.reasons:
                check_reason(facts, t.firm, seg, reason)
                kinds.add(next(k for k, p in PATTERNS.items() if p.match(reason)))
        # the synthetic graph exercises paths, shared products, co-occurrence and industries
        assert {"known", "input", "output", "co_product2", "industry"} <= kinds, kinds

    def test_a_tiny_recorded_share_is_under_one_percent(self, tmp_path: Path) -> None:
        """A recorded firm's 业务占比 that rounds to 0 % read as 「业务占比 0%」, as if the firm
        were not in the segment; it reads 「<1%」, and other shares stay whole percent."""
        nodes, rels = _synthetic()
        shares = {"firm:0001": 0.003, "firm:0002": 0.42}
        rels = [
            Relationship(r.start, r.type, r.end, {"weight": shares[r.start]})
            if r.type == "OPERATES_IN" and r.start in shares
            else r
            for r in rels
        ]
        with _store(tmp_path / "graph.db", nodes, rels) as store:
            idx = TargetIndex.from_store(store)
            facts = GraphFacts(store)
        got = {}
        for seg, t in _all_targets(idx):
            if t.firm in shares and t.known:
                got[t.firm] = t.reasons
                check_reason(facts, t.firm, seg, t.reasons[0])
        assert got["firm:0001"][0].endswith("（业务占比 <1%）"), got
        assert got["firm:0002"][0].endswith("（业务占比 42%）"), got

    def test_no_feature_dumps(self, index: TargetIndex) -> None:
        for _, t in _all_targets(index):
            for reason in t.reasons:
                assert not re.search(r"[a-z_]+=\d", reason), reason

    def test_the_checker_refuses_a_false_reason(self, synthetic: EmbeddedStore) -> None:
        facts = GraphFacts(synthetic)
        firm = next(iter(facts.makes))
        made = sorted(facts.makes[firm])
        wrong = next(s for s in sorted(facts.seg.values()) if s not in made)
        name = {v: k for k, v in facts.seg.items()}
        for reason in (
            TEMPLATES["known"].format(seg=name[wrong]),
            TEMPLATES["input"].format(prod=name[wrong], seg=name[made[0]]),
            TEMPLATES["co_count"].format(prod=name[made[0]], n=99, seg=name[wrong]),
            "综合得分（cf=0.10）",
        ):
            with pytest.raises(AssertionError):
                check_reason(facts, firm, wrong if "已记录" in reason else made[0], reason)


def test_a_failed_fit_keeps_the_default_blend(synthetic: EmbeddedStore) -> None:
    """When the ranker cannot be calibrated (no query kept aside), the index stays on the
    fallback — with the blend FALLBACK_CALIBRATION was fitted for, not the freshly fitted one."""
    from chainatlas.matching.rank_features import DEFAULT_BLEND

    idx = TargetIndex.from_store(synthetic, fit=False).fit(calibration_share=0.0)
    assert idx.ranker_ is None and idx.fit_report_["queries"] >= 60
    assert np.array_equal(idx.blend_, DEFAULT_BLEND)


def _with_a_trade_line() -> tuple[list[Node], list[Relationship]]:
    """The synthetic graph with one Shenwan level-1 industry per family (eight trades) and a
    business line every trade reports: a third of all firms also make 「贸易」."""
    nodes, rels = _synthetic()
    nodes = [n for n in nodes if not (n.label == "Industry" and n.props["level"] < 3)]
    rels = [r for r in rels if r.type != "SUBINDUSTRY_OF"]
    for fi, fam in enumerate(FAMILIES):
        nodes += [
            Node(f"ind2:{fi}", "Industry", {"name": f"{fam}大类", "level": 2}),
            Node(f"ind1:{fi}", "Industry", {"name": f"{fam}门类", "level": 1}),
        ]
        rels += [
            Relationship(f"ind:{fam}", "SUBINDUSTRY_OF", f"ind2:{fi}"),
            Relationship(f"ind2:{fi}", "SUBINDUSTRY_OF", f"ind1:{fi}"),
        ]
    nodes.append(Node("seg:贸易", "Segment", {"name": "贸易"}))
    firms = [n.id for n in nodes if n.label == "Firm"]
    rels += [Relationship(f, "OPERATES_IN", "seg:贸易") for f in firms[::3]]
    return nodes, rels


def test_a_trade_line_of_every_industry_is_no_reason(tmp_path: Path) -> None:
    """A product that firms of every trade report (贸易 here, made in all eight families'
    industries) is not given as why a firm fits a segment — neither for the firms it is
    proposed to, nor when a firm of another family that also trades is explained for a
    segment of this one (where 「做「贸易」的企业中 n 家也在…」 used to be its reason). The
    reasons stay true in the graph."""
    nodes, rels = _with_a_trade_line()
    with _store(tmp_path / "graph.db", nodes, rels) as store:
        idx = TargetIndex.from_store(store)
        facts = GraphFacts(store)
        assert np.flatnonzero(idx.facts.generic).tolist() == [idx.sidx["seg:贸易"]]
        traders = idx.view.known(idx.sidx["seg:贸易"])
        explained = 0
        for fam in FAMILIES:
            own = {idx.sidx[f"seg:{fam}{p}"] for p in PARTS}
            s = idx.sidx[f"seg:{fam}{PARTS[0]}"]
            for f in traders[:40]:
                if own & set(idx.view.products(int(f)).tolist()):
                    continue  # a firm of this family
                for reason in idx.explain(int(f), s):
                    check_reason(facts, idx.firm_ids[f], idx.seg_ids[s], reason)
                    assert "「贸易」" not in reason, reason
                explained += 1
        assert explained > 100
        for seg, t in _all_targets(idx):
            if seg != "seg:贸易" and not t.known:
                assert t.reasons and not any("「贸易」" in r for r in t.reasons), t
