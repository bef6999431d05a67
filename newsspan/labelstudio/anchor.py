"""Regions re-anchored on the raw text: offsets to code points, text verified, edges trimmed.

A region's `text` is the check: it must equal the raw slice (whitespace runs may differ, as
Label Studio has collapsed them in `text` while keeping the offsets). A region without `text`
is read with the counting that the task's other regions proved.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from .offsets import Counting, OffsetMap, countings_for
from .regions import Problem, Region

FIX_HINT = "fix or delete the region in Label Studio and export again"


@dataclass(slots=True)
class Anchored:
    regions: list[Region] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    countings: set[str] = field(default_factory=set)
    trimmed: int = 0


def anchor_regions(raw: str, regions: list[Region]) -> Anchored:
    maps = [OffsetMap(raw, c) for c in countings_for(raw)]
    preferred = _detect(raw, regions, maps)
    found = Anchored()
    for region in regions:
        order = [preferred] + [m for m in maps if m is not preferred]
        spot = _locate(raw, region, order if region.text is not None else [preferred])
        if spot is None:
            found.problems.append(_unanchored(raw, region, preferred.counting))
            continue
        (start, end), counting = spot
        found.countings.add(counting.name)
        trimmed = _trim(raw, start, end)
        if trimmed is None:
            found.problems.append(Problem(region.pointer, region.result_id, f"region covers only whitespace {raw[start:end]!r}",
                                          "delete the region in Label Studio"))
            continue
        found.trimmed += trimmed != (start, end)
        found.regions.append(replace(region, start=trimmed[0], end=trimmed[1], text=raw[trimmed[0]:trimmed[1]]))
    return found


def _detect(raw: str, regions: list[Region], maps: list[OffsetMap]) -> OffsetMap:
    """The counting under which most regions' text matches; code points when none tells."""
    def score(m: OffsetMap) -> int:
        return sum(1 for r in regions if r.text is not None and _matches(raw, _convert(m, r), r.text))
    return max(maps, key=score)  # max keeps the first of equal scores: code points


def _locate(raw: str, region: Region, maps: list[OffsetMap]) -> tuple[tuple[int, int], Counting] | None:
    for m in maps:
        spot = _convert(m, region)
        if spot is not None and (region.text is None or _matches(raw, spot, region.text)):
            return spot, m.counting
    return None


def _convert(m: OffsetMap, region: Region) -> tuple[int, int] | None:
    start, end = m.to_code_point(region.start), m.to_code_point(region.end)
    if start is None or end is None or start >= end:
        return None
    return start, end


def _matches(raw: str, spot: tuple[int, int] | None, text: str) -> bool:
    if spot is None:
        return False
    piece = raw[spot[0]:spot[1]]
    return piece == text or _squash(piece) == _squash(text)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _trim(raw: str, start: int, end: int) -> tuple[int, int] | None:
    # Selections in the browser often take a neighbouring space; the corpus never does (NS305).
    while start < end and raw[start].isspace():
        start += 1
    while end > start and raw[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _unanchored(raw: str, region: Region, counting: Counting) -> Problem:
    if region.text is None:
        return Problem(region.pointer, region.result_id,
                       f"offsets [{region.start}, {region.end}) are outside the text or split a character (read as {counting.name})",
                       FIX_HINT)
    near = _nearest(raw, region.text, region.start)
    where = (f"the text occurs at [{near}, {near + len(region.text)}) in code points" if near is not None
             else "the text does not occur in the raw text (was the task text edited?)")
    return Problem(region.pointer, region.result_id,
                   f"region text {_short(region.text)} is not at [{region.start}, {region.end}) "
                   f"(offsets tried as {', '.join(c.name for c in countings_for(raw))})",
                   f"{where}; {FIX_HINT}")


def _nearest(raw: str, text: str, near: int) -> int | None:
    best, at = None, raw.find(text)
    while at != -1:
        if best is None or abs(at - near) < abs(best - near):
            best = at
        at = raw.find(text, at + 1)
    return best


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")
