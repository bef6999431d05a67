"""Running the per-document checks at scale: over a process pool, in corpus order, with a cache.

Results come back in the order of the documents whatever the number of processes, and a cached
result is the stored copy of what the checks returned, so a run with any `jobs` and with or
without the cache yields the same incidents in the same order.

A large corpus is never held in memory: a checked document is reduced to a `StoredDoc` (where its
files are, their hashes, its split and group, its near-duplicate band keys), which is all the
corpus-wide checks need, and those go to a `Ledger` on disk; the build reads each document again
from its files when it derives it.
"""
from __future__ import annotations

import os
import stat
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from ..incidents import Incident, incident
from ..neardup import Candidates, NearDuplicate, band_keys, banded_candidates, link
from .. import read
from ..read import DocFiles, JsonSource, read_json, relpath
from ..records import Document
from . import consistency
from .cache import ValidationCache, digest, document_key, file_identity, link_key
from .ledger import ChangedSinceValidation, Ledger, StoredDoc
# The order-keeping pool lives with the other engines; these names stay importable from here.
from ..engine.local import AUTO_JOBS_MIN_ITEMS, available_cores, process_map, resolve_jobs  # noqa: F401

if TYPE_CHECKING:
    from ..engine import Engine


# -- an order-keeping map over the engine's workers ------------------------------------------------

def ordered_map(func: Callable[[Any, Any], Any], items: Iterable, jobs: int, context: Any = None,
                chunksize: int = 1, engine: Engine | None = None) -> Iterator:
    """`func(context, item)` for each item, yielded in item order, computed by `jobs` processes,
    or by the workers of `engine` when one is given."""
    count = len(items) if hasattr(items, "__len__") else 0
    with (engine.mapper(context, count) if engine is not None else process_map(jobs, context)) as mapped:
        yield from mapped(func, items, chunksize=chunksize)


# -- the per-document stage ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DocResult:
    incidents: tuple[Incident, ...]
    stored: StoredDoc | None
    document: Document | None  # only when the caller keeps documents in memory
    cached: bool


@dataclass(frozen=True, slots=True)
class CheckContext:
    check: Callable[[DocFiles, frozenset[str], tuple[bytes, bytes] | None],
                    tuple[list[Incident], tuple[JsonSource, Document] | None]]
    versions: frozenset[str]
    cache: ValidationCache | None
    keep_documents: bool


def _plain_files(files: DocFiles) -> tuple[os.stat_result, os.stat_result] | None:
    """Both files' identities, or None when either is missing, not a plain file or over its read
    limit (the checks then read and refuse it themselves, and nothing is cached)."""
    found = []
    for path, limit in zip(files.names, (read.MAX_JSON_BYTES, read.MAX_RAW_BYTES)):
        try:
            st = os.lstat(path) if path is not None else None
        except OSError:
            return None
        if st is None or not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        found.append(st)
    return found[0], found[1]


def _read_both(files: DocFiles, before: tuple[os.stat_result, os.stat_result]
               ) -> tuple[tuple[bytes, bytes], tuple[tuple[str, str, int, str], ...]] | None:
    """Both files' bytes (their identities `before` reading), and the file records the cache may
    keep: (path, identity, when reading began, sha256) of each file that did not change while it
    was read. None when a file cannot be read (the checks then read and refuse it themselves)."""
    started_ns = time.time_ns()
    try:
        data = files.annotation.read_bytes(), files.raw.read_bytes()
    except OSError:
        return None
    after = _plain_files(files) or (None, None)
    records = tuple((path, file_identity(st), started_ns, digest(content))
                    for path, st, st_after, content in zip(files.names, before, after, data)
                    if st_after is not None and file_identity(st) == file_identity(st_after) and len(content) == st.st_size)
    return data, records


def _stored(files: DocFiles, doc: Document, digests: tuple[str, str], size: int, bands: bytes) -> StoredDoc:
    return StoredDoc(files.doc_id, doc.split, doc.near_duplicate_group, *files.names,
                     relpath(files.names[0]), digests, size, bands)


@dataclass(frozen=True, slots=True)
class _Lookup:
    files: DocFiles
    data: tuple[bytes, bytes] | None                 # both files' bytes, read once (None on a hit by identity)
    before: tuple[tuple[str, str], int] | None       # their hashes and the raw size
    key: str | None
    hit: DocResult | None
    hashed: tuple[tuple[str, str, int, str], ...] = ()  # files hashed now, for the cache


