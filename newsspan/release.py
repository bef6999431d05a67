"""The main job's second half: from a clean validation report to a published `dist/<version>/`."""
from __future__ import annotations

import hashlib
import heapq
import json
import os
import re
import shutil
import sys
import tomllib
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Iterable, Iterator

import pyarrow as pa

from .derive import derive_all
from .features import CONFIGS
from .read import parse_json
from .records import SPLITS, Document
from .versions import VersionRefused, is_released, select
from .checksum import drop, intact, intact_data, intact_size, record_as
from .validate.cache import BuildCache, piece_key
from .validate.ledger import ChangedSinceValidation, StoredDoc, StoredDocuments
from .validate.parallel import process_map, resolve_jobs
from .write import (METADATA_KEY, BuildRefused, build_lock, clean_stale_staging, plan_shards, publish, read_manifest,
                    record_batches, restamped, sha256_file, shard_path, stable_runs, staging_dir, write_parquet)

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SCHEMA = REPO / "schema" / "annotation.schema.json"
DIST = REPO / "dist"
NAME = "NewsSpan"
LIBRARIES = ("datasets", "pyarrow", "jsonschema", "datasketch")


@dataclass(frozen=True, slots=True)
class Fingerprints:
    source: str  # every input file and the schema
    code: str    # the package that turns inputs into rows


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str
    sha256: str
    bytes: int
    rows: int | None
    config: str | None = None
    split: str | None = None
    arrow_bytes: int | None = None  # a shard's rows in memory (card.arrow_bytes)


def project_version(repo: Path = REPO) -> str:
    return tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def require_changelog(version: str, repo: Path = REPO) -> str:
    """The release date of `version` from its CHANGELOG.md entry; refuse a version without one."""
    path = repo / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    entry = re.search(rf"^## \[?{re.escape(version)}\]? \((\d{{4}}-\d{{2}}-\d{{2}})\)\s*$", text, re.M)
    if entry:
        return entry.group(1)
    raise BuildRefused(f"CHANGELOG.md has no entry for version {version}: cut versions with "
                       "python3 build_dataset.py release --patch|--minor|--major, which writes the version and the entry "
                       "(patch: same records, minor: records added, major: records changed)")


def _tree_hash(named: dict[str, Path | str]) -> str:
    """Hash of (name, content hash) pairs: independent of where the checkout lives."""
    return _sorted_tree_hash((name, sha256_file(named[name])) for name in sorted(named))


def _sorted_tree_hash(pairs: Iterable[tuple[str, str]]) -> str:
    """`_tree_hash` of (name, content hash) pairs already sorted by name."""
    digest = hashlib.sha256()
    for name, content in pairs:
        digest.update(f"{name}\0{content}\n".encode())
    return digest.hexdigest()


def fingerprints(corpus: Path = CORPUS, only: Collection[str] | None = None) -> Fingerprints:
    """With `only`, the source is the files of those documents: a page that the version leaves out
    (see versions.py) changes no byte of it. Validated documents: `stored_fingerprints`."""
    # Paths as text: two `Path` objects per document cost the main process seconds at 100k.
    inputs = {f"corpus/{d}/{name}": os.path.join(corpus, d, name) for d in ("raw", "annotations")
              for name in _file_names(corpus / d) if only is None or name.split(".")[0] in only}
    inputs.update(_other_inputs(corpus))
    return Fingerprints(_tree_hash(inputs), _code_fingerprint())


def _other_inputs(corpus: Path) -> dict[str, Path]:
    found = {}
    if (corpus / "released_splits.json").is_file():
        found["corpus/released_splits.json"] = corpus / "released_splits.json"
    found["schema/annotation.schema.json"] = SCHEMA
    return found


def _code_fingerprint() -> str:
    return _tree_hash({p.relative_to(REPO).as_posix(): p for p in (REPO / "newsspan").rglob("*.py")})


