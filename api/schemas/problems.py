"""The bodies of the problem loop (问题闭环): a problem raised, a step, a review; and what a
supervision sync changed."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from chainatlas.api.officer import Officer
from chainatlas.api.schemas.base import BodyIn, IsoDate, NonEmpty


class ProblemIn(BodyIn):
    title: NonEmpty
    level: Literal["一般", "重大", "特别重大"] = "一般"
    project: str | None = None
    firm: str | None = None
    chain: str | None = None
    region: str | None = None
    description: str = ""
    due: IsoDate | None = None
    by: Officer = ""


class ProblemStep(BodyIn):
    to: Literal["交办", "督办", "反馈", "办结"]
    escalate: Literal["重大", "特别重大"] | None = None
    by: Officer = ""
    note: str = ""


class ProblemReview(BodyIn):
    #: 见效: the measure took effect; 未见效: reopen the problem under 督办
    result: Literal["见效", "未见效"]
    by: Officer = ""
    note: str = ""


class SupervisionSync(BaseModel):
    opened: list[str]
    reopened: list[str]
    closed: list[str]
