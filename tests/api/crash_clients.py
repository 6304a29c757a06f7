"""Clients writing through the API while the service is killed: the loop the crash tests of
the running service share (``test_crash_service.py``: no acknowledged write lost;
``test_crash_audit.py``: no change without its audit row)."""

from __future__ import annotations

import threading
import time

import httpx

from chainatlas.api.testing import LiveService

SEGMENT = "seg:动力电池"
REGION = "吴兴区"


def _writer(
    svc: LiveService,
    ids: str,
    names: str,
    acked: list[str],
    errors: list[str],
    stop: threading.Event,
) -> None:
    with svc.client(timeout=10) as c:
        k = 0
        while not stop.is_set():
            firm = f"{ids}-{k}"
            body = {"name": f"{names}-{k}", "region": REGION, "segments": [SEGMENT]}
            try:
                r = c.put(f"/api/v1/firms/{firm}", json=body)
            except httpx.HTTPError:
                return  # the service is gone
            if r.status_code != 200:
                errors.append(f"{r.status_code} {r.text}")
                return
            acked.append(firm)
            k += 1


def write_until_killed(
    svc: LiveService, *, ids: str, names: str, after: float, clients: int = 2
) -> list[str]:
    """Start ``svc``; ``clients`` clients write firms (client ``w``'s ``k``-th: id
    ``{ids}-{w}-{k}``, name ``{names}-{w}-{k}``, in :data:`SEGMENT` and :data:`REGION`) until
    the service is SIGKILLed ``after`` seconds later. The firms the API acknowledged (HTTP
    200); any other answer fails the test."""
    svc.start()
    acked: list[str] = []
    errors: list[str] = []
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=_writer, args=(svc, f"{ids}-{w}", f"{names}-{w}", acked, errors, stop)
        )
        for w in range(clients)
    ]
    for t in threads:
        t.start()
    time.sleep(after)
    svc.kill()
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors
    return acked
