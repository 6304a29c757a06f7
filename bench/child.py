"""Measurements in a fresh process: peak memory and timings are then the measurement's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["run_child"]

REPO = Path(__file__).resolve().parent.parent


def run_child(script: str, *args: str) -> dict[str, Any]:
    """Run ``script --child ARGS`` with the repository on the path; the JSON object it prints
    last."""
    out = subprocess.run(
        [sys.executable, script, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result
