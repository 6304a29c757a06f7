"""The ranking index (and the 招商图's stored rankings) survive writes that touch none of the
inputs the index is built from — a follow-up, a problem, a 十个一 entry, a project's stage —
and are rebuilt after a write to any of them: a firm's region or name, an ``OPERATES_IN`` link
or its weight, a product relation, an industry, a chain master, a segment's name."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainatlas.api.cli import main
from chainatlas.graph.home import is_local
from chainatlas.graph.model import PROJECT_STAGES, Node, Relationship
from chainatlas.graph.store.contract import Batch, GraphStore
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.graph.workflows.checklist import set_slot
from chainatlas.graph.workflows.ledger import STAGE_NEEDS, add_follow_up, move_stage
from chainatlas.graph.workflows.problems import raise_problem
from chainatlas.matching.index_cache import CachedRanking, cache_path, cached_index
from chainatlas.matching.index_inputs import IndexInputs
from chainatlas.matching.targets import TargetIndex
from tests.matching.test_index_cache import cli_in_fresh_process

SEGMENT = "seg:动力电池"  # a segment with inferred targets in the sample data
PROJECT = "project:1366:ai:1"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The revisions an index was built for (the real build runs; it is only counted)."""
    made: list[str] = []
    real = TargetIndex.from_store.__func__  # type: ignore[attr-defined]

    def counted(cls, store, **kw):  # type: ignore[no-untyped-def]
        made.append(store.revision())
        return real(cls, store, **kw)

    monkeypatch.setattr(TargetIndex, "from_store", classmethod(counted))
    return made


def _files(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "cache").glob("targets-*"))


def _pair(home: Path, revision: str) -> list[str]:
    pkl = cache_path(home, revision)
    return sorted([pkl.name, pkl.with_suffix(".ranks.json").name])


def _next_stage(store: GraphStore) -> None:
    def step(p: Node) -> str | None:
        i = PROJECT_STAGES.index(p.props["stage"]) if p.props.get("stage") in PROJECT_STAGES else -1
        nxt = PROJECT_STAGES[i + 1] if i + 1 < len(PROJECT_STAGES) else None
        return nxt if nxt and nxt not in STAGE_NEEDS else None

    project = next(p for p in store.iter_nodes("Project") if step(p))
    move_stage(store, project.id, str(step(project)))


UNRELATED: dict[str, Callable[[GraphStore], object]] = {
    "follow-up": lambda s: add_follow_up(s, PROJECT, "电话回访"),
    "problem": lambda s: raise_problem(s, "用地指标不足", project=PROJECT),
    "十个一 entry": lambda s: set_slot(s, "1366:ai", "plan", "一链一策（2026 修订）"),
    "project stage": _next_stage,
}


@pytest.mark.parametrize("write", list(UNRELATED))
def test_an_unrelated_write_keeps_the_index_and_the_rankings(
    write: str, seeded: EmbeddedStore, tmp_path: Path, builds: list[str]
) -> None:
    home = tmp_path / "home"
    first = CachedRanking(seeded, home=home)
    ranked = first.rank(SEGMENT)
    assert first.save() and ranked and builds == [seeded.revision()]
    before = seeded.revision()
    UNRELATED[write](seeded)
    after = seeded.revision()
    assert after != before
    again = CachedRanking(seeded, home=home)  # the 招商图's path: the stored rankings
    assert again.rank(SEGMENT) == ranked and again._index is None
    assert cache_path(home, after).with_suffix(".ranks.json").exists()
    rev, index = cached_index(seeded, home=home)  # the service's path: the index itself
    assert rev == after and builds == [before]  # not built again
    assert [t.firm for t in index.rank(SEGMENT)] == [t.firm for t in ranked]
    assert _files(home) == _pair(home, after)  # re-keyed, the old revision's files gone


def _region(s: GraphStore) -> None:
    firm = next(n.id for n in s.iter_nodes("Firm") if not is_local(n.props.get("region")))
    s.upsert_nodes([Node(firm, "Firm", {"region": "吴兴区"})])


