"""Tokens, web sessions and the audit log, in ``auth.db`` (SQLite) whatever the graph backend.

Roles and what their scopes hold are in :mod:`chainatlas.api.roles`. Here:

* **Tokens** are random, shown once, stored only as SHA-256 hashes. A token may expire and may
  be revoked; its *id* (the first 12 hex digits of the hash) names it in lists and in
  ``revoke``. Known tokens are remembered for ``CACHE_SECONDS`` (every request asks; the
  database is asked at most once per token in that time). Revoking a token in this process
  forgets it at once and ends its web sessions; another process that remembered it may accept
  it for at most ``CACHE_SECONDS`` more.
* **Web sessions** are what the UI's cookie holds: a random session id (stored hashed) that
  points to a token and lasts ``SESSION_SECONDS`` at most (never past the token's expiry). The
  CSRF token of a session's forms is derived from the session id, so it is not stored.
* **The audit log is written ahead**: :meth:`AuthStore.audited` records the intended change
  (status ``pending``) *before* the graph is written and completes it (``done`` with the real
  record after, or ``failed`` with the reason) afterwards. The graph may live in Neo4j, so one
  transaction over both is not possible; a crash between the two leaves a ``pending`` row —
  never a change without a row.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from chainatlas.api import roles
from chainatlas.api.roles import (
    CITY,
    ROLE_CODES,
    ROLES,
    ScopeInvalid,
    handlers,
    may_handle,
    role_zh,
    scoped_by,
    supervisors,
)
from chainatlas.graph.errors import ChainAtlasError, Conflict, NodeNotFound, ValidationFailed
from chainatlas.graph.model import ID_REFUSED, LABEL_ZH, char_class, text_problem
from chainatlas.graph.store.contract import GraphStore

__all__ = [
    "AUDIT_KEYS",
    "AuditEntry",
    "AuditFilter",
    "AuthStore",
    "CACHE_SECONDS",
    "Forbidden",
    "Principal",
    "ROLES",
    "SESSION_SECONDS",
    "TokenInfo",
    "TokenNotFound",
    "already_revoked",
    "Unauthorized",
    "check_link",
    "check_problem_step",
    "check_scope",
    "check_scopes",
    "check_supervisor",
    "check_writer",
    "in_scope",
    "OFFICE_TZ",
    "TOKEN_NAME_MAX",
    "new_token",
    "parse_expiry",
    "require_role",
    "token_name_problem",
]

CACHE_SECONDS = 5.0
SESSION_SECONDS = 8 * 3600
ID_LENGTH = 12
_TOKEN_ID = re.compile(f"[0-9a-f]{{{ID_LENGTH}}}")
#: The longest token name, in characters: a holder or a unit, not a description
TOKEN_NAME_MAX = 60
#: What a token name may not hold: the characters no id may hold (controls, line breaks,
#: format characters such as the direction override U+202E, invisible ones) but the plain
#: space inside a name
_NAME_BAD = re.compile(char_class(ID_REFUSED))


class Unauthorized(ChainAtlasError):
    """No token, or a token that is not known, expired or revoked."""


class Forbidden(ChainAtlasError):
    """A request outside the caller's role or scope."""


class TokenNotFound(NodeNotFound):
    """A token id that names no token (answered 404)."""

    def __init__(self, token_id: str) -> None:
        ChainAtlasError.__init__(self, f"没有编号为 {token_id!r} 的令牌")
        self.node_id = token_id


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    scope: tuple[str, ...]
    #: the token's id (first digits of its hash): the key of per-token rate limits
    token_id: str = ""

    def describe(self) -> str:
        """『区县招商团队（长兴县）』, 『市链长办』."""
        where = "、".join(self.scope)
        return f"{role_zh(self.role)}（{where}）" if where else role_zh(self.role)


@dataclass(frozen=True)
class TokenInfo:
    """What a token list shows: never the token, never its whole hash."""

    id: str
    name: str
    role: str
    scope: list[str]
    created: str
    expires: str | None
    revoked: str | None

    @property
    def status(self) -> str:
        if self.revoked:
            return "已吊销"
        if self.expires and self.expires <= _now():
            return "已过期"
        return "有效"


