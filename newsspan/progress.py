"""Progress of long runs on stderr: a bar on a terminal, a plain line now and then otherwise.

A run ends with one summary line (count, time, rate). On a terminal the bar is redrawn in place at
most a few times a second; in a CI log, where a redrawn line would be hundreds of lines of noise, a
plain line is printed every `interval` seconds. Quiet runs print nothing.
"""
from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

BAR_WIDTH = 24
REDRAW_SECONDS = 0.2
LOG_SECONDS = 10.0


def duration(seconds: float) -> str:
    """0.4 s, 12.3 s, 4m05s, 1h02m."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    return f"{minutes // 60}h{minutes % 60:02d}m"


class Progress:
    """Counts work done out of a known total and shows it; `finish()` prints the summary."""

    def __init__(self, label: str, total: int, unit: str = "documents", stream: TextIO | None = None,
                 quiet: bool = False, interval: float = LOG_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.label, self.total, self.unit = label, total, unit
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.clock = clock
        self.interval = interval
        self.done = 0
        self.started = clock()
        self._shown_at = self.started
        self._terminal = _is_terminal(self.stream)

    @classmethod
    def silent(cls, total: int = 0) -> "Progress":
        return cls("", total, quiet=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.quiet:
            return
        now = self.clock()
        if now - self._shown_at >= (REDRAW_SECONDS if self._terminal else self.interval):
            self._shown_at = now
            self._show(now)

    def status(self, now: float | None = None) -> str:
        """`1200/10000 documents (12%), 850/s, ETA 10.4 s`."""
        elapsed = (now if now is not None else self.clock()) - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        eta = f", ETA {duration((self.total - self.done) / rate)}" if rate > 0 and self.total > self.done else ""
        return f"{self.done}/{self.total} {self.unit}{share}, {rate:,.0f}/s{eta}"

    def _show(self, now: float) -> None:
        if self._terminal:
            filled = int(BAR_WIDTH * self.done / self.total) if self.total else BAR_WIDTH
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.status(now)}\x1b[K")
        else:
            self.stream.write(f"{self.label}: {self.status(now)}\n")
        self.stream.flush()

    def finish(self, detail: str = "") -> str:
        """Print (unless quiet) and return the one-line summary of the run."""
        elapsed = self.clock() - self.started
        rate = f" ({self.done / elapsed:,.0f} {self.unit}/s)" if elapsed > 0 and self.done else ""
        unit = self.unit.removesuffix("s") if self.done == 1 else self.unit
        line = f"{self.label}: {self.done} {unit} in {duration(elapsed)}{rate}{'; ' + detail if detail else ''}"
        if not self.quiet:
            self.stream.write(("\r\x1b[K" if self._terminal else "") + line + "\n")
            self.stream.flush()
        return line


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
