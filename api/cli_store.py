"""``chainatlas init|import|export|template|stats|chains|serve``: the store itself.

Create the graph and load the seeds, import a bundle or a filled-in template, export the whole
graph, write an empty template, count what is there, list the chains, and serve the web pages
and the REST API over the same data directory. ``stats`` also lists the records whose 所在区域
must be filled in (:mod:`~chainatlas.graph.workflows.unplaced`); ``stats --check`` exits 1
while there are any, for a scheduled check.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from chainatlas.api.cli_common import (
    CliError,
    Ctx,
    echo_skipped,
    existing,
    os_message,
    out_file,
    pass_ctx,
    user_errors,
)
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.unplaced import (
    DateProblem,
    Unplaced,
    date_problems,
    unplaced_records,
)

__all__ = ["STORE_COMMANDS"]

TEMPLATE_KINDS = ["firms", "projects", "demands", "supplies"]


@click.command()
@click.option(
    "--sample/--no-sample", default=True, help="是否加载示例企业、园区、项目（sample=true）"
)
@click.option("--reset", is_flag=True, help="先清空图谱")
@pass_ctx
def init(c: Ctx, sample: bool, reset: bool) -> None:
    """创建图谱并加载种子：两版产业链布局、鱼骨图、区域、平台（及示例数据）。"""
    from chainatlas.graph.io.seeds import check_seeds, load_seeds

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


@click.command("import")
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
def import_(c: Ctx, path: Path, kind: str | None, skip_bad: bool, quiet: bool) -> None:
    """导入图谱包（目录，neo4j-admin CSV 格式）或填好的模板（.xlsx/.csv）。"""
    from chainatlas.graph.io.bundle import import_bundle
    from chainatlas.graph.io.templates import import_template

    existing(path, "要导入的文件或文件夹")
    with c.store() as store, user_errors():
        t = time.perf_counter()
        if path.is_dir():
            rep = import_bundle(store, path, skip_bad=skip_bad, progress=not quiet)
        else:
            rep = import_template(store, path, kind=kind, skip_bad=skip_bad, progress=not quiet)
        dt = time.perf_counter() - t
    rows = rep.nodes + rep.relationships
    if rep.changes is not None and rep.changes.text():
        click.echo(f"{rep.changes.text()}。")
    click.echo(
        f"已导入 节点 {rep.nodes} 个、关系 {rep.relationships} 条（{dt:.2f} 秒，"
        f"{rows / dt if dt else 0:,.0f} 行/秒）"
    )
    echo_skipped(rep.skipped)


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--quiet", is_flag=True, help="不显示进度条")
@pass_ctx
def export(c: Ctx, directory: Path, quiet: bool) -> None:
    """把整个图谱导出为图谱包（neo4j-admin CSV 格式），可原样再导入。

    DIRECTORY 须是新的或空的文件夹，或以前导出的图谱包（整个替换）；其他文件夹不写入。"""
    from chainatlas.graph.io.bundle import export_bundle

    _check_export_folder(directory)
    target = directory.resolve()  # a link to a folder: the bundle goes into that folder
    with c.existing_store() as store, user_errors():
        tmp = _temp_folder(target)
        try:
            written = export_bundle(store, tmp, progress=not quiet)
            _publish(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    click.echo(f"已导出 {len(written)} 个文件、{sum(written.values())} 行到 {directory}")


#: the files of a bundle ``export`` writes (and the ckg converter): replaced whole by a new one
_BUNDLE_FILE = re.compile(r"(nodes|rels)_[^/]+\.csv|bundle\.json")
#: the temporary folder an export writes inside an existing folder (a leftover of an export
#: that was killed is removed by the next one)
_TEMP_PREFIX = ".chainatlas-export."


def _leftover(p: Path) -> bool:
    return p.name.startswith(_TEMP_PREFIX) and p.is_dir() and not p.is_symlink()


def _is_bundle(folder: Path) -> bool:
    """``folder`` holds an earlier bundle and nothing else (so replacing it deletes no one's
    files): ``bundle.json`` of the neo4j-admin CSV format, and only ``nodes_*``/``rels_*``
    CSV files beside it."""
    try:
        manifest = json.loads((folder / "bundle.json").read_text("utf-8"))
        entries = [p for p in folder.iterdir() if not _leftover(p)]
    except (OSError, ValueError):
        return False
    return (
        isinstance(manifest, dict)
        and manifest.get("format") == "neo4j-admin-csv"
        and all(
            p.is_file() and not p.is_symlink() and _BUNDLE_FILE.fullmatch(p.name) for p in entries
        )
    )


def _check_export_folder(directory: Path) -> None:
    """``export`` writes to a new folder, an empty one or over an earlier bundle; anything else
    (``/etc``, a folder of someone's files, a file) is refused before the store is read."""
    if directory.exists() and not directory.is_dir():
        raise CliError(f"{directory} 是一个已有的文件：图谱包要导出到文件夹，请换一个文件夹路径")
    parent = directory.parent
    if not parent.is_dir():
        raise CliError(
            f"文件夹 {parent} 不存在：请先创建它，或换一个已有的文件夹（不会自动创建文件夹）"
        )
    with user_errors():
        empty = not directory.exists() or all(_leftover(p) for p in directory.iterdir())
    if not empty and not _is_bundle(directory):
        raise CliError(
            f"{directory} 不是空文件夹，也不是 chainatlas 导出的数据包；请指定一个新的或空的文件夹"
        )


def _temp_folder(directory: Path) -> Path:
    """Where the bundle is written before it is published: a hidden folder inside an existing
    ``directory`` (on its file system, be it a mount point), else beside the new one, with the
    mode a new folder gets (``mkdtemp`` makes it private)."""
    inside = directory.is_dir()
    try:
        tmp = Path(
            tempfile.mkdtemp(
                prefix=_TEMP_PREFIX if inside else f".{directory.name}.",
                suffix=".tmp",
                dir=directory if inside else directory.parent,
            )
        )
    except OSError as exc:
        raise CliError(os_message(OSError(exc.errno, exc.strerror, str(directory)))) from None
    if not inside:
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)
    return tmp


