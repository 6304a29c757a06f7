"""The ``chainatlas`` command line.

Every command works on one data directory: the per-user one by default (``platformdirs``, e.g.
``~/.local/share/chainatlas``), or ``CHAINATLAS_HOME`` / ``--home``. Commands that read the graph
refuse a missing or empty store with a hint to run ``chainatlas init`` instead of creating an
empty one where they happen to run.

No command ends in a traceback: :func:`user_errors` turns the library's errors, bad values and
the operating system's refusals (a path that is a file, a folder that cannot be made) into one
Chinese message and exit code 1.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import click

from chainatlas.api import cli_i18n

cli_i18n.install()  # click speaks Chinese before any of its types or help texts is built
from chainatlas.api.cli_checklist import checklist  # noqa: E402
from chainatlas.api.cli_problems import problems  # noqa: E402
from chainatlas.api.cli_tokens import token  # noqa: E402
from chainatlas.graph.errors import ChainAtlasError  # noqa: E402
from chainatlas.graph.settings import Settings, default_home  # noqa: E402
from chainatlas.graph.store import GraphStore  # noqa: E402

__all__ = ["CliError", "main", "user_errors"]

TEMPLATE_KINDS = ["firms", "projects", "demands", "supplies"]


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


class _Ctx:
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
        from chainatlas.graph.backends import open_store

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


pass_ctx = click.make_pass_decorator(_Ctx)


def _existing(path: Path, what: str = "文件") -> Path:
    if not path.exists():
        raise CliError(f"找不到{what} {path}")
    return path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--backend",
    type=click.Choice(["memory", "neo4j"]),
    default=None,
    help="存储后端（默认 memory，或环境变量 CHAINATLAS_BACKEND）",
)
@click.option(
    "--home",
    type=click.Path(path_type=Path),
    default=None,
    help=f"数据目录（默认 {default_home()}，或环境变量 CHAINATLAS_HOME）",
)
@click.pass_context
def main(ctx: click.Context, backend: str | None, home: Path | None) -> None:
    """chainatlas：湖州产业链知识图谱（两图两库、缺链补链、要素匹配、一本账）。"""
    ctx.obj = _Ctx(backend, home)


# ---- the store: create, load, export ----------------------------------------------------------
@main.command()
@click.option(
    "--sample/--no-sample", default=True, help="是否加载示例企业、园区、项目（sample=true）"
)
@click.option("--reset", is_flag=True, help="先清空图谱")
@pass_ctx
def init(c: _Ctx, sample: bool, reset: bool) -> None:
    """创建图谱并加载种子：两版产业链布局、鱼骨图、区域、平台（及示例数据）。"""
    from chainatlas.graph.seeds import check_seeds, load_seeds

    with user_errors():
        check_seeds(c.settings.seeds_dir)  # before a store is made
    with c.store() as store, user_errors():
        if reset:
            store.clear()
        t = time.perf_counter()
        n = load_seeds(store, c.settings.seeds_dir, sample=sample)
        click.echo(f"已加载种子 {n} 条（{time.perf_counter() - t:.2f} 秒），后端 {store.backend}")
        click.echo(f"图谱位置：{c.where}")
        _print_counts(store)


@main.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(TEMPLATE_KINDS),
    default=None,
    help="模板类型（默认按表头识别）",
)
@click.option("--skip-bad", is_flag=True, help="跳过错误行，导入其余数据")
@click.option("--quiet", is_flag=True, help="不显示进度条")
@pass_ctx
def import_(c: _Ctx, path: Path, kind: str | None, skip_bad: bool, quiet: bool) -> None:
    """导入图谱包（目录，neo4j-admin CSV 格式）或填好的模板（.xlsx/.csv）。"""
    from chainatlas.graph.bundle import import_bundle
    from chainatlas.graph.templates import import_template

    _existing(path, "要导入的文件或文件夹")
    with c.store() as store, user_errors():
        t = time.perf_counter()
        if path.is_dir():
            rep = import_bundle(store, path, skip_bad=skip_bad, progress=not quiet)
        else:
            rep = import_template(store, path, kind=kind, skip_bad=skip_bad, progress=not quiet)
        dt = time.perf_counter() - t
    rows = rep.nodes + rep.relationships
    click.echo(
        f"已导入 节点 {rep.nodes} 个、关系 {rep.relationships} 条（{dt:.2f} 秒，"
        f"{rows / dt if dt else 0:,.0f} 行/秒）"
    )
    _echo_skipped(rep.skipped)


def _echo_skipped(errors: list[Any]) -> None:
    if errors:
        click.echo(f"已跳过 {len(errors)} 处错误:", err=True)
        for e in errors[:50]:
            click.echo(f"  {e}", err=True)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--quiet", is_flag=True, help="不显示进度条")
@pass_ctx
def export(c: _Ctx, directory: Path, quiet: bool) -> None:
    """把整个图谱导出为图谱包（neo4j-admin CSV 格式），可原样再导入。"""
    from chainatlas.graph.bundle import export_bundle

    if directory.exists() and not directory.is_dir():
        raise CliError(f"{directory} 是一个已有的文件：图谱包要导出到文件夹，请换一个文件夹路径")
    with c.existing_store() as store, user_errors():
        written = export_bundle(store, directory, progress=not quiet)
    click.echo(f"已导出 {len(written)} 个文件、{sum(written.values())} 行到 {directory}")


@main.command()
@click.argument("kind", type=click.Choice(TEMPLATE_KINDS))
@click.option(
    "--out", "out", type=click.Path(path_type=Path), required=True, help="输出文件（.xlsx 或 .csv）"
)
def template(kind: str, out: Path) -> None:
    """生成填报模板（中文表头，附说明）。"""
    from chainatlas.graph.templates import write_template

    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise CliError(f"模板只能是 .xlsx 或 .csv 文件，而不是 {out.name!r}")
    if out.is_dir():
        raise CliError(f"{out} 是一个文件夹：请给出文件名，如 {out / (kind + '.xlsx')}")
    with user_errors():
        write_template(kind, out)
    click.echo(f"已生成模板 {out}")


def _print_counts(store: GraphStore, as_json: bool = False, where: str | None = None) -> None:
    c = store.counts()
    if as_json:
        data: dict[str, Any] = {
            "labels": c.labels,
            "types": c.types,
            "nodes": c.nodes,
            "relationships": c.relationships,
        }
        if where:
            data["store"] = where
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if where:
        click.echo(f"图谱位置：{where}")
    click.echo(f"节点 {c.nodes:,}")
    for k, v in c.labels.items():
        click.echo(f"  {k:<16}{v:>10,}")
    click.echo(f"关系 {c.relationships:,}")
    for k, v in c.types.items():
        click.echo(f"  {k:<16}{v:>10,}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（含图谱位置 store）")
@pass_ctx
def stats(c: _Ctx, as_json: bool) -> None:
    """图谱位置，及按标签和关系类型统计的数量。"""
    with c.existing_store() as store, user_errors():
        _print_counts(store, as_json, where=c.where)


@main.command()
@pass_ctx
def chains(c: _Ctx) -> None:
    """列出全部产业链：编号、布局、名称（其他命令的产业链参数可用编号或名称）。"""
    with c.existing_store() as store, user_errors():
        rows = store.find_nodes("Chain")
    rows.sort(key=lambda n: (n.props.get("layout") != "1366", str(n.props.get("layout")), n.id))
    for n in rows:
        click.echo(f"{n.id}\t{n.props.get('layout', '')}\t{n.name}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@pass_ctx
def serve(c: _Ctx, host: str, port: int) -> None:
    """启动服务（网页 /，REST API /api/v1，文档 /docs）；图谱为空时先加载种子。"""
    import uvicorn

    from chainatlas.api.auth import AuthStore
    from chainatlas.api.main import create_app
    from chainatlas.graph.seeds import check_seeds, load_seeds

    with user_errors():
        check_seeds(c.settings.seeds_dir)  # before a store is made
    store = c.store()
    with user_errors():
        if not store.quick_counts().labels.get("Layout"):  # without loading the graph
            n = load_seeds(store, c.settings.seeds_dir, sample=True)
            click.echo(f"图谱为空，已加载种子 {n} 条")
        auth = AuthStore(c.settings.home / "auth.db")
    base = f"http://{host}:{port}"
    click.echo(f"图谱位置：{c.where}")
    if auth.count() == 0:
        first = auth.create("city", [], "市链长办（首个令牌）")
        click.echo(f"首个令牌（市链长办，全市权限；只显示这一次）：{first}")
        click.echo(f"  例：curl -H 'Authorization: Bearer {first}' {base}/api/v1/chains")
    else:
        make = c.command("token create --role city --name 市链长办")
        click.echo(
            f"已有 {auth.count()} 个令牌。新建令牌：{make}"
            "（链长制各角色及其范围见 token create --help）"
        )
    click.echo(f"chainatlas 服务  网页: {base}/  API: {base}/api/v1/health  文档: {base}/docs")
    app = create_app(c.settings, store, auth)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        store.close()
        auth.close()


# ---- the two maps and two libraries ----------------------------------------------------------
_OUT_HELP = "输出文件；json 缺省时打印到屏幕，其余缺省时按视图名生成文件"


def _view_command(kind: str, doc: str) -> None:
    """``chainatlas KIND CHAIN``: one view; only ``projects`` takes filters (and no chain)."""
    formats = ["json", "xlsx", "html"] + (["svg"] if kind == "fishbone" else [])
    options: list[Callable[[Any], Any]] = [
        main.command(name=kind, help=doc),
        click.argument("chain", required=kind != "projects"),
        click.option(
            "--format", "fmt", type=click.Choice(formats), default="json", show_default=True
        ),
        click.option("--out", type=click.Path(path_type=Path), default=None, help=_OUT_HELP),
    ]
    if kind == "projects":
        options += [
            click.option("--segment", default=None, help="环节编号或名称"),
            click.option("--region", default=None, help="区域"),
            click.option("--stage", default=None, help="阶段"),
        ]

    def cmd(c: _Ctx, chain: str | None, fmt: str, out: Path | None, **filters: str | None) -> None:
        from chainatlas.viz.export import render_view

        with c.existing_store() as store, user_errors(), _chain_hint():
            index = None
            if kind == "map" and store.count_nodes("Firm"):
                from chainatlas.matching.targets import TargetIndex

                index = TargetIndex.from_store(store, home_area=c.settings.home_area)
            r = render_view(
                store,
                kind,
                fmt,
                chain=chain,
                filters=filters if kind == "projects" else None,
                thresholds=c.settings.thresholds(),
                home_area=c.settings.home_area,
                index=index,
            )
        _emit(r.data, fmt, out, r.filename)

    command: Any = pass_ctx(cmd)
    for option in reversed(options):
        command = option(command)


_view_command("fishbone", "产业链鱼骨图：各环节本地企业、链主、平台与强/弱/缺判定。")
_view_command("map", "产业链招商图：弱、缺环节的目标企业与落地区域、园区。")
_view_command("masters", "链主型企业库：链主与伙伴的供需关系、本地化配套比例、以商引商候选。")
_view_command("projects", "重点项目库：按产业链、环节、区域、阶段筛选项目。")


@contextmanager
def _chain_hint() -> Iterator[None]:
    """An unknown chain's error ends by naming the command that lists the chains."""
    from chainatlas.graph.errors import UnknownChain

    try:
        yield
    except UnknownChain as exc:
        raise CliError(f"{exc}（chainatlas chains 列出全部产业链）") from None


