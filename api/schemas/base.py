"""The building blocks of every request and response model: strict bodies whose text follows
the model's rule, ids in paths and links, dates as text, a label's properties derived from the
graph model (:func:`props_model`), lists with their count, nodes and relationships as JSON.

Request bodies are strict JSON, and what they may hold comes from the graph model: a record
kind's properties are derived from its label's property types in :mod:`chainatlas.graph.model`
(:func:`props_model`), so the API, the templates and the bundles share one list of properties
and types. Ids in paths and links follow the model's id rule (:data:`NodeIdPath`, :data:`Ref`),
checked once, before the route runs.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

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

from chainatlas.graph.model import (
    ID_MAX_COMPOSED,
    ID_REFUSED,
    LABEL_ZH,
    LABELS,
    TEXT_MAX,
    TEXT_REFUSED,
    Node,
    Relationship,
    id_max,
    id_problem,
    json_class,
    json_pattern,
    label_id_problem,
    length_problem,
    text_problem,
)
from chainatlas.graph.model import IsoDate as StoredDate

T = TypeVar("T")


class BodyIn(BaseModel):
    """A request body: JSON types exactly as documented — ``0`` is not ``false`` and ``"5"`` is
    not ``5`` (the fuzz test sends such values and expects 422) — no field the body does not
    have (``regoin`` is refused, never silently dropped), and text by the model's rule
    (:func:`graph.model.text_problem`: no control or format characters; at most
    :data:`graph.model.TEXT_MAX` characters where a field sets no shorter limit), refused
    with the field named before any work is done."""

    model_config = ConfigDict(
        strict=True, extra="forbid", json_schema_extra=lambda s, _: _document_text(s)
    )

    @field_validator("*")
    @classmethod
    def _text_rule(cls, v: Any) -> Any:
        for text in _texts(v):
            bad = text_problem(text) or length_problem(text)
            if bad:
                raise ValueError(bad)
        return v


_TEXT_PATTERN = json_pattern(TEXT_REFUSED)


def _document_text(schema: dict[str, Any]) -> None:
    """State the text rule in OpenAPI: a ``pattern`` on every free-text field (and item), and
    the longest text where a field sets no shorter limit."""
    for prop in schema.get("properties", {}).values():
        _document_string(prop)


def _document_string(schema: dict[str, Any]) -> None:
    for alt in schema.get("anyOf", [schema]):
        if alt.get("type") == "array":
            _document_string(alt.get("items", {}))
        elif alt.get("type") == "string" and not {"pattern", "enum", "const"} & alt.keys():
            alt["pattern"] = _TEXT_PATTERN
            alt.setdefault("maxLength", TEXT_MAX)


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
    # the text itself, not what pydantic also reads as a date: a number ("0" is 1970-01-01)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise ValueError(f"日期格式应为 YYYY-MM-DD，而不是 {v!r}")
    return v


#: A date written as ``YYYY-MM-DD`` text (JSON has no date type).
IsoDate = Annotated[date, Field(strict=False), BeforeValidator(_iso_text)]
NonEmpty = Annotated[str, Field(min_length=1)]

#: What an id in a path or a link looks like, as the model's :func:`id_problem` decides: no
#: control character, line separator, format or invisible character (:data:`ID_REFUSED`), no
#: space at either end. A JSON-schema pattern names only the Basic Multilingual Plane alike in
#: ECMA-262 and Python: refused characters beyond it (tags, U+1D173…) are the server's to refuse.
_ID_CHAR = json_class(ID_REFUSED)
_ID_END = json_class((*ID_REFUSED, (0x20, 0x20)))
ID_PATTERN = f"^{_ID_END}(?:{_ID_CHAR}*{_ID_END})?$"


def _check_id(v: str) -> str:
    bad = id_problem(v)
    if bad:
        raise ValueError(bad)
    return v


_ID_SCHEMA = {"pattern": ID_PATTERN, "maxLength": ID_MAX_COMPOSED, "examples": ["1366:storage"]}
#: An id (or a name where the route says so) in a link field of a request body.
Ref = Annotated[str, Field(json_schema_extra=_ID_SCHEMA), AfterValidator(_check_id)]
#: A node id in a path: ``%20firm:F`` is refused (422), never taken for ``firm:F``.
NodeIdPath = Annotated[
    str,
    Path(description="节点 id（首尾不能有空白，不能含控制字符）", json_schema_extra=_ID_SCHEMA),
    AfterValidator(_check_id),
]


def _label_id_check(label: str) -> AfterValidator:
    def check(v: str) -> str:
        bad = id_problem(v) or label_id_problem(v, label)
        if bad:
            raise ValueError(bad)
        return v

    return AfterValidator(check)


def _label_id_path(label: str) -> Any:
    """The id of a ``label`` node in a path: the id rule and that label's own (its longest id,
    no other record kind's prefix: :func:`graph.model.label_id_problem`), checked before the
    route runs, so a refusal writes nothing, not even a failed audit row."""
    schema = {**_ID_SCHEMA, "maxLength": id_max(label)}
    what = f"{LABEL_ZH[label]}的 id（首尾不能有空白，不能含控制字符）"
    return Annotated[str, Path(description=what, json_schema_extra=schema), _label_id_check(label)]


#: The id of a firm, a project, a demand or a supply in the path of its write.
FirmIdPath = _label_id_path("Firm")
ProjectIdPath = _label_id_path("Project")
DemandIdPath = _label_id_path("Demand")
SupplyIdPath = _label_id_path("Supply")
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
        raise ValueError(f"不是有效日期：{v!r}") from None
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
