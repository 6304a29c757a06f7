"""The embedded default store: a networkx graph in memory over SQLite in WAL mode.

Every write is one SQLite transaction committed with ``synchronous=FULL`` before the call
returns, so an acknowledged write survives ``kill -9`` and power loss, and a batch is all or
nothing. The networkx graph is updated only after the commit. Other processes writing the same
file (an import while the service runs) are noticed through ``PRAGMA data_version`` and the
graph is reloaded before the next read.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from chainatlas.graph.errors import StoreBusy
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import (
    Batch,
    BatchResult,
    Block,
    Counts,
    Direction,
    GraphStore,
    NotFast,
    RelKey,
    mark_scope_checked,
    refuse_inside_serialized,
    scope_checked,
    serializing,
)

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["EmbeddedStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    props TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels (
    start TEXT NOT NULL,
    type TEXT NOT NULL,
    "end" TEXT NOT NULL,
    props TEXT NOT NULL,
    PRIMARY KEY (start, type, "end")
) WITHOUT ROWID;
DROP INDEX IF EXISTS rels_end;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


_CHUNK = 900  # ids per "IN (...)" query, under SQLite's parameter limit
_MIRROR_LIMIT = 20_000  # bigger batches are reloaded lazily instead of mirrored
#: Seconds a write waits for another process's write lock before :class:`StoreBusy` (a
#: setting: ``CHAINATLAS_WRITE_WAIT``).
WRITE_WAIT = 10.0
#: Milliseconds SQLite retries a busy read (WAL readers rarely meet one: only around a
#: checkpoint or recovery).
_READ_BUSY_MS = 5000
#: The write counter of :meth:`EmbeddedStore.revision`, bumped inside each write transaction.
_BUMP = (
    "INSERT INTO meta (key, value) VALUES ('revision', '1') "
    "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
)
_NEW_ID = "INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', ?)"
_REVISION = "SELECT key, value FROM meta WHERE key IN ('store_id', 'revision')"


def _dumps(props: dict[str, Any]) -> str:
    return orjson.dumps(props).decode()


def _new_graph() -> nx.MultiDiGraph:
    """An empty graph. networkx (~0.2 s to import) is imported with the first load, not when
    the store is opened: a service answers before it, a light command may never need it."""
    import networkx as nx

    return nx.MultiDiGraph()


class EmbeddedStore(GraphStore):
    """networkx in memory, SQLite on disk (``path`` is the database file)."""

    backend = "memory"

    def __init__(self, path: str | Path, *, write_wait: float = WRITE_WAIT) -> None:
        self.path = Path(path)
        self.write_wait = write_wait
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()  # one writer of this process at a time
        self._peek: sqlite3.Connection | None = None  # counts before the graph is loaded
        self._peek_lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        # 16 KiB pages for a new file (a no-op on an existing one): bulk imports write ~13 %
        # faster than with the default 4 KiB (bench/import_ckg.py), and the whole graph is
        # read at once anyway.
        self._db.execute("PRAGMA page_size=16384")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(f"PRAGMA busy_timeout={_READ_BUSY_MS}")
        self._db.execute("PRAGMA cache_size=-262144")  # up to 256 MiB of page cache
        self._db.execute("PRAGMA temp_store=MEMORY")
        self._db.executescript(_SCHEMA)
        self._g: nx.MultiDiGraph  # set by the first load (read only while self._loaded)
        self._by_label: dict[str, set[str]] = {}
        self._version = self._data_version()
        self._loaded = False
        self._revision = ""  # the loaded graph's (see ``revision``)
        self._give_id()

    def _give_id(self) -> None:
        """Draw the store's id for :meth:`revision` if it has none yet (a file made before
        revisions were counted gets one at its first write otherwise: a read-only file keeps
        the empty id)."""
        if self._db.execute("SELECT 1 FROM meta WHERE key = 'store_id'").fetchone():
            return
        self._db.execute("PRAGMA busy_timeout=0")  # never wait for another writer here
        try:
            self._db.execute(_NEW_ID, (uuid.uuid4().hex,))
        except sqlite3.OperationalError:  # read-only, or another process is writing
            pass
        finally:
            self._db.execute(f"PRAGMA busy_timeout={_READ_BUSY_MS}")

    # ---- loading ---------------------------------------------------------------------------
    def _data_version(self) -> int:
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def _sync(self) -> None:
        """Load the graph if it is not loaded or another connection has committed since (once
        per read scope, see :func:`~chainatlas.graph.store.contract.begin_read_scope`; else at
        every read)."""
        if self._loaded and scope_checked(self):
            return
        with self._lock:
            mark_scope_checked(self)
            version = self._data_version()
            if self._loaded and version == self._version:
                return
            self._load()
            self._version = version

    def _load(self) -> None:
        """Read the graph and its revision from one snapshot (a read transaction, unless the
        caller's write transaction is open)."""
        g = _new_graph()
        by_label: dict[str, set[str]] = {}
        db = self._db
        own = not db.in_transaction
        if own:
            db.execute("BEGIN")
        try:
            revision = self._stored_revision()
            cur = db.execute("SELECT id, label, props FROM nodes")
            loads = orjson.loads
            g.add_nodes_from((i, {"label": lab, "props": loads(p)}) for i, lab, p in cur)
            cur = db.execute('SELECT start, type, "end", props FROM rels')
            g.add_edges_from((s, e, t, {"props": loads(p)}) for s, t, e, p in cur)
        finally:
            if own:
                db.execute("COMMIT")
        for node_id, data in g.nodes(data=True):
            by_label.setdefault(data["label"], set()).add(node_id)
        self._g, self._by_label, self._loaded = g, by_label, True
        self._revision = revision

    def _stored_revision(self) -> str:
        stored = dict(self._db.execute(_REVISION).fetchall())
        return f"{stored.get('store_id', '')}-{stored.get('revision', '0')}"

    def _count_write(self) -> str:
        """Count a write inside the open write transaction; the revision it makes."""
        self._db.execute(_NEW_ID, (uuid.uuid4().hex,))
        self._db.execute(_BUMP)
        return self._stored_revision()

    def _fetch_existing(self, batch: Batch) -> tuple[dict[str, Node], dict[RelKey, Relationship]]:
        """The stored nodes and relationships that ``batch`` touches (read inside the write
        transaction, from the graph when loaded, else from SQLite)."""
        ids = {n.id for n in batch.nodes}
        ends = {x for r in batch.relationships for x in (r.start, r.end)} - ids
        nodes: dict[str, Node] = {}
        rels: dict[RelKey, Relationship] = {}
        if self._loaded:
            gn = self._g._node
            for i in ids | ends:
                data = gn.get(i)
                if data is not None:
                    nodes[i] = Node(i, data["label"], data["props"])
            for r in batch.relationships:
                edata = self._g.get_edge_data(r.start, r.end, r.type)
                if edata is not None:
                    rels[r.key] = Relationship(r.start, r.type, r.end, edata["props"])
            return nodes, rels
        if not (ids or ends) or self._db.execute("SELECT 1 FROM nodes LIMIT 1").fetchone() is None:
            return nodes, rels
        # Full nodes for those upserted (to merge), labels only for relationship endpoints.
        for wanted, cols in ((list(ids), "id, label, props"), (list(ends), "id, label, NULL")):
            for k in range(0, len(wanted), _CHUNK):
                chunk = wanted[k : k + _CHUNK]
                q = f"SELECT {cols} FROM nodes WHERE id IN ({','.join('?' * len(chunk))})"
                for i, lab, p in self._db.execute(q, chunk):
                    nodes[i] = Node(i, lab, orjson.loads(p) if p is not None else {})
        if batch.relationships and self._db.execute("SELECT 1 FROM rels LIMIT 1").fetchone():
            keys = list(dict.fromkeys(r.key for r in batch.relationships))
            step = _CHUNK // 3
            for k in range(0, len(keys), step):
                kchunk = keys[k : k + step]
                q = (
                    'SELECT start, type, "end", props FROM rels WHERE (start, type, "end") IN '
                    f"(VALUES {','.join(['(?,?,?)'] * len(kchunk))})"
                )
                flat = [x for key in kchunk for x in key]
                for s, t, e, p in self._db.execute(q, flat):
                    rels[(s, t, e)] = Relationship(s, t, e, orjson.loads(p))
        return nodes, rels

    # ---- writes ----------------------------------------------------------------------------
    @contextmanager
    def _writing(self) -> Iterator[None]:
        """SQLite's write lock for this process's one writer: ``BEGIN IMMEDIATE``, tried again
        and again for up to ``write_wait`` seconds while another process holds the lock —
        without holding the reads' lock meanwhile, so reads keep answering — then
        :class:`StoreBusy`. The body runs inside the open transaction and ends it."""
        refuse_inside_serialized(self)
        if not self._write_lock.acquire(timeout=self.write_wait):
            raise StoreBusy(self.write_wait)
        try:
            deadline = time.monotonic() + self.write_wait
            pause = 0.005
            while not self._try_begin():
                if time.monotonic() >= deadline:
                    raise StoreBusy(self.write_wait)
                time.sleep(pause)
                pause = min(pause * 2, 0.1)
            try:
                yield
            finally:
                if self._db.in_transaction:  # the body failed before it could end it
                    with self._lock:
                        self._db.execute("ROLLBACK")
        finally:
            self._write_lock.release()

    def _try_begin(self) -> bool:
        """One attempt at ``BEGIN IMMEDIATE``; False when another process holds the lock."""
        with self._lock:
            db = self._db
            db.execute("PRAGMA busy_timeout=0")
            try:
                db.execute("BEGIN IMMEDIATE")
                return True
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                return False
            finally:
                db.execute(f"PRAGMA busy_timeout={_READ_BUSY_MS}")

    def apply(self, batch: Batch) -> BatchResult:
        with self._writing():
            return self._apply_open(batch)

    @contextmanager
    def serialized(self) -> Iterator[Batch]:
        """See the contract. The block runs inside the write transaction (``BEGIN
        IMMEDIATE``: other processes' writes wait, this process's writers wait for the write
        lock), over the graph as last committed — reloaded first if another process has
        committed since it was loaded; the reads of other threads go on meanwhile."""
        with self._writing():
            with self._lock:
                version = self._data_version()
                if not self._loaded or version != self._version:
                    self._load()  # inside the open transaction: the last commit
                    self._version = version
                mark_scope_checked(self)
            batch = Batch()
            with serializing(self):
                yield batch
            self._apply_open(batch)

    def _apply_open(self, batch: Batch) -> BatchResult:
        """Write ``batch`` in the transaction :meth:`_writing` has opened, and commit."""
        with self._lock:
            db = self._db
            try:
                # Another process may have committed: drop a stale graph before validating.
                version = self._data_version()
                if version != self._version:
                    self._loaded = False
                    self._version = version
                existing_nodes, existing_rels = self._fetch_existing(batch)
                nodes, rels = self._validate(batch, existing_nodes, existing_rels)
                del_keys = self._present_rels(batch.delete_rel_keys)
                del_ids = self._present_nodes(batch.delete_node_ids)
                detached: list[RelKey] = []
                if del_ids:
                    # the attached relationships come from the graph (no index on "end")
                    if not self._loaded:
                        self._load()
                    g = self._g
                    gone = set(del_keys)
                    for i in del_ids:
                        for a, b, t in [*g.in_edges(i, keys=True), *g.out_edges(i, keys=True)]:
                            if (a, t, b) not in gone:
                                gone.add((a, t, b))
                                detached.append((a, t, b))
                if del_keys or detached:
                    db.executemany(
                        'DELETE FROM rels WHERE start=? AND type=? AND "end"=?', del_keys + detached
                    )
                if del_ids:
                    db.executemany("DELETE FROM nodes WHERE id=?", [(i,) for i in del_ids])
                if nodes:
                    db.executemany(
                        "INSERT OR REPLACE INTO nodes (id, label, props) VALUES (?, ?, ?)",
                        sorted((n.id, n.label, _dumps(n.props)) for n in nodes),
                    )
                if rels:
                    db.executemany(
                        'INSERT OR REPLACE INTO rels (start, type, "end", props) VALUES (?,?,?,?)',
                        sorted((r.start, r.type, r.end, _dumps(r.props)) for r in rels),
                    )
                wrote = bool(nodes or rels or del_ids or del_keys or detached)
                revision = self._count_write() if wrote else self._revision
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            # Committed: mirror in memory, or let a big batch be reloaded on the next read.
            if self._loaded and len(batch) > _MIRROR_LIMIT:
                self._loaded = False
            elif self._loaded:
                g = self._g
                for s, t, e in del_keys:
                    if g.has_edge(s, e, t):
                        g.remove_edge(s, e, t)
                for i in del_ids:
                    self._by_label[g.nodes[i]["label"]].discard(i)
                    g.remove_node(i)
                for n in nodes:
                    g.add_node(n.id, label=n.label, props=n.props)
                    self._by_label.setdefault(n.label, set()).add(n.id)
                for r in rels:
                    g.add_edge(r.start, r.end, key=r.type, props=r.props)
                self._revision = revision
            return BatchResult(len(nodes), len(rels), len(del_ids), len(del_keys) + len(detached))

    # ---- bulk loading (the fast path of imports) ---------------------------------------------
    #: SQLite's ``->`` operator (3.38) keeps JSON types when rows are unpacked in SQL.
    bulk_supported = sqlite3.sqlite_version_info >= (3, 38)

    def bulk_insert(
        self, blocks: Iterable[Block], on_rows: Callable[[int], object] | None = None
    ) -> BatchResult:
        """Upsert nodes and relationships block by block in one transaction (see the
        contract): each block is written with one statement per chunk that unpacks its rows
        from JSON inside SQLite (:mod:`chainatlas.graph.store.embedded_bulk`). Reading and checking
        the next block (this thread) overlaps with writing the previous one (a writer thread).
        The write lock is taken as for :meth:`apply` (waiting for another process's, then
        :class:`StoreBusy`).

        Rows whose node or relationship is stored already are merged as ``apply`` merges; a
        stored node of another label under the same id, a referenced node missing or of the
        wrong label, or an id twice in a block raise :class:`NotFast` with nothing written.
        """
        if not self.bulk_supported:
            raise NotFast("SQLite < 3.38")
        from chainatlas.graph.store.embedded_bulk import BulkWriter, bulk_jobs

        with self._writing(), self._lock:
            self._count_write()  # in the import's transaction: rolled back with it
            writer = BulkWriter(self._db)
            try:
                for job in (job for block in blocks for job in bulk_jobs(block)):
                    if not writer.put(job):
                        break
                    if on_rows is not None and job.rows:
                        on_rows(job.rows)
            except BaseException:
                writer.abort()
                raise
            result = writer.finish()
            self._loaded = False  # the graph is rebuilt on the next read
            self._version = self._data_version()
            return result

    def _present_nodes(self, ids: list[str]) -> list[str]:
        out = []
        for i in dict.fromkeys(ids):
            if self._db.execute("SELECT 1 FROM nodes WHERE id=?", (i,)).fetchone():
                out.append(i)
        return out

    def _present_rels(self, keys: list[RelKey]) -> list[RelKey]:
        out = []
        for k in dict.fromkeys(keys):
            q = 'SELECT 1 FROM rels WHERE start=? AND type=? AND "end"=?'
            if self._db.execute(q, k).fetchone():
                out.append(k)
        return out

    def clear(self) -> None:
        with self._writing(), self._lock:
            self._db.execute("DELETE FROM rels")
            self._db.execute("DELETE FROM nodes")
            revision = self._count_write()
            self._db.execute("COMMIT")
            self._g = _new_graph()
            self._by_label = {}
            self._loaded = True
            self._revision = revision
            self._version = self._data_version()

    # ---- reads -----------------------------------------------------------------------------
    def _node(self, node_id: str) -> Node:
        data = self._g.nodes[node_id]
        return Node(node_id, data["label"], dict(data["props"]))

    def get_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        self._sync()
        g = self._g
        return {i: self._node(i) for i in ids if i in g}

    def _matching(self, label: str | None, props: dict[str, Any] | None) -> list[str]:
        self._sync()
        g = self._g
        if label is not None:
            ids: Iterable[str] = self._by_label.get(label, ())
        else:
            ids = g.nodes
        if props:
            items = list(props.items())
            ids = [i for i in ids if all(g.nodes[i]["props"].get(k) == v for k, v in items)]
        return sorted(ids)

    def find_nodes(
        self,
        label: str | None = None,
        props: dict[str, Any] | None = None,
        *,
        skip: int = 0,
        limit: int | None = None,
    ) -> list[Node]:
        ids = self._matching(label, props)
        end = None if limit is None else skip + limit
        return [self._node(i) for i in ids[skip:end]]

    def count_nodes(self, label: str | None = None, props: dict[str, Any] | None = None) -> int:
        if not props:
            self._sync()
            if label is None:
                return int(self._g.number_of_nodes())
            return len(self._by_label.get(label, ()))
        return len(self._matching(label, props))

    def neighbours(
        self, node_id: str, types: Iterable[str] | None = None, direction: Direction = "out"
    ) -> list[tuple[Relationship, Node]]:
        self._sync()
        g = self._g
        if node_id not in g:
            return []
        wanted = set(types) if types is not None else None
        out: list[tuple[Relationship, Node]] = []
        if direction in ("out", "both"):
            for _, e, t, d in g.out_edges(node_id, keys=True, data=True):
                if wanted is None or t in wanted:
                    out.append((Relationship(node_id, t, e, dict(d["props"])), self._node(e)))
        if direction in ("in", "both"):
            for s, _, t, d in g.in_edges(node_id, keys=True, data=True):
                if wanted is None or t in wanted:
                    out.append((Relationship(s, t, node_id, dict(d["props"])), self._node(s)))
        out.sort(key=lambda p: (p[0].type, p[1].id))
        return out

    def get_relationships(self, keys: Iterable[RelKey]) -> dict[RelKey, Relationship]:
        self._sync()
        out = {}
        for s, t, e in keys:
            d = self._g.get_edge_data(s, e, t)
            if d is not None:
                out[(s, t, e)] = Relationship(s, t, e, dict(d["props"]))
        return out

    def iter_nodes(self, label: str | None = None) -> Iterator[Node]:
        for i in self._matching(label, None):
            yield self._node(i)

    def iter_relationships(self, type: str | None = None) -> Iterator[Relationship]:
        self._sync()
        for s, e, t, d in list(self._g.edges(keys=True, data=True)):
            if type is None or t == type:
                yield Relationship(s, t, e, dict(d["props"]))

    def counts(self) -> Counts:
        self._sync()
        labels = {k: len(v) for k, v in sorted(self._by_label.items()) if v}
        types: dict[str, int] = {}
        for _, _, t in self._g.edges(keys=True):
            types[t] = types.get(t, 0) + 1
        return Counts(labels, dict(sorted(types.items())))

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The live networkx graph (read-only use: algorithms, views)."""
        self._sync()
        return self._g

    def quick_counts(self) -> Counts:
        """The counts, from SQLite while the graph is not loaded yet: a health check or a
        start-up never waits for the graph to load."""
        if self._loaded:
            return self.counts()
        nodes, rels = self._stored_counts("nodes", "label"), self._stored_counts("rels", "type")
        return Counts(nodes, rels)

    def _stored_counts(self, table: str, column: str) -> dict[str, int]:
        """Rows of ``table`` (nodes or rels) by label or type, straight from SQLite, on a
        connection of their own (the main one may be busy loading the graph)."""
        q = f"SELECT {column}, count(*) FROM {table} GROUP BY {column} ORDER BY {column}"
        with self._peek_lock:
            if self._peek is None:
                self._peek = sqlite3.connect(self.path, check_same_thread=False)
            return {k: int(n) for k, n in self._peek.execute(q)}

    def revision(self) -> str:
        """``<store id>-<writes>`` of the graph this read scope sees (see the contract): read
        with the graph, from the same snapshot, and moved on by this process's writes."""
        self._sync()
        return self._revision

    def warm(self) -> None:
        """Load the graph now (a service does it in the background after start-up)."""
        self._sync()

    def close(self) -> None:
        with self._peek_lock:
            if self._peek is not None:
                self._peek.close()
                self._peek = None
        with self._lock:
            self._db.close()
