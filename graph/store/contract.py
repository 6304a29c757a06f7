"""The store contract every backend implements, and the atomic batch it applies.

The basic operations are abstract; derived ones (single upserts, a chain's subgraph) have
default code written with the basic ones, which a backend may override when it can do better.
The fast import path is part of the contract too: :meth:`GraphStore.bulk_insert` takes the
checked blocks of :mod:`chainatlas.graph.store.blocks`; a store without one refuses with
:class:`~chainatlas.graph.store.blocks.NotFast` and the importer takes the general path (``apply``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from chainatlas.graph.errors import Conflict, NodeNotFound, SchemaViolation
from chainatlas.graph.model import (
    LABEL_ZH,
    LABELS,
    Node,
    Relationship,
    check_endpoints,
    validate_nodes,
    validate_relationship,
)
from chainatlas.graph.store.blocks import Block, NotFast

__all__ = [
    "Batch",
    "Block",
    "BatchResult",
    "Counts",
    "Direction",
    "GraphStore",
    "NotFast",
    "Subgraph",
    "begin_read_scope",
    "read_scope",
]

#: The stores that have looked for other processes' commits in the current read scope.
_READ_SCOPE: ContextVar[set[int] | None] = ContextVar("chainatlas_read_scope", default=None)


def begin_read_scope() -> None:
    """Start a read scope for the current context (an HTTP request, a CLI command): a store
    shared with other processes looks for their commits once, at the first read of the scope,
    instead of at every read; the reads of a scope see one state of the other processes' work
    (the scope's own writes are seen at once)."""
    _READ_SCOPE.set(set())


@contextmanager
def read_scope() -> Iterator[None]:
    """:func:`begin_read_scope` for a ``with`` block."""
    token = _READ_SCOPE.set(set())
    try:
        yield
    finally:
        _READ_SCOPE.reset(token)


def scope_checked(store: object) -> bool:
    """Whether ``store`` has looked for other processes' commits in this read scope."""
    seen = _READ_SCOPE.get()
    return seen is not None and id(store) in seen


def mark_scope_checked(store: object) -> None:
    """Record that ``store`` has looked, if there is a read scope."""
    seen = _READ_SCOPE.get()
    if seen is not None:
        seen.add(id(store))


#: The stores whose :meth:`GraphStore.serialized` block the current context is in.
_SERIALIZING: ContextVar[frozenset[int]] = ContextVar("chainatlas_serializing", default=frozenset())


@contextmanager
def serializing(store: object) -> Iterator[None]:
    """Mark the current context as inside ``store``'s ``serialized()`` block (for backends)."""
    token = _SERIALIZING.set(_SERIALIZING.get() | {id(store)})
    try:
        yield
    finally:
        _SERIALIZING.reset(token)


def refuse_inside_serialized(store: object) -> None:
    """A write outside the batch of a ``serialized()`` block of the same store would wait for
    the lock the block holds: a programming error, raised at once (for backends)."""
    if id(store) in _SERIALIZING.get():
        raise RuntimeError("inside store.serialized(): add the write to the block's batch")


Direction = Literal["out", "in", "both"]
RelKey = tuple[str, str, str]


@dataclass
class Batch:
    """Writes applied all together or not at all.

    Order of application: relationship deletions, node deletions (with their relationships),
    node upserts, relationship upserts. An upsert merges the given properties into an existing
    node or relationship; a property given as ``None`` is removed. A node added with
    :meth:`create_nodes` is new or nothing: when its id is stored already the whole batch is
    refused (:class:`Conflict`), checked inside the write transaction, so of two concurrent
    batches creating one id exactly one is written (a problem raised twice never replaces the
    first).
    """

    nodes: list[Node] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    delete_node_ids: list[str] = field(default_factory=list)
    delete_rel_keys: list[RelKey] = field(default_factory=list)
    #: Set by importers whose rows already passed :func:`validate_node`/``validate_relationship``:
    #: the store then skips re-validating properties (labels, types and endpoints are still
    #: checked). Merging two validated property sets gives a valid one, as properties are
    #: checked one by one.
    prevalidated: bool = False
    #: ids of :attr:`nodes` that must not be stored yet (:meth:`create_nodes`)
    create_ids: list[str] = field(default_factory=list)

    def upsert_nodes(self, nodes: Iterable[Node]) -> Batch:
        self.nodes.extend(nodes)
        return self

    def create_nodes(self, nodes: Iterable[Node]) -> Batch:
        """Add nodes that must be new: the batch fails with :class:`Conflict` if one is
        stored already."""
        nodes = list(nodes)
        self.nodes.extend(nodes)
        self.create_ids.extend(n.id for n in nodes)
        return self

    def upsert_relationships(self, rels: Iterable[Relationship]) -> Batch:
        self.relationships.extend(rels)
        return self

    def delete_nodes(self, ids: Iterable[str]) -> Batch:
        self.delete_node_ids.extend(ids)
        return self

    def delete_relationships(self, keys: Iterable[RelKey]) -> Batch:
        self.delete_rel_keys.extend(keys)
        return self

    def __len__(self) -> int:
        return (
            len(self.nodes)
            + len(self.relationships)
            + len(self.delete_node_ids)
            + len(self.delete_rel_keys)
        )


@dataclass(frozen=True)
class BatchResult:
    nodes_written: int
    relationships_written: int
    nodes_deleted: int
    relationships_deleted: int


@dataclass
class Counts:
    labels: dict[str, int]
    types: dict[str, int]

    @property
    def nodes(self) -> int:
        return sum(self.labels.values())

    @property
    def relationships(self) -> int:
        return sum(self.types.values())


@dataclass
class Subgraph:
    nodes: dict[str, Node]
    relationships: list[Relationship]


def merge_props(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """Merge ``new`` into ``old``; keys whose new value is ``None`` are removed."""
    out = dict(old or {})
    for k, v in new.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


class GraphStore(ABC):
    """What every feature needs from a graph backend."""

    backend: str = "abstract"

    # ---- basic operations -------------------------------------------------------------
    @abstractmethod
    def apply(self, batch: Batch) -> BatchResult:
        """Validate and write ``batch`` atomically; on any error nothing is written."""

    @abstractmethod
    def serialized(self) -> AbstractContextManager[Batch]:
        """``with store.serialized() as b:`` read, check, and add writes to ``b``, which is
        applied at the end of the block — with the store's write lock held from the start of
        the block to the commit, so that no write of any thread or process commits between
        the block's reads and its own (a read-modify-write: a list entry appended, a state
        moved after checking the state it moves from, a sequence number counted).

        The block's reads see every write committed before it began. A block that raises
        writes nothing. Writes inside the block go into ``b``: calling :meth:`apply` (or
        :meth:`batch`, :meth:`upsert_nodes` …) of the same store inside it raises
        ``RuntimeError`` instead of waiting for the lock the block holds.
        """

    @abstractmethod
    def get_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        """The nodes among ``ids`` that exist, by id."""

    @abstractmethod
    def find_nodes(
        self,
        label: str | None = None,
        props: dict[str, Any] | None = None,
        *,
        skip: int = 0,
        limit: int | None = None,
    ) -> list[Node]:
        """Nodes with ``label`` whose properties equal ``props``, ordered by id."""

    @abstractmethod
    def count_nodes(self, label: str | None = None, props: dict[str, Any] | None = None) -> int:
        """How many nodes :meth:`find_nodes` would return without paging."""

    @abstractmethod
    def neighbours(
        self, node_id: str, types: Iterable[str] | None = None, direction: Direction = "out"
    ) -> list[tuple[Relationship, Node]]:
        """Relationships of ``node_id`` of the given types, each with the node at the other end."""

    @abstractmethod
    def get_relationships(self, keys: Iterable[RelKey]) -> dict[RelKey, Relationship]:
        """The relationships among ``keys`` that exist."""

    @abstractmethod
    def iter_nodes(self, label: str | None = None) -> Iterator[Node]:
        """Every node (of ``label``), in id order."""

    @abstractmethod
    def iter_relationships(self, type: str | None = None) -> Iterator[Relationship]:
        """Every relationship (of ``type``)."""

    @abstractmethod
    def counts(self) -> Counts:
        """Node counts by label and relationship counts by type."""

    @abstractmethod
    def clear(self) -> None:
        """Remove everything."""

    @abstractmethod
    def close(self) -> None:
        """Release files and connections."""

    @abstractmethod
    def revision(self) -> str:
        """A stamp of the committed graph that the reads of the current read scope see.

        It changes with every committed write of any process (:meth:`apply` of a non-empty
        batch, :meth:`bulk_insert`, :meth:`clear`) — counted in the same transaction as the
        write, so a write that is rolled back changes nothing — and it is never the same for
        two stores (it starts with an id drawn when the store is made). Derived data (the
        ranking index) is keyed on it: read it *before* the reads it stamps, so that a write
        between the two makes the stamp older than the data, never newer.
        """

    def quick_counts(self) -> Counts:
        """:meth:`counts` as cheaply as the store can give them, for liveness checks: they
        may be newer than the current read scope's state. The same as ``counts()`` by
        default."""
        return self.counts()

    def warm(self) -> None:
        """Get ready to answer reads quickly (the embedded store loads its graph); a service
        calls it in the background after start-up. Nothing to do by default."""
        return None

    def bulk_insert(
        self, blocks: Iterable[Block], on_rows: Callable[[int], object] | None = None
    ) -> BatchResult:
        """Write checked blocks (the fast import path) all together or not at all.

        ``blocks`` come from :mod:`chainatlas.graph.io.columnar`: node blocks first, then for
        each relationship file the ids it needs from the store (:class:`Require`) and its
        relationship blocks. A store writes exactly what :meth:`apply` would write for the
        same rows, and calls ``on_rows`` with the rows of each piece written.

        Raises
        ------
        NotFast
            When the store has no fast path (the default, raised before any block is read),
            when it cannot write a row as given (an id stored with another label, a missing
            endpoint …), or when ``blocks`` raises it. Nothing is written; the caller runs the
            general path, which writes or reports every row.
        """
        raise NotFast(f"{self.backend} 后端没有快速导入")

    # ---- derived operations -------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """``with store.batch() as b: ...`` applies everything added to ``b`` at the end."""
        b = Batch()
        yield b
        self.apply(b)

    def upsert_nodes(self, nodes: Iterable[Node]) -> BatchResult:
        return self.apply(Batch().upsert_nodes(nodes))

    def upsert_relationships(self, rels: Iterable[Relationship]) -> BatchResult:
        return self.apply(Batch().upsert_relationships(rels))

    def delete_nodes(self, ids: Iterable[str]) -> BatchResult:
        return self.apply(Batch().delete_nodes(ids))

    def delete_relationships(self, keys: Iterable[RelKey]) -> BatchResult:
        return self.apply(Batch().delete_relationships(keys))

    def get_node(self, node_id: str) -> Node | None:
        return self.get_nodes([node_id]).get(node_id)

    def require_node(self, node_id: str, label: str | None = None) -> Node:
        """The node ``node_id``; :class:`NodeNotFound` if absent or of another label."""
        node = self.get_node(node_id)
        if node is None or (label is not None and node.label != label):
            raise NodeNotFound(node_id, LABEL_ZH.get(label or "", "节点"))
        return node

    def chain_subgraph(self, chain_id: str) -> Subgraph:
        """A chain with its layout, lineage, segments (and sub-segments, transitively), the
        flows between them, firms operating in them, chain masters, serving platforms, funds
        and talent pools, focus regions and the chain's projects."""
        chain = self.require_node(chain_id, "Chain")
        nodes: dict[str, Node] = {chain.id: chain}
        rels: dict[RelKey, Relationship] = {}

        def take(pairs: list[tuple[Relationship, Node]]) -> list[Node]:
            for r, n in pairs:
                rels[r.key] = r
                nodes[n.id] = n
            return [n for _, n in pairs]

        take(self.neighbours(chain_id, ["IN_LAYOUT", "FOCUS_REGION"], "out"))
        take(self.neighbours(chain_id, ["EVOLVED_INTO"], "both"))
        take(self.neighbours(chain_id, ["CHAIN_MASTER_OF", "SERVES", "IN_CHAIN"], "in"))
        frontier = take(self.neighbours(chain_id, ["HAS_SEGMENT"], "out"))
        segments: set[str] = set()
        while frontier:
            nxt: list[Node] = []
            for seg in frontier:
                if seg.id in segments:
                    continue
                segments.add(seg.id)
                nxt.extend(take(self.neighbours(seg.id, ["SUBSEGMENT_OF"], "in")))
            frontier = nxt
        for seg_id in segments:
            for r, n in self.neighbours(seg_id, ["UPSTREAM_OF"], "out"):
                if n.id in segments:
                    rels[r.key] = r
            take(self.neighbours(seg_id, ["OPERATES_IN", "SERVES"], "in"))
        return Subgraph(nodes, list(rels.values()))

    # ---- shared validation -----------------------------------------------------------------
    def _validate(
        self,
        batch: Batch,
        existing_nodes: dict[str, Node],
        existing_rels: dict[RelKey, Relationship],
    ) -> tuple[list[Node], list[Relationship]]:
        """Validate ``batch`` against the nodes and relationships it touches that already exist.

        Returns the merged nodes and relationships to write. Backends call this inside their
        write transaction, after fetching ``existing_nodes`` (every id the batch upserts or
        references) and ``existing_rels`` (every relationship key it upserts).
        """
        deleted = set(batch.delete_node_ids)
        taken = [i for i in batch.create_ids if i in existing_nodes and i not in deleted]
        if taken:
            raise Conflict(f"{taken[0]} 已存在，不能新建（已有的不会被替换）")
        merged_nodes: dict[str, Node] = {n.id: n for n in batch.nodes}
        if (
            len(merged_nodes) != len(batch.nodes)
            or deleted
            or any(i in existing_nodes for i in merged_nodes)
        ):
            # slow path: merge repeated ids and stored properties in order
            merged_nodes = {}
            for n in batch.nodes:
                prev = merged_nodes.get(n.id)
                if prev is None and n.id not in deleted:
                    prev = existing_nodes.get(n.id)
                if prev is not None and prev.label != n.label:
                    raise SchemaViolation(
                        f"节点 {n.id} 已是 {prev.label}，不能改为 {n.label}（id 全局唯一）"
                    )
                merged_nodes[n.id] = (
                    Node(n.id, n.label, merge_props(prev.props, n.props)) if prev else n
                )
        if batch.prevalidated:
            for n in merged_nodes.values():
                if n.label not in LABELS:
                    raise SchemaViolation(f"未知标签 {n.label!r}")
        else:
            merged_nodes = {n.id: n for n in validate_nodes(list(merged_nodes.values()))}

        labels = {i: n.label for i, n in existing_nodes.items() if i not in deleted}
        labels.update((i, n.label) for i, n in merged_nodes.items())

        def label_of(node_id: str) -> str:
            label = labels.get(node_id)
            if label is None:
                raise NodeNotFound(node_id)
            return label

        merged_rels: dict[RelKey, Relationship] = {}
        deleted_keys = set(batch.delete_rel_keys)
        simple = not existing_rels and not deleted_keys
        for r in batch.relationships:
            key = (r.start, r.type, r.end)
            if simple and key not in merged_rels:
                rel = r
            else:
                prev_r = merged_rels.get(key)
                if (
                    prev_r is None
                    and key not in deleted_keys
                    and not (r.start in deleted or r.end in deleted)
                ):
                    prev_r = existing_rels.get(key)
                props = merge_props(prev_r.props, r.props) if prev_r else r.props
                rel = Relationship(r.start, r.type, r.end, props)
            if batch.prevalidated:
                check_endpoints(rel, label_of(r.start), label_of(r.end))
                merged_rels[key] = rel
            else:
                merged_rels[key] = validate_relationship(rel, label_of(r.start), label_of(r.end))
        return list(merged_nodes.values()), list(merged_rels.values())

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
