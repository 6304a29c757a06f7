"""Access tokens: a token asked for, a token as listed, a token just created (shown once)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chainatlas.api.auth import TOKEN_NAME_MAX, TokenInfo
from chainatlas.api.roles import ROLE_CODES
from chainatlas.api.schemas.base import BodyIn

RoleCode = Literal[ROLE_CODES]  # type: ignore[valid-type]


class TokenIn(BodyIn):
    role: RoleCode
    scope: list[str] = []
    #: the holder: 1–60 visible characters, not a live token's name (checked on creation)
    name: str = Field("", max_length=TOKEN_NAME_MAX)
    #: 30d, 12h, 2w, a date YYYY-MM-DD (valid through that day) or an ISO date-time
    expires: str | None = None


class TokenPublic(BaseModel):
    id: str
    name: str
    role: str
    scope: list[str]
    created: str
    expires: str | None
    revoked: str | None
    status: str

    @classmethod
    def of(cls, t: TokenInfo) -> TokenPublic:
        return cls(status=t.status, **t.__dict__)


class TokenCreated(TokenPublic):
    #: the token itself: shown this once, never again
    token: str


class TokensPublic(BaseModel):
    data: list[TokenPublic]
    count: int
