"""Near-duplicate detection: word-shingle Jaccard, with MinHash LSH to find candidate pairs.

Two captures of one article differ in boilerplate and markup but share most of their words in
order, so we compare sets of word 5-grams of the lowercased text. MinHash LSH proposes pairs in
sub-quadratic time; every proposed pair is confirmed by its exact Jaccard similarity, so the
threshold below is exact and LSH only costs recall on pairs very close to it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from datasketch import MinHash, MinHashLSH

SHINGLE_WORDS = 5
THRESHOLD = 0.30
NUM_PERM = 128
SEED = 20221103
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    a: str
    b: str
    jaccard: float


def shingles(text: str) -> frozenset[str]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _minhash(sh: frozenset[str]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=SEED)
    m.update_batch([s.encode("utf-8") for s in sorted(sh)])
    return m


def find_near_duplicates(texts: Iterable[tuple[str, str]], threshold: float = THRESHOLD) -> list[NearDuplicate]:
    """All pairs of (doc_id, text) whose shingle Jaccard is at least `threshold`, sorted."""
    sets = {doc_id: shingles(text) for doc_id, text in texts}
    # LSH at a lower threshold than the exact check keeps recall high near the boundary.
    lsh = MinHashLSH(threshold=max(0.05, threshold * 0.7), num_perm=NUM_PERM)
    pairs: set[tuple[str, str]] = set()
    for doc_id in sorted(sets):
        mh = _minhash(sets[doc_id])
        pairs.update(tuple(sorted((doc_id, other))) for other in lsh.query(mh))
        lsh.insert(doc_id, mh)
    found = [NearDuplicate(a, b, jaccard(sets[a], sets[b])) for a, b in sorted(pairs)]
    return [pair for pair in found if pair.jaccard >= threshold]
