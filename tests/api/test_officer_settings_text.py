"""Settings are named in the office's words, never by their environment variables (review B, s6):
the 驾驶舱 and the progress the API answers say 「本办设置」 for the 规上工业总产值 denominator;
the variable is for the README and the server's operators."""

from __future__ import annotations

from fastapi.testclient import TestClient

from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.progress import progress
from tests.api.webui import Browsers


def test_the_denominator_is_named_without_its_variable(
    ui: Browsers, client: TestClient, seeded: EmbeddedStore
) -> None:
    for output in (None, 5000.0):
        goal = progress(seeded, industrial_output=output)["goal_3566"]
        assert "CHAINATLAS_" not in goal["industrial_output_basis"]
        assert (
            "本办设置" in goal["industrial_output_basis"]
            or "未设置" in goal["industrial_output_basis"]
        )
    home = ui.as_("city").get("/")
    assert home.status_code == 200 and "CHAINATLAS_" not in home.text
    r = client.get("/api/v1/progress")
    assert r.status_code == 200 and "CHAINATLAS_" not in r.text, r.text[:300]
