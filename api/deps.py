"""Dependencies shared by the routes: the store, the settings, the caller and the ranking
index of the target lists."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from chainatlas.api.auth import AuthStore, Principal
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.contract import GraphStore

if TYPE_CHECKING:  # scikit-learn and scipy load when the first target list is asked for
    from chainatlas.matching.targets import TargetIndex

__all__ = [
    "AuthDep",
    "PrincipalDep",
    "SettingsDep",
    "StoreDep",
    "TargetIndexDep",
    "TargetIndexOrNoneDep",
    "get_principal",
    "get_settings",
    "get_store",
    "get_target_index",
    "index_for",
    "index_ready",
    "target_index",
]


def get_store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[GraphStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_auth(request: Request) -> AuthStore:
    auth: AuthStore = request.app.state.auth
    return auth


#: the web UI's session cookie: a session id (see ``AuthStore.open_session``), not the token
COOKIE = "chainatlas_session"


def get_principal(request: Request) -> Principal:
    """The caller, from ``Authorization: Bearer <token>`` — or, for reads (GET) only, from the
    web UI's session cookie (SameSite=Strict), so that a page's download links work; 401
    without a valid token or session."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    auth = get_auth(request)
    if token is None and request.method == "GET" and request.cookies.get(COOKIE):
        return auth.session(request.cookies.get(COOKIE))
    return auth.principal(token)


AuthDep = Annotated[AuthStore, Depends(get_auth)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]


#: one index build at a time in the process (a request's or the warm-up's, see ``warmup``)
_index_lock = threading.Lock()


def index_for(state: Any, store: GraphStore, home: tuple[str, ...]) -> TargetIndex:
    """The ranking index of the graph as it is now, kept in the app's ``state`` while the
    store's revision is the same, else loaded from the data directory's cache or built and
    stored there (:func:`chainatlas.matching.index_cache.cached_index`); one build at a time,
    so a request that asks while the warm-up builds waits for that build."""
    from chainatlas.matching.index_cache import cached_index

    key = (store.revision(), home)
    with _index_lock:
        cached = getattr(state, "target_index", None)
        if cached is None or cached[0] != key:
            settings: Settings = state.settings
            revision, index = cached_index(store, home=settings.home, home_area=home)
            cached = ((revision, home), index)
            state.target_index = cached
        return cached[1]  # type: ignore[no-any-return]


def index_ready(state: Any, store: GraphStore, home: tuple[str, ...]) -> bool:
    """Whether the app holds the index of the graph as it is now (never waits)."""
    cached = getattr(state, "target_index", None)
    return cached is not None and cached[0] == (store.revision(), home)


def target_index(request: Request, store: GraphStore, home: tuple[str, ...]) -> TargetIndex:
    """:func:`index_for` of the request's app."""
    return index_for(request.app.state, store, home)


def get_target_index(request: Request, store: StoreDep, settings: SettingsDep) -> TargetIndex:
    """The ranking index of the target lists over the settings' home area (cached)."""
    return target_index(request, store, settings.home_area)


def get_target_index_or_none(
    request: Request, store: StoreDep, settings: SettingsDep
) -> TargetIndex | None:
    """The ranking index, or ``None`` when the graph has no firm to rank (views then show no
    targets instead of building an empty index)."""
    return get_target_index(request, store, settings) if store.count_nodes("Firm") else None


TargetIndexDep = Annotated["TargetIndex", Depends(get_target_index)]
TargetIndexOrNoneDep = Annotated["TargetIndex | None", Depends(get_target_index_or_none)]
