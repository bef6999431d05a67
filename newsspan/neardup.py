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
from collections import OrderedDict
from collections.abc import Mapping
from functools import lru_cache
from itertools import combinations
from typing import Callable, Iterable, Iterator

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


@dataclass(frozen=True)
class Candidates:
    """The LSH candidates of a set of documents: the distinct sets of two or more ids that share a
    band key (`groups`: the first band where each is a bucket and its sorted ids, in band order),
    and a look-up of a document's band keys, to tell in which group a pair first meets."""
    groups: tuple[tuple[int, tuple[str, ...]], ...]
    keys_of: Callable[[str], bytes]

    def first_band(self, a: str, b: str) -> int:
        """The first band whose key `a` and `b` share (they share one: they are candidates)."""
        ka, kb = (np.frombuffer(self.keys_of(d), dtype=np.uint64) for d in (a, b))
        return int(np.argmax(ka == kb))


def candidate_groups(keys: dict[str, bytes]) -> Candidates:
    """One sort per band, and a set of k documents is written once, not as its k (k - 1) / 2
    pairs: n copies of one text are one group of n."""
    ids = sorted(keys)
    widths = {len(keys[i]) for i in ids}
    if len(widths) > 1 or (widths and widths.pop() % KEY_BYTES):
        raise ValueError("band keys of unequal or partial lengths: they come from different band layouts")
    table = np.frombuffer(b"".join(keys[i] for i in ids), dtype=np.uint64).reshape(len(ids), -1 if ids else 0)
    return banded_candidates(lambda band: table[:, band], table.shape[1], len(ids),
                             lambda rows: {i: ids[i] for i in rows}, keys.__getitem__)


def banded_candidates(column: Callable[[int], np.ndarray], bands: int, count: int,
                      names: Callable[[list[int]], dict[int, str]], keys_of: Callable[[str], bytes]) -> Candidates:
    """`candidate_groups` of `count` documents whose keys are read one band at a time: `column(b)`
    is band b's key of every document (in one fixed order), `names(rows)` the ids at those rows and
    `keys_of(id)` one document's keys. What is held is one band's arrays and the groups, so a
    corpus kept on disk is grouped in memory proportional to its candidates."""
    first: dict[tuple[int, ...], int] = {}
    for band in range(bands if count > 1 else 0):
        keys = column(band)
        order = np.argsort(keys, kind="stable")
        ranked = keys[order]
        # Only the runs of equal keys are listed (most keys are unique): where "equal to the one
        # before" switches on is a run's first member, where it switches off is past its last.
        same = np.concatenate(([False], ranked[1:] == ranked[:-1], [False]))
        del ranked
        edges = np.flatnonzero(same[1:] != same[:-1])
        for start, end in zip(edges[0::2].tolist(), (edges[1::2] + 1).tolist()):
            first.setdefault(tuple(np.sort(order[start:end]).tolist()), band)
    named = names(sorted({row for members in first for row in members}))
    groups = tuple(sorted((band, tuple(sorted(named[row] for row in members))) for members, band in first.items()))
    return Candidates(groups, keys_of)


def candidate_pairs(keys: dict[str, bytes]) -> list[tuple[str, str]]:
    """Sorted pairs of ids that share a band key (quadratic in the size of a group: for small sets)."""
    return sorted({pair for _, group in candidate_groups(keys).groups for pair in combinations(group, 2)})


def find_near_duplicates(texts: Iterable[tuple[str, str]], threshold: float = THRESHOLD,
                         pairs: list[tuple[str, str]] | None = None) -> list[NearDuplicate]:
    """All pairs of (doc_id, text) whose shingle Jaccard is at least `threshold`, sorted; with
    `pairs` (sorted candidates already found from stored band keys), only those are checked.
    Every pair is checked: for a corpus, `link` finds the same documents in near-linear time."""
    by_id = dict(texts)
    if pairs is None:
        pairs = candidate_pairs({doc_id: band_keys(text, threshold) for doc_id, text in by_id.items()})
    texts = _Texts(by_id.__getitem__)
    found = []
    for a, b in pairs:
        score = jaccard(texts.shingles(a), texts.shingles(b))
        if score >= threshold:
            found.append(NearDuplicate(a, b, score))
    return found


# -- linking a corpus ---------------------------------------------------------------------------
# A corpus check needs to know which documents are near-duplicates of one another, not every pair:
# n copies of one page are n (n - 1) / 2 pairs but one set to put in one group. So the pairs are
# linked with a union-find: a candidate pair whose documents are already linked (through verified
# pairs or one declared group) is not checked again. Within a candidate group, a document is
# checked against the members of each other linked set until one matches, so a group of n copies
# costs n - 1 checks, and a pair that shares several bands is checked once, in the group of the
# first. What stays quadratic is inherent to exact checking: k documents that share band keys but
# are all below the threshold are up to k (k - 1) / 2 checks that all fail.

class _Links:
    """Union-find over doc ids (by size, with path halving), deterministic for a given input order."""

    def __init__(self):
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def union(self, a: str, b: str) -> str:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self.size.get(ra, 1) < self.size.get(rb, 1) or (self.size.get(ra, 1) == self.size.get(rb, 1) and rb < ra):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] = self.size.get(ra, 1) + self.size.pop(rb, 1)
        return ra


