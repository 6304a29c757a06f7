"""The fitted ranking index, kept on disk in the data directory and reused until what it is
built from changes.

Building a :class:`~chainatlas.matching.targets.TargetIndex` trains its ranker on the graph
itself: 2.4 s on the seed data, 20–40 s on the ckg data set, about a minute at 10⁶ firms — on
every command before this module, and in every process of the service. The fitted index is a
function of three things only: the inputs it reads from the graph
(:class:`~chainatlas.matching.index_inputs.IndexInputs`: firms, segments, their links, product
relations, industries, chain masters), the home area, and the code that builds it. So it is
pickled once under ``<home>/cache/targets-<revision>-<area>.pkl`` — keyed on the store's
:meth:`~chainatlas.graph.store.contract.GraphStore.revision`, which every committed write moves,
with the digest of its inputs in the header — and loaded while the revision is the same (tens
of milliseconds on the seed data; see ``bench/index_cache.py``). When the revision moved, the
inputs are read again (about a second on the ckg data) and, if their digest is the file's (the
write touched none of them: a follow-up, a problem, a 十个一 entry, a project's stage), the same
index is stored again under the new revision instead of being built and trained again.

Loading the index still means importing scikit-learn (about 1.3 s, most of a command's time),
so the rankings the 招商图 asks for are kept too, as JSON beside the index
(``….ranks.json``, :class:`CachedRanking`): a ``chainatlas map`` of an unchanged graph reads
them and never loads the index, or scikit-learn. They depend on the index only, and follow it
to a new revision of the same inputs the same way.

A cache file is trusted only as far as it must be to unpickle it:

- it lives in the data directory, which already holds the graph; a file or folder that is not
  the current user's, or that others may write, is ignored;
- it starts with a header naming the format, the revision, the home area, the digest of the
  index's inputs and a digest of the code that builds the index (:func:`code_key`: the ranking
  modules' source and the versions of numpy, scipy and scikit-learn), then the SHA-256 of the
  pickle: a file from another code version, another graph, or cut short or altered is ignored
  and rebuilt, never unpickled; one of another revision is reused only when all of that holds
  and its inputs digest is the one just read from the store;
- it is written whole or not at all (a temporary file renamed over the old one), readable by
  the user only, and older files of the same home area are removed.

One index is built at a time per data directory (:func:`building`, an advisory lock on
``cache/.build.lock``): the worker processes of ``serve --workers N``, all warming the index at
start-up, or a command run while the service builds, wait for the first build and load it
instead of each training its own.

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

from chainatlas.graph.filelock import exclusive
from chainatlas.graph.home import HOME_AREA
from chainatlas.graph.store.contract import GraphStore
from chainatlas.graph.workflows.maps import Target
from chainatlas.matching.index_inputs import IndexInputs

if TYPE_CHECKING:
    from chainatlas.matching.targets import TargetIndex

__all__ = [
    "FORMAT",
    "CachedRanking",
    "building",
    "cache_path",
    "cached_index",
    "code_key",
    "load_index",
    "one_thread",
    "save_index",
]

log = logging.getLogger(__name__)

#: Bumped when the file layout changes.
FORMAT = 2
_MAGIC = b"chainatlas-target-index\n"
_HEADER_MAX = 4096
#: The modules whose code decides what a fitted index holds.
_MODULES = (
    "chainatlas.matching.targets",
    "chainatlas.matching.index_inputs",
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


def _header(revision: str, home_area: tuple[str, ...], digest: str, inputs: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "code": code_key(),
        "revision": revision,
        "home_area": list(home_area),
        "inputs": inputs,
        "sha256": digest,
    }


def _ours(st: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(path: Path) -> tuple[dict[str, Any], bytes] | None:
    """(header, payload) of an index file that is ours and starts with our magic, else None."""
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
    return (header, payload) if isinstance(header, dict) else None


def _trusted(
    found: tuple[dict[str, Any], bytes], revision: str, home_area: tuple[str, ...]
) -> bool:
    """The header is this code's, for ``revision`` and ``home_area``, and the payload's digest
    is the header's."""
    header, payload = found
    inputs = header.get("inputs")
    digest = hashlib.sha256(payload).hexdigest()
    return isinstance(inputs, str) and header == _header(revision, home_area, digest, inputs)


def load_index(
    path: Path, revision: str, home_area: tuple[str, ...] = HOME_AREA
) -> TargetIndex | None:
    """The index stored at ``path`` for ``revision`` and ``home_area`` by this code, or None
    when there is none or it cannot be trusted (see the module's notes)."""
    found = _read(path)
    if found is None:
        return None
    if not _trusted(found, revision, home_area):
        log.info("排序索引缓存 %s 不是本版本、本图谱的：重建", path)
        return None
    return _index_of(found[1], path)


