"""The security review, one test per point (README, "Security"): queries never built from
input, no path traversal, formulas neutralised on export and refused on import, request-size
limits, CORS closed, tokens stored hashed, secrets only in settings, no open redirect, no markup
injection, security headers."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.limits import BodyLimit
from chainatlas.api.main import create_app
from chainatlas.graph.errors import ImportFailed, SchemaViolation, ValidationFailed
from chainatlas.graph.io.bundle import import_bundle
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.api.webui import login

REPO = Path(__file__).resolve().parents[2]
SEGMENT = "seg:动力电池"  # a segment of 1366:icv


@pytest.fixture
def api(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, str], AuthStore]]:
    auth = AuthStore(tmp_path / "auth.db")
    city = {"Authorization": f"Bearer {auth.create('city', [])}"}
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, city, auth
    auth.close()


# ---- queries are never built from input --------------------------------------------------------
def test_labels_and_types_cannot_carry_cypher_or_sql(store: GraphStore) -> None:
    store.upsert_nodes([Node("seg:a", "Segment", {"name": "甲"})])
    before = store.counts()
    with pytest.raises(SchemaViolation):
        store.upsert_nodes([Node("x", "Firm) DETACH DELETE n //", {"name": "x"})])
    with pytest.raises(SchemaViolation):
        store.upsert_relationships([Relationship("seg:a", "X]->() DETACH DELETE a //", "seg:a")])
    assert store.counts() == before


def test_ids_keys_and_values_are_stored_literally(store: GraphStore) -> None:
    evil_id = "seg:a'); DROP TABLE nodes; --"
    evil_key = "k` DETACH DELETE n //"
    evil_value = "'; MATCH (n) DETACH DELETE n; --"
    store.upsert_nodes(
        [
            Node("seg:keep", "Segment", {"name": "保留"}),
            Node(evil_id, "Segment", {"name": "注入", "note": evil_value}),
        ]
    )
    found = store.find_nodes("Segment", {"note": evil_value})
    assert [n.id for n in found] == [evil_id]
    assert store.require_node(evil_id).props["note"] == evil_value
    # a key that is not an identifier is refused before any query; as a filter it finds nothing
    with pytest.raises(ValidationFailed, match="属性名"):
        store.upsert_nodes([Node("seg:x", "Segment", {"name": "x", evil_key: evil_value})])
    assert store.find_nodes("Segment", {evil_key: evil_value}) == []
    assert store.get_node("seg:keep") is not None and store.counts().nodes == 2


def test_bundle_headers_cannot_carry_sql(memory_store: EmbeddedStore, tmp_path: Path) -> None:
    header = "x', (SELECT 1)); DROP TABLE nodes; --"
    value = "v'); DROP TABLE nodes; --"
    d = tmp_path / "b"
    d.mkdir()
    (d / "n.csv").write_text(f'id:ID,:LABEL,name,"{header}"\nseg:a,Segment,甲,v\n', "utf-8")
    for fast in (True, False):  # refused by name, on both paths, before any SQL
        with pytest.raises(ImportFailed) as err:
            import_bundle(memory_store, d, progress=False, fast=fast)
        assert [(e.row, e.column) for e in err.value.errors] == [(1, header)]
        assert memory_store.counts().nodes == 0
    (d / "n.csv").write_text(f'id:ID,:LABEL,name,note\nseg:a,Segment,甲,"{value}"\n', "utf-8")
    rep = import_bundle(memory_store, d, progress=False)
    assert rep.path == "columnar"  # the path that builds SQL around column names
    assert memory_store.require_node("seg:a").props["note"] == value
    assert memory_store.counts().nodes == 1


# ---- paths ------------------------------------------------------------------------------------
def test_upload_file_names_cannot_leave_the_temporary_folder(api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c, city, _ = api
    target = tmp_path / "escaped.csv"
    name = "../" * 12 + str(target).lstrip("/")
    r = c.post("/api/v1/import", files={"file": (name, b"a,b\n1,2\n")}, headers=city)
    assert r.status_code == 422  # not a template; and above all nothing written outside
    assert not target.exists()


def test_zip_members_cannot_leave_the_bundle(api) -> None:  # type: ignore[no-untyped-def]
    c, city, _ = api
    for member in ("../evil.csv", "/etc/evil.csv", "a/../../evil.csv"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(member, "id:ID,:LABEL,name\nseg:z,Segment,z\n")
        r = c.post("/api/v1/import", files={"file": ("b.zip", buf.getvalue())}, headers=city)
        assert r.status_code == 422 and "不安全" in r.text, member


# ---- formulas ---------------------------------------------------------------------------------
EVIL = '=HYPERLINK("http://evil.example","点此")'


def _cells(data: bytes) -> list[openpyxl.cell.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


def test_exports_neutralise_formulas(api) -> None:  # type: ignore[no-untyped-def]
    """Every Excel export writes formula-like text as quote-prefixed text, exactly as stored:
    no formula cell, nothing Excel would evaluate, even after editing the cell."""
    c, city, _ = api
    body = {"name": EVIL, "region": "吴兴区", "segments": [SEGMENT], "tags": ["规上"]}
    assert c.put("/api/v1/firms/firm:evil", json=body, headers=city).status_code == 200
    r = c.put(
        "/api/v1/records/projects/project:evil",
        json={"props": {"name": "@SUM(A1)", "stage": "招商引资"}, "chain": "1366:icv"},
        headers=city,
    )
    assert r.status_code == 200, r.text
    month = date.today().strftime("%Y-%m")
    downloads = [
        ("/api/v1/maps/masters/1366:icv", {}),
        ("/api/v1/maps/fishbone/1366:icv", {}),
        ("/api/v1/maps/attraction/1366:icv", {}),
        ("/api/v1/projects", {}),
        ("/api/v1/gaps/1366:icv", {}),
        ("/api/v1/targets", {"segment": SEGMENT, "chain": "1366:icv"}),
        ("/api/v1/ledger/report", {"month": month}),
        ("/api/v1/ledger/lists", {"month": month}),
    ]
    seen_evil = 0
    for url, params in downloads:
        r = c.get(url, params={"format": "xlsx", **params}, headers=city)
        assert r.status_code == 200, url
        for cell in _cells(r.content):
            assert cell.data_type != "f", (url, cell.coordinate, cell.value)
            if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "@", "-", "\t")):
                assert cell.data_type == "s" and cell.quotePrefix, (url, cell.value)
                seen_evil += cell.value in (EVIL, "@SUM(A1)")
    assert seen_evil >= 2  # the hostile names were exported as they are, as text


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "数据"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


FIRM_HEAD = ["企业名称*", "所在区域*"]


@pytest.mark.parametrize(
    "name, payload, expect",
    [
        ("企业.xlsx", _xlsx([FIRM_HEAD, ["甲公司", "吴兴区"], ["=1+1", "吴兴区"]]), "公式"),
        (
            "企业.csv",
            "企业名称*,所在区域*\n甲公司,吴兴区\n\"=cmd|' /C calc'!A0\",吴兴区\n".encode(),
            "公式",
        ),
        ("企业.csv", "公司,地点\n甲,乙\n".encode(), "无法识别模板类型"),  # wrong headers
        ("企业.xlsx", b"PK\x03\x04 not really a workbook", "无法读取"),  # junk with a good name
        ("企业.csv", bytes(range(256)) * 64, ""),  # binary junk
    ],
)
def test_bad_uploads_are_refused_and_change_nothing(  # type: ignore[no-untyped-def]
    api, seeded: EmbeddedStore, name: str, payload: bytes, expect: str
) -> None:
    c, city, _ = api
    before = seeded.counts()
    r = c.post("/api/v1/import", files={"file": (name, payload)}, headers=city)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert expect in r.json()["detail"]
    if expect == "公式":
        assert r.json()["errors"][0]["row"] == 3  # the row is named (header = row 1)
    assert seeded.counts() == before


# ---- request sizes ----------------------------------------------------------------------------
def test_oversized_requests_are_refused_before_reading(api) -> None:  # type: ignore[no-untyped-def]
    c, city, _ = api
    big = b"x" * (11 * 1024 * 1024)
    r = c.post("/api/v1/match", content=big, headers={**city, "content-type": "application/json"})
    assert r.status_code == 413 and r.json()["status"] == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(12):
            yield b"y" * (1024 * 1024)

    r = c.post(
        "/api/v1/problems", content=chunks(), headers={**city, "content-type": "application/json"}
    )
    assert r.status_code == 413, r.text


def test_upload_limit_is_larger_but_bounded() -> None:
    app = FastAPI()

    @app.post("/api/v1/import")
    async def sink(request: object) -> dict[str, int]:  # pragma: no cover - never reached
        return {}

    limited = BodyLimit(app, default=10, uploads=100)
    with TestClient(limited) as c:  # type: ignore[arg-type]
        r = c.post("/api/v1/import", content=b"z" * 101)
        assert r.status_code == 413
        r = c.post("/elsewhere", content=b"z" * 11)
        assert r.status_code == 413


# ---- CORS, tokens, secrets --------------------------------------------------------------------
def test_cors_is_closed(api) -> None:  # type: ignore[no-untyped-def]
    c, city, _ = api
    pre = c.options(
        "/api/v1/chains",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in pre.headers
    r = c.get("/api/v1/chains", headers={**city, "Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_tokens_are_stored_hashed(tmp_path: Path) -> None:
    auth = AuthStore(tmp_path / "auth.db")
    token = auth.create("city", [], name="链长办")
    principal = auth.principal(token)
    auth.audit(principal, "PUT", "/api/v1/firms/x", "x", None, {"name": "x"})
    auth.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("auth.db*"))
    assert token.encode() not in raw
    assert token[-16:].encode() not in raw  # not even a part of it


def test_secrets_only_through_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-pw")
    s = Settings()
    assert s.neo4j_password == "s3cret-pw"
    assert "s3cret-pw" not in repr(s) and "s3cret-pw" not in str(s)
    # no password, token or key written into the code
    pattern = re.compile(r"""(password|secret|api_key|token)\s*[:=]\s*["'][^"'\s]{4,}["']""", re.I)
    offenders = [
        f"{p.relative_to(REPO)}:{i}"
        for pkg in ("graph", "api", "matching", "viz")
        for p in (REPO / pkg).rglob("*.py")
        for i, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, offenders


def test_neo4j_uris_are_redacted_in_messages() -> None:
    pytest.importorskip("neo4j", reason="the neo4j extra is not installed")
    from chainatlas.graph.store.neo4jstore import _redact

    assert _redact("bolt://neo4j:s3cret-pw@db:7687") == "bolt://***@db:7687"


# ---- the web UI -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "target, lands",
    [
        ("/ui/chains", "/ui/chains"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("/ui/chains\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_login_redirects_only_within_the_site(api, target: str, lands: str) -> None:  # type: ignore[no-untyped-def]
    c, _, auth = api
    token = auth.create("city", [])
    r = login(c, token, target)
    assert r.status_code == 303 and r.headers["location"] == lands
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)
        # a JSON data block (the fishbone's layout) is never run: only code counts
        self._in_script = tag == "script" and ("type", "application/json") not in attrs
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def test_names_cannot_inject_markup(api) -> None:  # type: ignore[no-untyped-def]
    c, city, _ = api
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    body = {"name": evil, "region": "吴兴区", "segments": [SEGMENT]}
    assert c.put("/api/v1/firms/firm:xss", json=body, headers=city).status_code == 200
    login(c, city["Authorization"][7:])  # the session cookie
    page = c.get("/ui/firms", params={"q": "script"})
    assert page.status_code == 200 and "&lt;script&gt;alert(1)" in page.text
    view = c.get("/api/v1/maps/masters/1366:icv", params={"format": "html"}, headers=city)
    fish = c.get("/api/v1/maps/fishbone/1366:icv", params={"format": "html"}, headers=city)
    for r in (page, view, fish):
        tags = _Tags()
        tags.feed(r.text)
        # the name is text everywhere: no element of its own, no script it wrote
        assert "img" not in tags.seen, r.url
        assert not any("alert(1)" in code for code in tags.scripts if "vis.DataSet" not in code)
        assert "</script><img" not in r.text
    # in the views the name travels as JSON data (with < > & escaped) that vis-network and the
    # fishbone's script show as text (innerText, textContent, canvas text)
    assert "\\u003c/script\\u003e\\u003cimg" in fish.text


def test_every_answer_carries_the_security_headers(api) -> None:  # type: ignore[no-untyped-def]
    c, city, _ = api
    for r in (c.get("/api/v1/health"), c.get("/api/v1/chains", headers=city), c.get("/ui/login")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "SAMEORIGIN"
        # same-origin: our URLs' ids stay here, and browsers send our Origin with form posts
        assert r.headers["referrer-policy"] == "same-origin"


# ---- numbers a store cannot hold (found by the fuzzer: a 90-bit integer answered 500) ----------
@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, float("inf"), [1, 2**70], [float("-inf")]])
def test_numbers_beyond_what_a_store_holds_are_refused(store: GraphStore, value: object) -> None:
    with pytest.raises(ValidationFailed, match="big"):
        store.upsert_nodes([Node("seg:big", "Segment", {"name": "大", "big": value})])
    assert store.get_node("seg:big") is None
    store.upsert_nodes(
        [Node("seg:ok", "Segment", {"name": "行", "big": 2**63 - 1, "n": float("nan")})]
    )
    ok = store.require_node("seg:ok").props
    assert ok["big"] == 2**63 - 1 and "n" not in ok  # NaN is an absent value (pandas' empty cell)


def test_api_refuses_huge_numbers_with_422(api) -> None:  # type: ignore[no-untyped-def]
    c, city, _ = api
    body = '{"name": "甲", "region": "吴兴区", "employees": 1710755565818321865086599168}'
    r = c.put(
        "/api/v1/firms/firm:big", content=body, headers={**city, "content-type": "application/json"}
    )
    assert r.status_code == 422
    body = '{"props": {"kind": "土地", "description": "地", "quantity": 1e400}}'
    r = c.put(
        "/api/v1/records/demands/demand:big",
        content=body,
        headers={**city, "content-type": "application/json"},
    )
    assert r.status_code == 422 and "quantity" in r.json()["detail"]
    assert c.get("/api/v1/firms", headers=city).status_code == 200


def test_a_bundle_with_a_huge_integer_names_the_row(
    memory_store: EmbeddedStore, tmp_path: Path
) -> None:
    d = tmp_path / "b"
    d.mkdir()
    (d / "n.csv").write_text(
        "id:ID,:LABEL,name,n:long\nseg:a,Segment,甲,1\nseg:b,Segment,乙,99999999999999999999\n",
        "utf-8",
    )
    with pytest.raises(ImportFailed) as exc:
        import_bundle(memory_store, d, progress=False)
    assert [(e.file, e.row) for e in exc.value.errors] == [("n.csv", 3)]
    assert memory_store.counts().nodes == 0