class _Texts:
    """A document's shingle set and shingle hashes, made on demand from a text look-up; the most
    recently used are kept up to a memory budget, so memory does not grow with the corpus."""

    # Bytes per shingle: a str of five words in a frozenset (measured: about 190 for the string on
    # pages with letters beyond Latin-1, stored 2 or 4 bytes a character, and its slot), one uint64.
    SET_BYTES, HASH_BYTES = 230, 8

    def __init__(self, text_of: Callable[[str], str], budget: int = 1024 * 1024):
        self.text_of = text_of
        self._sets, self._hashes = _Recent(budget, self.SET_BYTES), _Recent(budget, self.HASH_BYTES)

    def shingles(self, doc_id: str) -> frozenset[str]:
        return self._sets.get(doc_id, lambda: shingles(self.text_of(doc_id)))

    def hashes(self, doc_id: str) -> np.ndarray:
        return self._hashes.get(doc_id, lambda: _shingle_hashes(_words(self.text_of(doc_id))))


class _Recent:
    """Least-recently-used values of sized things (sets, arrays), up to `budget` estimated bytes."""

    def __init__(self, budget: int, per_item: int):
        self.budget, self.per_item, self.used = budget, per_item, 0
        self.values: OrderedDict[str, object] = OrderedDict()

    def get(self, key: str, make):
        found = self.values.get(key)
        if found is not None:
            self.values.move_to_end(key)
            return found
        found = self.values[key] = make()
        self.used += len(found) * self.per_item
        while self.used > self.budget and len(self.values) > 1:
            _, dropped = self.values.popitem(last=False)
            self.used -= len(dropped) * self.per_item
        return found