def _publish(tmp: Path, directory: Path) -> None:
    """Put the finished bundle ``tmp`` in place. A new folder is ``tmp`` renamed; an existing
    one (empty, or an earlier bundle) stays the same folder — its owner, mode, a mount point
    — and gets the new files (``bundle.json`` last), then loses the earlier bundle's others.
    Until then, a failed export has changed nothing there."""
    if tmp.parent != directory:
        os.replace(tmp, directory)
        return
    new = sorted(tmp.iterdir(), key=lambda p: p.name == "bundle.json")
    for p in new:
        os.replace(p, directory / p.name)
    names = {p.name for p in new}
    for p in directory.iterdir():
        if _leftover(p):
            shutil.rmtree(p, ignore_errors=True)
        elif p.name not in names and _BUNDLE_FILE.fullmatch(p.name):
            p.unlink()


@click.command()
@click.argument("kind", type=click.Choice(TEMPLATE_KINDS))
@click.option(
    "--out", "out", type=click.Path(path_type=Path), required=True, help="输出文件（.xlsx 或 .csv）"
)
def template(kind: str, out: Path) -> None:
    """生成填报模板（中文表头，附说明）。"""
    from chainatlas.graph.io.templates import write_template

    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise CliError(f"模板只能是 .xlsx 或 .csv 文件，而不是 {out.name!r}")
    if out.is_dir():
        raise CliError(f"{out} 是一个文件夹：请给出文件名，如 {out / (kind + '.xlsx')}")
    out_file(out, suffixes=(".xlsx", ".csv"))
    with user_errors():
        write_template(kind, out)
    click.echo(f"已生成模板 {out}")


