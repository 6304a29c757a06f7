"""Node and relationship kinds of the chain graph, validated with pydantic.

Labels and relationship types are the interchange vocabulary shared by every backend, the
bundle format, the API and the UI. Property values are Neo4j-compatible: strings, numbers,
booleans and lists of those.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal, Required

from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from chainatlas.graph.creditcode import is_valid_credit_code
from chainatlas.graph.errors import SchemaViolation, ValidationFailed

__all__ = [
    "FIRM_TAGS",
    "LABELS",
    "REL_TYPES",
    "STAGES",
    "Node",
    "RelSpec",
    "Relationship",
    "validate_node",
    "validate_relationship",
]

Scalar = str | int | float | bool
PropValue = Scalar | list[str] | list[int] | list[float] | list[bool]

STAGES = ("upstream", "midstream", "downstream")
STAGE_ZH = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
FIRM_TAGS = (
    "规上",
    "专精特新",
    "小巨人",
    "高新技术",
    "隐形冠军",
    "上市",
    "科技型中小企业",
    "创新型中小企业",
)
CHAIN_TIERS = ("先导", "特色", "新兴", "未来")
PROJECT_STAGES = (
    "产业研究",
    "招商引资",
    "研判会商",
    "落地开工",
    "投产达效",
    "企业服务",
    "政策争取",
)
ELEMENT_KINDS = ("土地", "资金", "能耗", "人才", "技术", "配套")


@dataclass(slots=True)
class Node:
    """A node: a unique ``id``, one ``label`` and its properties."""

    id: str
    label: str
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.props.get("name", self.id))


@dataclass(slots=True)
class Relationship:
    """A directed relationship; ``(start, type, end)`` identifies it."""

    start: str
    type: str
    end: str
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.start, self.type, self.end)


_EXTRA = ConfigDict(extra="allow", str_strip_whitespace=True)
NonEmpty = Annotated[str, Field(min_length=1)]
NonNeg = Annotated[float, Field(ge=0)]


def _check_credit_code(v: str) -> str:
    v = v.upper()
    if not is_valid_credit_code(v):
        raise ValueError(f"统一社会信用代码 {v} 校验位错误或格式不符")
    return v


def _check_tags(v: list[str]) -> list[str]:
    bad = [t for t in v if t not in FIRM_TAGS]
    if bad:
        raise ValueError(f"未知梯度标签 {bad}，可选: {'、'.join(FIRM_TAGS)}")
    return v


class _Props(TypedDict, total=False):
    __pydantic_config__ = _EXTRA  # type: ignore[misc]
    sample: bool


class _Named(_Props, total=False):
    name: Required[NonEmpty]


class LayoutProps(_Named, total=False):
    code: Required[str]
    current: bool
    source: str


class ChainProps(_Named, total=False):
    layout: Required[str]
    tier: Literal["先导", "特色", "新兴", "未来"]
    order: int
    target_2026: NonNeg  # 2026 年规模目标（亿元）
    target_text: str
    aliases: list[str]
    leader: str
    lead_department: str
    action_plan: str
    fund: str
    investment_team: str
    think_tank: str
    scenarios: list[str]


class SegmentProps(_Named, total=False):
    description: str
    source: str


class FirmProps(_Named, total=False):
    credit_code: Annotated[str, AfterValidator(_check_credit_code)]
    region: str
    tags: Annotated[list[str], AfterValidator(_check_tags)]
    output: NonNeg  # 产值（亿元）
    employees: Annotated[int, Field(ge=0)]
    stock_code: str
    fullname: str
    former_names: list[str]
    listed: str


class IndustryProps(_Named, total=False):
    code: str
    level: int


class PlatformProps(_Named, total=False):
    kind: str
    region: str
    source: str


class TalentPoolProps(_Named, total=False):
    kind: str
    size: Annotated[int, Field(ge=0)]


class FundProps(_Named, total=False):
    size: NonNeg  # 规模（亿元）
    manager: str


class RegionProps(_Named, total=False):
    kind: Literal["省", "市", "区", "县", "功能区", "其他"]


class ParkProps(_Named, total=False):
    region: str
    area: NonNeg  # 面积（亩）
    vacancy: Annotated[float, Field(ge=0, le=1)]  # 空置率


class ProjectProps(_Named, total=False):
    investment: NonNeg  # 总投资（亿元）
    stage: Literal[PROJECT_STAGES]  # type: ignore[valid-type]
    region: str
    responsible_unit: str
    major: bool
    signed: date
    filed: date
    started: date
    completed: date
    producing: date
    above_scale: date
    at_capacity: date


class _Element(_Props, total=False):
    kind: Required[Literal[ELEMENT_KINDS]]  # type: ignore[valid-type]
    description: Required[NonEmpty]
    quantity: NonNeg
    unit: str
    region: str
    valid_from: date
    valid_to: date


class DemandProps(_Element, total=False):
    major: bool


class SupplyProps(_Element, total=False):
    capacity: Annotated[int, Field(ge=1)]  # 可服务需求数
    provider: str


class FollowUpProps(_Props, total=False):
    stage: Required[str]
    date: Required[date]
    by: str
    note: str
    seq: int


class ProblemProps(_Props, total=False):
    title: Required[NonEmpty]
    level: Literal["一般", "重大", "特别重大"]
    status: Literal["收集", "交办", "督办", "反馈", "办结"]
    description: str
    raised: date
    due: date
    closed: date
    assignee: str
    history: list[str]


LABELS: dict[str, type] = {
    "Layout": LayoutProps,
    "Chain": ChainProps,
    "Segment": SegmentProps,
    "Firm": FirmProps,
    "Industry": IndustryProps,
    "Platform": PlatformProps,
    "TalentPool": TalentPoolProps,
    "Fund": FundProps,
    "Region": RegionProps,
    "Park": ParkProps,
    "Project": ProjectProps,
    "Demand": DemandProps,
    "Supply": SupplyProps,
    "Problem": ProblemProps,
    "FollowUp": FollowUpProps,
}


class _RelProps(TypedDict, total=False):
    __pydantic_config__ = _EXTRA  # type: ignore[misc]


class HasSegmentProps(_RelProps, total=False):
    stage: Required[Literal["upstream", "midstream", "downstream"]]
    key: bool
    order: int


class OperatesInProps(_RelProps, total=False):
    weight: Annotated[float, Field(ge=0, le=1)]


class EvolvedIntoProps(_RelProps, total=False):
    kind: str
    partial: bool
    basis: str


class SuppliesProps(_RelProps, total=False):
    value: NonNeg  # 年供货额（亿元）


@dataclass(frozen=True)
class RelSpec:
    """Which labels a relationship type may join, and its property model."""

    starts: frozenset[str]
    ends: frozenset[str]
    props: type = _RelProps

    @property
    def adapter(self) -> TypeAdapter[Any]:
        return _adapter(self.props)


def _spec(starts: str, ends: str, props: type = _RelProps) -> RelSpec:
    return RelSpec(frozenset(starts.split("|")), frozenset(ends.split("|")), props)


_ELEMENTS = "Project|Demand|Supply"
REL_TYPES: dict[str, RelSpec] = {
    "IN_LAYOUT": _spec("Chain", "Layout"),
    "EVOLVED_INTO": _spec("Chain", "Chain", EvolvedIntoProps),
    "HAS_SEGMENT": _spec("Chain", "Segment", HasSegmentProps),
    "SUBSEGMENT_OF": _spec("Segment", "Segment"),
    "UPSTREAM_OF": _spec("Segment", "Segment"),
    "OPERATES_IN": _spec("Firm", "Segment", OperatesInProps),
    "IN_INDUSTRY": _spec("Firm", "Industry"),
    "SUBINDUSTRY_OF": _spec("Industry", "Industry"),
    "SUPPLIES": _spec("Firm", "Firm", SuppliesProps),
    "PARTNER_OF": _spec("Firm", "Firm"),
    "CHAIN_MASTER_OF": _spec("Firm", "Chain"),
    "LOCATED_IN": _spec("Firm|Park|Platform|Project|TalentPool|Fund|Demand|Supply", "Region"),
    "PART_OF": _spec("Region", "Region"),
    "OVERLAPS": _spec("Region", "Region"),
    "IN_PARK": _spec("Firm|Project", "Park"),
    "SERVES": _spec("Platform|Fund|TalentPool|Park", "Chain|Segment"),
    "FOCUS_REGION": _spec("Chain", "Region"),
    "FOR_FIRM": _spec(_ELEMENTS + "|Problem", "Firm"),
    "FOR_PROJECT": _spec("Demand|Supply|Problem", "Project"),
    "IN_CHAIN": _spec(_ELEMENTS + "|Problem", "Chain"),
    "IN_SEGMENT": _spec(_ELEMENTS, "Segment"),
    "FOLLOWS_UP": _spec("FollowUp", "Project"),
}


@cache
def _adapter(td: type) -> TypeAdapter[Any]:
    return TypeAdapter(td)


def _pre(props: dict[str, Any]) -> dict[str, Any]:
    """Drop absent values: None, NaN (pandas) and blank strings."""
    return {
        k: v
        for k, v in props.items()
        if v is not None and v == v and not (isinstance(v, str) and not v.strip())
    }


_PLAIN = frozenset({str, int, float, bool})


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def check_numbers(name: str, values: list[Any]) -> None:
    """Numbers a store can hold (as Neo4j can): integers within 64 bits, finite floats.

    Raises
    ------
    ValueError
        Naming the property.
    """
    for v in values:
        if type(v) is list:
            check_numbers(name, v)
        elif type(v) is int and not _INT64_MIN <= v <= _INT64_MAX:
            raise ValueError(f"属性 {name} 的整数超出 64 位范围")
        elif type(v) is float and not math.isfinite(v):
            raise ValueError(f"属性 {name} 不能是无穷大或非数字")


def _post(props: dict[str, Any]) -> dict[str, Any]:
    for k, v in props.items():
        if type(v) in (int, float, list):
            check_numbers(k, [v])
    if all(type(v) in _PLAIN for v in props.values()):
        return props
    out: dict[str, Any] = {}
    for k, v in props.items():
        if isinstance(v, date):
            v = v.isoformat()
        elif isinstance(v, dict):
            raise ValueError(f"属性 {k} 不能是嵌套对象")
        elif isinstance(v, list | tuple):
            if not v:
                continue
            v = list(v)
            if any(isinstance(x, dict | list) for x in v):
                raise ValueError(f"属性 {k} 只能是简单值的列表")
        out[k] = v
    return out


_ZH = {
    "missing": "必填项为空",
    "string_too_short": "不能为空",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "必须大于 {gt}",
    "less_than": "必须小于 {lt}",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "不是有效数字",
    "bool_parsing": "应为 是/否（true/false）",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "string_type": "应为文本",
    "list_type": "应为列表",
}


def _problems(err: ValidationError) -> list[tuple[str, str]]:
    out = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "属性"
        ctx = e.get("ctx") or {}
        t = e["type"]
        msg = _ZH.get(t, str(e["msg"]).removeprefix("Value error, "))
        if t in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            msg = msg.format(**ctx)
        elif t == "literal_error":
            msg = f"取值应为 {ctx.get('expected', '')}，而不是 {e.get('input')!r}"
        out.append((loc, msg))
    return out


def _fail(what: str, err: ValidationError) -> ValidationFailed:
    problems = _problems(err)
    return ValidationFailed(f"{what}: " + "; ".join(f"{k}: {m}" for k, m in problems), problems)


def validate_node(node: Node) -> Node:
    """Return ``node`` with properties checked and normalised against its label's model.

    Raises
    ------
    SchemaViolation
        For an unknown label or an empty id.
    ValidationFailed
        For properties that break the label's model; the message names the property.
    """
    model = LABELS.get(node.label)
    if model is None:
        raise SchemaViolation(f"未知标签 {node.label!r}，可选: {', '.join(LABELS)}")
    if not isinstance(node.id, str) or not node.id.strip():
        raise SchemaViolation("节点 id 不能为空")
    try:
        props = _post(_adapter(model).validate_python(_pre(node.props)))
    except ValidationError as exc:
        raise _fail(f"{node.label} {node.id}", exc) from None
    except ValueError as exc:
        raise ValidationFailed(f"{node.label} {node.id}: {exc}") from None
    return Node(node.id.strip(), node.label, props)


def check_endpoints(rel: Relationship, start_label: str, end_label: str) -> RelSpec:
    """The spec of ``rel``'s type, after checking that its endpoints' labels fit it.

    Raises
    ------
    SchemaViolation
        For an unknown type or endpoints of the wrong labels.
    """
    spec = REL_TYPES.get(rel.type)
    if spec is None:
        raise SchemaViolation(f"未知关系类型 {rel.type!r}，可选: {', '.join(REL_TYPES)}")
    if start_label not in spec.starts or end_label not in spec.ends:
        raise SchemaViolation(
            f"{rel.type} 不能连接 {start_label}({rel.start}) → {end_label}({rel.end})；"
            f"允许 {'|'.join(sorted(spec.starts))} → {'|'.join(sorted(spec.ends))}"
        )
    return spec


def validate_relationship(rel: Relationship, start_label: str, end_label: str) -> Relationship:
    """Return ``rel`` with properties checked; endpoint labels must fit the type.

    Raises
    ------
    SchemaViolation
        For an unknown type or endpoints of the wrong labels.
    ValidationFailed
        For properties that break the type's model.
    """
    spec = check_endpoints(rel, start_label, end_label)
    if not rel.props and spec.props is _RelProps:
        return rel
    try:
        props = _post(spec.adapter.validate_python(_pre(rel.props)))
    except ValidationError as exc:
        raise _fail(f"{rel.type} {rel.start}→{rel.end}", exc) from None
    except ValueError as exc:
        raise ValidationFailed(f"{rel.type} {rel.start}→{rel.end}: {exc}") from None
    return Relationship(rel.start, rel.type, rel.end, props)


def validate_nodes(nodes: list[Node]) -> list[Node]:
    """Validate many nodes at once (one pydantic call per label); see :func:`validate_node`.

    Raises
    ------
    SchemaViolation, ValidationFailed
        For the first offending node, named by label and id.
    """
    by_label: dict[str, list[int]] = {}
    for i, n in enumerate(nodes):
        by_label.setdefault(n.label, []).append(i)
    out: list[Node | None] = [None] * len(nodes)
    for label, idx in by_label.items():
        model = LABELS.get(label)
        if model is None:
            raise SchemaViolation(f"未知标签 {label!r}，可选: {', '.join(LABELS)}")
        for i in idx:
            nid = nodes[i].id
            if not isinstance(nid, str) or not nid.strip():
                raise SchemaViolation("节点 id 不能为空")
        adapter = _adapter(list[model])  # type: ignore[valid-type]
        try:
            validated = adapter.validate_python([_pre(nodes[i].props) for i in idx])
        except ValidationError as exc:
            first = exc.errors()[0]
            bad = nodes[idx[int(first["loc"][0])]]
            validate_node(bad)  # raises with the node's own message
            raise ValidationFailed(f"{bad.label} {bad.id}: {exc}") from None
        for i, props in zip(idx, validated, strict=True):
            try:
                out[i] = Node(nodes[i].id.strip(), label, _post(props))
            except ValueError as exc:
                raise ValidationFailed(f"{label} {nodes[i].id}: {exc}") from None
    return out  # type: ignore[return-value]
