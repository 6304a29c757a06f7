"""What the graph says about a demand and a supply: may a supply of one region serve another,
which chains and segments count as the same need (and how close they are), and which firms
work in a segment.

Read from the store once per matching run and cached per question, so that the candidate
search asks the store a few hundred times for lists of tens of thousands, not once per pair.
"""

from __future__ import annotations

from chainatlas.graph.home import is_local
from chainatlas.graph.store.contract import Direction, GraphStore

__all__ = ["ElementGraph"]


class ElementGraph:
    """Region compatibility, chain/segment families and segment firms, from the store.

    Without a store every region is compatible with any other and a family holds only the
    chain and segment themselves.
    """

    def __init__(self, store: GraphStore | None, home: tuple[str, ...]) -> None:
        self.store = store
        self.home = home
        self.region_ok: dict[str, set[str]] = {}
        self.families: dict[tuple[str | None, str | None], dict[str, float]] = {}
        if store is None:
            return
        for n in store.find_nodes("Region"):
            ok = {n.name}
            for r, m in store.neighbours(n.id, ["OVERLAPS", "PART_OF"], "both"):
                if r.type == "OVERLAPS":
                    ok.add(m.name)
                elif r.start == n.id:  # n is part of m: a supply of the larger area serves n
                    ok.add(m.name)
            self.region_ok[n.name] = ok

    def region_compatible(self, demand: str | None, supply: str | None) -> bool:
        """True when a supply in region ``supply`` may serve a demand in ``demand``: the same
        region, an overlapping one (functional zones), or one the demand's region is part of
        (a city-wide supply serves every district); an unnamed region is compatible."""
        if not supply or not demand:
            return True
        if supply == demand:
            return True
        return supply in self.region_ok.get(demand, set())

    def family(self, chain: str | None, segment: str | None) -> dict[str, float]:
        """Keys (chain and segment ids) a supply may carry, with a proximity for each."""
        key = (chain, segment)
        if key not in self.families:
            fam: dict[str, float] = {}
            if segment:
                self._segment_family(segment, fam)
            if chain:
                self._chain_family(chain, bool(segment), fam)
            self.families[key] = fam
        return self.families[key]

    def _segment_family(self, segment: str, fam: dict[str, float]) -> None:
        """The segment (1.0), its super- and sub-segments (0.7) and the chains that have it or
        a segment above it (0.6: the same segment in another chain)."""
        fam[segment] = 1.0
        if self.store is None:
            return
        above = self._walk(segment, "out")
        for s in above:
            fam.setdefault(s, 0.7)
        for s in self._walk(segment, "in"):
            fam.setdefault(s, 0.7)
        for seg in [segment, *above]:
            for _, c in self.store.neighbours(seg, ["HAS_SEGMENT"], "in"):
                fam.setdefault(c.id, 0.6)

    def _chain_family(self, chain: str, with_segment: bool, fam: dict[str, float]) -> None:
        """The chain (1.0, or 0.8 beside a segment), its lineage (0.5) and, when no segment is
        named, its segments (0.8) and their sub-segments (0.7)."""
        fam.setdefault(chain, 0.8 if with_segment else 1.0)
        if self.store is None:
            return
        for _, c in self.store.neighbours(chain, ["EVOLVED_INTO"], "both"):
            fam.setdefault(c.id, 0.5)
        if with_segment:
            return
        for _, seg_node in self.store.neighbours(chain, ["HAS_SEGMENT"], "out"):
            fam.setdefault(seg_node.id, 0.8)
            for sub in self._walk(seg_node.id, "in"):
                fam.setdefault(sub, 0.7)

    def _walk(self, seg: str, direction: Direction) -> list[str]:
        """Segments above (``out``) or below (``in``) ``seg`` along SUBSEGMENT_OF."""
        assert self.store is not None
        out, todo, seen = [], [seg], {seg}
        while todo:
            s = todo.pop()
            for _, n in self.store.neighbours(s, ["SUBSEGMENT_OF"], direction):
                if n.id not in seen:
                    seen.add(n.id)
                    out.append(n.id)
                    todo.append(n.id)
        return out

    def segment_firms(self, segment: str) -> list[tuple[str, str, bool, float]]:
        """(firm id, name, local, output) of firms in the segment or its sub-segments."""
        if self.store is None:
            return []
        out = {}
        for s in [segment, *self._walk(segment, "in")]:
            for _, f in self.store.neighbours(s, ["OPERATES_IN"], "in"):
                out[f.id] = (
                    f.id,
                    f.name,
                    is_local(f.props.get("region"), self.home),
                    float(f.props.get("output") or 0),
                )
        return sorted(out.values(), key=lambda x: (not x[2], -x[3], x[0]))