def _index_of(payload: bytes, path: Path) -> TargetIndex | None:
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


def _write(path: Path, chunks: tuple[bytes, ...], what: str) -> bool:
    """Write ``chunks`` to ``path`` whole or not at all (a 0600 temporary file renamed over
    it, in a 0700 folder); False (nothing raised) when it cannot be written."""
    tmp: str | None = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".targets-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:  # mkstemp: mode 0600
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        log.info("%s未写入 %s：%s", what, path, exc)
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return True


def _index_file(
    path: Path, payload: bytes, revision: str, home_area: tuple[str, ...], inputs: str
) -> bool:
    head = _header(revision, home_area, hashlib.sha256(payload).hexdigest(), inputs)
    return _write(path, (_MAGIC + json.dumps(head).encode() + b"\n", payload), "排序索引缓存")


def save_index(
    index: TargetIndex,
    path: Path,
    revision: str,
    home_area: tuple[str, ...] = HOME_AREA,
    *,
    inputs: str = "",
) -> bool:
    """Write ``index`` (built from inputs of digest ``inputs``) to ``path`` whole or not at
    all, and remove the home area's older files; False (nothing raised) when the data
    directory cannot be written."""
    payload = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    if not _index_file(path, payload, revision, home_area, inputs):
        return False
    _remove_older(path, home_area)
    return True


def _remove_older(keep: Path, home_area: tuple[str, ...], *, ranks_only: bool = False) -> None:
    """Remove the home area's files of other revisions than the index file ``keep`` (indexes
    and their rankings, or only the rankings)."""
    area = _area_key(home_area)
    mine = (keep, keep.with_suffix(".ranks.json"))
    patterns = [f"targets-*-{area}.ranks.json"]
    if not ranks_only:
        patterns.append(f"targets-*-{area}.pkl")
    for pattern in patterns:
        for old in keep.parent.glob(pattern):
            if old not in mine:
                with contextlib.suppress(OSError):
                    old.unlink()


def _same_inputs(
    path: Path, home_area: tuple[str, ...], inputs: str, suffix: str
) -> Iterator[Path]:
    """The home area's files beside ``path`` of other revisions (newest first): candidates
    for an index or rankings of the same inputs."""
    if not inputs:
        return
    area = _area_key(home_area)
    others = [p for p in path.parent.glob(f"targets-*-{area}{suffix}") if p != path]
    with contextlib.suppress(OSError):
        others.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
    yield from others


def _rekeyed_index(
    path: Path, revision: str, home_area: tuple[str, ...], inputs: str
) -> TargetIndex | None:
    """The index of another revision whose inputs have the digest ``inputs`` (and that this
    code stored, whole and ours), stored again under ``revision`` with its rankings; None when
    there is none."""
    for old in _same_inputs(path, home_area, inputs, ".pkl"):
        found = _read(old)
        if found is None:
            continue
        header, payload = found
        if header.get("inputs") != inputs or not _trusted(
            found, str(header.get("revision")), home_area
        ):
            continue
        index = _index_of(payload, old)
        if index is None:
            continue
        if _index_file(path, payload, revision, home_area, inputs):
            ranks = path.with_suffix(".ranks.json")
            _rekey_ranks(old.with_suffix(".ranks.json"), ranks, revision, home_area, inputs)
            _remove_older(path, home_area)
        log.info("排序索引缓存 %s 的输入未变：沿用于 %s", old, revision)
        return index
    return None


def cached_index(
    store: GraphStore,
    *,
    home: Path,
    home_area: tuple[str, ...] = HOME_AREA,
    inputs: IndexInputs | None = None,
) -> tuple[str, TargetIndex]:
    """(revision, index) of the store's graph: loaded from the data directory ``home`` when
    this code stored it for the same revision and home area; else, when the inputs the index
    is built from (``inputs``, read from the store when not given) are those of the index
    stored for an earlier revision, that one, stored again under this revision; else built
    and stored."""
    from chainatlas.matching.targets import TargetIndex

    revision = store.revision()  # before the reads it stamps (see the contract)
    if revision.startswith("-"):  # a store without an id (read-only, never written since)
        return revision, TargetIndex.from_store(store, home_area=home_area, inputs=inputs)
    path = cache_path(home, revision, home_area)
    index = load_index(path, revision, home_area)
    if index is not None:
        return revision, index
    with building(path):
        index = load_index(path, revision, home_area)  # another process built it meanwhile
        if index is not None:
            return revision, index
        src = IndexInputs.read(store) if inputs is None else inputs
        index = _rekeyed_index(path, revision, home_area, src.digest)
        if index is None:
            index = TargetIndex.from_store(store, home_area=home_area, inputs=src)
            save_index(index, path, revision, home_area, inputs=src.digest)
    return revision, index