@main.command()
@click.argument("chain")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path), default=None)
@pass_ctx
def gaps(c: _Ctx, chain: str, fmt: str, out: Path | None) -> None:
    """缺链补链：各环节的补链/强链判定、区位熵、权重与优先级，以及延链候选。"""
    from chainatlas.viz.reports import gaps_report

    with c.existing_store() as store, user_errors(), _chain_hint():
        g, data = gaps_report(
            store,
            chain,
            fmt,
            thresholds=c.settings.thresholds(),
            home_area=c.settings.home_area,
        )
    _emit(data, fmt, out, f"缺链分析-{g.name}.{fmt}")


@main.command()
@click.option("--segment", default=None, help="环节编号或名称")
@click.option(
    "--segments-file",
    type=click.Path(path_type=Path),
    default=None,
    help="每行一个环节；每个环节输出一行 JSON",
)
@click.option("--chain", default=None, help="产业链（校验环节属于该链）")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--inferred-only", is_flag=True, help="只要推断出的目标（未记录在该环节的企业）")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path), default=None)
@pass_ctx
def targets(
    c: _Ctx,
    segment: str | None,
    segments_file: Path | None,
    chain: str | None,
    top: int,
    inferred_only: bool,
    fmt: str,
    out: Path | None,
) -> None:
    """招商目标：某环节应引进的外地企业，排序并给出理由。"""
    from tqdm import tqdm

    from chainatlas.matching.service import targets_for
    from chainatlas.matching.targets import TargetIndex
    from chainatlas.viz.reports import targets_report

    if bool(segment) == bool(segments_file):
        raise CliError("请给出 --segment 或 --segments-file 之一")
    with user_errors():
        keys = [segment] if segment else _lines(_existing(Path(str(segments_file))))
    if not keys:
        raise CliError(f"{segments_file} 中没有环节")
    with c.existing_store() as store, user_errors(), _chain_hint():
        index = TargetIndex.from_store(store, home_area=c.settings.home_area)
        results = [
            targets_for(store, index, str(key), chain=chain, top=top, inferred_only=inferred_only)
            for key in tqdm(keys, desc="排序", unit="环节", disable=len(keys) < 20)
        ]
    fmt_out = "jsonl" if segments_file and fmt == "json" else fmt
    data = targets_report(results, fmt_out)
    _emit(data, fmt, out, f"招商目标-{results[0]['name'] if len(results) == 1 else '多环节'}.{fmt}")


