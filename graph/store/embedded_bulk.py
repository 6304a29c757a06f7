"""The embedded store's bulk writer: SQL statements for the fast import path's blocks, run on a
thread of their own.

Each block (:mod:`chainatlas.graph.store.blocks`, already checked) becomes one ``INSERT … SELECT``
per chunk of rows that unpacks a JSON object inside SQLite, so Python never makes an object per
cell. SQLite releases the GIL while it works, so the statements run on a writer thread
(:class:`BulkWriter`) while the caller reads and checks the next block. Kept apart from
:mod:`chainatlas.graph.store.embedded` so that opening a store does not load pyarrow and numpy: they
load with the first bulk import.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, cast

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from chainatlas.graph.store.arrow_json import joined, json_escaped, json_object
from chainatlas.graph.store.blocks import BLOCK_ROWS, Block, NodeBlock, NotFast, RelBlock, Require
from chainatlas.graph.store.contract import BatchResult

__all__ = ["BulkWriter", "Job", "bulk_jobs"]

_BULK_CHUNK = BLOCK_ROWS  # rows per statement: the blocks' own size


@dataclass(frozen=True)
class Job:
    """One statement of a bulk import: a ``check`` counts offending ids (there must be
    none); ``nodes`` and ``rels`` write ``rows`` rows (each must be written)."""

    kind: Literal["check", "nodes", "rels"]
    sql: str
    args: tuple[Any, ...]
    rows: int = 0


class BulkWriter:
    """Runs the jobs of one bulk import on a writer thread, inside the transaction the caller
    has begun on ``db``, and ends that transaction: ``finish`` commits, ``abort`` rolls back.

    The first failure stops the writing: later jobs are dropped, :meth:`put` answers False
    (the caller stops reading), and the transaction is rolled back at the end. A job whose
    rows cannot be written as given fails with :class:`NotFast`.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._commit = False
        self.nodes = 0
        self.rels = 0
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="chainatlas-bulk", daemon=True)
        self._thread.start()

    def put(self, job: Job) -> bool:
        """Queue ``job``; False once a job has failed."""
        if self.error is not None:
            return False
        self._jobs.put(job)
        return True

    def finish(self) -> BatchResult:
        """Wait for the queued jobs and commit; raises the first failure (rolled back)."""
        self._stop(commit=True)
        if self.error is not None:
            raise self.error
        return BatchResult(self.nodes, self.rels, 0, 0)

    def abort(self) -> None:
        """Drop what is queued and roll back (the caller raises its own error)."""
        self._stop(commit=False)

    def _stop(self, *, commit: bool) -> None:
        self._commit = commit  # read by the thread after the end marker below
        self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self.error is None:
                try:
                    self._execute(job)
                except sqlite3.IntegrityError:
                    self.error = NotFast("id 或关系已存在")
                except BaseException as exc:
                    self.error = exc
        self._end()

    def _execute(self, job: Job) -> None:
        cur = self._db.execute(job.sql, job.args)
        if job.kind == "check":
            if cur.fetchone()[0]:
                raise NotFast("引用的节点不存在或标签不符")
            return
        if cur.rowcount != job.rows:
            raise NotFast("节点标签与库中不符")
        if job.kind == "nodes":
            self.nodes += job.rows
        else:
            self.rels += job.rows

    def _end(self) -> None:
        db = self._db
        try:
            db.execute("COMMIT" if self._commit and self.error is None else "ROLLBACK")
        except BaseException as exc:
            if self.error is None:
                self.error = exc
            if db.in_transaction:
                db.execute("ROLLBACK")


def _in_order(block: NodeBlock | RelBlock) -> NodeBlock | RelBlock:
    """The block's rows sorted by key (so the writer appends to the B-tree instead of
    splitting pages all over it); files written by ``chainatlas export`` already are."""
    keys = [block.ids] if isinstance(block, NodeBlock) else [block.starts, block.ends]
    if len(keys[0]) < 2:
        return block
    a, b = keys[0][:-1], keys[0][1:]
    before = pc.less(a, b)
    if len(keys) == 2:
        same = pc.equal(a, b)
        before = pc.or_(before, pc.and_(same, pc.less_equal(keys[1][:-1], keys[1][1:])))
    if pc.all(before).as_py():
        return block
    table = pa.table({f"k{j}": k for j, k in enumerate(keys)})
    order = pc.sort_indices(table, sort_keys=[(f"k{j}", "ascending") for j in range(len(keys))])
    columns = [(name, values.take(order)) for name, values in block.columns]
    if isinstance(block, NodeBlock):
        return NodeBlock(block.label, block.ids.take(order), columns)
    return RelBlock(block.type, block.starts.take(order), block.ends.take(order), columns)


_CHECK = (
    "SELECT count(*) FROM json_each(?) AS j LEFT JOIN nodes AS n ON n.id = j.value "
    "WHERE n.label IS NULL OR n.label NOT IN (SELECT value FROM json_each(?))"
)
# A stored node of the same label is merged (new values win, as in merge_props); one of another
# label is left alone, and the shortfall in the row count sends the import to the general path,
# which reports it.
_NODES = (
    "INSERT INTO nodes (id, label, props) SELECT key, ?, value "
    "FROM json_each(CAST(? AS TEXT)) WHERE true ON CONFLICT (id) DO UPDATE SET "
    "props = json_patch(nodes.props, excluded.props) WHERE nodes.label = excluded.label"
)
_RELS = (
    'INSERT INTO rels (start, type, "end", props) SELECT key, ?, {columns} '
    "FROM json_each(CAST(? AS TEXT)) WHERE true "
    'ON CONFLICT (start, type, "end") DO UPDATE SET '
    "props = json_patch(rels.props, excluded.props)"
)


def bulk_jobs(block: Block) -> Iterator[Job]:
    """The jobs of one block, in chunks of sorted rows.

    A chunk is one JSON object whose members are the rows, keyed by the node id or the start
    of the relationship: ``json_each`` hands out a member's key and value without parsing
    them again, which makes this about twice as fast as an array of rows. Members may repeat
    a key (a start with several ends); ``json_each`` keeps them all, in order. The text goes
    to SQLite as UTF-8 bytes (``CAST(? AS TEXT)``), never as a Python string.
    """
    if isinstance(block, Require):
        ids, labels = orjson.dumps(block.ids).decode(), orjson.dumps(sorted(block.labels))
        yield Job("check", _CHECK, (ids, labels.decode()))
        return
    block = _in_order(block)
    kind: Literal["nodes", "rels"]
    if isinstance(block, NodeBlock):
        # "id":{props},
        parts = ['"', json_escaped(block.ids), '":', json_object(block.columns, len(block.ids))]
        kind, sql, name = "nodes", _NODES, block.label
    else:
        # "start":"end",  or with properties  "start":["end",{props}],
        start, end = json_escaped(block.starts), json_escaped(block.ends)
        if block.columns:
            props = json_object(block.columns, len(start))
            parts = ['"', start, '":["', end, '",', props, "]"]
            columns = "value->>0, value->1"
        else:
            parts = ['"', start, '":"', end, '"']
            columns = "value, '{}'"
        kind, sql, name = "rels", _RELS.format(columns=columns), block.type
    members = pc.binary_join_element_wise(*parts, ",", "")
    for text, n in joined(cast(pa.StringArray, members), _BULK_CHUNK):
        yield Job(kind, sql, (name, b"{" + text + b"}"), n)
