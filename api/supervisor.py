"""五未督办 kept up to date by the service itself, under the system's name, never by a reader.

The 督办 items of the stalled projects (:mod:`chainatlas.graph.workflows.supervision`) are the
office's daily worklist in 问题闭环. They used to be raised by whoever first opened the monthly
report — a read that wrote, audited under a visitor's name. Now nothing that reads writes them:

- a served app (``chainatlas serve``, every worker process) runs a :class:`Supervisor` thread
  that brings them up to date at start-up and again whenever the store's revision moves (a
  committed write of this process or another one: a project's stage, a date, an import …) or
  the day changes, looking every :data:`POLL` seconds;
- ``chainatlas ledger sync`` does the same once, for those who run the commands from cron
  without the service.

Both go through :func:`sync_as_system`: it writes only when something changed, one process at
a time (an advisory lock in the data directory; under it the state is read again, so the
second of two workers finds nothing left to do), and audits the write as
「系统（五未督办）」. The problem pages and the monthly report read what is stored. A failed
pass is logged and tried again after :data:`RETRY` seconds; it never takes the service down.
Apps made without ``supervise`` (the tests' apps) start no thread; a test calls
:meth:`Supervisor.tick` to run one pass where it wants it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from chainatlas.api.auth import AuthStore, Principal
from chainatlas.api.roles import CITY
from chainatlas.graph.filelock import exclusive
from chainatlas.graph.rules import Grace
from chainatlas.graph.store.contract import GraphStore, read_scope
from chainatlas.graph.workflows.supervision import SYSTEM, SyncResult, sync_supervision

__all__ = ["POLL", "RETRY", "SYSTEM_PRINCIPAL", "Origin", "Supervisor", "sync_as_system"]

log = logging.getLogger("chainatlas.api.supervisor")

#: seconds between two looks at the store's revision and the day
POLL = 5.0
#: seconds before a failed pass is tried again
RETRY = 60.0
#: who the audit log names for the items' changes (the 市链长办's duty, done by the system)
SYSTEM_PRINCIPAL = Principal(SYSTEM, CITY, (), "system")
#: the lock file, in the data directory, that lets one process write the items at a time
LOCK = ".supervision.lock"


@dataclass(frozen=True)
class _Url:
    path: str


@dataclass(frozen=True)
class Origin:
    """What the audit row records as the request: ``后台 五未督办同步`` for the service's
    thread, ``CLI chainatlas ledger sync`` for the command."""

    url: _Url
    method: str

    @classmethod
    def of(cls, method: str, path: str) -> Origin:
        return cls(_Url(path), method)


SERVICE = Origin.of("后台", "五未督办同步")


@contextlib.contextmanager
def _one_at_a_time(home: Path) -> Iterator[None]:
    """An advisory lock on ``<home>/.supervision.lock`` across processes; none where it cannot
    be made (a read-only data directory): the items' ids make a second write the same write."""
    with exclusive(home / LOCK, "五未督办同步锁"):
        yield


def sync_as_system(
    store: GraphStore, grace: Grace, auth: AuthStore, home: Path, origin: Origin = SERVICE
) -> SyncResult:
    """Bring the 五未 督办 items up to today, audited ahead as 「系统（五未督办）」 when
    something changes; nothing is written (no audit row, no new revision) when nothing does."""
    with read_scope():
        if not sync_supervision(store, grace, dry_run=True).changed:
            return SyncResult()
    with _one_at_a_time(home), read_scope():  # another process may have done it meanwhile
        if not sync_supervision(store, grace, dry_run=True).changed:
            return SyncResult()
        intended = {"as_of": date.today().isoformat()}
        with auth.audited(SYSTEM_PRINCIPAL, origin, "五未督办", None, intended) as entry:
            result = sync_supervision(store, grace)
            entry.after = result.__dict__
    return result


class Supervisor:
    """Runs :func:`sync_as_system` for an app's state (``store``, ``settings``, ``auth``) in a
    thread: at start-up, then when the revision or the day has moved."""

    def __init__(self, state: Any) -> None:
        self._state = state
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._done: tuple[str, str] | None = None  # (revision, day) last brought up to date
        self._retry_at = 0.0

    def start(self) -> None:
        """Start the thread (once: an app started again keeps the one it has)."""
        self._stop.clear()
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(
            target=self._run, name="chainatlas-supervision", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end; a pass under way finishes on its own (daemon thread)."""
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if time.monotonic() >= self._retry_at:
                try:
                    self.tick()
                except Exception:  # the store closed under it, busy, a broken graph: go on
                    if not self._stop.is_set():
                        log.warning("五未督办后台同步失败，稍后重试", exc_info=True)
                    self._retry_at = time.monotonic() + RETRY
            self._stop.wait(POLL)

    def tick(self) -> SyncResult:
        """One pass, now: nothing when neither the revision nor the day has moved since the
        last one."""
        store: GraphStore = self._state.store
        with read_scope():
            key = (store.revision(), date.today().isoformat())
        if key == self._done:
            return SyncResult()
        settings = self._state.settings
        result = sync_as_system(store, settings.grace(), self._state.auth, settings.home)
        self._done = key  # a write of ours moves the revision: the next pass finds it done
        return result
