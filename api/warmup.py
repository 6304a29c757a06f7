"""The ranking index, warmed in the background so that no page waits half a minute for it.

A cold index (no cache file, or a write that changed what it is built from: firms, segments,
their links …) takes 20–40 s to build on the ckg data (:mod:`chainatlas.matching.index_cache`).
A served app (``chainatlas serve``, setting ``warm_index``) therefore builds it in a thread of
its own: once the store is open, and again whenever the store's revision moves — a committed
write of this process or of another one, seen by a cheap look at the revision every
:data:`POLL` seconds (a write that touched none of the index's inputs only re-keys the cached
file, about a second). The pages that need the index ask :meth:`IndexWarmer.pending` first and,
while it is not ready, answer at once with a notice that reloads itself
(:mod:`chainatlas.api.routes.ui.index_notice`); the API and the CLI still wait for the index,
as their callers expect an answer.

One build at a time per process: the warm-up builds through :func:`~chainatlas.api.deps.index_for`,
under the same lock as the requests, so a request that asks meanwhile waits for that build
instead of starting another. A failed build is logged and tried again only when a page asks
(not at every look), never taking the service down. The thread is a daemon and is only told to
stop at shutdown: a build cannot be cut short, and shutdown does not wait for it. Apps made
without ``warm_index`` (the tests' apps) start no thread and build in the request, as before.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from chainatlas.api.deps import index_for, index_ready
from chainatlas.graph.store.contract import GraphStore, read_scope

__all__ = ["PATIENCE", "POLL", "IndexWarmer"]

log = logging.getLogger("chainatlas.api.warmup")

#: seconds between two looks at the store's revision
POLL = 5.0
#: seconds a page waits for a build about to finish before it answers with the notice (a
#: write that touched none of the index's inputs is ready within about a second)
PATIENCE = 2.0


class IndexWarmer:
    """Builds the index of ``state`` (an app's state: ``store``, ``settings``) in a thread."""

    def __init__(self, state: Any) -> None:
        self._state = state
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._thread: threading.Thread | None = None
        self._failed: tuple[str, tuple[str, ...]] | None = None
        #: monotonic time the running build started, None when none runs
        self.since: float | None = None
        #: called in the warm-up thread as a build starts (tests hold the build there)
        self.on_build: Callable[[], None] | None = None
        self.patience = PATIENCE

    # ---- the thread ---------------------------------------------------------------------
    def start(self) -> None:
        """Start the thread (once: an app started again keeps the one it has)."""
        self._stop.clear()
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(
            target=self._run, name="chainatlas-index-warmup", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end; a build under way finishes on its own (daemon thread)."""
        self._stop.set()
        self._wake.set()

    def kick(self) -> None:
        """Look at the revision now (and try again a build that failed for it)."""
        self._failed = None
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # a kick during the build is a look right after it
            try:
                self._warm_once()
            except Exception:  # the store closed under it, a broken graph: log and go on
                if not self._stop.is_set():
                    log.warning("招商排序索引后台计算失败", exc_info=True)
            self._wake.wait(POLL)

    def _store(self) -> GraphStore:
        store: GraphStore = self._state.store
        return store

    def _warm_once(self) -> None:
        store, home = self._store(), self._state.settings.home_area
        with read_scope():  # one state of the graph for the look and the build
            key = (store.revision(), home)
            if key == self._failed or index_ready(self._state, store, home):
                return
            if not store.count_nodes("Firm"):  # nothing to rank: the pages need no index
                return
            self.since = time.monotonic()
            try:
                if self.on_build is not None:
                    self.on_build()
                index_for(self._state, store, home)
            except Exception:
                self._failed = key
                raise
            finally:
                self.since = None
                with self._done:
                    self._done.notify_all()

    # ---- what the pages ask ------------------------------------------------------------
    def pending(self, store: GraphStore, home: tuple[str, ...]) -> bool:
        """Whether a page must show the notice: the graph has firms and the index of its
        current revision is not ready (after waiting :attr:`patience` seconds for it). The
        warm-up is told to look now."""
        if index_ready(self._state, store, home) or not store.count_nodes("Firm"):
            return False
        self.kick()
        with self._done:
            self._done.wait_for(lambda: index_ready(self._state, store, home), self.patience)
        return not index_ready(self._state, store, home)

    def status(self, store: GraphStore, home: tuple[str, ...]) -> dict[str, Any]:
        """What the notice page polls: ``ready``, ``building``, ``seconds`` (since the build
        started) and ``failed`` (the last build for this revision failed)."""
        since = self.since
        ready = index_ready(self._state, store, home) or not store.count_nodes("Firm")
        return {
            "ready": ready,
            "building": since is not None,
            "seconds": None if since is None else int(time.monotonic() - since),
            "failed": not ready and self._failed == (store.revision(), home),
        }
