"""Run-local SQLite files: what one run sorts or keeps on disk instead of in memory.

Nothing in them must survive a crash (the next run starts from nothing), so they have no journal
and no sync, and rows go in a transaction per batch: one transaction per row made discovery of
10k documents take 4 s.
"""
from __future__ import annotations

import sqlite3
from itertools import islice
from typing import Iterable

BATCH = 5000  # rows per transaction


def scratch_db(path: str) -> sqlite3.Connection:
    """A connection for this process only, to a file (or ":memory:") of one run."""
    db = sqlite3.connect(path, isolation_level=None)
    # SQLite's page cache is 2 MB per connection by default; a few of those, full only on a large
    # corpus, were most of what validate's memory grew by from 10k to 100k documents.
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", "cache_size=-512"):
        db.execute(f"PRAGMA {pragma}")
    return db


def insert(db: sqlite3.Connection, sql: str, rows: Iterable[tuple]) -> int:
    """Run `sql` on every row, a transaction per batch; how many rows there were."""
    todo, count = iter(rows), 0
    while batch := list(islice(todo, BATCH)):
        db.execute("BEGIN")
        with db:  # commits the batch (or rolls it back)
            db.executemany(sql, batch)
        count += len(batch)
    return count
