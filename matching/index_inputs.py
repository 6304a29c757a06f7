"""What a ranking index is built from, read from a store in one pass, and a digest of it.

A fitted :class:`~chainatlas.matching.targets.TargetIndex` is a function of these inputs, the
home area and the code that builds it — nothing else in the graph. The store's revision moves
with every committed write, also with the many that touch none of them (a project's follow-up,
a problem, a 十个一 entry, a goal, a project's stage), so the index cache
(:mod:`chainatlas.matching.index_cache`) keeps the digest of the inputs beside the revision: an
index built at one revision serves a later one whose inputs have the same digest, instead of
being built and trained again (20–40 s on the ckg data).

The digest is taken over the inputs exactly as the index reads them, in the order it reads
them (the store's order decides firm and segment numbers, and so the training draws): the same
digest means the same index would be built. Reading them costs about a second on the ckg data
(80k nodes); the digest itself tens of milliseconds.
"""

from __future__ import annotations

import dataclasses
import hashlib
from functools import cached_property
from typing import Any

import orjson

from chainatlas.graph.store.contract import GraphStore

__all__ = ["IndexInputs"]

#: Relationship types the index reads.
_TYPES = ("OPERATES_IN", "UPSTREAM_OF", "SUBSEGMENT_OF", "IN_INDUSTRY", "SUBINDUSTRY_OF")
_MASTER = "CHAIN_MASTER_OF"


@dataclasses.dataclass(frozen=True)
class IndexInputs:
    """The parts of the graph an index is built from (see ``TargetIndex``'s parameters)."""

    firms: list[dict[str, Any]]
    segments: list[tuple[str, str]]
    operates: list[tuple[str, str, Any]]
    product_edges: list[tuple[str, str, str]]
    firm_industry: list[tuple[str, str]]
    industry_parents: list[tuple[str, str]]
    industry_names: dict[str, str]
    chain_masters: list[str]

    @classmethod
    def read(cls, store: GraphStore) -> IndexInputs:
        """The inputs as the store holds them now: every firm with all its properties (the
        index keeps them, and shows names and regions), segments, the five relationship types
        above with ``OPERATES_IN``'s weight, industry names and chain masters. Relationships
        are read in one pass (a pass per type read the whole graph seven times)."""
        firms = [{"id": n.id, **n.props} for n in store.iter_nodes("Firm")]
        segments = [(n.id, n.name) for n in store.iter_nodes("Segment")]
        names = {n.id: n.name for n in store.iter_nodes("Industry")}
        rels: dict[str, list[Any]] = {t: [] for t in (*_TYPES, _MASTER)}
        for r in store.iter_relationships():
            rows = rels.get(r.type)
            if rows is not None:
                rows.append(r)
        return cls(
            firms,
            segments,
            [(r.start, r.end, r.props.get("weight")) for r in rels["OPERATES_IN"]],
            [(r.start, r.type, r.end) for t in ("UPSTREAM_OF", "SUBSEGMENT_OF") for r in rels[t]],
            [(r.start, r.end) for r in rels["IN_INDUSTRY"]],
            [(r.start, r.end) for r in rels["SUBINDUSTRY_OF"]],
            names,
            [r.start for r in rels[_MASTER]],
        )

    @cached_property
    def digest(self) -> str:
        """BLAKE2b of the inputs serialised in order (properties by key; stored properties
        never hold NaN, see ``graph.model``). A value JSON cannot hold (a Neo4j date) is
        written with its type's name."""
        body = orjson.dumps(
            [getattr(self, f.name) for f in dataclasses.fields(self)],
            option=orjson.OPT_SORT_KEYS,
            default=_tagged,
        )
        return hashlib.blake2b(body, digest_size=20).hexdigest()


def _tagged(value: object) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}:{value!r}"
