"""Who a record names: the token's name, always, with the officer acting under it (经办) beside.

A team token (区县招商团队, 区级链长办 …) is used by several people, so the bodies that write a
history line — a problem raised or stepped, a follow-up, a stage move, 拿地 — take an optional
``by``: the officer who did it. It never replaces the token's name, which is who the record is
for (the audit log keys on it too): the stored 'who' is ``长兴县招商团队（经办：张三）``, or the
token's name alone. A ``by`` that is a role's title (总链长, 市链长办, 区级链长, ……链长) is
refused — an officer is a person, and a title in a district's record would be a wrong fact.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from chainatlas.api.roles import ROLES

__all__ = ["Officer", "check_officer", "signed", "signed_by"]

#: the words that make a text a role's or a body's title rather than a person's name
_TITLES = tuple(
    sorted({t for r in ROLES.values() for t in (r.zh, *r.aliases)} | {"链长", "链长办"}, key=len)
)
_OPEN, _CLOSE = "（经办：", "）"


def check_officer(text: str) -> str:
    """The officer's name as given (trimmed); :class:`ValueError` in Chinese for a role's
    title or a text that would break the history line."""
    name = text.strip()
    title = next((t for t in _TITLES if name.endswith(t)), None)
    if title:
        raise ValueError(
            f"经办（by）填写经办人员的姓名，不能是角色或单位名称「{name}」："
            "记录中的办理单位一律是令牌的名称"
        )
    if "｜" in name:
        raise ValueError("经办（by）不能含“｜”")
    return name


#: a body's ``by``: the officer acting under the token (经办), optional
Officer = Annotated[
    str,
    Field(max_length=50, description="经办人员姓名（可选）：记在令牌名称旁，不会替代令牌名称"),
    AfterValidator(check_officer),
]


def signed(name: str, officer: str = "") -> str:
    """What a record names: the token's ``name``, with the ``officer`` beside it when one is
    given and differs from it: ``长兴县招商团队（经办：张三）``."""
    officer = officer.strip()
    if not officer or officer == name:
        return name
    return f"{name}{_OPEN}{officer}{_CLOSE}"


def signed_by(stored: str, name: str) -> bool:
    """Was ``stored`` (a history's 'who') written under the token ``name``?"""
    return stored == name or (stored.startswith(name + _OPEN) and stored.endswith(_CLOSE))
