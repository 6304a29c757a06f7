"""The columnar fast path of bundle imports writes exactly what the general path writes, and
hands every bundle it does not handle exactly to the general path."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chainatlas.graph.errors import ChainAtlasError, ImportFailed
from chainatlas.graph.io.bundle import export_bundle, import_bundle
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import shared_or_skip

pytestmark = pytest.mark.skipif(
    not EmbeddedStore.bulk_supported, reason=f"SQLite {sqlite3.sqlite_version} < 3.38"
)


def _snapshot(store: GraphStore) -> tuple[list[object], list[object]]:
    # repr keeps 1 and 1.0 and True apart
    nodes = sorted((n.id, n.label, repr(sorted(n.props.items()))) for n in store.iter_nodes())
    rels = sorted((r.key, repr(sorted(r.props.items()))) for r in store.iter_relationships())
    return nodes, rels  # type: ignore[return-value]


def _both_ways(
    bundle: Path,
    tmp_path: Path,
    before: list[Node] | None = None,
    before_rels: list[Relationship] | None = None,
) -> tuple[str, str]:
    """Import ``bundle`` with and without the fast path into two stores holding ``before``;
    assert they end equal; return the paths taken."""
    paths = []
    snaps = []
    for k, fast in enumerate((True, False)):
        with EmbeddedStore(tmp_path / f"s{k}.db") as store:
            if before:
                store.upsert_nodes(before)
            if before_rels:
                store.upsert_relationships(before_rels)
            rep = import_bundle(store, bundle, progress=False, fast=fast)
            paths.append(rep.path)
            snaps.append(_snapshot(store))
            counts = store.counts()
            assert rep.nodes <= counts.nodes and rep.relationships <= counts.relationships
    assert snaps[0] == snaps[1]
    return paths[0], paths[1]


def _write(d: Path, files: dict[str, str]) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


EDGE_CASES = {
    # declared and extra strings with padding, a blank cell, a whitespace-only cell, an
    # empty array, typed numbers, a lower-case credit code the model upper-cases, NaN
    "nodes_firms.csv": (
        "id:ID,:LABEL,name,credit_code,tags:string[],output:double,employees:long,"
        "verified:boolean,note,nums:float[]\n"
        "firm:a,Firm,  甲公司 ,91330500ma28cruw6c,上市;专精特新,1.5,12,true,  备注 ,1;2.5\n"
        "firm:b,Firm,乙公司,,,nan,,false,   ,\n"
        "firm:c,Firm,丙,,;;,2,3,,x,;\n"
    ),
    # two labels in one file; an id column with its own name
    "nodes_mixed.csv": (
        "code:ID,:LABEL,name,stage,signed:date,investment:double\n"
        "seg:s1,Segment,电芯,,,\n"
        "seg:s2,Segment,正极材料,,,\n"
        "proj:p1,Project,一期,招商引资,2026-03-01,10\n"
    ),
    # two types in one file, with a property only one of them has
    "rels_mixed.csv": (
        ":START_ID,:END_ID,:TYPE,weight:double\n"
        "firm:a,seg:s1,OPERATES_IN,0.75\n"
        "seg:s2,seg:s1,UPSTREAM_OF,\n"
        "firm:b,seg:s2,OPERATES_IN,1\n"
    ),
}


def test_edge_cases_take_the_fast_path_and_match(tmp_path: Path) -> None:
    bundle = _write(tmp_path / "b", EDGE_CASES)
    fast, slow = _both_ways(bundle, tmp_path)
    assert (fast, slow) == ("columnar", "rows")
    with EmbeddedStore(tmp_path / "s0.db") as store:
        a = store.require_node("firm:a")
        assert a.props["name"] == "甲公司" and a.props["credit_code"] == "91330500MA28CRUW6C"
        assert a.props["note"] == "  备注 "  # extras are kept as written
        b = store.require_node("firm:b")
        assert "output" not in b.props and "note" not in b.props
        assert "tags" not in store.require_node("firm:c").props
        assert store.require_node("proj:p1").props["code"] == "proj:p1"


# What CSV allows and Arrow handles on its own: quoted cells with separators, quotes and line
# breaks, a byte-order mark, CRLF line ends, tabs and backslashes (escaped in the JSON the
# store receives), relationship rows out of order (sorted before writing) and several ends per
# start.
DIALECT = {
    "nodes_segments.csv": (
        "\ufeffid:ID,:LABEL,name,note\r\n"
        'seg:"引号",Segment,"名称 ""带引号""","多行\n备注, 含逗号"\r\n'
        "seg:b\\反斜杠,Segment,小大肠,\t\r\n"
        "seg:c,Segment,正极材料,\u3000\r\n"
        "seg:d,Segment,负极材料,甲\t乙\r\n"
    ),
    "rels_up.csv": (
        ":START_ID,:END_ID,:TYPE\n"
        "seg:d,seg:c,UPSTREAM_OF\n"
        'seg:"引号",seg:d,UPSTREAM_OF\n'
        'seg:"引号",seg:c,UPSTREAM_OF\n'
        "seg:b\\反斜杠,seg:c,UPSTREAM_OF\n"
    ),
}


