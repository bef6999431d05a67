"""The gold layer of an imported page: the benchmark's ground truth aligned onto the view.

The gold text (headline, then main text) is aligned onto the view with the evaluation's aligner
(`newsspan.evaluate.align.align_text`): the view characters it pairs with are content. A `\\w+`
token of the view is content or not as a whole, by the majority of its characters, so that a
span never starts inside a word. Every other non-space character is boilerplate of an unknown
kind (label `unknown`), except where a must-remove string (WCXB `without`) stands outside the
content: that is a `must-remove` span. Spans of one label that only whitespace separates are one
span (rule B3). A must-keep sentence (WCXB `with`) is located by its word tokens in order, with
any non-word characters between them (markdown marks, line breaks); its first occurrence inside
the content wins, else the first anywhere.

The aligned share is the share of the gold text's `\\w+` tokens that found their place in the view:
a low share means the view lacks the text the gold standard scores, so the page is left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..evaluate.align import WORD, align_text, fold
from ..validate.characters import character_bounds, invisible
from .sources import Page

CONTENT, UNKNOWN, MUST_REMOVE = 0, 1, 2
LABEL_NAMES = {UNKNOWN: "unknown", MUST_REMOVE: "must-remove"}


@dataclass(frozen=True, slots=True)
class PageGold:
    spans: tuple[tuple[int, int, str], ...]         # boilerplate (start, end, label), in text order
    must_keep: tuple[tuple[int, int], ...]
    must_keep_missing: int                          # `with` sentences not found in the view
    must_remove_found: int                          # `without` strings found outside the content
    gold_tokens: int
    aligned_tokens: int

    @property
    def aligned_share(self) -> float:
        return self.aligned_tokens / self.gold_tokens if self.gold_tokens else 0.0


def gold_text(page: Page) -> str:
    return f"{page.headline}\n\n{page.main_text}" if page.headline else page.main_text


def page_gold(page: Page, view: str) -> PageGold:
    text = gold_text(page)
    found = align_text(view, text)
    gold_tokens = len(WORD.findall(text))
    classes = _snap_to_tokens(view, found.kept)
    removed = _must_remove(view, classes, page.must_remove)
    folded = fold(view)  # fold maps one character to one, so offsets in it are offsets in the view
    keep = [_locate(folded, classes, sentence) for sentence in page.must_keep]
    return PageGold(tuple(_spans(view, classes)), tuple(k for k in keep if k), sum(1 for k in keep if not k),
                    removed, gold_tokens, max(0, gold_tokens - found.unaligned_words))


def _snap_to_tokens(view: str, kept: bytes) -> bytearray:
    classes = bytearray(UNKNOWN if not k else CONTENT for k in kept)
    for match in WORD.finditer(view):
        start, end = match.span()
        inside = sum(kept[start:end])
        classes[start:end] = bytes([CONTENT if 2 * inside >= end - start else UNKNOWN]) * (end - start)
    return classes


def _must_remove(view: str, classes: bytearray, strings: tuple[str, ...]) -> int:
    found = 0
    for string in strings:
        needle = string.strip()
        start = view.find(needle)
        while needle and start >= 0:
            end = start + len(needle)
            if CONTENT not in classes[start:end]:
                classes[start:end] = bytes([MUST_REMOVE]) * (end - start)
                found += 1
            start = view.find(needle, end)
    return found


def _pattern(sentence: str) -> re.Pattern | None:
    words = WORD.findall(fold(sentence))
    if not words:
        return None
    # The benchmark cuts long sentences at a fixed length, often inside a word: the last word may be a prefix.
    return re.compile(r"(?<!\w)" + r"\W*".join(re.escape(w) for w in words))


def _locate(folded: str, classes: bytearray, sentence: str) -> tuple[int, int] | None:
    pattern = _pattern(sentence)
    if pattern is None:
        return None
    first = None
    for match in pattern.finditer(folded):
        if CONTENT in classes[match.start():match.end()]:
            return match.span()
        first = first or match.span()
    return first


def _neutral(ch: str) -> bool:
    return ch.isspace() or invisible(ch)


def _spans(view: str, classes: bytearray):
    """Runs of one boilerplate class over non-space characters, joined across whitespace."""
    start = end = label = None
    for i, ch in enumerate(view):
        if _neutral(ch):
            continue
        cls = classes[i]
        if cls != label:
            if label and (span := _span(view, start, end, label)):
                yield span
            start, label = i, cls
        end = i + 1
    if label and (span := _span(view, start, end, label)):
        yield span


def _span(view: str, start: int, end: int, label: int) -> tuple[int, int, str] | None:
    """The run on whole characters (NS310) without an invisible edge (NS311): a character that an
    invisible joiner continues is left out of the span rather than cut. None when nothing is left."""
    first, last = character_bounds(view, start)
    start = first if not invisible(view[first]) else last
    if end < len(view):
        first, last = character_bounds(view, end)
        end = last if not invisible(view[last - 1]) else first
    return (start, end, LABEL_NAMES[label]) if start < end and view[start:end].strip() else None
