"""JSON text of Apache Arrow string arrays, made by Arrow's kernels without a Python object
per cell: how the fast import path hands values to a store, and how a store unpacks them.

The import pipeline (:mod:`chainatlas.graph.io.columnar`) turns checked cells into JSON text with
these; a store's bulk writer (:mod:`chainatlas.graph.store.embedded_bulk`,
:mod:`chainatlas.graph.store.neo4j_bulk`) joins them into the objects or arrays it sends. Loaded
with the first bulk import (it loads pyarrow), never when a store is opened.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from chainatlas.graph.store.blocks import Column

__all__ = ["flat", "joined", "json_escaped", "json_object", "json_strings", "json_values"]

_ESCAPE = re.compile(rb'["\\\x00-\x1f]')  # bytes that JSON strings escape
_CONTROL = "[\\x{0}-\\x{1f}]"  # in JSON strings as \\u00XX
_CONTROLS = frozenset(map(chr, range(32)))


def flat(col: pa.ChunkedArray | pa.Array) -> pa.StringArray:
    """A column as one string array (chunks concatenated)."""
    if isinstance(col, pa.ChunkedArray):
        col = pa.concat_arrays(col.chunks) if col.num_chunks != 1 else col.chunk(0)
    return typing.cast(pa.StringArray, col)


def json_escaped(values: pa.StringArray) -> pa.StringArray:
    """Each value's text as it stands between the quotes of a JSON string."""
    data = values.buffers()[2]
    if data is None or not _ESCAPE.search(data):  # the usual case: one scan of the bytes
        return values
    escaped = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"), '"', '\\"')
    flagged = values.filter(pc.match_substring_regex(values, _CONTROL)).to_pylist()
    for c in sorted(_CONTROLS.intersection("".join(flagged))):
        escaped = pc.replace_substring(escaped, c, f"\\u{ord(c):04x}")
    return typing.cast(pa.StringArray, escaped)


def json_strings(values: pa.StringArray) -> pa.StringArray:
    """Each value as a JSON string literal."""
    return flat(pc.binary_join_element_wise('"', json_escaped(values), '"', ""))


def json_values(values: list[Any]) -> pa.StringArray:
    """Python values as JSON text (null for ``None``)."""
    dumps = orjson.dumps
    return typing.cast(
        pa.StringArray,
        pa.array([None if v is None else dumps(v).decode() for v in values], pa.string()),
    )


def json_object(columns: list[Column], n: int) -> pa.StringArray:
    """Each row's properties as the text of a JSON object (absent ones left out)."""
    if not columns:
        return typing.cast(pa.StringArray, pa.array(["{}"] * n, pa.string()))
    keys = [orjson.dumps(name).decode() + ":" for name, _ in columns]
    if not any(values.null_count for _, values in columns):  # one pass
        parts: list[Any] = ["{"]
        for key, (_, values) in zip(keys, columns, strict=True):
            parts += [key, values, ","]
        parts[-1] = "}"
        return flat(pc.binary_join_element_wise(*parts, ""))
    # '"name":value,' per present value ("" when absent), joined, less the last comma.
    # (Not null_handling="skip": with a single array it drops the null rows.)
    members = [
        pc.fill_null(pc.binary_join_element_wise(key, values, ",", ""), "")
        for key, (_, values) in zip(keys, columns, strict=True)
    ]
    joined_members = pc.binary_join_element_wise(*members, "")
    inner = pc.utf8_slice_codeunits(joined_members, 0, -1)
    return flat(pc.binary_join_element_wise("{", inner, "}", ""))


def joined(entries: pa.StringArray, size: int) -> Iterator[tuple[bytes, int]]:
    """The texts of ``entries`` (each ending with a comma) concatenated in runs of up to
    ``size`` entries, less the last comma of each run, cut straight from the Arrow buffer:
    (UTF-8 bytes, entries in the run)."""
    offsets = np.frombuffer(entries.buffers()[1], dtype=np.int32)[entries.offset :]
    data = entries.buffers()[2]
    n = len(entries)
    for k in range(0, n, size):
        end = min(k + size, n)
        lo, hi = int(offsets[k]), int(offsets[end]) - 1  # without the last comma
        yield data[lo:hi].to_pybytes(), end - k
