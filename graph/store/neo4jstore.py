"""The store contract on Neo4j (official driver, Bolt).

Every node carries its label and the shared label ``Entity``; ``id`` is unique per label and
across labels (uniqueness constraints made at start). Writes are ``UNWIND`` batches of
``batch_size`` rows inside one managed write transaction per :class:`~graph.store.contract.Batch`,
so a batch is all or nothing here too. Every value travels as a query parameter; the only names
written into Cypher text are labels and relationship types, and those come from the schema's
fixed vocabulary (``LABELS``, ``REL_TYPES``), never from input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from chainatlas.graph.errors import BackendUnavailable, Conflict, SchemaViolation
from chainatlas.graph.model import LABELS, REL_TYPES, Node, Relationship
from chainatlas.graph.store.contract import (
    Batch,
    BatchResult,
    Block,
    Counts,
    Direction,
    GraphStore,
    NotFast,
    RelKey,
    Subgraph,
    refuse_inside_serialized,
    serializing,
)

try:
    import neo4j
    from neo4j import GraphDatabase
except ImportError as exc:  # pragma: no cover - the extra is missing
    raise ImportError("pip install 'chainatlas[neo4j]'") from exc

__all__ = ["Neo4jStore"]

_LABEL_OF = "[l IN labels(n) WHERE l <> 'Entity'][0]"
#: The store's id and write counter (:meth:`Neo4jStore.revision`) live on one node outside the
#: graph's vocabulary (not an ``Entity``: no count, read or export sees it).
_META = (
    "MERGE (m:ChainatlasMeta {key: 'store'}) "
    "ON CREATE SET m.store_id = randomUUID(), m.revision = 0 "
)
_BUMP = _META + "SET m.revision = m.revision + 1"
#: The store's write lock: every writing transaction sets a property of the meta node first,
#: which holds the node's write lock until it commits, so writes commit one at a time and a
#: ``serialized()`` block's reads see no commit until its own (one order, meta node first:
#: no deadlock between writers).
_LOCK = _META + "SET m.writer = randomUUID()"


def _label(label: str) -> str:
    if label not in LABELS:
        raise SchemaViolation(f"未知标签 {label!r}")
    return label


def _type(rtype: str) -> str:
    if rtype not in REL_TYPES:
        raise SchemaViolation(f"未知关系类型 {rtype!r}")
    return rtype


def _node(record: Any) -> Node:
    props = dict(record["props"])
    props.pop("id", None)
    return Node(record["id"], record["label"], props)


def _redact(uri: str) -> str:
    """``bolt://user:secret@host`` → ``bolt://***@host``: credentials never reach a message."""
    scheme, sep, rest = uri.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return uri


