"""十个一 per chain (seed 000 §四.一): what each of the ten items holds, and setting or clearing it.

The seed: "实施“十个一”工作推进机制，即一名市领导领衔、一个部门牵头、一个行动方案、一个基金配套、
一支招商队伍、一批链创平台（含产业创新联合体、中试平台和概念验证中心）、一批链主企业、一个专家智库、
一批项目清单、一批应用场景". Each item is a :class:`Slot`:

* a *text* slot is a property of the chain (链长, 牵头部门, 行动方案, 招商队伍, 专家智库): set
  replaces it, clear removes it;
* the *list* slot 一批应用场景 is a list property: set adds a scenario, clear removes one or all;
* a *link* slot is ticked by links in the graph (基金 and 链创平台 that serve the chain or one of
  its segments, 链主企业, projects in the chain): set links a node that exists to the chain with
  the basis :data:`REGISTERED`; clear removes such links (links from other data stay).

Two rules keep the ticks honest: a link whose ``basis`` starts with :data:`INFERRED` (the
system's guess, e.g. a lab "推断" to serve a chain) never ticks an item, and 一批链创平台 counts
only platforms of the kinds the seed names (:data:`PLATFORM_KINDS`), whatever else serves the chain.

Who may set a slot is the API's business (:mod:`chainatlas.api.roles`); ``Slot.owner`` says how
high up it belongs: the city appoints the chain leader and the lead department (2), the chain's
lead department keeps the rest (1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from chainatlas.graph.errors import ChainAtlasError, ValidationFailed
from chainatlas.graph.model import LABEL_ZH, NAME_MAX, Node, Relationship, text_problem
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.maps import resolve_chain

__all__ = [
    "INFERRED",
    "PLATFORM_KINDS",
    "REGISTERED",
    "SEED",
    "SLOTS",
    "ChecklistItem",
    "Slot",
    "UnknownSlot",
    "checklist",
    "clear_slot",
    "find_slot",
    "registered",
    "set_slot",
]

#: seed 000 §四.一, word for word
SEED = (
    "一名市领导领衔、一个部门牵头、一个行动方案、一个基金配套、一支招商队伍、"
    "一批链创平台（含产业创新联合体、中试平台和概念验证中心）、一批链主企业、一个专家智库、"
    "一批项目清单、一批应用场景"
)
#: the platform kinds 一批链创平台 counts (the seed's parenthesis)
PLATFORM_KINDS = ("产业创新联合体", "中试平台", "概念验证中心")
#: the basis of a link made by setting a slot
REGISTERED = "十个一登记"
#: a basis that marks a link as inferred: it never ticks an item
INFERRED = "推断"


class UnknownSlot(ChainAtlasError):
    """A slot name that is not one of the ten."""


@dataclass
class ChecklistItem:
    item: str
    present: bool
    detail: str


@dataclass(frozen=True)
class Slot:
    #: the seed's words for the item
    item: str
    #: the command line's short name
    key: str
    kind: Literal["text", "list", "link"]
    #: the chain property (text, list) or the relationship type (link)
    field: str
    #: the label of a link's start node ("" for text and list slots)
    label: str
    #: what the item needs, shown when it is missing
    needs: str
    #: how high up the slot belongs: 2 the city appoints it, 1 the chain's lead department
    owner: int = 1


SLOTS: tuple[Slot, ...] = (
    Slot("一名市领导领衔", "leader", "text", "leader", "", "链长（市领导）", owner=2),
    Slot("一个部门牵头", "department", "text", "lead_department", "", "牵头部门", owner=2),
    Slot("一个行动方案", "plan", "text", "action_plan", "", "一链一策行动方案"),
    Slot("一个基金配套", "fund", "link", "SERVES", "Fund", "配套产业基金"),
    Slot("一支招商队伍", "team", "text", "investment_team", "", "招商队伍"),
    Slot("一批链创平台", "platforms", "link", "SERVES", "Platform", "、".join(PLATFORM_KINDS)),
    Slot("一批链主企业", "masters", "link", "CHAIN_MASTER_OF", "Firm", "链主企业"),
    Slot("一个专家智库", "think-tank", "text", "think_tank", "", "专家智库"),
    Slot("一批项目清单", "projects", "link", "IN_CHAIN", "Project", "项目"),
    Slot("一批应用场景", "scenarios", "list", "scenarios", "", "应用场景"),
)


def find_slot(name: str) -> Slot:
    """A slot by the seed's words (``一批链创平台``) or its short name (``platforms``)."""
    for s in SLOTS:
        if name.strip() in (s.item, s.key):
            return s
    names = "、".join(f"{s.item}（{s.key}）" for s in SLOTS)
    raise UnknownSlot(f"十个一中没有「{name}」；可选：{names}")


