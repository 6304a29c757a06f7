"""The fitted ranking index, kept on disk in the data directory and reused until the graph
changes.

Building a :class:`~chainatlas.matching.targets.TargetIndex` trains its ranker on the graph
itself: 2.4 s on the seed data, 11–16 s on the ckg data set, about a minute at 10⁶ firms — on
every command before this module, and in every process of the service. The fitted index is a
function of three things only: the committed graph (the store's
:meth:`~chainatlas.graph.store.contract.GraphStore.revision`, which every committed write moves,
also one that keeps the counts), the home area, and the code that builds it. So it is pickled
once under ``<home>/cache/targets-<revision>-<area>.pkl`` and loaded while all three are the
same (tens of milliseconds on the seed data; see ``bench/index_cache.py``).

Loading the index still means importing scikit-learn (about 1.3 s, most of a command's time),
so the rankings the 招商图 asks for are kept too, as JSON beside the index
(``….ranks.json``, :class:`CachedRanking`): a ``chainatlas map`` of an unchanged graph reads
them and never loads the index, or scikit-learn.

A cache file is trusted only as far as it must be to unpickle it:

- it lives in the data directory, which already holds the graph; a file or folder that is not
  the current user's, or that others may write, is ignored;
- it starts with a header naming the format, the revision, the home area and a digest of the
  code that builds the index (:func:`code_key`: the ranking modules' source and the versions of
  numpy, scipy and scikit-learn), then the SHA-256 of the pickle: a file from another code
  version, another graph, or cut short or altered is ignored and rebuilt, never unpickled;
- it is written whole or not at all (a temporary file renamed over the old one), readable by
  the user only, and older files of the same home area are removed.

Reading commands never fail because of the cache: an unwritable data directory (a read-only
mount, a full disk) only means the index is built again next time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
import logging
import os
import pickle
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainatlas.graph.home import HOME_AREA
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.maps import Target

if TYPE_CHECKING:
    from chainatlas.matching.targets import TargetIndex

__all__ = [
    "FORMAT",
    "CachedRanking",
    "cache_path",
    "cached_index",
    "code_key",
    "load_index",
    "one_thread",
    "save_index",
]

log = logging.getLogger(__name__)

#: Bumped when the file layout changes.
FORMAT = 1
_MAGIC = b"chainatlas-target-index\n"
_HEADER_MAX = 4096
#: The modules whose code decides what a fitted index holds.
_MODULES = (
    "chainatlas.matching.targets",
    "chainatlas.matching.rank_features",
    "chainatlas.matching.reasons",
    "chainatlas.matching.holdout",
    "chainatlas.graph.home",
)


@cache
def code_key() -> str:
    """A digest of the code that builds an index: the ranking modules' source, the libraries
    whose objects are pickled, Python's version and :data:`FORMAT`."""
    from importlib.metadata import version
    from importlib.util import find_spec

    h = hashlib.sha256(f"{FORMAT}|{sys.version_info[:2]}".encode())
    for dist in ("numpy", "scipy", "scikit-learn"):  # without importing them
        h.update(f"|{dist}={version(dist)}".encode())
    for name in _MODULES:
        spec = find_spec(name)
        h.update(Path(str(spec.origin if spec else name)).read_bytes())
    return h.hexdigest()[:16]


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Rank on one OpenMP thread. scikit-learn's boosted trees predict tree by tree, each in an
    OpenMP parallel region: for a pool of 150 candidates the threads cost more than they give,
    and on a busy machine (threads waiting for a core at every region) a ranking on the ckg
    data took 313 ms instead of 13 ms (40 segments, load average 11 on 2 cores)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        yield


def _area_key(home_area: tuple[str, ...]) -> str:
    return hashlib.sha256("\0".join(home_area).encode()).hexdigest()[:12]


def cache_path(home: Path, revision: str, home_area: tuple[str, ...] = HOME_AREA) -> Path:
    """Where the index of ``revision`` over ``home_area`` is kept in the data directory."""
    safe = re.sub(r"[^0-9A-Za-z-]", "_", revision)[:80]
    return Path(home) / "cache" / f"targets-{safe}-{_area_key(home_area)}.pkl"


def _header(revision: str, home_area: tuple[str, ...], digest: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "code": code_key(),
        "revision": revision,
        "home_area": list(home_area),
        "sha256": digest,
    }


