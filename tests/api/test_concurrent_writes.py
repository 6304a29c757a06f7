"""Writes that read before they write, sent at the same moment (review S, A2): every write
answered 2xx is in the store, and a transition is checked against the state it changes.

The requests go over real HTTP to a real uvicorn (``served``) from threads that start together
(a barrier); the last test sends them through two service processes over one data directory
(``LiveService``), as ``serve --workers N`` does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.api.testing import LiveService, cli
from chainatlas.graph.model import Node
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.dockings import NEXT, Proposal, save_dockings
from tests.api.conftest import bearers
from tests.conftest import served

PEOPLE = {
    "市链长办": ("city", []),
    "招商团队·长兴": ("district", ["长兴县"]),
    "牵头部门·生物医药": ("chain", ["1366:bio"]),
}
#: the stage 招商引资 moves to, needing no date
FIRST, SECOND = "招商引资", "研判会商"


class Api:
    """The served app: ``post``/``put``/``get`` as a person, each on a connection of its own."""

    def __init__(self, base: str, heads: dict[str, dict[str, str]], store: EmbeddedStore):
        self.base, self.heads, self.store = base, heads, store

    def call(self, method: str, path: str, who: str = "市链长办", **kw: Any) -> httpx.Response:
        with httpx.Client(base_url=self.base, headers=self.heads[who], timeout=60) as c:
            return c.request(method, "/api/v1" + path, **kw)


@pytest.fixture
def api(seeded: EmbeddedStore, settings: Settings, tmp_path: Path) -> Iterator[Api]:
    auth = AuthStore(tmp_path / "auth.db")
    heads = bearers(auth, PEOPLE)
    with served(create_app(settings, seeded, auth)) as port:
        yield Api(f"http://127.0.0.1:{port}", heads, seeded)
    auth.close()


def at_once(n: int, task: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """``task(i)`` for i < n on n threads released together."""
    start = threading.Barrier(n)

    def run(i: int) -> httpx.Response:
        start.wait(timeout=60)
        return task(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def a_project(store: EmbeddedStore, region: str | None = None, n: int = 0) -> str:
    """The ``n``-th sample project (of ``region``) at 招商引资: moving it to 研判会商 needs no
    date."""
    found = [
        p.id
        for p in store.find_nodes("Project", {"stage": FIRST})
        if region is None or p.props.get("region") == region
    ]
    return found[n]


def notes(api: Api, project: str) -> list[str]:
    r = api.call("GET", f"/projects/{project}/follow-ups")
    assert r.status_code == 200
    return [str(f["note"]) for f in r.json()]


def test_sixteen_follow_ups_at_once_are_sixteen_stored(api: Api) -> None:
    project = a_project(api.store, "长兴县")
    before = notes(api, project)
    people = ["市链长办", "招商团队·长兴"]
    rs = at_once(
        16,
        lambda i: api.call(
            "POST", f"/projects/{project}/follow-ups", people[i % 2], json={"note": f"并发跟进{i}"}
        ),
    )
    assert [r.status_code for r in rs] == [201] * 16, [r.text for r in rs]
    assert len({r.json()["id"] for r in rs}) == 16
    after = notes(api, project)
    assert after[: len(before)] == before
    assert sorted(after[len(before) :]) == sorted(f"并发跟进{i}" for i in range(16))


def test_a_stage_move_among_follow_ups_keeps_its_record(api: Api) -> None:
    project = a_project(api.store, n=0)
    before = notes(api, project)

    def go(i: int) -> httpx.Response:
        if i == 3:
            return api.call("POST", f"/projects/{project}/stage", json={"to": SECOND})
        return api.call("POST", f"/projects/{project}/follow-ups", json={"note": f"跟进{i}"})

    rs = at_once(8, go)
    assert [r.status_code for r in rs] == [201, 201, 201, 200, 201, 201, 201, 201]
    after = notes(api, project)
    assert len(after) == len(before) + 8
    assert f"阶段 {FIRST} → {SECOND}" in after
    assert {f"跟进{i}" for i in range(8) if i != 3} <= set(after)
    dossier = api.call("GET", f"/projects/{project}/dossier").json()
    assert dossier["project"]["stage"] == SECOND


def test_parallel_stage_moves_one_succeeds(api: Api) -> None:
    """Six moves to the same next stage: one is made (with one record), five are refused."""
    project = a_project(api.store, n=1)
    before = notes(api, project)
    rs = at_once(6, lambda i: api.call("POST", f"/projects/{project}/stage", json={"to": SECOND}))
    assert sorted(r.status_code for r in rs) == [200, 400, 400, 400, 400, 400]
    assert notes(api, project) == [*before, f"阶段 {FIRST} → {SECOND}"]


def test_eight_scenarios_at_once_are_eight_stored(api: Api) -> None:
    path = "/chains/1366:bio/checklist/一批应用场景"
    rs = at_once(
        8, lambda i: api.call("PUT", path, "牵头部门·生物医药", json={"value": f"评审场景{i}"})
    )
    assert [r.status_code for r in rs] == [200] * 8, [r.text for r in rs]
    stored = api.store.require_node("1366:bio").props.get("scenarios", [])
    assert {f"评审场景{i}" for i in range(8)} <= set(stored)


def test_docking_history_is_the_sequence_of_answered_changes(api: Api) -> None:
    """Four dockings, twelve changes each (对接中 and 未落实 in turn), all at once: each
    docking's history after 推荐 is one allowed step after another, exactly the changes
    answered 200."""
    dockings = [_docking(api.store, k) for k in range(4)]
    people = ["招商团队·长兴", "市链长办"]

    def change(i: int) -> httpx.Response:
        body = {"status": ["对接中", "未落实"][i % 2], "note": f"n{i}"}
        docking = dockings[i % 4]
        return api.call("PUT", f"/dockings/{docking}/status", people[i % 2], json=body)

    rs = at_once(48, change)
    assert {r.status_code for r in rs} <= {200, 400}, [r.text for r in rs]
    for k, docking in enumerate(dockings):
        answered = {
            f"n{i}": r.json()["status"]
            for i, r in enumerate(rs)
            if i % 4 == k and r.status_code == 200
        }
        history = api.store.require_node(docking).props["history"][1:]  # after 推荐
        assert len(history) == len(answered), (history, answered)
        states = ["推荐"]
        for entry in history:  # each change allowed from the state before it, answered 200
            _, rest = entry.split(" ", 1)
            state, note = rest.split("（")[0], rest.rsplit("：", 1)[1]
            assert state in NEXT[states[-1]], history
            assert answered[note] == state
            states.append(state)
        assert api.store.require_node(docking).props["status"] == states[-1]


def _docking(store: EmbeddedStore, k: int) -> str:
    """A new docking (推荐) of a new 长兴县 demand."""
    demand, supply = f"demand:conc{k}", f"supply:conc{k}"
    store.upsert_nodes(
        [
            Node(demand, "Demand", {"kind": "技术", "description": "需求", "region": "长兴县"}),
            Node(supply, "Supply", {"kind": "技术", "description": "供给"}),
        ]
    )
    [docking] = save_dockings(store, [Proposal(demand, supply, "供给", 0.5, False)], date.today())
    return docking


def test_follow_ups_through_two_processes_are_all_stored(tmp_path: Path) -> None:
    """Two service processes over one data directory (as ``serve --workers 2``): 16
    follow-ups at once, alternately through each, are 16 stored, read back through both."""
    home = tmp_path / "home"
    cli(home, "init")
    with ExitStack() as stack, LiveService(home) as a:
        b = LiveService(home)
        b.token = a.token  # one token for both (a name is given to one token only)
        stack.enter_context(b)
        with a.client() as c:
            got = c.get("/api/v1/projects", params={"stage": FIRST, "limit": 1}).json()
        project = got["data"][0]["id"]

        def post(i: int) -> httpx.Response:
            with (a if i % 2 else b).client() as c:
                body = {"note": f"两进程跟进{i}"}
                return c.post(f"/api/v1/projects/{project}/follow-ups", json=body)

        rs = at_once(16, post)
        assert [r.status_code for r in rs] == [201] * 16, [r.text for r in rs]
        for svc in (a, b):
            with svc.client() as c:
                listed = [f["note"] for f in c.get(f"/api/v1/projects/{project}/follow-ups").json()]
            assert {f"两进程跟进{i}" for i in range(16)} <= set(listed)
