"""What every command of the ``chainatlas`` command line shares.

The data directory and its store (:class:`Ctx`, passed to commands by :data:`pass_ctx`), the
one translation of the errors a user can cause into a Chinese message and exit code 1
(:func:`user_errors`, :class:`CliError`: no command ends in a traceback), and the output
helpers (:func:`emit` writes JSON to the screen or a file; :func:`out_file` checks a ``--out``
before anything is computed: its folder exists, its name ends as its format). Importing it
makes click speak Chinese first (:mod:`chainatlas.api.cli_i18n`), before any click type or help
text is built, so each command module imports it before defining its commands. It imports no
command module: those import it, and :mod:`chainatlas.api.cli` gathers them.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import click
from click.core import ParameterSource

from chainatlas.api import cli_i18n

cli_i18n.install()  # click speaks Chinese before any of its types or help texts is built
from chainatlas.graph.errors import ChainAtlasError  # noqa: E402
from chainatlas.graph.settings import Settings  # noqa: E402
from chainatlas.graph.store.contract import GraphStore  # noqa: E402

__all__ = [
    "OUT_HELP",
    "CliError",
    "Ctx",
    "chain_hint",
    "date_option",
    "echo_skipped",
    "emit",
    "existing",
    "file_safe",
    "os_message",
    "out_file",
    "out_format",
    "pass_ctx",
    "project_hint",
    "user_errors",
]

OUT_HELP = "输出文件；json 缺省时打印到屏幕，其余缺省时按视图名生成文件"


class CliError(click.ClickException):
    """An error for the user: one Chinese message on standard error, exit code 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True, file=file)


_OS_REASONS = {
    errno.EACCES: "没有权限",
    errno.EPERM: "操作不被允许",
    errno.ENOENT: "路径不存在，或无法在那里创建",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EEXIST: "已有同名的文件，不能用作文件夹",
    errno.EROFS: "只读的文件系统",
    errno.ENOSPC: "磁盘空间不足",
    errno.ENAMETOOLONG: "路径过长",
}


def _os_reason(exc: OSError) -> str:
    return _OS_REASONS.get(exc.errno or 0, f"系统错误（errno {exc.errno}）")


