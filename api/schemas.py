"""Request and response models of the API.

Request bodies are strict JSON, and what they may hold comes from the graph model: a record
kind's properties are derived from its label's property types in :mod:`chainatlas.graph.model`
(:func:`props_model`), so the API, the templates and the bundles share one list of properties
and types. Ids in paths and links follow the model's id rule (:data:`NodeIdPath`, :data:`Ref`),
checked once, before the route runs.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    field_validator,
)

from chainatlas.api.auth import TokenInfo
from chainatlas.api.roles import ROLE_CODES
from chainatlas.graph.model import (
    FIRM_TAGS,
    LABELS,
    PROJECT_STAGES,
    TEXT_REFUSED,
    Name,
    Node,
    Relationship,
    id_problem,
    json_pattern,
    text_problem,
)
from chainatlas.graph.model import IsoDate as StoredDate
from chainatlas.graph.workflows.ledger import NOTE_MAX

T = TypeVar("T")


class BodyIn(BaseModel):
    """A request body: JSON types exactly as documented — ``0`` is not ``false`` and ``"5"`` is
    not ``5`` (the fuzz test sends such values and expects 422) — and text without control
    characters (the model's rule, :func:`graph.model.text_problem`), refused with the field
    named before any work is done."""

    model_config = ConfigDict(strict=True, json_schema_extra=lambda s, _: _document_text(s))

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, v: Any) -> Any:
        for text in _texts(v):
            bad = text_problem(text)
            if bad:
                raise ValueError(bad)
        return v


_TEXT_PATTERN = json_pattern(TEXT_REFUSED)


def _document_text(schema: dict[str, Any]) -> None:
    """State the text rule in OpenAPI: a ``pattern`` on every free-text field (and item)."""
    for prop in schema.get("properties", {}).values():
        _document_string(prop)


def _document_string(schema: dict[str, Any]) -> None:
    for alt in schema.get("anyOf", [schema]):
        if alt.get("type") == "array":
            _document_string(alt.get("items", {}))
        elif alt.get("type") == "string" and not {"pattern", "enum", "const"} & alt.keys():
            alt["pattern"] = _TEXT_PATTERN


def _texts(v: Any) -> Iterator[str]:
    """The strings of a field's value (itself, or the items of a list, at any depth)."""
    if isinstance(v, str):
        yield v
    elif isinstance(v, list | tuple):
        for x in v:
            yield from _texts(x)


def _iso_text(v: Any) -> Any:
    if not isinstance(v, str):
        raise ValueError("日期应为 YYYY-MM-DD 文本")
    return v


#: A date written as ``YYYY-MM-DD`` text (JSON has no date type).
IsoDate = Annotated[date, Field(strict=False), BeforeValidator(_iso_text)]
NonEmpty = Annotated[str, Field(min_length=1)]

#: What an id in a path or a link looks like (the model's :func:`id_problem` decides): no
#: control character or line separator, no whitespace at either end.
ID_PATTERN = (
    r"^[^\s\x00-\x1f\x7f-\x9f\u2028\u2029]"
    r"(?:[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\s\x00-\x1f\x7f-\x9f\u2028\u2029])?$"
)


def _check_id(v: str) -> str:
    bad = id_problem(v)
    if bad:
        raise ValueError(bad)
    return v


_ID_SCHEMA = {"pattern": ID_PATTERN, "examples": ["1366:storage"]}
#: An id (or a name where the route says so) in a link field of a request body.
Ref = Annotated[str, Field(json_schema_extra=_ID_SCHEMA), AfterValidator(_check_id)]
#: A node id in a path: ``%20firm:F`` is refused (422), never taken for ``firm:F``.
NodeIdPath = Annotated[
    str,
    Path(description="节点 id（首尾不能有空白，不能含控制字符）", json_schema_extra=_ID_SCHEMA),
    AfterValidator(_check_id),
]
#: A chain in a path, by id or by name (the same rule as ids).
ChainPath = Annotated[
    str,
    Path(description="产业链 id 或名称", json_schema_extra=_ID_SCHEMA),
    AfterValidator(_check_id),
]


def _real_date(v: str) -> str:
    try:
        date.fromisoformat(v)
    except ValueError:
        raise ValueError(f"不是有效日期: {v!r}") from None
    return v


_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: A date property in a JSON body: ``YYYY-MM-DD`` text, a real date (stored as that text).
DateText = Annotated[
    str,
    Field(pattern=_DATE_PATTERN, json_schema_extra={"format": "date", "examples": ["2026-03-01"]}),
    AfterValidator(_real_date),
]


class _PropsIn(BodyIn):
    """Properties as JSON: strict types, no property the model does not know."""

    model_config = ConfigDict(extra="forbid")


def _json_hint(hint: Any) -> Any:
    """A model property type as a JSON body holds it (a date as ``YYYY-MM-DD`` text)."""
    while typing.get_origin(hint) in (typing.Required, typing.NotRequired):
        hint = typing.get_args(hint)[0]
    return DateText if hint == StoredDate else hint


def props_model(label: str, *, exclude: tuple[str, ...] = ()) -> type[BaseModel]:
    """The JSON properties of ``label``, from its model (:data:`graph.model.LABELS`): every
    property optional (``null`` removes it; required ones are checked on the record as
    stored after the write), strictly typed, unknown ones refused."""
    hints = typing.get_type_hints(LABELS[label], include_extras=True)
    required = LABELS[label].__required_keys__  # type: ignore[attr-defined]
    fields: dict[str, Any] = {
        key: (
            typing.Optional[_json_hint(hint)],  # noqa: UP045 (a runtime type expression)
            Field(None, description="必填（新建时）" if key in required else None),
        )
        for key, hint in hints.items()
        if key not in exclude
    }
    return create_model(f"{label}Props", __base__=_PropsIn, **fields)


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


# ---- one project: stage moves, follow-ups, 拿地 ------------------------------------------------
class StageMove(BodyIn):
    to: Literal[PROJECT_STAGES]  # type: ignore[valid-type]
    by: str = ""
    note: str = ""


class FollowUpIn(BodyIn):
    note: str = Field(min_length=1, max_length=NOTE_MAX, description="跟进内容")
    by: str = Field("", max_length=200, description="跟进单位/人（默认为令牌名称）")
    date: IsoDate | None = Field(None, description="跟进日期 YYYY-MM-DD（默认今天，不能是将来）")


class LandIn(BodyIn):
    date: IsoDate = Field(description="拿地日期 YYYY-MM-DD（不能是将来，不能晚于开工日期）")
    by: str = Field("", max_length=200, description="经办单位/人（默认为令牌名称）")
    note: str = Field("", max_length=NOTE_MAX)


# ---- element matching ----------------------------------------------------------------------
class MatchRequest(BodyIn):
    demands: list[dict[str, Any]] = Field(
        description="需求：kind, description, quantity, unit, region, chain, segment, "
        "valid_from, valid_to, major, firm, id"
    )
    supplies: list[dict[str, Any]] = Field(
        description="供给：kind, description, quantity, unit, region, chain, segment, "
        "valid_from, valid_to, capacity, provider, id"
    )
    top: int = Field(5, ge=1, le=100)
    skip_bad: bool = False


class MatchOut(BaseModel):
    demand: str
    supply: str
    supply_label: str
    score: float
    text: float
    proximity: float
    priority: float
    passed: list[str]
    rank: int
    from_graph: bool


class MatchResponse(BaseModel):
    assigned: list[MatchOut]
    candidates: list[MatchOut]
    unmatched: list[dict[str, str]]
    skipped: list[dict[str, Any]]
    timings: dict[str, float]


# ---- firms ---------------------------------------------------------------------------------
class FirmIn(BodyIn):
    """A firm as the district teams record it (企业名称, 所在区域, …); an unknown field is
    refused (422), as in record bodies, never silently dropped."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    region: Ref = Field(description="所在区域（名称）；替换原区域")
    credit_code: str | None = None
    tags: list[Literal[FIRM_TAGS]] = []  # type: ignore[valid-type]
    output: Annotated[float, Field(ge=0)] | None = None
    employees: Annotated[int, Field(ge=0, le=2**63 - 1)] | None = None
    segments: list[Ref] = Field([], description="经营的环节 id（在已有环节之外添加）")


# ---- the problem loop (问题闭环) ---------------------------------------------------------------
class ProblemIn(BodyIn):
    title: NonEmpty
    level: Literal["一般", "重大", "特别重大"] = "一般"
    project: str | None = None
    firm: str | None = None
    chain: str | None = None
    region: str | None = None
    description: str = ""
    due: IsoDate | None = None
    by: str = ""


class ProblemStep(BodyIn):
    to: Literal["交办", "督办", "反馈", "办结"]
    escalate: Literal["重大", "特别重大"] | None = None
    by: str = ""
    note: str = ""


class ProblemReview(BodyIn):
    #: 见效: the measure took effect; 未见效: reopen the problem under 督办
    result: Literal["见效", "未见效"]
    by: str = ""
    note: str = ""


class SupervisionSync(BaseModel):
    opened: list[str]
    reopened: list[str]
    closed: list[str]


# ---- 十个一 -----------------------------------------------------------------------------------
class SlotValue(BodyIn):
    #: text for 链长、牵头部门、方案、队伍、智库, a scenario, or a node's id or name for a link slot
    value: NonEmpty


# ---- access tokens -------------------------------------------------------------------------
RoleCode = Literal[ROLE_CODES]  # type: ignore[valid-type]


class TokenIn(BodyIn):
    role: RoleCode
    scope: list[str] = []
    name: str = ""
    #: 30d, 12h, 2w, a date YYYY-MM-DD (valid through that day) or an ISO date-time
    expires: str | None = None


class TokenPublic(BaseModel):
    id: str
    name: str
    role: str
    scope: list[str]
    created: str
    expires: str | None
    revoked: str | None
    status: str

    @classmethod
    def of(cls, t: TokenInfo) -> TokenPublic:
        return cls(status=t.status, **t.__dict__)


class TokenCreated(TokenPublic):
    #: the token itself: shown this once, never again
    token: str


class TokensPublic(BaseModel):
    data: list[TokenPublic]
    count: int
