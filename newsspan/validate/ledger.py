"""The documents that passed the per-document layers, kept on disk for the rest of the run.

What the corpus-wide checks and the build need of a checked document (a `StoredDoc`: where its
files are, their hashes, its split and group, its near-duplicate band keys) is a few hundred bytes,
which a corpus of millions of pages would still pile up in one process. So the ledger writes each
one to a run-local SQLite file as results arrive and hands them back by query: one by id, all in id
order (of one split, or of the declared groups), and the band keys one band at a time. The main
process then holds a window of documents, whatever the size of the corpus.

The file is scratch, not a cache: it lives in a fresh temporary folder (`TMPDIR`) that is removed
when the ledger is closed or collected, and a new run starts from nothing.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import tempfile
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from .. import read
from ..records import Document
from ..scratch import insert, scratch_db
from .cache import digest

BLOCK = 4096           # documents per stored block of one band's keys
_BATCH = 2000          # rows buffered before they are written
KEY_BYTES = 8


class ChangedSinceValidation(Exception):
    """A document's files are not the ones that were validated."""


@dataclass(frozen=True, slots=True)
class StoredDoc:
    """A document that passed the per-document layers, without its text (a few hundred bytes)."""
    doc_id: str
    split: str
    near_duplicate_group: str | None
    annotation: str             # file paths, as str: a Path object is several times larger
    raw: str
    where: str                  # the annotation file as incidents name it
    digests: tuple[str, str]    # sha256 of the annotation and raw bytes that were validated
    raw_bytes: int
    bands: bytes                # near-duplicate LSH band keys of the raw text

    @property
    def content_digest(self) -> str:
        return f"{self.doc_id}:{self.digests[0]}:{self.digests[1]}"

    def _bytes(self, path: str, limit: int, expected: str) -> bytes:
        """A file's bytes, through the readers' limits, refused unless they are the validated ones."""
        try:
            st = os.lstat(path)
            data = Path(path).read_bytes() if stat.S_ISREG(st.st_mode) and st.st_size <= limit else None
        except OSError:
            data = None
        if data is None or digest(data) != expected:
            raise ChangedSinceValidation(f"{self.where} or its raw file changed after it was validated; validate again")
        return data

    def text(self) -> str:
        """The raw text, read again, refused if the file changed since validation."""
        return self._bytes(self.raw, read.MAX_RAW_BYTES, self.digests[1]).decode("utf-8")

    def load(self) -> Document:
        """The document read again from its files, refused if they changed since validation."""
        annotation = self._bytes(self.annotation, read.MAX_JSON_BYTES, self.digests[0])
        return Document.from_json(json.loads(annotation), self.text())


_COLUMNS = "doc_id, split, grp, annotation, raw, location, ann_sha, raw_sha, raw_bytes, bands"


def _doc(row: tuple) -> StoredDoc:
    doc_id, split, group, annotation, raw, where, ann_sha, raw_sha, raw_bytes, bands = row
    return StoredDoc(doc_id, split, group, annotation, raw, where, (ann_sha, raw_sha), raw_bytes, bands)


def _remove(db: sqlite3.Connection, folder: str) -> None:
    db.close()
    shutil.rmtree(folder, ignore_errors=True)


