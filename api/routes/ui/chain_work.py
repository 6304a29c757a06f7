"""A chain's work in the browser: its 十个一 with set/clear forms for the bodies that own each
slot, its 四张清单 for a month with the 招商引资目标 form for its 牵头部门 or above, and its gaps
report (补链 / 强链 / 延链, priorities and reasons, with the API's Excel).

The forms call the API's own route functions (``put_slot``, ``delete_slot``, ``put_goals``):
the owner check (403 naming who may), the validation (422) and the write-ahead audit are the
API's. A form is shown only to a viewer the API would let through.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from chainatlas.api.auth import Principal
from chainatlas.api.deps import get_auth, get_settings, get_store
from chainatlas.api.routes.ui.core import (
    SameOrigin,
    User,
    allowed,
    named_fields,
    page,
    read_form,
    status_of,
)
from chainatlas.graph.errors import ChainAtlasError, ValidationFailed
from chainatlas.graph.model import LABEL_ZH, STAGE_ZH
from chainatlas.graph.rules import VERDICT_ZH
from chainatlas.graph.workflows.checklist import SLOTS, checklist, find_slot, registered
from chainatlas.graph.workflows.maps import fishbone, resolve_chain

router = APIRouter(include_in_schema=False)
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
DONE = {
    "set": "十个一已登记。",
    "clear": "十个一已清除。",
    "goals": "招商引资目标已保存。",
}


def chain_work(request: Request, who: Principal, chain: str, month: str | None) -> dict[str, Any]:
    """What the chain page shows beside its fishbone: 十个一 with the forms its viewer may
    use, the 四张清单 of ``month`` (default: this month) and the year's targets."""
    from chainatlas.api.routes.checklist import check_slot_owner
    from chainatlas.api.routes.goals import check_goal_owner
    from chainatlas.graph.workflows.goals import MEASURES
    from chainatlas.graph.workflows.progress import four_lists

    store = get_store(request)
    cid = resolve_chain(store, chain).id
    month = month or date.today().strftime("%Y-%m")
    items = checklist(store, cid)
    slots = [
        {
            "slot": s,
            "item": it,
            "may": allowed(check_slot_owner, who, s, cid),
            "asks": f"{LABEL_ZH[s.label]}名称或编号" if s.kind == "link" else s.needs,
            "registered": registered(store, cid, s),
        }
        for s, it in zip(SLOTS, items, strict=True)
    ]
    lists = four_lists(store, cid, month, get_settings(request).grace())
    return {
        "slots": slots,
        "lists": lists,
        "month": month,
        "may_goals": allowed(check_goal_owner, who, cid),
        "measures": MEASURES,
        "done": DONE.get(str(request.query_params.get("ok", ""))),
    }


def render_chain(
    request: Request,
    who: Principal,
    chain: str,
    month: str | None,
    *,
    status: int = 200,
    error: str | None = None,
) -> Response:
    """The chain page: fishbone and segments, then its 十个一, 四张清单 and targets
    (:mod:`chain_work`); with ``error`` after a refused form (nothing written)."""
    store = get_store(request)
    s = get_settings(request)
    fb = fishbone(store, chain, thresholds=s.thresholds(), home_area=s.home_area)
    return page(
        request,
        who,
        "chain.html",
        status=status,
        title=fb.chain.name,
        nav="chains",
        fb=fb,
        summary=fb.summary(),
        segments=fb.all_segments(),
        stage=STAGE_ZH,
        verdict=VERDICT_ZH,
        error=error,
        **chain_work(request, who, fb.chain.id, month),
    )


async def _post(request: Request, who: Principal, chain: str, what: str, act: Any) -> Response:
    """Run ``act(form)`` (an API route function); back to the chain page with a note, or the
    chain page again with the error and its status (nothing written)."""
    form = {k: str(v) for k, v in (await read_form(request)).items()}
    try:
        act(form)
    except (ChainAtlasError, ValidationError) as exc:
        status, title, message = status_of(exc)
        return render_chain(request, who, chain, None, status=status, error=f"{title}：{message}")
    cid = resolve_chain(get_store(request), chain).id
    return RedirectResponse(f"/ui/chain/{quote(cid)}?ok={what}#checklist", status_code=303)


@router.post("/ui/chain/{chain}/checklist/{slot}", dependencies=[SameOrigin])
async def set_slot_form(request: Request, who: User, chain: str, slot: str) -> Response:
    from chainatlas.api.routes.checklist import SlotValue, put_slot

    def act(f: dict[str, str]) -> None:
        try:
            body = SlotValue.model_validate({"value": f.get("value", "")})
        except ValidationError as exc:  # named by the item (review R, C7)
            raise named_fields({"value": f"「{find_slot(slot).item}」"}, exc) from None
        put_slot(chain, body, get_store(request), who, get_auth(request), request, slot=slot)

    return await _post(request, who, chain, "set", act)


@router.post("/ui/chain/{chain}/checklist/{slot}/clear", dependencies=[SameOrigin])
async def clear_slot_form(request: Request, who: User, chain: str, slot: str) -> Response:
    from chainatlas.api.routes.checklist import delete_slot

    def act(f: dict[str, str]) -> None:
        value = f.get("value", "").strip() or None
        delete_slot(chain, get_store(request), who, get_auth(request), request, slot, value)

    return await _post(request, who, chain, "clear", act)


@router.post("/ui/chain/{chain}/goals/{year}", dependencies=[SameOrigin])
async def goals_form(request: Request, who: User, chain: str, year: int) -> Response:
    """Set the year's targets; a measure left empty is cleared."""
    from chainatlas.api.routes.goals import put_goals
    from chainatlas.api.schemas import GoalsIn
    from chainatlas.graph.workflows.goals import MEASURES

    def act(f: dict[str, str]) -> None:
        values = {m.key: _number(f.get(m.key, ""), m.name) for m in MEASURES}
        body = GoalsIn.model_validate(values)
        put_goals(chain, body, get_store(request), who, get_auth(request), request, year)

    return await _post(request, who, chain, "goals", act)


def _number(text: str, what: str) -> float | None:
    """A form's number (the API's body is strict JSON: a number, not a text); empty is None."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationFailed(f"{what}应为数字：{text!r}") from None


@router.get("/ui/chain/{chain}/gaps", response_class=HTMLResponse)
def gaps_page(request: Request, who: User, chain: str) -> Response:
    """补链 / 强链 / 延链 of a chain, by priority, with the reasons (as ``GET /gaps/{chain}``)."""
    from chainatlas.matching.gaps import gaps

    store = get_store(request)
    s = get_settings(request)
    g = gaps(store, chain, thresholds=s.thresholds(), home_area=s.home_area)
    order = {"补链": 0, "强链": 1, "优势": 2}
    rows = sorted(g.segments, key=lambda x: (order.get(x.kind, 3), -x.priority))
    return page(
        request,
        who,
        "gaps.html",
        title=f"缺链分析 · {g.name}",
        nav="chains",
        g=g,
        rows=[dataclasses.asdict(x) for x in rows],
        extensions=[dataclasses.asdict(x) for x in g.extensions],
        counts={k: sum(1 for x in g.segments if x.kind == k) for k in order},
        stage=STAGE_ZH,
    )
