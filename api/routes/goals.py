"""招商引资目标 per chain and year (the 目标 of 四张清单) and 动态亮晒 across chains.

``PUT /chains/{chain}/goals/{year}`` sets or clears a chain's targets; it belongs to the
chain's 产业链牵头部门 or a body above it (链长, 市链长办, 总链长), is checked before anything is
written and audited ahead. Reading is open to every token: ``GET /chains/{chain}/goals/{year}``
and ``GET /goals/ranking?year=&layout=``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Path, Query, Request

from chainatlas.api.auth import Forbidden, Principal
from chainatlas.api.deps import AuthDep, PrincipalDep, StoreDep
from chainatlas.api.roles import holders, reaches
from chainatlas.api.schemas import ChainPath, GoalsIn
from chainatlas.graph.workflows.goals import MEASURES, chain_goals, goal_ranking, set_goals
from chainatlas.graph.workflows.maps import resolve_chain

router = APIRouter(tags=["checklist"])
YearPath = Path(ge=2000, le=2100, description="年份")
#: the rank of a chain's 牵头部门 (who sets its 四张清单), as for the 十个一 it runs
OWNER_RANK = 1


def check_goal_owner(who: Principal, chain: str) -> None:
    """Refuse (403) anyone below the chain's 牵头部门 or outside the chain, naming who may."""
    if not reaches(who.role, who.scope, OWNER_RANK, chains=[chain]):
        raise Forbidden(
            f"产业链招商引资目标由{holders(OWNER_RANK, ('none', 'chain'))}设置；"
            f"当前令牌为{who.describe()}"
        )


@router.get("/chains/{chain}/goals/{year}")
def get_goals(chain: ChainPath, store: StoreDep, year: int = YearPath) -> dict[str, Any]:
    """A chain's 招商引资目标 for a year, with what its projects achieved."""
    return chain_goals(store, chain, year)


@router.put("/chains/{chain}/goals/{year}")
def put_goals(
    chain: ChainPath,
    body: GoalsIn,
    store: StoreDep,
    who: PrincipalDep,
    auth: AuthDep,
    request: Request,
    year: int = YearPath,
) -> dict[str, Any]:
    """Set or clear a chain's targets for a year (the chain's 牵头部门 or above)."""
    ch = resolve_chain(store, chain)
    check_goal_owner(who, ch.id)
    values = {m.key: getattr(body, m.key) for m in MEASURES if m.key in body.model_fields_set}
    before = chain_goals(store, ch.id, year)["items"]
    with auth.audited(who, request, ch.id, before, values) as entry:
        out = set_goals(store, ch.id, year, values, by=who.name, on=date.today())
        entry.after = out["items"]
    return out


@router.get("/goals/ranking")
def ranking(
    store: StoreDep,
    year: int = Query(..., ge=2000, le=2100),
    layout: str = Query("1366", description="布局：1366 或 eight-2.0"),
) -> list[dict[str, Any]]:
    """动态亮晒: a layout's chains ranked by the mean completion of their targets."""
    return goal_ranking(store, year, layout)
