"""``chainatlas problems …``: the problem closed loop (问题闭环) on the command line.

The same rules as ``/api/v1/problems``: a step goes to the body the problem is routed to by its
level or a body above it, 督办 and 回头看 are the 市链长办's (or the 总链长's). A command acts as
the 市链长办 unless ``--role``/``--scope`` say otherwise (:mod:`chainatlas.api.cli_acting`), and
its writes are audited.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import click

from chainatlas.api.auth import Principal
from chainatlas.api.cli_acting import acting, as_role, cli_audited
from chainatlas.api.cli_common import CliError, date_option, user_errors
from chainatlas.api.officer import check_officer, signed
from chainatlas.api.roles import CITY
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.problems import LEVELS, REVIEW_RESULTS
from chainatlas.graph.workflows.supervision import SyncResult

__all__ = ["problems"]


BY_HELP = "经办人员姓名（可选）：记在办理身份旁，如「命令行（市链长办）（经办：张三）」"


def _acting(store: GraphStore, role: str, scope: tuple[str, ...], by: str) -> Principal:
    """The role a command acts as, named as the API names a token with its officer
    (:func:`~chainatlas.api.officer.signed`): the history and the audit say both."""
    who = acting(store, role, scope)
    return replace(who, name=signed(who.name, check_officer(by)))


def _line(p: Any) -> str:
    return (
        f"{p.id}\t{p.props['status']}\t{p.props['level']}\t{p.props.get('due', '')}"
        f"\t{p.props.get('assignee', '')}\t{p.props['title']}"
    )


@click.group()
def problems() -> None:
    """问题闭环：收集、交办、督办、反馈、办结，回头看；五未项目自动生成督办事项。"""


@problems.command("add")
@click.argument("title")
@click.option("--level", type=click.Choice(list(LEVELS)), default="一般")
@click.option("--project", default=None)
@click.option("--firm", default=None)
@click.option("--chain", default=None)
@click.option("--region", default=None)
@click.option(
    "--due", default=None, callback=date_option, help="办理期限 YYYY-MM-DD（默认按本办设置）"
)
@click.option("--by", default="", help=BY_HELP)
@as_role
@click.pass_obj
def problems_add(
    c: Any,
    title: str,
    level: str,
    project: str | None,
    firm: str | None,
    chain: str | None,
    region: str | None,
    due: date | None,
    by: str,
    role: str,
    scope: tuple[str, ...],
) -> None:
    """提出问题；按级别自动路由到牵头部门/区级链长办、链长/市链长办或总链长。
    同一记录同一天已有同名问题时不再新建（已有的问题不变）。"""
    from chainatlas.api.auth import check_scopes
    from chainatlas.graph.workflows.maps import resolve_chain
    from chainatlas.graph.workflows.problems import filed_under, problem_id, raise_problem

    with c.existing_store() as store, user_errors():
        who = _acting(store, role, scope, by)
        for node, label in ((project, "Project"), (firm, "Firm")):
            if node:
                store.require_node(node, label)
        chain_id = resolve_chain(store, chain).id if chain else None
        check_scopes(store, who, nodes=(project, firm), chain=chain_id, region=region)
        at = filed_under(store, project=project, chain=chain_id, region=region)
        today = date.today()
        pid = problem_id(title, project=project, firm=firm, chain=at[0], region=at[1], today=today)
        intended = {"title": title, "level": level, "project": project, "firm": firm}
        intended |= {"chain": chain_id, "region": region, "due": str(due) if due else None}
        command = f"chainatlas problems add {title}"
        with cli_audited(c.settings.home, who, command, pid, None, intended | {"by": by}) as e:
            p = raise_problem(
                store,
                title,
                level,
                project=project,
                firm=firm,
                chain=chain_id,
                region=region,
                due=due,
                by=who.name,
                today=today,
                due_days=c.settings.due_days(),
            )
            e.after = p.props
    click.echo(
        f"{p.id}：{title}（{level}）→ {p.props['assignee']}，期限 {p.props['due']}"
        f"（{p.props.get('due_basis', '')}）"
    )


@problems.command("step")
@click.argument("problem")
@click.argument("to", type=click.Choice(["交办", "督办", "反馈", "办结"]))
@click.option("--escalate", type=click.Choice(["重大", "特别重大"]), default=None)
@click.option("--by", default="", help=BY_HELP)
@click.option("--note", default="")
@as_role
@click.pass_obj
def problems_step(
    c: Any,
    problem: str,
    to: str,
    escalate: str | None,
    by: str,
    note: str,
    role: str,
    scope: tuple[str, ...],
) -> None:
    """推进问题状态（可同时升级）；须由问题路由到的角色或其上级办理，督办由市链长办办理。"""
    from chainatlas.api.auth import check_problem_step
    from chainatlas.graph.workflows.problems import problem_scope, step

    with c.existing_store() as store, user_errors():
        who = _acting(store, role, scope, by)
        before = store.require_node(problem, "Problem")
        chains, region = problem_scope(store, before)
        names = [n.name for n in store.get_nodes(chains).values()]
        check_problem_step(
            who,
            title=str(before.props.get("title", problem)),
            level=str(before.props.get("level", "一般")),
            to=to,
            chains=chains,
            region=region,
            where="、".join([*names, *([region] if region else [])]),
        )
        intended = {"to": to, "escalate": escalate, "by": by, "note": note}
        command = f"chainatlas problems step {problem} {to}"
        with cli_audited(c.settings.home, who, command, problem, before.props, intended) as e:
            p = step(
                store,
                problem,
                to,
                by=who.name,
                note=note,
                escalate=escalate,
                supervise=c.settings.supervise_levels,
            )
            e.after = p.props
    click.echo(f"{p.id}：{p.props['status']}（{p.props['level']}，{p.props['assignee']}）")


@problems.command("review")
@click.argument("problem")
@click.argument("result", type=click.Choice(list(REVIEW_RESULTS)))
@click.option("--by", default="", help=BY_HELP)
@click.option("--note", default="")
@as_role
@click.pass_obj
def problems_review(
    c: Any, problem: str, result: str, by: str, note: str, role: str, scope: tuple[str, ...]
) -> None:
    """回头看已办结的问题：见效则记录；未见效则重新督办（市链长办或总链长办理）。"""
    from chainatlas.api.auth import check_supervisor
    from chainatlas.graph.workflows.problems import review

    with c.existing_store() as store, user_errors():
        who = _acting(store, role, scope, by)
        before = store.require_node(problem, "Problem")
        check_supervisor(who, f"问题「{before.props.get('title', problem)}」的回头看")
        command = f"chainatlas problems review {problem} {result}"
        intended = {"result": result, "by": by, "note": note}
        with cli_audited(c.settings.home, who, command, problem, before.props, intended) as e:
            p = review(store, problem, result, by=who.name, note=note)
            e.after = p.props
    click.echo(f"{p.id}：回头看 {result}，当前 {p.props['status']}")


@problems.command("supervise")
@as_role
@click.pass_obj
def problems_supervise(c: Any, role: str, scope: tuple[str, ...]) -> None:
    """按今天的五未（进展滞后）生成督办事项：每个项目每种五未一项，五未解除时自动办结。"""
    from chainatlas.api.auth import check_supervisor

    with c.existing_store() as store, user_errors():
        who = acting(store, role, scope)
        check_supervisor(who, "生成五未督办事项")
        r = sync_items(c, store, who, "chainatlas problems supervise")
    click.echo(
        f"五未督办事项：新增 {len(r.opened)}，重新督办 {len(r.reopened)}，办结 {len(r.closed)}"
    )


def sync_items(
    c: Any, store: GraphStore, who: Principal | None = None, command: str = ""
) -> SyncResult:
    """Bring the 五未 督办 items up to today, audited under ``who`` (the 市链长办 by default)
    when something changes; ``chainatlas ledger sync`` does it under the system's name."""
    from chainatlas.graph.workflows.supervision import sync_supervision

    grace = c.settings.grace()
    todo = sync_supervision(store, grace, dry_run=True)
    if not todo.changed:
        return todo
    who = who or acting(store, CITY, ())
    intended = {"as_of": date.today().isoformat()}
    command = command or "chainatlas ledger report"
    with cli_audited(c.settings.home, who, command, "五未督办", None, intended) as e:
        r = sync_supervision(store, grace)
        e.after = r.__dict__
    return r


@problems.command("list")
@click.option("--overdue", is_flag=True, help="只列逾期未办结的问题")
@click.option("--review", is_flag=True, help="回头看清单：已办结、到了回头看日期而尚未回头看")
@click.pass_obj
def problems_list(c: Any, overdue: bool, review: bool) -> None:
    """列出问题（编号、状态、级别、期限、承办、标题）。"""
    from chainatlas.graph.workflows.problems import overdue as overdue_
    from chainatlas.graph.workflows.problems import review_due, review_on

    if overdue and review:
        raise CliError("--overdue 与 --review 只能选一个")
    days = c.settings.review_after_days
    with c.existing_store() as store, user_errors():
        if review:
            rows = review_due(store, after_days=days)
        else:
            rows = overdue_(store) if overdue else store.find_nodes("Problem")
    if review:
        click.echo(f"回头看清单（本办设置：办结后 {days} 天回头看；种子只说“定期开展‘回头看’”）")
        for p in rows:
            click.echo(f"{_line(p)}\t办结 {p.props['closed']}\t回头看 {review_on(p, days)}")
        return
    for p in rows:
        click.echo(_line(p))
