"""Span metrics on the raw text: a prediction is scored by the raw characters it kept.

Gold: a raw character is boilerplate when a gold boilerplate span covers it, else content.
Whitespace (`str.isspace()`, so NBSP too) is neutral: it is never counted.

Per document, over non-space raw characters, with K = kept by the system and B = gold
boilerplate, and U = unaligned predicted characters (see align.py; 0 for span predictions):

    content:      tp = |K - B|        fp = |K & B| + U     fn = |B' - K|   (B' = content)
    boilerplate:  tp = |B - K|        fp = |B' - K|        fn = |K & B|

The same table is computed per token, over the `\\w+` tokens of the raw text: a token is gold
boilerplate when more than half of its characters are, and kept when at least half of its
characters are kept (ties go to content and to kept); U is then the number of predicted words
that did not align.

Leakage of label L = |K & L| / |L|: the share of gold characters of label L that were kept
(1.0 = the system kept all of it, 0.0 = it removed all of it).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..records import BOILERPLATE_LABELS, Document
from .align import WORD
from .metrics import Counts

SPAN_KEYS = ("char/content", "char/boilerplate", "token/content", "token/boilerplate")


@dataclass(frozen=True, slots=True)
class SpanCounts:
    classes: dict[str, Counts]                # SPAN_KEYS -> counts
    leakage: dict[str, tuple[int, int]]       # label -> (kept characters, gold characters)


def gold_labels(doc: Document) -> list[str | None]:
    labels: list[str | None] = [None] * len(doc.raw_text)
    for span in doc.boilerplate:
        labels[span.start:span.end] = [span.label] * (span.end - span.start)
    return labels


def _table(kept_content: int, kept_bp: int, dropped_content: int, dropped_bp: int, unaligned: int):
    return (Counts(kept_content, kept_bp + unaligned, dropped_content),
            Counts(dropped_bp, dropped_content, kept_bp))


def _cells(pairs) -> list[int]:
    """[kept content, kept boilerplate, dropped content, dropped boilerplate] of (kept, is_bp) pairs."""
    cells = [0, 0, 0, 0]
    for kept, is_bp in pairs:
        cells[(0 if kept else 2) + (1 if is_bp else 0)] += 1
    return cells


def span_counts(doc: Document, kept: bytes, unaligned_chars: int = 0, unaligned_words: int = 0) -> SpanCounts:
    raw, labels = doc.raw_text, gold_labels(doc)
    chars = [i for i, ch in enumerate(raw) if not ch.isspace()]
    char_cells = _cells((kept[i], labels[i] is not None) for i in chars)
    token_cells = _cells(_token_flags(raw, labels, kept))
    classes = dict(zip(SPAN_KEYS, _table(*char_cells, unaligned_chars) + _table(*token_cells, unaligned_words)))
    return SpanCounts(classes, _leakage(chars, labels, kept))


def _token_flags(raw: str, labels: list[str | None], kept: bytes):
    for match in WORD.finditer(raw):
        start, end = match.span()
        size = end - start
        bp = sum(1 for i in range(start, end) if labels[i] is not None)
        yield 2 * sum(kept[start:end]) >= size, 2 * bp > size


def _leakage(chars: list[int], labels: list[str | None], kept: bytes) -> dict[str, tuple[int, int]]:
    found = {label: [0, 0] for label in BOILERPLATE_LABELS}
    for i in chars:
        if labels[i] is not None:
            found[labels[i]][0] += kept[i]
            found[labels[i]][1] += 1
    return {label: (k, n) for label, (k, n) in found.items() if n}
