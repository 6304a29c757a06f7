"""Access tokens over HTTP, for the city office only: list, create (scope checked against the
graph, as ``chainatlas token create`` does) and revoke. A token is shown once, in the answer
that creates it; lists name tokens by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from chainatlas.api.auth import Principal, parse_expiry, require_role
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
    """A new token; its scope must fit the role and name chains or districts of the graph."""
    _city(who)
    until = parse_expiry(body.expires) if body.expires else None
    scope = resolve_scope(store, body.role, body.scope)
    intended = {"role": body.role, "scope": scope, "name": body.name}
    with auth.audited(who, request, None, None, intended) as entry:
        token = auth.create(body.role, scope, body.name, expires=until)
        info = next(t for t in auth.tokens() if t.id == auth.principal(token).token_id)
        entry.after = TokenPublic.of(info).model_dump()
    return TokenCreated(token=token, **TokenPublic.of(info).model_dump())


@router.delete("/{token_id}", response_model=TokenPublic)
def revoke_token(
    token_id: TokenIdPath, who: PrincipalDep, auth: AuthDep, request: Request
) -> TokenPublic:
    """Revoke a token by id: it stops working at once and its web sessions end."""
    _city(who)
    before = TokenPublic.of(auth.token(token_id))
    with auth.audited(who, request, before.id, before.model_dump()) as entry:
        after = TokenPublic.of(auth.revoke(token_id))
        entry.after = after.model_dump()
    return after
