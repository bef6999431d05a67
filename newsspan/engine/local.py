"""The local engine: a pool of worker processes on this machine (the default)."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from multiprocessing import get_context
from typing import Any, Callable, Iterator

from . import windowed

AUTO_JOBS_MIN_ITEMS = 100  # below this, starting worker processes costs more than it saves


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def resolve_jobs(requested: int | None, items: int) -> int:
    """How many processes for `items` pieces of work: `requested`, or with 0/None one per core
    when there is enough work to pay for starting them."""
    if items < 2:
        return 1
    if requested:
        return max(1, requested)
    return available_cores() if items >= AUTO_JOBS_MIN_ITEMS else 1


_CONTEXT: Any = None


def _set_context(context: Any) -> None:
    global _CONTEXT
    _CONTEXT = context


def _call_chunk(func: Callable, chunk: list) -> list:
    return [func(_CONTEXT, item) for item in chunk]


TASKS_PER_WORKER = 4  # chunks in flight per process: each stays busy, few results are held at once


@contextmanager
def process_map(jobs: int, context: Any = None) -> Iterator[Callable[..., Iterator]]:
    """A `map(func, items, chunksize=1)` that yields `func(context, item)` in item order, computed
    by `jobs` processes, usable for several passes over the same workers (each one costs the
    imports of a fresh interpreter to start).

    The context is sent once to each worker. Workers are started with `spawn`, not `fork`: a fork
    of a process that already runs Arrow's threads can deadlock.
    """
    if jobs <= 1:
        yield lambda func, items, chunksize=1: (func(context, item) for item in items)
        return
    with ProcessPoolExecutor(jobs, mp_context=get_context("spawn"), initializer=_set_context,
                             initargs=(context,)) as pool:
        yield lambda func, items, chunksize=1: windowed(partial(pool.submit, _call_chunk, func), items, chunksize,
                                                        TASKS_PER_WORKER * jobs)


class LocalEngine:
    """Today's pool: `jobs` processes (0 or None: one per core when there is enough work)."""
    name = "local"

    def __init__(self, jobs: int | None = 0):
        self.jobs = jobs

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def workers(self, items: int) -> int:
        return resolve_jobs(self.jobs, items)

    def mapper(self, context: Any, items: int):
        return process_map(resolve_jobs(self.jobs, items), context)
