"""Project a system's cleaned text back onto the raw page, as the set of raw characters it kept.

Systems may change whitespace, drop markup characters and delete whole runs, but they do not
reorder the page, so the projection is a monotonic alignment:

1. Both texts are cut into tokens `\\w+|[^\\w\\s]` (a word, or any other non-space character
   alone, so a dropped `[` or `](#)` costs only those characters). Tokens are compared after
   folding typographic quotes and dashes to ASCII (`’` = `'`, `“` = `"`, `—` = `-`).
2. The token sequences are aligned by a longest common subsequence (LCS): the most tokens that
   can be paired without crossing. A repeated string ("Read more" twice) is therefore credited
   at one position, never at both. Among equally long alignments, pairs are taken as late as
   possible, then each run of adjacent pairs is moved right after the pair before it when the
   same tokens stand there, so that a kept run stays one run (the system kept "Story ends.
   Share", not the "Share" of a later comment box). The LCS is computed bit-parallel.
3. Between two aligned tokens, the unmatched raw and predicted tokens (a gap) are aligned again
   character by character on their non-space characters (SequenceMatcher). This credits words
   that the system split or joined (`Santorareported` vs `Santora reported`, or two words glued
   once the boilerplate between them was deleted). A run of equal characters counts when it is
   at least MIN_RUN characters long, or when it starts both sides of the gap or ends both (it
   then continues a token match); shorter runs inside a gap are coincidences.

Cost: the LCS is O(n m / 64) for n raw and m predicted tokens (a prediction is refused when it is
longer than MAX_TEXT_RATIO times its page, predictions.py). The character step is quadratic per
gap, so it gets a budget: a gap of more than GAP_CELLS character pairs, or one past the whole
alignment's budget of GAP_BUDGET pairs per character of both texts, is aligned only at its two
edges (the equal characters that continue the token matches before and after it), in linear
time. Normal predictions never come near (their gaps are a few words); a hostile one (60,000
repeated characters against a page) took minutes before the budget.

A raw character is kept when it belongs to an aligned token or character run. Predicted
non-space characters that align with nothing (text the page does not have at that position,
such as a duplicated paragraph) are counted as `unaligned`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

TOKEN = re.compile(r"\w+|[^\w\s]")
WORD = re.compile(r"\w+")
MIN_RUN = 3
CHECKPOINT = 256
GAP_CELLS = 1_000_000       # character pairs of one gap aligned by SequenceMatcher at most
GAP_BUDGET = 16             # character pairs per character of raw + prediction, for all gaps together
_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
})


@dataclass(frozen=True, slots=True)
class Alignment:
    """Which raw characters the prediction kept, and how much of it matched nothing."""
    kept: bytes             # one byte per raw code point: 1 when kept
    unaligned_chars: int    # predicted non-space characters aligned with no raw character
    unaligned_words: int    # predicted `\w+` words with fewer than half their characters aligned


def fold(text: str) -> str:
    return text.translate(_FOLD)


def _tokens(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in TOKEN.finditer(text)]


def align_text(raw: str, text: str) -> Alignment:
    """Align a predicted text onto `raw` (see the module docstring for the rules)."""
    raw_toks, pred_toks = _tokens(raw), _tokens(text)
    kept, hit = bytearray(len(raw)), bytearray(len(text))
    before_raw = before_pred = -1
    budget = [GAP_BUDGET * (len(raw) + len(text))]
    pairs = token_pairs([fold(raw[a:b]) for a, b in raw_toks], [fold(text[a:b]) for a, b in pred_toks])
    for i, j in pairs + [(len(raw_toks), len(pred_toks))]:
        _align_gap(raw, text, raw_toks[before_raw + 1:i], pred_toks[before_pred + 1:j], kept, hit, budget)
        if i < len(raw_toks):
            (ra, rb), (pa, pb) = raw_toks[i], pred_toks[j]
            kept[ra:rb] = b"\x01" * (rb - ra)
            hit[pa:pb] = b"\x01" * (pb - pa)
        before_raw, before_pred = i, j
    return Alignment(bytes(kept), _unaligned_chars(text, hit), _unaligned_words(text, hit))


def token_pairs(left: list[str], right: list[str]) -> list[tuple[int, int]]:
    """(left index, right index) of aligned equal tokens, increasing in both."""
    return _compact(_lcs_pairs(left, right), left)


def _lcs_pairs(left: list[str], right: list[str]) -> list[tuple[int, int]]:
    """An LCS, traced back from the end taking every match (so each pair is as late as possible).

    Row j of the bit-parallel LCS has a 0 at bit i when LCS(left[:i+1], right[:j]) exceeds
    LCS(left[:i], right[:j]), so LCS(left[:i], right[:j]) = i - popcount(row_j below bit i).
    """
    rows = _Rows(left, right)

    def lcs(i: int, j: int) -> int:
        return i - (rows[j] & ((1 << i) - 1)).bit_count()

    pairs, i, j = [], len(left), len(right)
    while i and j:
        if left[i - 1] == right[j - 1]:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif lcs(i - 1, j) == lcs(i, j):
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


class _Rows:
    """The rows of the bit-parallel LCS (Hyyro 2004). Only every CHECKPOINT-th row is stored and a
    block of rows is recomputed from it when asked for, so a long page needs little memory."""

    def __init__(self, left: list[str], right: list[str]):
        self.right = right
        self.masks: dict[str, int] = {}
        for i, token in enumerate(left):
            self.masks[token] = self.masks.get(token, 0) | (1 << i)
        self.full = (1 << len(left)) - 1
        self.checkpoints = [self.full]
        row = self.full
        for j, token in enumerate(right, start=1):
            row = self._next(row, token)
            if j % CHECKPOINT == 0:
                self.checkpoints.append(row)
        self.block: dict[int, int] = {}

    def _next(self, row: int, token: str) -> int:
        match = row & self.masks.get(token, 0)
        return ((row + match) | (row - match)) & self.full

    def __getitem__(self, j: int) -> int:
        if j not in self.block:
            first = j - j % CHECKPOINT
            row = self.checkpoints[first // CHECKPOINT]
            self.block = {first: row}
            for k in range(first + 1, min(first + CHECKPOINT, len(self.right) + 1)):
                row = self._next(row, self.right[k - 1])
                self.block[k] = row
        return self.block[j]


def _compact(pairs: list[tuple[int, int]], left: list[str]) -> list[tuple[int, int]]:
    """Move each run of adjacent pairs right after the pair before it when the same tokens stand there."""
    moved: list[tuple[int, int]] = []
    k = 0
    while k < len(pairs):
        i, j = pairs[k]
        size = 1
        while k + size < len(pairs) and pairs[k + size] == (i + size, j + size):
            size += 1
        if moved and moved[-1][1] == j - 1 and moved[-1][0] + 1 < i:
            start = moved[-1][0] + 1
            i = start if left[start:start + size] == left[i:i + size] else i
        moved += [(i + t, j + t) for t in range(size)]
        k += size
    return moved


def _align_gap(raw: str, text: str, raw_toks, pred_toks, kept: bytearray, hit: bytearray, budget: list[int]) -> None:
    """Character-level alignment of the non-space characters of one unmatched gap."""
    if not raw_toks or not pred_toks:
        return
    raw_pos = [i for a, b in raw_toks for i in range(a, b)]
    pred_pos = [i for a, b in pred_toks for i in range(a, b)]
    left, right = [fold(raw[i]) for i in raw_pos], [fold(text[i]) for i in pred_pos]
    cells = len(left) * len(right)
    if cells > GAP_CELLS or cells > budget[0]:
        blocks = _edge_blocks(left, right)
    else:
        budget[0] -= cells
        blocks = SequenceMatcher(None, left, right, autojunk=False).get_matching_blocks()
    for a, b, size in blocks:
        anchored = (a == 0 and b == 0) or (a + size == len(left) and b + size == len(right))
        if size and (size >= MIN_RUN or anchored):
            for k in range(size):
                kept[raw_pos[a + k]] = 1
                hit[pred_pos[b + k]] = 1


def _edge_blocks(left: list[str], right: list[str]) -> list[tuple[int, int, int]]:
    """The equal runs at the start and at the end of a gap, as (a, b, size) blocks: linear."""
    limit = min(len(left), len(right))
    head = 0
    while head < limit and left[head] == right[head]:
        head += 1
    tail = 0
    while tail < limit - head and left[-1 - tail] == right[-1 - tail]:
        tail += 1
    blocks = [(0, 0, head)] if head else []
    return blocks + ([(len(left) - tail, len(right) - tail, tail)] if tail else [])


def _unaligned_chars(text: str, hit: bytearray) -> int:
    return sum(1 for i, ch in enumerate(text) if not hit[i] and not ch.isspace())


def _unaligned_words(text: str, hit: bytearray) -> int:
    return sum(1 for m in WORD.finditer(text) if 2 * sum(hit[m.start():m.end()]) < m.end() - m.start())


def kept_from_spans(raw: str, spans: list[tuple[int, int]]) -> bytes:
    """The kept mask of character spans `[start, end)` (overlaps are merged)."""
    kept = bytearray(len(raw))
    for start, end in spans:
        kept[start:end] = b"\x01" * (end - start)
    return bytes(kept)


def text_of_spans(raw: str, spans: list[tuple[int, int]]) -> str:
    """The text a span prediction stands for: its kept runs in order, one per line."""
    kept = kept_from_spans(raw, spans)
    runs, start = [], None
    for i, flag in enumerate(kept + b"\x00"):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append(raw[start:i])
            start = None
    return "\n".join(runs)
