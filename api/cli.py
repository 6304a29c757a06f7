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


#: Options of the group that may also be written after the command (``serve --home DIR``).
GLOBAL_OPTIONS = ("--home", "--backend")


class _Chainatlas(click.Group):
    """The command group; ``--home`` and ``--backend`` are accepted after the command too.

    Users write ``chainatlas serve --home DIR`` as often as ``chainatlas --home DIR serve``;
    click only knows a group's options before the command, so they are moved there (up to a
    ``--``, after which everything is the command's own)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))


def hoist_global_options(args: list[str]) -> list[str]:
    """``args`` with every ``--home X`` / ``--home=X`` / ``--backend …`` moved to the front.

    >>> hoist_global_options(["serve", "--port", "9", "--home", "/d"])
    ['--home', '/d', 'serve', '--port', '9']
    >>> hoist_global_options(["note", "--", "--home", "x"])
    ['note', '--', '--home', 'x']
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest += args[i:]
            break
        name = a.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            take = 1 if "=" in a or i + 1 >= len(args) else 2
            front += args[i : i + take]
            i += take
            continue
        rest.append(a)
        i += 1
    return front + rest


@click.group(cls=_Chainatlas, context_settings={"help_option_names": ["-h", "--help"]})
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
