"""Spans written by text: find the offsets an annotator meant, or say exactly why not.

While annotating, a span may be written as `{"text": "Kherson", "occurrence": 2}` (the second
occurrence in text order) or `{"text": "Kherson", "start": 300}` (the occurrence nearest to an
approximate start) instead of exact offsets. The rule, in order: an `occurrence` wins; else an
approximate `start` picks the nearest occurrence; else the text must occur exactly once.
Occurrences are counted like `str.find` from one past the previous hit, so they may overlap.
"""
from __future__ import annotations

import json
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Sequence

from ..incidents import Incident, incident
from ..read import JsonSource, text_location

FIX_HINT = "run python3 build_dataset.py fix {path}"
SHOWN_OCCURRENCES = 8


@dataclass(frozen=True, slots=True)
class Located:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a span written by text cannot be resolved: a validation code and its explanation."""
    code: str
    message: str
    hint: str


def is_by_text(span: dict) -> bool:
    """True for a span still waiting for exact offsets."""
    # An explicit occurrence is honoured even next to stale offsets: it is the newer intent.
    return "start" not in span or "end" not in span or "occurrence" in span


# A text is found by scanning the page, so a document's by-text spans and hints cost up to
# (distinct texts) x (page length): thousands of texts that do not occur on a 5 MB page would be
# hours of scanning. So the scans made for one document are counted, and past
# SEARCH_PAGES x (page + annotation) + SEARCH_FLOOR characters the rest are refused (NS312):
# about as much work as checking the document, at most, plus a floor that no hand-made document
# on a page of normal size reaches. Scans answered from the cache below cost nothing.
SEARCH_PAGES = 32
SEARCH_FLOOR = 16_000_000
_SEARCHED: ContextVar[list[int] | None] = ContextVar("newsspan_searched", default=None)


class SearchLimit(Exception):
    """The scans of this document have used their limit (see SEARCH_PAGES)."""


@contextmanager
def search_limit(raw: str, annotation_chars: int) -> Iterator[None]:
    """Count the scans of `raw` made inside, against the limit of one document."""
    token = _SEARCHED.set([SEARCH_PAGES * (len(raw) + annotation_chars) + SEARCH_FLOOR])
    try:
        yield
    finally:
        _SEARCHED.reset(token)


def scanned(characters: int) -> None:
    """Count characters of the page just scanned; raise SearchLimit past the document's limit (so
    it is passed by one scan at most)."""
    left = _SEARCHED.get()
    if left is not None:
        left[0] -= characters
        if left[0] < 0:
            raise SearchLimit


def search_limit_refusal() -> Refused:
    return Refused("NS312", "not searched: the text searches of this document reached their limit "
                            f"({SEARCH_PAGES} x (page + annotation) + {SEARCH_FLOOR:,} characters scanned)",
                   "write exact \"start\" and \"end\" for this span, or run fix again "
                   "(each run resolves what fits in the limit, and resolved spans need no search)")


# Occurrences are counted up to this many: a common word on a large page occurs tens of thousands
# of times, and hundreds of spans naming it would otherwise cost hundreds of full listings.
MAX_OCCURRENCES = 1000


def occurrences(raw: str, text: str, limit: int = MAX_OCCURRENCES) -> tuple[int, ...]:
    """The first occurrences of `text`, at most `limit` + 1 (one more says "more than the limit")."""
    return _occurrences(raw, text, limit)


@lru_cache(maxsize=256)
def _occurrences(raw: str, text: str, limit: int) -> tuple[int, ...]:
    # Cached: many spans of one document name the same word (the page's hash is computed once).
    hits, at = [], raw.find(text)
    while at >= 0 and len(hits) <= limit:
        hits.append(at)
        at = raw.find(text, at + 1)
    scanned(hits[-1] + len(text) if len(hits) > limit else len(raw))
    return tuple(hits)


def counted(hits: Sequence[int]) -> str:
    return f"more than {MAX_OCCURRENCES} times" if len(hits) > MAX_OCCURRENCES else f"{len(hits)} times"


def nearest_occurrences(raw: str, text: str, near: int) -> list[int]:
    """The occurrence at or before `near` and the one after it (those that exist): the nearest
    is one of them. Two searches of the page, however often the text occurs."""
    near = max(0, near)
    before = raw.rfind(text, 0, near + len(text))
    after = raw.find(text, near + 1)
    scanned((near + len(text) - max(before, 0)) + ((after if after >= 0 else len(raw)) - near))
    return [h for h in (before, after) if h >= 0]


def resolve(span: dict, raw: str) -> Located | Refused:
    """Where a span written by text is, or why not. Inside `search_limit`, past the limit: NS312."""
    try:
        return _resolve(span, raw)
    except SearchLimit:
        return search_limit_refusal()


def _resolve(span: dict, raw: str) -> Located | Refused:
    text = span["text"]
    if not occurrences(raw, text):
        return Refused("NS308", f"{_short(text)} does not occur in the raw text",
                       near_match_hint(text, raw, span.get("start"))
                       or "copy the text from the raw file exactly (same quotes, dashes, spaces and line breaks)")
    if "occurrence" in span:
        return _nth(text, raw, span["occurrence"])
    if "start" in span:
        return _nearest(text, nearest_occurrences(raw, text, span["start"]), span["start"], raw)
    hits = occurrences(raw, text)
    if len(hits) > 1:
        return Refused("NS307", f"{_short(text)} occurs {counted(hits)} and the span does not say which "
                                "(no \"occurrence\", no approximate \"start\")", _which(text, hits, raw))
    return Located(hits[0], hits[0] + len(text))


def _nth(text: str, raw: str, nth: int) -> Located | Refused:
    if nth > MAX_OCCURRENCES:
        return Refused("NS308", f"\"occurrence\": {nth} is past the {MAX_OCCURRENCES} occurrences that are counted",
                       "write the span's exact \"start\" and \"end\" (or an approximate \"start\") instead")
    hits = occurrences(raw, text, nth)
    if nth > len(hits):
        if len(hits) == 1:
            return Refused("NS308", f"{_short(text)} has no occurrence {nth}: it occurs once",
                           "remove \"occurrence\" (or set it to 1), or extend \"text\" if you meant another place")
        return Refused("NS308", f"{_short(text)} has no occurrence {nth}: it occurs {len(hits)} times",
                       f"use an \"occurrence\" from 1 to {len(hits)}, counted from the top of the raw file")
    at = hits[nth - 1]
    return Located(at, at + len(text))


def _nearest(text: str, hits: list[int], near: int, raw: str) -> Located | Refused:
    ranked = sorted(hits, key=lambda h: abs(h - near))
    if len(ranked) > 1 and abs(ranked[0] - near) == abs(ranked[1] - near):
        return Refused("NS307", f"{_short(text)} occurs at the same distance before and after \"start\": {near}",
                       _which(text, occurrences(raw, text), raw))
    return Located(ranked[0], ranked[0] + len(text))


def _which(text: str, hits: Sequence[int], raw: str) -> str:
    shown = ", ".join(f"{n} at {':'.join(map(str, text_location(raw, at)))}"
                      for n, at in enumerate(hits[:SHOWN_OCCURRENCES], 1))
    more = ", ..." if len(hits) > SHOWN_OCCURRENCES else ""
    return (f"add \"occurrence\": N (in the raw file, line:col, {shown}{more}), "
            "or an approximate \"start\", or a longer \"text\" that occurs once")


def by_text_incident(source: JsonSource, pointer: str, span: dict, raw: str) -> Incident:
    """How the validator reports a span written by text: resolvable (NS306) or not (NS307, NS308)."""
    line, col = source.locate(pointer + "/text")
    found = resolve(span, raw)
    if isinstance(found, Refused):
        return incident(found.code, source.where, line, col, f"{pointer}: {found.message}", found.hint)
    return incident("NS306", source.where, line, col,
                    f"{pointer} {_short(span['text'])} is written by text, not yet by offsets "
                    f"(it resolves to [{found.start}, {found.end}))",
                    FIX_HINT.format(path=source.where))


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# Characters that look alike in an editor and are easy to type for one another: each is read as
# its plain twin to find the place the annotator meant. One code point for one keeps offsets.
_LOOKALIKES = {
    **dict.fromkeys("\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t", " "),
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4\u0060", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad", "-"),
}
_FOLD = str.maketrans(_LOOKALIKES)
SHOWN_DIFFERENCES = 3


@lru_cache(maxsize=4)
def _folded(raw: str) -> str:
    # Once per page, not once per span: hundreds of spans of one page may need the hint.
    return raw.translate(_FOLD)


def near_match_hint(text: str, raw: str, near: int | None = None) -> str:
    """Where `text` occurs once look-alike characters (no-break and other spaces, curly quotes,
    dashes) are read as their plain twins, and which characters differ; "" when it does not."""
    folded_raw, folded = _folded(raw), text.translate(_FOLD)
    hits = occurrences(folded_raw, folded) if folded else []
    if not hits:
        return ""
    at = min(hits, key=lambda h: abs(h - near)) if isinstance(near, int) else hits[0]
    found = raw[at:at + len(text)]
    diffs = [i for i, (a, b) in enumerate(zip(text, found)) if a != b]
    shown = "; ".join(f"character {i + 1}: the raw file has {_describe(found[i])} where the text has {_describe(text[i])}"
                      for i in diffs[:SHOWN_DIFFERENCES])
    more = f" (and {len(diffs) - SHOWN_DIFFERENCES} more)" if len(diffs) > SHOWN_DIFFERENCES else ""
    line, col = text_location(raw, at)
    others = f"; {len(hits)} such places, this is the {'nearest' if isinstance(near, int) else 'first'}" if len(hits) > 1 else ""
    return (f"the raw file has it with other characters at {line}:{col} [{at}, {at + len(text)}){others}: {shown}{more}: "
            f"copy it from there, \"text\": {json.dumps(found, ensure_ascii=True)}")


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}"
