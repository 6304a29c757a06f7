"""Create, update, move and delete projects, demands and supplies (the records district teams and
chain departments keep), within the caller's scope, audited.

A record belongs to the chains and regions it is linked to (:func:`auth.in_scope`). Naming a
``region``, ``chain``, ``segment`` or ``firm`` *moves* the record: the link of that kind is
replaced, not added to, so the previous owner loses access at once (a chain move also drops a
segment link to another chain's segment, unless a segment is named). Moving needs rights on
both sides: on the record as it is and as it will be. Properties are typed per kind from the
graph model (:func:`schemas.props_model`): the same names and types as the templates.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response

from chainatlas.api.auth import (
    AuthStore,
    Forbidden,
    Principal,
    check_link,
    check_scope,
    in_scope,
)
from chainatlas.api.deps import AuthDep, PrincipalDep, StoreDep
from chainatlas.api.routes.dockings import dockings_of
from chainatlas.api.schemas import (
    DemandIdPath,
    DemandIn,
    NodeIdPath,
    NodePublic,
    ProjectIdPath,
    ProjectIn,
    RecordIn,
    SupplyIdPath,
    SupplyIn,
)
from chainatlas.graph.errors import Conflict, ValidationFailed
from chainatlas.graph.home import DISTRICT_KINDS
from chainatlas.graph.model import LABEL_ZH, Node, Relationship
from chainatlas.graph.project_dates import DATE_ZH, check_dates, needs_up_to
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.maps import parks_elsewhere, resolve_chain, segment_in_chain

router = APIRouter(tags=["projects, demands and supplies"])

LABEL = {"projects": "Project", "demands": "Demand", "supplies": "Supply"}
#: The relationship each link field sets; a record has at most one of each.
LINKS = {"region": "LOCATED_IN", "chain": "IN_CHAIN", "segment": "IN_SEGMENT", "firm": "FOR_FIRM"}
Current = list[tuple[Relationship, Node]]
#: ``If-Match`` of a record write: the ``ETag`` of the record as the caller read it
IfMatch = Annotated[
    str | None,
    Header(
        description="可选：读取记录时得到的 ETag；记录此后已被他人修改则拒绝（409），"
        "不覆盖他人的修改"
    ),
]


def revision(store: GraphStore, record_id: str) -> str | None:
    """A stamp of a record as stored: its properties and its links (region, chain, segment,
    firm, project), hashed; None when there is no such node. Any change of either gives a new
    stamp, on both stores, with nothing stored for it (the ``ETag`` of ``GET /records/…``, the
    hidden ``rev`` of the 编辑 form)."""
    node = store.get_node(record_id)
    if node is None:
        return None
    links = store.neighbours(record_id, [*LINKS.values(), "FOR_PROJECT"], "out")
    stamp = [node.label, node.props, sorted(f"{r.type} {r.end}" for r, _ in links)]
    text = json.dumps(stamp, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_unchanged(store: GraphStore, label: str, record_id: str, if_match: str | None) -> None:
    """Refuse (409) a write based on a record that has changed since (``if_match``: the
    ``ETag`` the caller read, quoted or not, ``*`` for "any version"); nothing to check
    without it (API clients that send none keep last-write-wins)."""
    if if_match is None:
        return
    tags = {t.strip().removeprefix("W/").strip('"') for t in if_match.split(",")}
    current = revision(store, record_id)
    if current is not None and ("*" in tags or current in tags):
        return
    what = LABEL_ZH.get(label, "记录")
    if current is None:
        raise Conflict(f"该{what}不存在或已被他人删除（请求带有 If-Match），请刷新页面后再改")
    why = f"当前版本为 {current}，而修改依据的是 {if_match}"
    raise Conflict(f"该{what}已被他人修改（{why}），请刷新页面后再改")


def get_record(label: str, record_id: str, store: GraphStore, response: Response) -> NodePublic:
    """A project, demand or supply as stored, with its ``ETag``: send it back as
    ``If-Match`` on ``PUT`` to refuse the write (409) if someone changed the record since."""
    node = store.require_node(record_id, label)
    response.headers["ETag"] = f'"{revision(store, record_id)}"'
    return NodePublic.of(node)


@router.put("/records/projects/{record_id}", response_model=NodePublic)
def put_project(
    record_id: ProjectIdPath,
    body: ProjectIn,  # type: ignore[valid-type]
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
    if_match: IfMatch = None,
) -> NodePublic:
    """Create, update or move a project (links to region, chain, segment, firm)."""
    return _put("Project", record_id, body, store, who, auth, request, if_match)


@router.put("/records/demands/{record_id}", response_model=NodePublic)
def put_demand(
    record_id: DemandIdPath,
    body: DemandIn,  # type: ignore[valid-type]
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
    if_match: IfMatch = None,
) -> NodePublic:
    """Create, update or move a demand (links to region, chain, segment, firm)."""
    return _put("Demand", record_id, body, store, who, auth, request, if_match)


@router.put("/records/supplies/{record_id}", response_model=NodePublic)
def put_supply(
    record_id: SupplyIdPath,
    body: SupplyIn,  # type: ignore[valid-type]
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
    if_match: IfMatch = None,
) -> NodePublic:
    """Create, update or move a supply (links to region, chain, segment, firm)."""
    return _put("Supply", record_id, body, store, who, auth, request, if_match)


def _put(
    label: str,
    record_id: str,
    body: RecordIn,
    store: GraphStore,
    who: Principal,
    auth: AuthStore,
    request: Request,
    if_match: str | None = None,
) -> NodePublic:
    """The write of a record, after its checks. With ``if_match`` the revision is checked
    first, and again inside the write (``store.serialized()``: no other write of any thread
    or process commits between the check and this write), so of two writes based on one
    version exactly one passes."""
    if "sample" in body.props.model_fields_set:
        why = "演示数据标记只由 chainatlas init 和导入设置，不能在记录中填写"
        raise ValidationFailed(f"props.sample：{why}", [("sample", why)])
    before = store.get_node(record_id)
    if before is not None:
        if before.label != label:
            raise Forbidden(f"{record_id} 是 {before.label}，不是 {label}")
        check_scope(store, who, node=record_id)
    chain = resolve_chain(store, body.chain).id if body.chain else None
    ends: dict[str, str | None] = {}  # the new end of each link named (None: none to make)
    if body.region is not None:
        ends["LOCATED_IN"] = _district(store, body.region)
    for rtype, end in (
        ("IN_CHAIN", chain),
        ("IN_SEGMENT", body.segment),
        ("FOR_FIRM", body.firm),
        ("FOR_PROJECT", body.project),
    ):
        if end:
            ends[rtype] = end
    current = store.neighbours(record_id, [*LINKS.values(), "FOR_PROJECT"], "out") if before else []
    linked = {(r.type, r.end) for r, _ in current}
    _check_segment(store, body.segment, chain, current)
    for rtype, what in (("FOR_PROJECT", "项目"), ("FOR_FIRM", "企业")):
        end = ends.get(rtype)
        if end and (rtype, end) not in linked:  # a link already stored is not a new one
            check_link(store, who, end, what)
    stale = [r.key for r, _ in current if r.type in ends and r.end != ends[r.type]]
    if chain and not body.segment:  # a segment only other chains have goes with the move
        for r, seg in current:
            chains = _segment_chains(store, seg.id) if r.type == "IN_SEGMENT" else set()
            if chains and chain not in chains:
                stale.append(r.key)
    if before is not None and body.region is not None:
        stale += parks_elsewhere(store, record_id, body.region)  # a move leaves the old park
    if not _may_hold(store, who, before, current, set(stale), body.region, ends):
        raise Forbidden(
            "记录移入的产业链或区域不在令牌权限内（移出本范围需要原范围和新范围双方的权限）"
        )
    props = body.props.model_dump(exclude_unset=True)
    if body.region is not None:
        props["region"] = body.region
    if label == "Project":
        _check_project(before.props if before else {}, props)
    rels = [Relationship(record_id, rtype, end) for rtype, end in ends.items() if end]
    check_unchanged(store, label, record_id, if_match)  # most refusals: before the audit row
    with auth.audited(who, request, record_id, before.props if before else None, props) as entry:
        with store.serialized() as b:
            check_unchanged(store, label, record_id, if_match)
            b.delete_relationships(stale)
            b.upsert_nodes([Node(record_id, label, props)])
            b.upsert_relationships(rels)
        after = store.require_node(record_id, label)
        entry.after = after.props
    return NodePublic.of(after)


def _district(store: GraphStore, name: str) -> str:
    """The region a project, a demand or a supply is in: one of the city's districts or
    functional zones (as a district token's scope), never the city or a place outside it,
    which the monthly 通报晾晒 would rank as a district (as the templates' import)."""
    districts = {
        n.name: n.id for n in store.find_nodes("Region") if n.props.get("kind") in DISTRICT_KINDS
    }
    if name not in districts:
        why = f"「{name}」不是湖州市的区县或功能区；可填 {'、'.join(districts)}"
        raise ValidationFailed(f"所在区域{why}", [("region", why)])
    return districts[name]


def _check_project(stored: dict[str, Any], props: dict[str, Any]) -> None:
    """Refuse a project write that brings in a date problem (``check_dates`` of
    :mod:`~chainatlas.graph.project_dates`: dates out of order, actual dates in the future)
    or a stage without the dates it needs (``needs_up_to``: those of the stages before it
    included: a project created at 投产达效 needs 签约、开工、竣工、投产), as a stage move
    would.

    Only what the write brings in is refused: a problem the record already had and the
    write leaves as it is (an old record edited for its 责任单位) does not block the edit,
    so a record kept before these checks stays editable; touching a date or the stage of
    such a record makes the write meet the rules."""
    after = {**stored, **props}
    old = set(check_dates(stored)) if stored else set()
    new = [(k, why) for k, why in check_dates(after) if (k, why) not in old]
    missing = [k for k in needs_up_to(after.get("stage")) if not after.get(k)]
    if stored:
        missing = [k for k in missing if k in props or after.get("stage") != stored.get("stage")]
    if missing:
        stage = after["stage"]
        names = "、".join(DATE_ZH[k] for k in missing)
        why = f"阶段「{stage}」须填写{names}日期"
        how = "；可先按较早的阶段保存，再在项目档案的「阶段推进」中填写日期进入该阶段"
        raise ValidationFailed(why + how, [(f"{DATE_ZH[k]}日期", why) for k in missing])
    if new:
        raise ValidationFailed(
            "日期有误：" + "；".join(why for _, why in new),
            [(f"{DATE_ZH[k]}日期", why) for k, why in new],
        )


def _check_segment(
    store: GraphStore, segment: str | None, chain: str | None, current: Current
) -> None:
    """A segment named must belong to the record's chain (the one named, else the one
    stored): a project of 智能网联汽车 cannot sit in a segment of 生物医药."""
    seg = store.get_node(segment) if segment else None
    if seg is None:
        return  # no segment named, or none to link: the write refuses an unknown id
    chains = {chain} if chain else {n.id for r, n in current if r.type == "IN_CHAIN"}
    if chains and not any(segment_in_chain(store, seg.id, c) for c in chains):
        # named as the user knows them (review R, B3), not by their ids
        names = "、".join(f"「{_name(store, c)}」" for c in sorted(chains))
        raise ValidationFailed(f"环节「{seg.name}」不属于{names}")


def _name(store: GraphStore, node_id: str) -> str:
    node = store.get_node(node_id)
    return node.name if node is not None else node_id


def _segment_chains(store: GraphStore, segment: str) -> set[str]:
    return {c.id for _, c in store.neighbours(segment, ["HAS_SEGMENT"], "in")}


def _may_hold(
    store: GraphStore,
    who: Principal,
    before: Node | None,
    current: Current,
    stale: set[tuple[str, str, str]],
    region: str | None,
    ends: dict[str, str | None],
) -> bool:
    """Whether ``who`` may write the record as it will be after the write: its owners (as
    :func:`auth.in_scope` counts them — region, chains, the chains of its segments and of its
    project) once the named links have replaced the stored ones."""
    kept = [(r, n) for r, n in current if r.key not in stale]
    if region is not None:
        regions = {region}
    else:
        regions = {n.name for r, n in kept if r.type == "LOCATED_IN"}
        if before is not None and before.props.get("region"):
            regions.add(str(before.props["region"]))
    chains = {n.id for r, n in kept if r.type == "IN_CHAIN"}
    segments = {n.id for r, n in kept if r.type == "IN_SEGMENT"}
    for rtype, end in ends.items():
        if end and rtype == "IN_CHAIN":
            chains.add(end)
        elif end and rtype == "IN_SEGMENT":
            segments.add(end)
        elif end and rtype == "FOR_PROJECT":
            chains |= {c.id for _, c in store.neighbours(end, ["IN_CHAIN"], "out")}
    for seg in segments:
        chains |= _segment_chains(store, seg)
    for r, project in kept:
        if r.type == "FOR_PROJECT":
            chains |= {c.id for _, c in store.neighbours(project.id, ["IN_CHAIN"], "out")}
    return (
        in_scope(store, who)  # a role not bound to a scope (the city office)
        or any(in_scope(store, who, chain=c) for c in chains)
        or any(in_scope(store, who, region=r) for r in regions)
    )


def delete_record(
    label: str, record_id: str, store: GraphStore, who: Principal, auth: AuthStore, request: Request
) -> None:
    """Delete a project, demand or supply (within the caller's scope) with what hangs on it
    alone: a project's follow-ups, the 推荐 or 未落实 dockings of a demand or supply, in one
    audited write. Refused (409, naming them) while a project or a record has open problems,
    or a demand or supply has dockings 对接中 or 已落实 — they would point at nothing."""
    before = store.require_node(record_id, label)
    check_scope(store, who, node=record_id)
    delete_audited(store, who, auth, request, before)


def _read_and_delete(kind: str, label: str) -> None:
    """``GET`` and ``DELETE /records/<kind>/{record_id}``: one path per kind, like its
    ``PUT``, so that the API's description lists each path's methods as the service serves
    them (a ``405``'s ``Allow`` names ``GET, DELETE, PUT`` for every record path)."""

    def read(record_id: NodeIdPath, store: StoreDep, response: Response) -> NodePublic:
        return get_record(label, record_id, store, response)

    def delete(
        record_id: NodeIdPath, store: StoreDep, who: PrincipalDep, auth: AuthDep, request: Request
    ) -> None:
        delete_record(label, record_id, store, who, auth, request)

    path = f"/records/{kind}/{{record_id}}"
    router.add_api_route(
        path,
        read,
        methods=["GET"],
        response_model=NodePublic,
        name=f"get_{kind}",
        summary=f"Get a {label.lower()}",
        description=get_record.__doc__,
    )
    router.add_api_route(
        path,
        delete,
        methods=["DELETE"],
        status_code=204,
        name=f"delete_{kind}",
        summary=f"Delete a {label.lower()}",
        description=delete_record.__doc__,
    )


for _kind, _label in LABEL.items():
    _read_and_delete(_kind, _label)


def delete_audited(
    store: GraphStore, who: Principal, auth: AuthStore, request: Request, node: Node
) -> None:
    """Delete ``node`` with what goes with it (:func:`deleted_with`), audited: checked first
    (a refusal writes no audit row), then again inside the write (``store.serialized()``),
    so a problem raised or a docking taken up meanwhile still keeps the node."""
    gone = deleted_with(store, node)
    with auth.audited(who, request, node.id, {**node.props, "deleted_with": gone}) as entry:
        with store.serialized() as b:
            now = deleted_with(store, node)
            b.delete_nodes([node.id, *now])
        if now != gone:
            entry.after = {"deleted_with": now}


def deleted_with(store: GraphStore, node: Node) -> list[str]:
    """The nodes that go with ``node`` when it is deleted (its follow-ups and the dockings
    nobody works on: :func:`dockings.dockings_of`); Conflict (409) naming what keeps it:
    open problems about it (not the 五未督办 items, which close by themselves when their
    project is gone), dockings 对接中 or 已落实."""
    what = LABEL_ZH.get(node.label, "记录")
    about = store.neighbours(node.id, ["FOR_PROJECT", "FOR_FIRM"], "in")
    open_ = [
        n
        for _, n in about
        if n.label == "Problem" and n.props.get("status") != "办结" and not n.props.get("auto")
    ]
    if open_:
        names = "、".join(f"「{n.props.get('title', n.id)}」" for n in open_[:5]) + (
            "等" if len(open_) > 5 else ""
        )
        raise Conflict(f"该{what}还有 {len(open_)} 个未办结的问题：{names}，请先办结或转出")
    kept, gone = dockings_of(store, node.id)
    if kept:
        names = "、".join(f"{n.id}（{n.props.get('status')}）" for n in kept[:5])
        raise Conflict(
            f"该{what}还有 {len(kept)} 条对接中或已落实的对接记录：{names}；"
            "对接中的请先改为未落实，已落实的计入月度通报，不能随记录删除"
        )
    follow_ups = [n.id for _, n in store.neighbours(node.id, ["FOLLOWS_UP"], "in")]
    return follow_ups + [n.id for n in gone]
