"""The Dask engine: the same map over the workers of a Dask distributed cluster.

Dask distributed rather than Ray: it is pure Python (an optional extra of a few wheels, no
platform binary), a `LocalCluster` starts in a couple of seconds (so CI can test the very engine a
cluster runs), and its futures give exactly what the stages need, an ordered map of plain
functions over picklable items, without a data-frame layer in between.

Workers run the package's own functions, so every worker needs this package (the same code and
libraries: checked when the engine starts) importable, and must read the corpus, the cache folder and the output folder at the same paths
as the machine that runs the command: on a cluster, a shared filesystem.
"""
from __future__ import annotations

import logging
from importlib import metadata
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from . import EngineUnavailable, windowed

INSTALL = "pip install 'newsspan[dask]' (in a checkout: python3 -m pip install -e '.[dask]')"
CONNECT_TIMEOUT = "30s"
TASKS_PER_WORKER = 4  # tasks in flight per worker: enough to keep each busy, few results held at once


def _import():
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineUnavailable(f"--engine dask needs Dask distributed, which is not installed: {INSTALL}") from None
    return Client, LocalCluster


def _run_chunk(func: Callable, context: Any, chunk: list) -> list:
    return [func(context, item) for item in chunk]


def code_identity() -> dict:
    """What decides the bytes a worker writes: the package's code and the library versions."""
    from ..release import library_versions
    from ..validate.cache import VALIDATION_LIBRARIES, code_fingerprint

    libraries = {**library_versions(), **{name: metadata.version(name) for name in VALIDATION_LIBRARIES}}
    return {"code": code_fingerprint(), "libraries": libraries}


def mismatches(found: dict[str, dict], expected: dict) -> list[str]:
    """The workers whose code or libraries differ from this process's, each with what differs."""
    problems = []
    for worker, identity in sorted(found.items()):
        if identity["code"] != expected["code"]:
            problems.append(f"{worker}: another version of the newsspan package")
        libs = identity["libraries"]
        differ = sorted(k for k in expected["libraries"].keys() | libs.keys()
                        if libs.get(k) != expected["libraries"].get(k))
        if differ:
            problems.append(f"{worker}: " + ", ".join(f"{k} {libs.get(k)} (here {expected['libraries'].get(k)})"
                                                      for k in differ))
    return problems


class DaskEngine:
    """Connect to the scheduler at `address`, or start a local cluster of `workers` processes
    (one thread each: the stages are Python code that holds the GIL) and stop it on exit."""
    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None):
        self.address, self.n_workers = address, workers
        self.client = self.cluster = None

    def __enter__(self) -> DaskEngine:
        Client, LocalCluster = _import()
        try:
            if self.address:
                self.client = Client(self.address, timeout=CONNECT_TIMEOUT)
            else:
                self.cluster = LocalCluster(n_workers=self.n_workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as err:
            self.__exit__()
            where = f"the scheduler at {self.address}" if self.address else "a local Dask cluster"
            raise EngineUnavailable(f"could not reach {where}: {err}") from None
        self._check_workers()
        return self

    def _check_workers(self) -> None:
        """Refuse workers that would write other bytes: same inputs, same bytes, on every engine."""
        try:
            found = self.client.run(code_identity)
        except ImportError as err:
            self.__exit__()
            raise EngineUnavailable(f"the Dask workers cannot import the newsspan package ({err}): install this "
                                    "checkout on every worker (python3 -m pip install -e '.[dask]')") from None
        problems = mismatches(found, code_identity())
        if problems:
            self.__exit__()
            raise EngineUnavailable("the Dask workers do not run the code of this checkout: " + "; ".join(problems[:3])
                                    + (" ..." if len(problems) > 3 else "") + ". Install the same checkout and "
                                    "libraries on every worker")

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None

    def workers(self, items: int = 0) -> int:
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    @contextmanager
    def mapper(self, context: Any, items: int) -> Iterator[Callable[..., Iterator]]:
        # The context goes to every worker once, not with every task.
        held = self.client.scatter(context, broadcast=True, hash=False)
        in_flight = TASKS_PER_WORKER * self.workers()

        def mapped(func: Callable, items, chunksize: int = 1) -> Iterator:
            return windowed(lambda chunk: self.client.submit(_run_chunk, func, held, chunk, pure=False),
                            items, chunksize, in_flight)

        try:
            yield mapped
        finally:
            self.client.cancel([held])
