"""Dependencies shared by the routes: the store and the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from chainatlas.api.auth import AuthStore, Principal
from chainatlas.graph.settings import Settings
from chainatlas.graph.store import GraphStore

__all__ = [
    "AuthDep",
    "PrincipalDep",
    "SettingsDep",
    "StoreDep",
    "get_principal",
    "get_settings",
    "get_store",
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
