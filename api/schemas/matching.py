"""Element matching (要素匹配): an upload's demands and supplies and the matches found; the stored
lists matched (``POST /match/stored``) and a 对接 moved on."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from chainatlas.api.schemas.base import BodyIn
from chainatlas.graph.model import DOCKING_STATUSES

#: A 对接's state (推荐 → 对接中 → 已落实 / 未落实).
Status = Literal[DOCKING_STATUSES]  # type: ignore[valid-type]


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


# ---- the stored lists and their 对接 -------------------------------------------------------
class StoredMatchRequest(BodyIn):
    chain: str | None = Field(None, description="只匹配这条产业链的需求（编号或名称）")
    region: str | None = Field(None, description="只匹配这个区县的需求")
    top: int = Field(5, ge=1, le=100)


class StatusChange(BodyIn):
    status: Status  # type: ignore[valid-type]
    note: str = Field("", max_length=2000)
    date: str | None = Field(None, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
