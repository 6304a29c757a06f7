"""Running a task on many threads released together (a barrier), for the tests of writes made
at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def in_parallel(n: int, task: Callable[[int], T]) -> list[T | BaseException]:
    """``task(i)`` for i < n on n threads that start at once; each result, or the exception it
    raised, by ``i``."""
    start = threading.Barrier(n)

    def run(i: int) -> T | BaseException:
        start.wait(timeout=60)
        try:
            return task(i)
        except Exception as exc:  # the caller asserts which ones were refused
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))
