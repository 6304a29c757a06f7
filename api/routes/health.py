"""Liveness (``/health``, answered while the graph loads) and the audit log (``/audit``)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from chainatlas.api.auth import require_role
from chainatlas.api.deps import AuthDep, PrincipalDep, StoreDep
from chainatlas.api.roles import CITY
from chainatlas.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(store: StoreDep) -> Health:
    """Liveness and the size of the graph (answered while the graph is still loading)."""
    c = store.quick_counts()
    return Health(status="ok", backend=store.backend, nodes=c.nodes, relationships=c.relationships)


audit_router = APIRouter(tags=["audit"])


@audit_router.get("/audit")
def audit_log(
    who: PrincipalDep,
    auth: AuthDep,
    limit: int = Query(100, ge=1, le=1000),
    status: Literal["pending", "done", "failed"] | None = Query(None),
) -> dict[str, object]:
    """The audit log of writes, newest first (who, when, what, before/after, and ``status``:
    ``pending`` — recorded before the graph write and not completed, e.g. the service was
    killed in between; ``done`` — written; ``failed`` — refused or failed, with ``error``).
    City office only."""
    require_role(who, CITY, "查看审计日志")
    rows = auth.audit_log(limit, status)
    return {"data": rows, "count": len(rows)}