def _lines(path: Path) -> list[str]:
    return [x.strip() for x in path.read_text("utf-8-sig").splitlines() if x.strip()]


def _emit(data: bytes, fmt: str, out: Path | None, default_name: str) -> None:
    """JSON to the screen unless ``out`` is given; anything else to ``out`` or a named file."""
    if out is None and fmt == "json":
        text = data.decode("utf-8")
        click.echo(text, nl=not text.endswith("\n"))
        return
    path = out or Path(default_name)
    with user_errors():
        if path.is_dir():
            raise CliError(f"{path} 是一个文件夹：请给出文件名")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    click.echo(f"已写入 {path}")


@main.command("match")
@click.argument("demands", type=click.Path(path_type=Path))
@click.argument("supplies", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None, help="结果工作簿 .xlsx")
@click.option(
    "--top", type=click.IntRange(min=1), default=5, show_default=True, help="每个需求的候选数"
)
@click.option("--skip-bad", is_flag=True, help="跳过错误行，只用正确的行匹配")
@pass_ctx
def match_cmd(
    c: _Ctx, demands: Path, supplies: Path, out: Path | None, top: int, skip_bad: bool
) -> None:
    """要素匹配：需求清单对供给清单（土地、资金、能耗、人才、技术、配套）。"""
    from chainatlas.matching.elements import load_lists, match
    from chainatlas.viz.reports import match_tables
    from chainatlas.viz.tables import write_xlsx

    _existing(demands, "需求清单")
    _existing(supplies, "供给清单")
    path = out or Path("要素匹配结果.xlsx")
    if path.suffix.lower() != ".xlsx":
        raise CliError(f"结果工作簿应为 .xlsx 文件，而不是 {path.name!r}")
    with c.existing_store() as store, user_errors():
        ds, ss, errors = load_lists(demands, supplies, store, skip_bad=skip_bad)
        res = match(ds, ss, store=store, top=top, home_area=c.settings.home_area)
    res.errors = errors
    t = res.timings
    click.echo(
        f"需求 {len(ds)} 条、供给 {len(ss)} 条：分配 {len(res.assigned)}，候选 "
        f"{len(res.candidates)}，未匹配 {len(res.unmatched)}（准备 {t['prepare']:.2f} 秒，"
        f"候选 {t['candidates']:.2f} 秒，分配 {t['assignment']:.2f} 秒）"
    )
    _echo_skipped(errors)
    with user_errors():
        write_xlsx(match_tables(res), path)
    click.echo(f"已写入 {path}")


