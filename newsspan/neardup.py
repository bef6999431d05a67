"""Near-duplicate detection: word-shingle Jaccard, with MinHash LSH to find candidate pairs.

Two captures of one article differ in boilerplate and markup but share most of their words in
order, so we compare sets of word 5-grams of the lowercased text. MinHash LSH proposes pairs in
sub-quadratic time; every proposed pair is confirmed by its exact Jaccard similarity, so the
threshold below is exact and LSH only costs recall on pairs very close to it.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Iterable

import numpy as np
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


def _lsh(threshold: float) -> MinHashLSH:
    # LSH at a lower threshold than the exact check keeps recall high near the boundary.
    return MinHashLSH(threshold=max(0.05, threshold * 0.7), num_perm=NUM_PERM)


def find_near_duplicates(texts: Iterable[tuple[str, str]], threshold: float = THRESHOLD) -> list[NearDuplicate]:
    """All pairs of (doc_id, text) whose shingle Jaccard is at least `threshold`, sorted."""
    sets = {doc_id: shingles(text) for doc_id, text in texts}
    lsh = _lsh(threshold)
    pairs: set[tuple[str, str]] = set()
    for doc_id in sorted(sets):
        mh = _minhash(sets[doc_id])
        pairs.update(tuple(sorted((doc_id, other))) for other in lsh.query(mh))
        lsh.insert(doc_id, mh)
    found = [NearDuplicate(a, b, jaccard(sets[a], sets[b])) for a, b in sorted(pairs)]
    return [pair for pair in found if pair.jaccard >= threshold]


# -- the same LSH candidates without holding the texts ------------------------------------------
# A large corpus cannot keep every shingle set in memory. Each document is reduced to one 8-byte
# key per LSH band (computed where the document is checked, and cacheable); two documents are
# candidates exactly when the LSH above would bucket them together (one band of their MinHash
# equal), up to a 2**-64 key collision, which only adds a candidate that the exact check drops.

@lru_cache(maxsize=None)
def _bands() -> tuple[tuple[int, int], ...]:
    return tuple(_lsh(THRESHOLD).hashranges)


def band_keys(text: str) -> bytes:
    """The text's LSH band keys, 8 bytes per band."""
    values = _minhash(shingles(text)).hashvalues
    return b"".join(hashlib.blake2b(values[a:b].tobytes(), digest_size=8).digest() for a, b in _bands())


def candidate_pairs(keys: dict[str, bytes]) -> list[tuple[str, str]]:
    """Sorted pairs of ids that share a band key; one sort per band, so O(n log n) for n documents."""
    ids = sorted(keys)
    if len(ids) < 2:
        return []
    table = np.frombuffer(b"".join(keys[i] for i in ids), dtype=np.uint64).reshape(len(ids), len(_bands()))
    pairs: set[tuple[str, str]] = set()
    for column in table.T:
        order = np.argsort(column, kind="stable")
        ranked = column[order]
        starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        for start, end in zip(starts, np.r_[starts[1:], len(ranked)]):
            if end - start > 1:
                pairs.update(combinations(sorted(ids[i] for i in order[start:end]), 2))
    return sorted(pairs)
