"""Data integrity through the API (issue 14): moving a record hands it over (the old owner loses
access; moving out of one's scope needs both sides), ids are never trimmed, control characters
and loosely typed properties are refused at the door (422 naming the field, nothing written,
no audit row), and Excel exports cope with whatever is already stored."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.model import NAME_MAX, Node, Relationship
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.contract import Batch
from chainatlas.graph.store.embedded import EmbeddedStore

STORAGE_SEG, BIO_SEG = "seg:储能变流器", "seg:医疗器械"


class World:
    """Project P and firm F in 长兴县 on the storage chain (P also in a storage segment), and
    a token per role and scope."""

    def __init__(self, client: TestClient, store: EmbeddedStore, auth: AuthStore) -> None:
        self.client, self.store, self.auth = client, store, auth
        self.tokens = {
            "city": auth.create("city", []),
            "长兴县": auth.create("district", ["长兴县"]),
            "德清县": auth.create("district", ["德清县"]),
            "storage": auth.create("chain", ["1366:storage"]),
            "bio": auth.create("chain", ["1366:bio"]),
        }

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def put(self, who: str, url: str, body: dict[str, Any]) -> Any:
        return self.client.put(f"/api/v1{url}", json=body, headers=self.as_(who))

    def links(self, node_id: str, rtype: str) -> list[str]:
        return sorted(r.end for r, _ in self.store.neighbours(node_id, [rtype], "out"))

    def state(self) -> tuple[Any, ...]:
        """Everything a write could change: nodes, relationships and the audit log."""
        nodes = sorted(
            (n.id, n.label, repr(sorted(n.props.items()))) for n in self.store.iter_nodes()
        )
        rels = sorted(r.key for r in self.store.iter_relationships())
        return nodes, rels, len(self.auth.audit_log(100_000))


@pytest.fixture
def world(seeded: EmbeddedStore, settings: Settings, tmp_path: Path) -> Iterator[World]:
    with seeded.batch() as b:
        b.upsert_nodes(
            [
                Node(
                    "project:P",
                    "Project",
                    {"name": "测试项目", "region": "长兴县", "stage": "招商引资"},
                ),
                Node("firm:F", "Firm", {"name": "测试企业", "region": "长兴县", "output": 3.5}),
            ]
        )
        b.upsert_relationships(
            [
                Relationship("project:P", "IN_CHAIN", "1366:storage"),
                Relationship("project:P", "IN_SEGMENT", STORAGE_SEG),
                Relationship("project:P", "LOCATED_IN", "region:长兴县"),
                Relationship("firm:F", "OPERATES_IN", STORAGE_SEG),
                Relationship("firm:F", "LOCATED_IN", "region:长兴县"),
            ]
        )
    auth = AuthStore(tmp_path / "auth.db")
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield World(c, seeded, auth)
    auth.close()


def _writes_on_project(w: World, who: str) -> list[int]:
    """Update, advance and delete project P as ``who``; the statuses."""
    h = w.as_(who)
    return [
        w.put(who, "/records/projects/project:P", {"props": {"investment": 1.0}}).status_code,
        w.client.post(
            "/api/v1/projects/project:P/stage", json={"to": "研判会商"}, headers=h
        ).status_code,
        w.client.delete("/api/v1/records/projects/project:P", headers=h).status_code,
    ]


# ---- item 7: a move replaces the link ------------------------------------------------------------
def test_a_project_moved_to_another_district_leaves_the_old_district(world: World) -> None:
    r = world.put("city", "/records/projects/project:P", {"props": {}, "region": "德清县"})
    assert r.status_code == 200, r.text
    assert world.links("project:P", "LOCATED_IN") == ["region:德清县"]
    assert world.store.require_node("project:P").props["region"] == "德清县"
    assert _writes_on_project(world, "长兴县") == [403, 403, 403]
    assert world.store.get_node("project:P") is not None
    assert _writes_on_project(world, "德清县")[0] == 200


def test_a_project_moved_to_another_chain_leaves_the_old_chain(world: World) -> None:
    r = world.put("city", "/records/projects/project:P", {"props": {}, "chain": "生物医药"})
    assert r.status_code == 200, r.text
    assert world.links("project:P", "IN_CHAIN") == ["1366:bio"]
    # the storage segment went with the move: it would have kept the storage team in
    assert world.links("project:P", "IN_SEGMENT") == []
    assert _writes_on_project(world, "storage") == [403, 403, 403]
    assert world.put("bio", "/records/projects/project:P", {"props": {}}).status_code == 200


def test_a_new_segment_firm_and_chain_replace_the_old_ones(world: World) -> None:
    world.store.upsert_nodes([Node("firm:G", "Firm", {"name": "乙企业"})])
    body = {"props": {}, "chain": "1366:bio", "segment": BIO_SEG, "firm": "firm:F"}
    assert world.put("city", "/records/projects/project:P", body).status_code == 200
    body = {"props": {}, "firm": "firm:G"}
    assert world.put("city", "/records/projects/project:P", body).status_code == 200
    assert world.links("project:P", "IN_SEGMENT") == [BIO_SEG]
    assert world.links("project:P", "FOR_FIRM") == ["firm:G"]
    assert world.links("project:P", "IN_CHAIN") == ["1366:bio"]


def test_moving_out_of_ones_scope_needs_both_sides(world: World) -> None:
    before = world.state()
    attempts = [
        ("长兴县", {"props": {}, "region": "德清县"}),  # has the old side only
        ("德清县", {"props": {}, "region": "德清县"}),  # has the new side only
        ("storage", {"props": {}, "chain": "1366:bio"}),
        ("bio", {"props": {}, "chain": "1366:bio"}),
    ]
    for who, body in attempts:
        r = world.put(who, "/records/projects/project:P", body)
        assert r.status_code == 403, (who, body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert world.state() == before
    # within one's scope, records are still updated (and need not name their links again)
    assert (
        world.put("长兴县", "/records/projects/project:P", {"props": {"major": True}}).status_code
        == 200
    )
    assert world.put("storage", "/records/projects/project:P", {"props": {}}).status_code == 200


def test_a_moved_firm_leaves_the_old_district(world: World) -> None:
    body = {"name": "测试企业", "region": "德清县", "segments": [STORAGE_SEG]}
    assert world.put("长兴县", "/firms/firm:F", body).status_code == 403  # out of its scope
    assert world.links("firm:F", "LOCATED_IN") == ["region:长兴县"]
    assert world.put("city", "/firms/firm:F", body).status_code == 200
    assert world.links("firm:F", "LOCATED_IN") == ["region:德清县"]
    h = world.as_("长兴县")
    assert world.put("长兴县", "/firms/firm:F", body | {"region": "长兴县"}).status_code == 403
    assert world.client.delete("/api/v1/firms/firm:F", headers=h).status_code == 403
    assert world.put("德清县", "/firms/firm:F", body | {"output": 2.0}).status_code == 200


# ---- item 8: ids are validated once, up front, never trimmed -------------------------------------
PADDED = ["%20firm:F", "firm:F%20", "%09firm:F", "%E3%80%80firm:F", "firm:F%0A", "firm%00:F"]


@pytest.mark.parametrize("raw", PADDED)
def test_ids_with_whitespace_or_controls_are_refused_and_change_nothing(
    world: World, raw: str
) -> None:
    h = world.as_("city")
    project = {"props": {"name": "变成项目"}, "chain": "1366:storage"}
    firm = {"name": "改名", "region": "长兴县"}
    before = world.state()
    answers = [
        world.client.put(f"/api/v1/records/projects/{raw}", json=project, headers=h),
        world.client.delete(f"/api/v1/records/projects/{raw}", headers=h),
        world.client.put(f"/api/v1/firms/{raw}", json=firm, headers=h),
        world.client.delete(f"/api/v1/firms/{raw}", headers=h),
        world.client.get(f"/api/v1/firms/{raw}", headers=h),
        world.client.post(f"/api/v1/projects/{raw}/stage", json={"to": "研判会商"}, headers=h),
        world.client.post(f"/api/v1/problems/{raw}/step", json={"to": "交办"}, headers=h),
        world.client.get(f"/api/v1/segments/{raw}", headers=h),
        world.client.get(f"/api/v1/chains/{raw}", headers=h),
        world.client.get(f"/api/v1/maps/fishbone/{raw}", headers=h),
    ]
    for r in answers:
        assert r.status_code == 422, (r.request.method, r.request.url, r.text)
        detail = r.json()["detail"]
        assert "id" in detail and ("空白" in detail or "控制字符" in detail), detail
    assert world.state() == before  # nothing written, no audit row
    assert world.store.require_node("firm:F").props["output"] == 3.5


# ---- item 9: control characters refused at the door ----------------------------------------------
@pytest.mark.parametrize(
    "url, body, field",
    [
        ("/firms/firm:N", {"name": "甲\x00乙", "region": "长兴县"}, "name"),
        ("/firms/firm:N", {"name": "甲", "region": "长兴县\x07"}, "region"),
        (
            "/firms/firm:N",
            {"name": "甲", "region": "长兴县", "credit_code": "\x1b[31m"},
            "credit_code",
        ),
        ("/firms/firm:N", {"name": "甲", "region": "长兴县", "segments": ["seg:\x00"]}, "segments"),
        ("/records/projects/project:N", {"props": {"name": "项目\x1f"}}, "name"),
        ("/records/projects/project:N", {"props": {"name": "项目\n二期"}}, "name"),
        (
            "/records/projects/project:N",
            {"props": {"name": "项目", "responsible_unit": "a\x7fb"}},
            "responsible_unit",
        ),
        (
            "/records/demands/demand:N",
            {"props": {"kind": "土地", "description": "地\x0c"}},
            "description",
        ),
        (
            "/records/projects/project:N",
            {"props": {"name": "项目"}, "chain": "1366:storage\x00"},
            "chain",
        ),
    ],
)
def test_control_characters_are_refused_naming_the_field(
    world: World, url: str, body: dict[str, Any], field: str
) -> None:
    before = world.state()
    r = world.put("city", url, body | ({"region": "长兴县"} if "records" in url else {}))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    detail = r.json()["detail"]
    assert field in detail and ("控制字符" in detail or "换行" in detail), detail
    assert world.state() == before


def test_tabs_and_line_breaks_are_kept_in_free_text(world: World) -> None:
    body = {"props": {"name": "项目", "responsible_unit": "经信局\t招商科\r\n二组"}}
    r = world.put("city", "/records/projects/project:N", body | {"region": "长兴县"})
    assert r.status_code == 200, r.text
    assert (
        world.store.require_node("project:N").props["responsible_unit"] == "经信局\t招商科\r\n二组"
    )


def _stored_with_controls(w: World) -> None:
    """Names as a store could hold them before the model refused control characters (a batch
    marked as checked bypasses property validation)."""
    w.store.apply(
        Batch(
            nodes=[
                Node("firm:C", "Firm", {"name": "控\x00制\x1b字符", "region": "长兴县"}),
                Node("project:C", "Project", {"name": "项\x08目", "stage": "招商引资"}),
            ],
            relationships=[
                Relationship("firm:C", "OPERATES_IN", STORAGE_SEG),
                Relationship("firm:C", "LOCATED_IN", "region:长兴县"),
                Relationship("firm:C", "CHAIN_MASTER_OF", "1366:storage"),
                Relationship("project:C", "IN_CHAIN", "1366:storage"),
                Relationship("project:C", "LOCATED_IN", "region:长兴县"),
            ],
            prevalidated=True,
        )
    )


def test_excel_exports_cope_with_stored_control_characters(world: World) -> None:
    _stored_with_controls(world)
    h = world.as_("city")
    urls = [
        "/api/v1/maps/fishbone/1366:storage",
        "/api/v1/maps/masters/1366:storage",
        "/api/v1/maps/attraction/1366:storage",
        "/api/v1/projects",
        "/api/v1/gaps/1366:storage",
    ]
    texts: list[str] = []
    for url in urls:
        r = world.client.get(url, params={"format": "xlsx"}, headers=h)
        assert r.status_code == 200, (url, r.text[:300])
        book = openpyxl.load_workbook(io.BytesIO(r.content))
        texts += [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert "控\ufffd制\ufffd字符" in texts and "项\ufffd目" in texts
    for fmt in ("html", "svg"):
        r = world.client.get(f"/api/v1/maps/fishbone/1366:storage?format={fmt}", headers=h)
        assert r.status_code == 200


# ---- item 17: strictly typed properties, names with limits ---------------------------------------
@pytest.mark.parametrize(
    "props, field",
    [
        ({"signed": 86400}, "signed"),
        ({"signed": "86400"}, "signed"),
        ({"signed": "2026-02-30"}, "signed"),
        ({"signed": "2026-03-01 00:00:00"}, "signed"),
        ({"major": "yes"}, "major"),
        ({"major": 1}, "major"),
        ({"investment": "5"}, "investment"),
        ({"investment": True}, "investment"),
        ({"stage": "开会"}, "stage"),
        ({"tags": [1, "a"]}, "tags"),
        ({"": 1}, "props"),
        ({"a\u0000b": 1}, "props"),
        ({"region": "德清县"}, "region"),  # the region is the link field, not a property
        ({"name": "x" * (NAME_MAX + 1)}, "name"),
        ({"name": "\u200b\u200b"}, "name"),
        ({"name": "\u3000 \ufeff"}, "name"),
    ],
)
def test_record_properties_are_strictly_typed(
    world: World, props: dict[str, Any], field: str
) -> None:
    before = world.state()
    body = {"props": {"name": "项目"} | props, "region": "长兴县"}
    r = world.put("city", "/records/projects/project:N", body)
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"], r.json()
    assert world.state() == before


def test_typed_properties_are_stored_as_given(world: World) -> None:
    props = {
        "name": "x" * NAME_MAX,
        "signed": "2026-03-01",
        "major": False,
        "investment": 12,
        "stage": "招商引资",
    }
    r = world.put("city", "/records/projects/project:N", {"props": props, "region": "长兴县"})
    assert r.status_code == 200, r.text
    got = world.store.require_node("project:N").props
    assert got["signed"] == "2026-03-01" and got["major"] is False and got["investment"] == 12.0
    # null removes a property; other properties stay
    r = world.put("city", "/records/projects/project:N", {"props": {"major": None}})
    assert r.status_code == 200 and "major" not in world.store.require_node("project:N").props


def test_firm_names_have_limits(world: World) -> None:
    for name in ("x" * (NAME_MAX + 1), "\u200b", "  "):
        r = world.put("city", "/firms/firm:N", {"name": name, "region": "长兴县"})
        assert r.status_code == 422 and "name" in r.json()["detail"], r.text


def test_openapi_states_each_record_kinds_properties(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for kind, label in (("projects", "Project"), ("demands", "Demand"), ("supplies", "Supply")):
        body = spec["paths"][f"/api/v1/records/{kind}/{{record_id}}"]["put"]["requestBody"]
        ref = body["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith(f"/{label}In")
        props = schemas[f"{label}Props"]
        assert props["additionalProperties"] is False and "region" not in props["properties"]
    project = schemas["ProjectProps"]["properties"]

    def types(p: dict[str, Any]) -> dict[str, Any]:
        return next(t for t in p["anyOf"] if t.get("type") != "null")

    assert types(project["signed"])["format"] == "date"
    assert types(project["signed"])["pattern"] == "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    assert types(project["major"])["type"] == "boolean"
    assert types(project["investment"])["type"] == "number"
    assert types(project["name"])["maxLength"] == NAME_MAX
    assert types(schemas["SupplyProps"]["properties"]["capacity"])["type"] == "integer"
    record = spec["paths"]["/api/v1/records/projects/{record_id}"]["put"]["parameters"][0]
    assert record["name"] == "record_id" and "pattern" in record["schema"]