def _firm_name(s: GraphStore) -> None:
    firm = next(s.iter_nodes("Firm")).id
    s.upsert_nodes([Node(firm, "Firm", {"name": "改名后的企业"})])


def _new_link(s: GraphStore) -> None:
    firm = next(s.iter_nodes("Firm")).id
    s.upsert_relationships([Relationship(firm, "OPERATES_IN", SEGMENT, {"weight": 0.5})])


def _weight(s: GraphStore) -> None:
    r = next(r for r in s.iter_relationships("OPERATES_IN") if r.props.get("weight") != 0.123)
    s.upsert_relationships([Relationship(r.start, r.type, r.end, {**r.props, "weight": 0.123})])


def _moved_link(s: GraphStore) -> None:
    r = next(s.iter_relationships("OPERATES_IN"))
    s.apply(
        Batch()
        .delete_relationships([r.key])
        .upsert_relationships([Relationship(r.start, "OPERATES_IN", SEGMENT, r.props)])
    )


def _product(kind: str) -> Callable[[GraphStore], None]:
    def change(s: GraphStore) -> None:
        a, b = (n.id for n, _ in zip(s.iter_nodes("Segment"), range(2), strict=False))
        have = s.get_relationships([(a, kind, SEGMENT), (b, kind, SEGMENT)])
        start = b if (a, kind, SEGMENT) in have else a
        s.upsert_relationships([Relationship(start, kind, SEGMENT)])

    return change


def _industry(s: GraphStore) -> None:
    firm = next(s.iter_nodes("Firm")).id
    s.apply(
        Batch()
        .upsert_nodes([Node("industry:C38", "Industry", {"name": "电气机械和器材制造业"})])
        .upsert_relationships([Relationship(firm, "IN_INDUSTRY", "industry:C38")])
    )


def _industry_parent(s: GraphStore) -> None:
    s.apply(
        Batch()
        .upsert_nodes([Node("industry:C", "Industry", {"name": "制造业"})])
        .upsert_relationships([Relationship("industry:C38", "SUBINDUSTRY_OF", "industry:C")])
    )


def _master(s: GraphStore) -> None:
    have = {r.start for r in s.iter_relationships("CHAIN_MASTER_OF")}
    firm = next(n.id for n in s.iter_nodes("Firm") if n.id not in have)
    set_slot(s, "1366:storage", "masters", firm)  # a 十个一 entry that is an index input


def _segment_name(s: GraphStore) -> None:
    s.upsert_nodes([Node(SEGMENT, "Segment", {"name": "动力电池（电芯）"})])


def _new_segment(s: GraphStore) -> None:
    s.upsert_nodes([Node("seg:固态电解质", "Segment", {"name": "固态电解质"})])


RELATED: dict[str, Callable[[GraphStore], None]] = {
    "a firm's region": _region,
    "a firm's name": _firm_name,
    "an OPERATES_IN link": _new_link,
    "an OPERATES_IN weight": _weight,
    "a link moved (counts kept)": _moved_link,
    "UPSTREAM_OF": _product("UPSTREAM_OF"),
    "SUBSEGMENT_OF": _product("SUBSEGMENT_OF"),
    "an industry (IN_INDUSTRY)": _industry,
    "a chain master": _master,
    "a segment's name": _segment_name,
    "a new segment": _new_segment,
}


@pytest.mark.parametrize("write", list(RELATED))
def test_a_write_to_an_input_rebuilds(
    write: str, seeded: EmbeddedStore, tmp_path: Path, builds: list[str]
) -> None:
    home = tmp_path / "home"
    first = CachedRanking(seeded, home=home)
    first.rank(SEGMENT)
    first.save()
    digest = IndexInputs.read(seeded).digest
    RELATED[write](seeded)
    assert IndexInputs.read(seeded).digest != digest
    again = CachedRanking(seeded, home=home)
    assert again._ranks == {}  # the stored rankings are not reused
    again.rank(SEGMENT)
    assert again._index is not None and builds[-1] == seeded.revision() and len(builds) == 2
    assert _files(home) == [cache_path(home, seeded.revision()).name]
    again.save()
    assert _files(home) == _pair(home, seeded.revision())


