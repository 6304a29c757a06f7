"""The ``chainatlas`` command line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from chainatlas.api.cli_tokens import token
from chainatlas.graph.errors import ChainAtlasError, ImportFailed
from chainatlas.graph.settings import Settings
from chainatlas.graph.store import GraphStore

__all__ = ["main"]


class _Ctx:
    def __init__(self, backend: str | None, home: Path | None) -> None:
        overrides: dict[str, Any] = {}
        if backend:
            overrides["backend"] = backend
        if home:
            overrides["home"] = home
        try:
            self.settings = Settings(**overrides)
        except Exception as exc:  # pydantic's ValidationError: a bad setting
            raise click.ClickException(f"配置有误: {exc}") from None

    def store(self) -> GraphStore:
        from chainatlas.graph.backends import open_store

        try:
            return open_store(self.settings)
        except ChainAtlasError as exc:
            raise click.ClickException(str(exc)) from None


pass_ctx = click.make_pass_decorator(_Ctx)


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
    help="数据目录（默认 ./.chainatlas，或 CHAINATLAS_HOME）",
)
@click.pass_context
def main(ctx: click.Context, backend: str | None, home: Path | None) -> None:
    """chainatlas：湖州产业链知识图谱（两图两库、缺链补链、要素匹配、一本账）。"""
    ctx.obj = _Ctx(backend, home)


@main.command()
@click.option(
    "--sample/--no-sample", default=True, help="是否加载示例企业、园区、项目（sample=true）"
)
@click.option("--reset", is_flag=True, help="先清空图谱")
@pass_ctx
def init(c: _Ctx, sample: bool, reset: bool) -> None:
    """创建图谱并加载种子：两版产业链布局、鱼骨图、区域、平台（及示例数据）。"""
    from chainatlas.graph.seeds import load_seeds

    with c.store() as store:
        if reset:
            store.clear()
        t = time.perf_counter()
        n = load_seeds(store, c.settings.seeds_dir, sample=sample)
        click.echo(f"已加载种子 {n} 条（{time.perf_counter() - t:.2f} 秒），后端 {store.backend}")
        _print_counts(store)


@main.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(["firms", "projects", "demands", "supplies"]),
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

    with c.store() as store:
        t = time.perf_counter()
        try:
            if path.is_dir():
                rep = import_bundle(store, path, skip_bad=skip_bad, progress=not quiet)
            else:
                rep = import_template(store, path, kind=kind, skip_bad=skip_bad, progress=not quiet)
        except ImportFailed as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        dt = time.perf_counter() - t
        rows = rep.nodes + rep.relationships
        click.echo(
            f"已导入 节点 {rep.nodes} 个、关系 {rep.relationships} 条（{dt:.2f} 秒，"
            f"{rows / dt if dt else 0:,.0f} 行/秒）"
        )
        if rep.skipped:
            click.echo(f"已跳过 {len(rep.skipped)} 处错误:", err=True)
            for e in rep.skipped[:50]:
                click.echo(f"  {e}", err=True)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--quiet", is_flag=True, help="不显示进度条")
@pass_ctx
def export(c: _Ctx, directory: Path, quiet: bool) -> None:
    """把整个图谱导出为图谱包（neo4j-admin CSV 格式），可原样再导入。"""
    from chainatlas.graph.bundle import export_bundle

    with c.store() as store:
        written = export_bundle(store, directory, progress=not quiet)
        click.echo(f"已导出 {len(written)} 个文件、{sum(written.values())} 行到 {directory}")


@main.command()
@click.argument("kind", type=click.Choice(["firms", "projects", "demands", "supplies"]))
@click.option(
    "--out", "out", type=click.Path(path_type=Path), required=True, help="输出文件（.xlsx 或 .csv）"
)
def template(kind: str, out: Path) -> None:
    """生成填报模板（中文表头，附说明）。"""
    from chainatlas.graph.templates import write_template

    write_template(kind, out)
    click.echo(f"已生成模板 {out}")


def _print_counts(store: GraphStore, as_json: bool = False) -> None:
    c = store.counts()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "labels": c.labels,
                    "types": c.types,
                    "nodes": c.nodes,
                    "relationships": c.relationships,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo(f"节点 {c.nodes:,}")
    for k, v in c.labels.items():
        click.echo(f"  {k:<16}{v:>10,}")
    click.echo(f"关系 {c.relationships:,}")
    for k, v in c.types.items():
        click.echo(f"  {k:<16}{v:>10,}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@pass_ctx
def stats(c: _Ctx, as_json: bool) -> None:
    """按标签和关系类型统计数量。"""
    with c.store() as store:
        _print_counts(store, as_json)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@pass_ctx
def serve(c: _Ctx, host: str, port: int) -> None:
    """启动服务（REST API /api/v1，文档 /docs）；图谱为空时先加载种子。"""
    import uvicorn

    from chainatlas.api.auth import AuthStore
    from chainatlas.api.main import create_app
    from chainatlas.graph.seeds import load_seeds

    store = c.store()
    if store.count_nodes("Layout") == 0:
        n = load_seeds(store, c.settings.seeds_dir, sample=True)
        click.echo(f"图谱为空，已加载种子 {n} 条")
    auth = AuthStore(c.settings.home / "auth.db")
    if auth.count() == 0:
        token = auth.create("city", [], "链长办（首个令牌）")
        click.echo(f"首个令牌（链长办，全市权限；只显示这一次）：{token}")
        click.echo(
            f"  例：curl -H 'Authorization: Bearer {token}' http://{host}:{port}/api/v1/chains"
        )
    click.echo(
        f"chainatlas 服务: http://{host}:{port}/api/v1/health  文档: http://{host}:{port}/docs"
    )
    app = create_app(c.settings, store, auth)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        store.close()
        auth.close()


def _view_command(kind: str, doc: str) -> None:
    formats = ["json", "xlsx", "html"] + (["svg"] if kind == "fishbone" else [])

    @main.command(name=kind, help=doc)
    @click.argument("chain", required=kind != "projects")
    @click.option("--format", "fmt", type=click.Choice(formats), default="json", show_default=True)
    @click.option(
        "--out",
        type=click.Path(path_type=Path),
        default=None,
        help="输出文件；json 缺省时打印到屏幕，其余缺省时按视图名生成文件",
    )
    @click.option("--segment", default=None, help="（projects）环节")
    @click.option("--region", default=None, help="（projects）区域")
    @click.option("--stage", default=None, help="（projects）阶段")
    @pass_ctx
    def cmd(
        c: _Ctx,
        chain: str | None,
        fmt: str,
        out: Path | None,
        segment: str | None,
        region: str | None,
        stage: str | None,
    ) -> None:
        from chainatlas.viz.export import render_view

        filters = (
            {"segment": segment, "region": region, "stage": stage} if kind == "projects" else None
        )
        with c.store() as store:
            try:
                index = None
                if kind == "map" and store.count_nodes("Firm"):
                    from chainatlas.matching.targets import TargetIndex

                    index = TargetIndex.from_store(store, home_area=c.settings.home_area)
                r = render_view(
                    store,
                    kind,
                    fmt,
                    chain=chain,
                    filters=filters,
                    thresholds=c.settings.thresholds(),
                    home_area=c.settings.home_area,
                    index=index,
                )
            except (ChainAtlasError, ValueError) as exc:
                raise click.ClickException(str(exc)) from None
        if out is None and fmt == "json":
            click.echo(r.data.decode("utf-8"))
            return
        path = out or Path(r.filename)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(r.data)
        click.echo(f"已写入 {path}")


_view_command("fishbone", "产业链鱼骨图：各环节本地企业、链主、平台与强/弱/缺判定。")
_view_command("map", "产业链招商图：弱、缺环节的目标企业与落地区域、园区。")
_view_command("masters", "链主型企业库：链主与伙伴的供需关系、本地化配套比例、以商引商候选。")
_view_command("projects", "重点项目库：按产业链、环节、区域、阶段筛选项目。")


@main.command()
@click.argument("chain")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path), default=None)
@pass_ctx
def gaps(c: _Ctx, chain: str, fmt: str, out: Path | None) -> None:
    """缺链补链：各环节的补链/强链判定、区位熵、权重与优先级，以及延链候选。"""
    from chainatlas.matching.service import gaps_report

    with c.store() as store:
        try:
            g, data = gaps_report(
                store,
                chain,
                fmt,
                thresholds=c.settings.thresholds(),
                home_area=c.settings.home_area,
            )
        except ChainAtlasError as exc:
            raise click.ClickException(str(exc)) from None
    _emit(data, fmt, out, f"缺链分析-{g.name}.{fmt}")


@main.command()
@click.option("--segment", default=None, help="环节编号或名称")
@click.option(
    "--segments-file",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="每行一个环节；每个环节输出一行 JSON",
)
@click.option("--chain", default=None, help="产业链（校验环节属于该链）")
@click.option("--top", type=int, default=20, show_default=True)
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

    from chainatlas.matching.service import targets_for, targets_report
    from chainatlas.matching.targets import TargetIndex

    if bool(segment) == bool(segments_file):
        raise click.UsageError("请给出 --segment 或 --segments-file 之一")
    keys = (
        [segment]
        if segment
        else [
            x.strip()
            for x in Path(str(segments_file)).read_text("utf-8-sig").splitlines()
            if x.strip()
        ]
    )
    with c.store() as store:
        index = TargetIndex.from_store(store, home_area=c.settings.home_area)
        results = []
        for key in tqdm(keys, desc="排序", unit="环节", disable=len(keys) < 20):
            try:
                results.append(
                    targets_for(
                        store, index, str(key), chain=chain, top=top, inferred_only=inferred_only
                    )
                )
            except ChainAtlasError as exc:
                raise click.ClickException(str(exc)) from None
    if segments_file and fmt == "json":
        fmt_out = "jsonl"
    else:
        fmt_out = fmt
    data = targets_report(results, fmt_out)
    _emit(data, fmt, out, f"招商目标-{results[0]['name'] if len(results) == 1 else '多环节'}.{fmt}")


def _emit(data: bytes, fmt: str, out: Path | None, default_name: str) -> None:
    if out is None and fmt == "json":
        click.echo(data.decode("utf-8"), nl=False)
        return
    path = out or Path(default_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    click.echo(f"已写入 {path}")


@main.command("match")
@click.argument("demands", type=click.Path(exists=True, path_type=Path))
@click.argument("supplies", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None, help="结果工作簿 .xlsx")
@click.option("--top", type=int, default=5, show_default=True, help="每个需求的候选数")
@click.option("--skip-bad", is_flag=True, help="跳过错误行，只用正确的行匹配")
@pass_ctx
def match_cmd(
    c: _Ctx, demands: Path, supplies: Path, out: Path | None, top: int, skip_bad: bool
) -> None:
    """要素匹配：需求清单对供给清单（土地、资金、能耗、人才、技术、配套）。"""
    from chainatlas.matching.elements import load_lists, match, result_tables
    from chainatlas.viz.tables import write_xlsx

    with c.store() as store:
        try:
            ds, ss, errors = load_lists(demands, supplies, store, skip_bad=skip_bad)
        except ImportFailed as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        res = match(ds, ss, store=store, top=top, home_area=c.settings.home_area)
    res.errors = errors
    t = res.timings
    click.echo(
        f"需求 {len(ds)} 条、供给 {len(ss)} 条：分配 {len(res.assigned)}，候选 "
        f"{len(res.candidates)}，未匹配 {len(res.unmatched)}（准备 {t['prepare']:.2f} 秒，"
        f"候选 {t['candidates']:.2f} 秒，分配 {t['assignment']:.2f} 秒）"
    )
    if errors:
        click.echo(f"已跳过 {len(errors)} 处错误:", err=True)
        for e in errors[:50]:
            click.echo(f"  {e}", err=True)
    path = out or Path("要素匹配结果.xlsx")
    write_xlsx(result_tables(res), path)
    click.echo(f"已写入 {path}")


@main.group()
def ledger() -> None:
    """一本账：项目阶段、六张清单、三张新清单、五未与月度通报。"""


@ledger.command("report")
@click.option("--month", required=True, help="月份 YYYY-MM")
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
    from chainatlas.viz.tables import write_xlsx

    with c.store() as store:
        try:
            r = monthly_report(store, month, c.settings.grace())
        except ChainAtlasError as exc:
            raise click.ClickException(str(exc)) from None
    name = f"一本账月度通报-{month}.{fmt}"
    if fmt == "xlsx":
        path = out or Path(name)
        write_xlsx(report_tables(r), path)
        click.echo(f"已写入 {path}")
        return
    data = report_json(r) if fmt == "json" else report_html(r).encode("utf-8")
    _emit(data, fmt, out, name)


@ledger.command("lists")
@click.option("--month", required=True, help="月份 YYYY-MM")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path), default=None)
@pass_ctx
def ledger_lists(c: _Ctx, month: str, fmt: str, out: Path | None) -> None:
    """六张清单与三张新清单（由日期推算，不手工维护）。"""
    from chainatlas.graph.ledger import month_lists
    from chainatlas.viz.ledger import lists_tables
    from chainatlas.viz.tables import write_xlsx

    with c.store() as store:
        try:
            lists = month_lists(store, month)
        except ChainAtlasError as exc:
            raise click.ClickException(str(exc)) from None
    if fmt == "xlsx":
        path = out or Path(f"一本账清单-{month}.xlsx")
        write_xlsx(lists_tables(lists), path)
        click.echo(f"已写入 {path}")
        return
    data = {
        k: [
            {"id": r.id, "name": r.name, "chain": r.chain, "region": r.region, "stage": r.stage}
            for r in v
        ]
        for k, v in lists.items()
    }
    _emit(json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), "json", out, "")


@ledger.command("stage")
@click.argument("project")
@click.argument("to")
@click.option("--by", default="", help="经办单位/人")
@click.option("--note", default="")
@pass_ctx
def ledger_stage(c: _Ctx, project: str, to: str, by: str, note: str) -> None:
    """把项目推进到下一阶段（记录一环节一跟进）。"""
    from chainatlas.graph.ledger import move_stage

    with c.store() as store:
        try:
            p = move_stage(store, project, to, by=by, note=note)
        except ChainAtlasError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"{p.name}：当前阶段 {p.props['stage']}")


@ledger.command("chain")
@click.argument("chain")
@click.option("--month", required=True, help="月份 YYYY-MM")
@pass_ctx
def ledger_chain(c: _Ctx, chain: str, month: str) -> None:
    """一条产业链的十个一清单、四张清单与 2026 目标进度（JSON）。"""
    import dataclasses

    from chainatlas.graph.progress import checklist, four_lists

    with c.store() as store:
        try:
            data = {
                "checklist": [dataclasses.asdict(x) for x in checklist(store, chain)],
                **four_lists(store, chain, month, c.settings.grace()),
            }
        except ChainAtlasError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@ledger.command("progress")
@pass_ctx
def ledger_progress(c: _Ctx) -> None:
    """各产业链 2026 年目标进度与“3566”目标（按本地企业产值）。"""
    from chainatlas.graph.progress import progress

    with c.store() as store:
        click.echo(
            json.dumps(
                progress(store, home_area=c.settings.home_area), ensure_ascii=False, indent=2
            )
        )


@main.group()
def problems() -> None:
    """问题闭环：收集、交办、督办、反馈、办结，逾期回头看。"""


@problems.command("add")
@click.argument("title")
@click.option("--level", type=click.Choice(["一般", "重大", "特别重大"]), default="一般")
@click.option("--project", default=None)
@click.option("--firm", default=None)
@click.option("--chain", default=None)
@click.option("--region", default=None)
@click.option("--due", default=None, help="办理期限 YYYY-MM-DD")
@click.option("--by", default="")
@pass_ctx
def problems_add(
    c: _Ctx,
    title: str,
    level: str,
    project: str | None,
    firm: str | None,
    chain: str | None,
    region: str | None,
    due: str | None,
    by: str,
) -> None:
    """提出问题；按级别自动路由到牵头部门/区链长办、链长或总链长。"""
    from datetime import date as _date

    from chainatlas.graph.problems import raise_problem

    with c.store() as store:
        try:
            p = raise_problem(
                store,
                title,
                level,
                project=project,
                firm=firm,
                chain=chain,
                region=region,
                due=_date.fromisoformat(due) if due else None,
                by=by,
            )
        except (ChainAtlasError, ValueError) as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"{p.id}：{title}（{level}）→ {p.props['assignee']}，期限 {p.props['due']}")


@problems.command("step")
@click.argument("problem")
@click.argument("to", type=click.Choice(["交办", "督办", "反馈", "办结"]))
@click.option("--escalate", type=click.Choice(["重大", "特别重大"]), default=None)
@click.option("--by", default="")
@click.option("--note", default="")
@pass_ctx
def problems_step(c: _Ctx, problem: str, to: str, escalate: str | None, by: str, note: str) -> None:
    """推进问题状态，可同时升级级别。"""
    from chainatlas.graph.problems import step

    with c.store() as store:
        try:
            p = step(store, problem, to, by=by, note=note, escalate=escalate)
        except ChainAtlasError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"{p.id}：{p.props['status']}（{p.props['level']}，{p.props['assignee']}）")


@problems.command("list")
@click.option("--overdue", is_flag=True, help="只列逾期未办结（回头看）")
@pass_ctx
def problems_list(c: _Ctx, overdue: bool) -> None:
    """列出问题。"""
    from chainatlas.graph.problems import overdue as overdue_

    with c.store() as store:
        rows = overdue_(store) if overdue else store.find_nodes("Problem")
    for p in rows:
        click.echo(
            f"{p.id}\t{p.props['status']}\t{p.props['level']}\t{p.props.get('due', '')}"
            f"\t{p.props.get('assignee', '')}\t{p.props['title']}"
        )


main.add_command(token)  # chainatlas token create|list|revoke (api/cli_tokens.py)

if __name__ == "__main__":  # pragma: no cover
    main()
