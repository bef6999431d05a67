"""Where the per-document stages run: a process pool on this machine, or a Dask cluster.

An engine gives an order-keeping map: `mapped(func, items, chunksize)` yields `func(context, item)`
for each item in item order, whoever computed it. Validation and the build only ever see that map,
so a report and a release do not depend on the engine, the number of workers or their speed; the
corpus-wide checks and the publication run in the calling process on what the map returned.
"""
from __future__ import annotations

from collections import deque
from contextlib import AbstractContextManager
from itertools import islice
from typing import Any, Callable, Iterable, Iterator, Protocol

ENGINES = ("local", "dask")

Mapped = Callable[..., Iterator]


def windowed(submit: Callable[[list], Any], items: Iterable, chunksize: int, in_flight: int) -> Iterator:
    """The results of consecutive chunks of `items`, in order: `submit(chunk)` returns a future of
    the chunk's list of results. At most `in_flight` chunks are submitted and not yet consumed, so
    the items are read, and their results held, a window at a time: a map over a million
    documents never holds a million tasks or results in the calling process."""
    todo = iter(items)
    window: deque = deque()

    def more() -> None:
        chunk = list(islice(todo, max(1, chunksize)))
        if chunk:
            window.append(submit(chunk))

    for _ in range(max(1, in_flight)):
        more()
    while window:
        results = window.popleft().result()  # re-raises a worker's exception here
        more()
        yield from results


class EngineUnavailable(Exception):
    """The engine asked for cannot start here (not installed, scheduler unreachable); the message says what to do."""


class Engine(Protocol):
    name: str

    def workers(self, items: int) -> int:
        """How many workers would share `items` items."""
        ...

    def mapper(self, context: Any, items: int) -> AbstractContextManager[Mapped]:
        """An order-keeping map over workers that hold `context`, for about `items` items."""
        ...


def open_engine(name: str, *, jobs: int | None = 0, address: str | None = None) -> AbstractContextManager[Engine]:
    """The engine `name` ready to map, closed (its cluster stopped, if it started one) on exit.
    `jobs` sizes the local pool or a cluster started here; `address` names a running Dask scheduler."""
    if name == "local":
        from .local import LocalEngine
        return LocalEngine(jobs)
    if name == "dask":
        from .dask_engine import DaskEngine
        return DaskEngine(address=address, workers=jobs or None)
    raise EngineUnavailable(f"unknown engine {name!r}: use one of {', '.join(ENGINES)}")