def test_csv_dialect_takes_the_fast_path_and_matches(tmp_path: Path) -> None:
    bundle = _write(tmp_path / "b", DIALECT)
    assert _both_ways(bundle, tmp_path) == ("columnar", "rows")
    with EmbeddedStore(tmp_path / "s0.db") as store:
        assert store.require_node('seg:"引号"').props == {
            "name": '名称 "带引号"',
            "note": "多行\n备注, 含逗号",
        }
        assert store.require_node("seg:b\\反斜杠").props == {"name": "小大肠"}
        assert store.require_node("seg:d").props["note"] == "甲\t乙"
        assert "note" not in store.require_node("seg:c").props  # blank: absent
        assert len(list(store.iter_relationships("UPSTREAM_OF"))) == 4


@pytest.mark.parametrize("end", [" seg:d", "seg:d\u3000"])
def test_endpoints_with_padding_go_the_general_way(end: str, tmp_path: Path) -> None:
    """The general path strips endpoints; the fast path, which does not, hands them over."""
    files = dict(DIALECT)
    files["rels_up.csv"] += f"seg:c,{end},UPSTREAM_OF\n"
    bundle = _write(tmp_path / "b", files)
    assert _both_ways(bundle, tmp_path) == ("rows", "rows")
    with EmbeddedStore(tmp_path / "s0.db") as store:
        assert store.get_relationships([("seg:c", "UPSTREAM_OF", "seg:d")])


def test_an_empty_endpoint_is_reported(tmp_path: Path) -> None:
    files = dict(DIALECT)
    files["rels_up.csv"] += "seg:c,,UPSTREAM_OF\n"
    with EmbeddedStore(tmp_path / "g.db") as store:
        with pytest.raises(ImportFailed) as exc:
            import_bundle(store, _write(tmp_path / "b", files), progress=False)
        assert [(e.file, e.row, e.column) for e in exc.value.errors] == [
            ("rels_up.csv", 6, ":END_ID")
        ]
        assert store.counts().nodes == 0


