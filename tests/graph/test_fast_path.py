"""The fast import path is part of the store contract: on every backend, a bundle imported
through ``GraphStore.bulk_insert`` and through the general path (``apply``) leaves the same
nodes, relationships and properties — and the same as the embedded store's general path, so the
backends agree with each other too. Clean new data must take the fast path on every backend
that has one; what a backend's fast path cannot write as given goes the general way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from chainatlas.graph.errors import ChainAtlasError
from chainatlas.graph.io.bundle import export_bundle, import_bundle
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore, NotFast
from chainatlas.graph.store.embedded import EmbeddedStore

Snapshot = tuple[list[object], list[object]]


def _snapshot(store: GraphStore) -> Snapshot:
    # repr keeps 1 and 1.0 and True apart
    nodes = sorted((n.id, n.label, repr(sorted(n.props.items()))) for n in store.iter_nodes())
    rels = sorted((r.key, repr(sorted(r.props.items()))) for r in store.iter_relationships())
    return nodes, rels  # type: ignore[return-value]


def _write(d: Path, files: dict[str, str]) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


Setup = Callable[[GraphStore], object]


def _import(store: GraphStore, bundle: Path, setup: Setup | None, *, fast: bool) -> str:
    store.clear()
    if setup is not None:
        setup(store)
    return import_bundle(store, bundle, progress=False, fast=fast).path


def _both_ways(
    store: GraphStore, bundle: Path, tmp_path: Path, setup: Setup | None = None
) -> tuple[str, str]:
    """Import ``bundle`` into ``store`` (after ``setup``) by the fast and the general path;
    both must end as the embedded store's general path ends. Returns the paths taken."""
    with EmbeddedStore(tmp_path / "reference.db") as ref:
        _import(ref, bundle, setup, fast=False)
        expected = _snapshot(ref)
    fast = _import(store, bundle, setup, fast=True)
    assert _snapshot(store) == expected, "fast path"
    general = _import(store, bundle, setup, fast=False)
    assert _snapshot(store) == expected, "general path"
    return fast, general


CLEAN = {
    # padded and blank cells, arrays (an empty one is dropped), typed numbers, booleans,
    # a credit code the model upper-cases, NaN (absent), a date
    "nodes_firms.csv": (
        "id:ID,:LABEL,name,credit_code,tags:string[],output:double,employees:long,"
        "verified:boolean,note,nums:float[]\n"
        "firm:a,Firm,  甲公司 ,91330500ma28cruw6c,上市;专精特新,1.5,12,true,  备注 ,1;2.5\n"
        "firm:b,Firm,乙公司,,,nan,,false,   ,\n"
        'firm:c,Firm,"丙 ""引号""",,;;,2,3,,"多行\n备注",;\n'
    ),
    # two labels in one file; an id column with its own name
    "nodes_mixed.csv": (
        "code:ID,:LABEL,name,stage,signed:date,investment:double\n"
        "seg:s1,Segment,电芯,,,\n"
        "seg:s2,Segment,正极材料,,,\n"
        "proj:p1,Project,一期,招商引资,2026-03-01,10\n"
    ),
    # two types in one file, with a property only one of them has; rows out of order
    "rels_mixed.csv": (
        ":START_ID,:END_ID,:TYPE,weight:double\n"
        "seg:s2,seg:s1,UPSTREAM_OF,\n"
        "firm:b,seg:s2,OPERATES_IN,1\n"
        "firm:a,seg:s1,OPERATES_IN,0.75\n"
        "firm:a,seg:s2,OPERATES_IN,\n"
    ),
}


def test_clean_new_data_takes_the_fast_path_and_matches(store: GraphStore, tmp_path: Path) -> None:
    bundle = _write(tmp_path / "b", CLEAN)
    assert _both_ways(store, bundle, tmp_path) == ("columnar", "rows")
    a = store.require_node("firm:a")
    assert a.props["name"] == "甲公司" and a.props["tags"] == ["上市", "专精特新"]


def test_seed_export_matches_on_both_paths(
    store: GraphStore, seeded: EmbeddedStore, tmp_path: Path
) -> None:
    export_bundle(seeded, tmp_path / "b", progress=False)
    assert _both_ways(store, tmp_path / "b", tmp_path) == ("columnar", "rows")
    assert _snapshot(store) == _snapshot(seeded)


