"""The Neo4j store's bulk loader: the fast import path's blocks as large ``UNWIND … CREATE``
statements in one transaction.

Nodes: each block becomes a list of property maps made from its JSON text in one
``orjson.loads`` (no per-cell Python work), sent in chunks to
``UNWIND $rows AS r CREATE (n:Entity:Label) SET n = r``, which returns the new nodes' element
ids. ``CREATE`` writes a node without looking for it first — that is what makes this several
times faster than the general path's ``MERGE`` — and the uniqueness constraints still guard
it: an id that is stored already fails the transaction, and the import takes the general path
(which merges). Relationships: ``MATCH`` both ends by element id (no index lookup) and
``CREATE``. Relationships between two nodes stored before the import (the ids of a
:class:`~chainatlas.graph.store.blocks.Require`) may exist already: those rows use ``MERGE`` and
merge their properties as the general path does.

Only labels and relationship types are written into Cypher text, from the schema's vocabulary;
every value and property name travels as a parameter. The driver returns from a statement once
the server has planned it, so the next block is prepared while the server runs the previous
one; the counts are read at the end. Loaded with the first bulk import (it needs pyarrow),
never when the store is opened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from chainatlas.graph.model import LABELS, REL_TYPES
from chainatlas.graph.store.arrow_json import joined, json_object, json_strings
from chainatlas.graph.store.blocks import Block, NodeBlock, NotFast, RelBlock, Require
from chainatlas.graph.store.contract import BatchResult

__all__ = ["BulkLoad", "node_rows"]

_REQUIRE = (
    "UNWIND $ids AS i OPTIONAL MATCH (n:Entity {id: i}) "
    "RETURN i AS id, elementId(n) AS eid, labels(n) AS labels"
)
_ENDS = (
    "UNWIND range(0, size($s) - 1) AS i "
    "MATCH (a) WHERE elementId(a) = $s[i] MATCH (b) WHERE elementId(b) = $e[i] "
)


def _parsed(members: pa.Array) -> list[Any]:
    """The JSON values in ``members`` (each text ending with a comma), parsed in one call."""
    text = b"".join(t for t, _ in joined(cast(pa.StringArray, members), max(len(members), 1)))
    return cast(list[Any], orjson.loads(b"[" + text + b"]"))


def node_rows(block: NodeBlock) -> list[dict[str, Any]]:
    """The block's nodes as property maps, ``id`` included (as the store keeps them)."""
    columns = [*block.columns, ("id", json_strings(block.ids))]
    objects = json_object(columns, len(block.ids))
    return cast(list[dict[str, Any]], _parsed(pc.binary_join_element_wise(objects, ",", "")))


def _rel_props(block: RelBlock) -> list[dict[str, Any]] | None:
    if not block.columns:
        return None
    objects = json_object(block.columns, len(block.starts))
    return cast(list[dict[str, Any]], _parsed(pc.binary_join_element_wise(objects, ",", "")))


