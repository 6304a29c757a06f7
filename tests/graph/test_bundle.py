"""Bundles in the neo4j-admin CSV convention: round trip and every kind of bad row."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainatlas.graph.errors import ImportFailed
from chainatlas.graph.io.bundle import export_bundle, import_bundle
from chainatlas.graph.model import Node
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore


def _snapshot(store: GraphStore) -> tuple[list[object], list[object]]:
    nodes = sorted((n.id, n.label, n.props) for n in store.iter_nodes())
    rels = sorted((r.key, r.props) for r in store.iter_relationships())
    return nodes, rels  # type: ignore[return-value]


def test_export_import_roundtrip_is_lossless(seeded: EmbeddedStore, tmp_path: Path) -> None:
    # awkward values: separators inside strings, booleans, lists, unicode, quotes
    seeded.upsert_nodes(
        [
            Node(
                "seg:odd",
                "Segment",
                {
                    "name": 'a;b,"c"',
                    "note": "第一行\n\t第二行\r\n",
                    "flag": False,
                    "nums": [1.5, 2.0],
                    "words": ["x;y", "z"],
                },
            )
        ]
    )
    export_bundle(seeded, tmp_path / "b", progress=False)
    with EmbeddedStore(tmp_path / "copy.db") as copy:
        rep = import_bundle(copy, tmp_path / "b", progress=False)
        assert rep.nodes == seeded.counts().nodes
        assert _snapshot(copy) == _snapshot(seeded)


def test_header_is_neo4j_admin(seeded: EmbeddedStore, tmp_path: Path) -> None:
    export_bundle(seeded, tmp_path / "b", progress=False)
    head = (tmp_path / "b" / "nodes_Firm.csv").read_text("utf-8").splitlines()[0].split(",")
    assert head[:2] == ["id:ID", ":LABEL"]
    assert "output:double" in head and "tags:string[]" in head and "employees:long" in head
    rhead = (tmp_path / "b" / "rels_OPERATES_IN.csv").read_text("utf-8").splitlines()[0]
    assert rhead == ":START_ID,:END_ID,:TYPE,weight:double"


def _write(d: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding=encoding)


GOOD_NODES = "id:ID,:LABEL,name,output:double\nfirm:a,Firm,甲,1.5\nseg:s,Segment,电池,\n"


@pytest.mark.parametrize(
    "nodes, rels, where",
    [
        ("id:ID,:LABEL,name\nx,Company,甲\n", "", ("nodes.csv", 2, ":LABEL")),
        (
            "id:ID,:LABEL,name,output:double\nfirm:a,Firm,甲,很多\n",
            "",
            ("nodes.csv", 2, "output:double"),
        ),
        ("id:ID,:LABEL,name,output:double\nfirm:a,Firm,甲,-1\n", "", ("nodes.csv", 2, "output")),
        ("id:ID,:LABEL,name\n,Firm,甲\n", "", ("nodes.csv", 2, "id:ID")),
        ("id:ID,:LABEL,name\nfirm:a,Firm,\n", "", ("nodes.csv", 2, "name")),
        (GOOD_NODES, ":START_ID,:END_ID,:TYPE\nfirm:a,seg:s,LIKES\n", ("rels.csv", 2, ":TYPE")),
        (
            GOOD_NODES,
            ":START_ID,:END_ID,:TYPE\nfirm:a,seg:none,OPERATES_IN\n",
            ("rels.csv", 2, ":END_ID"),
        ),
        (GOOD_NODES, ":START_ID,:END_ID,:TYPE\nseg:s,firm:a,OPERATES_IN\n", ("rels.csv", 2, "")),
        (
            GOOD_NODES,
            ":START_ID,:END_ID,:TYPE,weight:double\nfirm:a,seg:s,OPERATES_IN,2\n",
            ("rels.csv", 2, "weight"),
        ),
        (
            "id:ID,:LABEL,name,flag:boolean\nseg:s,Segment,x,maybe\n",
            "",
            ("nodes.csv", 2, "flag:boolean"),
        ),
        (
            "id:ID,:LABEL,name,when:datetimeish\nseg:s,Segment,x,1\n",
            "",
            ("nodes.csv", 1, "when:datetimeish"),
        ),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(
    store: GraphStore, tmp_path: Path, nodes: str, rels: str, where: tuple[str, int, str]
) -> None:
    store.upsert_nodes([Node("seg:before", "Segment", {"name": "已有"})])
    d = tmp_path / "b"
    _write(d, "nodes.csv", nodes)
    if rels:
        _write(d, "rels.csv", rels)
    with pytest.raises(ImportFailed) as err:
        import_bundle(store, d, progress=False)
    found = [(e.file, e.row, e.column) for e in err.value.errors]
    assert where in found, found
    assert store.counts().nodes == 1 and store.get_node("seg:before") is not None


def test_all_bad_rows_reported_at_once_and_skip_bad(
    memory_store: EmbeddedStore, tmp_path: Path
) -> None:
    d = tmp_path / "b"
    _write(
        d,
        "nodes.csv",
        "id:ID,:LABEL,name,output:double\nfirm:a,Firm,甲,1\nfirm:b,Firm,乙,x\n"
        "firm:c,Frim,丙,2\nfirm:d,Firm,丁,3\n",
    )
    _write(
        d, "rels.csv", ":START_ID,:END_ID,:TYPE\nfirm:a,firm:d,SUPPLIES\nfirm:b,firm:a,SUPPLIES\n"
    )
    with pytest.raises(ImportFailed) as err:
        import_bundle(memory_store, d, progress=False)
    rows = sorted((e.file, e.row) for e in err.value.errors)
    assert rows == [("nodes.csv", 3), ("nodes.csv", 4), ("rels.csv", 3)]
    assert memory_store.count_nodes() == 0
    rep = import_bundle(memory_store, d, skip_bad=True, progress=False)
    assert (rep.nodes, rep.relationships, len(rep.skipped)) == (2, 1, 3)
    assert memory_store.get_relationships([("firm:a", "SUPPLIES", "firm:d")])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings(memory_store: EmbeddedStore, tmp_path: Path, encoding: str) -> None:
    d = tmp_path / "b"
    _write(d, "nodes.csv", "id:ID,:LABEL,name,region\nfirm:a,Firm,湖州甲企业,长兴县\n", encoding)
    import_bundle(memory_store, d, progress=False)
    assert memory_store.get_node("firm:a").props["name"] == "湖州甲企业"  # type: ignore[union-attr]


def test_relationships_may_point_at_stored_nodes(
    memory_store: EmbeddedStore, tmp_path: Path
) -> None:
    memory_store.upsert_nodes([Node("seg:s", "Segment", {"name": "s"})])
    d = tmp_path / "b"
    _write(d, "n.csv", "id:ID,:LABEL,name\nfirm:a,Firm,甲\n")
    _write(d, "r.csv", ":START_ID,:END_ID,:TYPE,weight:double\nfirm:a,seg:s,OPERATES_IN,0.5\n")
    import_bundle(memory_store, d, progress=False)
    r = memory_store.get_relationships([("firm:a", "OPERATES_IN", "seg:s")])
    assert list(r.values())[0].props == {"weight": 0.5}


def test_empty_folder(memory_store: EmbeddedStore, tmp_path: Path) -> None:
    (tmp_path / "e").mkdir()
    with pytest.raises(ImportFailed, match="没有 CSV"):
        import_bundle(memory_store, tmp_path / "e", progress=False)


def test_array_delimiter_switches_when_needed(memory_store: EmbeddedStore, tmp_path: Path) -> None:
    memory_store.upsert_nodes([Node("seg:s", "Segment", {"name": "s", "alias": ["a;b", "c"]})])
    export_bundle(memory_store, tmp_path / "b", progress=False)
    with EmbeddedStore(tmp_path / "c.db") as c:
        import_bundle(c, tmp_path / "b", progress=False)
        assert c.get_node("seg:s").props["alias"] == ["a;b", "c"]  # type: ignore[union-attr]
