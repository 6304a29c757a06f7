"""The firm ladder (梯队) and the cultivation programmes of seed 000 §三（四）, counted.

The seed: "统筹推进“雄鹰”“凤凰”“双金”“专精特新”“新锐壮腰”等企业培育工程，健全“科技型、创新型中小
企业—专精特新中小企业、高新技术企业、隐形冠军—专精特新‘小巨人’”梯队". A firm stands on the
highest rung its tags reach (:data:`~chainatlas.graph.model.FIRM_LADDER`, lowest first); the
programmes are tags of their own. Counted for the whole city's local firms, or a chain's (the
firms operating in its segments).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chainatlas.graph.home import HOME_AREA, is_local
from chainatlas.graph.model import FIRM_LADDER, FIRM_PROGRAMMES, Node
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.maps import resolve_chain

__all__ = ["LADDER_SEED", "firm_ladder", "ladder_rung"]

#: seed 000 §三（四）, word for word
LADDER_SEED = (
    "健全“科技型、创新型中小企业—专精特新中小企业、高新技术企业、隐形冠军—专精特新‘小巨人’”梯队"
)


def ladder_rung(tags: Iterable[str]) -> int | None:
    """The highest rung (0 = lowest) a firm's tags reach, or None.

    >>> ladder_rung(["高新技术", "科技型中小企业"])
    1
    >>> ladder_rung(["规上"]) is None
    True
    """
    have = set(tags)
    rungs = [i for i, (_, marks) in enumerate(FIRM_LADDER) if have & set(marks)]
    return max(rungs) if rungs else None


def _chain_firms(store: GraphStore, chain: str) -> list[Node]:
    seen: dict[str, Node] = {}
    todo = [n.id for _, n in store.neighbours(chain, ["HAS_SEGMENT"], "out")]
    done: set[str] = set()
    while todo:
        s = todo.pop()
        if s in done:
            continue
        done.add(s)
        todo.extend(n.id for _, n in store.neighbours(s, ["SUBSEGMENT_OF"], "in"))
        seen.update((f.id, f) for _, f in store.neighbours(s, ["OPERATES_IN"], "in"))
    return list(seen.values())


def firm_ladder(
    store: GraphStore, chain: str | None = None, home_area: tuple[str, ...] = HOME_AREA
) -> dict[str, Any]:
    """Local firms per rung (in the seed's order) and per programme."""
    ch = resolve_chain(store, chain) if chain else None
    firms = _chain_firms(store, ch.id) if ch else list(store.iter_nodes("Firm"))
    local = [f for f in firms if is_local(f.props.get("region"), home_area)]
    rungs = [0] * len(FIRM_LADDER)
    programmes = dict.fromkeys(FIRM_PROGRAMMES, 0)
    for f in local:
        tags = f.props.get("tags") or []
        rung = ladder_rung(tags)
        if rung is not None:
            rungs[rung] += 1
        for t in tags:
            if t in programmes:
                programmes[t] += 1
    return {
        "chain": ch.id if ch else None,
        "seed_text": LADDER_SEED,
        "ladder": [
            {"rung": i + 1, "name": name, "tags": list(marks), "firms": rungs[i]}
            for i, (name, marks) in enumerate(FIRM_LADDER)
        ],
        "programmes": [{"name": k, "firms": v} for k, v in programmes.items()],
        "local_firms": len(local),
    }
