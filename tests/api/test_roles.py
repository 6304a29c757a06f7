"""The 链长制 roles (#16): named as seed 000 names them, listed by ``token create --help``, made
with their scopes by the CLI and the API, the first release's codes kept; and what each may write
(records) is no looser than before — leaders write no records, district offices only theirs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from chainatlas.api.auth import AuthStore
from chainatlas.api.cli import main
from chainatlas.api.main import create_app
from chainatlas.api.roles import ROLES, resolve_role, role_zh
from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore
from tests.conftest import shared_or_skip


@pytest.fixture(scope="module")
def seed000() -> str:
    return shared_or_skip("seeds", "000_1bff7c389d9baca2.txt").read_text("utf-8")


# ---- names as the seed gives them ----------------------------------------------------------
@pytest.mark.parametrize(
    "zh",
    ["总链长", "链长", "区级链长", "市链长办", "产业链牵头部门", "区级链长办"],
)
def test_the_seed_names_each_body_as_the_role_is_named(seed000: str, zh: str) -> None:
    spec = next(s for s in ROLES.values() if s.zh == zh)
    assert zh in seed000 and spec.seed in seed000


def test_every_role_quotes_the_seed_or_says_it_is_inferred(seed000: str) -> None:
    for spec in ROLES.values():
        if spec.seed:
            assert spec.seed in seed000 and spec.zh in seed000, spec.code
        else:
            assert spec.basis.startswith("推断") and spec.zh not in seed000
    # the organisation and the office, word for word
    assert "总链长+链长+区级链长+链主" in seed000 and "链长制办公室调整到市经信局" in seed000


def test_the_first_release_codes_are_the_city_office_lead_department_and_district_team() -> None:
    assert (role_zh("city"), role_zh("chain"), role_zh("district")) == (
        "市链长办",
        "产业链牵头部门",
        "区县招商团队",
    )
    assert resolve_role("总链长") == "chief" and resolve_role("区级链长办") == "district-office"
    assert resolve_role("牵头部门") == "chain" and resolve_role("city") == "city"


# ---- tokens --------------------------------------------------------------------------------
@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def _run(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        res = runner.invoke(main, ["--home", str(tmp_path / "home"), *args])
        assert res.exception is None or isinstance(res.exception, SystemExit), res.output
        assert (res.exit_code == 0) == ok, res.output
        return res

    _run("init", "--no-sample")
    return _run


def test_token_create_help_lists_every_role_with_its_chinese_name(run) -> None:  # type: ignore[no-untyped-def]
    out = run("token", "create", "--help").output
    for spec in ROLES.values():
        line = next(x for x in out.splitlines() if x.strip().startswith(spec.code + " "))
        assert spec.zh in line


@pytest.mark.parametrize(
    "role, scope, stored_role, stored_scope",
    [
        ("总链长", [], "chief", []),
        ("链长", ["智能网联新能源汽车"], "chain-leader", ["1366:icv"]),
        ("市链长办", [], "city", []),
        ("牵头部门", ["1366:storage"], "chain", ["1366:storage"]),
        ("区级链长", ["长兴县"], "district-leader", ["长兴县"]),
        ("district-office", ["德清县", "长兴县"], "district-office", ["德清县", "长兴县"]),
        ("district", ["安吉县"], "district", ["安吉县"]),
    ],
)
def test_cli_makes_a_token_of_each_role(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, role: str, scope: list[str], stored_role: str, stored_scope: list[str]
) -> None:
    args = [x for s in scope for x in ("--scope", s)]
    tok = run("token", "create", "--role", role, *args).output.strip()
    auth = AuthStore(tmp_path / "home" / "auth.db")
    who = auth.principal(tok)
    auth.close()
    assert (who.role, list(who.scope)) == (stored_role, stored_scope)
    listed = run("token", "list").output
    assert role_zh(stored_role) in listed


@pytest.mark.parametrize(
    "args, says",
    [
        (["--role", "总链长", "--scope", "长兴县"], "总链长令牌的范围是全市"),
        (["--role", "链长"], "链长令牌需要范围"),
        (["--role", "区级链长办", "--scope", "湖州市"], "不是区、县或功能区"),
        (["--role", "区级链长", "--scope", "火星"], "区县「火星」不在图谱中"),
        (["--role", "链长", "--scope", "火星产业"], "图谱中没有产业链「火星产业」"),
        (["--role", "县长"], "没有角色「县长」"),
    ],
)
def test_cli_refuses_a_role_or_scope_that_does_not_fit(run, tmp_path: Path, args, says) -> None:  # type: ignore[no-untyped-def]
    assert says in run("token", "create", *args, ok=False).output
    auth = AuthStore(tmp_path / "home" / "auth.db")
    assert auth.count() == 0
    auth.close()


# ---- the API: tokens of the new roles, and what each role may write ----------------------------
@pytest.fixture
def world(
    seeded: EmbeddedStore, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, AuthStore, EmbeddedStore]]:
    with seeded.batch() as b:
        b.upsert_nodes(
            [
                Node(
                    "project:P",
                    "Project",
                    {"name": "测试项目", "region": "长兴县", "stage": "产业研究"},
                ),
                Node("firm:F", "Firm", {"name": "测试企业", "region": "长兴县"}),
            ]
        )
        b.upsert_relationships(
            [
                Relationship("project:P", "IN_CHAIN", "1366:storage"),
                Relationship("firm:F", "OPERATES_IN", "seg:锂电储能"),
                Relationship("firm:F", "LOCATED_IN", "region:长兴县"),
            ]
        )
    auth = AuthStore(tmp_path / "auth.db")
    with TestClient(create_app(settings, seeded, auth)) as c:
        yield c, auth, seeded
    auth.close()


def test_the_city_office_makes_tokens_of_the_new_roles_over_http(world) -> None:  # type: ignore[no-untyped-def]
    client, auth, _ = world
    city = {"Authorization": f"Bearer {auth.create('city', [])}"}
    r = client.post(
        "/api/v1/tokens",
        json={"role": "chain-leader", "scope": ["新能源与新型储能"], "name": "储能链链长"},
        headers=city,
    )
    assert r.status_code == 201 and r.json()["scope"] == ["1366:storage"]
    assert auth.principal(r.json()["token"]).role == "chain-leader"
    chief = {"Authorization": f"Bearer {auth.create('chief', [])}"}
    refused = client.post("/api/v1/tokens", json={"role": "chief"}, headers=chief)
    assert refused.status_code == 403 and "需要市链长办令牌" in refused.json()["detail"]


FIRM = {"name": "测试企业", "region": "长兴县", "segments": ["seg:锂电储能"]}
PROJECT = {"props": {"name": "新项目"}, "region": "长兴县", "chain": "1366:storage"}
WRITES = {
    "PUT /firms (existing)": lambda c, h: c.put("/api/v1/firms/firm:F", json=FIRM, headers=h),
    "PUT /firms (new)": lambda c, h: c.put("/api/v1/firms/firm:N", json=FIRM, headers=h),
    "PUT /firms (new, 德清县)": lambda c, h: c.put(
        "/api/v1/firms/firm:N2", json=FIRM | {"region": "德清县"}, headers=h
    ),
    "PUT /records/projects (new)": lambda c, h: c.put(
        "/api/v1/records/projects/project:N", json=PROJECT, headers=h
    ),
    "POST /projects/{id}/stage": lambda c, h: c.post(
        "/api/v1/projects/project:P/stage", json={"to": "招商引资"}, headers=h
    ),
    "DELETE /firms": lambda c, h: c.delete("/api/v1/firms/firm:F", headers=h),
}
#: who may write which record; every other (role, write) is refused with 403
MAY_WRITE = {
    ("district-office", "长兴县"): {
        "PUT /firms (existing)",
        "PUT /firms (new)",
        "PUT /records/projects (new)",
        "POST /projects/{id}/stage",
        "DELETE /firms",
    },
    ("district-office", "德清县"): {"PUT /firms (new, 德清县)"},
    ("chief", ""): set(),
    ("chain-leader", "1366:storage"): set(),
    ("district-leader", "长兴县"): set(),
}


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("who", list(MAY_WRITE))
def test_leaders_write_no_records_and_district_offices_only_their_own(  # type: ignore[no-untyped-def]
    world, who: tuple[str, str], write: str
) -> None:
    client, auth, store = world
    role, scope = who
    h = {"Authorization": f"Bearer {auth.create(role, [scope] if scope else [])}"}
    before = store.counts()
    r = WRITES[write](client, h)
    if write in MAY_WRITE[who]:
        assert 200 <= r.status_code < 300, r.text
    else:
        assert r.status_code == 403, r.text
        assert store.counts() == before
        assert auth.audit_log() == []  # refused before the audit row: nothing was attempted