def stored_fingerprints(corpus: Path, documents: StoredDocuments) -> Fingerprints:
    """`fingerprints` of the validated documents, streamed from the ledger in name order with the
    hashes validation computed: the same value, without a list of the corpus's files in memory.
    Each document is refused later if its files changed since (`StoredDoc.load`)."""
    def folder(name: str) -> Iterator[tuple[str, str]]:
        expected = os.path.join(corpus, name)
        for file_name, path, sha in documents.files(name):
            # a document validated elsewhere than `corpus` is hashed where the build reads it from
            same = os.path.dirname(path) == expected
            yield f"corpus/{name}/{file_name}", sha if same else sha256_file(os.path.join(expected, file_name))

    others = sorted((name, sha256_file(path)) for name, path in _other_inputs(corpus).items())
    pairs = heapq.merge(folder("annotations"), folder("raw"), others)
    return Fingerprints(_sorted_tree_hash(pairs), _code_fingerprint())


def _file_names(folder: Path) -> list[str]:
    """The names of the files of a folder, hidden ones left out (as `glob("*")`), without a stat
    per file where the listing says its type."""
    if not folder.is_dir():
        return []
    with os.scandir(folder) as entries:
        return [e.name for e in entries if not e.name.startswith(".") and e.is_file()]


_BUMP = ("a released version never changes, not even with --force: cut a new one with "
         "python3 build_dataset.py release --minor (records added) or --major (records changed), see CONTRIBUTING.md")


def _refusal(target: Path, released: bool) -> str:
    if released:
        return (f"{_BUMP}. If {target} is only a local build that was never published, delete it and build again")
    return "this version is not released yet: pass --force to overwrite the build, or cut a new version"


def _check_inputs(target: Path, prints: Fingerprints, force: bool, released: bool) -> None:
    if not target.exists() or (force and not released):
        return
    manifest = read_manifest(target) or {}
    if manifest.get("source_fingerprint") != prints.source:
        raise BuildRefused(f"{target} was built from different inputs; {_refusal(target, released)}")


def _check_same_data(target: Path, files: list["OutputFile"], force: bool, released: bool) -> None:
    """Same inputs but changed code: allowed only when the data files come out identical."""
    if not target.exists() or (force and not released):
        return
    before = {f["path"]: f["sha256"] for f in (read_manifest(target) or {}).get("files", []) if f["path"].startswith("data/")}
    after = {f.path: f.sha256 for f in files}
    if before != after:
        changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        raise BuildRefused(f"{target}: the code now derives different data from the same inputs "
                           f"({', '.join(changed[:3])}{' ...' if len(changed) > 3 else ''}); {_refusal(target, released)}")


def version_documents(documents: Mapping[str, Document], version: str, corpus: Path = CORPUS) -> tuple[Mapping[str, Document], tuple[str, ...]]:
    """The documents version `version` holds (see versions.py), and the valid ones left out."""
    try:
        chosen = select(documents, version, corpus, REPO)
    except VersionRefused as err:
        raise BuildRefused(str(err)) from None
    if not chosen.left_out:
        return documents, ()
    if isinstance(documents, StoredDocuments):
        return documents.narrowed(chosen.keep), chosen.left_out
    return {d: documents[d] for d in documents if d in chosen.keep}, chosen.left_out


def rows_by_split(documents: dict[str, Document]) -> dict[str, dict[str, list[dict]]]:
    """config -> split -> rows, documents in id order so that rows have a stable order."""
    table: dict[str, dict[str, list[dict]]] = {c: {s: [] for s in SPLITS} for c in CONFIGS}
    for doc_id in sorted(documents):
        doc = documents[doc_id]
        for config, rows in derive_all(doc).items():
            table[config][doc.split].extend(rows)
    return table


def library_versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0]}
    for name in LIBRARIES:
        found[name] = metadata.version(name)
    return found