class Ledger:
    """Stored documents on disk: `add` them (in any order), `seal`, then query."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="newsspan-run-")
        self._db = scratch_db(os.path.join(self.folder, "documents.sqlite"))
        self._db.execute("CREATE TABLE docs (seq INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, split TEXT, grp TEXT,"
                         " annotation TEXT, raw TEXT, location TEXT, ann_sha TEXT, raw_sha TEXT, raw_bytes INTEGER, bands BLOB,"
                         " ann_name TEXT, raw_name TEXT)")
        # Band keys band-major, a block of documents per row: one band of the corpus is one read.
        self._db.execute("CREATE TABLE band_blocks (band INTEGER, block INTEGER, keys BLOB, PRIMARY KEY (band, block))")
        self._rows: list[tuple] = []
        self._bands: list[bytes] = []
        self._count = 0
        self._width: int | None = None
        self._sealed = False
        self._close = weakref.finalize(self, _remove, self._db, self.folder)

    # -- writing ---------------------------------------------------------------------------------

    def add(self, stored: StoredDoc) -> None:
        if self._sealed:
            raise RuntimeError("the ledger is sealed")
        if self._width is None:
            self._width = len(stored.bands)
        if len(stored.bands) != self._width or self._width % KEY_BYTES:
            raise ValueError("band keys of unequal or partial lengths: they come from different band layouts")
        self._rows.append((self._count, stored.doc_id, stored.split, stored.near_duplicate_group, stored.annotation,
                           stored.raw, stored.where, *stored.digests, stored.raw_bytes, stored.bands,
                           os.path.basename(stored.annotation), os.path.basename(stored.raw)))
        self._bands.append(stored.bands)
        self._count += 1
        if len(self._rows) >= _BATCH:
            self._write_rows()
        if len(self._bands) == BLOCK:
            self._write_block()

    def _write_rows(self) -> None:
        insert(self._db, f"INSERT INTO docs (seq, {_COLUMNS}, ann_name, raw_name) VALUES ({', '.join('?' * 13)})", self._rows)
        self._rows.clear()

    def _write_block(self) -> None:
        if not self._bands:
            return
        block = (self._count - 1) // BLOCK
        table = np.frombuffer(b"".join(self._bands), dtype=np.uint64).reshape(len(self._bands), -1)
        insert(self._db, "INSERT INTO band_blocks VALUES (?, ?, ?)",
               ((band, block, table[:, band].tobytes()) for band in range(table.shape[1])))
        self._bands.clear()

    def seal(self) -> Ledger:
        """Write what is buffered; the ledger is read-only from here on."""
        if not self._sealed:
            self._write_rows()
            self._write_block()
            # Indexed once loaded: cheaper than keeping the index in order while rows arrive.
            self._db.execute("CREATE UNIQUE INDEX docs_by_id ON docs (doc_id)")
            self._db.execute("CREATE INDEX docs_by_group ON docs (grp, doc_id) WHERE grp IS NOT NULL")
            self._sealed = True
        return self

    def close(self) -> None:
        self._close()

    # -- reading -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._count

    def get(self, doc_id: str) -> StoredDoc | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM docs WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if row is None else _doc(row)

    def ids(self) -> Iterator[str]:
        for (doc_id,) in self._db.execute("SELECT doc_id FROM docs ORDER BY doc_id"):
            yield doc_id

    def docs(self, split: str | None = None) -> Iterator[StoredDoc]:
        """Every document (of one split) in id order."""
        where, args = ("WHERE split = ?", (split,)) if split is not None else ("", ())
        for row in self._db.execute(f"SELECT {_COLUMNS} FROM docs {where} ORDER BY doc_id", args):
            yield _doc(row)

    def span(self, split: str, first: str, last: str) -> Iterator[StoredDoc]:
        """The documents of a split from id `first` to id `last`, in id order."""
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM docs WHERE doc_id >= ? AND doc_id <= ? AND split = ? ORDER BY doc_id",
                                (first, last, split))
        for row in rows:
            yield _doc(row)

    def files(self, folder: str) -> Iterator[tuple[str, str, str, str]]:
        """(doc id, file name, path, sha256) of every annotation (`folder` "annotations") or raw
        file ("raw"), in the order of the file names."""
        name, path, sha = {"annotations": ("ann_name", "annotation", "ann_sha"), "raw": ("raw_name", "raw", "raw_sha")}[folder]
        yield from self._db.execute(f"SELECT doc_id, {name}, {path}, {sha} FROM docs ORDER BY {name}")

    def grouped(self) -> Iterator[StoredDoc]:
        """The documents of declared near-duplicate groups, group by group, in id order, without
        their band keys (the group checks hold them all at once; `get` has the keys)."""
        columns = _COLUMNS.replace("bands", "x''")
        for row in self._db.execute(f"SELECT {columns} FROM docs WHERE grp IS NOT NULL ORDER BY grp, doc_id"):
            yield _doc(row)

    def bands(self) -> int:
        return (self._width or 0) // KEY_BYTES

    def band_column(self, band: int) -> np.ndarray:
        """One band's key of every document, in the order they were added."""
        rows = self._db.execute("SELECT keys FROM band_blocks WHERE band = ? ORDER BY block", (band,))
        return np.frombuffer(b"".join(keys for (keys,) in rows), dtype=np.uint64)

    def ids_at(self, seqs: Iterable[int]) -> dict[int, str]:
        """The ids of documents by the order they were added in (as `band_column` is)."""
        found: dict[int, str] = {}
        wanted = sorted(set(int(s) for s in seqs))
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            rows = self._db.execute(f"SELECT seq, doc_id FROM docs WHERE seq IN ({','.join('?' * len(part))})", part)
            found.update(rows)
        return found


class StoredDocuments(Mapping):
    """The documents that passed validation, as a mapping id -> Document read on access; `only`
    narrows it to some of them (the documents of one version)."""

    def __init__(self, ledger: Ledger, only: frozenset[str] | None = None):
        self.ledger, self.only = ledger, only
        self._len = len(ledger) if only is None else sum(1 for d in ledger.ids() if d in only)

    def __getitem__(self, doc_id: str) -> Document:
        return self.stored(doc_id).load()

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and (self.only is None or doc_id in self.only) and self.ledger.get(doc_id) is not None

    def __iter__(self) -> Iterator[str]:
        return (d for d in self.ledger.ids() if self.only is None or d in self.only)

    def __len__(self) -> int:
        return self._len

    def stored(self, doc_id: str) -> StoredDoc:
        found = self.ledger.get(doc_id) if self.only is None or doc_id in self.only else None
        if found is None:
            raise KeyError(doc_id)
        return found

    def stored_docs(self, split: str | None = None) -> Iterator[StoredDoc]:
        """Every document (of one split) in id order, without a query per document."""
        return (s for s in self.ledger.docs(split) if self.only is None or s.doc_id in self.only)

    def stored_span(self, split: str, first: str, last: str) -> Iterator[StoredDoc]:
        return (s for s in self.ledger.span(split, first, last) if self.only is None or s.doc_id in self.only)

    def files(self, folder: str) -> Iterator[tuple[str, str, str]]:
        """(file name, path, sha256) of the documents' files of one folder, by file name."""
        return ((name, path, sha) for doc_id, name, path, sha in self.ledger.files(folder)
                if self.only is None or doc_id in self.only)

    def narrowed(self, keep: frozenset[str]) -> StoredDocuments:
        return StoredDocuments(self.ledger, keep if self.only is None else keep & self.only)
