"""The roles a token can have, and what each role's scope is made of — in one table.

Every rule that depends on the role reads :data:`ROLES`: which kind of scope a role takes
(none, chains or regions), its Chinese name, how a scope given on the command line or in the
API is checked against the graph (:func:`resolve_scope`), and whether a record is inside a
caller's scope (:func:`in_scope`). A new set of roles (the 链长制 roles of a later issue) is a
change to this table and to the two functions below it, not to the routes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from chainatlas.graph.errors import ChainAtlasError
from chainatlas.graph.store import GraphStore

__all__ = [
    "CITY",
    "ROLES",
    "ROLE_CODES",
    "RoleSpec",
    "ScopeInvalid",
    "in_scope",
    "resolve_scope",
    "role_zh",
]

ScopeKind = Literal["none", "chain", "region"]


@dataclass(frozen=True)
class RoleSpec:
    code: str
    zh: str
    #: what the role's scope lists: nothing (the whole city), chain ids, or region names
    scope: ScopeKind


ROLES: dict[str, RoleSpec] = {
    r.code: r
    for r in (
        RoleSpec("city", "链长办（全市）", "none"),
        RoleSpec("chain", "产业链牵头部门", "chain"),
        RoleSpec("district", "区县招商团队", "region"),
    )
}
ROLE_CODES = tuple(ROLES)
#: the role that administers the service (tokens, exports, imports, the audit log)
CITY = "city"
#: region kinds that a district team can hold (not a province or a city)
DISTRICT_KINDS = ("区", "县", "功能区")


class ScopeInvalid(ChainAtlasError):
    """A scope that does not fit the role, or names nothing in the graph."""


def role_zh(code: str) -> str:
    spec = ROLES.get(code)
    return spec.zh if spec else code


def resolve_scope(store: GraphStore, role: str, scope: Sequence[str]) -> list[str]:
    """The scope as stored for a token of ``role``: chain ids for chain departments (names and
    aliases resolved), region names for district teams; nothing for the city office.

    Raises
    ------
    ScopeInvalid
        An unknown role, a scope given to the city office, a missing scope, a chain or a
        district that the graph does not hold.
    """
    spec = ROLES.get(role)
    if spec is None:
        raise ScopeInvalid(f"角色应为 {'/'.join(ROLE_CODES)} 之一：{role!r}")
    items = [s.strip() for s in scope if s.strip()]
    if spec.scope == "none":
        if items:
            raise ScopeInvalid(f"{spec.zh}令牌的范围是全市，不接受范围（{'、'.join(items)}）")
        return []
    if not items:
        what = "产业链编号或名称" if spec.scope == "chain" else "区县名称"
        raise ScopeInvalid(f"{spec.zh}令牌需要范围（{what}）")
    if spec.scope == "chain":
        return _dedupe(_chain_id(store, x) for x in items)
    return _dedupe(_district(store, x) for x in items)


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _chain_id(store: GraphStore, key: str) -> str:
    from chainatlas.graph.maps import resolve_chain

    try:
        return resolve_chain(store, key).id
    except ChainAtlasError:
        names = [c.name for c in store.find_nodes("Chain")]
        near = difflib.get_close_matches(key, names, n=3, cutoff=0.3)
        hint = f"；相近的产业链：{'、'.join(near)}" if near else ""
        raise ScopeInvalid(f"图谱中没有产业链「{key}」{hint}") from None


def _district(store: GraphStore, name: str) -> str:
    regions = store.find_nodes("Region")
    districts = [r.name for r in regions if r.props.get("kind") in DISTRICT_KINDS]
    if name in districts:
        return name
    known = {r.name for r in regions}
    why = "不是区、县或功能区" if name in known else "不在图谱中"
    raise ScopeInvalid(f"区县「{name}」{why}；可选：{'、'.join(districts) or '（图谱中没有区县）'}")


def _regions_of(store: GraphStore, node_id: str) -> set[str]:
    n = store.get_node(node_id)
    out = set()
    if n is not None and n.props.get("region"):
        out.add(str(n.props["region"]))
    out.update(r.name for _, r in store.neighbours(node_id, ["LOCATED_IN"], "out"))
    return out


def _chains_of(store: GraphStore, node_id: str) -> set[str]:
    out = {c.id for _, c in store.neighbours(node_id, ["IN_CHAIN", "CHAIN_MASTER_OF"], "out")}
    for _, p in store.neighbours(node_id, ["FOR_PROJECT"], "out"):
        out |= {c.id for _, c in store.neighbours(p.id, ["IN_CHAIN"], "out")}
    for _, s in store.neighbours(node_id, ["OPERATES_IN", "IN_SEGMENT"], "out"):
        out |= {c.id for _, c in store.neighbours(s.id, ["HAS_SEGMENT"], "in")}
    return out


def in_scope(
    store: GraphStore,
    role: str,
    scope: Sequence[str],
    *,
    node: str | None = None,
    chain: str | None = None,
    region: str | None = None,
) -> bool:
    """Is a record (an existing node, or a new one in a chain/region) inside this scope? A
    record counts when any of its chains (chain departments) or regions (district teams) is."""
    spec = ROLES.get(role)
    if spec is None:
        return False
    if spec.scope == "none":
        return True
    if spec.scope == "chain":
        have = {chain} if chain else set()
        if node is not None:
            have |= _chains_of(store, node)
    else:
        have = {region} if region else set()
        if node is not None:
            have |= _regions_of(store, node)
    return bool(have & set(scope))


def scoped_by(role: str) -> ScopeKind:
    """What limits a role: ``"chain"``, ``"region"`` or ``"none"``."""
    spec = ROLES.get(role)
    return spec.scope if spec else "none"