def test_industry_names_and_parents_are_inputs(seeded: EmbeddedStore) -> None:
    """Industries reach the reasons (names) and the features (levels): both in the digest."""
    _industry(seeded)
    digests = [IndexInputs.read(seeded).digest]
    seeded.upsert_nodes([Node("industry:C38", "Industry", {"name": "电气机械制造"})])
    digests.append(IndexInputs.read(seeded).digest)
    _industry_parent(seeded)
    digests.append(IndexInputs.read(seeded).digest)
    assert len(set(digests)) == 3


def test_a_new_local_firm_changes_the_rankings(
    seeded: EmbeddedStore, tmp_path: Path, builds: list[str]
) -> None:
    """A target made local (its region moved into the home area) leaves the rankings at once."""
    home = tmp_path / "home"
    first = CachedRanking(seeded, home=home)
    ranked = [t.firm for t in first.rank(SEGMENT)]
    first.save()
    seeded.upsert_nodes([Node(ranked[0], "Firm", {"region": "吴兴区"})])
    again = CachedRanking(seeded, home=home)
    assert ranked[0] not in [t.firm for t in again.rank(SEGMENT)]


def test_an_untrusted_file_of_the_same_inputs_is_not_reused(
    seeded: EmbeddedStore, tmp_path: Path, builds: list[str]
) -> None:
    home = tmp_path / "home"
    rev, _ = cached_index(seeded, home=home)
    cache_path(home, rev).chmod(0o666)  # others may write it: not trusted, whatever it says
    add_follow_up(seeded, PROJECT, "电话回访")
    cached_index(seeded, home=home)
    assert builds == [rev, seeded.revision()]


def test_another_process_reads_the_rankings_after_a_follow_up(
    seeded_path: Path, tmp_path: Path
) -> None:
    """The CLI's 招商图 after a follow-up written by another process: the same answer from the
    stored rankings, re-keyed, without building the index or importing scikit-learn."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(seeded_path, home / "graph.db")
    args = ["--home", str(home), "map", "1366:storage", "--format", "json"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    index_file = next((home / "cache").glob("targets-*.pkl"))
    stamp = index_file.stat().st_mtime_ns
    with EmbeddedStore(home / "graph.db") as store:
        add_follow_up(store, PROJECT, "电话回访")
        revision = store.revision()
    out, heavy = cli_in_fresh_process(args)
    assert out.strip() == first.output.strip()
    assert heavy == []  # nothing heavy imported, nothing built
    assert index_file.stat().st_mtime_ns == stamp
    assert cache_path(home, revision).with_suffix(".ranks.json").exists()


def test_the_digest_on_both_backends(store: GraphStore) -> None:
    """Read twice, the inputs give one digest (Neo4j returns relationships in no promised
    order, but the same graph in the same order here); a project's write keeps it, a firm's
    region changes it."""
    store.apply(
        Batch()
        .upsert_nodes(
            [
                Node("seg:a", "Segment", {"name": "甲"}),
                Node("seg:b", "Segment", {"name": "乙"}),
                Node("firm:1", "Firm", {"name": "一号", "region": "上海市"}),
                Node("firm:2", "Firm", {"name": "二号", "region": "吴兴区"}),
                Node("project:x", "Project", {"name": "项目", "stage": "产业研究"}),
            ]
        )
        .upsert_relationships(
            [
                Relationship("firm:1", "OPERATES_IN", "seg:a", {"weight": 0.6}),
                Relationship("firm:2", "OPERATES_IN", "seg:b"),
                Relationship("seg:a", "UPSTREAM_OF", "seg:b"),
            ]
        )
    )
    digest = IndexInputs.read(store).digest
    assert IndexInputs.read(store).digest == digest
    store.upsert_nodes([Node("project:x", "Project", {"stage": "招商引资"})])
    assert IndexInputs.read(store).digest == digest
    store.upsert_nodes([Node("firm:1", "Firm", {"region": "杭州市"})])
    assert IndexInputs.read(store).digest != digest