# -- streaming the rows into shards --------------------------------------------------------------
# The build runs in two passes over pieces of about a megabyte of raw text (whole documents, in id
# order, inside one shard):
# 1. derive: each piece's documents are read once and turned into the rows of all four configs,
#    kept as Arrow IPC files (in the build cache under the hash of the piece's documents and the
#    code, or in a scratch folder without a cache). A rebuild derives again only the pieces whose
#    documents changed.
# 2. encode: each (config, split, shard) Parquet file is written from its pieces' IPC files, row
#    group by row group. The Parquet files are encoded again whole: each one carries the corpus
#    fingerprint, and a Parquet file cannot be patched in place.
# Both passes are independent tasks that worker processes can take; the files come out the same,
# and memory holds about one piece or one row group per process, never the corpus.

CACHE_PIECE_RAW_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class MemoryDoc:
    """A document already in memory, in the shape of a `StoredDoc` as far as the build needs."""
    document: Document

    @property
    def doc_id(self) -> str:
        return self.document.doc_id

    @property
    def split(self) -> str:
        return self.document.split

    @property
    def raw_bytes(self) -> int:
        return len(self.document.raw_text.encode("utf-8"))

    def load(self) -> Document:
        return self.document


@dataclass(frozen=True, slots=True)
class Piece:
    name: str  # unique in a build: the file stem of its rows in the scratch folder
    cache_key: str | None  # None for documents held in memory, which have no file hashes
    count: int
    raw_bytes: int
    # Documents on disk are named by (split, first id, last id) and read from the ledger only when
    # the piece is sent to be derived: the build plan does not hold the corpus.
    span: tuple[str, str, str] | None = None
    docs: tuple[StoredDoc | MemoryDoc, ...] = ()

    def cache_entry(self, config: str) -> str:
        return f"{self.cache_key}-{config}"

    def rows_path(self, job: _BuildJob, config: str) -> Path:
        if job.cache is not None and self.cache_key is not None:
            return job.cache.path(self.cache_entry(config))
        return job.scratch / f"{self.name}.{config}.arrow"

    def with_docs(self, documents: Mapping[str, Document]) -> Piece:
        """The piece with its documents, read from the ledger if it names them by span."""
        if self.span is None or len(self.docs) == self.count:
            return self
        return replace(self, docs=tuple(documents.stored_span(*self.span)))


@dataclass(frozen=True, slots=True)
class ShardTask:
    config: str
    split: str
    path: str
    pieces: tuple[Piece, ...]

    @property
    def raw_bytes(self) -> int:
        return sum(piece.raw_bytes for piece in self.pieces)


@dataclass(frozen=True, slots=True)
class _BuildJob:
    staging: Path
    scratch: Path
    extra: dict[str, str]
    cache: BuildCache | None
    derived: frozenset[str] = frozenset()  # pieces the derive pass writes (the others feed kept shards)


def _split_refs(documents: Mapping[str, Document], split: str) -> Iterator[StoredDoc | MemoryDoc]:
    """A split's documents in id order: streamed from the ledger, or from memory."""
    if isinstance(documents, StoredDocuments):
        return documents.stored_docs(split)
    return (MemoryDoc(documents[doc_id]) for doc_id in sorted(documents) if documents[doc_id].split == split)


def _pieces(docs: list[StoredDoc | MemoryDoc], code: str, prefix: str, split: str) -> tuple[Piece, ...]:
    found = []
    for i, run in enumerate(plan_shards([d.raw_bytes for d in docs], CACHE_PIECE_RAW_BYTES)):
        members = tuple(docs[j] for j in run)
        # Stored documents are named by their span and read again when sent; others are carried.
        stored = bool(members) and all(isinstance(d, StoredDoc) for d in members)
        key = piece_key(code, [d.content_digest for d in members]) if stored else None
        span = (split, members[0].doc_id, members[-1].doc_id) if stored else None
        found.append(Piece(f"{prefix}-{i:05d}", key, len(members), sum(d.raw_bytes for d in members), span,
                           () if stored else members))
    return tuple(found)


