"""``chainatlas checklist show|set|clear``: a chain's 十个一 on the command line.

The same rules as ``PUT``/``DELETE /api/v1/chains/{chain}/checklist/{slot}``
(:mod:`chainatlas.graph.workflows.checklist`,
:func:`chainatlas.api.routes.checklist.check_slot_owner`): the command acts as the 市链长办 unless
``--role``/``--scope`` say otherwise, and its writes are audited.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import click

from chainatlas.api.cli_acting import acting, as_role, cli_audited
from chainatlas.api.cli_common import user_errors
from chainatlas.graph.workflows.checklist import SLOTS

__all__ = ["checklist"]

_SLOTS_HELP = "\b\n十个一（SLOT 用原文或简称）：\n" + "\n".join(
    f"{s.key:<12}{s.item}{'（市链长办、链长设置）' if s.owner > 1 else ''}" for s in SLOTS
)


@click.group()
def checklist() -> None:
    """产业链“十个一”：查看、设置、清除（推断链接不计；链创平台只计种子列明的三类）。"""


@checklist.command("show", epilog=_SLOTS_HELP)
@click.argument("chain")
@click.pass_obj
def checklist_show(c: Any, chain: str) -> None:
    """一条产业链的十个一（JSON）。"""
    from chainatlas.graph.workflows.checklist import checklist as items
    from chainatlas.graph.workflows.maps import resolve_chain

    with c.existing_store() as store, user_errors():
        ch = resolve_chain(store, chain)
        rows = zip(items(store, ch.id), SLOTS, strict=True)
        data = [dataclasses.asdict(x) | {"slot": s.key} for x, s in rows]
    out = {"chain": ch.id, "name": ch.name, "checklist": data}
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


def _write(
    c: Any, chain: str, slot: str, role: str, scope: tuple[str, ...], verb: str, value: str | None
) -> None:
    from chainatlas.api.routes.checklist import check_slot_owner
    from chainatlas.graph.workflows.checklist import clear_slot, find_slot, set_slot
    from chainatlas.graph.workflows.maps import resolve_chain

    with c.existing_store() as store, user_errors():
        who = acting(store, role, scope)
        ch = resolve_chain(store, chain)
        s = find_slot(slot)
        check_slot_owner(who, s, ch.id)
        command = f"chainatlas checklist {verb} {ch.id} {s.key}"
        intended = {s.item: value if verb == "set" else None, "value": value}
        with cli_audited(c.settings.home, who, command, ch.id, ch.props, intended) as e:
            if verb == "set":
                assert value is not None
                item = set_slot(store, ch.id, s.key, value, by=who.name)
            else:
                item = clear_slot(store, ch.id, s.key, value)
            e.after = dataclasses.asdict(item)
    mark = "✓" if item.present else "✗"
    click.echo(f"{ch.name}｜{item.item}：{mark} {item.detail}")


@checklist.command("set", epilog=_SLOTS_HELP)
@click.argument("chain")
@click.argument("slot")
@click.argument("value")
@as_role
@click.pass_obj
def checklist_set(
    c: Any, chain: str, slot: str, value: str, role: str, scope: tuple[str, ...]
) -> None:
    """设置十个一中的一项：文字项替换；应用场景追加；基金、平台、链主、项目按编号或名称登记链接。"""
    _write(c, chain, slot, role, scope, "set", value)


@checklist.command("clear", epilog=_SLOTS_HELP)
@click.argument("chain")
@click.argument("slot")
@click.argument("value", required=False)
@as_role
@click.pass_obj
def checklist_clear(
    c: Any, chain: str, slot: str, value: str | None, role: str, scope: tuple[str, ...]
) -> None:
    """清除十个一中的一项（或其中一个值）；只清除经十个一登记的链接。"""
    _write(c, chain, slot, role, scope, "clear", value)
