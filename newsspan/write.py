"""Stage 4, write: deterministic Parquet shards and an atomically published release folder."""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import Features

ROWS_PER_SHARD = 50_000
ROW_GROUP_ROWS = 1_000
_RENAME_EXCHANGE = 2  # linux/fs.h


class BuildRefused(Exception):
    """The build cannot go ahead; the message says why and what to do."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def shard_paths(config: str, split: str, rows: int) -> list[str]:
    count = max(1, -(-rows // ROWS_PER_SHARD))
    return [f"data/{config}/{split}-{i:05d}-of-{count:05d}.parquet" for i in range(count)]


def write_parquet(path: Path, rows: list[dict], features: Features, extra_metadata: dict[str, str]) -> None:
    """Write rows with the declared schema (never inferred) and our key-value metadata."""
    schema = features.arrow_schema
    schema = schema.with_metadata({**(schema.metadata or {}), **{k.encode(): v.encode() for k, v in extra_metadata.items()}})
    table = pa.Table.from_pylist(rows, schema=schema).combine_chunks()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Pinned writer options: the same rows give the same bytes with the same pyarrow.
    pq.write_table(table, path, compression="zstd", compression_level=9, row_group_size=ROW_GROUP_ROWS,
                   use_dictionary=True, write_statistics=True, store_schema=True, version="2.6",
                   data_page_version="1.0")


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
    path = release / "MANIFEST.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
