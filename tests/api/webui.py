"""Logging in to the web UI the way a browser does: the login page's form (with its CSRF token
and its login cookie), posted from this site's origin; browsers logged in by role
(:class:`Browsers`, the ``ui`` fixture of ``tests/api/conftest.py``)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore

#: the origin of FastAPI's TestClient (http://testserver)
ORIGIN = "http://testserver"


def csrf_of(page: str) -> str:
    """The CSRF token in a page's form."""
    m = re.search(r'name="csrf" value="([0-9a-f]*)"', page)
    assert m is not None, "no CSRF token in the page"
    return m.group(1)


def login(c: TestClient, token: str, next: str = "/") -> httpx.Response:
    """Open the login page, then post its form with ``token``; the redirect answer."""
    form = c.get("/ui/login")
    return c.post(
        "/ui/login",
        data={"token": token, "next": next, "csrf": csrf_of(form.text)},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )


class Browsers:
    """One service over ``store``, and browsers logged in to it by role: each
    :meth:`as_` is a new TestClient with its own web session (the ``ui`` fixture)."""

    def __init__(self, store: EmbeddedStore, settings: Settings, auth: AuthStore) -> None:
        self.store, self.auth = store, auth
        self.app = create_app(settings, store, auth)
        self.clients: list[TestClient] = []

    def as_(self, role: str, scope: list[str] | None = None, name: str = "") -> TestClient:
        """A browser logged in with a new token of ``role`` over ``scope`` (named ``name``,
        else the role)."""
        c = TestClient(self.app)
        c.__enter__()
        self.clients.append(c)
        token = self.auth.create(role, scope or [], name or role)
        assert login(c, token).status_code == 303
        return c

    def close(self) -> None:
        for c in self.clients:
            c.__exit__(None, None, None)


def post_form(
    c: TestClient, path: str, page: str, files: Any = None, **data: str
) -> httpx.Response:
    """Post a form of ``page`` to ``path`` as a browser does: with the CSRF token ``page``
    carries, from this site's origin; the answer itself (redirects not followed)."""
    return c.post(
        path,
        data={"csrf": csrf_of(c.get(page).text), **data},
        files=files,
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