def _print_counts(
    store: GraphStore,
    as_json: bool = False,
    where: str | None = None,
    unplaced: list[Unplaced] | None = None,
    bad_dates: list[DateProblem] | None = None,
) -> None:
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
        if unplaced is not None:
            data["unplaced"] = [
                {"id": u.id, "label": u.label, "name": u.name, "region": u.region} for u in unplaced
            ]
        if bad_dates is not None:
            data["date_problems"] = [
                {"id": d.id, "name": d.name, "problems": list(d.problems)} for d in bad_dates
            ]
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
    if unplaced is not None:
        _print_unplaced(unplaced)
    if bad_dates is not None:
        _print_bad_dates(bad_dates)


def _print_bad_dates(bad_dates: list[DateProblem]) -> None:
    """The projects whose stored dates break the ledger's rules, and where to fix them."""
    if not bad_dates:
        click.echo("项目日期：全部符合规则")
        return
    click.echo(
        f"{len(bad_dates)} 个项目的日期不符合规则（此规则之前保存；"
        "请在网页「补填所在区域」/ui/unplaced 页的「日期不符合规则的项目」逐个编辑）："
    )
    for d in bad_dates:
        click.echo(f"  {d.name}  {'；'.join(d.problems)}  （{d.id}）")


def _print_unplaced(unplaced: list[Unplaced]) -> None:
    """The records whose 所在区域 is not a district, one a line, and where to fix them."""
    if not unplaced:
        click.echo("所在区域：全部项目、需求、供给都在区县或功能区")
        return
    click.echo(
        f"所在区域须补填 {len(unplaced)} 条（不是区县或功能区，各区县看不到；"
        "请在网页「补填所在区域」/ui/unplaced 逐条选择区县）："
    )
    for u in unplaced:
        click.echo(f"  {u.label_zh}  {u.name}  所在区域 {u.region}  （{u.id}）")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（含图谱位置 store）")
@click.option(
    "--check",
    is_flag=True,
    help="有所在区域须补填的记录（不是区县或功能区）或日期不符合规则的项目时"
    "以状态 1 退出，供定时检查",
)
@pass_ctx
def stats(c: Ctx, as_json: bool, check: bool) -> None:
    """图谱位置，按标签和关系类型统计的数量，所在区域须补填的记录及日期不符合规则的项目。"""
    with c.existing_store() as store, user_errors():
        unplaced = unplaced_records(store)
        bad_dates = date_problems(store)
        _print_counts(store, as_json, where=c.where, unplaced=unplaced, bad_dates=bad_dates)
    if check and (unplaced or bad_dates):
        raise click.exceptions.Exit(1)


@click.command()
@pass_ctx
def chains(c: Ctx) -> None:
    """列出全部产业链：编号、布局、名称（其他命令的产业链参数可用编号或名称）。"""
    with c.existing_store() as store, user_errors():
        rows = store.find_nodes("Chain")
    rows.sort(key=lambda n: (n.props.get("layout") != "1366", str(n.props.get("layout")), n.id))
    for n in rows:
        click.echo(f"{n.id}\t{n.props.get('layout', '')}\t{n.name}")


