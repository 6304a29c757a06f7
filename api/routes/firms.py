"""Firms."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from chainatlas.api.auth import Forbidden, check_scope, check_writer, in_scope
from chainatlas.api.deps import AuthDep, PrincipalDep, SettingsDep, StoreDep
from chainatlas.api.roles import scoped_by
from chainatlas.api.routes.records import delete_audited
from chainatlas.api.schemas import (
    FirmIdPath,
    FirmIn,
    FirmPublic,
    NodeIdPath,
    Page,
    SubgraphPublic,
    neighbourhood,
)
from chainatlas.graph.errors import Conflict
from chainatlas.graph.home import is_local
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.maps import parks_elsewhere

router = APIRouter(prefix="/firms", tags=["firms"])


def _public(n: Node, home: tuple[str, ...]) -> FirmPublic:
    return FirmPublic(
        id=n.id, label=n.label, props=n.props, local=is_local(n.props.get("region"), home)
    )


@router.get("", response_model=Page[FirmPublic])
def firms(
    store: StoreDep,
    settings: SettingsDep,
    q: str | None = Query(None, description="名称包含"),
    region: str | None = Query(None, description="所在区域包含"),
    tag: str | None = Query(None, description="梯度标签"),
    local: bool | None = Query(None, description="是否本地企业"),
    segment: str | None = Query(None, description="所在环节 id"),
    skip: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> Page[FirmPublic]:
    if segment:
        nodes = [n for _, n in store.neighbours(segment, ["OPERATES_IN"], "in")]
    else:
        nodes = store.find_nodes("Firm")
    home = settings.home_area
    if q:
        nodes = [n for n in nodes if q in n.name]
    if region:
        nodes = [n for n in nodes if region in str(n.props.get("region", ""))]
    if tag:
        nodes = [n for n in nodes if tag in n.props.get("tags", [])]
    if local is not None:
        nodes = [n for n in nodes if is_local(n.props.get("region"), home) == local]
    return Page(data=[_public(n, home) for n in nodes[skip : skip + limit]], count=len(nodes))


@router.get("/{firm_id}", response_model=SubgraphPublic)
def firm(firm_id: NodeIdPath, store: StoreDep) -> SubgraphPublic:
    """A firm with its segments, region, park, suppliers, customers, partners and chains."""
    return neighbourhood(store, store.require_node(firm_id, "Firm"))


@router.put("/{firm_id}", response_model=FirmPublic)
def put_firm(
    firm_id: FirmIdPath,
    body: FirmIn,
    store: StoreDep,
    settings: SettingsDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
) -> FirmPublic:
    """Create, update or move a firm (and add segments it operates in). District teams may
    write firms of their district, chain departments firms in their chains' segments. A new
    region replaces the stored one (the district that had the firm no longer has it); moving
    a firm out of one's district is refused.

    Fields merge as in record bodies: a field left out keeps its stored value, ``null``
    removes it (``tags: []`` removes the tags), so fixing a name's typo keeps the firm's
    credit code, 梯度标签, 产值 and 从业人数. A credit code another firm holds is refused
    (409, naming that firm): the code is a firm's natural key."""
    before = store.get_node(firm_id)
    if before is not None:
        if before.label != "Firm":
            raise Forbidden(f"{firm_id} 是 {before.label}，不是 Firm")
        check_scope(store, who, node=firm_id)
    check_writer(who)
    chains = {c.id for s in body.segments for _, c in store.neighbours(s, ["HAS_SEGMENT"], "in")}
    if scoped_by(who.role) == "region" and not in_scope(store, who, region=body.region):
        raise Forbidden(f"{who.describe()}不能把企业登记到 {body.region}")
    if scoped_by(who.role) == "chain" and not (chains & set(who.scope)):
        raise Forbidden(f"{who.describe()}只能登记在本链环节经营的企业")
    props = body.model_dump(exclude={"segments"}, exclude_unset=True)
    if body.credit_code:
        _check_code_free(store, firm_id, body.credit_code)
    region = {n.name: n.id for n in store.find_nodes("Region")}.get(body.region)
    located = store.neighbours(firm_id, ["LOCATED_IN"], "out") if before else []
    stale = [r.key for r, _ in located if r.end != region]
    if before is not None:
        stale += parks_elsewhere(store, firm_id, body.region)  # a move leaves the old park
    rels = [Relationship(firm_id, "OPERATES_IN", s) for s in body.segments]
    if region is not None:
        rels.append(Relationship(firm_id, "LOCATED_IN", region))
    with auth.audited(who, request, firm_id, before.props if before else None, props) as entry:
        with store.serialized() as b:
            if body.credit_code:  # again, with every other write held off
                _check_code_free(store, firm_id, body.credit_code)
            b.delete_relationships(stale)
            b.upsert_nodes([Node(firm_id, "Firm", props)])
            b.upsert_relationships(rels)
        after = store.require_node(firm_id, "Firm")
        entry.after = after.props
    return _public(after, settings.home_area)


def _check_code_free(store: GraphStore, firm_id: str, code: str) -> None:
    """Refuse a 统一社会信用代码 that another firm already holds (stored upper-case)."""
    holders = [
        n for n in store.find_nodes("Firm", {"credit_code": code.upper()}) if n.id != firm_id
    ]
    if holders:
        n = holders[0]
        raise Conflict(
            f"统一社会信用代码 {code.upper()} 已属于企业「{n.name}」（{n.id}）；"
            "一家企业只登记一次，请修改该企业，或核对代码"
        )


@router.delete("/{firm_id}", status_code=204)
def delete_firm(
    firm_id: NodeIdPath, store: StoreDep, who: PrincipalDep, auth: AuthDep, request: Request
) -> None:
    """Delete a firm with its relationships (within the caller's scope) and its 推荐 or 未落实
    dockings; refused (409) while it has open problems or dockings 对接中 or 已落实
    (:func:`records.delete_audited`)."""
    before = store.require_node(firm_id, "Firm")
    check_scope(store, who, node=firm_id)
    delete_audited(store, who, auth, request, before)
