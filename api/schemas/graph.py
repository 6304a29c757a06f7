"""What the graph answers with: a chain and its segments, a firm, a node's neighbourhood, the
service's health; and a firm as the district teams write it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chainatlas.api.schemas.base import BodyIn, NodePublic, Ref, RelPublic
from chainatlas.graph.model import FIRM_TAGS, Amount, Name, Node, People


class FirmPublic(NodePublic):
    local: bool


class SegmentEntry(BaseModel):
    segment: NodePublic
    stage: str
    key: bool
    order: int | None = None
    subsegments: list[NodePublic] = []


class ChainDetail(BaseModel):
    chain: NodePublic
    layout: NodePublic | None
    segments: list[SegmentEntry]
    focus_regions: list[NodePublic]
    evolved_into: list[NodePublic]
    evolved_from: list[NodePublic]


class Health(BaseModel):
    status: str
    backend: str
    nodes: int
    relationships: int


class SubgraphPublic(BaseModel):
    nodes: list[NodePublic]
    relationships: list[RelPublic]


def neighbourhood(store: Any, node: Node) -> SubgraphPublic:
    """A node with every relationship it has and the nodes at their other ends."""
    pairs = store.neighbours(node.id, None, "both")
    nodes = {node.id: NodePublic.of(node)}
    nodes.update({n.id: NodePublic.of(n) for _, n in pairs})
    return SubgraphPublic(
        nodes=list(nodes.values()), relationships=[RelPublic.of(r) for r, _ in pairs]
    )


# ---- firms ---------------------------------------------------------------------------------
class FirmIn(BodyIn):
    """A firm as the district teams record it (企业名称, 所在区域, …); an unknown field is
    refused (422), as in record bodies, never silently dropped."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    region: Ref = Field(description="所在区域（名称）；替换原区域")
    credit_code: str | None = None
    tags: list[Literal[FIRM_TAGS]] = []  # type: ignore[valid-type]
    output: Amount | None = Field(None, description="产值（亿元）")
    employees: People | None = Field(None, description="从业人数")
    segments: list[Ref] = Field([], description="经营的环节 id（在已有环节之外添加）")
