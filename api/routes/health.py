from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(store: StoreDep) -> Health:
    """Liveness and the size of the graph."""
    c = store.counts()
    return Health(status="ok", backend=store.backend, nodes=c.nodes, relationships=c.relationships)
