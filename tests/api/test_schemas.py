"""The request models' OpenAPI patterns say what the server enforces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chainatlas.api.auth import AuthStore
from chainatlas.api.main import create_app
from chainatlas.api.schemas import ID_PATTERN
from chainatlas.graph.model import ID_REFUSED, id_problem
from chainatlas.graph.settings import Settings
from chainatlas.graph.store.embedded import EmbeddedStore

PATTERN = re.compile(ID_PATTERN)
#: Every code point a JSON-schema pattern can name alike in ECMA-262 and Python: the Basic
#: Multilingual Plane but the surrogates (JSON text holds no lone one).
BMP = [c for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]


def _agree(node_id: str) -> bool:
    return (id_problem(node_id) is None) == (PATTERN.fullmatch(node_id) is not None)


@pytest.mark.parametrize(
    "node_id",
    [
        "",
        " ",
        " firm:a",
        "firm:a ",
        "\tfirm:a",
        "firm:a\n",
        "firm:\u200ba",  # zero-width space inside
        "\u200bfirm:a",
        "firm:a\u00a0",  # no-break space at the end
        "firm:\u3000a",  # ideographic space inside
        "firm:\u2028a",
        "firm:\u0085a",
        "firm:\ufeffa",
        "firm:\u3164",  # Hangul filler: shows nothing
        "firm:\u202ea",  # right-to-left override
        "firm:\x7fa",
        "firm:\x1fa",
    ],
)
def test_ids_refused_by_the_rule_are_refused_by_the_pattern(node_id: str) -> None:
    assert id_problem(node_id) is not None
    assert PATTERN.fullmatch(node_id) is None


@pytest.mark.parametrize(
    "node_id", ["1366:storage", "firm:长兴 电池", "seg:a-b_c.d/e", "项目:年产10GWh", "x", "firm:😀"]
)
def test_ids_accepted_by_the_rule_are_accepted_by_the_pattern(node_id: str) -> None:
    assert id_problem(node_id) is None
    assert PATTERN.fullmatch(node_id) is not None


def test_the_pattern_and_the_rule_agree_on_every_code_point_inside_and_at_the_ends() -> None:
    disagree = [
        hex(c)
        for c in BMP
        if not (_agree(f"a{chr(c)}b") and _agree(f"{chr(c)}ab") and _agree(f"ab{chr(c)}"))
    ]
    assert disagree == []


def test_the_pattern_refuses_each_refused_range_at_its_bounds() -> None:
    for a, b in ID_REFUSED:
        for c in {a, b}:
            if c in BMP:
                assert PATTERN.fullmatch(f"firm:{chr(c)}x") is None, hex(c)


def test_openapi_states_the_pattern_on_ids_in_paths_and_links(tmp_path: Path) -> None:
    store, auth = EmbeddedStore(tmp_path / "g.db"), AuthStore(tmp_path / "a.db")
    try:
        spec = create_app(Settings(home=tmp_path / "home"), store, auth).openapi()
    finally:
        store.close()
        auth.close()
    put = spec["paths"]["/api/v1/records/projects/{record_id}"]["put"]
    (param,) = [p for p in put["parameters"] if p["name"] == "record_id"]
    assert param["schema"]["pattern"] == ID_PATTERN
    chain = spec["components"]["schemas"]["ProjectIn"]["properties"]["chain"]["anyOf"][0]
    assert chain["pattern"] == ID_PATTERN