def _known(context: CheckContext, files: DocFiles, stats: tuple[os.stat_result, os.stat_result]
           ) -> tuple[tuple[str, str], int] | None:
    """The files' hashes from the cache, when neither changed since it hashed them."""
    known = [context.cache.known_digest(path, st) for path, st in zip(files.names, stats)]
    return None if None in known else ((known[0], known[1]), stats[1].st_size)


def _cached(context: CheckContext, files: DocFiles, before: tuple[tuple[str, str], int]) -> tuple[str, DocResult | None]:
    """The document's cache key for these file hashes, and the stored result under it, if any."""
    names = (relpath(files.names[0]), relpath(files.names[1]))
    key = document_key(context.cache.salt, files.doc_id, names, before[0])
    hit = context.cache.get(key)
    return key, None if hit is None else _decode(hit, files, names[0], before, context.keep_documents)


def _look_up(context: CheckContext, files: DocFiles) -> _Lookup:
    stats = _plain_files(files)
    if stats is None:
        return _Lookup(files, None, None, None, None)
    if context.cache is not None:
        # By identity first: an unchanged file is neither read nor hashed.
        before = _known(context, files, stats)
        if before is not None:
            key, hit = _cached(context, files, before)
            if hit is not None:
                return _Lookup(files, None, before, key, hit)
    read_now = _read_both(files, stats)
    if read_now is None:
        return _Lookup(files, None, None, None, None)
    data, records = read_now
    # The file records hold the digests of files that did not change while read; the others are hashed here.
    digests = {path: sha for path, _, _, sha in records}
    before = tuple(digests.get(path) or digest(content) for path, content in zip(files.names, data)), len(data[1])
    if context.cache is None:
        return _Lookup(files, data, before, None, None, records)
    key, hit = _cached(context, files, before)
    return _Lookup(files, data, before, key, hit, records)


def check_one(context: CheckContext, todo: _Lookup) -> tuple[DocResult, tuple[str, dict] | None]:
    """Run the checks on one document; also return the cache entry to store, if any."""
    files, before = todo.files, todo.before
    incidents, checked = context.check(files, context.versions, todo.data)
    stored = document = None
    if checked is not None and before is not None:
        document = checked[1]
        stored = _stored(files, document, before[0], before[1], band_keys(document.raw_text))
    result = DocResult(tuple(incidents), stored, document if context.keep_documents else None, False)
    # The checks judged the very bytes the key hashes, so the entry names the content it is about.
    entry = (todo.key, _encode(result)) if todo.key is not None else None
    return result, entry


def _encode(result: DocResult) -> dict:
    stored = result.stored
    return {
        "incidents": [list(asdict(i).values()) for i in result.incidents],
        "passed": None if stored is None else {
            "split": stored.split, "group": stored.near_duplicate_group, "bands": stored.bands.hex()},
    }


def _decode(value: dict, files: DocFiles, where: str, before: tuple[tuple[str, str], int], keep: bool) -> DocResult:
    incidents = tuple(Incident(*row) for row in value["incidents"])
    passed = value["passed"]
    if passed is None:
        return DocResult(incidents, None, None, True)
    stored = StoredDoc(files.doc_id, passed["split"], passed["group"], *files.names,
                       where, before[0], before[1], bytes.fromhex(passed["bands"]))
    return DocResult(incidents, stored, stored.load() if keep else None, True)


def look_up_or_check(context: CheckContext, files: DocFiles) -> tuple[DocResult, tuple[str, dict] | None, tuple]:
    """One document's result: from the cache when its files are unchanged, else checked now; also
    the cache entry to store and the file hashes to remember."""
    todo = _look_up(context, files)
    if todo.hit is not None:
        return todo.hit, None, todo.hashed
    return (*check_one(context, todo), todo.hashed)


