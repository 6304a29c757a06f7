"""The constraints of a match are explained with chain and segment names, never their ids
(review B5: 「产业链/环节相容：1366:storage ~ 不限」)."""

from __future__ import annotations

from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching.elements import Element, match


def _el(i: str, side: str, **kw: object) -> Element:
    return Element(i, side, "配套", "储能电池配套", None, None, "长兴县", **kw)  # type: ignore[arg-type]


def test_passed_constraints_name_the_chain_and_segment(seeded: EmbeddedStore) -> None:
    d = _el("d", "demand", chain="1366:storage")
    res = match(
        [d],
        [_el("any", "supply"), _el("seg", "supply", segment="seg:电芯")],
        store=seeded,
        graph_suppliers=False,
        top=5,
    )
    said = {m.supply: next(p for p in m.passed if p.startswith("产业链")) for m in res.candidates}
    assert said["any"] == "产业链/环节相容：新能源与新型储能 ~ 不限"
    assert said["seg"] == "产业链/环节相容：新能源与新型储能 ~ 电芯"


def test_no_compatible_supply_names_the_chain(seeded: EmbeddedStore) -> None:
    d = _el("d", "demand", chain="1366:storage")
    res = match([d], [_el("bio", "supply", chain="1366:bio")], store=seeded, graph_suppliers=False)
    assert dict(res.unmatched)["d"] == "产业链/环节不符：无与 新能源与新型储能 相容的供给"
