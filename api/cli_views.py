"""``chainatlas fishbone|map|masters|projects|gaps|targets|match|view``: the two maps, the two
libraries, the gap analysis, the investment targets, element matching and the neighbourhood
view of any node.

Each view renders as JSON on the screen or as a file (xlsx, html, svg for the fishbone) through
:func:`chainatlas.api.cli_common.emit`; the heavy libraries load inside the commands.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from chainatlas.api.cli_acting import as_role
from chainatlas.api.cli_common import (
    OUT_HELP,
    CliError,
    Ctx,
    chain_hint,
    echo_skipped,
    emit,
    existing,
    out_file,
    out_format,
    pass_ctx,
    user_errors,
)
from chainatlas.api.cli_dockings import run_stored
from chainatlas.graph.store.contract import GraphStore

if TYPE_CHECKING:  # scikit-learn and scipy load with the first ranking, inside the commands
    from chainatlas.matching.targets import TargetIndex

__all__ = ["VIEW_COMMANDS"]


def _view_command(kind: str, doc: str) -> click.Command:
    """``chainatlas KIND CHAIN``: one view; only ``projects`` takes filters (and no chain)."""
    formats = ["json", "xlsx", "html"] + (["svg"] if kind == "fishbone" else [])
    options: list[Callable[[Any], Any]] = [
        click.command(name=kind, help=doc),
        click.argument("chain", required=kind != "projects"),
        click.option(
            "--format", "fmt", type=click.Choice(formats), default="json", show_default=True
        ),
        click.option("--out", type=click.Path(path_type=Path), default=None, help=OUT_HELP),
    ]
    if kind == "projects":
        options += [
            click.option("--segment", default=None, help="环节编号或名称"),
            click.option("--region", default=None, help="区域"),
            click.option("--stage", default=None, help="阶段"),
        ]

    def cmd(c: Ctx, chain: str | None, fmt: str, out: Path | None, **filters: str | None) -> None:
        from chainatlas.viz.export import render_view

        fmt = out_format(fmt, out, formats)
        with c.existing_store() as store, user_errors(), chain_hint():
            index = None
            if kind == "map" and store.count_nodes("Firm"):
                from chainatlas.matching.index_cache import CachedRanking

                # the rankings of an unchanged graph are read back: no index, no scikit-learn
                index = CachedRanking(store, home=c.settings.home, home_area=c.settings.home_area)
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
            if index is not None:
                index.save()
        emit(r.data, fmt, out, r.filename)

    command: Any = pass_ctx(cmd)
    for option in reversed(options):
        command = option(command)
    return command  # type: ignore[no-any-return]


_VIEWS = [
    _view_command("fishbone", "产业链鱼骨图：各环节本地企业、链主、平台与强/弱/缺判定。"),
    _view_command("map", "产业链招商图：弱、缺环节的目标企业与落地区域、园区。"),
    _view_command("masters", "链主型企业库：链主与伙伴的供需关系、本地化配套比例、以商引商候选。"),
    _view_command("projects", "重点项目库：按产业链、环节、区域、阶段筛选项目。"),
]


@click.command()
@click.argument("chain")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path), default=None)
@pass_ctx
def gaps(c: Ctx, chain: str, fmt: str, out: Path | None) -> None:
    """缺链补链：各环节的补链/强链判定、区位熵、权重与优先级，以及延链候选。"""
    from chainatlas.viz.reports import gaps_report

    fmt = out_format(fmt, out, ["json", "xlsx"])
    with c.existing_store() as store, user_errors(), chain_hint():
        g, data = gaps_report(
            store,
            chain,
            fmt,
            thresholds=c.settings.thresholds(),
            home_area=c.settings.home_area,
        )
    emit(data, fmt, out, f"缺链分析-{g.name}.{fmt}")


@click.command()
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
    c: Ctx,
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

    from chainatlas.matching.index_cache import one_thread
    from chainatlas.matching.service import targets_for
    from chainatlas.viz.reports import targets_report

    if bool(segment) == bool(segments_file):
        raise CliError("请给出 --segment 或 --segments-file 之一")
    fmt = out_format(fmt, out, ["json", "xlsx"])
    with user_errors():
        keys = [segment] if segment else _lines(existing(Path(str(segments_file))))
    if not keys:
        raise CliError(f"{segments_file} 中没有环节")
    with c.existing_store() as store, user_errors(), chain_hint():
        index = _index(c, store)
        with one_thread():
            results = [
                targets_for(
                    store, index, str(key), chain=chain, top=top, inferred_only=inferred_only
                )
                for key in tqdm(keys, desc="排序", unit="环节", disable=len(keys) < 20)
            ]
    fmt_out = "jsonl" if segments_file and fmt == "json" else fmt
    data = targets_report(results, fmt_out)
    emit(data, fmt, out, f"招商目标-{results[0]['name'] if len(results) == 1 else '多环节'}.{fmt}")


def _index(c: Ctx, store: GraphStore) -> TargetIndex:
    """The ranking index: loaded from the data directory's cache while the graph is unchanged,
    else built (and cached when the directory can be written)."""
    from chainatlas.matching.index_cache import cached_index

    return cached_index(store, home=c.settings.home, home_area=c.settings.home_area)[1]


def _lines(path: Path) -> list[str]:
    return [x.strip() for x in path.read_text("utf-8-sig").splitlines() if x.strip()]


@click.command("match")
@click.argument("demands", type=click.Path(path_type=Path), required=False)
@click.argument("supplies", type=click.Path(path_type=Path), required=False)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="结果工作簿 .xlsx")
@click.option(
    "--top", type=click.IntRange(min=1), default=5, show_default=True, help="每个需求的候选数"
)
@click.option("--skip-bad", is_flag=True, help="跳过错误行，只用正确的行匹配")
@click.option("--stored", is_flag=True, help="匹配图谱中的需求与供给，结果存为对接记录（推荐）")
@click.option("--chain", default=None, help="与 --stored 同用：只匹配这条产业链的需求")
@click.option("--region", default=None, help="与 --stored 同用：只匹配这个区县的需求")
@as_role
@pass_ctx
def match_cmd(
    c: Ctx,
    demands: Path | None,
    supplies: Path | None,
    out: Path | None,
    top: int,
    skip_bad: bool,
    stored: bool,
    chain: str | None,
    region: str | None,
    role: str,
    scope: tuple[str, ...],
) -> None:
    """要素匹配：需求清单对供给清单（土地、资金、能耗、人才、技术、配套）；--stored 匹配图谱中的
    关键需求清单与核心供给清单，结果存为对接记录（见 chainatlas dockings）。"""
    from chainatlas.matching.elements import load_lists, match
    from chainatlas.viz.reports import match_tables
    from chainatlas.viz.tables import write_xlsx

    if stored:
        if demands or supplies:
            raise CliError("--stored 匹配图谱中的清单，不再指定需求、供给文件")
        run_stored(c, chain, region, top, role, scope)
        return
    if demands is None or supplies is None:
        raise CliError("请指定需求清单和供给清单两个文件，或用 --stored 匹配图谱中的清单")
    if chain or region:
        raise CliError("--chain、--region 只与 --stored 同用")
    existing(demands, "需求清单")
    existing(supplies, "供给清单")
    path = out or Path("要素匹配结果.xlsx")
    if path.suffix.lower() != ".xlsx":
        raise CliError(f"结果工作簿应为 .xlsx 文件，而不是 {path.name!r}")
    out_file(path, "xlsx")
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
    echo_skipped(errors)
    with user_errors():
        write_xlsx(match_tables(res), path)
    click.echo(f"已写入 {path}")


@click.command("view")
@click.option(
    "--around", "node", default=None, help="中心节点编号（如 seg:豆腐）；不给则为整个图谱"
)
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=None,
    help="只显示这么多度以内的节点（与 --around 同用；缺省 2 度）",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=None,
    help="最多显示的节点数，离中心近的优先（缺省为设置 view_max_nodes）",
)
@click.option(
    "--format", "fmt", type=click.Choice(["html", "json"]), default="html", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path), default=None, help=OUT_HELP)
@pass_ctx
def view_cmd(
    c: Ctx,
    node: str | None,
    depth: int | None,
    max_nodes: int | None,
    fmt: str,
    out: Path | None,
) -> None:
    """关系网络视图：某个节点周围（广度优先，近的优先）或整个图谱，最多 --max-nodes 个节点；
    html 在 2000 个节点以上用 WebGL 绘制，可搜索、点选看邻居、按类别显示。"""
    from chainatlas.viz.bigview import neighbourhood_view

    cap = c.settings.view_max_nodes
    if max_nodes is not None and max_nodes > cap:
        raise CliError(
            f"--max-nodes {max_nodes} 超过上限 {cap}（可设置 CHAINATLAS_VIEW_MAX_NODES 调高）"
        )
    if depth is not None and node is None:
        raise CliError("--depth 只与 --around 同用")
    fmt = out_format(fmt, out, ["html", "json"])
    with c.existing_store() as store, user_errors():
        r = neighbourhood_view(
            store,
            node=node,
            depth=depth,
            max_nodes=max_nodes or cap,
            fmt="json" if fmt == "json" else "html",
        )
    if r.notice:
        click.echo(f"注意：{r.notice}", err=True)
    emit(r.data, fmt, out, r.filename)


VIEW_COMMANDS = [*_VIEWS, gaps, targets, match_cmd, view_cmd]