def _inferred(props: dict[str, object]) -> bool:
    return str(props.get("basis") or "").startswith(INFERRED)


def _targets(store: GraphStore, chain: str, slot: Slot) -> list[str]:
    """The nodes a link slot may hang on: the chain, and for SERVES its segments too."""
    if slot.field != "SERVES":
        return [chain]
    out: list[str] = []
    todo = [n.id for _, n in store.neighbours(chain, ["HAS_SEGMENT"], "out")]
    while todo:
        s = todo.pop()
        if s not in out:
            out.append(s)
            todo.extend(n.id for _, n in store.neighbours(s, ["SUBSEGMENT_OF"], "in"))
    return [chain, *out]


def _linked(store: GraphStore, chain: str, slot: Slot) -> tuple[list[Node], int, int]:
    """The nodes that tick a link slot, and how many links did not count (inferred, or a
    platform of another kind)."""
    counted: dict[str, Node] = {}
    inferred: set[str] = set()
    other: set[str] = set()
    for target in _targets(store, chain, slot):
        for r, n in store.neighbours(target, [slot.field], "in"):
            if n.label != slot.label:
                continue
            if _inferred(r.props):
                inferred.add(n.id)
            elif slot.key == "platforms" and n.props.get("kind") not in PLATFORM_KINDS:
                other.add(n.id)
            else:
                counted[n.id] = n
    return (
        sorted(counted.values(), key=lambda n: n.name),
        len(inferred - counted.keys()),
        len(other - counted.keys()),
    )


def _item(store: GraphStore, ch: Node, slot: Slot) -> ChecklistItem:
    if slot.kind == "text":
        value = ch.props.get(slot.field)
        return ChecklistItem(slot.item, bool(value), str(value) if value else f"缺：{slot.needs}")
    if slot.kind == "list":
        names = [str(x) for x in ch.props.get(slot.field, [])]
        notes: list[str] = []
    else:
        nodes, inferred, other = _linked(store, ch.id, slot)
        names = [n.name for n in nodes]
        notes = [f"{inferred} 个推断链接不计"] if inferred else []
        if other:
            notes.append(f"{other} 个平台不属{'、'.join(PLATFORM_KINDS)}，不计")
    note = f"（{'；'.join(notes)}）" if notes else ""
    if not names:
        return ChecklistItem(slot.item, False, f"缺：{slot.needs}{note}")
    more = " 等" if len(names) > 5 else ""
    return ChecklistItem(slot.item, True, f"{len(names)} 个：{'、'.join(names[:5])}{more}{note}")


def checklist(store: GraphStore, chain: str) -> list[ChecklistItem]:
    """十个一 of a chain: each item, whether it is there, and what it holds or lacks."""
    ch = resolve_chain(store, chain)
    return [_item(store, ch, s) for s in SLOTS]


def _text(value: str, what: str) -> str:
    value = value.strip()
    bad = text_problem(value, one_line=True) if value else "不能为空"
    if bad:
        raise ValidationFailed(f"{what}{bad}")
    if len(value) > NAME_MAX:
        raise ValidationFailed(f"{what}不能超过 {NAME_MAX} 个字符（现有 {len(value)} 个）")
    return value


def _named(store: GraphStore, slot: Slot, value: str) -> Node:
    """The node a link slot's value names: an id, or the exact name of one node."""
    n = store.get_node(value)
    if n is not None and n.label == slot.label:
        return n
    found = store.find_nodes(slot.label, {"name": value})
    if len(found) != 1:
        kind = LABEL_ZH.get(slot.label, slot.label)
        why = (
            f"有多个名为「{value}」的{kind}，请填{kind}编号"
            if found
            else f"图谱中没有「{value}」这个{kind}（可填{kind}名称或编号）"
        )
        raise ValidationFailed(f"{slot.item}：{why}")
    return found[0]


def _node(store: GraphStore, slot: Slot, value: str) -> Node:
    """The node to link for a link slot: it exists, and a platform is of a counted kind."""
    n = _named(store, slot, value)
    if slot.key == "platforms" and n.props.get("kind") not in PLATFORM_KINDS:
        kind = n.props.get("kind") or "未填类型"
        raise ValidationFailed(
            f"「{n.name}」是{kind}：一批链创平台只计{'、'.join(PLATFORM_KINDS)}（种子 000 §四.一）"
        )
    return n


