"""The examples in the docstrings run and say what they show (as networkx's do).

Every module of the package with an example (``>>>``) is found from the source and its examples
are run; the public algorithms must have one (numpydoc ``Examples`` on a tiny graph).
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graph", "matching", "viz", "api")

#: Public algorithms whose docstrings must carry an example (module → functions).
MUST_SHOW = {
    "chainatlas.graph.workflows.maps": ["fishbone"],
    "chainatlas.matching.gaps": ["gaps"],
    "chainatlas.matching.elements": ["match"],
    "chainatlas.graph.io.readers": ["yes_no"],
}


def _modules_with_examples() -> list[str]:
    out = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if ">>>" in path.read_text("utf-8"):
                parts = path.relative_to(ROOT).with_suffix("").parts
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                out.append(".".join(("chainatlas", *parts)))
    return out


@pytest.mark.parametrize("name", _modules_with_examples())
def test_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0, f"{name}: {result}"


@pytest.mark.parametrize(("name", "functions"), sorted(MUST_SHOW.items()))
def test_public_algorithms_document_parameters_returns_and_an_example(
    name: str, functions: list[str]
) -> None:
    module = importlib.import_module(name)
    for f in functions:
        doc = getattr(module, f).__doc__ or ""
        for section in ("Parameters\n", "Returns\n", "Examples\n", ">>> "):
            assert section in doc, f"{name}.{f}: no {section.strip()}"
    assert name in _modules_with_examples()