#: what uvicorn starts in each worker process of ``serve --workers N``
APP_FACTORY = "chainatlas.api.main:create_served_app"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="工作进程数（多核并行处理请求；各进程的限流分别计数）",
)
@click.option(
    "--print-token",
    is_flag=True,
    help="还没有令牌时，即使输出不是终端（如服务日志）也生成并显示首个令牌",
)
@pass_ctx
def serve(c: Ctx, host: str, port: int, workers: int, print_token: bool) -> None:
    """启动服务（网页 /，REST API /api/v1，文档 /docs）；图谱为空时先加载种子。"""
    import uvicorn

    from chainatlas.api.auth import AuthStore
    from chainatlas.api.hosts import serve_hosts
    from chainatlas.api.main import create_app
    from chainatlas.graph.io.seeds import check_seeds, load_seeds

    with user_errors():
        check_seeds(c.settings.seeds_dir)  # before a store is made
    check_address(host, port)  # before a store or a token is made
    if not c.settings.allowed_hosts:  # the names it is reached by (api/hosts.py)
        c.settings.allowed_hosts = serve_hosts(host)
    store = c.store()
    with user_errors():
        if not store.quick_counts().labels.get("Layout"):  # without loading the graph
            n = load_seeds(store, c.settings.seeds_dir, sample=True)
            click.echo(f"图谱为空，已加载种子 {n} 条")
        auth = AuthStore(c.settings.home / "auth.db")
    base = f"http://{host}:{port}"
    click.echo(f"图谱位置：{c.where}")
    if auth.count() == 0 and (print_token or sys.stdout.isatty()):
        first = auth.create("city", [], "市链长办（首个令牌）")
        click.echo(f"首个令牌（市链长办，全市权限；只显示这一次）：{first}")
        click.echo(f"  例：curl -H 'Authorization: Bearer {first}' {base}/api/v1/chains")
    elif auth.count() == 0:
        make = c.command("token create --role city --name 市链长办")
        click.echo(
            "还没有令牌。输出不是终端（可能写入服务日志），出于安全考虑未生成首个令牌；"
            f"请在终端运行 {make} 生成（或用 serve --print-token 显示在这里）"
        )
    else:
        make = c.command("token create --role city --name 市链长办")
        click.echo(
            f"已有 {auth.count()} 个令牌。新建令牌：{make}"
            "（链长制各角色及其范围见 token create --help）"
        )
    click.echo(f"chainatlas 服务  网页: {base}/  API: {base}/api/v1/health  文档: {base}/docs")
    if workers > 1:
        store.close()
        auth.close()
        _serve_workers(c, host, port, workers)
        return
    app = create_app(c.settings, store, auth, warm_index=c.settings.warm_index, supervise=True)
    try:
        # no WebSocket routes: "none" spares loading a WebSocket library at start-up
        uvicorn.run(app, host=host, port=port, log_level="info", ws="none")
    finally:
        store.close()
        auth.close()


def check_address(host: str, port: int) -> None:
    """``host:port`` can be listened on, else one Chinese error before anything starts (instead
    of uvicorn's English lines after 「Application startup complete」): each address the host
    resolves to is bound for a moment, with the option uvicorn uses (``SO_REUSEADDR``)."""
    try:
        addresses = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError):
        raise CliError(
            f"无法解析主机 {host!r}：请检查 --host（如 127.0.0.1，或 0.0.0.0 对外服务）"
        ) from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                raise CliError(_bind_error(exc, host, port)) from None


def _bind_error(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"端口 {port} 已被占用（{host}）：请用 --port 换一个端口，或先停止占用它的程序"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} 不是本机的地址：请检查 --host（如 127.0.0.1，或 0.0.0.0 对外服务）"
    if exc.errno == errno.EACCES:
        return f"没有权限监听端口 {port}（1024 以下的端口须有管理员权限）：请用 --port 换一个端口"
    return os_message(OSError(exc.errno, exc.strerror, f"{host}:{port}"))


def _serve_workers(c: Ctx, host: str, port: int, workers: int) -> None:
    """``workers`` processes on one socket, each building the app over its own connection to
    the store (``create_app()`` reads the settings from the environment, so ``--home`` and
    ``--backend`` are passed on there). On the embedded store every worker follows the others'
    commits before its next request and SQLite lets one write at a time."""
    import os

    import uvicorn

    os.environ["CHAINATLAS_HOME"] = str(c.settings.home)
    os.environ["CHAINATLAS_BACKEND"] = c.settings.backend
    os.environ["CHAINATLAS_ALLOWED_HOSTS"] = c.settings.allowed_hosts
    click.echo(f"{workers} 个工作进程（限流按进程分别计数）")
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        ws="none",
    )


STORE_COMMANDS = [init, import_, export, template, stats, chains, serve]
