"""Element matching over JSON lists."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from chainatlas.api.deps import SettingsDep, StoreDep
from chainatlas.api.schemas import MatchOut, MatchRequest, MatchResponse
from chainatlas.graph.errors import ImportFailed

router = APIRouter(tags=["matching"])


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
        return MatchOut.model_validate(m, from_attributes=True)

    return MatchResponse(
        assigned=[out(m) for m in res.assigned],
        candidates=[out(m) for m in res.candidates],
        unmatched=[{"demand": d, "reason": r} for d, r in res.unmatched],
        skipped=[e.__dict__ for e in errors],
        timings=res.timings,
    )
