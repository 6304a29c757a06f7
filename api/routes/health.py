"""Liveness (``/health``, answered while the graph loads) and the audit log (``/audit``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from fastapi import APIRouter, Query

from chainatlas.api.auth import OFFICE_TZ, AuditFilter, require_role
from chainatlas.api.deps import AuthDep, PrincipalDep, StoreDep
from chainatlas.api.roles import CITY
from chainatlas.api.schemas import Health, IsoDate
from chainatlas.graph.errors import ValidationFailed

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(store: StoreDep) -> Health:
    """Liveness and the size of the graph (answered while the graph is still loading)."""
    c = store.quick_counts()
    return Health(status="ok", backend=store.backend, nodes=c.nodes, relationships=c.relationships)


audit_router = APIRouter(tags=["audit"])
#: the largest row number the log (SQLite, 64-bit integers) can hold: a larger ``before`` or
#: ``after`` is refused (422) rather than failing in the query
ROW_MAX = 2**63 - 1


def audit_filter(
    actor: str | None, target: str | None, since: date | None, until: date | None
) -> AuditFilter:
    """The rows a reader asked for: ``since``/``until`` are office days (Beijing time), both
    included; the log stores UTC."""
    if since and until and until < since:
        raise ValidationFailed(f"截止日期 {until} 早于起始日期 {since}")

    def start(day: date) -> str:
        return datetime.combine(day, time(), OFFICE_TZ).astimezone(UTC).isoformat()

    return AuditFilter(
        actor=(actor or "").strip() or None,
        target=(target or "").strip() or None,
        since=start(since) if since else None,
        until=start(until + timedelta(days=1)) if until else None,
    )


@audit_router.get("/audit")
def audit_log(
    who: PrincipalDep,
    auth: AuthDep,
    limit: int = Query(100, ge=1, le=1000),
    status: Literal["pending", "done", "failed"] | None = Query(None),
    skip: int = Query(0, ge=0, le=1_000_000),
    before: int | None = Query(
        None, ge=1, le=ROW_MAX, description="只列序号小于此数的行（向更早翻页）"
    ),
    after: int | None = Query(
        None, ge=0, le=ROW_MAX, description="只列序号大于此数的行（向较新翻页）"
    ),
    actor: str | None = Query(None, max_length=200, description="操作者：令牌名称或令牌编号"),
    target: str | None = Query(None, max_length=600, description="对象：记录或令牌的编号"),
    since: IsoDate | None = Query(None, description="起始日期（北京时间，含当天）"),
    until: IsoDate | None = Query(None, description="截止日期（北京时间，含当天）"),
) -> dict[str, object]:
    """The audit log of writes, newest first (who — the token's name and id —, when, what,
    before/after, and ``status``: ``pending`` — recorded before the graph write and not
    completed, e.g. the service was killed in between; ``done`` — written; ``failed`` —
    refused or failed, with ``error``). ``count`` is how many rows the filters keep; page
    with ``skip``, or with ``before`` set to the last row's ``id`` (the next older page, as
    fast as the first). City office only."""
    require_role(who, CITY, "查看审计日志")
    where = audit_filter(actor, target, since, until)
    rows = auth.audit_log(limit, status, skip=skip, before=before, after=after, where=where)
    return {"data": rows, "count": auth.audit_count(status, where)}
