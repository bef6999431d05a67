"""Content-hash caches, so that an unchanged corpus is not checked or derived again.

Where: `.newsspan-cache/` at the repository root (git-ignored), or `$NEWSSPAN_CACHE_DIR`; never
inside the corpus. Deleting it is always safe: the next run is a cold run.

Why it never hides an error: an entry is found only under a key that hashes everything the result
depends on: the bytes of both files of the document, the names under which its incidents are
reported, and a salt made of the package's code, the schema, the guidelines versions, the read
limits and the library versions. Any change to one of them is a different key, so a changed
document is checked again and its incidents are the new ones; an unchanged one replays the
incidents stored from the run that checked it, in their order.

- validation: one SQLite table of key -> JSON (the document's incidents and what the corpus-wide
  checks need of it). Entries written under another salt (older code) are dropped on opening.
  A second table remembers each file's sha256 with the file's identity when it was hashed (size,
  modification and change times, inode, device), as git's index does: a file whose identity is
  unchanged is not read and hashed again, unless it changed within RACY_SECONDS of being hashed
  (a write in the same clock tick could leave the times equal), and then it is hashed. The
  results table also keeps the near-duplicate link of the corpus (see `link_key`), which is most
  of a warm run on a corpus with large template groups.
- build: one Arrow IPC file per config and piece of a shard (about 1 MB of raw text), named by
  the hash of its inputs, so that a rebuild derives again only the pieces whose documents changed.
  Uncompressed (LZ4 took a tenth of the derive pass): about three times the
  corpus's size on disk.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import sys
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable

from ..checksum import CHECKS_DIR, SIDECAR_SUFFIX, seal, unseal, warn

PACKAGE = Path(__file__).resolve().parents[1]
REPO = PACKAGE.parent
CACHE_DIR_NAME = ".newsspan-cache"
ENV_VAR = "NEWSSPAN_CACHE_DIR"
# Libraries whose behaviour shapes the incidents (jsonschema messages, MinHash values, locations).
VALIDATION_LIBRARIES = ("jsonschema", "jsonschema-rs", "referencing", "datasketch", "numpy")


def default_cache_dir() -> Path:
    return Path(os.environ[ENV_VAR]) if os.environ.get(ENV_VAR) else REPO / CACHE_DIR_NAME


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hash_parts(parts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    return h.hexdigest()


def code_fingerprint(package: Path | None = None) -> str:
    """Hash of every Python file of the package, by relative name: any code change changes it."""
    package = package or PACKAGE
    files = sorted(package.rglob("*.py"))
    return _hash_parts(f"{p.relative_to(package).as_posix()}:{digest(p.read_bytes())}" for p in files)


def _library_versions(names: Iterable[str]) -> list[str]:
    found = [sys.version]
    for name in names:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=none")
    return found


def validation_salt(versions: frozenset[str], package: Path | None = None) -> str:
    """Everything besides a document's own files that its validation result depends on."""
    from .. import read
    from . import schema

    return _hash_parts([
        "validation-1",
        code_fingerprint(package),
        digest(Path(schema.SCHEMA_PATH).read_bytes()),
        ",".join(sorted(versions)),
        # The limits are read at run time (a test may lower one), so they are part of the salt.
        *(f"{name}={getattr(read, name)}" for name in sorted(dir(read)) if name.startswith("MAX_")),
        *_library_versions(VALIDATION_LIBRARIES),
    ])


RACY_SECONDS = 2


def file_identity(st: os.stat_result) -> str:
    """What says a file was not touched: any write changes its modification or change time."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


def trusted_identity(st: os.stat_result, hashed_ns: int) -> bool:
    """Whether a hash taken at `hashed_ns` may stand for the file's content while its identity is `st`."""
    return hashed_ns - max(st.st_mtime_ns, st.st_ctime_ns) >= RACY_SECONDS * 1_000_000_000


def document_key(salt: str, doc_id: str, names: tuple[str, str], digests: tuple[str, str]) -> str:
    """The key of one document's result: salt, id, reported file names and file contents."""
    return _hash_parts([salt, doc_id, *names, *digests])


def link_key(salt: str, threshold: float, groups: Iterable[tuple[int, tuple[str, ...]]],
             member: Callable[[str], tuple[str, str | None]]) -> str:
    """The key of the near-duplicate link of candidate `groups`: what `neardup.link` reads is the
    groups, each member's raw text (`member(id)`: its sha256, then its declared group) and which
    members share a declared group, and the code, in the salt. Annotations are not part of it, so an
    edited annotation finds the link of the run before."""
    def parts() -> Iterable[str]:
        yield from ("near-duplicates-1", salt, repr(threshold))
        for band, ids in groups:
            yield f"band {band}"
            for doc_id in ids:
                raw_sha, group = member(doc_id)
                yield from ("doc " + doc_id, raw_sha, "" if group is None else "group " + group)
    return _hash_parts(parts())