class _RequestLike(Protocol):
    @property
    def method(self) -> str: ...

    @property
    def url(self) -> Any: ...


#: The fields of an audit row, as the API answers them
AUDIT_KEYS = (
    "id",
    "at",
    "actor",
    "token_id",
    "role",
    "method",
    "path",
    "target",
    "before",
    "after",
    "status",
    "finished",
    "error",
)


@dataclass(frozen=True)
class AuditFilter:
    """Which rows of the audit log to show: by the actor (a token's name or its id), the
    target (a record's id, exactly) and the time (``since``/``until``: UTC ISO times, as
    stored; ``until`` excluded)."""

    actor: str | None = None
    target: str | None = None
    since: str | None = None
    until: str | None = None

    def sql(self, status: str | None = None) -> tuple[str, list[Any]]:
        """The ``WHERE`` condition (never empty) and its arguments."""
        parts, args = ["1=1"], []
        for cond, value in (
            ("status = ?", status),
            ("(actor = ? OR token_id = ?)", self.actor),
            ("target = ?", self.target),
            ("at >= ?", self.since),
            ("at < ?", self.until),
        ):
            if value is not None:
                parts.append(cond)
                args += [value] * cond.count("?")
        return " AND ".join(parts), args


class AuditEntry:
    """One audited change under way: set ``after`` to the record as written."""

    def __init__(self, entry_id: int, after: Any) -> None:
        self.id = entry_id
        self.after = after


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A new random token and its id (what lists, the audit log and ``revoke`` name it by)."""
    token = "ca_" + secrets.token_urlsafe(32)
    return token, _hash(token)[:ID_LENGTH]


def token_name_problem(name: str) -> str | None:
    """Why ``name`` (surrounding spaces already removed) cannot name a token, ``None`` when it
    can: blank, longer than :data:`TOKEN_NAME_MAX`, or holding a character people cannot see
    or that changes how the text around it shows (review S, B10).

    >>> token_name_problem("长兴招商"), token_name_problem(" ")
    (None, '令牌名称不能为空白')
    >>> "U+202E" in token_name_problem("x\u202eevil")
    True
    """
    if not name.strip():
        return "令牌名称不能为空白"
    if len(name) > TOKEN_NAME_MAX:
        return f"令牌名称最长 {TOKEN_NAME_MAX} 个字符（现为 {len(name)} 个）"
    bad = text_problem(name, one_line=True)
    if bad:
        return f"令牌名称{bad}"
    hidden = _NAME_BAD.search(name)
    if hidden:
        where = f"第 {hidden.start() + 1} 个字符"
        return f"令牌名称含不可见字符或格式字符 U+{ord(hidden.group()):04X}（{where}）"
    return None


def _name_key(name: str) -> str:
    """Names that read alike compare alike (full-width letters, case)."""
    return unicodedata.normalize("NFKC", name).casefold()


def _now() -> str:
    return _iso(datetime.now(UTC))


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL,
    role TEXT NOT NULL, scope TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, method TEXT NOT NULL,
    path TEXT NOT NULL, target TEXT, before TEXT, after TEXT);
CREATE TABLE IF NOT EXISTS sessions (hash TEXT PRIMARY KEY, token TEXT NOT NULL,
    created TEXT NOT NULL, expires TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_token ON sessions (token);
"""
#: columns added after the first release (an older auth.db gets them on opening)
_ADDED = {
    "tokens": {"expires": "TEXT", "revoked": "TEXT"},
    "audit": {
        "status": "TEXT NOT NULL DEFAULT 'done'",
        "finished": "TEXT",
        "error": "TEXT",
        # the id of the actor's token (``cli``, ``system`` for those); rows of an older
        # auth.db have none: they name the actor by token name only
        "token_id": "TEXT",
    },
}


