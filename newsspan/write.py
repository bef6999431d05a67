"""Stage 4, write: deterministic Parquet shards and an atomically published release folder."""
from __future__ import annotations

import base64
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import shutil
import tempfile
from contextlib import contextmanager
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from .outputs import make_readable
from .read import read_outside_json

T = TypeVar("T")

if TYPE_CHECKING:  # only for annotations: importing datasets costs every command a second
    from datasets import Features

# A shard holds whole documents, about SHARD_RAW_BYTES of raw text (a quarter to four times
# that): small enough that two cores share the encoding of even a small corpus and that an edit
# re-encodes little, large enough that a 100k-document corpus is a few hundred files. Where a shard
# ends is decided by the documents' ids and sizes (see stable_runs), so that adding or removing a
# document moves the boundaries of its own shard only, and editing an annotation moves none.
SHARD_RAW_BYTES = 8 * 1024 * 1024
ROW_GROUP_ROWS = 1_000
ROWS_PER_BATCH = 200  # rows turned from Python objects into Arrow at a time (a document row can be 100 KB)
_RENAME_EXCHANGE = 2  # linux/fs.h


class BuildRefused(Exception):
    """The build cannot go ahead; the message says why and what to do."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def shard_path(config: str, split: str, index: int, count: int) -> str:
    return f"data/{config}/{split}-{index:05d}-of-{count:05d}.parquet"


def plan_shards(sizes: list[int], limit: int | None = None) -> list[range]:
    """Consecutive runs of documents (by position) whose raw sizes add up to at most `limit`
    (default SHARD_RAW_BYTES); always at least one run, empty for no documents."""
    limit = limit or SHARD_RAW_BYTES
    runs, start, total = [], 0, 0
    for i, size in enumerate(sizes):
        if i > start and total + size > limit:
            runs.append(range(start, i))
            start, total = i, 0
        total += size
    runs.append(range(start, len(sizes)))
    return runs


def is_anchor(doc_id: str, size: int, target: int) -> bool:
    """Whether a shard may end after this document: a property of its id and raw size alone, with
    a chance proportional to its size (one per 3/4 of the target, in raw bytes), so that runs are
    about the target whatever the pages' sizes."""
    value = int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big")
    return value < (size << 64) // max(1, target * 3 // 4)


def stable_runs(items: Iterable[T], key: Callable[[T], tuple[str, int]], target: int | None = None) -> Iterator[list[T]]:
    """Consecutive runs of documents (in id order; `key` gives an item's id and raw size) of about
    `target` raw bytes (SHARD_RAW_BYTES): a run ends after an anchor document once it holds a
    quarter of the target, or before the document that would take it past four times the target
    (rare: a chance of about e^-5). Always at least one run, empty for no documents; read as a
    stream, so a corpus on disk is planned one run at a time.

    Content-defined cutting (as in rsync or restic, on ids instead of bytes): a boundary depends
    on the documents just before it, not on everything from the start, so a document added or
    removed changes its own run and rarely the next one, and the runs are found again after it.
    """
    target = target or SHARD_RAW_BYTES
    run: list[T] = []
    total, ended = 0, False
    for item in items:
        doc_id, size = key(item)
        if run and total + size > 4 * target:
            yield run
            run, total, ended = [], 0, True
        run.append(item)
        total += size
        if total >= target // 4 and is_anchor(doc_id, size, target):
            yield run
            run, total, ended = [], 0, True
    if run or not ended:
        yield run


def record_batches(rows: Iterable[dict], schema: pa.Schema, size: int = ROWS_PER_BATCH) -> Iterator[pa.RecordBatch]:
    """Row dicts as record batches of `size` rows: few rows are Python objects at a time."""
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield pa.RecordBatch.from_pylist(chunk, schema=schema)


