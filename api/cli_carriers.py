"""``chainatlas carriers``, ``chainatlas ladder`` and ``chainatlas parks list|set``: what the
seeds name beyond chains, as :mod:`chainatlas.api.routes.carriers` serves it (JSON)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from chainatlas.api.cli_acting import acting, as_role, cli_audited
from chainatlas.api.cli_common import user_errors

__all__ = ["CARRIER_COMMANDS"]


def _echo(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.command("carriers")
@click.option("--chain", default=None, help="只列服务这条产业链的载体")
@click.pass_obj
def carriers_cmd(c: Any, chain: str | None) -> None:
    """种子文件点名的平台与载体（先导区、大科学装置、试验区、产业区块、基地、氢走廊节点），附原文。"""
    from chainatlas.api.routes.carriers import carriers

    with c.existing_store() as store, user_errors():
        _echo(carriers(store, chain))


@click.command("ladder")
@click.option("--chain", default=None, help="产业链编号或名称；不填为全市")
@click.pass_obj
def ladder_cmd(c: Any, chain: str | None) -> None:
    """企业梯队（科技型、创新型中小企业—…—专精特新“小巨人”）与培育工程的本地企业数。"""
    from chainatlas.graph.workflows.ladder import firm_ladder

    with c.existing_store() as store, user_errors():
        _echo(firm_ladder(store, chain, c.settings.home_area))


@click.group("parks")
def parks() -> None:
    """园区主导产业（种子：引导每个产业平台聚焦2—3个主导产业）。"""


@parks.command("list")
@click.pass_obj
def parks_list(c: Any) -> None:
    """各园区已登记的主导产业；未登记的按园区项目推断（标为推断）。"""
    from chainatlas.graph.workflows.parks import park_industries

    with c.existing_store() as store, user_errors():
        _echo(park_industries(store))


@parks.command("set")
@click.argument("park")
@click.argument("chains", nargs=-1)
@as_role
@click.pass_obj
def parks_set(
    c: Any, park: str, chains: tuple[str, ...], role: str, scope: tuple[str, ...]
) -> None:
    """登记园区的主导产业（至多 3 条产业链，替换原登记；不给产业链即清除）。"""
    from chainatlas.api.auth import check_scope
    from chainatlas.graph.workflows.parks import park_industries, set_park_industries

    with c.existing_store() as store, user_errors():
        store.require_node(park, "Park")
        who = acting(store, role, scope)
        check_scope(store, who, node=park)
        before = next(r for r in park_industries(store) if r["park"] == park)["declared"]
        command = f"chainatlas parks set {park}"
        with cli_audited(c.settings.home, who, command, park, before, list(chains)) as e:
            row = set_park_industries(store, park, list(chains), by=who.name, on=date.today())
            e.after = row["declared"]
    click.echo(f"{row['name']}：{row['note']}")


CARRIER_COMMANDS = [carriers_cmd, ladder_cmd, parks]