def plan_tasks(documents: Mapping[str, Document], code: str) -> list[ShardTask]:
    """Every shard to write, config by config, split by split; documents in id order. The shards
    of one split hold the same documents in every config, and so share their pieces. Documents
    on disk are read as a stream, a shard at a time."""
    shards: dict[str, list[tuple[Piece, ...]]] = {}
    for split in SPLITS:
        runs = stable_runs(_split_refs(documents, split), lambda r: (r.doc_id, r.raw_bytes))
        shards[split] = [_pieces(run, code, f"{split}-{i:05d}", split) for i, run in enumerate(runs)]
    return [ShardTask(config, split, shard_path(config, split, i, len(shards[split])), pieces)
            for config in CONFIGS for split in SPLITS for i, pieces in enumerate(shards[split])]


def all_pieces(tasks: list[ShardTask]) -> list[Piece]:
    """Every piece once: the shards of all configs share them."""
    return [piece for task in tasks if task.config == tasks[0].config for piece in task.pieces]


def derive_piece(job: _BuildJob, piece: Piece) -> bool:
    """Write the rows of every config of a piece's documents, each document read once; False when
    all were in the cache already."""
    targets = {config: piece.rows_path(job, config) for config in CONFIGS}
    if all([intact(path) for path in targets.values()]):  # each checked: a damaged entry is dropped, derived again
        return False
    if len(piece.docs) != piece.count:
        raise RuntimeError(f"{piece.name} was sent to be derived without its documents")
    rows: dict[str, list[dict]] = {config: [] for config in CONFIGS}
    for ref in piece.docs:
        try:
            doc = ref.load()
        except ChangedSinceValidation as err:
            raise BuildRefused(str(err)) from None
        for config, found in derive_all(doc).items():
            rows[config].extend(found)
    for config, path in targets.items():
        _write_rows(path, rows[config], CONFIGS[config].arrow_schema)
    return True


