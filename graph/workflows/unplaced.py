"""Records whose 所在区域 is not one of the city's districts, counties or functional zones.

A project, a demand or a supply is placed in one of the districts (``Region`` of a kind in
:data:`~chainatlas.graph.home.DISTRICT_KINDS`): the imports and the records API refuse any other
region. Records stored before that rule may still say 湖州市 (the city itself) or a place
outside it. No district team's scope reaches them, no district filter shows them, and the right
district cannot be guessed from the record — so they are listed (:func:`unplaced_records`) for
the city office to fill in: the 驾驶舱 and 重点项目库 notices, the 补填所在区域 page, and
``chainatlas stats``.

Projects stored before the ledger's date rules (:mod:`chainatlas.graph.project_dates`) may
break them too: an actual date in the future, dates out of order, a stage without its dates.
A write never makes a stored problem worse, and the rules let such a project be edited, so
nothing else would ever say so; they are listed the same way (:func:`date_problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chainatlas.graph.home import DISTRICT_KINDS, HOME_AREA
from chainatlas.graph.model import LABEL_ZH, Node
from chainatlas.graph.project_dates import write_problems
from chainatlas.graph.store.contract import GraphStore

__all__ = [
    "RECORD_LABELS",
    "DateProblem",
    "Unplaced",
    "date_problems",
    "districts",
    "record_title",
    "unplaced_records",
    "unplaced_regions",
]

#: The records that must be placed in a district.
RECORD_LABELS = ("Project", "Demand", "Supply")


@dataclass(frozen=True)
class Unplaced:
    """A record whose stored region (``region``: its names, joined by 、) is not a district."""

    id: str
    label: str
    name: str
    region: str

    @property
    def label_zh(self) -> str:
        """项目, 需求 or 供给."""
        return LABEL_ZH.get(self.label, self.label)


def districts(store: GraphStore) -> list[str]:
    """The names a record may be placed in, in the city's own order (吴兴区 … 长合区)."""
    names = [r.name for r in store.find_nodes("Region") if r.props.get("kind") in DISTRICT_KINDS]
    return sorted(names, key=lambda n: HOME_AREA.index(n) if n in HOME_AREA else len(HOME_AREA))


def unplaced_records(store: GraphStore) -> list[Unplaced]:
    """Projects, demands and supplies whose region — the ``region`` property or a
    ``LOCATED_IN`` region — names anything but a district; projects first, by name.

    A record with no region at all is not listed: no rule required one before.
    """
    allowed = set(districts(store))
    region_names = {r.id: r.name for r in store.find_nodes("Region")}
    located: dict[str, set[str]] = {}
    for rel in store.iter_relationships("LOCATED_IN"):
        located.setdefault(rel.start, set()).add(region_names.get(rel.end, rel.end))
    out: list[Unplaced] = []
    for label in RECORD_LABELS:
        found = []
        for n in store.iter_nodes(label):
            names = set(located.get(n.id, ()))
            if n.props.get("region"):
                names.add(str(n.props["region"]))
            if bad := sorted(names - allowed):
                found.append(Unplaced(n.id, label, record_title(n), "、".join(bad)))
        out += sorted(found, key=lambda u: u.name)
    return out


def unplaced_regions(store: GraphStore, node_id: str) -> list[str]:
    """The regions of one record (its ``region`` and ``LOCATED_IN``) that are not districts;
    empty for a record placed in a district or in no region."""
    node = store.get_node(node_id)
    names = {n.name for _, n in store.neighbours(node_id, ["LOCATED_IN"], "out")}
    if node is not None and node.props.get("region"):
        names.add(str(node.props["region"]))
    return sorted(names - set(districts(store)))


def record_title(node: Node) -> str:
    """A project's name; a demand's or supply's kind and description (土地：新增工业用地)."""
    if node.label == "Project":
        return str(node.props.get("name") or node.id)
    kind, text = node.props.get("kind"), node.props.get("description")
    return "：".join(str(x) for x in (kind, text) if x) or node.id


@dataclass(frozen=True)
class DateProblem:
    """A stored project whose dates break the ledger's rules: each problem in words."""

    id: str
    name: str
    problems: tuple[str, ...]


def date_problems(store: GraphStore, *, today: date | None = None) -> list[DateProblem]:
    """The stored projects whose dates break the rules a new project meets
    (:func:`~chainatlas.graph.project_dates.write_problems` of the project as new: a stage's
    missing dates, dates out of order, an actual date after ``today``), by name."""
    out = []
    for n in store.iter_nodes("Project"):
        if found := write_problems(None, n.props, today=today):
            out.append(DateProblem(n.id, record_title(n), tuple(why for _, why in found)))
    return sorted(out, key=lambda d: (d.name, d.id))