def row_groups(batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The rows of batches of any sizes, as contiguous batches of exactly ROW_GROUP_ROWS rows (the
    last one shorter): what the writer is given decides where row groups and pages end."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        pending.append(batch)
        count += batch.num_rows
        while count >= ROW_GROUP_ROWS:
            table = pa.Table.from_batches(pending, schema)
            yield _contiguous(table.slice(0, ROW_GROUP_ROWS), schema)
            pending, count = table.slice(ROW_GROUP_ROWS).to_batches(), count - ROW_GROUP_ROWS
    if count:
        yield _contiguous(pa.Table.from_batches(pending, schema), schema)


def _contiguous(table: pa.Table, schema: pa.Schema) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([column.combine_chunks() for column in table.columns], schema=schema)


def arrow_schema(features: Features, extra_metadata: dict[str, str]) -> pa.Schema:
    schema = features.arrow_schema
    return schema.with_metadata({**(schema.metadata or {}), **{k.encode(): v.encode() for k, v in extra_metadata.items()}})


def write_parquet(path: Path, rows: Iterable[dict] | Iterable[pa.RecordBatch], features: Features,
                  extra_metadata: dict[str, str]) -> int:
    """Write rows (dicts, or record batches of the features' schema) with the declared schema,
    never inferred, and our key-value metadata; return the number of rows. Rows are streamed:
    about one row group is in memory at a time."""
    plain = features.arrow_schema
    items = iter(rows)
    first = next(items, None)
    items = chain([] if first is None else [first], items)
    batches = items if isinstance(first, pa.RecordBatch) else record_batches(items, plain)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    # Pinned writer options: the same rows give the same bytes with the same pyarrow, written at
    # once or row group by row group.
    with pq.ParquetWriter(path, arrow_schema(features, extra_metadata), compression="zstd", compression_level=9,
                          use_dictionary=True, write_statistics=True, store_schema=True, version="2.6",
                          data_page_version="1.0") as writer:
        for group in row_groups(batches, plain):
            writer.write_batch(group, row_group_size=ROW_GROUP_ROWS)
            written += group.num_rows
        if not written:
            writer.write_batch(pa.RecordBatch.from_pylist([], schema=plain), row_group_size=ROW_GROUP_ROWS)
    return written


METADATA_KEY = "newsspan"  # our key-value metadata entry of every Parquet file


def restamped(data: bytes, old: str, new: str) -> bytes | None:
    """The bytes of a Parquet file with the value of our metadata entry changed from `old` to `new`;
    None when that cannot be done in place.

    The entry lives only in the footer: as itself and inside the base64 Arrow schema. When both
    values have the same length (versions 0.1.2 and 0.1.3), the footer keeps its size, every offset
    stays right, and the bytes are those the writer would give for the same rows with the new
    value. That is what lets the first build of a new version keep the shards whose rows did not
    change instead of encoding them again: only their footer names the new version.
    """
    old_b, new_b = old.encode(), new.encode()
    if len(old_b) != len(new_b):
        return None
    size = int.from_bytes(data[-8:-4], "little") if len(data) >= 12 and data[-4:] == b"PAR1" else -1
    if not 0 < size <= len(data) - 12:
        return None
    start = len(data) - 8 - size
    footer = data[start:-8]
    try:
        stored = pq.read_metadata(pa.BufferReader(data)).metadata or {}
    except (pa.ArrowException, OSError):
        return None
    schema_b64 = stored.get(b"ARROW:schema")
    if stored.get(METADATA_KEY.encode()) != old_b or schema_b64 is None:
        return None
    schema = base64.b64decode(schema_b64)
    if footer.count(old_b) != 1 or footer.count(schema_b64) != 1 or schema.count(old_b) != 1:
        return None  # not where it is expected to be (and only there): encode the shard instead
    patched_b64 = base64.b64encode(schema.replace(old_b, new_b))
    footer = footer.replace(schema_b64, patched_b64).replace(old_b, new_b)
    patched = data[:start] + footer + data[-8:]
    if (pq.read_metadata(pa.BufferReader(patched)).metadata or {}).get(METADATA_KEY.encode()) != new_b:
        return None
    return patched


@contextmanager
def build_lock(out_root: Path) -> Iterator[None]:
    """One build at a time per output folder; a second one is told, not blocked."""
    out_root.mkdir(parents=True, exist_ok=True)
    with open(out_root / ".build.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno in (errno.EAGAIN, errno.EACCES):
                raise BuildRefused(f"another build is writing to {out_root} right now; wait for it to finish") from None
            raise
        yield


def staging_dir(out_root: Path, version: str) -> Path:
    """A temporary sibling of the release: same filesystem, so the final rename is atomic."""
    return Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=out_root))


def publish(staging: Path, target: Path) -> None:
    """Make `staging` the release at `target` in one step; the old release is never half-replaced."""
    if target.is_symlink():
        raise BuildRefused(f"{target} is a symbolic link: remove it (a release is never written through a link)")
    make_readable(staging)  # published for others to read: mkdtemp made it 0700
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging)  # now holds the previous release
        return
    # Without an atomic exchange, move the old release aside first; both steps are renames.
    old = Path(tempfile.mkdtemp(prefix=f".old-{target.name}-", dir=target.parent))
    os.rename(target, old / target.name)
    os.rename(staging, target)
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def clean_stale_staging(out_root: Path) -> None:
    """Remove temporary folders left by killed builds (they were never visible as releases)."""
    for path in out_root.glob(".tmp-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in out_root.glob(".old-*"):
        shutil.rmtree(path, ignore_errors=True)


def read_manifest(release: Path) -> dict | None:
    # A release folder may come from anyone: its manifest goes through the hardened reader.
    source, _ = read_outside_json(release / "MANIFEST.json")
    value = None if source is None else source.value
    if not (isinstance(value, dict) and isinstance(value.get("files"), list)
            and all(isinstance(f, dict) and isinstance(f.get("path"), str) for f in value["files"])):
        return None
    return value
