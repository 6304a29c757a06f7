"""Deterministic sample data so the demo means something.

Every node made here carries ``sample=true`` and a name containing “示例”: these are plausible
records for trying the tool, never facts about real companies.
"""

from __future__ import annotations

import random
import zlib
from datetime import date, timedelta

from chainatlas.graph.creditcode import ALPHABET, make_credit_code
from chainatlas.graph.model import ATTRACTION_METHODS, FIRM_TAGS, Node, Relationship
from chainatlas.graph.store.contract import Batch

__all__ = ["sample_batch"]

_LOCAL = ["吴兴区", "南浔区", "德清县", "长兴县", "安吉县", "南太湖新区", "长合区"]
_OUTSIDE = ["上海市", "杭州市", "宁波市", "苏州市", "无锡市", "合肥市", "深圳市", "北京市"]
_DIVISION = {
    "吴兴区": "330502",
    "南浔区": "330503",
    "德清县": "330521",
    "长兴县": "330522",
    "安吉县": "330523",
    "南太湖新区": "330501",
    "长合区": "330522",
}
_SUFFIX = ["科技有限公司", "股份有限公司", "制造有限公司", "新材料有限公司", "智能装备有限公司"]


def _credit_code(rng: random.Random, division: str) -> str:
    body = "91" + division + "".join(rng.choice(ALPHABET) for _ in range(9))
    return make_credit_code(body)


#: (stage, days before 2026-10-31 of: signed, filed, started, completed, producing, above_scale,
#: at_capacity); None = not yet
_SCENARIOS: list[tuple[str, tuple[int | None, ...]]] = [
    ("招商引资", (None, None, None, None, None, None, None)),  # 储备
    ("研判会商", (40, 20, None, None, None, None, None)),  # 储备, 新备案 in some months
    ("落地开工", (60, 40, 10, None, None, None, None)),  # 新开工, 在建
    ("落地开工", (400, 380, 300, None, None, None, None)),  # 在建
    ("研判会商", (260, 240, None, None, None, None, None)),  # 签约未开工
    ("落地开工", (1000, 980, 800, None, None, None, None)),  # 开工未竣工
    ("落地开工", (900, 880, 700, 150, None, None, None)),  # 竣工未投产
    ("投产达效", (1500, 1480, 1300, 700, 500, None, None)),  # 投产未上规
    ("企业服务", (2000, 1980, 1800, 1200, 1000, 450, None)),  # 上规未达产
    ("企业服务", (2000, 1980, 1800, 1200, 1000, 15, None)),  # 新升规
    ("投产达效", (700, 690, 500, 60, 12, None, None)),  # 新投产, 竣工投产
    ("政策争取", (2500, 2480, 2300, 1800, 1700, 1300, 900)),  # 达产
]
_REF = date(2026, 10, 31)
#: days from 拿地 to 开工 of started sample projects (picked by the project id's checksum, so the
#: other sample values do not move): some start the day they get their land (拿地即开工)
_LAND_TO_START = (0, 0, 7, 30, 90)
_DATE_KEYS = ("signed", "filed", "started", "completed", "producing", "above_scale", "at_capacity")


def _scenario_dates(
    scenario: tuple[str, tuple[int | None, ...]], rng: random.Random
) -> dict[str, object]:
    stage, days = scenario
    jitter = rng.randrange(0, 5)
    out: dict[str, object] = {"stage": stage}
    for key, d in zip(_DATE_KEYS, days, strict=True):
        if d is not None:
            out[key] = (_REF - timedelta(days=max(d - jitter, 1))).isoformat()
    return out