def _ours(st: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load_index(
    path: Path, revision: str, home_area: tuple[str, ...] = HOME_AREA
) -> TargetIndex | None:
    """The index stored at ``path`` for ``revision`` and ``home_area`` by this code, or None
    when there is none or it cannot be trusted (see the module's notes)."""
    try:
        with open(path, "rb") as f:
            if not (_ours(os.fstat(f.fileno())) and _ours(path.parent.stat())):
                log.warning("忽略排序索引缓存 %s：文件或目录不属于当前用户或他人可写", path)
                return None
            if f.read(len(_MAGIC)) != _MAGIC:
                return None
            header = json.loads(f.readline(_HEADER_MAX))
            payload = f.read()
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("忽略排序索引缓存 %s：%s", path, exc)
        return None
    digest = hashlib.sha256(payload).hexdigest()
    if header != _header(revision, home_area, digest):
        log.info("排序索引缓存 %s 不是本版本、本图谱的：重建", path)
        return None
    from chainatlas.matching.targets import TargetIndex

    try:
        index = _unpickle(payload)
    except Exception as exc:  # e.g. a class renamed by a change the code key missed
        log.warning("忽略排序索引缓存 %s：%s", path, exc)
        return None
    return index if isinstance(index, TargetIndex) else None


def _unpickle(payload: bytes) -> Any:
    """``pickle.loads`` with the garbage collector paused: an index holds a few objects per
    firm, and collections triggered while millions of them are made slowed loading 1.6×
    (300,000 firms: 1.9 s → 1.1 s)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(payload)  # noqa: S301 - our own file, its digest checked first
    finally:
        if paused:
            gc.enable()


def save_index(
    index: TargetIndex, path: Path, revision: str, home_area: tuple[str, ...] = HOME_AREA
) -> bool:
    """Write ``index`` to ``path`` whole or not at all, and remove the home area's older
    files; False (nothing raised) when the data directory cannot be written."""
    payload = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    head = json.dumps(_header(revision, home_area, hashlib.sha256(payload).hexdigest()))
    tmp: str | None = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".targets-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:  # mkstemp: mode 0600
            f.write(_MAGIC + head.encode() + b"\n")
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        log.info("排序索引缓存未写入 %s：%s", path, exc)
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _remove_older(path, home_area)
    return True


def _remove_older(keep: Path, home_area: tuple[str, ...]) -> None:
    """Remove the home area's files of other revisions (indexes and their rankings)."""
    area = _area_key(home_area)
    mine = keep.with_suffix(".ranks.json")
    for pattern in (f"targets-*-{area}.pkl", f"targets-*-{area}.ranks.json"):
        for old in keep.parent.glob(pattern):
            if old not in (keep, mine):
                with contextlib.suppress(OSError):
                    old.unlink()


def cached_index(
    store: GraphStore, *, home: Path, home_area: tuple[str, ...] = HOME_AREA
) -> tuple[str, TargetIndex]:
    """(revision, index) of the store's graph: loaded from the data directory ``home`` when
    this code stored it for the same revision and home area, else built and stored."""
    from chainatlas.matching.targets import TargetIndex

    revision = store.revision()  # before the reads it stamps (see the contract)
    if revision.startswith("-"):  # a store without an id (read-only, never written since)
        return revision, TargetIndex.from_store(store, home_area=home_area)
    path = cache_path(home, revision, home_area)
    index = load_index(path, revision, home_area)
    if index is None:
        index = TargetIndex.from_store(store, home_area=home_area)
        save_index(index, path, revision, home_area)
    return revision, index


class _Segments:
    """``segment in index.sidx`` without the index: the index holds every segment of the
    revision it was built from."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def __contains__(self, key: object) -> bool:
        node = self._store.get_node(str(key))
        return node is not None and node.label == "Segment"


class CachedRanking:
    """What the 招商图 asks of a :class:`~chainatlas.matching.targets.TargetIndex`
    (``segment in ranking.sidx``, ``ranking.rank(segment, top=…)``), answered from the rankings
    stored for this revision when they are there; the index is loaded (or built) only for a
    ranking not stored yet. :meth:`save` stores the new ones (fail soft, like the index)."""

    def __init__(
        self, store: GraphStore, *, home: Path, home_area: tuple[str, ...] = HOME_AREA
    ) -> None:
        self._store, self._home, self._area = store, Path(home), home_area
        self.revision = store.revision()
        self.sidx = _Segments(store)
        self._index: TargetIndex | None = None
        self._new = False
        keep = not self.revision.startswith("-")
        self._path = cache_path(home, self.revision, home_area).with_suffix(".ranks.json")
        self._ranks: dict[str, list[dict[str, Any]]] = self._read() if keep else {}
        self._keep = keep

    def _head(self) -> dict[str, Any]:
        return _header(self.revision, self._area, "")

    def _read(self) -> dict[str, list[dict[str, Any]]]:
        try:
            with open(self._path, "rb") as f:
                if not _ours(os.fstat(f.fileno())):
                    return {}
                data = json.loads(f.read())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.info("忽略排序结果缓存 %s：%s", self._path, exc)
            return {}
        if not isinstance(data, dict) or data.get("header") != self._head():
            return {}
        ranks = data.get("ranks")
        return ranks if isinstance(ranks, dict) else {}

    def index(self) -> TargetIndex:
        """The index itself (loaded from the cache or built, once)."""
        if self._index is None:
            _, self._index = cached_index(self._store, home=self._home, home_area=self._area)
        return self._index

    def rank(self, segment: str, *, top: int = 20, inferred_only: bool = False) -> list[Target]:
        """``TargetIndex.rank(segment, top=top, inferred_only=inferred_only)``."""
        key = f"{segment}\x1f{top}\x1f{int(inferred_only)}"
        rows = self._ranks.get(key)
        if rows is not None:
            try:
                return [Target(**r) for r in rows]
            except TypeError:  # a row of another shape: rank again
                pass
        index = self.index()
        with one_thread():
            ranked = index.rank(segment, top=top, inferred_only=inferred_only)
        rows = [dataclasses.asdict(t) for t in ranked]
        self._ranks[key] = rows
        self._new = True
        return [Target(**r) for r in rows]

    def save(self) -> bool:
        """Store the rankings made since they were read; False when none were new or the data
        directory cannot be written."""
        if not (self._new and self._keep):
            return False
        body = json.dumps({"header": self._head(), "ranks": self._ranks}, ensure_ascii=False)
        tmp: str | None = None
        try:
            self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=".ranks-", suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(body.encode())
            os.replace(tmp, self._path)
            tmp = None
        except OSError as exc:
            log.info("排序结果缓存未写入 %s：%s", self._path, exc)
            return False
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self._new = False
        return True
