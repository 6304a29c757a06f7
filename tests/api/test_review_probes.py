"""The second security review of issue 14, one test per defect found from outside: links to
other districts' records, problems routed to unrelated chains, segments of other chains, token
expiry and ids, anonymous uploads, invisible ids, English messages, a move of region keeping
another region's park, unknown firm fields. Real HTTP through FastAPI's TestClient over a
seeded store; every refusal writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore

API = "/api/v1"


@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], EmbeddedStore, AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    heads = {
        "city": {"Authorization": f"Bearer {auth.create('city', [])}"},
        "cx": {"Authorization": f"Bearer {auth.create('district', ['长兴县'])}"},
        "wx": {"Authorization": f"Bearer {auth.create('district', ['吴兴区'])}"},
    }
    with TestClient(create_app(settings, seeded, auth), raise_server_exceptions=False) as c:
        yield c, heads, seeded, auth
    auth.close()


def _problem(r) -> str:  # type: ignore[no-untyped-def]
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    detail = str(r.json()["detail"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail
    return detail


def _project(c: TestClient, head: dict[str, str], pid: str, region: str, **links: str) -> None:
    body = {"props": {"name": f"项目{pid}"}, "region": region, **links}
    r = c.put(f"{API}/records/projects/{pid}", json=body, headers=head)
    assert r.status_code == 200, r.text


# ---- 2. links to another district's records ---------------------------------------------------
@pytest.mark.parametrize("kind", ["demands", "supplies"])
def test_a_district_cannot_attach_a_record_to_another_districts_project(api, kind: str) -> None:  # type: ignore[no-untyped-def]
    c, heads, store, _ = api
    _project(c, heads["wx"], "project:wxonly", "吴兴区", chain="1366:icv")
    body = {
        "props": {"kind": "土地", "description": "注入"},
        "region": "长兴县",
        "project": "project:wxonly",
    }
    r = c.put(f"{API}/records/{kind}/x:inject", json=body, headers=heads["cx"])
    assert r.status_code == 403, r.text
    assert "project:wxonly" in _problem(r)
    assert store.get_node("x:inject") is None
    # the district's own project may be linked
    _project(c, heads["cx"], "project:cxonly", "长兴县", chain="1366:icv")
    body["project"] = "project:cxonly"
    assert c.put(f"{API}/records/{kind}/x:own", json=body, headers=heads["cx"]).status_code == 200


def test_a_district_cannot_link_a_firm_of_another_district(api) -> None:  # type: ignore[no-untyped-def]
    c, heads, store, _ = api
    wx_firm = next(
        f.id
        for f in store.find_nodes("Firm")
        if {r.name for _, r in store.neighbours(f.id, ["LOCATED_IN"], "out")} == {"吴兴区"}
    )
    body = {"props": {"name": "借名"}, "region": "长兴县", "firm": wx_firm}
    r = c.put(f"{API}/records/projects/project:borrow", json=body, headers=heads["cx"])
    name = store.require_node(wx_firm, "Firm").props["name"]
    assert r.status_code == 403 and f"企业「{name}」" in _problem(r)  # by name, not id
    assert store.get_node("project:borrow") is None


# ---- 3. chains of problems and segments of records ------------------------------------------
def test_a_problem_cannot_be_routed_to_a_chain_its_project_is_not_in(api) -> None:  # type: ignore[no-untyped-def]
    c, heads, store, _ = api
    _project(c, heads["cx"], "project:probe7d", "长兴县", chain="1366:icv")
    before = store.count_nodes("Problem")
    body = {"title": "用地指标不足", "project": "project:probe7d", "chain": "1366:bio"}
    r = c.post(f"{API}/problems", json=body, headers=heads["cx"])
    assert r.status_code == 422, r.text
    assert "1366:icv" in _problem(r)
    assert store.count_nodes("Problem") == before
    body["chain"] = "1366:icv"
    assert c.post(f"{API}/problems", json=body, headers=heads["cx"]).status_code == 201


def test_a_records_segment_must_belong_to_its_chain(api) -> None:  # type: ignore[no-untyped-def]
    c, heads, store, _ = api
    _project(c, heads["cx"], "project:seg", "长兴县", chain="1366:icv")
    body = {"props": {}, "segment": "seg:高端原辅料"}
    r = c.put(f"{API}/records/projects/project:seg", json=body, headers=heads["cx"])
    assert r.status_code == 422, r.text
    assert "环节「高端原辅料」不属于「智能网联新能源汽车」" in _problem(r)  # by name, not id
    assert not store.neighbours("project:seg", ["IN_SEGMENT"], "out")
    body = {"props": {}, "chain": "1366:icv", "segment": "seg:高端原辅料"}
    r = c.put(
        f"{API}/records/projects/project:seg2",
        json={**body, "region": "长兴县"},
        headers=heads["cx"],
    )
    assert r.status_code == 422 and store.get_node("project:seg2") is None
    body["segment"] = "seg:动力电池"
    r = c.put(f"{API}/records/projects/project:seg", json=body, headers=heads["cx"])
    assert r.status_code == 200, r.text


# ---- 4. token expiry ----------------------------------------------------------------------------
@pytest.mark.parametrize("expires", ["9999-12-31", "9999-12-31T23:59:59", "2090-01-01", "99999w"])
def test_an_unreasonable_expiry_is_refused_with_422(api, expires: str) -> None:  # type: ignore[no-untyped-def]
    c, heads, _, auth = api
    before = auth.count()
    body = {"role": "district", "scope": ["长兴县"], "expires": expires}
    r = c.post(f"{API}/tokens", json=body, headers=heads["city"])
    assert r.status_code == 422, r.text
    assert "10 年" in _problem(r)
    assert auth.count() == before
    body["expires"] = "365d"
    assert c.post(f"{API}/tokens", json=body, headers=heads["city"]).status_code == 201


def test_the_cli_refuses_an_unreasonable_expiry_without_a_traceback(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from chainatlas.api.cli import main

    home = ["--home", str(tmp_path / "home")]
    runner = CliRunner()
    assert runner.invoke(main, [*home, "init", "--no-sample"]).exit_code == 0
    args = ["token", "create", "--role", "district", "--scope", "长兴县"]
    res = runner.invoke(main, [*home, *args, "--expires", "9999-12-31"])
    assert res.exit_code != 0 and isinstance(res.exception, SystemExit), res.output
    assert "10 年" in res.output and "Traceback" not in res.output
    auth = AuthStore(tmp_path / "home" / "auth.db")
    assert auth.count() == 0
    auth.close()


# ---- 6. token ids are taken exactly ----------------------------------------------------------
@pytest.mark.parametrize("prefix", ["%20", "%09", "%E3%80%80", "+"])
def test_a_token_id_is_not_trimmed(api, prefix: str) -> None:  # type: ignore[no-untyped-def]
    c, heads, _, auth = api
    victim = next(t for t in auth.tokens() if t.scope == ["长兴县"])
    for bad in (prefix + victim.id, victim.id + prefix, victim.id.upper()):
        r = c.delete(f"{API}/tokens/{bad}", headers=heads["city"])
        assert r.status_code in (404, 422), (bad, r.text)
        _problem(r)
    assert auth.token(victim.id).revoked is None
    assert c.get(f"{API}/firms", headers=heads["cx"]).status_code != 401
    assert c.delete(f"{API}/tokens/{victim.id}", headers=heads["city"]).status_code == 200


def test_the_store_takes_token_ids_exactly(tmp_path: Path) -> None:
    from chainatlas.api.auth import TokenNotFound

    auth = AuthStore(tmp_path / "a.db")
    token_id = auth.principal(auth.create("district", ["长兴县"])).token_id
    for bad in (" " + token_id, token_id + "\t", "\u3000" + token_id, token_id.upper()):
        with pytest.raises(TokenNotFound):
            auth.revoke(bad)
    assert auth.token(token_id).revoked is None
    auth.close()


# ---- 5. the errors of an import are capped ------------------------------------------------------
def _duplicates_zip(rows: int) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("n.csv", "id:ID,:LABEL,name\n" + "seg:dup,Segment,重复\n" * rows)
    return buf.getvalue()


def test_an_import_reports_at_most_max_errors(api) -> None:  # type: ignore[no-untyped-def]
    from chainatlas.graph.errors import MAX_ERRORS

    c, heads, store, _ = api
    before = store.counts()
    files = {"file": ("dups.zip", _duplicates_zip(3 * MAX_ERRORS))}
    r = c.post(f"{API}/import", files=files, headers=heads["city"])
    assert r.status_code == 422, r.text[:300]
    assert len(r.json()["errors"]) == MAX_ERRORS
    assert f"超过 {MAX_ERRORS} 处错误" in _problem(r)
    assert store.counts() == before
    r = c.post(f"{API}/import", params={"skip_bad": "true"}, files=files, headers=heads["city"])
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert len(body["skipped"]) == MAX_ERRORS and body["skipped_count"] == 3 * MAX_ERRORS - 1
    assert store.require_node("seg:dup").name == "重复"


def test_import_failed_keeps_the_first_errors_and_counts_the_rest() -> None:
    from chainatlas.graph.errors import MAX_ERRORS, ImportFailed, RowError

    exc = ImportFailed([RowError("a.csv", i + 2, "id", "重复") for i in range(MAX_ERRORS + 7)])
    assert len(exc.errors) == MAX_ERRORS and exc.more == 7
    assert f"{MAX_ERRORS + 7} 处错误" in str(exc) and f"只列出前 {MAX_ERRORS} 处" in str(exc)


# ---- 7. anonymous bodies are refused before they are read ----------------------------------------
class _Counted:
    """A request body that counts how much of it the server read."""

    def __init__(self, size: int) -> None:
        self.size, self.read = size, 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        chunk = b"x" * 65536
        while self.read < self.size:
            self.read += len(chunk)
            yield chunk


@pytest.mark.parametrize("token", [None, "ca_not-a-token"])
def test_an_anonymous_upload_is_refused_before_its_body_is_read(api, token) -> None:  # type: ignore[no-untyped-def]
    c, _, _, _ = api
    heads = {"Content-Type": "multipart/form-data; boundary=x"}
    if token:
        heads["Authorization"] = f"Bearer {token}"
    body = _Counted(30 * 1024 * 1024)
    r = c.post(f"{API}/import", content=body, headers=heads)  # type: ignore[arg-type]
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    _problem(r)
    assert body.read <= 2 * 65536, body.read
    sized = {**heads, "Content-Length": "1000"}
    r = c.put(f"{API}/records/projects/p:x", content=b"{" * 1000, headers=sized)
    assert r.status_code == 401


def test_a_valid_token_still_posts_and_reads_need_no_body(api) -> None:  # type: ignore[no-untyped-def]
    c, heads, _, _ = api
    assert c.get(f"{API}/health").status_code == 200
    r = c.post(f"{API}/problems", json={"title": "用地", "region": "长兴县"}, headers=heads["cx"])
    assert r.status_code == 201, r.text


# ---- 8. invisible characters in ids -------------------------------------------------------------
@pytest.mark.parametrize("prefix", ["%E2%80%8B", "%EF%BB%BF", "%E1%85%A4"])
def test_an_id_that_only_looks_like_another_is_refused(api, prefix: str) -> None:  # type: ignore[no-untyped-def]
    c, heads, store, _ = api
    before = store.counts()
    body = {"props": {"name": "仿冒"}, "region": "长兴县"}
    r = c.put(f"{API}/records/projects/{prefix}firm:sample-0005", json=body, headers=heads["city"])
    assert r.status_code == 422, r.text
    assert "不可见" in _problem(r)
    assert store.counts() == before


# ---- 9. English texts, a move that keeps another region's park, unknown firm fields -------------
def test_starlettes_english_details_are_chinese(api) -> None:  # type: ignore[no-untyped-def]
    c, heads, _, _ = api
    bad_json = {**heads["city"], "Content-Type": "application/json"}
    r = c.post(f"{API}/problems", content=b'{"title": ', headers=bad_json)
    assert r.status_code in (400, 422) and "error" not in _problem(r)
    r = c.post(
        f"{API}/import",
        content=b"--x\r\nbroken",
        headers={**heads["city"], "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert r.status_code in (400, 422) and "error" not in _problem(r)
    r = c.get(f"{API}/no-such-thing", headers=heads["city"])
    assert r.status_code == 404 and "Not Found" not in _problem(r)
    r = c.delete(f"{API}/health", headers=heads["city"])
    assert r.status_code == 405 and "Method" not in _problem(r)


def test_a_move_to_another_region_drops_the_old_regions_park(api) -> None:  # type: ignore[no-untyped-def]
    from chainatlas.graph.model import Relationship

    c, heads, store, _ = api
    _project(c, heads["city"], "project:mover", "长兴县", chain="1366:icv")
    store.upsert_relationships([Relationship("project:mover", "IN_PARK", "park:长兴县示例产业园")])
    r = c.put(
        f"{API}/records/projects/project:mover",
        json={"props": {}, "region": "吴兴区"},
        headers=heads["city"],
    )
    assert r.status_code == 200, r.text
    assert not store.neighbours("project:mover", ["IN_PARK"], "out")


def test_a_firm_moved_to_another_region_leaves_its_park(api) -> None:  # type: ignore[no-untyped-def]
    from chainatlas.graph.model import Relationship

    c, heads, store, _ = api
    body = {"name": "搬迁企业", "region": "长兴县"}
    assert c.put(f"{API}/firms/firm:mover", json=body, headers=heads["city"]).status_code == 200
    store.upsert_relationships([Relationship("firm:mover", "IN_PARK", "park:长兴县示例产业园")])
    body["region"] = "吴兴区"
    assert c.put(f"{API}/firms/firm:mover", json=body, headers=heads["city"]).status_code == 200
    assert not store.neighbours("firm:mover", ["IN_PARK"], "out")


def test_a_firm_body_refuses_an_unknown_field(api) -> None:  # type: ignore[no-untyped-def]
    c, heads, store, _ = api
    body = {"name": "严格企业", "region": "长兴县", "extra": 1}
    r = c.put(f"{API}/firms/firm:strict", json=body, headers=heads["city"])
    assert r.status_code == 422 and "extra" in _problem(r)
    assert store.get_node("firm:strict") is None