class ValidationCache:
    """Per-document validation results in SQLite; safe for several reading processes.

    A cache that cannot be read or written (read-only disk, damaged file) is a cache that misses:
    the problem is kept in `problem` and the run goes on without it.
    """

    def __init__(self, folder: Path, salt: str):
        self.folder = folder
        self.salt = salt
        self.path = folder / "validate.sqlite"
        self.problem: str | None = None
        self.warned = False
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=60)
            # WAL: readers in worker processes never wait for the writer in the main process.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, salt TEXT NOT NULL, value TEXT NOT NULL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, value TEXT NOT NULL)")
        return self._db

    def prune(self) -> bool:
        """Drop results of other code or schema versions (they can never be found again); False
        when the cache is unusable."""
        for attempt in (1, 2):
            try:
                db = self._connect()
                with db:
                    db.execute("DELETE FROM results WHERE salt != ?", (self.salt,))
                return True
            except sqlite3.DatabaseError as err:
                # Not a database (overwritten, truncated): the cache is disposable, so it starts again.
                if attempt == 2 or isinstance(err, sqlite3.OperationalError) or not self._discard(err):
                    self.problem = f"{self.path}: {err}"
                    return False
            except (sqlite3.Error, OSError) as err:
                self.problem = f"{self.path}: {err}"
                return False
        return False

    def _discard(self, err: Exception) -> bool:
        self.close()
        warn(f"cache: {self.path.name} is damaged ({err}): deleted, every document is checked again")
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        except OSError:
            return False
        return True

    def get(self, key: str) -> dict | None:
        row = self._row("SELECT value FROM results WHERE key = ?", key)
        if not row:
            return None
        # A damaged or foreign entry is dropped: the document is checked again (never a wrong replay).
        value = unseal(row[0], key) if isinstance(row[0], str) else None
        if value is not None:
            try:
                found = json.loads(value)  # trusted once the checksum matched: we wrote it
            except ValueError:
                found = None
            if isinstance(found, dict):
                return found
        self._drop("DELETE FROM results WHERE key = ?", key, "checking those documents again")
        return None

    def known_digest(self, path: str, st: os.stat_result) -> str | None:
        """The sha256 recorded for the file at `path` if its identity is still `st`, else None."""
        row = self._row("SELECT value FROM files WHERE path = ?", path)
        if not row:
            return None
        value = unseal(row[0], "file:" + path) if isinstance(row[0], str) else None
        if value is None:
            self._drop("DELETE FROM files WHERE path = ?", path, "reading those files again")
            return None
        parts = value.split(" ")
        if len(parts) != 3 or not parts[1].isdigit() or parts[0] != file_identity(st):
            return None
        return parts[2] if trusted_identity(st, int(parts[1])) else None

    def put_many(self, entries: Iterable[tuple[str, dict]]) -> None:
        self._write("INSERT OR REPLACE INTO results (key, salt, value) VALUES (?, ?, ?)",
                    ((key, self.salt, seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")), key))
                     for key, value in entries))

    def put_files(self, entries: Iterable[tuple[str, str, int, str]]) -> None:
        """(path, identity, when hashed in ns, sha256) of files just read and hashed."""
        self._write("INSERT OR REPLACE INTO files (path, value) VALUES (?, ?)",
                    ((path, seal(f"{identity} {hashed_ns} {sha}", "file:" + path)) for path, identity, hashed_ns, sha in entries))

    # A cache that fails is a cache that misses: each access keeps the problem and goes on.

    def _row(self, sql: str, key: str) -> tuple | None:
        if self.problem:
            return None
        try:
            return self._connect().execute(sql, (key,)).fetchone()
        except (sqlite3.Error, OSError) as err:
            self.problem = f"{self.path}: {err}"
            return None

    def _write(self, sql: str, rows: Iterable[tuple]) -> None:
        if self.problem:
            return
        try:
            with self._connect() as db:
                db.executemany(sql, rows)
        except (sqlite3.Error, OSError) as err:
            self.problem = f"{self.path}: {err}"

    def _drop(self, sql: str, key: str, then: str) -> None:
        if not self.warned:
            warn(f"cache: damaged entries in {self.path.name} (checksum differs): dropped, {then}")
            self.warned = True
        self._write(sql, [(key,)])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __getstate__(self) -> dict:
        # Sent to worker processes without the connection: each opens its own.
        return {**self.__dict__, "_db": None}

    def __setstate__(self, state: dict) -> None:
        for name, value in state.items():
            setattr(self, name, value)


class BuildCache:
    """Derived rows, as Arrow IPC files named by the hash of their inputs."""

    def __init__(self, folder: Path):
        self.folder = folder / "build"

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.arrow"

    def keep_only(self, keys: Iterable[str]) -> None:
        """Remove entries the last build did not use, so the cache holds one build's rows."""
        wanted = {f"{key}.arrow" for key in keys}
        checks = self.folder / CHECKS_DIR
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.name not in wanted and path.name != CHECKS_DIR:
                    path.unlink(missing_ok=True)
        if checks.is_dir():
            for path in checks.iterdir():
                if path.name.removesuffix(SIDECAR_SUFFIX) not in wanted:
                    path.unlink(missing_ok=True)


def piece_key(code: str, inputs: Iterable[str]) -> str:
    """The key of the rows of a run of documents: the code that derives them and the documents' ids
    and contents (each config's rows are kept under the key and the config's name)."""
    return _hash_parts(["build-2", code, _pyarrow_version(), *inputs])


@functools.cache
def _pyarrow_version() -> str:
    # Read once: importlib.metadata parses the package's METADATA file on every call (0.5 ms).
    return f"pyarrow={metadata.version('pyarrow')}"