OLD = [Node("seg:old", "Segment", {"name": "旧环节"}), Node("seg:old2", "Segment", {"name": "二"})]
OLD_REL = Relationship("seg:old", "UPSTREAM_OF", "seg:old2", {"weight": 0.1, "note": "旧"})


def _stored(store: GraphStore) -> None:
    store.upsert_nodes(OLD)
    store.upsert_relationships([OLD_REL])


def test_references_to_stored_nodes_and_relationships_merge(
    store: GraphStore, tmp_path: Path
) -> None:
    """New rows that point at stored nodes, and a stored relationship given again with new
    properties (merged, as the general path merges), stay on the fast path."""
    bundle = _write(
        tmp_path / "b",
        {
            "nodes.csv": "id:ID,:LABEL,name\nfirm:new,Firm,新\n",
            "rels_op.csv": ":START_ID,:END_ID,:TYPE\nfirm:new,seg:old,OPERATES_IN\n",
            "rels_up.csv": (
                ":START_ID,:END_ID,:TYPE,weight:double\n"
                "seg:old,seg:old2,UPSTREAM_OF,0.5\n"
                "seg:old2,seg:old,UPSTREAM_OF,\n"
            ),
        },
    )
    assert _both_ways(store, bundle, tmp_path, _stored) == ("columnar", "rows")
    got = store.get_relationships([OLD_REL.key])[OLD_REL.key].props
    assert got == {"weight": 0.5, "note": "旧"}


@pytest.mark.parametrize("case", ["node stored already", "relationship twice"])
def test_rows_a_store_may_refuse_still_match(case: str, store: GraphStore, tmp_path: Path) -> None:
    """A node given again (merged) or a relationship given twice in the bundle: a store's fast
    path may take them or hand them to the general path — the result is the same."""
    files = dict(CLEAN)
    setup: Setup | None = None
    if case == "node stored already":

        def setup(s: GraphStore) -> None:
            s.upsert_nodes([Node("firm:a", "Firm", {"name": "甲旧名", "region": "湖州市"})])

    else:
        files["rels_again.csv"] = ":START_ID,:END_ID,:TYPE,note\nfirm:a,seg:s1,OPERATES_IN,再\n"
    _both_ways(store, _write(tmp_path / "b", files), tmp_path, setup)


def test_a_store_without_a_fast_path_refuses_before_reading(tmp_path: Path) -> None:
    """The contract's default: ``NotFast`` before a block is read, so the import takes the
    general path."""

    class Plain(EmbeddedStore):
        bulk_insert = GraphStore.bulk_insert  # the contract's default

    def blocks():  # type: ignore[no-untyped-def]
        raise AssertionError("read")
        yield

    with Plain(tmp_path / "g.db") as store:
        with pytest.raises(NotFast):
            store.bulk_insert(blocks())
        rep = import_bundle(store, _write(tmp_path / "b", CLEAN), progress=False)
        assert rep.path == "rows" and store.count_nodes() == 6


NODES = "id:ID,:LABEL,name,output:double\nseg:s,Segment,电池,\nfirm:a,Firm,甲,1\n"
RELS = ":START_ID,:END_ID,:TYPE,weight:double\nfirm:a,seg:s,OPERATES_IN,0.5\n"


@pytest.mark.parametrize("case", ["stored with another label", "missing endpoint"])
def test_a_refused_import_writes_nothing(case: str, store: GraphStore, tmp_path: Path) -> None:
    """When neither path can take the bundle, the store is as before: the fast path's
    partial work (here the Segment written before the Firm is refused) is rolled back."""
    nodes, rels = NODES, RELS
    if case == "stored with another label":
        store.upsert_nodes([Node("firm:a", "Segment", {"name": "甲"})])
    else:
        rels += "firm:a,seg:nowhere,OPERATES_IN,1\n"
    before = _snapshot(store)
    bundle = _write(tmp_path / "b", {"nodes.csv": nodes, "rels.csv": rels})
    with pytest.raises(ChainAtlasError):
        import_bundle(store, bundle, progress=False)
    assert _snapshot(store) == before
