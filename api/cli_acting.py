"""Who a command of the command line acts as, and its audit row.

The command line has no token: whoever runs it holds the data directory, like the 市链长办 that
runs the service. Commands of the problem loop and of 十个一 take the same rules as the API, so
they act as a role: the 市链长办 by default, or ``--role``/``--scope`` (checked against the graph
like a token's, :func:`chainatlas.api.roles.resolve_scope`) — e.g. ``--role 总链长`` to close a
特别重大 problem. Their writes are audited ahead in ``auth.db`` like the API's, with the method
``CLI`` and the command as the path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click

from chainatlas.api.auth import AuditEntry, AuthStore, Principal
from chainatlas.api.roles import CITY, resolve_role, resolve_scope, role_zh
from chainatlas.graph.errors import ChainAtlasError
from chainatlas.graph.store.contract import GraphStore

__all__ = ["acting", "as_role", "cli_audited", "signed_as"]


def _role(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        return resolve_role(value)
    except ChainAtlasError as exc:
        raise click.BadParameter(str(exc)) from None


def as_role(f: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--role`` and ``--scope`` options of a command that acts as a role."""
    f = click.option(
        "--scope",
        "scope",
        multiple=True,
        help="身份的范围：链长、牵头部门为产业链；区级各角色为区县；可重复",
    )(f)
    return click.option(
        "--role",
        default=CITY,
        show_default=True,
        callback=_role,
        help="以哪个角色办理（代码或中文名，见 chainatlas token create --help）",
    )(f)


def acting(store: GraphStore, role: str, scope: Sequence[str], name: str = "") -> Principal:
    """The caller a command acts as (its scope checked against the graph)."""
    scopes = resolve_scope(store, role, scope)
    return Principal(name or f"命令行（{role_zh(role)}）", role, tuple(scopes), "cli")


def signed_as(store: GraphStore, by: str, role: str = CITY) -> str:
    """The 'who' a command writes into a history (a follow-up, a stage move, 拿地): the
    role's command line with ``by`` as the officer beside it, as the API signs a token's
    writes (:func:`chainatlas.api.officer.signed`); a role's title as ``by`` is refused
    (``ValueError`` in Chinese, which :func:`~chainatlas.api.cli_common.user_errors` shows)."""
    from chainatlas.api.officer import check_officer, signed

    return signed(acting(store, role, ()).name, check_officer(by))


@dataclass(frozen=True)
class _Url:
    path: str


@dataclass(frozen=True)
class _Command:
    """What the audit log records of a command: ``CLI`` and the command line."""

    url: _Url
    method: str = "CLI"


@contextmanager
def cli_audited(
    home: Any, who: Principal, command: str, target: str | None, before: Any, intended: Any
) -> Iterator[AuditEntry]:
    """``AuthStore.audited`` for a command, in the data directory's ``auth.db``."""
    auth = AuthStore(home / "auth.db")
    try:
        with auth.audited(who, _Command(_Url(command)), target, before, intended) as entry:
            yield entry
    finally:
        auth.close()
