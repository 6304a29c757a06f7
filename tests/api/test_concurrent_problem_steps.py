"""Steps of the problem loop sent at the same moment over real HTTP (review S, A2): of six
parallel 交办 one is made (200) and five are refused (400), and the history holds the one
step; of six parallel 回头看 (未见效) one reopens the problem."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.problems import raise_problem, step
from tests.api.conftest import bearers
from tests.api.test_concurrent_writes import PEOPLE, Api, a_project, at_once
from tests.conftest import served


@pytest.fixture
def api(seeded: EmbeddedStore, settings: Settings, tmp_path: Path) -> Iterator[Api]:
    auth = AuthStore(tmp_path / "auth.db")
    heads = bearers(auth, PEOPLE)
    with served(create_app(settings, seeded, auth)) as port:
        yield Api(f"http://127.0.0.1:{port}", heads, seeded)
    auth.close()


def a_problem(store: EmbeddedStore) -> str:
    """A new 一般 problem (收集) on a sample project."""
    return raise_problem(store, "并发交办测试", project=a_project(store)).id


def moves(api: Api, problem: str) -> list[str]:
    return [str(e).split("｜")[1] for e in api.store.require_node(problem).props["history"]]


def test_parallel_assignments_one_succeeds(api: Api) -> None:
    problem = a_problem(api.store)

    def go(i: int) -> httpx.Response:
        body = {"to": "交办", "note": f"交办{i}"}
        return api.call("POST", f"/problems/{problem}/step", json=body)

    rs = at_once(6, go)
    assert sorted(r.status_code for r in rs) == [200, 400, 400, 400, 400, 400], [r.text for r in rs]
    assert moves(api, problem) == ["—→收集", "收集→交办"]


def test_parallel_reviews_one_reopens(api: Api) -> None:
    problem = a_problem(api.store)
    for to in ("交办", "反馈", "办结"):
        step(api.store, problem, to)
    body = {"result": "未见效"}
    rs = at_once(6, lambda i: api.call("POST", f"/problems/{problem}/review", json=body))
    assert sorted(r.status_code for r in rs) == [200, 400, 400, 400, 400, 400], [r.text for r in rs]
    assert moves(api, problem).count("办结→督办") == 1
