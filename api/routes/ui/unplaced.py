"""补填所在区域: projects, demands and supplies whose region is not a district, county or
functional zone (kept before the districts-only rule; :mod:`~chainatlas.graph.workflows.unplaced`),
listed for those who may write them, each with a district select.

A choice is saved through the records API's own route function (``PUT /records/{kind}/{id}``
with ``region`` alone: same scope checks, same audit, the other properties kept). The 驾驶舱 and
重点项目库 show a notice while such records remain (:func:`fixable`).

The same page lists the projects whose stored dates break the ledger's rules (kept before the
rules: a 签约日期 in the future, 开工 before 签约 …; :func:`fixable_dates`), each with a link to its
edit form, and the 驾驶舱 shows a notice while there are any."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from chainatlas.api.auth import Principal, check_scope
from chainatlas.api.deps import get_auth, get_store
from chainatlas.api.routes.records import put_demand, put_project, put_supply
from chainatlas.api.routes.ui.core import SameOrigin, User, allowed, page, read_form, status_of
from chainatlas.api.schemas import DemandIn, ProjectIn, SupplyIn
from chainatlas.graph.errors import ChainAtlasError, ValidationFailed
from chainatlas.graph.workflows.unplaced import (
    DateProblem,
    Unplaced,
    date_problems,
    districts,
    record_title,
    unplaced_records,
)

__all__ = ["fixable", "fixable_dates", "router"]

router = APIRouter(include_in_schema=False)
#: the records API's path word, body and route function of each label
KIND = {"Project": "projects", "Demand": "demands", "Supply": "supplies"}
LABEL = {v: k for k, v in KIND.items()}
BODY = {"Project": ProjectIn, "Demand": DemandIn, "Supply": SupplyIn}
PUT = {"Project": put_project, "Demand": put_demand, "Supply": put_supply}


def fixable(request: Request, who: Principal, label: str | None = None) -> list[Unplaced]:
    """The unplaced records (of ``label``) that ``who`` may write: all of them for the city
    office, those of its chains for a chain department, none for a district team (no record
    outside the districts is in its scope) or a leader."""
    store = get_store(request)
    return [
        u
        for u in unplaced_records(store)
        if (label is None or u.label == label) and allowed(check_scope, store, who, node=u.id)
    ]


def fixable_dates(request: Request, who: Principal) -> list[DateProblem]:
    """The projects whose stored dates break the ledger's rules that ``who`` may write."""
    store = get_store(request)
    return [d for d in date_problems(store) if allowed(check_scope, store, who, node=d.id)]


def _page(request: Request, who: Principal, **extra: Any) -> Response:
    rows = fixable(request, who)
    return page(
        request,
        who,
        "unplaced.html",
        title="补填所在区域",
        rows=rows,
        bad_dates=fixable_dates(request, who),
        kinds=KIND,
        districts=districts(get_store(request)),
        **extra,
    )


@router.get("/ui/unplaced", response_class=HTMLResponse)
def unplaced_page(request: Request, who: User) -> Response:
    """The records to place, with a district select each."""
    saved = get_store(request).get_node(request.query_params.get("saved") or "")
    done = f"已保存「{record_title(saved)}」的所在区域。" if saved else None
    return _page(request, who, done=done)


@router.post("/ui/unplaced/{kind}/{record_id}", dependencies=[SameOrigin])
async def post_unplaced(
    request: Request,
    who: User,
    kind: Literal["projects", "demands", "supplies"],
    record_id: str,
) -> Response:
    """Save the district chosen for one record (nothing else of it changes)."""
    label = LABEL[kind]
    store = get_store(request)
    record = store.require_node(record_id, label)
    form = await read_form(request)
    region = str(form.get("region", "")).strip()
    try:
        if not region:
            raise ValidationFailed("请选择所在区域（区县或功能区）", [("region", "未选择")])
        body = BODY[label].model_validate({"region": region})
        PUT[label](record_id, body, store, who, get_auth(request), request)
    except (ChainAtlasError, ValidationError) as exc:
        status, title, message = status_of(exc)
        error = f"{title}（{record_title(record)}）：{message}"
        return _page(request, who, error=error, failed=record_id, status=status)
    return RedirectResponse(f"/ui/unplaced?saved={quote(record_id)}", status_code=303)
