"""The bodies of record writes: a project, demand or supply with its links
(``PUT /records/{kind}/{id}``), typed per kind from the graph model (:func:`props_model`: the
same names and types as the templates); a project's stage moves, follow-ups and 拿地."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from chainatlas.api.officer import Officer
from chainatlas.api.schemas.base import BodyIn, IsoDate, Ref, props_model
from chainatlas.graph.model import PROJECT_STAGES
from chainatlas.graph.workflows.ledger import NOTE_MAX


# ---- records: projects, demands, supplies and their links -----------------------------------
class RecordIn(BodyIn):
    """Properties of the record plus its links; a link given replaces the one stored."""

    props: BaseModel
    region: Ref | None = Field(None, description="所在区域（名称）；替换原区域")
    chain: Ref | None = Field(None, description="所属产业链（id 或名称）；替换原产业链")
    segment: Ref | None = Field(None, description="所属环节 id；替换原环节")
    firm: Ref | None = Field(None, description="关联企业 id；替换原企业")
    project: Ref | None = Field(None, description="所属项目 id（需求、供给）；替换原项目")


def _record_in(label: str, what: str, example: dict[str, Any]) -> type[RecordIn]:
    props = props_model(label, exclude=("region",))
    return create_model(
        f"{label}In",
        __base__=RecordIn,
        __doc__=f"{what}：属性（与模板同名同类型，日期为 YYYY-MM-DD 文本）及关联。",
        props=(
            props,
            Field(
                default_factory=props,
                description="属性；null 删除该属性，未给出的保持不变。所在区域用 region 字段",
                examples=[example],
            ),
        ),
    )


ProjectIn = _record_in(
    "Project",
    "重点项目",
    {
        "name": "年产 10GWh 储能电池项目",
        "stage": "招商引资",
        "investment": 20.5,
        "major": True,
        "signed": "2026-03-01",
        "responsible_unit": "长兴县经信局",
    },
)
DemandIn = _record_in(
    "Demand",
    "要素需求",
    {"kind": "土地", "description": "新增工业用地", "quantity": 120, "unit": "亩", "major": True},
)
SupplyIn = _record_in(
    "Supply",
    "要素供给",
    {
        "kind": "土地",
        "description": "标准厂房",
        "quantity": 50000,
        "unit": "平方米",
        "capacity": 3,
        "provider": "长兴经济技术开发区",
        "valid_to": "2026-12-31",
    },
)


# ---- one project: stage moves, follow-ups, 拿地 ------------------------------------------------
class StageMove(BodyIn):
    to: Literal[PROJECT_STAGES]  # type: ignore[valid-type]
    by: Officer = ""
    note: str = ""


class FollowUpIn(BodyIn):
    note: str = Field(min_length=1, max_length=NOTE_MAX, description="跟进内容")
    by: Officer = ""
    date: IsoDate | None = Field(None, description="跟进日期 YYYY-MM-DD（默认今天，不能是将来）")


class LandIn(BodyIn):
    date: IsoDate = Field(description="拿地日期 YYYY-MM-DD（不能是将来，不能晚于开工日期）")
    by: Officer = ""
    note: str = Field("", max_length=NOTE_MAX)
