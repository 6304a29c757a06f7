"""Response models of the API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from chainatlas.graph.model import Node, Relationship

T = TypeVar("T")


class BodyIn(BaseModel):
    """A request body: JSON types exactly as documented — ``0`` is not ``false`` and ``"5"`` is
    not ``5`` (the fuzz test sends such values and expects 422)."""

    model_config = ConfigDict(strict=True)


def _iso_text(v: Any) -> Any:
    if not isinstance(v, str):
        raise ValueError("日期应为 YYYY-MM-DD 文本")
    return v


#: A date written as ``YYYY-MM-DD`` text (JSON has no date type).
IsoDate = Annotated[date, Field(strict=False), BeforeValidator(_iso_text)]
NonEmpty = Annotated[str, Field(min_length=1)]


class Page(BaseModel, Generic[T]):
    """A list answer: ``data`` and the total ``count`` before paging."""

    data: list[T]
    count: int


class NodePublic(BaseModel):
    id: str
    label: str
    props: dict[str, Any]

    @classmethod
    def of(cls, n: Node) -> NodePublic:
        return cls(id=n.id, label=n.label, props=n.props)


class RelPublic(BaseModel):
    start: str
    type: str
    end: str
    props: dict[str, Any]

    @classmethod
    def of(cls, r: Relationship) -> RelPublic:
        return cls(start=r.start, type=r.type, end=r.end, props=r.props)


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
