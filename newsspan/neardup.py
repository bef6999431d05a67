"""Near-duplicate detection: word-shingle Jaccard, with MinHash LSH to find candidate pairs.

Two captures of one article differ in boilerplate and markup but share most of their words in
order, so we compare sets of word 5-grams of the lowercased text. MinHash LSH proposes pairs in
sub-quadratic time; every proposed pair is confirmed by its exact Jaccard similarity, so the
threshold below is exact and LSH only costs recall.

Recall is what the corpus promises (no near-duplicate across splits), so the LSH layout is chosen
for it: 64 bands of 2 rows. A pair of Jaccard J shares no band with probability (1 - J^2)^64: at
most 0.24% at the 0.30 threshold, 0.04% at 0.35, 2e-8 at 0.5. The 25 x 2 layout chosen before
(datasketch's optimum of false positives plus false negatives) missed about 5% at the threshold.

The signature is one-permutation MinHash (Li, Owen and Zhang 2012) with rotation densification
(Shrivastava and Li 2014): each shingle is hashed once, the hash's top 7 bits choose one of 128
bins and the minimum of each bin is kept; an empty bin borrows the next non-empty one. Two texts
agree on a bin with probability about J, like 128 independent permutations, at the cost of one
sort of the shingle hashes instead of 128 multiply-adds per shingle. It is computed with numpy
because the validator computes it for every document, and hashing each shingle string in Python
(as a generic MinHash library does) made it a third of validation time. A shingle is hashed from the hashes of its words, so the only work
done in Python is one hash per distinct word; everything per shingle and per permutation is
array arithmetic. The signature is a sketch, never a verdict: any hash that is deterministic and
spreads shingles well is fine, because the exact check on `shingles()` decides every pair.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Iterable

import numpy as np

SHINGLE_WORDS = 5
THRESHOLD = 0.30
NUM_PERM = 128
SEED = 20221103
KEY_BYTES = 8               # one band key
_WORD = re.compile(r"\w+")
_EMPTY = np.iinfo(np.uint64).max
_KNOWN: dict[str, int] = {}  # word -> its hash, in this process (see _word_hashes)
_KNOWN_LIMIT = 1 << 17      # words remembered at most (about 20 MB)


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    a: str
    b: str
    jaccard: float


def _words(text: str) -> list[str]:
    # One tokenisation for the exact sets and for the sketch, so they describe the same shingles.
    return _WORD.findall(text.lower())


def shingles(text: str) -> frozenset[str]:
    words = _words(text)
    if len(words) < SHINGLE_WORDS:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 0.0
    shared = len(a & b) if len(a) <= len(b) else len(b & a)  # the union is never built
    return shared / (len(a) + len(b) - shared)


# -- the MinHash signature ------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _positions() -> np.ndarray:
    """SHINGLE_WORDS odd multipliers, one per word position in a shingle."""
    # The raw PCG64 stream, not a Generator method: numpy fixes a bit generator's output for a
    # seed, while the algorithms of Generator methods may change between releases, and the keys
    # must stay the same bytes. Odd multipliers are invertible modulo 2**64, so no two word
    # hashes are folded onto one value by a multiplication.
    return np.random.PCG64(SEED).random_raw(SHINGLE_WORDS).astype(np.uint64) | np.uint64(1)


def _word_hashes(words: list[str]) -> np.ndarray:
    # blake2b, not hash(): Python salts str hashes per process, and worker processes must agree.
    # Most words of a page (function words, names, boilerplate) occur on many other pages, so a
    # word's hash is remembered across the pages a process checks; the memo is emptied when full,
    # which keeps it bounded and costs little because frequent words come back first. It never
    # changes a value, only how often blake2b runs.
    missing = set(words).difference(_KNOWN)
    if len(_KNOWN) + len(missing) > _KNOWN_LIMIT:
        _KNOWN.clear()
        missing = set(words)
    if missing:
        digests = b"".join(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest() for w in missing)
        _KNOWN.update(zip(missing, np.frombuffer(digests, dtype="<u8").tolist()))
    return np.fromiter(map(_KNOWN.__getitem__, words), dtype=np.uint64, count=len(words))


def _mix(x: np.ndarray) -> np.ndarray:
    # A summed shingle hash is linear in its word hashes, and so are the permutations below;
    # an xor-shift-multiply finaliser breaks that structure once per shingle, so that the
    # permutations order shingles independently of which words they share.
    x = x ^ (x >> np.uint64(33))
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


def _shingle_hashes(words: list[str]) -> np.ndarray:
    """The distinct 64-bit hashes of the text's shingles, as `shingles()` defines them."""
    if not words:
        return np.empty(0, dtype=np.uint64)
    hashed, positions = _word_hashes(words), _positions()
    width = min(SHINGLE_WORDS, len(words))  # a short text is one shingle of all its words
    count = len(words) - width + 1
    # uint64 arithmetic wraps modulo 2**64, which is what a multiplicative hash wants.
    combined = np.zeros(count, dtype=np.uint64)
    for position in range(width):
        combined += hashed[position:position + count] * positions[position]
    return np.unique(_mix(combined))


_BIN_BITS = 7                     # 2**7 = NUM_PERM bins
_LOW = np.uint64((1 << (64 - _BIN_BITS)) - 1)
_ROTATION = np.uint64(0x9E3779B97F4A7C15)  # added once per bin borrowed over (densification)