class AuthStore:
    """Tokens (hashed), web sessions (hashed) and the audit log, in SQLite."""

    def __init__(self, path: Path) -> None:
        self._known: dict[str, tuple[Principal, float, str | None]] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        for table, columns in _ADDED.items():
            have = {r[1] for r in self._db.execute(f"PRAGMA table_info({table})")}
            for column, kind in columns.items():
                if column not in have:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # ---- tokens ---------------------------------------------------------------------------
    def create(
        self,
        role: str,
        scope: Sequence[str],
        name: str = "",
        *,
        expires: datetime | None = None,
        token: str | None = None,
    ) -> str:
        """A new token (returned once; only its hash is kept). ``scope`` as stored: check it
        against the graph first with :func:`chainatlas.api.roles.resolve_scope`. The name is
        taken as it is: people's tokens are made with :meth:`issue`, which checks it."""
        if role not in ROLES:
            raise ScopeInvalid(f"角色应为 {'/'.join(ROLE_CODES)} 之一：{role!r}")
        if scoped_by(role) == "none" and scope:
            raise ScopeInvalid(f"{role_zh(role)}令牌的范围是全市，不接受范围")
        if scoped_by(role) != "none" and not scope:
            raise ScopeInvalid(f"{role_zh(role)}令牌需要范围（产业链编号或区县名称）")
        if expires is not None and _iso(expires) <= _now():
            raise ValidationFailed("有效期必须在将来")
        token = token or new_token()[0]
        with self._lock:
            self._db.execute(
                "INSERT INTO tokens (hash, name, role, scope, created, expires) "
                "VALUES (?,?,?,?,?,?)",
                (
                    _hash(token),
                    name or _default_name(role, scope),
                    role,
                    json.dumps(list(scope), ensure_ascii=False),
                    _now(),
                    _iso(expires) if expires else None,
                ),
            )
        return token

    def issue(
        self,
        role: str,
        scope: Sequence[str],
        name: str = "",
        *,
        expires: datetime | None = None,
        token: str | None = None,
    ) -> str:
        """A new token for people (the API, the admin page, ``chainatlas token create``): as
        :meth:`create`, with the name checked (:meth:`token_name`) in the same step as the
        token is stored, so two requests cannot both take one name."""
        with self._lock:
            return self.create(
                role, scope, self.token_name(name, role, scope), expires=expires, token=token
            )

    def token_name(self, name: str, role: str, scope: Sequence[str]) -> str:
        """The name a new token will carry: ``name`` without surrounding spaces, refused (422)
        when blank, too long or holding invisible or format characters, and (409) when a token
        still in use carries it; none given (``""``), the role and scope (``city:全市``), with
        a number (``city:全市（2）``) when that is taken."""
        taken = {_name_key(t.name): t for t in self.tokens() if t.status == "有效"}
        if name == "":
            base = _default_name(role, scope)
            n = 1
            while _name_key(name := base if n == 1 else f"{base}（{n}）") in taken:
                n += 1
            return name
        name = name.strip()
        bad = token_name_problem(name)
        if bad:
            raise ValidationFailed(bad)
        held = taken.get(_name_key(name))
        if held is not None:  # its own spelling too, where it differs (case, full width)
            spelled = f"（{held.name}）" if held.name != name else ""
            raise Conflict(f"令牌名称「{name}」已被有效令牌 {held.id}{spelled}使用；请换一个名称")
        return name

    def count(self) -> int:
        return int(self._query("SELECT count(*) FROM tokens")[0][0])

    def tokens(self) -> list[TokenInfo]:
        """Every token, newest first (revoked and expired ones too)."""
        rows = self._query(
            "SELECT hash, name, role, scope, created, expires, revoked FROM tokens "
            "ORDER BY created DESC, rowid DESC"
        )
        return [
            TokenInfo(h[:ID_LENGTH], n, r, json.loads(s), c, e, v) for h, n, r, s, c, e, v in rows
        ]

    def token(self, token_id: str) -> TokenInfo:
        """The token of an id exactly as lists show it (no space trimmed, no case folded)."""
        found = [t for t in self.tokens() if t.id == token_id]
        if not _TOKEN_ID.fullmatch(token_id) or not found:
            raise TokenNotFound(token_id)
        return found[0]

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token by its id: it stops working at once in this process (and within
        ``CACHE_SECONDS`` in others), and its web sessions end. A token revoked already is
        refused (409 令牌已吊销): its revocation time stays the first one."""
        info = self.token(token_id)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                done = self._db.execute(
                    "UPDATE tokens SET revoked=? WHERE substr(hash,1,?)=? AND revoked IS NULL",
                    (_now(), ID_LENGTH, info.id),
                )
                if done.rowcount == 0:
                    raise already_revoked(info)
                self._db.execute(
                    "DELETE FROM sessions WHERE substr(token,1,?)=?", (ID_LENGTH, info.id)
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            for key in [k for k in self._known if k.startswith(info.id)]:
                del self._known[key]
        return self.token(info.id)

    def principal(self, token: str | None) -> Principal:
        """The caller a token names; :class:`Unauthorized` for none, an unknown, an expired or
        a revoked token."""
        if not token:
            raise Unauthorized("需要令牌：请求头 Authorization: Bearer <token>")
        return self._principal(_hash(token))

    def _principal(self, key: str) -> Principal:
        now = time.monotonic()
        hit = self._known.get(key)
        if hit is not None and now - hit[1] < CACHE_SECONDS and not _past(hit[2]):
            return hit[0]
        rows = self._query(
            "SELECT name, role, scope, expires, revoked FROM tokens WHERE hash=?", (key,)
        )
        if not rows:
            raise Unauthorized("令牌无效")
        name, role, scope, expires, revoked = rows[0]
        if revoked:
            raise Unauthorized("令牌已吊销")
        if _past(expires):
            raise Unauthorized("令牌已过期")
        who = Principal(name, role, tuple(json.loads(scope)), key[:ID_LENGTH])
        self._known[key] = (who, now, expires)
        return who

    # ---- web sessions ---------------------------------------------------------------------
    def open_session(self, token: str) -> tuple[str, int]:
        """A new web session for a valid token: its id (for the cookie) and its lifetime in
        seconds."""
        self.principal(token)
        key = _hash(token)
        expires = datetime.now(UTC) + timedelta(seconds=SESSION_SECONDS)
        token_expires = self._query("SELECT expires FROM tokens WHERE hash=?", (key,))[0][0]
        if token_expires:
            expires = min(expires, datetime.fromisoformat(token_expires))
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE expires <= ?", (_now(),))
            self._db.execute(
                "INSERT INTO sessions VALUES (?,?,?,?)", (_hash(sid), key, _now(), _iso(expires))
            )
        return sid, max(1, int((expires - datetime.now(UTC)).total_seconds()))

    def session(self, sid: str | None) -> Principal:
        """The caller of a web session; :class:`Unauthorized` when it is unknown, ended or
        past its lifetime, or its token no longer works."""
        if not sid:
            raise Unauthorized("请先登录")
        rows = self._query("SELECT token, expires FROM sessions WHERE hash=?", (_hash(sid),))
        if not rows or _past(rows[0][1]):
            raise Unauthorized("登录已失效，请重新登录")
        return self._principal(rows[0][0])

    def close_session(self, sid: str | None) -> None:
        if sid:
            with self._lock:
                self._db.execute("DELETE FROM sessions WHERE hash=?", (_hash(sid),))

    @staticmethod
    def csrf_token(secret: str) -> str:
        """The token a form must carry for the session (or login cookie) ``secret``."""
        return _hash("csrf\0" + secret)

    # ---- the audit log --------------------------------------------------------------------
    @contextmanager
    def audited(
        self,
        who: Principal,
        request: _RequestLike,
        target: str | None,
        before: Any = None,
        intended: Any = None,
    ) -> Iterator[AuditEntry]:
        """``with auth.audited(who, request, target, before, intended) as entry:`` write the
        graph and set ``entry.after``. The row is ``pending`` before the block runs, then
        ``done`` (with ``entry.after``) or ``failed`` (with the error)."""
        entry = AuditEntry(
            self._begin(who, request.method, request.url.path, target, before, intended),
            intended,
        )
        try:
            yield entry
        except BaseException as exc:
            self._finish(entry.id, "failed", None, str(exc)[:500] or type(exc).__name__)
            raise
        self._finish(entry.id, "done", entry.after, None)

    def audit(
        self, who: Principal, method: str, path: str, target: str | None, before: Any, after: Any
    ) -> None:
        """A change already made (``done`` at once); routes use :meth:`audited`."""
        self._finish(self._begin(who, method, path, target, before, after), "done", after, None)

    def _begin(
        self, who: Principal, method: str, path: str, target: str | None, before: Any, after: Any
    ) -> int:
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO audit (at, actor, token_id, role, method, path, target, before, "
                "after, status) VALUES (?,?,?,?,?,?,?,?,?,'pending')",
                (
                    _now(),
                    who.name,
                    who.token_id or None,
                    who.role,
                    method,
                    path,
                    target,
                    _json(before),
                    _json(after),
                ),
            )
            return int(cur.lastrowid or 0)

    def _finish(self, entry_id: int, status: str, after: Any, error: str | None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE audit SET status=?, after=?, error=?, finished=? WHERE id=?",
                (status, _json(after), error, _now(), entry_id),
            )

    def audit_log(
        self,
        limit: int = 100,
        status: str | None = None,
        *,
        skip: int = 0,
        before: int | None = None,
        after: int | None = None,
        where: AuditFilter | None = None,
    ) -> list[dict[str, Any]]:
        """Rows of the audit log, newest first: ``limit`` of them after ``skip``, of those
        older than row ``before`` or newer than row ``after`` (keyset paging: a page of a long
        log costs what the first does), that ``where`` keeps."""
        sql, args = (where or AuditFilter()).sql(status)
        if before is not None:
            sql, args = f"{sql} AND id < ?", [*args, before]
        if after is not None:  # the rows just newer: read upwards, shown newest first
            rows = self._query(
                f"SELECT {', '.join(AUDIT_KEYS)} FROM audit WHERE {sql} AND id > ? "
                "ORDER BY id ASC LIMIT ? OFFSET ?",
                [*args, after, limit, skip],
            )
            rows.reverse()
        else:
            rows = self._query(
                f"SELECT {', '.join(AUDIT_KEYS)} FROM audit WHERE {sql} "
                "ORDER BY id DESC LIMIT ? OFFSET ?",
                [*args, limit, skip],
            )
        return [dict(zip(AUDIT_KEYS, r, strict=True)) for r in rows]

    def audit_count(self, status: str | None = None, where: AuditFilter | None = None) -> int:
        """How many rows of the audit log ``status`` and ``where`` keep."""
        sql, args = (where or AuditFilter()).sql(status)
        return int(self._query(f"SELECT count(*) FROM audit WHERE {sql}", args)[0][0])

    def close(self) -> None:
        self._db.close()


def _default_name(role: str, scope: Sequence[str]) -> str:
    """The name of a token made without one: its role and scope (``district:长兴县``)."""
    return f"{role}:{','.join(scope) or '全市'}"


def already_revoked(info: TokenInfo) -> Conflict:
    """The refusal (409) to revoke a token again: the first revocation stands."""
    return Conflict(f"令牌已吊销：{info.id}（{info.name}）")


def _past(expires: str | None) -> bool:
    return bool(expires) and str(expires) <= _now()


_DURATION = re.compile(r"^(\d{1,5})\s*([dhw天周]|小时)$")
#: the furthest a token's expiry may be set: beyond, a lifetime that is surely a typing error
#: (and a date near year 9999 that a datetime cannot add a day to)
MAX_EXPIRY_YEARS = 10


#: The officers' time zone, in which a typed expiry date or time is read (the pages show times
#: in it too: ``routes.ui.filters.BEIJING``, above this module)
OFFICE_TZ = ZoneInfo("Asia/Shanghai")


def parse_expiry(text: str, *, now: datetime | None = None) -> datetime:
    """When a token given ``--expires TEXT`` stops working: ``30d`` / ``12h`` / ``2w`` (also
    ``30天``, ``12小时``, ``2周``) from now, or a date ``YYYY-MM-DD`` (valid through that day in
    Beijing time, :data:`OFFICE_TZ`, whatever the server's zone), or an ISO date-time (Beijing
    time unless it names its offset); at most :data:`MAX_EXPIRY_YEARS` years ahead
    (``ValidationFailed`` beyond)."""
    now = now or datetime.now(UTC)
    at = _expiry(text, now)
    if at - now > timedelta(days=365 * MAX_EXPIRY_YEARS + MAX_EXPIRY_YEARS // 4 + 1):
        raise _too_far(text)
    return at


def _too_far(text: str) -> ValidationFailed:
    return ValidationFailed(f"有效期最长 {MAX_EXPIRY_YEARS} 年：{text.strip()!r} 太远")


#: A date at the start of an expiry (``2026-02-30``, ``2026-02-30T09:00``): the format is right
_DATE_START = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:$|[T ])")


def _expiry(text: str, now: datetime) -> datetime:
    """:func:`parse_expiry` without the upper bound. Every refusal is invalid data (422), each
    with its reason: the format, a day no calendar has, zero or negative, the past."""
    raw = text.strip()
    m = _DURATION.match(raw)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        hours = {"h": 1, "小时": 1, "d": 24, "天": 24, "w": 168, "周": 168}[unit] * n
        if hours == 0:
            raise ValidationFailed(f"有效期必须大于 0：{text!r}")
        if hours > 24 * 366 * MAX_EXPIRY_YEARS:
            raise _too_far(text)
        return now + timedelta(hours=hours)
    if raw.startswith("-") and _DURATION.match(raw[1:].strip()):
        raise ValidationFailed(f"有效期必须大于 0：{text!r}")
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            at = datetime.combine(day + timedelta(days=1), datetime.min.time(), OFFICE_TZ)
        else:
            at = datetime.fromisoformat(raw)
            at = at if at.tzinfo else at.replace(tzinfo=OFFICE_TZ)
    except OverflowError:  # 9999-12-31: the day after is beyond what a datetime holds
        raise _too_far(text) from None
    except ValueError:
        day_text = _DATE_START.match(raw)
        if day_text and not _calendar_day(day_text.group(1)):
            raise ValidationFailed(f"不是日历上的日期：{day_text.group(1)!r}") from None
        raise ValidationFailed(f"有效期格式应为 30d、12h、2w 或日期 YYYY-MM-DD：{text!r}") from None
    if at <= now:
        raise ValidationFailed(f"有效期 {raw} 已经过去")
    return at


def _calendar_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def require_role(who: Principal, role: str, what: str) -> None:
    """Refuse (403) anyone but ``role``, naming the role needed."""
    if who.role != role:
        raise Forbidden(f"{what}需要{role_zh(role)}令牌；当前令牌为{who.describe()}")


def in_scope(
    store: GraphStore,
    who: Principal,
    *,
    node: str | None = None,
    chain: str | None = None,
    region: str | None = None,
) -> bool:
    """May ``who`` write this record (an existing node, or a new one in a chain/region)? Its
    role must write records (``RoleSpec.records``) and its scope reach the record."""
    spec = ROLES.get(who.role)
    if spec is None or spec.records == "none":
        return False
    if spec.records == "all":
        return True
    return roles.in_scope(store, who.role, who.scope, node=node, chain=chain, region=region)


def check_writer(who: Principal) -> None:
    """Refuse (403) a role that writes no records (the leaders: they decide problems)."""
    spec = ROLES.get(who.role)
    if spec is None or spec.records == "none":
        raise Forbidden(f"{who.describe()}无权修改记录：{role_zh(who.role)}只查阅和办理问题闭环")


def check_scope(store: GraphStore, who: Principal, **where: Any) -> None:
    check_writer(who)
    if not in_scope(store, who, **where):
        raise Forbidden(f"{who.describe()}无权修改此记录")


def check_scopes(
    store: GraphStore,
    who: Principal,
    *,
    nodes: Sequence[str | None] = (),
    chain: str | None = None,
    region: str | None = None,
) -> None:
    """Every scope a record touches must be the caller's: each node it is about, and the
    chain or region it is filed under where the caller's role is limited by chains or
    regions. A record that touches nothing of the caller's scope is refused too. This is
    reach only (any role may collect a problem in its scope, leaders too)."""
    if who.role == CITY or scoped_by(who.role) == "none":
        return
    touched = [n for n in nodes if n]
    for node in touched:
        if not roles.in_scope(store, who.role, who.scope, node=node):
            theirs = record_named(store, node)
            raise Forbidden(f"{who.describe()}无权提交本辖范围以外的记录（{theirs}）")
    named = chain if scoped_by(who.role) == "chain" else region
    if named is not None:
        if named not in who.scope:
            what = "产业链" if scoped_by(who.role) == "chain" else "区域"
            raise Forbidden(f"{who.describe()}无权在{what}「{named}」下提交")
    elif not touched:
        what = "本链" if scoped_by(who.role) == "chain" else "本区县"
        raise Forbidden(f"{who.describe()}无权提交不属于{what}的记录")


def check_link(store: GraphStore, who: Principal, node: str, what: str) -> None:
    """Refuse (403) a link from a written record to a record outside the caller's scope: a
    district cannot attach a demand to another district's project (it would show in that
    project's dossier). ``what`` names the kind (项目, 企业). A firm that belongs to no scope
    of the caller's kind — one outside the city's districts for a district, one in no chain
    for a chain department — may be linked: investors come from elsewhere. An id that names
    no node is left to the write to refuse."""
    if who.role == CITY or scoped_by(who.role) == "none" or store.get_node(node) is None:
        return
    if roles.in_scope(store, who.role, who.scope, node=node):
        return
    if what == "企业" and not roles.owners(store, who.role, node):
        return
    raise Forbidden(f"{who.describe()}无权关联本辖范围以外的{record_named(store, node)}")


def record_named(store: GraphStore, node_id: str) -> str:
    """A record as a refusal names it for people: its kind and name (项目「…」), not its id
    (review R, B4); the id itself where no such record is stored."""
    node = store.get_node(node_id)
    if node is None:
        return f"「{node_id}」"
    return f"{LABEL_ZH.get(node.label, '记录')}「{node.name}」"


def check_supervisor(who: Principal, what: str) -> None:
    """Refuse (403) anyone who does not supervise (督办, 回头看: 市链长办, or 总链长 above it)."""
    spec = ROLES.get(who.role)
    if spec is None or not spec.supervises:
        raise Forbidden(f"{what}由{supervisors()}办理；当前令牌为{who.describe()}")


def check_problem_step(
    who: Principal,
    *,
    title: str,
    level: str,
    to: str,
    chains: Sequence[str],
    region: str | None,
    where: str = "",
) -> None:
    """Refuse (403) a step of the problem loop that ``who`` may not take, naming the role
    needed: 督办 is the supervisors' (:func:`check_supervisor`); every other step belongs to
    the body the problem is routed to by its level, or a body above it
    (:func:`chainatlas.api.roles.may_handle`). ``where`` names the problem's chains and region
    for the message."""
    if to == "督办":
        check_supervisor(who, f"问题「{title}」的督办")
        return
    if not may_handle(who.role, who.scope, level, chains=chains, region=region):
        where = where or "、".join([*chains, *([region] if region else [])]) or "未归链、未定区域"
        one = "（一事一议）" if level == "特别重大" else ""
        raise Forbidden(
            f"{level}问题「{title}」（{where}）的「{to}」须由{handlers(level)}{one}办理；"
            f"当前令牌为{who.describe()}"
        )
