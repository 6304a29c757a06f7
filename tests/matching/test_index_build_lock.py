"""One build of the ranking index at a time across processes (``index_cache.building``): a
process that finds no index while another is building it waits for that build and loads it,
instead of training its own (the worker processes of ``serve --workers N`` warming at once).

The other process is played by the test, holding the same advisory lock on its own open file
(``flock`` locks belong to open files, so a second one in this process waits as another
process would); the waiting one runs in a thread, with the real store and the real ranking."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from chainatlas.graph.store.embedded import EmbeddedStore
from chainatlas.matching import index_cache
from chainatlas.matching.index_cache import building, cache_path, cached_index, save_index
from chainatlas.matching.index_inputs import IndexInputs
from chainatlas.matching.targets import TargetIndex

#: a wait that only ends early (no timing is asserted)
LONG = 120


def test_a_build_under_way_elsewhere_is_waited_for_and_loaded(
    seeded: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    revision = seeded.revision()
    path = cache_path(home, revision)
    missed = threading.Event()
    waiter_built: list[str] = []
    real_load, real_build = index_cache.load_index, TargetIndex.from_store.__func__  # type: ignore[attr-defined]

    def load(*args: Any, **kw: Any) -> Any:  # the real load; says when the waiter found none
        found = real_load(*args, **kw)
        if found is None and threading.current_thread().name == "waiter":
            missed.set()
        return found

    def build(cls, store, **kw):  # type: ignore[no-untyped-def]
        if threading.current_thread().name == "waiter":
            waiter_built.append(store.revision())
        return real_build(cls, store, **kw)

    monkeypatch.setattr(index_cache, "load_index", load)
    monkeypatch.setattr(TargetIndex, "from_store", classmethod(build))
    got: dict[str, Any] = {}
    waiter = threading.Thread(
        target=lambda: got.update(r=cached_index(seeded, home=home)), name="waiter"
    )
    with building(path):  # "another process" is building
        waiter.start()
        assert missed.wait(LONG)  # the waiter found no index and is on its way to build
        ours = TargetIndex.from_store(seeded)
        assert save_index(ours, path, revision, inputs=IndexInputs.read(seeded).digest)
    waiter.join(LONG)
    assert not waiter.is_alive()
    assert waiter_built == []  # it waited and loaded ours
    rev, index = got["r"]
    assert rev == revision and isinstance(index, TargetIndex)
    assert index.rank("seg:电芯", top=5) == ours.rank("seg:电芯", top=5)


def test_an_unwritable_data_directory_builds_without_the_lock(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "cache").write_text("not a folder")  # the lock cannot be made there
    rev, index = cached_index(seeded, home=home)
    assert rev == seeded.revision() and isinstance(index, TargetIndex)
