"""Layer 3, hints: recognise the usual ways offsets get counted in the wrong unit.

A span whose text is right but whose offsets are not usually comes from a tool that counts
something other than code points: JavaScript and Java count UTF-16 code units (an emoji is two),
byte-oriented tools count UTF-8 bytes, and Python's `open()` in text mode reads CRLF line ends as
one LF. Text copied through an editor may also come back in another Unicode normalisation form
(NFC `é` where the raw file has NFD `e` + U+0301). Naming the cause tells the annotator which tool
to fix, not just which numbers to type.
"""
from __future__ import annotations

import bisect
import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..workflow.resolve import scanned
from .characters import describe, splits_character


@dataclass(frozen=True, slots=True)
class _Views:
    """The raw text as other tools count it, with what maps their offsets back to code points."""
    utf16: bytes
    utf8: bytes
    lf_text: str
    astral_units: list[int]  # UTF-16 offset of each character beyond U+FFFF (two units)
    wide_bytes: list[int]    # UTF-8 offset of each non-ASCII character ...
    wide_extra: list[int]    # ... and the extra bytes of all non-ASCII characters before it
    crlf: list[int]          # LF-text offset of each CRLF's LF


@lru_cache(maxsize=2)
def _views(raw: str) -> _Views:
    astral, wide, extra, crlf, units, size = [], [], [0], [], 0, 0
    for i, ch in enumerate(raw):
        width = len(ch.encode("utf-8"))
        if width == 4:
            astral.append(units)
        if width > 1:
            wide.append(size)
            extra.append(extra[-1] + width - 1)
        units += 2 if width == 4 else 1
        size += width
        if ch == "\n" and i and raw[i - 1] == "\r":
            crlf.append(i - 1 - len(crlf))  # where it lands once every earlier CRLF became LF
    return _Views(raw.encode("utf-16-le"), raw.encode("utf-8"), raw.replace("\r\n", "\n"), astral, wide, extra, crlf)


def _decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def misread_offsets_hint(text: str, start: int, end: int, raw: str) -> str:
    """A hint naming the unit the offsets were counted in, or "" when no known cause fits."""
    if start < 0 or end <= start:
        return ""
    # In ASCII text without CR every tool counts alike; only normalisation can differ.
    counted = _unit_hint(text, start, end, raw) if not raw.isascii() or "\r" in raw else ""
    return counted or _normalisation_hint(text, start, end, raw)


def _unit_hint(text: str, start: int, end: int, raw: str) -> str:
    v = _views(raw)
    if _decode(v.utf16[2 * start:2 * end], "utf-16-le") == text:
        first, last = (k - bisect.bisect_left(v.astral_units, k) for k in (start, end))
        return ("the offsets count UTF-16 code units (as JavaScript and Java strings do); here offsets count code points, "
                f"so an emoji or other character beyond U+FFFF is one, not two: set \"start\": {first}, \"end\": {last}")
    if _decode(v.utf8[start:end], "utf-8") == text:
        first, last = (k - v.wide_extra[bisect.bisect_left(v.wide_bytes, k)] for k in (start, end))
        return ("the offsets count UTF-8 bytes; here offsets count code points, whatever their byte length: "
                f"set \"start\": {first}, \"end\": {last}")
    if v.crlf and v.lf_text[start:end] == text:
        first, last = (k + bisect.bisect_left(v.crlf, k) for k in (start, end))
        return ("the offsets were counted with CRLF line ends read as LF (Python's open() does so in text mode; "
                "open the raw file with newline=''): every \\r counts as a code point here: "
                f"set \"start\": {first}, \"end\": {last}, \"text\": {json.dumps(raw[first:last])}")
    return ""


_FORMS = ("NFC", "NFD", "NFKC", "NFKD")


def _normalisation_hint(text: str, start: int, end: int, raw: str) -> str:
    here = raw[start:end]
    if any(unicodedata.normalize(f, text) == unicodedata.normalize(f, here) for f in _FORMS):
        return _normalisation_cause(text, here) + f"set \"text\": {json.dumps(here)}"
    for form in _FORMS:
        same = unicodedata.normalize(form, text)
        at = _nearest(raw, same, start) if same != text else -1
        if at >= 0:
            fix = f"set \"start\": {at}, \"end\": {at + len(same)}, \"text\": {json.dumps(same)}"
            return _normalisation_cause(text, same) + fix
    return ""


def _nearest(raw: str, text: str, near: int) -> int:
    hits, at = [], raw.find(text)
    while at >= 0:
        hits.append(at)
        at = raw.find(text, at + 1)
    scanned(len(raw))
    return min(hits, key=lambda h: abs(h - near)) if hits else -1


def _normalisation_cause(text: str, raw: str) -> str:
    i = next((k for k, (a, b) in enumerate(zip(text, raw)) if a != b), min(len(text), len(raw)))
    return ("the text is in another Unicode normalisation form than the raw file (the raw file has "
            f"{_spelled(raw, i)} where the text has {_spelled(text, i)}): copy the raw text verbatim, never normalise it: ")


def _spelled(text: str, i: int) -> str:
    """The character that starts at `i`, code point by code point."""
    end = i + 1
    while splits_character(text, end):
        end += 1
    return " + ".join(describe(c) for c in text[i:end]) or "nothing"