def _write_rows(path: Path, rows: list[dict], schema: pa.Schema) -> None:
    """Rows as an Arrow IPC file, written under a temporary name then renamed: a reader never sees
    half a file, even after a killed build."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with pa.OSFile(str(partial), "wb") as sink, \
                pa.ipc.new_file(sink, schema, options=pa.ipc.IpcWriteOptions(compression=None)) as writer:
            for batch in record_batches(rows, schema):
                writer.write_batch(batch)
        record_as(partial, path)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _piece_batches(path: Path) -> Iterator[pa.RecordBatch]:
    with pa.OSFile(str(path)) as source:
        reader = pa.ipc.open_file(source)
        for i in range(reader.num_record_batches):
            yield reader.get_batch(i)


def shard_key(task: ShardTask) -> str | None:
    """The build-cache key of a shard's encoded file: its config and the keys of its pieces (which
    hold the code, the pyarrow version and the documents' contents); None if a piece has none.
    Not its file name: that holds the number of shards, which a new document may change."""
    if not all(piece.cache_key for piece in task.pieces):
        return None
    return "shard-" + piece_key("parquet-2", [task.config, *(piece.cache_key for piece in task.pieces)])


def write_shard(job: _BuildJob, task: ShardTask) -> tuple[OutputFile, dict[str, Counter]] | None:
    """Write one Parquet shard from the derived rows of its pieces; also return the card's label
    counts of those rows, counted on the way. A shard whose rows are in the build cache already
    (same config, same pieces) is taken from there (see `_kept_shard`), not encoded again."""
    from .card import add_counts, arrow_bytes, batch_label_counts

    key = shard_key(task) if job.cache is not None else None
    kept = _kept_shard(job, task, key) if key is not None else None
    if kept is not None:
        return kept
    counts: dict[str, Counter] = {}

    def counted(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            add_counts(counts, batch_label_counts(task.config, batch))
            yield batch

    for piece in task.pieces:
        # Left out of the derive pass when the shard was expected from the cache (see _write_data),
        # but the kept shard turned out damaged: its rows are checked, and derived if they must be
        # (the task comes back for its documents first when it was sent without them).
        if piece.name not in job.derived and not intact(piece.rows_path(job, task.config)):
            if len(piece.docs) != piece.count:
                return None
            derive_piece(job, piece)
    batches = (b for piece in task.pieces for b in _piece_batches(piece.rows_path(job, task.config)))
    rows = write_parquet(job.staging / task.path, counted(batches), CONFIGS[task.config], job.extra)
    done = _describe(job.staging, task.path, rows, task.config, task.split, arrow_bytes(job.staging / task.path))
    if key is not None:
        _keep_shard(job, key, done, counts)
    return done, counts


def _keep_shard(job: _BuildJob, key: str, done: OutputFile, counts: dict[str, Counter]) -> None:
    """Keep an encoded shard in the build cache, with what reusing it needs: the metadata value it
    carries, its hash and rows, and its label counts (in their order, so totals add up the same)."""
    about = {"metadata": job.extra[METADATA_KEY], "sha256": done.sha256, "rows": done.rows,
             "arrow_bytes": done.arrow_bytes, "counts": [[layer, list(c.items())] for layer, c in counts.items()]}
    # (The cache names every entry `<key>.arrow`; these two hold a Parquet file and a JSON record.)
    _put_atomically(job.cache.path(key), lambda partial: _link_or_copy(job.staging / done.path, partial))
    _put_atomically(job.cache.path(f"{key}-about"), lambda partial: partial.write_text(json.dumps(about), encoding="utf-8"))


def _put_atomically(path: Path, write) -> None:
    """`write(partial)` then rename: a reader never sees half an entry, even after a killed build."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    if path.is_dir() and not path.is_symlink():  # a folder where an entry goes: damage, dropped
        drop(path)
    try:
        write(partial)
        record_as(partial, path)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _link_or_copy(source: Path, target: Path) -> None:
    """`target` becomes the file `source` is, as a hard link: nothing is written, and both names stay
    valid if either is removed. Neither is ever written in place (the cache and the release both
    replace whole files by renaming), so sharing one inode is safe. A copy across filesystems."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _kept_shard(job: _BuildJob, task: ShardTask, key: str) -> tuple[OutputFile, dict[str, Counter]] | None:
    """The shard from the build cache; None when it is not there or does not match its record (it
    is then encoded). A shard of the same version carries the same metadata, so its bytes are the
    ones encoding would give: it is checked against its recorded sha256 and linked, not written.
    One of another version is restamped with this build's metadata, in memory."""
    path, side = job.cache.path(key), job.cache.path(f"{key}-about")
    if not intact(side):  # checked: a damaged record is dropped, the shard encoded again
        return None
    try:
        parsed, problems = parse_json(side.read_bytes(), side.name)
        if problems:
            return None
        about = parsed.value
        counts = {layer: Counter(dict(items)) for layer, items in about["counts"]}
        rows, in_memory, recorded = about["rows"], about["arrow_bytes"], about["sha256"]
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (rows, in_memory)):
            return None
        target = job.staging / task.path
        if about["metadata"] == job.extra[METADATA_KEY]:
            found = intact_size(path, recorded)  # checked: a damaged entry is dropped
            if found is None:
                return None
            _link_or_copy(path, target)
            return OutputFile(task.path, recorded, found, rows, task.config, task.split, in_memory), counts
        data = intact_data(path)  # checked: a damaged entry is dropped, encoded again
        patched = restamped(data, about["metadata"], job.extra[METADATA_KEY]) if data is not None else None
        if patched is None:
            return None
        kept_sha, new_sha = _two_digests(data, patched)
        if kept_sha != recorded:
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(patched)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return OutputFile(task.path, new_sha, len(patched), rows, task.config, task.split, in_memory), counts


def _two_digests(kept: bytes, patched: bytes) -> tuple[str, str]:
    """sha256 of the kept file and of its restamped copy, which differ in the footer only: the
    common head is hashed once (the data pages are nearly all of a shard)."""
    same = len(kept) - int.from_bytes(kept[-8:-4], "little") - 8  # where the footer starts
    if len(kept) != len(patched) or not 0 <= same <= len(kept) or kept[:same] != patched[:same]:
        return hashlib.sha256(kept).hexdigest(), hashlib.sha256(patched).hexdigest()
    head = hashlib.sha256(memoryview(kept)[:same])
    tail = head.copy()
    head.update(memoryview(kept)[same:])
    tail.update(memoryview(patched)[same:])
    return head.hexdigest(), tail.hexdigest()


