"""Schemathesis against the live OpenAPI of the running service (``chainatlas serve`` in a child
process, seeds and sample data loaded), every operation, with a valid city-office token.

Checks: no 5xx; status codes, content types, headers and bodies as documented; schema-violating
requests rejected; no operation that ignores the token; deleted resources gone, created ones
there; ``Allow`` on 405. Not checked: ``positive_data_acceptance`` — the API rightly refuses
some schema-valid bodies for reasons a schema cannot say (a credit code's check digit, a region
that is not in the graph) and answers 422 naming them.

The run is bounded and deterministic: ``CHAINATLAS_FUZZ_EXAMPLES`` cases per operation and
phase (default 25), a fixed seed, one worker, Hypothesis derandomised. Path and query parameters
draw from the real ids of the graph half of the time, so the fuzzer reaches past 404s into the
code behind them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chainatlas.api.testing import LiveService

ST = shutil.which("st") or str(Path(sys.executable).parent / "st")
EXAMPLES = int(os.environ.get("CHAINATLAS_FUZZ_EXAMPLES", "25"))
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
]

pytestmark = pytest.mark.skipif(not Path(ST).exists(), reason="schemathesis is not installed")


def _toml_list(values: list[str]) -> str:
    return (
        "["
        + ", ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        + "]"
    )


def _config(svc: LiveService, path: Path) -> Path:
    """A schemathesis config whose dictionaries hold real ids, bound to the parameters."""
    with svc.client() as c:

        def ids(url: str, **params: object) -> list[str]:
            body = c.get(url, params={"limit": 50, **params}).json()
            return [x["id"] for x in body["data"]][:20]

        chains = ids("/api/v1/chains")
        for title in ("用地指标未落实", "配套电力扩容"):  # the samples hold no problem yet
            r = c.post("/api/v1/problems", json={"title": title, "chain": chains[0]})
            assert r.status_code == 201, r.text
        projects = [p["id"] for p in c.get("/api/v1/projects", params={"limit": 20}).json()["data"]]
        dicts = {
            "chains": chains,
            "firms": ids("/api/v1/firms"),
            "segments": ids("/api/v1/segments"),
            "projects": projects,
            "problems": ids("/api/v1/problems"),
        }
    assert all(dicts.values()), f"the graph lacks sample data: {dicts}"
    bind = {
        "path.chain": "chains",
        "path.chain_id": "chains",
        "query.chain": "chains",
        "path.firm_id": "firms",
        "path.segment_id": "segments",
        "query.segment": "segments",
        "path.project_id": "projects",
        "path.problem_id": "problems",
        "path.record_id": "projects",
    }
    lines = []
    for name, values in dicts.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml_list(values)}", ""]
    lines.append("[parameters]")
    lines += [f'"{k}" = {{ dictionary = "{v}", probability = 0.5 }}' for k, v in bind.items()]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_schemathesis_finds_no_5xx_and_no_schema_violation(tmp_path: Path) -> None:
    with LiveService(tmp_path / "home") as svc:
        config = _config(svc, tmp_path / "schemathesis.toml")
        run = subprocess.run(
            [
                ST,
                "--config-file",
                str(config),
                "run",
                f"{svc.url}/openapi.json",
                "-H",
                f"Authorization: Bearer {svc.token}",
                "--checks",
                ",".join(CHECKS),
                "--max-examples",
                str(EXAMPLES),
                "--seed",
                os.environ.get("CHAINATLAS_FUZZ_SEED", "20261122"),
                # one worker, derandomised: Hypothesis under threads tripped on CPython's `ast`
                # (2 failures in 9 runs with two workers); this run is the same every time
                "--workers",
                "1",
                "--generation-deterministic",  # implies no example database
                "--no-color",
                "--request-timeout",
                "60",
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=1800,
        )
        out = run.stdout + run.stderr
        assert run.returncode == 0, out[-6000:]
        print(
            "\n".join(line for line in out.splitlines() if "generated" in line or "Tested" in line)
        )
        generated = re.search(r"(\d+) generated", out)
        assert generated and int(generated.group(1)) >= 20 * EXAMPLES, out[-3000:]
        tested = re.search(r"Tested: (\d+)", out)
        assert tested and int(tested.group(1)) >= 30, out[-3000:]  # every operation
        with svc.client() as c:
            assert c.get("/api/v1/health").status_code == 200
    log = svc.log.read_text("utf-8", "replace")
    assert "Traceback" not in log, log[-4000:]
