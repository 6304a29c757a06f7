"""The roles of 链长制 a token can have, what each role's scope is made of, and what each may
do — in one table.

Seed 000 §四 names the bodies: "总链长+链长+区级链长+链主" (the organisation), the city office
"市链长办" (链长制办公室, moved to 市经信局), each chain's "产业链牵头部门", and the district
"区级链长办". Its problem loop routes 一般 matters to "各产业链牵头部门、区级链长办", 重大 ones to
the 链长 and 特别重大 ones to the 总链长. District investment teams are not named by the seed
(it says only "以下工作均需各区县落实"); their role is the previous release's ``district`` role.

Every rule that depends on the role reads :data:`ROLES`: which kind of scope a role takes
(none, chains or regions), its Chinese name and the seed words it comes from, how a scope given
on the command line or in the API is checked against the graph (:func:`resolve_scope`), whether
a record is inside a caller's scope (:func:`in_scope`), which records it may write
(``records``), how far up the problem loop it reaches (``rank``: 一般 1, 重大 2, 特别重大 3) and
whether it supervises (督办 and 回头看). The codes of the first release (``city``, ``chain``,
``district``) are kept: they are the 市链长办, the 产业链牵头部门 and the 区县招商团队, so
existing tokens and audit rows keep their meaning.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from chainatlas.graph.errors import ChainAtlasError
from chainatlas.graph.home import DISTRICT_KINDS  # region kinds a district role can hold
from chainatlas.graph.store.contract import GraphStore

__all__ = [
    "CITY",
    "LEVEL_RANK",
    "ROLES",
    "ROLE_CODES",
    "RoleSpec",
    "ScopeInvalid",
    "covers",
    "handlers",
    "holders",
    "in_scope",
    "may_handle",
    "owners",
    "reaches",
    "resolve_role",
    "resolve_scope",
    "role_zh",
    "roles_help",
    "scoped_by",
    "supervisors",
]

ScopeKind = Literal["none", "chain", "region"]
Records = Literal["all", "scope", "none"]


@dataclass(frozen=True)
class RoleSpec:
    code: str
    #: the name users see; the seed's own words where the seed names the body
    zh: str
    #: what the role's scope lists: nothing (the whole city), chain ids, or region names
    scope: ScopeKind
    #: how far up the problem loop it reaches: 0 collects only, 1 一般, 2 重大, 3 特别重大
    rank: int
    #: which records (firms, projects, demands, supplies, stages) it may write
    records: Records
    #: words of seed 000 the role comes from (tests find them in the seed text); "" if none
    seed: str
    #: where the role comes from, for the README's seed-fidelity table
    basis: str
    #: takes the 督办 and 回头看 steps of the problem loop (seed 000 §四.四: 市链长办牵头)
    supervises: bool = False
    #: administers the service: tokens, whole-store export, bulk import, the audit log
    admin: bool = False
    #: other names accepted on input (``--role 牵头部门``)
    aliases: tuple[str, ...] = ()


ROLES: dict[str, RoleSpec] = {
    r.code: r
    for r in (
        RoleSpec(
            "chief",
            "总链长",
            "none",
            3,
            "none",
            "总链长+链长+区级链长+链主",
            "seed000 四（一）组织架构；四（四）特别重大事项“报总链长协调解决”",
            supervises=True,
        ),
        RoleSpec(
            "chain-leader",
            "链长",
            "chain",
            2,
            "none",
            "对重大事项，由链长协调解决",
            "seed000 四（一）组织架构（一名市领导领衔）；四（四）重大事项",
        ),
        RoleSpec(
            "city",
            "市链长办",
            "none",
            2,
            "all",
            "链长制办公室调整到市经信局",
            "seed000 四（一）；四（四）“由市链长办牵头跟踪督办，定期开展回头看”",
            supervises=True,
            admin=True,
            aliases=("链长办",),
        ),
        RoleSpec(
            "chain",
            "产业链牵头部门",
            "chain",
            1,
            "scope",
            "由各产业链牵头部门、区级链长办协调解决",
            "seed000 四（四）一般事项；四（一）“一个部门牵头”",
            aliases=("牵头部门", "牵头单位"),
        ),
        RoleSpec(
            "district-leader",
            "区级链长",
            "region",
            1,
            "none",
            "总链长+链长+区级链长+链主",
            "seed000 四（一）组织架构",
        ),
        RoleSpec(
            "district-office",
            "区级链长办",
            "region",
            1,
            "scope",
            "由各产业链牵头部门、区级链长办协调解决",
            "seed000 四（四）一般事项",
            aliases=("区链长办",),
        ),
        RoleSpec(
            "district",
            "区县招商团队",
            "region",
            0,
            "scope",
            "",
            "推断：种子未单列区县招商团队（只说“以下工作均需各区县落实”）；沿用第一版的区县令牌",
            aliases=("招商团队",),
        ),
    )
}
ROLE_CODES = tuple(ROLES)
#: the role that administers the service (tokens, exports, imports, the audit log)
CITY = "city"
#: how far up the loop a problem of each level needs (seed 000 §四.四)
LEVEL_RANK = {"一般": 1, "重大": 2, "特别重大": 3}
_WHERE = {"none": "全市", "chain": "本链", "region": "本区县"}


class ScopeInvalid(ChainAtlasError):
    """A role or a scope that does not fit, or names nothing in the graph."""


def role_zh(code: str) -> str:
    spec = ROLES.get(code)
    return spec.zh if spec else code


def resolve_role(text: str) -> str:
    """The role code ``text`` names: a code, a Chinese name or an alias (``市链长办``,
    ``牵头部门`` …).

    >>> resolve_role("总链长"), resolve_role("city"), resolve_role("牵头部门")
    ('chief', 'city', 'chain')
    """
    key = text.strip()
    for spec in ROLES.values():
        if key in (spec.code, spec.zh, *spec.aliases):
            return spec.code
    names = "、".join(f"{s.code}（{s.zh}）" for s in ROLES.values())
    raise ScopeInvalid(f"没有角色「{key}」；可选：{names}")


def roles_help() -> str:
    """The roles as the command line's help lists them: code, Chinese name, scope."""
    what = {"none": "全市，不带 --scope", "chain": "产业链编号或名称", "region": "区县名称"}
    return "\n".join(f"{s.code:<16}{s.zh}（范围：{what[s.scope]}）" for s in ROLES.values())


