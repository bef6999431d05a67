"""The fuzz loop: seeded Hypothesis batches until a time or example budget is spent."""
from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as fixed_seed

from . import oracle
from .documents import DOC_ID, Case
from .mutations import fuzz_cases

@dataclass(slots=True)
class Crash:
    case: Case
    error: str


@dataclass(slots=True)
class FuzzResult:
    examples: int = 0
    seconds: float = 0.0
    crashes: list[Crash] = field(default_factory=list)


BATCH = 200


def fuzz(workdir: Path, budget_seconds: float | None = None, examples: int | None = None, seed: int = 0) -> FuzzResult:
    """Run batches of seeded Hypothesis examples until the time or example budget is spent."""
    result, started, batch = FuzzResult(), time.monotonic(), 0

    def spent() -> bool:
        over_time = budget_seconds is not None and time.monotonic() - started >= budget_seconds
        return over_time or (examples is not None and result.examples >= examples)

    while not spent():
        failures: list[Crash] = []

        @settings(max_examples=BATCH, deadline=None, database=None, verbosity=Verbosity.quiet,
                  suppress_health_check=list(HealthCheck), phases=(Phase.generate, Phase.shrink))
        @fixed_seed(seed * 1_000_003 + batch)
        @given(fuzz_cases())
        def one(case: Case) -> None:
            if spent():
                return
            result.examples += 1
            try:
                oracle.check(case, workdir)
            except Exception:
                failures.append(Crash(case, traceback.format_exc()))
                raise

        before = result.examples
        try:
            one()
        except Exception:
            # Shrinking runs the smallest failing input last; an error of Hypothesis itself has none.
            result.crashes.append(failures[-1] if failures else Crash(Case(b"", b"", "none"), traceback.format_exc()))
        batch += 1
        if result.examples == before:
            break
    result.seconds = time.monotonic() - started
    return result


def reproducer(crash: Crash) -> str:
    """The crash as text: what was done, the traceback, and the two files as Python bytes."""
    return "\n".join([f"mutation: {crash.case.how}", crash.error.rstrip(),
                      f"annotations/{DOC_ID}.json = {crash.case.annotation!r}", f"raw/{DOC_ID}.txt = {crash.case.raw!r}"])
