"""Access tokens over HTTP, for the city office only: list, create (scope checked against the
graph, as ``chainatlas token create`` does) and revoke. A token is shown once, in the answer
that creates it; lists name tokens by id.

A refused request writes no audit row: the name, the expiry and the scope are checked before
the audited write, and revoking a token revoked already is refused (409) before it too."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from chainatlas.api.auth import Principal, already_revoked, new_token, parse_expiry, require_role
from chainatlas.api.deps import AuthDep, PrincipalDep, StoreDep
from chainatlas.api.roles import CITY, resolve_scope
from chainatlas.api.schemas import TokenCreated, TokenIn, TokenPublic, TokensPublic

router = APIRouter(prefix="/tokens", tags=["tokens"])

#: a token's id exactly as lists show it: 12 lower-case hex digits, nothing trimmed or folded
TokenIdPath = Annotated[
    str, Path(pattern=r"^[0-9a-f]{12}$", description="令牌编号（12 位十六进制数字）")
]


def _city(who: Principal) -> None:
    require_role(who, CITY, "管理令牌")


@router.get("", response_model=TokensPublic)
def list_tokens(who: PrincipalDep, auth: AuthDep) -> TokensPublic:
    """Every token (revoked and expired ones too), newest first; never the token itself."""
    _city(who)
    rows = [TokenPublic.of(t) for t in auth.tokens()]
    return TokensPublic(data=rows, count=len(rows))


@router.post("", response_model=TokenCreated, status_code=201)
def create_token(
    body: TokenIn, who: PrincipalDep, auth: AuthDep, store: StoreDep, request: Request
) -> TokenCreated:
    """A new token; its scope must fit the role and name chains or districts of the graph. Its
    name: 1–60 visible characters, not one a token still in use carries (409); none given,
    its role and scope (``city:全市``). The audit row's target is the new token's id."""
    _city(who)
    until = parse_expiry(body.expires) if body.expires else None
    scope = resolve_scope(store, body.role, body.scope)
    name = auth.token_name(body.name, body.role, scope)
    token, token_id = new_token()
    intended = {"role": body.role, "scope": scope, "name": name}
    with auth.audited(who, request, token_id, None, intended) as entry:
        auth.issue(body.role, scope, name, expires=until, token=token)
        info = TokenPublic.of(auth.token(token_id))
        entry.after = info.model_dump()
    return TokenCreated(token=token, **info.model_dump())


@router.delete("/{token_id}", response_model=TokenPublic)
def revoke_token(
    token_id: TokenIdPath, who: PrincipalDep, auth: AuthDep, request: Request
) -> TokenPublic:
    """Revoke a token by id: it stops working at once and its web sessions end; a token
    revoked already answers 409 (令牌已吊销) and writes no audit row."""
    _city(who)
    info = auth.token(token_id)
    if info.revoked:
        raise already_revoked(info)
    before = TokenPublic.of(info)
    with auth.audited(who, request, before.id, before.model_dump()) as entry:
        after = TokenPublic.of(auth.revoke(token_id))
        entry.after = after.model_dump()
    return after