def registered(store: GraphStore, chain: str, slot: Slot) -> list[tuple[str, str]]:
    """What :func:`clear_slot` can remove one by one from a list or link slot, as (value to
    pass, name to show): a list's entries, and the nodes linked through the checklist (links
    from other data are not offered: clear refuses them)."""
    ch = resolve_chain(store, chain)
    if slot.kind == "list":
        return [(str(x), str(x)) for x in ch.props.get(slot.field, [])]
    if slot.kind == "text":
        return []
    return sorted(
        (
            (n.id, n.name)
            for r, n in store.neighbours(ch.id, [slot.field], "in")
            if n.label == slot.label and str(r.props.get("basis") or "").startswith(REGISTERED)
        ),
        key=lambda x: x[1],
    )


def set_slot(
    store: GraphStore, chain: str, slot: str, value: str, *, by: str = "", today: date | None = None
) -> ChecklistItem:
    """Set a slot of a chain's 十个一 (see the module docstring) and return the item as it is
    now.

    Raises
    ------
    UnknownSlot, UnknownChain
        A slot or a chain that does not exist.
    ValidationFailed
        An empty or bad value, a node that is not there, a platform of another kind.
    """
    ch = resolve_chain(store, chain)
    s = find_slot(slot)
    value = _text(value, s.item)
    if s.kind == "text":
        store.upsert_nodes([Node(ch.id, "Chain", {s.field: value})])
    elif s.kind == "list":
        with store.serialized() as b:  # appended to the list as stored, not as read before
            have = _entries(store.require_node(ch.id), s)
            if value not in have:
                b.upsert_nodes([Node(ch.id, "Chain", {s.field: [*have, value]})])
    else:
        n = _node(store, s, value)
        basis = f"{REGISTERED}（{by or '—'}，{(today or date.today()).isoformat()}）"
        store.upsert_relationships([Relationship(n.id, s.field, ch.id, {"basis": basis})])
    return _item(store, store.require_node(ch.id), s)


def clear_slot(store: GraphStore, chain: str, slot: str, value: str | None = None) -> ChecklistItem:
    """Clear a slot (or one value of a list or link slot) and return the item as it is now.
    Only links set through the checklist are removed; a link from other data is refused by
    name (change that record instead).

    Raises
    ------
    UnknownSlot, UnknownChain
        A slot or a chain that does not exist.
    ValidationFailed
        A value the slot does not hold.
    """
    ch = resolve_chain(store, chain)
    s = find_slot(slot)
    if s.kind == "text":
        store.upsert_nodes([Node(ch.id, "Chain", {s.field: None})])
    elif s.kind == "list":
        with store.serialized() as b:  # removed from the list as stored, not as read before
            have = _entries(store.require_node(ch.id), s)
            if value is not None and value.strip() not in have:
                raise ValidationFailed(f"{s.item}中没有「{value}」")
            keep = [x for x in have if value is not None and x != value.strip()]
            b.upsert_nodes([Node(ch.id, "Chain", {s.field: keep or None})])
    else:
        with store.serialized() as b:  # the links as stored when they are removed
            b.delete_relationships(_registered_links(store, ch.id, s, value))
    return _item(store, store.require_node(ch.id), s)


def _entries(ch: Node, s: Slot) -> list[str]:
    """The entries of a list slot as the chain holds them."""
    return [str(x) for x in ch.props.get(s.field, [])]


def _registered_links(
    store: GraphStore, chain: str, s: Slot, value: str | None
) -> list[tuple[str, str, str]]:
    """The links :func:`clear_slot` removes from a link slot: those set through the checklist
    (all, or the one to ``value``); a value not linked, or linked by other data, is refused."""
    links = [r for r, n in store.neighbours(chain, [s.field], "in") if n.label == s.label]
    if value is not None:
        n = _named(store, s, value.strip())
        links = [r for r in links if r.start == n.id]
        if not links:
            raise ValidationFailed(f"{s.item}中没有「{n.name}」")
        if not str(links[0].props.get("basis") or "").startswith(REGISTERED):
            raise ValidationFailed(
                f"「{n.name}」与本链的链接来自图谱数据，不是十个一登记的：请修改该记录"
            )
    return [r.key for r in links if str(r.props.get("basis") or "").startswith(REGISTERED)]
