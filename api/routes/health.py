from __future__ import annotations

from fastapi import APIRouter, Query

from chainatlas.api.auth import Forbidden
from chainatlas.api.deps import AuthDep, PrincipalDep, StoreDep
from chainatlas.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(store: StoreDep) -> Health:
    """Liveness and the size of the graph."""
    c = store.counts()
    return Health(status="ok", backend=store.backend, nodes=c.nodes, relationships=c.relationships)


audit_router = APIRouter(tags=["audit"])


@audit_router.get("/audit")
def audit_log(
    who: PrincipalDep, auth: AuthDep, limit: int = Query(100, ge=1, le=1000)
) -> dict[str, object]:
    """The audit log of writes (who, when, what, before/after); city office only."""
    if who.role != "city":
        raise Forbidden("只有链长办可以查看审计日志")
    rows = auth.audit_log(limit)
    return {"data": rows, "count": len(rows)}
