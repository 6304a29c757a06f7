"""The ``chainatlas`` command line: the ``main`` group, gathering the command modules.

Every command works on one data directory: the per-user one by default (``platformdirs``, e.g.
``~/.local/share/chainatlas``), or ``CHAINATLAS_HOME`` / ``--home``. Commands that read the graph
refuse a missing or empty store with a hint to run ``chainatlas init`` instead of creating an
empty one where they happen to run.

The commands live in one module per group, all built on :mod:`chainatlas.api.cli_common` (the
data directory and store, :func:`user_errors` — no command ends in a traceback — and output):

- :mod:`~chainatlas.api.cli_store`: ``init``, ``import``, ``export``, ``template``, ``stats``,
  ``chains``, ``serve``
- :mod:`~chainatlas.api.cli_views`: ``fishbone``, ``map``, ``masters``, ``projects``, ``gaps``,
  ``targets``, ``match``
- :mod:`~chainatlas.api.cli_ledger`: ``ledger …``; :mod:`~chainatlas.api.cli_project`:
  ``project …``; :mod:`~chainatlas.api.cli_problems`: ``problems …``;
  :mod:`~chainatlas.api.cli_checklist`: ``checklist …``; :mod:`~chainatlas.api.cli_tokens`:
  ``token …``
"""

from __future__ import annotations

from pathlib import Path

import click

# first: importing it makes click speak Chinese, before the command modules build their options
from chainatlas.api.cli_common import CliError, Ctx, user_errors

# isort: split
from chainatlas.api.cli_carriers import CARRIER_COMMANDS
from chainatlas.api.cli_checklist import checklist
from chainatlas.api.cli_dockings import dockings
from chainatlas.api.cli_goals import goals
from chainatlas.api.cli_ledger import ledger
from chainatlas.api.cli_problems import problems
from chainatlas.api.cli_project import project
from chainatlas.api.cli_store import STORE_COMMANDS
from chainatlas.api.cli_tokens import token
from chainatlas.api.cli_views import VIEW_COMMANDS
from chainatlas.graph.settings import default_home

__all__ = ["CliError", "main", "user_errors"]


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
    ctx.obj = Ctx(backend, home)


for _command in [*STORE_COMMANDS, *VIEW_COMMANDS, ledger, project, token, problems, checklist]:
    main.add_command(_command)
for _command in [dockings, goals, *CARRIER_COMMANDS]:  # 对接, 招商引资目标, 载体/梯队/园区
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
