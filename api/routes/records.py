"""Create, update and delete projects, demands and supplies (the records district teams and
chain departments keep), within the caller's scope, audited."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request

from chainatlas.api.auth import Forbidden, check_scope, in_scope
from chainatlas.api.deps import AuthDep, PrincipalDep, StoreDep
from chainatlas.api.schemas import BodyIn, NodePublic
from chainatlas.graph.maps import resolve_chain
from chainatlas.graph.model import Node, Relationship

router = APIRouter(tags=["projects, demands and supplies"])

LABEL = {"projects": "Project", "demands": "Demand", "supplies": "Supply"}
Kind = Literal["projects", "demands", "supplies"]


class RecordIn(BodyIn):
    """Properties of the record (as in the templates, English names) plus its links."""

    props: dict[str, Any]
    region: str | None = None
    chain: str | None = None
    segment: str | None = None
    firm: str | None = None


@router.put("/records/{kind}/{record_id}", response_model=NodePublic)
def put_record(
    kind: Kind,
    record_id: str,
    body: RecordIn,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> NodePublic:
    """Create or update a project, demand or supply; links to region, chain, segment, firm."""
    label = LABEL[kind]
    before = store.get_node(record_id)
    if before is not None:
        if before.label != label:
            raise Forbidden(f"{record_id} 是 {before.label}，不是 {label}")
        check_scope(store, who, node=record_id)
    chain = resolve_chain(store, body.chain).id if body.chain else None
    if not in_scope(store, who, chain=chain, region=body.region):
        raise Forbidden("记录的产业链或区域不在令牌权限内")
    props = dict(body.props)
    if body.region:
        props["region"] = body.region
    regions = {n.name: n.id for n in store.find_nodes("Region")}
    rels = []
    if body.region in regions:
        rels.append(Relationship(record_id, "LOCATED_IN", regions[body.region]))
    if chain:
        rels.append(Relationship(record_id, "IN_CHAIN", chain))
    if body.segment:
        rels.append(Relationship(record_id, "IN_SEGMENT", body.segment))
    if body.firm:
        rels.append(Relationship(record_id, "FOR_FIRM", body.firm))
    with auth.audited(who, request, record_id, before.props if before else None, props) as entry:
        with store.batch() as b:
            b.upsert_nodes([Node(record_id, label, props)])
            b.upsert_relationships(rels)
        after = store.require_node(record_id, label)
        entry.after = after.props
    return NodePublic.of(after)


@router.delete("/records/{kind}/{record_id}", status_code=204)
def delete_record(
    kind: Kind, record_id: str, store: StoreDep, who: PrincipalDep, auth: AuthDep, request: Request
) -> None:
    before = store.require_node(record_id, LABEL[kind])
    check_scope(store, who, node=record_id)
    with auth.audited(who, request, record_id, before.props):
        store.delete_nodes([record_id])
