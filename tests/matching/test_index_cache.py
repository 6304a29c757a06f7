"""The ranking index's cache in the data directory: reused across processes while the graph is
unchanged, rebuilt after any committed write (also one that keeps the counts), never trusted
when it is not this code's file for this graph, and never a reason for a command to fail."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from chainatlas.api.cli import main
from chainatlas.graph.home import HOME_AREA
from chainatlas.graph.model import Relationship
from chainatlas.graph.store.contract import Batch
from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching.index_cache import (
    CachedRanking,
    cache_path,
    cached_index,
    load_index,
    save_index,
)

CHAIN = "1366:storage"


def _files(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "cache").glob("targets-*"))


def _home_with(seeded_path: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(seeded_path, home / "graph.db")
    return home


def cli_in_fresh_process(args: list[str]) -> tuple[str, list[str]]:
    """``chainatlas ARGS`` in a new interpreter: (its standard output, which of scikit-learn and
    scipy it imported). It must exit 0."""
    code = (
        "import sys, io, contextlib\n"
        "from chainatlas.api.cli import main\n"
        f"sys.argv = ['chainatlas', *{args!r}]\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as e:\n"
        "        assert not e.code, e.code\n"
        "heavy = sorted(m for m in ('sklearn', 'scipy') if m in sys.modules)\n"
        "sys.stderr.write(json.dumps(heavy))\n"
        "sys.stdout.write(out.getvalue())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + code],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


def test_reused_by_another_process_while_nothing_changed(seeded_path: Path, tmp_path: Path) -> None:
    home = _home_with(seeded_path, tmp_path)
    first = CliRunner().invoke(main, ["--home", str(home), "map", CHAIN, "--format", "json"])
    assert first.exit_code == 0, first.output
    index_file = next((home / "cache").glob("targets-*.pkl"))
    stamp = index_file.stat().st_mtime_ns
    # a fresh interpreter: the same map, read from the stored rankings without loading the
    # index (and so without scikit-learn)
    out, heavy = cli_in_fresh_process(["--home", str(home), "map", CHAIN])
    assert out.strip() == first.output.strip()
    assert heavy == []  # nothing heavy imported
    assert index_file.stat().st_mtime_ns == stamp  # not rebuilt


def test_a_moved_link_rebuilds_although_the_counts_stay(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    rev1, idx1 = cached_index(seeded, home=home)
    assert _files(home) == [cache_path(home, rev1).name]
    rel = next(seeded.iter_relationships("OPERATES_IN"))
    other = next(
        s.id
        for s in seeded.iter_nodes("Segment")
        if s.id != rel.end and seeded.get_relationships([(rel.start, "OPERATES_IN", s.id)]) == {}
    )
    counts = seeded.counts()
    seeded.apply(
        Batch()
        .delete_relationships([rel.key])
        .upsert_relationships([Relationship(rel.start, "OPERATES_IN", other, rel.props)])
    )
    assert seeded.counts() == counts
    rev2, idx2 = cached_index(seeded, home=home)
    assert rev2 != rev1 and idx2 is not idx1
    f = idx2.fidx[rel.start]
    assert idx2.F[f, idx2.sidx[other]] == 1 and idx2.F[f, idx2.sidx[rel.end]] == 0
    assert _files(home) == [cache_path(home, rev2).name]  # the old one is gone
    rev3, idx3 = cached_index(seeded, home=home)  # and now it is read back
    assert rev3 == rev2 and idx3 is not idx2 and idx3.F[f, idx3.sidx[other]] == 1


def _stored(seeded: EmbeddedStore, home: Path) -> tuple[str, Path]:
    rev, _ = cached_index(seeded, home=home)
    return rev, cache_path(home, rev)


def test_a_corrupt_file_is_rebuilt(seeded: EmbeddedStore, tmp_path: Path) -> None:
    rev, path = _stored(seeded, tmp_path / "home")
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF  # one flipped byte in the pickle
    path.write_bytes(bytes(data))
    assert load_index(path, rev) is None
    path.write_bytes(data[:1000])  # cut short
    assert load_index(path, rev) is None
    _, idx = cached_index(seeded, home=tmp_path / "home")
    assert load_index(path, rev) is not None and idx.seg_ids


def test_another_code_version_or_home_area_is_ignored(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    rev, path = _stored(seeded, tmp_path / "home")
    head, _, payload = path.read_bytes().partition(b"\n{")[2].partition(b"\n")
    header = json.loads(b"{" + head)
    for change in ({"code": "0" * 16}, {"format": 0}, {"revision": "x-1"}):
        foreign = {**header, **change}
        path.write_bytes(
            b"chainatlas-target-index\n" + json.dumps(foreign).encode() + b"\n" + payload
        )
        assert load_index(path, rev) is None, change
    assert load_index(path, rev, ("杭州市",)) is None  # another home area


def test_a_file_that_would_run_code_is_never_unpickled(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    """A pickle planted under the cache's name (no header of ours, or a header whose digest
    does not match, or a file others may write) is not loaded."""
    rev, path = _stored(seeded, tmp_path / "home")
    marker = tmp_path / "ran"

    class Boom:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (os.system, (f"touch {marker}",))

    evil = pickle.dumps(Boom())
    path.write_bytes(evil)  # no header of ours
    assert load_index(path, rev) is None
    rev, _ = cached_index(seeded, home=tmp_path / "home")  # rebuilt over it
    text = path.read_bytes()
    header_end = text.index(b"\n", len(b"chainatlas-target-index\n")) + 1
    path.write_bytes(text[:header_end] + evil)  # our header, another payload
    assert load_index(path, rev) is None
    path.write_bytes(text)
    os.chmod(path, 0o666)  # writable by others: not trusted
    assert load_index(path, rev) is None
    os.chmod(path, 0o600)
    assert load_index(path, rev) is not None
    assert not marker.exists()


def test_an_unwritable_data_directory_only_costs_a_rebuild(
    seeded_path: Path, tmp_path: Path
) -> None:
    """Reading commands work when the cache cannot be written (here ``cache`` is a file, as
    root may write anywhere else): same answer, nothing written, no error."""
    home = _home_with(seeded_path, tmp_path)
    (home / "cache").write_text("not a folder")
    runs = [
        CliRunner().invoke(main, ["--home", str(home), "map", CHAIN, "--format", "json"])
        for _ in range(2)
    ]
    assert [r.exit_code for r in runs] == [0, 0], runs[0].output
    assert runs[0].output == runs[1].output and '"targets"' in runs[0].output
    res = CliRunner().invoke(main, ["--home", str(home), "targets", "--segment", "seg:电芯"])
    assert res.exit_code == 0, res.output
    assert (home / "cache").read_text() == "not a folder"
    with EmbeddedStore(home / "graph.db") as store:
        assert (
            save_index(cached_index(store, home=home)[1], cache_path(home, "x-1"), "x-1") is False
        )
        ranking = CachedRanking(store, home=home, home_area=HOME_AREA)
        ranking.rank("seg:电芯")
        assert ranking.save() is False


def test_stored_rankings_answer_like_the_index(seeded: EmbeddedStore, tmp_path: Path) -> None:
    home = tmp_path / "home"
    segs = [s.id for s in seeded.iter_nodes("Segment")][:8]
    first = CachedRanking(seeded, home=home)
    ranked = {s: first.rank(s, top=5) for s in segs}
    assert first.save() is True
    again = CachedRanking(seeded, home=home)
    assert {s: again.rank(s, top=5) for s in segs} == ranked
    assert again._index is None  # answered from the file
    _, idx = cached_index(seeded, home=home)
    for s in segs:
        assert [t.firm for t in idx.rank(s, top=5)] == [t.firm for t in ranked[s]]
