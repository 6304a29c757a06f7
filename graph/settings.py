"""Settings, read from the environment (``CHAINATLAS_*``, ``NEO4J_*``) once per process.

The data directory (store, tokens) is one per user by default — ``platformdirs``' data folder
for "chainatlas", e.g. ``~/.local/share/chainatlas`` on Linux — so every command finds the same
store wherever it runs; ``CHAINATLAS_HOME`` or ``--home`` choose another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from chainatlas.graph.home import HOME_AREA
from chainatlas.graph.rules import Grace, Thresholds

__all__ = ["Settings", "default_home"]


def default_home() -> Path:
    """The per-user data directory (not created here)."""
    import platformdirs

    return platformdirs.user_data_path("chainatlas", appauthor=False)


class Settings(BaseSettings):
    """Everything configurable. A bad value stops start-up with a message naming it."""

    model_config = SettingsConfigDict(env_prefix="CHAINATLAS_", extra="ignore")

    home: Path = Field(default_factory=default_home, description="数据目录")
    backend: Literal["memory", "neo4j"] = "memory"
    home_area: tuple[str, ...] = HOME_AREA
    seeds_dir: Path = Field(default=Path(__file__).resolve().parent.parent / "seeds")
    neo4j_uri: str | None = Field(default=None, validation_alias=AliasChoices("NEO4J_URI"))
    neo4j_user: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_USER"))
    neo4j_password: str = Field(
        default="", validation_alias=AliasChoices("NEO4J_PASSWORD"), repr=False
    )  # never shown: not in repr, logs or answers
    neo4j_database: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_DATABASE"))
    neo4j_batch_size: int = Field(default=5000, ge=1)
    write_wait: float = Field(
        default=10.0, gt=0, description="写入等待另一进程释放写锁的最长秒数，超时答 503"
    )
    strong_firms: int = Field(default=3, ge=1, description="强链：本地企业数下限")
    strong_output: float = Field(default=20.0, ge=0, description="强链：本地产值下限（亿元）")
    weak_firms: int = Field(default=1, ge=1, description="弱链：本地企业数下限")

    grace_sign_to_start: int = Field(default=180, ge=0, description="签约未开工宽限（天）")
    grace_start_to_complete: int = Field(default=730, ge=0, description="开工未竣工宽限（天）")
    grace_complete_to_produce: int = Field(default=90, ge=0, description="竣工未投产宽限（天）")
    grace_produce_to_above_scale: int = Field(default=365, ge=0, description="投产未上规宽限（天）")
    grace_above_scale_to_capacity: int = Field(
        default=365, ge=0, description="上规未达产宽限（天）"
    )
    # the office's settings (本办设置) the seeds give no numbers for
    problem_days_general: int = Field(default=30, ge=1, description="一般问题办理时限（天）")
    problem_days_major: int = Field(default=15, ge=1, description="重大问题办理时限（天）")
    problem_days_critical: int = Field(default=7, ge=1, description="特别重大问题办理时限（天）")
    review_after_days: int = Field(default=30, ge=0, description="问题办结后多少天回头看（天）")
    supervise_levels: tuple[Literal["一般", "重大", "特别重大"], ...] = Field(
        default=("重大", "特别重大"), description="办结前须经市链长办督办的问题级别"
    )
    land_to_start_days: int = Field(
        default=0, ge=0, description="拿地后多少天内开工计为“拿地即开工”（0 = 当天）"
    )
    allowed_hosts: str = Field(
        default="",
        description="服务接受的主机名（Host 请求头），逗号分隔，可写 *.example.com；"
        "空为不检查（chainatlas serve 默认取 --host 和 127.0.0.1、localhost、::1，"
        "--host 0.0.0.0 时不检查）",
    )
    warm_index: bool = Field(
        default=True,
        description="chainatlas serve 启动后及数据更新后在后台预先计算招商排序索引",
    )
    view_max_nodes: int = Field(
        default=25000, ge=1, description="关系网络视图（chainatlas view 与接口）最多显示的节点数"
    )
    industrial_output: float | None = Field(
        default=None,
        gt=0,
        description="规上工业总产值（亿元）：“占规上工业总产值60%以上”的分母；不设则不计算占比",
    )

    def grace(self) -> Grace:
        """The grace periods of the five stalls."""
        from chainatlas.graph.rules import Grace

        return Grace(
            self.grace_sign_to_start,
            self.grace_start_to_complete,
            self.grace_complete_to_produce,
            self.grace_produce_to_above_scale,
            self.grace_above_scale_to_capacity,
        )

    def due_days(self) -> dict[str, int]:
        """Days to answer a problem, by level (一般 / 重大 / 特别重大)."""
        return {
            "一般": self.problem_days_general,
            "重大": self.problem_days_major,
            "特别重大": self.problem_days_critical,
        }

    def thresholds(self) -> Thresholds:
        """The verdict thresholds of the fishbone map."""
        from chainatlas.graph.rules import Thresholds

        return Thresholds(self.strong_firms, self.strong_output, self.weak_firms)

    @property
    def store_path(self) -> Path:
        return self.home / "graph.db"
