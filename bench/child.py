"""Measurements in a fresh process: peak memory and timings are then the measurement's own.

Each benchmark module runs itself as ``python -m bench.NAME --child ARGS`` from the repository
(so ``bench`` is importable there; chainatlas is the installed package)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["run_child"]

REPO = Path(__file__).resolve().parent.parent


def run_child(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m MODULE --child ARGS`` from the repository; the JSON object it prints
    last."""
    out = subprocess.run(
        [sys.executable, "-m", module, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result
