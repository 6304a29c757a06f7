"""Load the authored seeds (both layouts, lineage, regions, platforms) and the sample data.

The seeds are YAML files in the repository's ``seeds/`` folder, faithful to the two source
documents where those speak (names, key segments, 2026 targets, focus regions, lineage) and
marked ``source: authored`` or ``basis: 推断`` where they do not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from chainatlas.graph.errors import BackendUnavailable, ValidationFailed
from chainatlas.graph.model import STAGES, Node, Relationship
from chainatlas.graph.store.contract import Batch, GraphStore

__all__ = [
    "SEED_FILES",
    "chain_id_of_layout",
    "check_seeds",
    "load_seeds",
    "seed_batch",
    "segment_id",
]

#: The seed files every store starts from (shipped in the package's ``seeds/`` folder).
SEED_FILES = ("regions.yaml", "layouts.yaml", "platforms.yaml")


def segment_id(name: str) -> str:
    """The id of the segment called ``name`` (segments are shared across chains by name)."""
    return f"seg:{name}"


def chain_id_of_layout(layout_code: str) -> str:
    return f"layout:{layout_code}"


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict):
        raise ValidationFailed(f"{path}: 不是有效的种子文件")
    return data


def check_seeds(seeds_dir: Path) -> None:
    """Raise ``BackendUnavailable`` naming the seed files missing from ``seeds_dir`` (a broken
    install, or a wrong ``CHAINATLAS_SEEDS_DIR``), before anything is written."""
    missing = [f for f in SEED_FILES if not (seeds_dir / f).is_file()]
    if missing:
        raise BackendUnavailable(
            f"找不到种子数据 {'、'.join(missing)}（在 {seeds_dir}）：安装不完整，请重新安装 "
            "chainatlas，或用环境变量 CHAINATLAS_SEEDS_DIR 指向种子目录"
        )


def seed_batch(seeds_dir: Path) -> Batch:
    """All seed nodes and relationships (no sample data) as one batch."""
    b = Batch()
    region_ids = _regions(b, _read(seeds_dir / "regions.yaml")["regions"])
    data = _read(seeds_dir / "layouts.yaml")
    for lay in data["layouts"]:
        props = {k: lay[k] for k in ("name", "code", "current", "source") if k in lay}
        b.nodes.append(Node(lay["id"], "Layout", props))
    segments: dict[str, Node] = {}
    for ch in data["chains"]:
        _chain(b, ch, region_ids, segments)
    b.nodes.extend(segments.values())
    for lin in data["lineage"]:
        props = {k: lin[k] for k in ("kind", "partial", "basis") if k in lin}
        b.relationships.append(Relationship(lin["from"], "EVOLVED_INTO", lin["to"], props))
    _platforms(b, _read(seeds_dir / "platforms.yaml")["platforms"], region_ids)
    return b


def _regions(b: Batch, regions: list[dict[str, Any]]) -> dict[str, str]:
    """The regions and how they nest and overlap; their ids by name."""
    for r in regions:
        b.nodes.append(Node(r["id"], "Region", {"name": r["name"], "kind": r["kind"]}))
        if r.get("part_of"):
            b.relationships.append(Relationship(r["id"], "PART_OF", r["part_of"]))
        for o in r.get("overlaps", []):
            b.relationships.append(Relationship(r["id"], "OVERLAPS", o))
    return {r["name"]: r["id"] for r in regions}


def _chain(
    b: Batch, ch: dict[str, Any], region_ids: dict[str, str], segments: dict[str, Node]
) -> None:
    """A chain, its layout and focus regions, and its fishbone: segments by stage, their
    sub-segments and flows (``segments`` collects the segment nodes across chains)."""
    props: dict[str, Any] = {
        k: ch[k]
        for k in (
            *("name", "layout", "tier", "order", "target_2026", "target_text", "aliases"),
            "alias_basis",
        )
        if k in ch
    }
    b.nodes.append(Node(ch["id"], "Chain", props))
    b.relationships.append(Relationship(ch["id"], "IN_LAYOUT", f"layout:{ch['layout']}"))
    for reg in ch.get("focus_regions", []):
        b.relationships.append(Relationship(ch["id"], "FOCUS_REGION", region_ids[reg]))
    in_chain = _stages(b, ch, segments)
    _subsegments(b, ch, segments, in_chain)
    for flow in ch.get("flows", []):
        names = [x.strip() for x in flow.split(">")]
        for a, c in zip(names, names[1:], strict=False):
            for n in (a, c):
                if n not in in_chain:
                    raise ValidationFailed(f"{ch['id']}: 流向 {flow!r} 中的 {n} 不在鱼骨图中")
            b.relationships.append(Relationship(segment_id(a), "UPSTREAM_OF", segment_id(c)))


def _stages(b: Batch, ch: dict[str, Any], segments: dict[str, Node]) -> set[str]:
    """The chain's segments by stage, in order, its 重点领域 marked; the names placed."""
    key = set(ch.get("key", []))
    in_chain: set[str] = set()
    for stage in STAGES:
        for order, name in enumerate(ch.get(stage, []), start=1):
            in_chain.add(name)
            src = "seed001 重点领域" if name in key else "authored"
            if name not in segments or name in key:
                segments[name] = Node(segment_id(name), "Segment", {"name": name, "source": src})
            b.relationships.append(
                Relationship(
                    ch["id"],
                    "HAS_SEGMENT",
                    segment_id(name),
                    {"stage": stage, "key": name in key, "order": order},
                )
            )
    missing_key = key - in_chain
    if missing_key:
        raise ValidationFailed(f"{ch['id']}: 重点领域 {sorted(missing_key)} 未放入鱼骨图")
    return in_chain


def _subsegments(
    b: Batch, ch: dict[str, Any], segments: dict[str, Node], in_chain: set[str]
) -> None:
    """Sub-segments under a segment of the chain's fishbone (added to ``in_chain``)."""
    for parent, subs in (ch.get("sub") or {}).items():
        if parent not in in_chain:
            raise ValidationFailed(f"{ch['id']}: 子环节的上级 {parent} 不在鱼骨图中")
        for s in subs:
            in_chain.add(s)
            segments.setdefault(
                s, Node(segment_id(s), "Segment", {"name": s, "source": "authored"})
            )
            b.relationships.append(Relationship(segment_id(s), "SUBSEGMENT_OF", segment_id(parent)))


def _platforms(b: Batch, platforms: list[dict[str, Any]], region_ids: dict[str, str]) -> None:
    """Platforms and carriers, where they are, and the chains they serve."""
    for p in platforms:
        props: dict[str, Any] = {
            k: p[k] for k in ("name", "kind", "source", "region", "quote") if k in p
        }
        b.nodes.append(Node(p["id"], "Platform", props))
        if p.get("region"):
            b.relationships.append(Relationship(p["id"], "LOCATED_IN", region_ids[p["region"]]))
        for s in p.get("serves", []):
            b.relationships.append(
                Relationship(p["id"], "SERVES", s["chain"], {"basis": s["basis"]})
            )


def load_seeds(store: GraphStore, seeds_dir: Path, *, sample: bool = True) -> int:
    """Write the seeds (and, unless ``sample`` is false, the sample data) in one batch.

    Returns the number of nodes and relationships written.
    """
    from chainatlas.graph.io.samples import sample_batch

    b = seed_batch(seeds_dir)
    if sample:
        s = sample_batch(b)
        b.nodes.extend(s.nodes)
        b.relationships.extend(s.relationships)
    res = store.apply(b)
    return res.nodes_written + res.relationships_written