def resolve_scope(store: GraphStore, role: str, scope: Sequence[str]) -> list[str]:
    """The scope as stored for a token of ``role``: chain ids for chain roles (names and
    aliases resolved), region names for district roles; nothing for city-wide roles.

    Raises
    ------
    ScopeInvalid
        An unknown role, a scope given to a city-wide role, a missing scope, a chain or a
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
    from chainatlas.graph.workflows.maps import resolve_chain

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


def covers(
    role: str, scope: Sequence[str], *, chains: Iterable[str] = (), regions: Iterable[str] = ()
) -> bool:
    """Does a role's scope reach something filed under these chains and regions? City-wide
    roles reach everything; chain roles need one of the chains, district roles one of the
    regions."""
    spec = ROLES.get(role)
    if spec is None:
        return False
    if spec.scope == "none":
        return True
    have = set(chains) if spec.scope == "chain" else set(regions)
    return bool(have & set(scope))


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
    record counts when any of its chains (chain roles) or regions (district roles) is. This
    is reach only; whether the role may *write* records is ``ROLES[role].records``."""
    spec = ROLES.get(role)
    if spec is None:
        return False
    if spec.scope == "none":
        return True
    chains = {chain} if chain else set()
    regions = {region} if region else set()
    if node is not None:
        if spec.scope == "chain":
            chains |= _chains_of(store, node)
        else:
            regions |= _regions_of(store, node)
    return covers(role, scope, chains=chains, regions=regions)


def owners(store: GraphStore, role: str, node_id: str) -> set[str]:
    """The scopes of ``role``'s kind that a node belongs to: its chains for chain roles, the
    districts it is located in for district roles (a firm in 上海市 belongs to no district)."""
    spec = ROLES.get(role)
    if spec is None or spec.scope == "none":
        return set()
    if spec.scope == "chain":
        return _chains_of(store, node_id)
    districts = {
        r.name for r in store.find_nodes("Region") if r.props.get("kind") in DISTRICT_KINDS
    }
    return _regions_of(store, node_id) & districts


def scoped_by(role: str) -> ScopeKind:
    """What limits a role: ``"chain"``, ``"region"`` or ``"none"``."""
    spec = ROLES.get(role)
    return spec.scope if spec else "none"


def may_handle(
    role: str,
    scope: Sequence[str],
    level: str,
    *,
    chains: Iterable[str] = (),
    region: str | None = None,
) -> bool:
    """May a role take a step (交办, 反馈, 办结) on a problem of ``level`` filed under these
    chains and this region? It must reach that far up the loop (:data:`LEVEL_RANK`) and its
    scope must cover the problem: the body the problem is routed to, or a body above it."""
    return reaches(
        role, scope, LEVEL_RANK.get(level, 99), chains=chains, regions=[region] if region else []
    )


def reaches(
    role: str,
    scope: Sequence[str],
    rank: int,
    *,
    chains: Iterable[str] = (),
    regions: Iterable[str] = (),
) -> bool:
    """Is a role at least ``rank`` high, with a scope that covers these chains and regions?
    What a body may do, a body above it may do too."""
    spec = ROLES.get(role)
    if spec is None or spec.rank < rank:
        return False
    return covers(role, scope, chains=chains, regions=regions)


def handlers(level: str) -> str:
    """Who may take the steps of a problem of ``level``, in Chinese, lowest first.

    >>> handlers("特别重大")
    '总链长'
    """
    return holders(LEVEL_RANK.get(level, 99))


def holders(rank: int, kinds: Iterable[ScopeKind] = ("none", "chain", "region")) -> str:
    """The roles at least ``rank`` high (limited to these scope kinds), in Chinese."""
    allowed = set(kinds)
    found = [s for s in ROLES.values() if s.rank >= rank and s.scope in allowed]
    found.sort(key=lambda s: (s.rank, s.scope == "none", s.records == "none"))
    return "、".join(f"{s.zh}（{_WHERE[s.scope]}）" if s.scope != "none" else s.zh for s in found)


def supervisors() -> str:
    """Who takes the 督办 and 回头看 steps, in Chinese."""
    found = sorted((s for s in ROLES.values() if s.supervises), key=lambda s: s.rank)
    return "或".join(s.zh for s in found)
