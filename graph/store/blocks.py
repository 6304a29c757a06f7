"""What a store's fast import path receives: blocks of already-checked columns.

Part of the store contract (:meth:`chainatlas.graph.store.contract.GraphStore.bulk_insert`): the
import pipeline (:mod:`chainatlas.graph.io.columnar`) makes the blocks, a store writes them, and
neither imports the other. A block holds Apache Arrow arrays, but this module does not load pyarrow
(only type checkers see it), so opening a store stays light: pyarrow is loaded by whoever makes
the blocks.

Every value in a block has passed the model's checks; each property column holds the JSON text
of each row's value (null where the row has none). What a store cannot write exactly as the
general path would (an id that exists with another label, a missing endpoint, an id twice) it
refuses with :class:`NotFast`, writing nothing, and the caller runs the general path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["BLOCK_ROWS", "Block", "Column", "NodeBlock", "NotFast", "RelBlock", "Require"]

#: Rows per block: a file is checked and handed on in slices of this size.
BLOCK_ROWS = 16_384

#: (property, JSON text of each row's value; null where absent)
Column: TypeAlias = "tuple[str, pa.StringArray]"


class NotFast(Exception):
    """The import needs the general path; the message says why. Raised by the block maker for
    a bundle it does not handle, and by a store for blocks it cannot write as given (it has
    written nothing then)."""


@dataclass
class NodeBlock:
    """Nodes of one label: their ids and property columns, row by row."""

    label: str
    ids: pa.StringArray
    columns: list[Column]


@dataclass
class RelBlock:
    """Relationships of one type: start and end ids and property columns, row by row. The
    endpoints are nodes of earlier blocks or ids named by an earlier :class:`Require`."""

    type: str
    starts: pa.StringArray
    ends: pa.StringArray
    columns: list[Column]


@dataclass
class Require:
    """Ids the import references but does not define: each must be stored with one of
    ``labels``. It comes before the relationship blocks that use them."""

    ids: list[str]
    labels: frozenset[str]


Block: TypeAlias = NodeBlock | RelBlock | Require