# ---- the ledger and the problems --------------------------------------------------------------
def _month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--month`` as the API takes it: YYYY-MM (``26-1`` and ``2026-1`` are refused)."""
    from chainatlas.graph.ledger import MONTH_PATTERN

    if value is not None and not re.fullmatch(MONTH_PATTERN, value):
        raise CliError(f"--month 应为 YYYY-MM（四位年份、两位月份，如 2026-02），而不是 {value!r}")
    return value


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
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


_MONTH = click.option("--month", required=True, callback=_month, help="月份 YYYY-MM")


@main.group()
def ledger() -> None:
    """一本账：项目阶段、六张清单、三张新清单、五未与月度通报。"""


@ledger.command("report")
@_MONTH
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "xlsx", "html"]),
    default="json",
    show_default=True,
)
@click.option("--out", type=click.Path(path_type=Path), default=None)
@pass_ctx
def ledger_report(c: _Ctx, month: str, fmt: str, out: Path | None) -> None:
    """月度通报晾晒：按产业链和区县统计五未、排名、较上月变化，点名五未项目。"""
    from chainatlas.graph.ledger import monthly_report
    from chainatlas.viz.ledger import report_html, report_json, report_tables
    from chainatlas.viz.tables import xlsx_bytes

    with c.existing_store() as store, user_errors():
        from chainatlas.api.cli_problems import sync_items

        sync_items(c, store)  # 五未 督办 items up to today, for the report
        r = monthly_report(
            store,
            month,
            c.settings.grace(),
            due_days=c.settings.due_days(),
            land_to_start_days=c.settings.land_to_start_days,
        )
    if fmt == "xlsx":
        data = xlsx_bytes(report_tables(r))
    else:
        data = report_json(r) if fmt == "json" else report_html(r).encode("utf-8")
    _emit(data, fmt, out, f"一本账月度通报-{month}.{fmt}")


@ledger.command("lists")
@_MONTH
@click.option(
    "--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path), default=None)
@pass_ctx
def ledger_lists(c: _Ctx, month: str, fmt: str, out: Path | None) -> None:
    """六张清单与三张新清单（由日期推算，不手工维护），含责任单位。"""
    from chainatlas.graph.ledger import month_lists
    from chainatlas.viz.ledger import lists_json, lists_tables
    from chainatlas.viz.tables import xlsx_bytes

    with c.existing_store() as store, user_errors():
        lists = month_lists(store, month)
    if fmt == "xlsx":
        _emit(xlsx_bytes(lists_tables(lists)), fmt, out, f"一本账清单-{month}.xlsx")
        return
    _emit(lists_json(lists), "json", out, "")


@ledger.command("stage")
@click.argument("project")
@click.argument("to")
@click.option("--by", default="", help="经办单位/人")
@click.option("--note", default="")
@pass_ctx
def ledger_stage(c: _Ctx, project: str, to: str, by: str, note: str) -> None:
    """把项目推进到下一阶段（记录一环节一跟进）。"""
    from chainatlas.graph.ledger import move_stage

    with c.existing_store() as store, user_errors():
        p = move_stage(store, project, to, by=by, note=note)
    click.echo(f"{p.name}：当前阶段 {p.props['stage']}")


@ledger.command("chain")
@click.argument("chain")
@_MONTH
@pass_ctx
def ledger_chain(c: _Ctx, chain: str, month: str) -> None:
    """一条产业链的十个一清单、四张清单与 2026 目标进度（JSON）。"""
    import dataclasses

    from chainatlas.graph.progress import checklist, four_lists

    with c.existing_store() as store, user_errors(), _chain_hint():
        data = {
            "checklist": [dataclasses.asdict(x) for x in checklist(store, chain)],
            **four_lists(store, chain, month, c.settings.grace()),
        }
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@ledger.command("progress")
@pass_ctx
def ledger_progress(c: _Ctx) -> None:
    """各产业链 2026 年目标进度与“3566”目标（按本地企业产值）。"""
    from chainatlas.graph.progress import progress

    with c.existing_store() as store, user_errors():
        data = progress(
            store,
            home_area=c.settings.home_area,
            industrial_output=c.settings.industrial_output,
        )
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


# ---- one project: its dossier, follow-ups and 拿地 ----------------------------------------------
@main.group()
def project() -> None:
    """一项目一档案：项目档案、随时跟进（一环节一跟进）、登记拿地。"""


@project.command("show")
@click.argument("project_id", metavar="PROJECT")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "html"]), default="json", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path), default=None, help=_OUT_HELP)
@pass_ctx
def project_show(c: _Ctx, project_id: str, fmt: str, out: Path | None) -> None:
    """项目档案：项目、责任单位、投资企业、产业链/环节/区域、阶段与跟进、要素需求、问题、拿地即开工。"""
    from chainatlas.graph.dossier import project_dossier
    from chainatlas.viz.dossier import dossier_html, dossier_json

    with c.existing_store() as store, user_errors(), _project_hint():
        d = project_dossier(
            store,
            project_id,
            grace=c.settings.grace(),
            land_to_start_days=c.settings.land_to_start_days,
        )
    data = dossier_json(d) if fmt == "json" else dossier_html(d).encode("utf-8")
    _emit(data, fmt, out, f"项目档案-{_file_safe(d.project.get('name') or project_id)}.{fmt}")


@project.command("follow-up")
@click.argument("project_id", metavar="PROJECT")
@click.option("--note", required=True, help="跟进内容")
@click.option("--by", default="", help="跟进单位/人")
@click.option("--date", "on", default=None, callback=_date, help="跟进日期 YYYY-MM-DD（默认今天）")
@pass_ctx
def project_follow_up(c: _Ctx, project_id: str, note: str, by: str, on: date | None) -> None:
    """在项目当前阶段记一条跟进（任何时候都可以，不必推进阶段）。"""
    from chainatlas.graph.ledger import add_follow_up

    with c.existing_store() as store, user_errors(), _project_hint():
        f = add_follow_up(store, project_id, note, by=by, on=on)
    click.echo(f"{f['id']}：{f['date']}（{f['stage']}）{f['note']}")


@project.command("land")
@click.argument("project_id", metavar="PROJECT")
@click.option("--date", "on", required=True, callback=_date, help="拿地日期 YYYY-MM-DD")
@click.option("--by", default="", help="经办单位/人")
@click.option("--note", default="")
@pass_ctx
def project_land(c: _Ctx, project_id: str, on: date, by: str, note: str) -> None:
    """登记拿地日期（记一条跟进），用于统计“拿地即开工”。"""
    from chainatlas.graph.ledger import record_land

    with c.existing_store() as store, user_errors(), _project_hint():
        p = record_land(store, project_id, on, by=by, note=note)
    click.echo(f"{p.name}：拿地日期 {p.props['land_date']}")


@contextmanager
def _project_hint() -> Iterator[None]:
    """An unknown project's error names the command that lists projects."""
    from chainatlas.graph.errors import NodeNotFound

    try:
        yield
    except NodeNotFound as exc:
        raise CliError(
            f"没有项目 {exc.node_id!r}（chainatlas projects 列出全部项目及其编号）"
        ) from None


def _file_safe(name: object) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", str(name))[:80]


main.add_command(token)  # chainatlas token create|list|revoke (api/cli_tokens.py)
main.add_command(problems)  # chainatlas problems … (api/cli_problems.py)
main.add_command(checklist)  # chainatlas checklist show|set|clear (api/cli_checklist.py)

if __name__ == "__main__":  # pragma: no cover
    main()
