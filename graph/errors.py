"""One tree of domain errors. Only ``api/`` turns them into HTTP statuses or exit codes."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BackendUnavailable",
    "ChainAtlasError",
    "Conflict",
    "ImportFailed",
    "MAX_ERRORS",
    "NodeNotFound",
    "RowError",
    "SchemaViolation",
    "StoreBusy",
    "UnknownChain",
    "ValidationFailed",
    "error_rows",
]


class ChainAtlasError(Exception):
    """Base class of every error chainatlas raises on purpose."""


class NodeNotFound(ChainAtlasError):
    """A node id that the store does not hold.

    ``kind`` names what was looked for in words users know (项目, 环节, 企业; see
    ``chainatlas.graph.model.LABEL_ZH``), ``why`` explains, outside the quoted id:

    >>> str(NodeNotFound("nosuch", "环节", "不是生物医药的弱、缺环节"))
    "环节不存在：'nosuch'（不是生物医药的弱、缺环节）"
    """

    def __init__(self, node_id: str, kind: str = "节点", why: str = "") -> None:
        super().__init__(f"{kind}不存在：{node_id!r}" + (f"（{why}）" if why else ""))
        self.node_id = node_id


class UnknownChain(NodeNotFound):
    """A chain name or id that matches no chain; ``suggestions`` holds the closest chains as
    "name（id）"."""

    def __init__(self, key: str, suggestions: list[str]) -> None:
        ChainAtlasError.__init__(
            self,
            f"没有产业链 {key!r}"
            + (f"；最接近的是：{'、'.join(suggestions)}" if suggestions else ""),
        )
        self.node_id = key
        self.suggestions = suggestions


class ValidationFailed(ChainAtlasError):
    """A node or relationship whose properties break the model.

    ``problems`` lists (property, reason) pairs when the failure is about properties.
    """

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class SchemaViolation(ValidationFailed):
    """An unknown label or relationship type, or an endpoint of the wrong label."""


class Conflict(ChainAtlasError):
    """A write that the store's current state refuses, though the input itself is sound: the
    record changed since the caller read it (a stale 编辑 form, an ``If-Match`` that no
    longer matches), a value another node already holds (a firm's 统一社会信用代码), a delete
    that would leave records pointing at nothing. Answered 409."""


class BackendUnavailable(ChainAtlasError):
    """The chosen backend cannot be used (missing extra, server down, bad settings)."""


class StoreBusy(BackendUnavailable):
    """Another process has held the store's write lock for longer than a write may wait; the
    write was not made and may be retried after ``retry_after`` seconds."""

    def __init__(self, waited: float, retry_after: int = 5) -> None:
        super().__init__(
            f"图谱正被另一个进程写入，已等待 {waited:g} 秒仍未释放；本次修改未写入，请稍后重试"
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class RowError:
    """One rejected input row: where it is and why it was rejected."""

    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        col = f"，列「{self.column}」" if self.column else ""
        row = f" 第 {self.row} 行" if self.row else ""  # row 0: the file as a whole
        return f"{self.file}{row}{col}: {self.reason}"


def error_rows(errors: list[RowError]) -> int:
    """How many rows ``errors`` are about: a row with three errors is one row.

    >>> error_rows([RowError("a.xlsx", 2, "x", "?"), RowError("a.xlsx", 2, "y", "?")])
    1
    """
    return len({(e.file, e.row) for e in errors})


#: The errors an import keeps and reports: a file of two million bad rows answered with 253 MB
#: of JSON. The count of the others is kept (``ImportFailed.more``).
MAX_ERRORS = 1_000


class ImportFailed(ChainAtlasError):
    """An import with rejected rows; nothing was written unless skipping was asked for.

    Only the first :data:`MAX_ERRORS` errors are kept (``errors``); ``more`` counts the
    others. ``stopped`` says the check stopped early at the cap (there may be more still)."""

    def __init__(
        self, errors: list[RowError], *, written: bool = False, stopped: bool = False
    ) -> None:
        self.errors = errors[:MAX_ERRORS]
        self.more = len(errors) - len(self.errors)
        self.written = written
        self.stopped = stopped
        count = f"超过 {MAX_ERRORS} 处错误（已停止检查）" if stopped else f"{len(errors)} 处错误"
        head = (
            f"导入失败：{count}，未写入任何数据"
            if not written
            else f"已跳过 {error_rows(errors)} 行错误数据（{len(errors)} 处错误）"
        )
        lines = [str(e) for e in errors[:50]]
        if len(errors) > 50:
            lines.append(f"……另有 {len(errors) - 50} 处错误" + ("以上" if stopped else ""))
        if self.more:
            lines.append(f"（只列出前 {MAX_ERRORS} 处错误）")
        super().__init__(head + "\n" + "\n".join(lines))
