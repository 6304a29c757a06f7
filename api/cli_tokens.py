"""``chainatlas token create|list|revoke``: the access tokens of the service.

A token is shown once, when it is made; afterwards it is named by its id (the first 12 hex
digits of its hash), which is what ``list`` shows and ``revoke`` takes. Scopes are checked
against the graph (:func:`chainatlas.api.roles.resolve_scope`), the same check as
``POST /api/v1/tokens``. Like the read commands they refuse a data directory without a graph
(a mistyped ``--home``) and create nothing there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from chainatlas.api.auth import AuthStore, parse_expiry
from chainatlas.api.roles import resolve_role, resolve_scope, role_zh, roles_help
from chainatlas.graph.errors import ChainAtlasError

__all__ = ["token"]


@contextmanager
def _auth(c: Any, *, checked: bool = False) -> Iterator[AuthStore]:
    """The token store of the data directory the command runs on. A directory without a graph
    is refused as the read commands refuse it (``checked``: the caller has done so): a typo in
    ``--home`` must not make a new token store (showing "no tokens", or issuing a token for a
    store nobody serves)."""
    if not checked:
        c.existing_store().close()
    auth = AuthStore(c.settings.home / "auth.db")
    try:
        yield auth
    except ChainAtlasError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        auth.close()


@click.group()
def token() -> None:
    """访问令牌：链长制各角色（总链长、链长、市链长办、产业链牵头部门、区级链长、区级链长办、区县招商团队）。"""


def _role(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        return resolve_role(value)
    except ChainAtlasError as exc:
        raise click.BadParameter(str(exc)) from None


@token.command("create", epilog="\b\n角色（--role 用代码或中文名）：\n" + roles_help())
@click.option(
    "--role",
    required=True,
    callback=_role,
    help="角色代码或中文名（见下表）；city、chain、district 沿用第一版代码",
)
@click.option(
    "--scope",
    "scope",
    multiple=True,
    help="链长、牵头部门：产业链编号或名称；区级各角色：区县名称；可重复；总链长、市链长办不带",
)
@click.option(
    "--name", default="", help="令牌持有人/单位（1–60 个字符，不与有效令牌重名；不填为 角色:范围）"
)
@click.option(
    "--expires",
    default=None,
    help="有效期：30d、12h、2w，或截止日期 YYYY-MM-DD（北京时间，含当天）",
)
@click.pass_obj
def token_create(c: Any, role: str, scope: tuple[str, ...], name: str, expires: str | None) -> None:
    """生成令牌（只显示一次，库中只存哈希）。"""
    try:
        until = parse_expiry(expires) if expires else None
        with c.existing_store() as store:  # no graph here: refused, nothing made
            scopes = resolve_scope(store, role, scope)
            notes = [
                same_name_notice(store, x, resolve_scope(store, role, [x])[0])
                for x in scope
                if x.strip()
            ]
    except ChainAtlasError as exc:
        raise click.ClickException(str(exc)) from None
    with _auth(c, checked=True) as auth:
        tok = auth.issue(role, scopes, name, expires=until)  # the name checked, as the API
    for note in filter(None, notes):
        click.echo(note, err=True)  # stdout stays the token alone, for scripts
    click.echo(tok)


def same_name_notice(store: Any, given: str, chosen: str) -> str | None:
    """A notice when ``given`` is the name of several chains (both layouts have 生物医药):
    which one the scope took, and how to ask for another."""
    same = sorted(
        n.id for n in store.find_nodes("Chain") if n.name == given.strip() and given != n.id
    )
    if len(same) < 2 or chosen not in same:
        return None
    others = "、".join(x for x in same if x != chosen)
    return (
        f"注意：「{given}」是 {len(same)} 条产业链的名称，已按当前布局取 {chosen}；"
        f"要 {others} 请写编号。"
    )


@token.command("list")
@click.option("--all", "show_all", is_flag=True, help="也列出已吊销和已过期的令牌")
@click.pass_obj
def token_list(c: Any, show_all: bool) -> None:
    """列出令牌：编号、名称、角色、范围、创建时间、有效期、状态（不显示令牌本身；时间为北京时间）。"""
    from chainatlas.api.routes.ui.filters import local_time  # Beijing time, as the pages

    with _auth(c) as auth:
        rows = [t for t in auth.tokens() if show_all or t.status == "有效"]
    click.echo("编号\t名称\t角色\t范围\t创建\t有效期至\t状态")
    for t in rows:
        revoked = f"（{local_time(t.revoked)}）" if t.revoked else ""
        click.echo(
            f"{t.id}\t{t.name}\t{role_zh(t.role)}\t{'、'.join(t.scope) or '全市'}"
            f"\t{local_time(t.created)}\t{local_time(t.expires, '长期')}\t{t.status}{revoked}"
        )


@token.command("revoke")
@click.argument("token_id")
@click.pass_obj
def token_revoke(c: Any, token_id: str) -> None:
    """吊销令牌（按 list 显示的编号）；其网页登录随之失效。"""
    with _auth(c) as auth:
        t = auth.revoke(token_id)
    click.echo(f"已吊销令牌 {t.id}（{t.name}）；运行中的服务最迟 5 秒内拒绝它")