def test_seed_export_round_trips_through_the_fast_path(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    export_bundle(seeded, tmp_path / "b", progress=False)
    assert _both_ways(tmp_path / "b", tmp_path) == ("columnar", "rows")
    with EmbeddedStore(tmp_path / "s0.db") as copy:
        assert _snapshot(copy) == _snapshot(seeded)


def test_references_to_stored_nodes_are_checked(tmp_path: Path) -> None:
    stored = [
        Node("seg:old", "Segment", {"name": "旧环节"}),
        Node("firm:old", "Firm", {"name": "旧"}),
    ]
    ok = _write(
        tmp_path / "ok",
        {
            "nodes.csv": "id:ID,:LABEL,name\nfirm:new,Firm,新\n",
            "rels.csv": ":START_ID,:END_ID,:TYPE\nfirm:new,seg:old,OPERATES_IN\n",
        },
    )
    assert _both_ways(ok, tmp_path / "1", stored)[0] == "columnar"
    # the stored endpoint has the wrong label: the general path reports the row
    bad = _write(
        tmp_path / "bad",
        {
            "nodes.csv": "id:ID,:LABEL,name\nfirm:new,Firm,新\n",
            "rels.csv": ":START_ID,:END_ID,:TYPE\nfirm:new,firm:old,OPERATES_IN\n",
        },
    )
    with EmbeddedStore(tmp_path / "2.db") as store:
        store.upsert_nodes(stored)
        before = _snapshot(store)
        with pytest.raises(ImportFailed) as exc:
            import_bundle(store, bad, progress=False)
        assert [(e.file, e.row) for e in exc.value.errors] == [("rels.csv", 2)]
        assert _snapshot(store) == before  # the fast path wrote nothing


NODES = "id:ID,:LABEL,name,output:double\nfirm:a,Firm,甲,1\nseg:s,Segment,电池,\n"
RELS = ":START_ID,:END_ID,:TYPE,weight:double\nfirm:a,seg:s,OPERATES_IN,0.5\n"


def test_stored_nodes_and_relationships_are_merged_as_the_general_path_does(
    tmp_path: Path,
) -> None:
    bundle = _write(tmp_path / "b", {"nodes.csv": NODES, "rels.csv": RELS})
    before = [
        Node("firm:a", "Firm", {"name": "甲旧名", "region": "湖州市", "output": 9.0}),
        Node("seg:s", "Segment", {"name": "电池"}),
    ]
    rel = Relationship("firm:a", "OPERATES_IN", "seg:s", {"weight": 0.1, "note": "旧"})
    assert _both_ways(bundle, tmp_path, before, [rel]) == ("columnar", "rows")
    with EmbeddedStore(tmp_path / "s0.db") as store:
        assert store.require_node("firm:a").props == {
            "name": "甲",
            "region": "湖州市",
            "output": 1.0,
        }
        got = store.get_relationships([rel.key])[rel.key].props
        assert got == {"weight": 0.5, "note": "旧"}


@pytest.mark.parametrize(
    "case", ["stored with another label", "duplicate id", "bad cell", "missing endpoint"]
)
def test_what_the_fast_path_does_not_take_goes_the_general_way(case: str, tmp_path: Path) -> None:
    nodes, rels = NODES, RELS
    before: list[Node] = []
    if case == "stored with another label":
        before = [Node("firm:a", "Segment", {"name": "甲"})]
    elif case == "duplicate id":
        nodes += "firm:a,Firm,甲二,2\n"
    elif case == "bad cell":
        nodes += "firm:b,Firm,乙,很多\n"
    elif case == "missing endpoint":
        rels += "firm:a,seg:nowhere,OPERATES_IN,1\n"
    bundle = _write(tmp_path / "b", {"nodes.csv": nodes, "rels.csv": rels})
    with EmbeddedStore(tmp_path / "g.db") as store:
        store.upsert_nodes(before)
        snapshot = _snapshot(store)
        with pytest.raises(ChainAtlasError) as exc:
            import_bundle(store, bundle, progress=False)
        if isinstance(exc.value, ImportFailed):
            assert exc.value.errors and all(e.row >= 2 for e in exc.value.errors)
        else:
            assert "firm:a" in str(exc.value)
        assert _snapshot(store) == snapshot  # nothing written by either path


def test_ckg_bundle_both_ways_into_a_seeded_store(seeded: EmbeddedStore, tmp_path: Path) -> None:
    src = shared_or_skip("data", "ckg")
    from chainatlas.graph.io.sources.ckg import ckg_to_bundle

    ckg_to_bundle(src, tmp_path / "ckg")
    # some ckg products are seed segments (same id): they are merged, on both paths
    seeds, seed_rels = list(seeded.iter_nodes()), list(seeded.iter_relationships())
    assert _both_ways(tmp_path / "ckg", tmp_path, seeds, seed_rels) == ("columnar", "rows")
