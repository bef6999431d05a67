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

import numpy as np

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


def span_counts(doc: Document, kept: bytes, unaligned_chars: int = 0, unaligned_words: int = 0) -> SpanCounts:
    gold = _gold(doc)
    flags = np.frombuffer(kept, dtype=np.uint8)[:len(doc.raw_text)] != 0
    char_cells = _array_cells(flags[gold.chars], gold.char_bp)
    sums = np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))
    token_kept = 2 * (sums[gold.token_ends] - sums[gold.token_starts]) >= gold.token_ends - gold.token_starts
    token_cells = _array_cells(token_kept, gold.token_bp)
    classes = dict(zip(SPAN_KEYS, _table(*char_cells, unaligned_chars) + _table(*token_cells, unaligned_words)))
    kept_codes = gold.char_codes[flags[gold.chars]]
    leakage = {label: (int(np.count_nonzero(kept_codes == code)), total) for label, code, total in gold.leakage}
    return SpanCounts(classes, leakage)


def _array_cells(kept: np.ndarray, is_bp: np.ndarray) -> list[int]:
    """[kept content, kept boilerplate, dropped content, dropped boilerplate] of two flag arrays."""
    kept_bp = int(np.count_nonzero(kept & is_bp))
    kept_all, bp_all = int(np.count_nonzero(kept)), int(np.count_nonzero(is_bp))
    return [kept_all - kept_bp, kept_bp, len(kept) - kept_all - bp_all + kept_bp, bp_all - kept_bp]


@dataclass(frozen=True)
class _GoldArrays:
    """What span_counts needs of a document's gold layer, computed once per document and reused for
    every system scored on it (a benchmark scores each page a dozen times)."""
    chars: np.ndarray          # offsets of the non-space characters
    char_bp: np.ndarray        # per non-space character: gold boilerplate
    char_codes: np.ndarray     # per non-space character: label index + 1, 0 for content
    token_starts: np.ndarray
    token_ends: np.ndarray
    token_bp: np.ndarray       # more than half of the token's characters are boilerplate
    leakage: tuple[tuple[str, int, int], ...]   # (label, code, gold non-space characters) of present labels


_GOLD_CACHE: dict[tuple, _GoldArrays] = {}
_GOLD_CACHE_LIMIT = 4096
# Every code point for which str.isspace() is true lies below U+3001.
_SPACES = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)


def _gold(doc: Document) -> _GoldArrays:
    key = (doc.doc_id, doc.raw_text, doc.boilerplate)
    found = _GOLD_CACHE.get(key)
    if found is None:
        if len(_GOLD_CACHE) >= _GOLD_CACHE_LIMIT:
            _GOLD_CACHE.clear()
        found = _GOLD_CACHE[key] = _gold_arrays(doc)
    return found


def _gold_arrays(doc: Document) -> _GoldArrays:
    raw = doc.raw_text
    points = np.frombuffer(raw.encode("utf-32-le"), dtype="<u4")
    codes = np.zeros(len(raw), dtype=np.int16)
    for span in doc.boilerplate:
        codes[span.start:span.end] = BOILERPLATE_LABELS.index(span.label) + 1
    chars = np.flatnonzero(~np.isin(points, _SPACES))
    bounds = np.array([m.span() for m in WORD.finditer(raw)], dtype=np.int64).reshape(-1, 2)
    starts, ends = bounds[:, 0], bounds[:, 1]
    bp_sums = np.concatenate(([0], np.cumsum(codes != 0, dtype=np.int64)))
    char_codes = codes[chars]
    present = np.bincount(char_codes, minlength=len(BOILERPLATE_LABELS) + 1)
    leakage = tuple((label, i + 1, int(present[i + 1])) for i, label in enumerate(BOILERPLATE_LABELS) if present[i + 1])
    return _GoldArrays(chars, char_codes != 0, char_codes, starts, ends,
                       2 * (bp_sums[ends] - bp_sums[starts]) > ends - starts, leakage)
