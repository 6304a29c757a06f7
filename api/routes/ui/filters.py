"""Jinja filters of the web UI's templates that turn stored values into what an officer reads.

Times are stored in UTC (ISO 8601 with an offset: the auth store's tokens, sessions and audit
log), and the officers are in Huzhou: every time a page shows goes through :func:`local_time`,
which shows it in Beijing time in one format, 「2026-11-30 14:09」. Stored values never change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["BEIJING", "install", "local_time"]

#: the officers' time zone (China has one; no summer time)
BEIJING = ZoneInfo("Asia/Shanghai")


def local_time(value: Any, default: str = "") -> str:
    """A stored time (ISO text or a datetime; naive ones are UTC) as Beijing time
    ``YYYY-MM-DD HH:MM``; ``default`` for an empty value, the text itself when it is no time."""
    if value is None or value == "":
        return default
    if isinstance(value, datetime):
        at = value
    else:
        try:
            at = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def install(filters: dict[str, Any]) -> None:
    """Register the filters in a Jinja environment's ``filters``."""
    filters["local_time"] = local_time
