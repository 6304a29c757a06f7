"""Logging in to the web UI the way a browser does: the login page's form (with its CSRF token
and its login cookie), posted from this site's origin."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

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
