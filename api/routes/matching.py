"""Element matching over JSON lists."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from chainatlas.api.deps import SettingsDep, StoreDep
from chainatlas.api.schemas import BodyIn
from chainatlas.graph.errors import ImportFailed

router = APIRouter(tags=["matching"])


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


@router.post("/match", response_model=MatchResponse)
def run_match(body: MatchRequest, store: StoreDep, settings: SettingsDep) -> MatchResponse:
    """Candidates, optimal allocation and unmatched demands with reasons, with explanations."""
    from chainatlas.matching.elements import elements_from_dicts, match  # scipy, sklearn

    ds, e1 = elements_from_dicts(body.demands, "demand", store)
    ss, e2 = elements_from_dicts(body.supplies, "supply", store)
    errors = e1 + e2
    if errors and not body.skip_bad:
        raise ImportFailed(errors)
    res = match(ds, ss, store=store, top=body.top, home_area=settings.home_area)

    def out(m: Any) -> MatchOut:
        return MatchOut(
            demand=m.demand,
            supply=m.supply,
            supply_label=m.supply_label,
            score=m.score,
            text=m.text,
            proximity=m.proximity,
            priority=m.priority,
            passed=m.passed,
            rank=m.rank,
            from_graph=m.from_graph,
        )

    return MatchResponse(
        assigned=[out(m) for m in res.assigned],
        candidates=[out(m) for m in res.candidates],
        unmatched=[{"demand": d, "reason": r} for d, r in res.unmatched],
        skipped=[e.__dict__ for e in errors],
        timings=res.timings,
    )
