"""Input rules at the door of the API (review S: B2, B3, B8, B12, C4, C5): text has a length
limit and no invisible characters, numbers have sane maxima, record bodies refuse unknown
fields, ids in paths are valid UTF-8 of a bounded length and keep each record kind's prefix,
and JSON bodies are strict (no duplicate key, no NaN, no integer beyond 64 bits). Every refusal
is a 422 naming the field, writes nothing and leaves no audit row."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.webui import Browsers, post_form

PROJECT = "/api/v1/records/projects/project:1366:textile:3"
DEMAND = {"kind": "土地", "description": "新增工业用地"}
FIRM = {"name": "评审企业", "region": "长兴县"}


def _state(client: TestClient, store: EmbeddedStore) -> tuple[Any, ...]:
    """Everything a write could change: nodes, relationships and the audit log."""
    nodes = sorted((n.id, n.label, repr(sorted(n.props.items()))) for n in store.iter_nodes())
    rels = sorted(r.key for r in store.iter_relationships())
    return nodes, rels, len(client.app.state.auth.audit_log(100_000))  # type: ignore[attr-defined]


def _refused(
    client: TestClient,
    store: EmbeddedStore,
    method: str,
    url: str,
    *,
    graph_only: bool = False,
    **kw: Any,
) -> str:
    """The detail of a 422 answer to the request; asserts that nothing was written (with
    ``graph_only``, to the graph: a rule the route checks in its write leaves a failed audit
    row, as the model's other rules do)."""
    before = _state(client, store)
    r = client.request(method, url, **kw)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    after = _state(client, store)
    assert (after[:2] if graph_only else after) == (before[:2] if graph_only else before)
    return str(r.json()["detail"])


def _raw(client: TestClient, store: EmbeddedStore, url: str, body: bytes) -> str:
    headers = {"Content-Type": "application/json"}
    return _refused(client, store, "PUT", url, content=body, headers=headers)


# ---- B2: length limits and sane maxima ---------------------------------------------------------
@pytest.mark.parametrize(
    "url, body, detail",
    [
        (
            PROJECT,
            {"props": {"responsible_unit": "长" * 201}},
            "props.responsible_unit：最多 200 个字（现有 201 个）",
        ),
        (
            "/api/v1/records/demands/demand:long",
            {"props": DEMAND | {"description": "长" * 2001}, "region": "长兴县"},
            "props.description：最多 2000 个字（现有 2001 个）",
        ),
        (
            "/api/v1/records/supplies/supply:long",
            {"props": DEMAND | {"provider": "长" * 201}, "region": "长兴县"},
            "props.provider：最多 200 个字",
        ),
        ("/api/v1/firms/firm:long", FIRM | {"name": "长" * 201}, "name：最多 200 个字"),
    ],
)
def test_text_longer_than_its_limit_is_refused_naming_the_field(
    client: TestClient, seeded: EmbeddedStore, url: str, body: dict[str, Any], detail: str
) -> None:
    assert detail in _refused(client, seeded, "PUT", url, json=body)


def test_text_at_its_limit_is_stored(client: TestClient, seeded: EmbeddedStore) -> None:
    r = client.put(PROJECT, json={"props": {"responsible_unit": "长" * 200}})
    assert r.status_code == 200, r.text
    assert seeded.require_node("project:1366:textile:3").props["responsible_unit"] == "长" * 200


@pytest.mark.parametrize(
    "url, body, detail",
    [
        (PROJECT, {"props": {"investment": 1e308}}, "props.investment：不能大于 100000"),
        (PROJECT, {"props": {"investment": 100_001}}, "props.investment：不能大于 100000"),
        ("/api/v1/firms/firm:big", FIRM | {"output": 1e6}, "output：不能大于 100000"),
        ("/api/v1/firms/firm:big", FIRM | {"employees": 10**8}, "employees：不能大于 10000000"),
        (
            "/api/v1/records/demands/demand:big",
            {"props": DEMAND | {"quantity": 1e13}, "region": "长兴县"},
            "props.quantity：不能大于 1000000000000",
        ),
        ("/api/v1/chains/1366:textile/goals/2026", {"signed": 1e308}, "signed：不能大于 100000"),
        (
            "/api/v1/chains/1366:textile/goals/2026",
            {"investment": 2e5},
            "investment：不能大于 100000",
        ),
    ],
)
def test_absurd_numbers_are_refused_naming_the_field(
    client: TestClient, seeded: EmbeddedStore, url: str, body: dict[str, Any], detail: str
) -> None:
    assert detail in _refused(client, seeded, "PUT", url, json=body)


def test_an_amount_at_its_maximum_is_stored(client: TestClient, seeded: EmbeddedStore) -> None:
    assert client.put(PROJECT, json={"props": {"investment": 100_000}}).status_code == 200
    assert seeded.require_node("project:1366:textile:3").props["investment"] == 100_000


def test_an_integer_of_5000_digits_is_a_422_naming_the_field(
    client: TestClient, seeded: EmbeddedStore
) -> None:
    """Valid JSON that Python's parser cannot read (more than 4,300 digits) was a 400."""
    body = b'{"props": {"investment": ' + b"9" * 5000 + b"}}"
    assert _raw(client, seeded, PROJECT, body) == "props.investment：整数超出 64 位范围"
    body = b'{"props": {"investment": 99999999999999999999}}'  # 20 digits: beyond 64 bits
    assert _raw(client, seeded, PROJECT, body) == "props.investment：整数超出 64 位范围"


# ---- B3: no invisible or direction characters in text people read ------------------------------
@pytest.mark.parametrize(
    "url, body, detail",
    [
        (
            PROJECT,
            {"props": {"name": "合金\u202e4目项"}},
            "props.name：名称含不可见字符（U+202E，第 3 个字符），请删除后重试",
        ),
        (
            PROJECT,
            {"props": {"name": "合金\u200b特材示例项目4"}},
            "props.name：名称含不可见字符（U+200B，第 3 个字符）",
        ),
        (
            PROJECT,
            {"props": {"responsible_unit": "长兴县\u2066经信局"}},
            "props.responsible_unit：含不可见字符（U+2066，第 4 个字符）",
        ),
        (
            "/api/v1/records/demands/demand:bidi",
            {"props": DEMAND | {"description": "用地\u202d50亩"}, "region": "长兴县"},
            "props.description：含不可见字符（U+202D",
        ),
        ("/api/v1/firms/firm:bidi", FIRM | {"name": "x\u202eevil"}, "name：名称含不可见字符"),
    ],
)
def test_invisible_characters_in_text_are_refused_naming_the_field(
    client: TestClient, seeded: EmbeddedStore, url: str, body: dict[str, Any], detail: str
) -> None:
    assert detail in _refused(client, seeded, "PUT", url, json=body)


# ---- B8: unknown top-level fields --------------------------------------------------------------
@pytest.mark.parametrize(
    "body, field",
    [
        ({"props": {}, "regoin": "德清县"}, "regoin"),
        ({"props": {"name": "评审项目S8"}, "region": "长兴县", "extra": 1}, "extra"),
    ],
)
def test_a_record_body_refuses_an_unknown_field(
    client: TestClient, seeded: EmbeddedStore, body: dict[str, Any], field: str
) -> None:
    detail = _refused(client, seeded, "PUT", PROJECT, json=body)
    assert detail == f"{field}：不是可填写的字段"


def test_other_bodies_refuse_unknown_fields_too(client: TestClient, seeded: EmbeddedStore) -> None:
    url = "/api/v1/chains/1366:textile/goals/2026"
    assert _refused(client, seeded, "PUT", url, json={"singed": 3}) == "singed：不是可填写的字段"


# ---- B12: ids in paths -------------------------------------------------------------------------
@pytest.mark.parametrize("escaped", ["firm:%C3%28", "firm:%ED%A0%80", "firm:%FF("])
def test_an_id_that_is_not_utf8_is_refused(
    client: TestClient, seeded: EmbeddedStore, escaped: str
) -> None:
    detail = _refused(client, seeded, "PUT", f"/api/v1/firms/{escaped}", json=FIRM)
    assert detail.startswith("编号不是有效的 UTF-8")
    detail = _refused(
        client,
        seeded,
        "PUT",
        f"/api/v1/records/demands/demand:{escaped}",
        json={"props": DEMAND, "region": "长兴县"},
    )
    assert detail.startswith("编号不是有效的 UTF-8")


def test_two_broken_ids_no_longer_collide(client: TestClient, seeded: EmbeddedStore) -> None:
    """``%FF(`` and ``%FE(`` both decoded to ``�(``: the second write replaced the first."""
    for escaped in ("firm:%FF(", "firm:%FE("):
        _refused(client, seeded, "PUT", f"/api/v1/firms/{escaped}", json=FIRM)
    assert not [n for n in seeded.iter_nodes() if "\ufffd" in n.id]


def test_a_query_that_is_not_utf8_is_refused(client: TestClient, seeded: EmbeddedStore) -> None:
    detail = _refused(client, seeded, "GET", "/api/v1/firms?q=%FF")
    assert detail == "查询参数不是有效的 UTF-8：q=%FF"


def test_a_page_path_that_is_not_utf8_answers_a_chinese_page(client: TestClient) -> None:
    r = client.get("/ui/firm/firm:%C3%28")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "编号不是有效的 UTF-8" in r.text


@pytest.mark.parametrize(
    "url, detail",
    [
        ("/api/v1/firms/firm:" + "x" * 5000, "企业编号：节点 id 太长：最多 532 个字符"),
        ("/api/v1/firms/firm:" + "x" * 300, "企业的 id 太长：最多 256 个字符（现有 305 个）"),
    ],
)
def test_an_overlong_id_is_refused(
    client: TestClient, seeded: EmbeddedStore, url: str, detail: str
) -> None:
    assert detail in _refused(client, seeded, "PUT", url, json=FIRM)


def test_a_long_id_within_the_limit_is_stored(client: TestClient, seeded: EmbeddedStore) -> None:
    fid = "firm:" + "x" * 251
    assert client.put(f"/api/v1/firms/{fid}", json=FIRM).status_code == 200
    assert seeded.get_node(fid) is not None


def test_a_record_may_not_take_another_kinds_prefix(
    client: TestClient, seeded: EmbeddedStore
) -> None:
    body = {"props": DEMAND, "region": "长兴县"}
    url = "/api/v1/records/demands/firm:xyz"
    detail = _refused(client, seeded, "PUT", url, json=body)
    assert "需求的 id 不能以 firm: 开头（那是企业的 id）" in detail


# ---- C4, C5: strict JSON -----------------------------------------------------------------------
def test_a_duplicate_key_is_refused(client: TestClient, seeded: EmbeddedStore) -> None:
    body = b'{"props": {"investment": 1, "investment": 2}}'
    detail = _raw(client, seeded, PROJECT, body)
    assert detail == "props.investment：字段重复出现（同一对象中只能写一次）"
    assert _raw(client, seeded, PROJECT, b'{"props": {}, "props": {}}').startswith("props：")


@pytest.mark.parametrize(
    "value, reason",
    [
        (b"NaN", "NaN 不是数字（JSON 没有 NaN 和 Infinity）"),
        (b"-Infinity", "-Infinity 不是数字（JSON 没有 NaN 和 Infinity）"),
        (b"1e999", "1e999 超出数字范围"),
    ],
)
def test_nan_and_infinity_are_not_numbers(
    client: TestClient, seeded: EmbeddedStore, value: bytes, reason: str
) -> None:
    body = b'{"props": {"investment": ' + value + b"}}"
    assert _raw(client, seeded, PROJECT, body) == f"props.investment：{reason}"


def test_a_strict_body_still_goes_through(client: TestClient, seeded: EmbeddedStore) -> None:
    r = client.put(
        PROJECT,
        content='{"props": {"investment": 12.5, "responsible_unit": "长兴县经信局"}}'.encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 200, r.text
    assert seeded.require_node("project:1366:textile:3").props["investment"] == 12.5


# ---- the web form: the same rules, said on the form ---------------------------------------------
def test_the_new_project_form_says_which_field_breaks_a_rule(ui: Browsers) -> None:
    new = "/ui/projects/new"
    team = ui.as_("district", ["长兴县"], "长兴团队")
    fields = {"name": "规则测试项目", "chain": "1366:storage", "region": "长兴县"}
    fields |= {"stage": "招商引资"}
    for bad, words in (
        ({"name": "合金\u202e4目项"}, "名称含不可见字符（U+202E，第 3 个字符），请删除后重试"),
        ({"responsible_unit": "长" * 201}, "最多 200 个字（现有 201 个）"),
        ({"investment": "1000000"}, "不能大于 100000"),
    ):
        r = post_form(team, new, new, **{**fields, **bad})
        error = re.search(r'id="form-error">(.*?)</p>', r.text, re.S)
        assert r.status_code == 422 and error and words in error.group(1), (bad, r.text[-800:])
    assert not ui.store.find_nodes("Project", {"name": "规则测试项目"})
