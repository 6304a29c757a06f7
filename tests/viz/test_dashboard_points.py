"""Parks and platforms on the 驾驶舱's Huzhou map: at their recorded coordinates when they have
both ``lng`` and ``lat``, else around their district; coordinates outside China are refused."""

from __future__ import annotations

from datetime import date

import pytest

from chainatlas.graph.errors import ValidationFailed
from chainatlas.graph.model import Node, validate_node
from chainatlas.graph.rules import Grace
from chainatlas.graph.store.contract import Batch
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.viz.dashboard import huzhou_map, project_rows


def _points(store: EmbeddedStore) -> dict[str, dict[str, object]]:
    m = huzhou_map(store, project_rows(store), grace=Grace(), today=date(2026, 11, 30))
    return {p["name"]: p for p in m["points"]}


def test_recorded_coordinates_are_used_and_others_sit_at_their_district(
    seeded: EmbeddedStore,
) -> None:
    district = next(r.name for r in seeded.find_nodes("Region") if r.name.endswith(("区", "县")))
    seeded.apply(
        Batch(
            nodes=[
                Node(
                    "park-at",
                    "Park",
                    {"name": "坐标园区", "region": district, "lng": 120.09, "lat": 30.89},
                ),
                Node("park-near", "Park", {"name": "无坐标园区", "region": district}),
                Node("plat-at", "Platform", {"name": "坐标平台", "lng": 119.95, "lat": 30.6}),
                Node("plat-lost", "Platform", {"name": "无处可放平台"}),
            ]
        )
    )
    points = _points(seeded)
    assert points["坐标园区"]["at"] == [120.09, 30.89]
    assert points["无坐标园区"]["at"] is None
    assert points["无坐标园区"]["region"] == district
    # a platform with coordinates is drawn even without a known district
    assert points["坐标平台"]["at"] == [119.95, 30.6]
    assert "无处可放平台" not in points


@pytest.mark.parametrize(
    ("label", "props", "field"),
    [
        ("Park", {"name": "p", "lng": 200.0, "lat": 30.0}, "lng"),
        ("Park", {"name": "p", "lng": 120.0, "lat": -5.0}, "lat"),
        ("Platform", {"name": "p", "lng": "东经120度", "lat": 30.0}, "lng"),
    ],
)
def test_coordinates_outside_china_are_refused(
    label: str, props: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed, match=field):
        validate_node(Node("x", label, props))