class Neo4jStore(GraphStore):
    """A :class:`GraphStore` on a Neo4j server (5.x)."""

    backend = "neo4j"

    def __init__(
        self,
        uri: str,
        auth: tuple[str, str] | None = None,
        *,
        database: str = "neo4j",
        batch_size: int = 5000,
        bulk_batch_size: int = 10_000,
    ) -> None:
        if auth is not None and not auth[1]:
            auth = None
        try:
            self._driver = GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")
            self._driver.verify_connectivity()
        except Exception as exc:  # the driver raises many kinds
            raise BackendUnavailable(f"无法连接 Neo4j {_redact(uri)}: {exc}") from None
        self.database = database
        self.batch_size = batch_size
        self.bulk_batch_size = bulk_batch_size
        with self._driver.session(database=database) as s:
            s.run("CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE")
            for label in LABELS:
                s.run(
                    f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS "
                    f"FOR (n:{label}) REQUIRE n.id IS UNIQUE"
                )
            s.run(
                "CREATE CONSTRAINT chainatlas_meta IF NOT EXISTS "
                "FOR (m:ChainatlasMeta) REQUIRE m.key IS UNIQUE"
            )
            s.run(_META).consume()  # a database loaded by neo4j-admin gets its id here

    # ---- helpers ---------------------------------------------------------------------------
    def _read(self, query: str, **params: Any) -> list[Any]:
        records, _, _ = self._driver.execute_query(
            query, params, database_=self.database, routing_=neo4j.RoutingControl.READ
        )
        return records

    def _chunks(self, rows: list[Any]) -> Iterator[list[Any]]:
        for k in range(0, len(rows), self.batch_size):
            yield rows[k : k + self.batch_size]

    # ---- writes ----------------------------------------------------------------------------
    def apply(self, batch: Batch) -> BatchResult:
        refuse_inside_serialized(self)
        with self._driver.session(database=self.database) as session:
            try:
                result: BatchResult = session.execute_write(self._apply_tx, batch)
            except neo4j.exceptions.ConstraintError:
                if not batch.create_ids:
                    raise
                raise Conflict(f"{'、'.join(batch.create_ids)} 已存在，不能新建") from None
        return result

    @contextmanager
    def serialized(self) -> Iterator[Batch]:
        """See the contract: one transaction takes the store's write lock (:data:`_LOCK`)
        first; the block reads through the driver as usual (committed data, which no other
        write can change while the lock is held) and its batch is written in that
        transaction."""
        with self._driver.session(database=self.database) as session:
            tx = session.begin_transaction()
            try:
                tx.run(_LOCK).consume()
                batch = Batch()
                with serializing(self):
                    yield batch
                self._apply_tx(tx, batch)
                tx.commit()
            finally:
                tx.close()  # rolls back unless committed

    def _apply_tx(self, tx: Any, batch: Batch) -> BatchResult:
        if len(batch):
            tx.run(_LOCK).consume()  # before anything else (see _LOCK)
        ids = list(
            {n.id for n in batch.nodes} | {x for r in batch.relationships for x in (r.start, r.end)}
        )
        existing_nodes: dict[str, Node] = {}
        for chunk in self._chunks(ids):
            for rec in tx.run(
                f"MATCH (n:Entity) WHERE n.id IN $ids "
                f"RETURN n.id AS id, {_LABEL_OF} AS label, properties(n) AS props",
                ids=chunk,
            ):
                existing_nodes[rec["id"]] = _node(rec)
        existing_rels: dict[RelKey, Relationship] = {}
        keys = [list(r.key) for r in batch.relationships]
        for chunk in self._chunks(keys):
            for rec in tx.run(
                "UNWIND $keys AS k MATCH (a:Entity {id: k[0]})-[r]->(b:Entity {id: k[2]}) "
                "WHERE type(r) = k[1] RETURN k AS key, properties(r) AS props",
                keys=chunk,
            ):
                s, t, e = rec["key"]
                existing_rels[(s, t, e)] = Relationship(s, t, e, dict(rec["props"]))
        nodes, rels = self._validate(batch, existing_nodes, existing_rels)

        rel_deleted = 0
        for chunk in self._chunks([list(k) for k in dict.fromkeys(batch.delete_rel_keys)]):
            rec = tx.run(
                "UNWIND $keys AS k MATCH (a:Entity {id: k[0]})-[r]->(b:Entity {id: k[2]}) "
                "WHERE type(r) = k[1] DELETE r RETURN count(r) AS c",
                keys=chunk,
            ).single()
            rel_deleted += rec["c"] if rec else 0
        nodes_deleted = 0
        for chunk in self._chunks(list(dict.fromkeys(batch.delete_node_ids))):
            rec = tx.run(
                "UNWIND $ids AS i MATCH (n:Entity {id: i}) "
                "OPTIONAL MATCH (n)-[r]-() WITH n, count(r) AS c "
                "DETACH DELETE n RETURN count(n) AS n, sum(c) AS r",
                ids=chunk,
            ).single()
            if rec:
                nodes_deleted += rec["n"]
                rel_deleted += rec["r"] or 0
        # Nodes that must be new are CREATEd: read committed lets two transactions both see
        # an id absent, and then the uniqueness constraint refuses the later one (Conflict).
        new = set(batch.create_ids)
        by_label: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for n in nodes:
            how = "CREATE (n:Entity)" if n.id in new else "MERGE (n:Entity {id: row.id})"
            row = {"id": n.id, "props": {**n.props, "id": n.id}}
            by_label.setdefault((n.label, how), []).append(row)
        for (label, how), rows in by_label.items():
            for chunk in self._chunks(rows):
                tx.run(
                    f"UNWIND $rows AS row {how} SET n = row.props, n:{_label(label)}",
                    rows=chunk,
                )
        by_type: dict[str, list[dict[str, Any]]] = {}
        for r in rels:
            by_type.setdefault(r.type, []).append({"s": r.start, "e": r.end, "props": r.props})
        for rtype, rows in by_type.items():
            for chunk in self._chunks(rows):
                tx.run(
                    f"UNWIND $rows AS row MATCH (a:Entity {{id: row.s}}), (b:Entity {{id: row.e}}) "
                    f"MERGE (a)-[r:{_type(rtype)}]->(b) SET r = row.props",
                    rows=chunk,
                )
        if nodes or rels or nodes_deleted or rel_deleted:
            tx.run(_BUMP).consume()  # in the batch's transaction
        return BatchResult(len(nodes), len(rels), nodes_deleted, rel_deleted)

    # ---- bulk loading (the fast path of imports) ---------------------------------------------
    def bulk_insert(
        self, blocks: Iterable[Block], on_rows: Callable[[int], object] | None = None
    ) -> BatchResult:
        """New nodes and relationships in one transaction (see the contract and
        :mod:`chainatlas.graph.store.neo4j_bulk`): ``CREATE`` in large ``UNWIND`` statements, all or
        nothing. A node id stored already (the constraints refuse it), a missing endpoint or a
        relationship twice in the import raise :class:`NotFast` with nothing written, and the
        import takes the general path, which merges."""
        from chainatlas.graph.store.neo4j_bulk import BulkLoad

        refuse_inside_serialized(self)
        with self._driver.session(database=self.database) as session:
            tx = session.begin_transaction()
            try:
                tx.run(_LOCK).consume()
                load = BulkLoad(tx, self.bulk_batch_size, on_rows)
                load.write(blocks)
                result = load.written()
                tx.run(_BUMP).consume()
                tx.commit()
            except neo4j.exceptions.ConstraintError as exc:
                raise NotFast(f"id 已存在：{exc.message}") from None
            finally:
                tx.close()  # rolls back unless committed
        return result

    def clear(self) -> None:
        refuse_inside_serialized(self)
        with self._driver.session(database=self.database) as s:
            s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
            s.run(_BUMP).consume()  # a new store id: the meta node went with the rest

    def revision(self) -> str:
        """``<store id>-<writes>`` from the meta node (see the contract); Neo4j's reads are
        live, so this is the graph's state now."""
        recs = self._read(
            "OPTIONAL MATCH (m:ChainatlasMeta {key: 'store'}) "
            "RETURN m.store_id AS id, m.revision AS n"
        )
        rec = recs[0] if recs else None
        if rec is None or rec["id"] is None:
            return "-0"  # a database loaded by neo4j-admin and not written since
        return f"{rec['id']}-{rec['n']}"

    # ---- reads -----------------------------------------------------------------------------
    def get_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        ids = list(ids)
        out: dict[str, Node] = {}
        for chunk in self._chunks(ids):
            for rec in self._read(
                f"MATCH (n:Entity) WHERE n.id IN $ids "
                f"RETURN n.id AS id, {_LABEL_OF} AS label, properties(n) AS props",
                ids=chunk,
            ):
                out[rec["id"]] = _node(rec)
        return out

    def _match(self, label: str | None) -> str:
        return f"MATCH (n:{_label(label)})" if label is not None else "MATCH (n:Entity)"

    def find_nodes(
        self,
        label: str | None = None,
        props: dict[str, Any] | None = None,
        *,
        skip: int = 0,
        limit: int | None = None,
    ) -> list[Node]:
        q = (
            f"{self._match(label)} WHERE all(k IN keys($props) WHERE n[k] = $props[k]) "
            f"RETURN n.id AS id, {_LABEL_OF} AS label, properties(n) AS props "
            "ORDER BY n.id SKIP $skip"
        )
        if limit is not None:
            q += " LIMIT $limit"
        return [_node(r) for r in self._read(q, props=props or {}, skip=skip, limit=limit)]

    def count_nodes(self, label: str | None = None, props: dict[str, Any] | None = None) -> int:
        recs = self._read(
            f"{self._match(label)} WHERE all(k IN keys($props) WHERE n[k] = $props[k]) "
            "RETURN count(n) AS c",
            props=props or {},
        )
        return int(recs[0]["c"])

    def neighbours(
        self, node_id: str, types: Iterable[str] | None = None, direction: Direction = "out"
    ) -> list[tuple[Relationship, Node]]:
        wanted = list(types) if types is not None else None
        out: list[tuple[Relationship, Node]] = []
        patterns = {"out": ["-[r]->"], "in": ["<-[r]-"], "both": ["-[r]->", "<-[r]-"]}[direction]
        for pat in patterns:
            for rec in self._read(
                f"MATCH (a:Entity {{id: $id}}){pat}(n:Entity) "
                "WHERE $types IS NULL OR type(r) IN $types "
                "RETURN type(r) AS type, properties(r) AS rprops, n.id AS id, "
                f"{_LABEL_OF} AS label, properties(n) AS props",
                id=node_id,
                types=wanted,
            ):
                other = _node(rec)
                s, e = (node_id, other.id) if pat == "-[r]->" else (other.id, node_id)
                out.append((Relationship(s, rec["type"], e, dict(rec["rprops"])), other))
        out.sort(key=lambda p: (p[0].type, p[1].id))
        return out

    def get_relationships(self, keys: Iterable[RelKey]) -> dict[RelKey, Relationship]:
        out: dict[RelKey, Relationship] = {}
        for chunk in self._chunks([list(k) for k in keys]):
            for rec in self._read(
                "UNWIND $keys AS k MATCH (a:Entity {id: k[0]})-[r]->(b:Entity {id: k[2]}) "
                "WHERE type(r) = k[1] RETURN k AS key, properties(r) AS props",
                keys=chunk,
            ):
                s, t, e = rec["key"]
                out[(s, t, e)] = Relationship(s, t, e, dict(rec["props"]))
        return out

    def iter_nodes(self, label: str | None = None) -> Iterator[Node]:
        for rec in self._read(
            f"{self._match(label)} RETURN n.id AS id, {_LABEL_OF} AS label, "
            "properties(n) AS props ORDER BY n.id"
        ):
            yield _node(rec)

    def iter_relationships(self, type: str | None = None) -> Iterator[Relationship]:
        pattern = f"[r:{_type(type)}]" if type is not None else "[r]"
        for rec in self._read(
            f"MATCH (a:Entity)-{pattern}->(b:Entity) "
            "RETURN a.id AS s, type(r) AS t, b.id AS e, properties(r) AS props"
        ):
            yield Relationship(rec["s"], rec["t"], rec["e"], dict(rec["props"]))

    def counts(self) -> Counts:
        labels = {
            r["l"]: r["c"]
            for r in self._read(
                f"MATCH (n:Entity) WITH {_LABEL_OF} AS l RETURN l, count(*) AS c ORDER BY l"
            )
        }
        types = {
            r["t"]: r["c"]
            for r in self._read("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS c ORDER BY t")
        }
        return Counts(labels, types)

    def chain_subgraph(self, chain_id: str) -> Subgraph:
        """One round trip per hop kind instead of one per node (see the base class)."""
        chain = self.require_node(chain_id, "Chain")
        nodes: dict[str, Node] = {chain.id: chain}
        rels: dict[RelKey, Relationship] = {}
        ret = (
            "RETURN a.id AS s, type(r) AS t, b.id AS e, properties(r) AS rprops, "
            "n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props"
        )
        queries = [
            "MATCH (a:Chain {id: $id})-[r:IN_LAYOUT|FOCUS_REGION|EVOLVED_INTO]->(b) "
            "WITH a, r, b, b AS n " + ret,
            "MATCH (b:Chain {id: $id})<-[r:EVOLVED_INTO|CHAIN_MASTER_OF|SERVES|IN_CHAIN]-(a) "
            "WITH a, r, b, a AS n " + ret,
            "MATCH (a:Chain {id: $id})-[r:HAS_SEGMENT]->(b) WITH a, r, b, b AS n " + ret,
            "MATCH (:Chain {id: $id})-[:HAS_SEGMENT]->(top:Segment) "
            "MATCH p = (:Segment)-[:SUBSEGMENT_OF*1..]->(top) UNWIND relationships(p) AS r "
            "WITH DISTINCT r WITH r, startNode(r) AS a, endNode(r) AS b, startNode(r) AS n " + ret,
        ]
        for q in queries:
            for rec in self._read(q, id=chain_id):
                nodes[rec["id"]] = _node(rec)
                rels[(rec["s"], rec["t"], rec["e"])] = Relationship(
                    rec["s"], rec["t"], rec["e"], dict(rec["rprops"])
                )
        segs = [i for i, n in nodes.items() if n.label == "Segment"]
        for rec in self._read(
            "MATCH (a:Segment)-[r:UPSTREAM_OF]->(b:Segment) WHERE a.id IN $segs AND b.id IN $segs "
            "RETURN a.id AS s, b.id AS e, properties(r) AS rprops",
            segs=segs,
        ):
            rels[(rec["s"], "UPSTREAM_OF", rec["e"])] = Relationship(
                rec["s"], "UPSTREAM_OF", rec["e"], dict(rec["rprops"])
            )
        for rec in self._read(
            "MATCH (a)-[r:OPERATES_IN|SERVES]->(b:Segment) WHERE b.id IN $segs "
            "WITH a, r, b, a AS n " + ret,
            segs=segs,
        ):
            nodes[rec["id"]] = _node(rec)
            rels[(rec["s"], rec["t"], rec["e"])] = Relationship(
                rec["s"], rec["t"], rec["e"], dict(rec["rprops"])
            )
        return Subgraph(nodes, list(rels.values()))

    def close(self) -> None:
        self._driver.close()
