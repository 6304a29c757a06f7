"""Held-out target queries: the question an investment team asks, built from a graph's own edges.

The question is "this segment already has several firms — who else should be in it?". To learn
or measure an answer without leaking it, some firms' product (``OPERATES_IN``) edges are hidden:
a share of the edges of a chosen group of firms, only on segments with a moderate number of
known firms (3–150 by default: a segment with one or two firms is mostly a near-duplicate
product name, one with hundreds is an accounting line or a catch-all such as 贸易). Each segment
that lost edges becomes a query; the firms whose edges were hidden are its answers; everything
else (features, neighbourhoods, the ranker's training) sees only the visible edges.

The same function builds the evaluation's report queries (``bench/eval_targets.py``, on the
firms the ranker is not developed on) and the ranker's own training queries
(:meth:`chainatlas.matching.targets.TargetIndex.fit`), so the two ask the same question.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

__all__ = ["Holdout", "code_group", "hide_edges"]

F = TypeVar("F", bound=Hashable)  # a firm
S = TypeVar("S", bound=Hashable)  # a segment


def code_group(firm_id: str, *, share: float = 0.5, salt: str = "chainatlas-targets") -> str:
    """``"report"`` or ``"dev"`` for a firm, fixed by a hash of its id (about ``share`` report).

    The split depends on nothing but the id, so a firm stays in its group whatever the seed,
    the data version or the order of the rows.

    >>> code_group("firm:600000") in ("dev", "report")
    True
    >>> code_group("firm:600000") == code_group("firm:600000")
    True
    """
    h = hashlib.blake2b(f"{salt}:{firm_id}".encode(), digest_size=8).digest()
    return "report" if int.from_bytes(h, "big") / 2**64 < share else "dev"


@dataclass
class Holdout(Generic[F, S]):
    """Visible edges and the queries whose answers were hidden from them."""

    visible: list[tuple[F, S]]
    queries: dict[S, set[F]]  # segment -> hidden firms (the answers)
    hidden: list[tuple[F, S]]


def hide_edges(
    edges: Sequence[tuple[F, S]],
    firms: Collection[F] | None,
    rng: np.random.Generator,
    *,
    share: float = 0.3,
    min_firms: int = 3,
    max_firms: int = 150,
    min_known: int = 1,
) -> Holdout[F, S]:
    """Hide ``share`` of the edges of ``firms`` (all firms when None) on segments that have
    ``min_firms``–``max_firms`` firms in ``edges``.

    A segment that lost edges is a query when at least ``min_known`` of its firms stay visible;
    its answers are the firms whose edge to it was hidden. Hidden edges are hidden whether or not
    their segment becomes a query, so nothing computed from the visible edges has seen them.

    >>> e = [(f"f{i}", "s") for i in range(6)] + [("f0", "t")]
    >>> h = hide_edges(e, {"f1", "f2"}, np.random.default_rng(0), share=1.0)
    >>> sorted(h.queries["s"]), ("f1", "s") in h.visible, ("f0", "t") in h.visible
    (['f1', 'f2'], False, True)
    """
    edges = list(dict.fromkeys(edges))
    size = Counter(s for _, s in edges)
    chosen = None if firms is None else set(firms)
    draw = rng.random(len(edges))
    visible: list[tuple[F, S]] = []
    hidden: list[tuple[F, S]] = []
    for (f, s), u in zip(edges, draw, strict=True):
        eligible = (chosen is None or f in chosen) and min_firms <= size[s] <= max_firms
        (hidden if eligible and u < share else visible).append((f, s))
    left = Counter(s for _, s in visible)
    queries: dict[S, set[F]] = {}
    for f, s in hidden:
        if left[s] >= min_known:
            queries.setdefault(s, set()).add(f)
    return Holdout(visible, queries, hidden)
