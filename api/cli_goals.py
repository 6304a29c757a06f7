"""``chainatlas goals show|set|ranking``: a chain's 招商引资目标 (四张清单's 目标), 动态亮晒.

The same rules as ``PUT /api/v1/chains/{chain}/goals/{year}``
(:mod:`chainatlas.graph.workflows.goals`, :func:`chainatlas.api.routes.goals.check_goal_owner`):
the command acts as the 市链长办 unless ``--role``/``--scope`` say otherwise, and its writes are
audited.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from chainatlas.api.cli_acting import acting, as_role, cli_audited
from chainatlas.api.cli_common import user_errors
from chainatlas.graph.workflows.goals import MEASURES

__all__ = ["goals"]

_YEAR = click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    default=lambda: date.today().year,
    show_default="今年",
    help="年份",
)


def _echo(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group()
def goals() -> None:
    """产业链招商引资目标（四张清单之“目标”）：查看、设置、动态亮晒排名。"""


@goals.command("show")
@click.argument("chain")
@_YEAR
@click.pass_obj
def goals_show(c: Any, chain: str, year: int) -> None:
    """一条产业链某年的招商引资目标与完成情况（JSON）。"""
    from chainatlas.graph.workflows.goals import chain_goals

    with c.existing_store() as store, user_errors():
        _echo(chain_goals(store, chain, year))


def _measure_options(f: Any) -> Any:
    for m in reversed(MEASURES):
        f = click.option(
            f"--{m.key}",
            type=click.FloatRange(min=0),
            default=None,
            help=f"{m.name}（{m.unit}）",
        )(f)
    return click.option(
        "--clear",
        multiple=True,
        type=click.Choice([m.key for m in MEASURES]),
        help="清除这一项目标（可重复）",
    )(f)


@goals.command("set")
@click.argument("chain")
@_YEAR
@_measure_options
@as_role
@click.pass_obj
def goals_set(
    c: Any,
    chain: str,
    year: int,
    clear: tuple[str, ...],
    role: str,
    scope: tuple[str, ...],
    **kw: Any,
) -> None:
    """设置或清除招商引资目标（产业链牵头部门或其上级）。"""
    from chainatlas.api.routes.goals import check_goal_owner
    from chainatlas.graph.workflows.goals import chain_goals, set_goals
    from chainatlas.graph.workflows.maps import resolve_chain

    values: dict[str, Any] = {k: v for k, v in kw.items() if v is not None}
    values |= {k: None for k in clear}
    with c.existing_store() as store, user_errors():
        who = acting(store, role, scope)
        ch = resolve_chain(store, chain)
        check_goal_owner(who, ch.id)
        before = chain_goals(store, ch.id, year)["items"]
        command = f"chainatlas goals set {ch.id} --year {year}"
        with cli_audited(c.settings.home, who, command, ch.id, before, values) as e:
            out = set_goals(store, ch.id, year, values, by=who.name, on=date.today())
            e.after = out["items"]
    for i in out["items"]:
        target = "未设" if i["target"] is None else f"{i['target']:g}{i['unit']}"
        click.echo(
            f"{out['name']}｜{year} {i['name']}：目标 {target}，完成 {i['actual']:g}{i['unit']}"
        )


@goals.command("ranking")
@_YEAR
@click.option("--layout", default="1366", show_default=True, help="布局：1366 或 eight-2.0")
@click.pass_obj
def goals_ranking(c: Any, year: int, layout: str) -> None:
    """动态亮晒：各产业链招商引资目标完成度排名。"""
    from chainatlas.graph.workflows.goals import goal_ranking

    with c.existing_store() as store, user_errors():
        rows = goal_ranking(store, year, layout)
    for r in rows:
        rank = f"{r['rank']:>2}" if r["rank"] else " —"
        done = f"{r['completion']:.0%}" if r["completion"] is not None else r["note"]
        click.echo(f"{rank} {r['name']}：{done}")
