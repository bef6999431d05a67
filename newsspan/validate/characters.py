"""Layer 3, span edges: a span starts and ends between two user-perceived characters, visibly.

Offsets count code points, but a reader sees characters (grapheme clusters): `e` + U+0301 is one
`é`, and a family emoji is several code points joined by U+200D. A span boundary inside such a
cluster cuts a character in two. The standard library has no grapheme segmentation, so the
rules of Unicode's UAX #29 that matter for scraped news text are written out here:
- a combining mark (categories Mn, Mc, Me), U+200D ZERO WIDTH JOINER, an emoji skin-tone
  modifier or a tag character belongs to the character before it;
- after a ZERO WIDTH JOINER, a pictographic symbol joins the emoji before it;
- regional indicators pair up into flags, counted from the start of their run.
Hangul syllables written as separate jamo are not covered (news pages use precomposed syllables).

A span that starts or ends with an invisible format character (zero-width space, bidi control,
soft hyphen, ...) looks identical to one without it; such edges are refused so that two
annotators who see the same span write the same offsets. Inside a span they are data.
"""
from __future__ import annotations

import bisect
import json
import re
import unicodedata
from functools import lru_cache

from ..incidents import Incident, incident
from ..read import JsonSource

ZWJ = "\u200d"
# Format characters that come before the text they mark (Arabic number signs and the like) are
# visible: they are no invisible edge.
_PREPENDED = frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd")


def _extends(ch: str) -> bool:
    """True when `ch` never starts a character: it continues the one before it."""
    code = ord(ch)
    return (unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch == ZWJ
            or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F)


def _pictographic(ch: str) -> bool:
    code = ord(ch)
    return 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or unicodedata.category(ch) == "So"


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def splits_character(text: str, i: int) -> bool:
    """True when offset `i` falls inside a character of `text`."""
    if i <= 0 or i >= len(text):
        return False
    before, after = text[i - 1], text[i]
    if _extends(after) or (before == ZWJ and _pictographic(after)):
        return True
    if _regional(before) and _regional(after):
        starts = _regional_runs(text)
        return (i - starts[bisect.bisect_right(starts, i - 1) - 1]) % 2 == 1
    return False


@lru_cache(maxsize=2)
def _regional_runs(text: str) -> list[int]:
    """Where each run of regional indicators starts: flags pair up from there (one pass per text)."""
    return [i for i, ch in enumerate(text) if _regional(ch) and (i == 0 or not _regional(text[i - 1]))]


# A hostile text can stack thousands of marks on one letter; a hint never looks further than this.
MAX_CHARACTER = 32


def character_bounds(text: str, i: int) -> tuple[int, int]:
    """The start and end offsets of the character that offset `i` falls inside."""
    start, end = i, i
    while splits_character(text, start) and i - start < MAX_CHARACTER:
        start -= 1
    while splits_character(text, end) and end - i < MAX_CHARACTER:
        end += 1
    return start, end


def invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" and ch not in _PREPENDED


def describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}"


# Below U+0300 there is no combining mark, joiner, modifier or flag letter, and U+00AD SOFT HYPHEN
# is the one invisible character: edges made only of such characters need no closer look (most
# edges of most pages).
_NOT_PLAIN = re.compile("[\u00ad\u0300-\U0010ffff]")


def edge_character_problem(source: JsonSource, pointer: str, start: int, end: int, raw: str) -> Incident | None:
    """NS311 for an invisible first or last character, else NS310 for a boundary inside a character."""
    if not _NOT_PLAIN.search(raw[max(start - 1, 0):start + 1] + raw[max(end - 1, 0):end + 1]):
        return None
    text = raw[start:end]
    for edge, ch in (("starts", text[0]), ("ends", text[-1])):
        if invisible(ch):
            line, col = source.locate(pointer)
            return incident("NS311", source.where, line, col, f"{pointer} {edge} with {describe(ch)}, an invisible character",
                            _trim_hint(raw, start, end))
    for name, at in (("start", start), ("end", end)):
        if splits_character(raw, at):
            line, col = source.locate(f"{pointer}/{name}")
            first, last = character_bounds(raw, at)
            cluster = raw[first:last]
            return incident("NS310", source.where, line, col,
                            f"{pointer} {name} {at} cuts the character {cluster!r} "
                            f"({', '.join(describe(c) for c in cluster)}) in two",
                            f"put \"{name}\" on a character boundary: {first} (before {cluster!r}) or {last} (after it), "
                            "and copy \"text\" from the raw file again")
    return None


def _trim_hint(raw: str, start: int, end: int) -> str:
    def strip(ch: str) -> bool:
        return ch.isspace() or invisible(ch)
    while start < end and strip(raw[start]):
        start += 1
    while end > start and strip(raw[end - 1]):
        end -= 1
    if start == end:
        return "the span holds only invisible characters and spaces: delete it"
    return f"trim it: \"start\": {start}, \"end\": {end}, \"text\": {json_text(raw[start:end])}"


def json_text(text: str) -> str:
    """`text` as a JSON string to paste; escaped when it holds characters that do not show."""
    shows = all(c.isprintable() and not unicodedata.combining(c) for c in text)
    return json.dumps(text, ensure_ascii=not shows)
