"""Open the store the settings ask for; optional backends import lazily."""

from __future__ import annotations

from chainatlas.graph.errors import BackendUnavailable
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.contract import GraphStore

__all__ = ["open_store"]


def open_store(settings: Settings | None = None) -> GraphStore:
    """The configured backend's store (``memory`` by default).

    Raises
    ------
    BackendUnavailable
        When the backend's extra is not installed or its server cannot be reached.
    """
    settings = settings or Settings()
    if settings.backend == "memory":
        from chainatlas.graph.store.embedded import EmbeddedStore

        return EmbeddedStore(settings.store_path, write_wait=settings.write_wait)
    if not settings.neo4j_uri:
        raise BackendUnavailable("使用 Neo4j 后端需设置 NEO4J_URI（例如 bolt://127.0.0.1:7687）")
    try:
        from chainatlas.graph.store.neo4jstore import Neo4jStore
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise BackendUnavailable(
            "Neo4j 后端需要安装可选依赖: pip install 'chainatlas[neo4j]'"
        ) from exc
    return Neo4jStore(
        settings.neo4j_uri,
        (settings.neo4j_user, settings.neo4j_password),
        database=settings.neo4j_database,
        batch_size=settings.neo4j_batch_size,
    )