@contextlib.contextmanager
def building(path: Path) -> Iterator[None]:
    """One build of an index for the cache folder of ``path`` at a time across processes (an
    advisory lock on ``cache/.build.lock``): the worker processes of ``serve --workers N``
    warming at once, or a command run meanwhile, wait for the first build and load it instead
    of each training its own. Where the lock cannot be made (a read-only data directory) the
    build goes on without it."""
    with exclusive(path.parent / ".build.lock", "排序索引构建锁"):
        yield


def _read_ranks(
    path: Path, revision: str | None, home_area: tuple[str, ...]
) -> tuple[str, dict[str, list[dict[str, Any]]]] | None:
    """(inputs digest, rankings) stored at ``path`` by this code for ``revision`` (None: the
    revision the file names), or None."""
    try:
        with open(path, "rb") as f:
            if not _ours(os.fstat(f.fileno())):
                return None
            data = json.loads(f.read())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.info("忽略排序结果缓存 %s：%s", path, exc)
        return None
    if not isinstance(data, dict) or not isinstance(head := data.get("header"), dict):
        return None
    inputs, ranks, rev = head.get("inputs"), data.get("ranks"), head.get("revision")
    if revision is None and isinstance(rev, str):
        revision = rev
    if not isinstance(inputs, str) or head != _header(str(revision), home_area, "", inputs):
        return None
    return (inputs, ranks) if isinstance(ranks, dict) else None


def _write_ranks(
    path: Path,
    revision: str,
    home_area: tuple[str, ...],
    inputs: str,
    ranks: dict[str, list[dict[str, Any]]],
) -> bool:
    head = _header(revision, home_area, "", inputs)
    body = json.dumps({"header": head, "ranks": ranks}, ensure_ascii=False)
    return _write(path, (body.encode(),), "排序结果缓存")


def _rekey_ranks(
    old: Path, new: Path, revision: str, home_area: tuple[str, ...], inputs: str
) -> dict[str, list[dict[str, Any]]] | None:
    """The rankings stored at ``old`` (for the revision it names) from inputs of digest
    ``inputs``, stored again at ``new`` for ``revision`` (unless rankings are there already);
    None when there are none."""
    found = _read_ranks(old, None, home_area)
    if found is None or found[0] != inputs:
        return None
    if _read_ranks(new, revision, home_area) is None:
        _write_ranks(new, revision, home_area, inputs, found[1])
    return found[1]


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
    stored for this revision when they are there — or for an earlier revision whose index
    inputs have the same digest (they are stored again for this one); the index is loaded (or
    built) only for a ranking not stored yet. :meth:`save` stores the new ones (fail soft, like
    the index)."""

    def __init__(
        self, store: GraphStore, *, home: Path, home_area: tuple[str, ...] = HOME_AREA
    ) -> None:
        self._store, self._home, self._area = store, Path(home), home_area
        self.revision = store.revision()
        self.sidx = _Segments(store)
        self._index: TargetIndex | None = None
        self._inputs: IndexInputs | None = None
        self._new = False
        self._keep = not self.revision.startswith("-")
        self._file = cache_path(home, self.revision, home_area)
        self._path = self._file.with_suffix(".ranks.json")
        self._digest = ""
        self._ranks: dict[str, list[dict[str, Any]]] = self._read() if self._keep else {}

    def _read(self) -> dict[str, list[dict[str, Any]]]:
        found = _read_ranks(self._path, self.revision, self._area)
        if found is not None:
            self._digest = found[0]
            return found[1]
        self._inputs = IndexInputs.read(self._store)
        self._digest = self._inputs.digest
        for old in _same_inputs(self._path, self._area, self._digest, ".ranks.json"):
            ranks = _rekey_ranks(old, self._path, self.revision, self._area, self._digest)
            if ranks is not None:
                _remove_older(self._file, self._area, ranks_only=True)
                return ranks
        return {}

    def index(self) -> TargetIndex:
        """The index itself (loaded from the cache or built, once)."""
        if self._index is None:
            _, self._index = cached_index(
                self._store, home=self._home, home_area=self._area, inputs=self._inputs
            )
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
        if not _write_ranks(self._path, self.revision, self._area, self._digest, self._ranks):
            return False
        self._new = False
        return True