def check_documents(docs: Iterable[DocFiles], context: CheckContext, jobs: int | None, progress=None,
                    engine: Engine | None = None) -> Iterator[DocResult]:
    """Every document's result, in the order of `docs` (a list or a discovery's listing: either has
    a length); new results are written to the cache.

    Worker processes look up the cache as well as check: hashing the files is a large part of a
    run, warm or cold, and it is spread over the processes like the checks.
    """
    workers = engine.workers(len(docs)) if engine is not None else resolve_jobs(jobs, len(docs))
    chunk = max(1, min(32, len(docs) // (workers * 8)))
    pending: list[tuple[str, dict]] = []
    hashed: list[tuple[str, str, int, str]] = []
    for result, entry, files_hashed in ordered_map(look_up_or_check, docs, workers, context, chunksize=chunk, engine=engine):
        if entry is not None:
            pending.append(entry)
        if context.cache is not None:
            hashed.extend(files_hashed)
        if len(pending) >= 2000 or len(hashed) >= 4000:
            context.cache.put_many(pending)
            context.cache.put_files(hashed)
            pending.clear()
            hashed.clear()
        if progress is not None:
            progress.advance()
        yield result
    if pending or hashed:
        context.cache.put_many(pending)
        context.cache.put_files(hashed)


# -- the corpus-wide stage on stored documents -------------------------------------------------

class _LazySource:
    """An annotation file's name, and its JSON locations parsed only when an incident needs one."""

    __slots__ = ("where", "_path")

    def __init__(self, stored: StoredDoc):
        self.where = stored.where
        self._path = stored.annotation  # text: one is made per document, and few are ever read

    def locate(self, pointer: str, key: bool = False) -> tuple[int, int]:
        source, _ = read_json(Path(self._path))
        return source.locate(pointer, key) if source is not None else (1, 1)


class _StandIns(Mapping):
    """doc id -> (locator, stored document) for `consistency.check_corpus`, read from the ledger
    when asked: the checks look up only the documents an incident is about."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def __getitem__(self, doc_id: str) -> tuple[_LazySource, StoredDoc]:
        stored = self.ledger.get(doc_id)
        if stored is None:
            raise KeyError(doc_id)
        return _LazySource(stored), stored

    def __iter__(self) -> Iterator[str]:
        return self.ledger.ids()

    def __len__(self) -> int:
        return len(self.ledger)


def corpus_incidents(ledger: Ledger, released: dict[str, str], cache: ValidationCache | None = None) -> list[Incident]:
    """The checks of `consistency.check_corpus`, run on stored documents without their texts.

    Near-duplicates: the LSH candidate groups come from the stored band keys, one band at a time,
    and a document's raw text is read only when a candidate pair outside one declared group needs
    its exact check; a file that changed since it was validated is reported, not read. With a
    `cache`, the verified pairs of the same candidates, raw texts and groups are replayed.
    """
    groups = banded_candidates(ledger.band_column, ledger.bands(), len(ledger), ledger.ids_at,
                               lambda doc_id: ledger.get(doc_id).bands)
    changed: dict[str, StoredDoc] = {}
    linker = link if cache is None else _replaying_link(cache, ledger, changed)
    found = consistency.check_corpus(_StandIns(ledger), released, lambda doc_id: _text(ledger, doc_id, changed),
                                     groups, lambda: ((_LazySource(s), s) for s in ledger.grouped()), linker)
    return found + [_changed(s) for _, s in sorted(changed.items())]


def _replaying_link(cache: ValidationCache, ledger: Ledger, changed: dict[str, StoredDoc]) -> consistency.Linker:
    """`neardup.link`, replayed from the cache when its inputs are the ones of an earlier run: the
    exact checks of large template groups are most of a warm run, and editing an annotation
    changes none of their inputs."""
    def member(doc_id: str) -> tuple[str, str | None]:
        stored = ledger.get(doc_id)
        return stored.digests[1], stored.near_duplicate_group

    def linked(groups: Candidates, text_of: Callable[[str], str], threshold: float,
               declared: Iterable[tuple[str, str]]) -> list[NearDuplicate]:
        if not groups.groups:
            return []  # no candidates: nothing to check, nothing worth a cache entry
        key = link_key(cache.salt, threshold, groups.groups, member)
        replayed = _decode_pairs(cache.get(key))
        if replayed is not None:
            return replayed
        pairs = link(groups, text_of, threshold, declared)
        if not changed:  # a text that could not be read is a verdict of this run only
            cache.put_many([(key, {"pairs": [[p.a, p.b, p.jaccard] for p in pairs]})])
        return pairs
    return linked


def _decode_pairs(value: dict | None) -> list[NearDuplicate] | None:
    rows = value.get("pairs") if isinstance(value, dict) else None
    if not isinstance(rows, list):
        return None
    pairs = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str) and isinstance(row[1], str)
                and isinstance(row[2], float)):
            return None  # not an entry this code wrote: the link runs again
        pairs.append(NearDuplicate(*row))
    return pairs


def _text(ledger: Ledger, doc_id: str, changed: dict[str, StoredDoc]) -> str:
    """A candidate's raw text; an empty one (no shingle, so never a match) for a file that changed
    since it was validated, which is then reported."""
    stored = ledger.get(doc_id)
    try:
        return stored.text()
    except ChangedSinceValidation:
        changed[doc_id] = stored
        return ""


def _changed(stored: StoredDoc) -> Incident:
    return incident("NS120", relpath(stored.raw), 1, 1,
                    f"{relpath(stored.raw)} changed while the corpus was being validated, so its near-duplicate check did not run",
                    "validate again once nothing is writing to the corpus (an editor, a sync or a checkout still running)")