# Relative cost of encoding a config's rows from the same raw text (measured: `documents` holds the
# raw and the clean text, the largest columns to compress).
_CONFIG_COST = {"documents": 1.0, "blocks": 0.7, "ner": 0.5, "quotes": 0.15}


def _in_cache(job: _BuildJob, task: ShardTask) -> bool:
    """Whether the build cache holds the shard's file and record (checked when it is used)."""
    key = shard_key(task) if job.cache is not None else None
    return key is not None and job.cache.path(key).is_file() and job.cache.path(f"{key}-about").is_file()


def _cost(task: ShardTask) -> float:
    return _CONFIG_COST.get(task.config, 1.0) * task.raw_bytes


def _with_docs(task: ShardTask, documents: Mapping[str, Document]) -> ShardTask:
    return replace(task, pieces=tuple(piece.with_docs(documents) for piece in task.pieces))


def _write_data(staging: Path, tasks: list[ShardTask], documents: Mapping[str, Document], version: str,
                jobs: int | None, cache: BuildCache | None, progress=None,
                engine=None) -> tuple[list[OutputFile], dict[str, Counter]]:
    """Write every shard; return the files in plan order and the card's label counts of all rows."""
    from .card import add_counts

    # The version only, not the corpus fingerprint (which is in the manifest and the card): a shard
    # whose rows did not change is then the same file in the next build of the version.
    extra = {METADATA_KEY: json.dumps({"version": version}, sort_keys=True)}
    pieces = all_pieces(tasks)
    workers = resolve_jobs(jobs, sum(p.count for p in pieces)) if len(tasks) > 1 else 1
    # The scratch folder is a `.tmp-` sibling of the releases: a killed build's is swept up.
    job = _BuildJob(staging, staging_dir(staging.parent, "pieces"), extra, cache)
    # Pieces only feed shards that are encoded: those of shards the cache holds are not derived
    # (nor their cached rows read to be checked). A kept shard found damaged derives its own.
    kept = {i for i, task in enumerate(tasks) if _in_cache(job, task)}
    needed = {piece.name for i, task in enumerate(tasks) if i not in kept for piece in task.pieces}
    to_derive = [piece for piece in pieces if piece.name in needed]
    job = replace(job, derived=frozenset(needed))
    if progress is not None:
        progress.total = len(to_derive) + len(tasks)
    try:
        with (engine.mapper(job, len(pieces)) if engine is not None else process_map(workers, job)) as mapped:
            # Pieces on disk get their documents as they are sent: a window of them at a time.
            for _ in mapped(derive_piece, (piece.with_docs(documents) for piece in to_derive)):
                if progress is not None:
                    progress.advance()
            # Shards to encode first, largest first, then the kept ones (a copy each, cheap), so that
            # no worker is left with a long encode at the end; the files are listed in plan order
            # whatever order they were written in.
            order = sorted(range(len(tasks)), key=lambda i: (i in kept, -_cost(tasks[i])))
            written: list[tuple[OutputFile, dict[str, Counter]] | None] = [None] * len(tasks)
            for i, done in zip(order, mapped(write_shard, [tasks[i] for i in order])):
                written[i] = done
                if progress is not None and done is not None:
                    progress.advance()
            # A kept shard found damaged whose pieces were not derived: sent again with its documents.
            again = [i for i in order if written[i] is None]
            for i, done in zip(again, mapped(write_shard, [_with_docs(tasks[i], documents) for i in again])):
                written[i] = done
                if progress is not None:
                    progress.advance()
    finally:
        shutil.rmtree(job.scratch, ignore_errors=True)
    counts: dict[str, Counter] = {}
    for i in order:
        add_counts(counts, written[i][1])
    files = [done[0] for done in written]
    if cache is not None:
        shards = [key for key in map(shard_key, tasks) if key is not None]
        cache.keep_only([p.cache_entry(config) for p in pieces if p.cache_key for config in CONFIGS]
                        + shards + [f"{key}-about" for key in shards])
    return files, counts