def link(candidates: Candidates, text_of: Callable[[str], str], threshold: float = THRESHOLD,
         declared: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> list[NearDuplicate]:
    """The verified pairs that link the candidate groups into sets of near-duplicates.

    Afterwards every candidate pair at or above `threshold` whose documents are not in one declared
    group (`declared`: doc id -> group name, or (doc id, group name) pairs, read once) is linked, through the returned pairs and the declared
    groups; every returned pair is at or above the threshold and not within one declared group. The
    pairs are a spanning forest: at most one fewer than the documents. `text_of` reads a document's
    text when it is first needed.
    """
    links, texts, found = _Links(), _Texts(text_of), []
    by_group: dict[str, str] = {}
    # Any member can stand for its group: which one changes the roots, never what is connected.
    for doc_id, group in declared.items() if isinstance(declared, Mapping) else declared:
        if group is not None:
            links.union(by_group.setdefault(group, doc_id), doc_id)
    for band, group in candidates.groups:
        if len({links.find(m) for m in group}) > 1:
            found += _link_group(band, group, candidates, links, texts, threshold)
    return sorted(found, key=lambda p: (p.a, p.b))


# Within a group, pairs are found by prefix filtering (Chaudhuri et al. 2006; Bayardo et al. 2007,
# with the positional filter of PPJoin, Xiao et al. 2008), which is exact: order the group's
# shingles rarest first; two sets with Jaccard >= t share a shingle among the first
# |A| - ceil(t |A|) + 1 of each, and, at the first shingle they share, the shingles from there on
# bound what they can share in all. Shingles every member has (a page template, a common passage)
# come last in that order, so documents that share only those are never paired: k pages with one
# long passage in common cost about k, not k (k - 1) / 2 checks. The filters read 64-bit shingle
# hashes; the verdict is the exact Jaccard of the shingle strings.

# A group of up to 2 * _BLOCK members is joined at once, ordered by exact shingle counts. A larger
# one (pages of one template meeting in a band: they grow with the corpus) is joined block by
# block, two blocks at a time, so that memory is bounded by the block, not the group: any fixed
# order of shingles keeps the filters exact, and the counts come from a sketch of fixed size
# (count-min: an overestimate, which only moves a shingle later), so every block pair sees one
# order.
_BLOCK = 8
_SKETCH_BITS = 15


def _exact_rarity(hashes: list[np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """How many of the members have each shingle: its place in the join's order."""
    every, counts = np.unique(np.concatenate([np.empty(0, dtype=np.uint64), *hashes]), return_counts=True)
    counts = counts.astype(np.int32)
    return lambda tokens: counts[np.searchsorted(every, tokens)]


def _sketched_rarity(hashes: Iterable[np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """About how many of the members have each shingle (at least as many), in 2 x 2^15 counters."""
    mask = np.uint64((1 << _SKETCH_BITS) - 1)
    rows = np.zeros((2, 1 << _SKETCH_BITS), dtype=np.int32)
    cells = (lambda h: (h & mask).astype(np.intp), lambda h: ((h >> np.uint64(32)) & mask).astype(np.intp))
    for h in hashes:  # a member's hashes are distinct: one count each
        for row, cell in zip(rows, cells):
            row += np.bincount(cell(h), minlength=len(row)).astype(np.int32)
    return lambda tokens: np.minimum(rows[0][cells[0](tokens)], rows[1][cells[1](tokens)])


def _prefix_runs(hashes: list[np.ndarray], threshold: float,
                 rarity: Callable[[np.ndarray], np.ndarray]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """For each shingle in the prefixes of two or more members, in the order of `rarity` (then of
    the hash): the members (their indices, ascending) and how many of each member's shingles lie
    from it to the end."""
    if sum(len(h) for h in hashes) == 0:
        return
    # Memory is a few arrays of the members' shingles at once (32-bit where a count or an index
    # fits), the one part of the corpus check that grows with the members joined.
    tokens, owners, left = [], [], []
    for i, h in enumerate(hashes):
        if not len(h):
            continue
        order = np.lexsort((h, rarity(h)))
        # int() rounds down, so the prefix is never shorter than the filter needs
        size = min(len(h), len(h) - int(threshold * len(h)) + 1)
        tokens.append(h[order[:size]])
        owners.append(np.full(size, i, dtype=np.int32))
        left.append((len(h) - np.arange(size)).astype(np.int32))
    token = np.concatenate(tokens)
    del tokens
    order = np.lexsort((np.concatenate(owners), token, rarity(token)))
    del rarity
    token = token[order]
    owner, rest = np.concatenate(owners)[order], np.concatenate(left)[order]
    del owners, left, order
    # Only the runs of a shingle shared by two or more prefixes are listed (see banded_candidates).
    same = np.concatenate(([False], token[1:] == token[:-1], [False]))
    del token
    edges = np.flatnonzero(same[1:] != same[:-1])
    for start, end in zip(edges[0::2].tolist(), (edges[1::2] + 1).tolist()):
        yield owner[start:end], rest[start:end]


def _joins(group: tuple[str, ...], texts: _Texts) -> Iterator[tuple[list[int], int, Callable]]:
    """The joins that cover every pair of the group: (members, where the second block starts (0:
    one block), rarity). Small groups are one join."""
    if len(group) <= 2 * _BLOCK:
        yield list(range(len(group))), 0, _exact_rarity([texts.hashes(m) for m in group])
        return
    rarity = _sketched_rarity(texts.hashes(m) for m in group)
    starts = range(0, len(group), _BLOCK)
    for a in starts:
        for b in starts:
            if b >= a:
                first = list(range(a, min(a + _BLOCK, len(group))))
                yield (first, 0, rarity) if a == b else (first + list(range(b, min(b + _BLOCK, len(group)))), b, rarity)


def _link_group(band: int, group: tuple[str, ...], candidates: Candidates, links: _Links, texts: _Texts,
                threshold: float) -> list[NearDuplicate]:
    sizes = np.array([len(texts.hashes(m)) for m in group])
    # Jaccard >= t means sharing at least t / (1 + t) (|A| + |B|) shingles; a hair less, for float safety
    share = threshold / (1 + threshold) * (1 - 1e-9)
    found = []
    for members, second, rarity in _joins(group, texts):
        # A pair belongs to one join (its block, or its two blocks), so what was tried is per join.
        tried: set[tuple[int, int]] = set()
        index = np.array(members)
        runs = _prefix_runs([texts.hashes(group[m]) for m in members], threshold, rarity)
        del rarity
        for local, rest in runs:
            owners = index[local]
            keep = rest >= share * (sizes[owners] + sizes[owners].min())
            if keep.sum() < 2 or len({links.find(group[i]) for i in owners[keep]}) < 2:
                continue
            seen: dict[str, list[tuple[int, int]]] = {}  # root -> members met so far in this run
            for y, rest_y in zip(owners[keep].tolist(), rest[keep].tolist()):
                b = group[y]
                for root in list(seen):
                    if root not in seen or root == links.find(b):
                        continue
                    for x, rest_x in seen[root]:
                        if (x, y) in tried or (second and (x >= second) == (y >= second)):
                            continue  # compared already, or in one block: its own join has the pair
                        tried.add((x, y))
                        a = group[x]
                        if min(rest_x, rest_y) < share * (sizes[x] + sizes[y]) or candidates.first_band(a, b) != band:
                            continue  # cannot reach the threshold, or checked in the group of an earlier band
                        score = jaccard(texts.shingles(a), texts.shingles(b))
                        if score >= threshold:
                            found.append(NearDuplicate(a, b, score))
                            merged = seen.pop(root) + seen.pop(links.find(b), [])
                            seen[links.union(a, b)] = merged
                            break
                seen.setdefault(links.find(b), []).append((y, rest_y))
    return found


def components(pairs: Iterable[NearDuplicate]) -> dict[str, str]:
    """doc id -> the smallest id of its linked set, for every document in one of `pairs`."""
    links, seen = _Links(), set()
    for pair in pairs:
        links.union(pair.a, pair.b)
        seen.update((pair.a, pair.b))
    members = sorted(seen)
    smallest: dict[str, str] = {}
    for doc_id in members:
        root = links.find(doc_id)
        smallest[root] = min(smallest.get(root, doc_id), doc_id)
    return {doc_id: smallest[links.find(doc_id)] for doc_id in members}
