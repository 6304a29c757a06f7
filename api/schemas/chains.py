"""The bodies of a chain's work: a 十个一 slot's value, a year's 招商引资目标, a park's 主导产业."""

from __future__ import annotations

from pydantic import Field

from chainatlas.api.schemas.base import BodyIn, NonEmpty
from chainatlas.graph.model import AMOUNT_MAX, COUNT_MAX


class SlotValue(BodyIn):
    #: text for 链长、牵头部门、方案、队伍、智库, a scenario, or a node's id or name for a link slot
    value: NonEmpty


# ---- 招商引资目标 ------------------------------------------------------------------------------
class GoalsIn(BodyIn):
    """Targets to set (a number ≥ 0) or clear (null); measures not named are kept."""

    signed: float | None = Field(None, ge=0, le=COUNT_MAX, description="签约项目（个）")
    investment: float | None = Field(None, ge=0, le=AMOUNT_MAX, description="签约总投资（亿元）")
    started: float | None = Field(None, ge=0, le=COUNT_MAX, description="新开工项目（个）")
    producing: float | None = Field(None, ge=0, le=COUNT_MAX, description="投产项目（个）")


# ---- parks' 主导产业 --------------------------------------------------------------------------
class ParkIndustries(BodyIn):
    chains: list[str] = Field(max_length=3, description="主导产业：产业链编号或名称，至多 3 个")
