"""Roles, tokens and the audit log.

Three roles (issue "the service"): ``city`` (链长办: everything), ``chain`` (a chain's lead
department: records of its chains, scope = chain ids) and ``district`` (a district team:
records located in its district, scope = region names). Tokens are random, shown once, and
stored only as SHA-256 hashes; every write is recorded in the audit log with who, when, what,
and the record before and after. Both live in ``auth.db`` in the data directory, whatever the
graph backend.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from chainatlas.graph.errors import ChainAtlasError
from chainatlas.graph.store import GraphStore

__all__ = ["AuthStore", "Forbidden", "Principal", "ROLES", "Unauthorized", "in_scope"]

Role = Literal["city", "chain", "district"]
ROLES = ("city", "chain", "district")
ROLE_ZH = {"city": "链长办（全市）", "chain": "产业链牵头部门", "district": "区县招商团队"}


class Unauthorized(ChainAtlasError):
    """No token, or a token that is not known."""


class Forbidden(ChainAtlasError):
    """A write outside the caller's scope."""


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    scope: tuple[str, ...]


CACHE_SECONDS = 5.0


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AuthStore:
    """Tokens (hashed) and the audit log, in SQLite."""

    def __init__(self, path: Path) -> None:
        self._known: dict[str, tuple[Principal, float]] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript("""
            CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL,
                role TEXT NOT NULL, scope TEXT NOT NULL, created TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, method TEXT NOT NULL,
                path TEXT NOT NULL, target TEXT, before TEXT, after TEXT);
        """)

    def create(self, role: str, scope: list[str] | tuple[str, ...], name: str = "") -> str:
        """A new token (returned once; only its hash is kept)."""
        if role not in ROLES:
            raise ChainAtlasError(f"角色应为 {'/'.join(ROLES)}：{role!r}")
        if role != "city" and not scope:
            raise ChainAtlasError(f"角色 {role} 需要 --scope（产业链编号或区县名称）")
        token = "ca_" + secrets.token_urlsafe(32)
        with self._lock:
            self._db.execute(
                "INSERT INTO tokens VALUES (?,?,?,?,?)",
                (
                    _hash(token),
                    name or f"{role}:{','.join(scope) or '全市'}",
                    role,
                    json.dumps(list(scope), ensure_ascii=False),
                    _now(),
                ),
            )
        return token

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM tokens").fetchone()[0])

    def principal(self, token: str | None) -> Principal:
        """The caller a token names. Known tokens are remembered for ``CACHE_SECONDS`` (every
        request asks; the database is asked at most once per token in that time)."""
        if not token:
            raise Unauthorized("需要令牌：请求头 Authorization: Bearer <token>")
        key = _hash(token)
        hit = self._known.get(key)
        now = time.monotonic()
        if hit is not None and now - hit[1] < CACHE_SECONDS:
            return hit[0]
        row = self._db.execute(
            "SELECT name, role, scope FROM tokens WHERE hash=?", (key,)
        ).fetchone()
        if row is None:
            raise Unauthorized("令牌无效")
        who = Principal(row[0], row[1], tuple(json.loads(row[2])))
        self._known[key] = (who, now)
        return who

    def audit(
        self, who: Principal, method: str, path: str, target: str | None, before: Any, after: Any
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO audit (at, actor, role, method, path, target, before, after) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (
                    _now(),
                    who.name,
                    who.role,
                    method,
                    path,
                    target,
                    json.dumps(before, ensure_ascii=False, default=str)
                    if before is not None
                    else None,
                    json.dumps(after, ensure_ascii=False, default=str)
                    if after is not None
                    else None,
                ),
            )

    def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        cur = self._db.execute(
            "SELECT at, actor, role, method, path, target, before, after "
            "FROM audit ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        keys = ("at", "actor", "role", "method", "path", "target", "before", "after")
        return [dict(zip(keys, r, strict=True)) for r in cur]

    def close(self) -> None:
        self._db.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _regions_of(store: GraphStore, node_id: str) -> set[str]:
    n = store.get_node(node_id)
    out = set()
    if n is not None and n.props.get("region"):
        out.add(str(n.props["region"]))
    out.update(r.name for _, r in store.neighbours(node_id, ["LOCATED_IN"], "out"))
    return out


def _chains_of(store: GraphStore, node_id: str) -> set[str]:
    out = {c.id for _, c in store.neighbours(node_id, ["IN_CHAIN", "CHAIN_MASTER_OF"], "out")}
    for _, p in store.neighbours(node_id, ["FOR_PROJECT"], "out"):
        out |= {c.id for _, c in store.neighbours(p.id, ["IN_CHAIN"], "out")}
    for _, s in store.neighbours(node_id, ["OPERATES_IN", "IN_SEGMENT"], "out"):
        out |= {c.id for _, c in store.neighbours(s.id, ["HAS_SEGMENT"], "in")}
    return out


def in_scope(
    store: GraphStore,
    who: Principal,
    *,
    node: str | None = None,
    chain: str | None = None,
    region: str | None = None,
) -> bool:
    """May ``who`` write this record (an existing node, or a new one in a chain/region)?"""
    if who.role == "city":
        return True
    chains: set[str] = {chain} if chain else set()
    regions: set[str] = {region} if region else set()
    if node is not None:
        chains |= _chains_of(store, node)
        regions |= _regions_of(store, node)
    if who.role == "chain":
        return bool(chains & set(who.scope))
    return bool(regions & set(who.scope))


def check_scope(store: GraphStore, who: Principal, **where: Any) -> None:
    if not in_scope(store, who, **where):
        raise Forbidden(
            f"{ROLE_ZH.get(who.role, who.role)}（{'、'.join(who.scope)}）无权修改此记录"
        )