def _signature(hashes: np.ndarray, rows: int) -> np.ndarray:
    """The first `rows` of NUM_PERM one-permutation MinHash values. `hashes`: sorted and distinct
    (as np.unique returns them), so each bin's minimum is the first hash with its top bits."""
    if not len(hashes):
        # No shingle: the neutral value of min, so every text without words has one signature;
        # such pairs become candidates and the exact check (Jaccard 0) drops them.
        return np.full(rows, _EMPTY, dtype=np.uint64)
    bins = np.arange(NUM_PERM, dtype=np.uint64)
    first = np.searchsorted(hashes >> np.uint64(64 - _BIN_BITS), bins)
    at = np.minimum(first, len(hashes) - 1)
    full = np.flatnonzero((first < len(hashes)) & ((hashes[at] >> np.uint64(64 - _BIN_BITS)) == bins))
    # An empty bin takes the next non-empty bin's value (circularly), shifted by how far it reached.
    nearest = np.searchsorted(full, np.arange(NUM_PERM))
    source = np.where(nearest < len(full), full[np.minimum(nearest, len(full) - 1)], full[0] + NUM_PERM)
    reach = (source - np.arange(NUM_PERM)).astype(np.uint64)
    values = (hashes[at[source % NUM_PERM]] & _LOW) + reach * _ROTATION
    return values[:rows]


# -- LSH bands ----------------------------------------------------------------------------------
# A large corpus cannot keep every shingle set in memory. Each document is reduced to one 8-byte
# key per LSH band (computed where the document is checked, and cacheable); two documents are
# candidates when one band of their signatures is equal, up to a 2**-64 key collision, which only
# adds a candidate that the exact check drops. A small corpus goes through the same keys, so both
# paths propose exactly the same pairs.

# (bands, rows) at THRESHOLD: every row of the signature in bands of 2 (see the module docstring).
DEFAULT_LAYOUT = (NUM_PERM // 2, 2)


@lru_cache(maxsize=None)
def _bands(threshold: float = THRESHOLD) -> tuple[tuple[int, int], ...]:
    # For recall: the fewest rows per band (1 below a threshold of 0.2, else 2), and as many bands
    # as the signature has rows for. More rows per band would propose fewer unrelated pairs but
    # miss pairs at the threshold: 3 rows would need 250 bands for a 0.1% miss rate at 0.30.
    rows = 1 if threshold < 0.2 else DEFAULT_LAYOUT[1]
    return tuple((i * rows, (i + 1) * rows) for i in range(NUM_PERM // rows))


def miss_probability(similarity: float, threshold: float = THRESHOLD) -> float:
    """The probability that a pair of this Jaccard similarity shares no band (is never checked)."""
    bands = _bands(threshold)
    rows = bands[0][1] - bands[0][0]
    return (1 - similarity ** rows) ** len(bands)


def lsh_threshold(threshold: float) -> float:
    """The similarity at which a pair is proposed half of the time (for the docs)."""
    bands = _bands(threshold)
    rows = bands[0][1] - bands[0][0]
    return (1 - 0.5 ** (1 / len(bands))) ** (1 / rows)


def band_keys(text: str, threshold: float = THRESHOLD) -> bytes:
    """The text's LSH band keys, 8 bytes per band."""
    bands = _bands(threshold)
    values = _signature(_shingle_hashes(_words(text)), bands[-1][1]).astype("<u8")
    return b"".join(hashlib.blake2b(values[a:b].tobytes(), digest_size=KEY_BYTES).digest() for a, b in bands)


def candidate_pairs(keys: dict[str, bytes]) -> list[tuple[str, str]]:
    """Sorted pairs of ids that share a band key; one sort per band, so O(n log n) for n documents."""
    ids = sorted(keys)
    if len(ids) < 2:
        return []
    widths = {len(keys[i]) for i in ids}
    if len(widths) != 1 or widths.pop() % KEY_BYTES:
        raise ValueError("band keys of unequal or partial lengths: they come from different band layouts")
    table = np.frombuffer(b"".join(keys[i] for i in ids), dtype=np.uint64).reshape(len(ids), -1)
    pairs: set[tuple[str, str]] = set()
    for column in table.T:
        order = np.argsort(column, kind="stable")
        ranked = column[order]
        starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        for start, end in zip(starts, np.r_[starts[1:], len(ranked)]):
            if end - start > 1:
                pairs.update(combinations(sorted(ids[i] for i in order[start:end]), 2))
    return sorted(pairs)


def find_near_duplicates(texts: Iterable[tuple[str, str]], threshold: float = THRESHOLD,
                         pairs: list[tuple[str, str]] | None = None) -> list[NearDuplicate]:
    """All pairs of (doc_id, text) whose shingle Jaccard is at least `threshold`, sorted; with
    `pairs` (sorted candidates already found from stored band keys), only those are checked."""
    by_id = dict(texts)
    if pairs is None:
        pairs = candidate_pairs({doc_id: band_keys(text, threshold) for doc_id, text in by_id.items()})
    sets: dict[str, frozenset[str]] = {}
    found = []
    for a, b in pairs:
        score = jaccard(_cached(sets, a, by_id), _cached(sets, b, by_id))
        if score >= threshold:
            found.append(NearDuplicate(a, b, score))
    return found


def _cached(sets: dict[str, frozenset[str]], doc_id: str, texts: dict[str, str]) -> frozenset[str]:
    # Only documents in a candidate pair need their shingle sets, and most documents are in none.
    if doc_id not in sets:
        sets[doc_id] = shingles(texts[doc_id])
    return sets[doc_id]