def os_message(exc: OSError) -> str:
    """What the operating system refused, in Chinese, naming the path."""
    reason = _os_reason(exc)
    return f"{exc.filename}：{reason}" if exc.filename else f"文件操作失败：{reason}"


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into :class:`CliError` (no traceback)."""
    try:
        yield
    except ChainAtlasError as exc:  # the library's own errors are already Chinese
        raise CliError(str(exc)) from None
    except ValueError as exc:  # the model's and the views' checks (Chinese too)
        raise CliError(str(exc)) from None
    except BrokenPipeError:  # the reader went away (``chainatlas … | head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None
    except OSError as exc:
        raise CliError(os_message(exc)) from None
    except sqlite3.Error:
        raise CliError("无法打开或写入图谱数据库：数据目录不可写或文件已损坏") from None


def _settings_error(exc: Exception) -> str:
    """A pydantic ``ValidationError`` as the environment variables it names."""
    names = []
    for e in getattr(exc, "errors", list)():
        field = str(e.get("loc", ("?",))[0])
        env = field if field.isupper() else f"CHAINATLAS_{field.upper()}"  # NEO4J_* are aliases
        names.append(f"{env}={e.get('input')!r}")
    return f"配置有误：{'；'.join(names) or exc} 的值无效"


class Ctx:
    def __init__(self, backend: str | None, home: Path | None) -> None:
        overrides: dict[str, Any] = {}
        if backend:
            overrides["backend"] = backend
        if home:
            overrides["home"] = home
        self.home_flag = home
        try:
            self.settings = Settings(**overrides)
        except Exception as exc:  # pydantic's ValidationError: a bad setting
            raise CliError(_settings_error(exc)) from None

    @property
    def where(self) -> str:
        """Where the graph lives, for people (no credentials)."""
        s = self.settings
        if s.backend == "memory":
            return str(s.store_path)
        parts = urlsplit(s.neo4j_uri or "")
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
        return f"Neo4j {parts.scheme}://{host}{port}（数据库 {s.neo4j_database}）"

    def store(self) -> GraphStore:
        """The store, created if there is none yet (commands that write)."""
        from chainatlas.graph.store.backends import open_store

        with user_errors():
            if self.settings.backend == "memory":
                _check_home(self.settings.home)
            return open_store(self.settings)

    def existing_store(self) -> GraphStore:
        """The store of a command that reads: a missing or empty one is an error that says to
        run ``chainatlas init`` (nothing is created)."""
        hint = (
            f"请先运行 {self.command('init')} 创建图谱并加载种子"
            "（或用 --home / CHAINATLAS_HOME 指向已有的数据目录）"
        )
        if self.settings.backend == "memory" and not self.settings.store_path.is_file():
            raise CliError(f"这里还没有图谱（{self.where}）：{hint}")
        store = self.store()
        if store.count_nodes() == 0:
            store.close()
            raise CliError(f"图谱是空的（{self.where}）：{hint}")
        return store

    def command(self, args: str) -> str:
        """``chainatlas ARGS`` as the user must type it for this same data directory."""
        if self.home_flag:
            return f"chainatlas --home {self.home_flag} {args}"
        return f"chainatlas {args}"


def _check_home(home: Path) -> None:
    """The data directory exists (made if need be) and is a folder; else a Chinese error."""
    if home.exists() and not home.is_dir():
        raise CliError(f"数据目录 {home} 已存在，但不是文件夹")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"无法创建数据目录 {home}：{_os_reason(exc)}") from None


pass_ctx = click.make_pass_decorator(Ctx)


def existing(path: Path, what: str = "文件") -> Path:
    if not path.exists():
        raise CliError(f"找不到{what} {path}")
    return path


def echo_skipped(errors: list[Any]) -> None:
    if errors:
        click.echo(f"已跳过 {len(errors)} 处错误:", err=True)
        for e in errors[:50]:
            click.echo(f"  {e}", err=True)


def emit(data: bytes, fmt: str, out: Path | None, default_name: str) -> None:
    """JSON to the screen unless ``out`` is given; anything else to ``out`` or a named file."""
    if out is None and fmt == "json":
        text = data.decode("utf-8")
        click.echo(text, nl=not text.endswith("\n"))
        return
    path = out_file(out, fmt) if out else Path(default_name)
    with user_errors():
        if path.is_dir():
            raise CliError(f"{path} 是一个文件夹：请给出文件名")
        path.write_bytes(data)
    click.echo(f"已写入 {path}")


#: the file name endings each ``--format`` may be written to
SUFFIXES = {
    "json": (".json", ".jsonl"),
    "html": (".html", ".htm"),
    "xlsx": (".xlsx",),
    "csv": (".csv",),
    "svg": (".svg",),
}


def out_file(path: Path, fmt: str | None = None, suffixes: tuple[str, ...] = ()) -> Path:
    """``path`` (a command's ``--out``) checked before anything is computed or written.

    It must not be a folder, must end as its format does (``--out x.txt --format xlsx`` is
    refused rather than writing a workbook named ``.txt``), and its folder must exist: a typo in
    a folder name is an error, not a new folder tree (e.g. at the file-system root)."""
    if path.is_dir():
        raise CliError(f"{path} 是一个文件夹：请给出文件名")
    allowed = suffixes or SUFFIXES.get(fmt or "", ())
    if allowed and path.suffix.lower() not in allowed:
        want = " 或 ".join(allowed)
        why = f"与 --format {fmt} 不符" if fmt else f"应以 {want} 结尾"
        raise CliError(f"输出文件 {path} {why}：请用以 {want} 结尾的文件名")
    folder = path.parent
    if not folder.exists():
        raise CliError(
            f"文件夹 {folder} 不存在：请先创建它，或换一个已有的文件夹（不会自动创建文件夹）"
        )
    if not folder.is_dir():
        raise CliError(f"{folder}：已有同名的文件，不能用作文件夹")
    return path


def out_format(fmt: str, out: Path | None, formats: Sequence[str]) -> str:
    """The format a command writes: ``--format`` when given, else the one the ``--out`` file's
    name ends as (``--out 招商图.xlsx`` is a workbook), else the default; a ``--out`` is then
    checked (:func:`out_file`) before anything is computed."""
    source = click.get_current_context().get_parameter_source("fmt")
    if out is not None and source is ParameterSource.DEFAULT:
        fmt = next((f for f in formats if out.suffix.lower() in SUFFIXES.get(f, ())), fmt)
    if out is not None:
        out_file(out, fmt)
    return fmt


def date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """A date option (``--due``, ``--date``) as a calendar date (YYYY-MM-DD), refused in
    Chinese otherwise, naming the option."""
    if value is None:
        return None
    name = param.opts[0] if param.opts else str(param.name)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise CliError(f"{name} 应为 YYYY-MM-DD 日期（如 2026-03-31），而不是 {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"{name} 不是日历上的日期：{value!r}") from None


@contextmanager
def chain_hint() -> Iterator[None]:
    """An unknown chain's error ends by naming the command that lists the chains."""
    from chainatlas.graph.errors import UnknownChain

    try:
        yield
    except UnknownChain as exc:
        raise CliError(f"{exc}（chainatlas chains 列出全部产业链）") from None


@contextmanager
def project_hint() -> Iterator[None]:
    """An unknown project's error names the command that lists projects."""
    from chainatlas.graph.errors import NodeNotFound

    try:
        yield
    except NodeNotFound as exc:
        raise CliError(
            f"没有项目 {exc.node_id!r}（chainatlas projects 列出全部项目及其编号）"
        ) from None


def file_safe(name: object) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", str(name))[:80]
