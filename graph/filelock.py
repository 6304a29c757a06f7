"""One advisory lock across the processes that share a data directory.

The service's background passes (the ranking index's build, the 五未督办 pass) must run one at
a time across the worker processes of ``serve --workers N`` and the commands run beside them:
each takes an exclusive ``flock`` on a file of the data directory for the length of its work.
Where the file cannot be made (a read-only data directory, a full disk) the work goes on
without the lock: both callers stay correct without it, only less economical.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["exclusive"]

log = logging.getLogger(__name__)


@contextlib.contextmanager
def exclusive(path: Path, what: str) -> Iterator[bool]:
    """Hold an exclusive advisory lock on the file ``path`` (made, with its folder, readable
    by the user only) until the block ends; yields whether the lock is held. ``what`` names
    the lock in the log line written when it cannot be made (e.g. 「五未督办同步锁」).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     with exclusive(Path(d) / "a" / ".x.lock", "示例锁") as held:
    ...         print(held, (Path(d) / "a" / ".x.lock").exists())
    True True
    """
    import fcntl

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        log.info("%s未建立：%s", what, exc)
        yield False
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield True
    finally:
        os.close(fd)  # releases the lock