def split_rows(files: list[OutputFile]) -> dict[str, dict[str, int]]:
    """config -> split -> number of rows, from the written shards."""
    return {config: {split: sum(f.rows for f in files if f.config == config and f.split == split) for split in SPLITS}
            for config in CONFIGS}


def _describe(staging: Path, rel: str, rows: int | None, config=None, split=None, in_memory: int | None = None) -> OutputFile:
    path = staging / rel
    return OutputFile(rel, sha256_file(path), path.stat().st_size, rows, config, split, in_memory)


def build_release(documents: Mapping[str, Document], out_root: Path = DIST, force: bool = False,
                  corpus: Path = CORPUS, *, jobs: int | None = 1, cache: BuildCache | None = None,
                  progress=None, engine=None) -> Path:
    """Write every config to a staging folder, then publish it as `out_root/<version>` atomically.

    `documents` may be a `StoredDocuments` (read from their files one at a time). `jobs` processes
    write the shards and `cache` keeps their rows for the next build; neither changes a byte, nor
    does an `engine` (`newsspan.engine`) whose workers derive the rows and encode the shards
    (`jobs` is then ignored). The card, Croissant, manifest and publication stay in this process.
    """
    from .card import render_card
    from .croissant import croissant_metadata

    version = project_version()
    released_on = require_changelog(version)
    documents, _ = version_documents(documents, version, corpus)
    released = is_released(version, corpus, REPO)
    prints = (stored_fingerprints(corpus, documents) if isinstance(documents, StoredDocuments)
              else fingerprints(corpus, set(documents)))
    target = out_root / version
    with build_lock(out_root):
        clean_stale_staging(out_root)
        _check_inputs(target, prints, force, released)
        staging = staging_dir(out_root, version)
        try:
            tasks = plan_tasks(documents, prints.code)
            if progress is not None:
                progress.total = len(all_pieces(tasks)) + len(tasks)
            files, counts = _write_data(staging, tasks, documents, version, jobs, cache, progress, engine)
            _check_same_data(target, files, force, released)
            card = render_card(version, prints.source, split_rows(files), counts, files,
                               {f.path: f.arrow_bytes for f in files if f.config},
                               citation(version))
            (staging / "README.md").write_text(card, encoding="utf-8")
            files.append(_describe(staging, "README.md", None))
            croissant = croissant_metadata(staging, version=version, files=[_file_dict(f) for f in files if f.config],
                                           name=NAME, description=_summary(), license_url=LICENSE_URL,
                                           citation=citation(version), creator=CREATOR, date_published=released_on)
            (staging / "croissant.json").write_text(json.dumps(croissant, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                                    encoding="utf-8")
            files.append(_describe(staging, "croissant.json", None))
            _write_manifest(staging, version, prints, files)
            publish(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target


def _file_dict(f: OutputFile) -> dict:
    return {"path": f.path, "sha256": f.sha256, "bytes": f.bytes, "rows": f.rows, "config": f.config, "split": f.split}


def _write_manifest(staging: Path, version: str, prints: Fingerprints, files: list[OutputFile]) -> None:
    manifest = {
        "name": NAME,
        "version": version,
        "source_fingerprint": prints.source,
        "code_fingerprint": prints.code,
        "files": [{k: v for k, v in _file_dict(f).items() if v is not None} for f in sorted(files, key=lambda f: f.path)],
        "libraries": library_versions(),
    }
    (staging / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


CREATOR = "NewsSpan maintainers"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"


def _summary() -> str:
    return ("NewsSpan: scraped news pages kept byte-exact, with character-level boilerplate spans, "
            "named-entity mentions and quotations (speaker, cue) as standoff annotations.")


def citation(version: str) -> str:
    return (f"@misc{{newsspan,\n  title = {{NewsSpan: an annotated corpus of scraped news pages}},\n"
            f"  author = {{{{{CREATOR}}}}},\n  year = {{2026}},\n  note = {{Version {version}}}\n}}")
