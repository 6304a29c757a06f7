"""The service's ranking index follows the graph: kept per process while the store's revision
is the same, rebuilt after any write — also one that keeps every count, which the cache keyed
on counts before missed — and stored in the data directory for the next process."""

from __future__ import annotations

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
