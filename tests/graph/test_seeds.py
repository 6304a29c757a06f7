"""The seeds against the source documents themselves (parsed here, not copied)."""

from __future__ import annotations

import re

import pytest

from chainatlas.graph.model import STAGES
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import shared_or_skip


def _split_top(text: str) -> list[str]:
    """Split on 、 outside parentheses: 氢能与储能（锂电、钠电、铅碳等） stays whole."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "（("
        depth -= ch in "）)"
        if ch == "、" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return [x.strip() for x in [*out, cur] if x.strip()]


def _seed001() -> list[dict[str, object]]:
    text = (shared_or_skip("seeds") / "001_490d9b0e4adfd288.txt").read_text("utf-8")
    text = re.sub(r"\[bookmark: [^\]]*\]", "", text)
    section = text[text.index("（二）重点发展方向") : text.index("三、主要任务")]
    items = []
    for m in re.finditer(r"^\d、(.+?)。(.+)$", section, re.M):
        name, body = m.group(1), m.group(2)
        key = re.search(r"(?:以|在)(.+?)(?:为重点领域|等领域)", body)
        target = re.search(r"规模突破(\d+)亿元", body)
        regions = re.search(r"重点区域：(.+?)。", body)
        assert key and target and regions, f"cannot read item {name}"
        items.append(
            {
                "name": name,
                "key": _split_top(key.group(1)),
                "target": float(target.group(1)),
                "regions": [r.removesuffix("等") for r in _split_top(regions.group(1))],
            }
        )
    return items


def _chain_by_name(store: GraphStore, layout: str, name: str):  # type: ignore[no-untyped-def]
    found = store.find_nodes("Chain", {"layout": layout, "name": name})
    assert len(found) == 1, f"{layout} chain {name!r}: found {len(found)}"
    return found[0]


class TestEight20:
    def test_eight_chains(self, seeded: EmbeddedStore) -> None:
        items = _seed001()
        assert len(items) == 8
        assert sorted(
            n.name for n in seeded.find_nodes("Chain", {"layout": "eight-2.0"})
        ) == sorted(str(i["name"]) for i in items)

    def test_key_segments_targets_and_focus_regions(self, seeded: EmbeddedStore) -> None:
        for item in _seed001():
            ch = _chain_by_name(seeded, "eight-2.0", str(item["name"]))
            assert ch.props["target_2026"] == item["target"], ch.name
            keys = {
                n.name for r, n in seeded.neighbours(ch.id, ["HAS_SEGMENT"]) if r.props.get("key")
            }
            assert keys == set(item["key"]), ch.name  # type: ignore[arg-type]
            regions = {n.name for _, n in seeded.neighbours(ch.id, ["FOCUS_REGION"])}
            assert regions == set(item["regions"]), ch.name  # type: ignore[arg-type]

    def test_3566_goal_adds_up(self, seeded: EmbeddedStore) -> None:
        targets = [
            n.props["target_2026"] for n in seeded.find_nodes("Chain", {"layout": "eight-2.0"})
        ]
        assert sum(1 for t in targets if t >= 1000) == 3


class Test1366:
    def test_sixteen_chains_in_four_tiers(self, seeded: EmbeddedStore) -> None:
        domain = (shared_or_skip("DOMAIN.md")).read_text("utf-8")
        row = next(line for line in domain.splitlines() if line.startswith("| `1366`"))
        groups = [g.strip() for g in row.split("|")[3].split(";")]
        tiers = ["先导", "特色", "新兴", "未来"]
        assert [len(g.split(",")) if "," in g else 1 for g in groups] == [1, 3, 6, 6]
        seed000 = (shared_or_skip("seeds") / "000_1bff7c389d9baca2.txt").read_text("utf-8")
        for tier, group in zip(tiers, groups, strict=True):
            names = [x.strip() for x in group.split(",")]
            for name in names:
                assert name in seed000, name
                assert _chain_by_name(seeded, "1366", name).props["tier"] == tier
        assert seeded.count_nodes("Chain", {"layout": "1366"}) == 16

    def test_lineage_follows_seed000(self, seeded: EmbeddedStore) -> None:
        text = (shared_or_skip("seeds") / "000_1bff7c389d9baca2.txt").read_text("utf-8")
        section = text[text.index("二、赛道优化") : text.index("三、重点任务")]
        renames = re.findall(r"([^，、；。：—]+?)调整为([^，、；。]+)", section)
        unchanged = re.findall(r"([^，、；。：—]+?)(?:名称不变|保持不变)", section)
        assert len(renames) >= 7 and len(unchanged) >= 3
        chains = seeded.find_nodes("Chain")
        for old, new in renames:
            old = old.removeprefix("将").removeprefix("部分")
            targets = [c for c in chains if c.props["layout"] == "1366" and c.name == new]
            assert targets, new
            sources = [r.start for r, _ in seeded.neighbours(targets[0].id, ["EVOLVED_INTO"], "in")]
            olds = [
                c
                for c in chains
                if c.id in sources and (c.name == old or old in c.props.get("aliases", []))
            ]
            assert olds, f"no EVOLVED_INTO from {old!r} to {new!r}"
        for name in unchanged:
            name = name.strip()
            new = _chain_by_name(seeded, "1366", name)
            sources = [n.name for _, n in seeded.neighbours(new.id, ["EVOLVED_INTO"], "in")]
            assert name in sources

    def test_every_old_chain_has_a_successor(self, seeded: EmbeddedStore) -> None:
        for ch in seeded.find_nodes("Chain"):
            if ch.props["layout"] != "1366":
                nxt = [n for _, n in seeded.neighbours(ch.id, ["EVOLVED_INTO"])]
                assert nxt and all(n.props["layout"] == "1366" for n in nxt), ch.name


@pytest.mark.parametrize("layout", ["1366", "eight-2.0"])
def test_every_chain_has_a_fishbone(seeded: EmbeddedStore, layout: str) -> None:
    for ch in seeded.find_nodes("Chain", {"layout": layout}):
        rels = seeded.neighbours(ch.id, ["HAS_SEGMENT"])
        assert len(rels) >= 8, ch.name
        assert {r.props["stage"] for r, _ in rels} == set(STAGES), ch.name
        assert seeded.neighbours(ch.id, ["IN_LAYOUT"])[0][1].props["code"] == layout


def test_regions_and_platforms(seeded: EmbeddedStore) -> None:
    huzhou = [n.name for _, n in seeded.neighbours("region:湖州市", ["PART_OF"], "in")]
    assert sorted(huzhou) == sorted(
        ["吴兴区", "南浔区", "德清县", "长兴县", "安吉县", "南太湖新区", "长合区"]
    )
    for kind in ("功能区",):
        zones = seeded.find_nodes("Region", {"kind": kind})
        assert {z.name for z in zones} == {"南太湖新区", "长合区"}
        for z in zones:
            assert seeded.neighbours(z.id, ["OVERLAPS"])
    seeds_text = "".join(p.read_text("utf-8") for p in shared_or_skip("seeds").glob("*.txt"))
    platforms = seeded.find_nodes("Platform")
    labs = [p for p in platforms if not p.props.get("quote")]
    assert len(labs) == 5  # the labs and institutes; the carriers carry the seed's words
    for p in labs:
        assert p.name in seeds_text and not p.props.get("sample")
    for p in platforms:
        assert p.props.get("quote", p.name) in seeds_text and not p.props.get("sample")


def test_sample_data_is_marked(seeded: EmbeddedStore) -> None:
    for label in ("Firm", "Park", "Fund", "TalentPool", "Project"):
        nodes = seeded.find_nodes(label)
        assert nodes, label
        assert all(n.props.get("sample") is True and "示例" in n.name for n in nodes), label
    masters = {r.end for r in seeded.iter_relationships("CHAIN_MASTER_OF")}
    assert len(masters) == 16


def test_no_sample_option(tmp_path):  # type: ignore[no-untyped-def]
    from chainatlas.graph.io.seeds import load_seeds
    from tests.conftest import SEEDS

    with EmbeddedStore(tmp_path / "g.db") as s:
        load_seeds(s, SEEDS, sample=False)
        assert s.count_nodes("Firm") == 0 and s.count_nodes("Chain") == 28