class BulkLoad:
    """One bulk import into Neo4j, in the open transaction ``tx`` (the caller commits it, or
    rolls it back on any error).

    :meth:`write` sends each block's statements; :meth:`written` reads their results and
    raises :class:`NotFast` if a row could not be written as given.
    """

    def __init__(self, tx: Any, chunk: int, on_rows: Callable[[int], object] | None) -> None:
        self._tx = tx
        self._chunk = chunk
        self._on_rows = on_rows
        self._eid: dict[str, str] = {}  # element id of each node written or required
        self._created: list[Any] = []  # node statements whose element ids are not read yet
        self._stored: set[str] = set()  # ids that were stored before the import
        self._keys: dict[str, set[str]] = {}  # relationship keys seen, per type
        self._rels: list[tuple[Any, int]] = []  # relationship statements, rows expected
        self._nodes = 0

    def write(self, blocks: Iterable[Block]) -> None:
        for block in blocks:
            if isinstance(block, NodeBlock):
                self._write_nodes(block)
            elif isinstance(block, Require):
                self._require(block)
            else:
                self._write_rels(block)

    def written(self) -> BatchResult:
        """Nodes and relationships written, once every statement has run."""
        self._read_created()
        rels = 0
        for result, rows in self._rels:
            if result.single(strict=True)["c"] != rows:
                raise NotFast("关系的端点不存在")
            rels += rows
        return BatchResult(self._nodes, rels, 0, 0)

    # ---- nodes -------------------------------------------------------------------------------
    def _write_nodes(self, block: NodeBlock) -> None:
        label = block.label
        if label not in LABELS:  # names in Cypher text come from the schema only
            raise NotFast(f"未知标签 {label!r}")
        query = (
            f"UNWIND $rows AS r CREATE (n:Entity:{label}) SET n = r "
            "RETURN collect(r.id) AS ids, collect(elementId(n)) AS eids"
        )
        rows = node_rows(block)
        for k in range(0, len(rows), self._chunk):
            chunk = rows[k : k + self._chunk]
            self._created.append(self._tx.run(query, rows=chunk))
            self._nodes += len(chunk)
            self._progress(len(chunk))

    def _read_created(self) -> None:
        for result in self._created:
            record = result.single(strict=True)
            self._eid.update(zip(record["ids"], record["eids"], strict=True))
        self._created.clear()

    def _require(self, block: Require) -> None:
        """Ids stored before the import that its relationships use: each must have one of
        the block's labels."""
        for record in self._tx.run(_REQUIRE, ids=block.ids):
            eid, labels = record["eid"], record["labels"]
            if eid is None or not block.labels.intersection(labels or ()):
                raise NotFast("引用的节点不存在或标签不符")
            self._eid[record["id"]] = eid
            self._stored.add(record["id"])

    # ---- relationships -----------------------------------------------------------------------
    def _write_rels(self, block: RelBlock) -> None:
        rtype = block.type
        if rtype not in REL_TYPES:
            raise NotFast(f"未知关系类型 {rtype!r}")
        self._check_unique(block)
        props = _rel_props(block)
        self._read_created()
        eid = self._eid
        try:
            starts = [eid[i] for i in block.starts.to_pylist()]
            ends = [eid[i] for i in block.ends.to_pylist()]
        except KeyError:
            raise NotFast("关系的端点不存在") from None
        old = self._between_stored(block)
        if old is None:
            self._send_rels(rtype, starts, ends, props, merge=False)
            return
        for merge in (True, False):
            keep = [o == merge for o in old]
            self._send_rels(
                rtype,
                [x for x, k in zip(starts, keep, strict=True) if k],
                [x for x, k in zip(ends, keep, strict=True) if k],
                None if props is None else [p for p, k in zip(props, keep, strict=True) if k],
                merge=merge,
            )

    def _between_stored(self, block: RelBlock) -> list[bool] | None:
        """Per row, whether both ends were stored before the import (the relationship may be
        stored too); ``None`` when no row is."""
        if not self._stored:
            return None
        stored = pa.array(list(self._stored), pa.string())
        both = pc.and_(
            pc.is_in(block.starts, value_set=stored), pc.is_in(block.ends, value_set=stored)
        )
        if not pc.any(both).as_py():
            return None
        return cast(list[bool], both.to_pylist())

    def _send_rels(
        self,
        rtype: str,
        starts: list[str],
        ends: list[str],
        props: list[dict[str, Any]] | None,
        *,
        merge: bool,
    ) -> None:
        if merge:
            write = f"MERGE (a)-[x:{rtype}]->(b)" + (" SET x += $p[i]" if props else "")
        else:
            write = f"CREATE (a)-[x:{rtype}]->(b)" + (" SET x = $p[i]" if props else "")
        query = f"{_ENDS}{write} RETURN count(*) AS c"
        for k in range(0, len(starts), self._chunk):
            end = k + self._chunk
            params: dict[str, Any] = {"s": starts[k:end], "e": ends[k:end]}
            if props is not None:
                params["p"] = props[k:end]
            n = len(params["s"])
            self._rels.append((self._tx.run(query, params), n))
            self._progress(n)

    def _check_unique(self, block: RelBlock) -> None:
        """The same relationship twice in the import: the general path merges the rows."""
        seen = self._keys.setdefault(block.type, set())
        keys = pc.binary_join_element_wise(block.starts, block.ends, "\x00").to_pylist()
        before = len(seen)
        seen.update(keys)
        if len(seen) - before != len(keys):
            raise NotFast("同一关系出现多次")

    def _progress(self, rows: int) -> None:
        if self._on_rows is not None:
            self._on_rows(rows)