def sample_batch(seed: Batch, *, rng_seed: int = 1366) -> Batch:
    """Sample parks, funds, talent pools, firms, supply links and projects for the 1366 chains
    of ``seed`` (the batch from :func:`chainatlas.graph.io.seeds.seed_batch`)."""
    nodes = {n.id: n for n in seed.nodes}
    has_seg: dict[str, list[Relationship]] = {}
    for r in seed.relationships:
        if r.type == "HAS_SEGMENT":
            has_seg.setdefault(r.start, []).append(r)
    s = _Sampler(random.Random(rng_seed))
    s.parks()
    for ch in seed.nodes:
        if ch.label == "Chain" and ch.props["layout"] == "1366":
            segs = has_seg.get(ch.id, [])
            s.services(ch)
            local, outside = s.firms(segs, nodes)
            s.master(ch, local, outside)
            s.projects(ch, segs)
    return s.out


class _Sampler:
    """The sample batch being built, one step per kind of record; the order of the steps and
    of their random draws is what makes the data the same on every run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.out = Batch()
        self.parks_by_region: list[tuple[str, str]] = []  # (park id, region)
        self.firm_no = 0
        self.names: set[str] = set()

    def _node(self, node: Node, *links: tuple[str, str]) -> None:
        self.out.nodes.append(node)
        self.out.relationships.extend(Relationship(node.id, t, end) for t, end in links)

    def _park_of(self, region: str) -> str:
        return next(p for p, r in self.parks_by_region if r == region)

    def parks(self) -> None:
        """One sample park per local district."""
        rng = self.rng
        for reg in _LOCAL:
            pid = f"park:{reg}示例产业园"
            self.parks_by_region.append((pid, reg))
            props = {
                "name": f"{reg}示例产业园",
                "region": reg,
                "area": float(rng.randrange(800, 6000)),
                "vacancy": round(rng.uniform(0.03, 0.35), 2),
                "sample": True,
            }
            self._node(Node(pid, "Park", props), ("LOCATED_IN", f"region:{reg}"))

    def services(self, ch: Node) -> None:
        """The chain's fund, and a talent pool for most chains."""
        rng, cname = self.rng, ch.props["name"]
        fund = {
            "name": f"湖州市{cname}产业示例基金",
            "size": float(rng.choice([5, 10, 20, 30, 50])),
            "manager": "湖州市产业基金（示例）",
            "sample": True,
        }
        self._node(Node(f"fund:{ch.id}", "Fund", fund), ("SERVES", ch.id))
        if rng.random() < 0.6:
            pool = {
                "name": f"{cname}产业教授及科技副总示例库",
                "kind": "产业教授",
                "size": rng.randrange(10, 80),
                "sample": True,
            }
            self._node(Node(f"talent:{ch.id}", "TalentPool", pool), ("SERVES", ch.id))

    def firms(
        self, segs: list[Relationship], nodes: dict[str, Node]
    ) -> tuple[list[tuple[str, float, str]], list[tuple[str, str]]]:
        """A few local and outside firms per segment of the chain: the local ones as (id,
        output, stage), the outside ones as (id, stage)."""
        rng = self.rng
        local_in_chain: list[tuple[str, float, str]] = []
        outside_in_chain: list[tuple[str, str]] = []
        for hs in segs:
            seg_name = nodes[hs.end].props["name"]
            n_local = rng.choices([0, 1, 2, 3, 4], weights=[3, 3, 2, 1, 1])[0]
            n_out = rng.choices([0, 1, 2, 3], weights=[1, 2, 2, 1])[0]
            for k in range(n_local + n_out):
                local = k < n_local
                fid, output, reg = self._firm(hs.end, seg_name, local)
                if local:
                    local_in_chain.append((fid, output, hs.props["stage"]))
                    if rng.random() < 0.4:
                        park = self._park_of(reg)
                        self.out.relationships.append(Relationship(fid, "IN_PARK", park))
                else:
                    outside_in_chain.append((fid, hs.props["stage"]))
        return local_in_chain, outside_in_chain

    def _firm(self, seg_id: str, seg_name: str, local: bool) -> tuple[str, float, str]:
        """One sample firm operating in the segment: its id, output and region."""
        rng = self.rng
        reg = rng.choice(_LOCAL) if local else rng.choice(_OUTSIDE)
        self.firm_no += 1
        fid = f"firm:sample-{self.firm_no:04d}"
        short = reg[:2]
        name = f"{short}示例{seg_name}{rng.choice(_SUFFIX)}"
        while name in self.names:
            name = f"{short}示例{seg_name}{self.firm_no}号{rng.choice(_SUFFIX)}"
        self.names.add(name)
        tags = sorted(rng.sample(FIRM_TAGS[:5], rng.randrange(0, 3)), key=FIRM_TAGS.index)
        output = round(rng.lognormvariate(1.5, 1.0), 2)
        if output > 5 and "规上" not in tags:
            tags = ["规上", *tags]
        props: dict[str, object] = {
            "name": name,
            "region": reg,
            "tags": tags,
            "output": output,
            "employees": int(output * rng.randrange(30, 90)),
            "sample": True,
        }
        if local:
            props["credit_code"] = _credit_code(rng, _DIVISION[reg])
        self.out.nodes.append(Node(fid, "Firm", props))
        self.out.relationships.append(Relationship(fid, "LOCATED_IN", f"region:{reg}"))
        weight = {"weight": round(rng.uniform(0.3, 1.0), 2)}
        self.out.relationships.append(Relationship(fid, "OPERATES_IN", seg_id, weight))
        return fid, output, reg

    def master(
        self, ch: Node, local: list[tuple[str, float, str]], outside: list[tuple[str, str]]
    ) -> None:
        """The chain master (the largest local firm in the mid- or downstream), its suppliers
        and partners."""
        rng = self.rng
        cands = [f for f in local if f[2] != "upstream"] or local
        if not cands:
            return
        master = max(cands, key=lambda f: f[1])[0]
        self.out.relationships.append(Relationship(master, "CHAIN_MASTER_OF", ch.id))
        suppliers = [f[0] for f in local if f[0] != master and f[2] == "upstream"]
        suppliers += [f[0] for f in outside if f[1] == "upstream"]
        for s in rng.sample(suppliers, min(len(suppliers), 6)):
            value = {"value": round(rng.uniform(0.1, 3.0), 2)}
            self.out.relationships.append(Relationship(s, "SUPPLIES", master, value))
        partners = [f[0] for f in local if f[0] != master]
        for p in rng.sample(partners, min(len(partners), 2)):
            self.out.relationships.append(Relationship(p, "PARTNER_OF", master))

    def projects(self, ch: Node, segs: list[Relationship]) -> None:
        """Three to five projects in life-cycle scenarios relative to the sample ledger month
        (2026-10), so that every list and every stall of the ledger has members."""
        rng = self.rng
        for k in range(rng.randrange(3, 6)):
            pid = f"project:{ch.id}:{k + 1}"
            reg = rng.choice(_LOCAL)
            scenario = _SCENARIOS[(len(self.out.nodes) + k) % len(_SCENARIOS)]
            props: dict[str, object] = {
                "name": f"{ch.props['name']}示例项目{k + 1}",
                "investment": float(rng.choice([2, 5, 10, 20, 50])),
                "region": reg,
                "sample": True,
                "responsible_unit": f"{reg}投资促进部门",
                # by the id, not a draw: the rest of the sample stays as it was
                "attraction_method": ATTRACTION_METHODS[zlib.crc32(pid.encode()) % 5],
                "major": rng.random() < 0.3,
                **_scenario_dates(scenario, rng),
            }
            if "started" in props:
                days = _LAND_TO_START[zlib.crc32(pid.encode()) % len(_LAND_TO_START)]
                land = date.fromisoformat(str(props["started"])) - timedelta(days=days)
                props["land_date"] = land.isoformat()
            links = [("IN_CHAIN", ch.id), ("LOCATED_IN", f"region:{reg}")]
            if segs:
                links.append(("IN_SEGMENT", rng.choice(segs).end))
            links.append(("IN_PARK", self._park_of(reg)))
            self._node(Node(pid, "Project", props), *links)
