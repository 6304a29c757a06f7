"""The embedded store's bulk writer: SQL statements for the columnar fast path's blocks.

Each block (:mod:`chainatlas.graph.columnar`, already validated) becomes one ``INSERT … SELECT``
per chunk of rows that unpacks a JSON object inside SQLite, so Python never makes an object per
cell. Kept apart from :mod:`chainatlas.graph.embedded` so that opening a store does not load
pyarrow and numpy: they load with the first bulk import.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from chainatlas.graph.columnar import (
    BLOCK_ROWS,
    Block,
    NodeBlock,
    RelBlock,
    Require,
    json_escaped,
    json_object,
)

__all__ = ["bulk_jobs"]

_BULK_CHUNK = BLOCK_ROWS  # rows per statement: the blocks' own size


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


def _chunks(entries: pa.StringArray) -> Iterator[tuple[bytes, int]]:
    """JSON objects (UTF-8) of up to ``_BULK_CHUNK`` members (each member's text ends with a
    comma), cut straight from the Arrow string buffer."""
    offsets = np.frombuffer(entries.buffers()[1], dtype=np.int32)[entries.offset :]
    data = entries.buffers()[2]
    n = len(entries)
    for k in range(0, n, _BULK_CHUNK):
        end = min(k + _BULK_CHUNK, n)
        lo, hi = int(offsets[k]), int(offsets[end]) - 1  # without the last comma
        yield b"{" + data[lo:hi].to_pybytes() + b"}", end - k


def bulk_jobs(block: Block) -> Iterator[tuple[str, tuple[Any, ...], int]]:
    """(SQL, parameters, rows) for one block, in chunks of sorted rows; rows is -1 for an
    existence check.

    A chunk is one JSON object whose members are the rows, keyed by the node id or the start
    of the relationship: ``json_each`` hands out a member's key and value without parsing
    them again, which makes this about twice as fast as an array of rows. Members may repeat
    a key (a start with several ends); ``json_each`` keeps them all, in order. The text goes
    to SQLite as UTF-8 bytes (``CAST(? AS TEXT)``), never as a Python string.
    """
    if isinstance(block, Require):
        sql = (
            "SELECT count(*) FROM json_each(?) AS j LEFT JOIN nodes AS n ON n.id = j.value "
            "WHERE n.label IS NULL OR n.label NOT IN (SELECT value FROM json_each(?))"
        )
        yield (
            sql,
            (orjson.dumps(block.ids).decode(), orjson.dumps(sorted(block.labels)).decode()),
            -1,
        )
        return
    block = _in_order(block)
    if isinstance(block, NodeBlock):
        # "id":{props},
        parts = ['"', json_escaped(block.ids), '":', json_object(block.columns, len(block.ids))]
        # A stored node of the same label is merged (new values win, as in merge_props); one of
        # another label is left alone, and the shortfall in the row count sends the import to
        # the general path, which reports it.
        sql = (
            "INSERT INTO nodes (id, label, props) SELECT key, ?, value "
            "FROM json_each(CAST(? AS TEXT)) WHERE true ON CONFLICT (id) DO UPDATE SET "
            "props = json_patch(nodes.props, excluded.props) WHERE nodes.label = excluded.label"
        )
        label = block.label
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
        sql = (
            f'INSERT INTO rels (start, type, "end", props) SELECT key, ?, {columns} '
            "FROM json_each(CAST(? AS TEXT)) WHERE true "
            'ON CONFLICT (start, type, "end") DO UPDATE SET '
            "props = json_patch(rels.props, excluded.props)"
        )
        label = block.type
    members = pc.binary_join_element_wise(*parts, ",", "")
    for text, n in _chunks(cast(pa.StringArray, members)):
        yield sql, (label, text), n
