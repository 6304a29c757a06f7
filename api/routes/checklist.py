"""A chain's 十个一 (``/chains/{chain}/checklist``): reading it with the four lists of a month
(``GET``), setting and clearing a slot (``PUT`` / ``DELETE …/{slot}``).

A slot belongs to the chain's 产业链牵头部门, or, for 一名市领导领衔 and 一个部门牵头, to the city
(市链长办, the chain's 链长, the 总链长); a body above the owner may set it too. The check runs
before anything is written, and every change is audited ahead.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from fastapi import APIRouter, Path, Query, Request

from chainatlas.api.auth import Forbidden, Principal
from chainatlas.api.deps import AuthDep, PrincipalDep, SettingsDep, StoreDep
from chainatlas.api.roles import holders, reaches
from chainatlas.api.schemas import ChainPath, SlotValue
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.checklist import SLOTS, Slot, clear_slot, find_slot, set_slot
from chainatlas.graph.workflows.maps import resolve_chain

router = APIRouter(prefix="/chains/{chain}/checklist", tags=["checklist"])

SLOT_NAMES = tuple(x for s in SLOTS for x in (s.key, s.item))
SlotName = Literal[SLOT_NAMES]  # type: ignore[valid-type]
SlotPath = Path(description="十个一中的一项：简称（如 platforms）或原文（如 一批链创平台）")


def check_slot_owner(who: Principal, slot: Slot, chain: str) -> None:
    """Refuse (403) anyone below the slot's owner or outside the chain, naming who may."""
    if not reaches(who.role, who.scope, slot.owner, chains=[chain]):
        raise Forbidden(
            f"十个一「{slot.item}」由{holders(slot.owner, ('none', 'chain'))}设置；"
            f"当前令牌为{who.describe()}"
        )


def _prepare(store: GraphStore, who: Principal, chain: str, slot: str) -> tuple[str, Slot]:
    ch = resolve_chain(store, chain)
    s = find_slot(slot)
    check_slot_owner(who, s, ch.id)
    return ch.id, s


@router.get("")
def chain_checklist(
    chain: ChainPath,
    store: StoreDep,
    settings: SettingsDep,
    month: str = Query(..., examples=["2026-10"]),
) -> dict[str, Any]:
    """十个一 checklist (has / lacks) and the four lists of a chain for a month."""
    import dataclasses

    from chainatlas.graph.workflows.progress import checklist, four_lists

    return {
        "checklist": [dataclasses.asdict(x) for x in checklist(store, chain)],
        **four_lists(store, chain, month, settings.grace()),
    }


@router.put("/{slot}")
def put_slot(
    chain: ChainPath,
    body: SlotValue,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
    slot: SlotName = SlotPath,
) -> dict[str, Any]:
    """Set a 十个一 slot (a text, a scenario added, or a node linked with basis 十个一登记)."""
    cid, s = _prepare(store, who, chain, slot)
    before = store.require_node(cid).props
    with auth.audited(who, request, cid, before, {s.item: body.value}) as entry:
        item = set_slot(store, cid, s.key, body.value, by=who.name)
        entry.after = dataclasses.asdict(item)
    return {"chain": cid, "slot": s.key, **dataclasses.asdict(item)}


@router.delete("/{slot}")
def delete_slot(
    chain: ChainPath,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
    slot: SlotName = SlotPath,
    value: str | None = Query(None, description="只清除这一项（场景、或节点编号/名称）"),
) -> dict[str, Any]:
    """Clear a 十个一 slot, or one value of it; links from other data are not removed."""
    cid, s = _prepare(store, who, chain, slot)
    before = store.require_node(cid).props
    with auth.audited(who, request, cid, before, {s.item: None, "value": value}) as entry:
        item = clear_slot(store, cid, s.key, value)
        entry.after = dataclasses.asdict(item)
    return {"chain": cid, "slot": s.key, **dataclasses.asdict(item)}
