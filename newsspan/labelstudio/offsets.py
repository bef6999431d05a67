"""Label Studio offsets to code points.

Label Studio has stored region offsets in code points, and (older versions, or texts passed
through a browser DOM) in UTF-16 code units, where a character above U+FFFF counts two; a DOM
may also count CR LF as one character. Which one an export uses is not written in it, so it is
read from the regions: the counting under which the regions' own `text` matches the raw text.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate


@dataclass(frozen=True, slots=True)
class Counting:
    """One way of counting characters."""
    name: str
    utf16: bool
    crlf_as_one: bool


CODE_POINTS = Counting("code points", False, False)
COUNTINGS = (CODE_POINTS, Counting("UTF-16 code units", True, False),
             Counting("code points with CR LF as one", False, True),
             Counting("UTF-16 code units with CR LF as one", True, True))


def countings_for(text: str) -> tuple[Counting, ...]:
    """The countings that differ on this text (code points first); one when they all agree."""
    astral = any(ord(c) > 0xFFFF for c in text)
    crlf = "\r\n" in text
    return tuple(c for c in COUNTINGS if (astral or not c.utf16) and (crlf or not c.crlf_as_one))


class OffsetMap:
    """Converts offsets of one counting into code-point offsets of one text."""

    def __init__(self, text: str, counting: Counting):
        self.counting = counting
        self._units_before: list[int] | None = None
        if counting != CODE_POINTS:
            widths = [_width(text, i, counting) for i in range(len(text))]
            self._units_before = [0, *accumulate(widths)]
        self._length = len(text)

    def to_code_point(self, unit: int) -> int | None:
        """The code-point offset at `unit`, or None when it is out of range or inside a character."""
        if self._units_before is None:
            return unit if 0 <= unit <= self._length else None
        i = bisect_left(self._units_before, unit)
        # A CR counted as nothing shares its unit with the LF after it: the first (the CR) wins.
        return i if i < len(self._units_before) and self._units_before[i] == unit else None


def _width(text: str, i: int, counting: Counting) -> int:
    if counting.crlf_as_one and text[i] == "\r" and text[i + 1:i + 2] == "\n":
        return 0
    return 2 if counting.utf16 and ord(text[i]) > 0xFFFF else 1
