"""A logged-in browser tab on the service (Debian's chromium via Playwright) that records
console errors and requests leaving 127.0.0.1, and where screenshots go: the browser tests of
the web UI share them (the ``browser`` and ``service`` fixtures are in ``conftest.py``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


class Tab:
    """A logged-in browser tab that records console errors and requests leaving the service."""

    def __init__(self, browser: Any, base: str, token: str, width: int, height: int = 900) -> None:
        self.ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        self.page = self.ctx.new_page()
        self.base, self.errors, self.outside = base, [], []  # type: ignore[var-annotated]
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.route("**/*", self._route)
        self.page.goto(base + "/ui/login")
        self.page.fill("#token", token)
        self.page.click("#login")
        self.page.wait_for_url(base + "/")

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path)
        self.page.locator("body[data-ready='1']").wait_for(timeout=30_000)
        return self.page

    def close(self) -> None:
        self.ctx.close()

    def done(self) -> None:
        """The end of a test: no console error (of any frame) and no request off the service,
        then the tab closes (also when that fails)."""
        try:
            assert self.errors == [] and self.outside == [], (self.errors, self.outside)
        finally:
            self.close()


def shots(tmp_path: Path) -> Path:
    """The screenshots' folder: ``$CHAINATLAS_SCREENSHOTS`` when set, else ``tmp_path``."""
    out = Path(os.environ.get("CHAINATLAS_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def files_only(page: Any) -> list[str]:
    """Let ``page`` load ``file:`` URLs only (a view opened from disk must work offline); the
    list fills with every other URL it asked for, each refused."""
    outside: list[str] = []

    def block(route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", block)
    return outside
