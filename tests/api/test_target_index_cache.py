"""The service's ranking index follows the graph: kept per process while the store's revision
is the same, rebuilt after a write to what it is built from — also one that keeps every count,
which the cache keyed on counts before missed — and stored in the data directory for the next
process; a write that touches none of it (a follow-up) keeps it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from chainatlas.graph.home import is_local
from chainatlas.graph.model import Relationship
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.contract import Batch
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching.index_cache import cache_path

SEGMENT = "seg:电芯"  # a missing segment of 1366:storage: no firm recorded in it


def _known(client: TestClient) -> set[str]:
    res = client.get("/api/v1/targets", params={"segment": SEGMENT})
    assert res.status_code == 200, res.text
    return {t["firm"] for t in res.json()["targets"] if t["known"]}


def test_a_moved_link_is_ranked_at_once(
    client: TestClient, seeded: EmbeddedStore, settings: Settings
) -> None:
    assert _known(client) == set()
    rel = next(
        r
        for r in seeded.iter_relationships("OPERATES_IN")
        if not is_local(seeded.require_node(r.start).props.get("region"))
    )
    counts = seeded.counts()
    seeded.apply(
        Batch()
        .delete_relationships([rel.key])
        .upsert_relationships([Relationship(rel.start, "OPERATES_IN", SEGMENT, rel.props)])
    )
    assert seeded.counts() == counts  # the old cache key would not have moved
    assert _known(client) == {rel.start}
    stored = sorted(p.name for p in (settings.home / "cache").glob("targets-*.pkl"))
    assert stored == [cache_path(settings.home, seeded.revision(), settings.home_area).name]


def test_a_follow_up_keeps_the_index(
    client: TestClient,
    seeded: EmbeddedStore,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A follow-up posted through the API moves the revision but touches nothing the index is
    built from: the next 招商图 uses the same index, stored again under the new revision."""
    from chainatlas.matching.targets import TargetIndex

    built: list[str] = []
    real = TargetIndex.from_store.__func__  # type: ignore[attr-defined]

    def counted(cls, store, **kw):  # type: ignore[no-untyped-def]
        built.append(store.revision())
        return real(cls, store, **kw)

    monkeypatch.setattr(TargetIndex, "from_store", classmethod(counted))
    url = "/api/v1/maps/attraction/1366:storage"
    first = client.get(url, params={"format": "json"})
    assert first.status_code == 200, first.text
    before = seeded.revision()
    res = client.post("/api/v1/projects/project:1366:ai:1/follow-ups", json={"note": "电话回访"})
    assert res.status_code in (200, 201), res.text
    assert seeded.revision() != before
    again = client.get(url, params={"format": "json"})
    assert again.status_code == 200 and again.json() == first.json()
    assert built == [before]  # built once, before the follow-up
    stored = sorted(p.name for p in (settings.home / "cache").glob("targets-*.pkl"))
    assert stored == [cache_path(settings.home, seeded.revision(), settings.home_area).name]
