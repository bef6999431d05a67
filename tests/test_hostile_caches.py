"""Caches are disposable: every kind of damaged or foreign cache file is found by its checksum,
dropped and computed again, with one warning line; never a traceback, never a wrong result."""
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import CORPUS
from newsspan import checksum
from newsspan.release import build_release
from newsspan.validate import validate_corpus
from newsspan.validate.cache import BuildCache, ValidationCache, validation_salt
from newsspan.validate.consistency import guidelines_versions


@pytest.fixture(autouse=True)
def _one_warning_per_test(monkeypatch):
    monkeypatch.setattr(checksum, "_warned", False)


def _validated(cache_dir: Path, corpus: Path = CORPUS):
    cache = ValidationCache(cache_dir, validation_salt(guidelines_versions()))
    assert cache.prune()
    try:
        return validate_corpus(corpus, cache=cache)
    finally:
        cache.close()


def _summary(report) -> tuple:
    return report.incidents, sorted(report.documents)


def _database(cache_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(cache_dir / "validate.sqlite")


def _garbage(path: Path) -> None:
    path.write_bytes(b"not a cache entry\x00" * 64)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


# A document's entry (the near-duplicate link has one too, when the corpus has candidates: see test_scale).
_DOCUMENT = """value LIKE '% {"incidents"%'"""


def _damage_one_value(cache_dir: Path) -> None:
    with _database(cache_dir) as db:
        key, value = db.execute(f"SELECT key, value FROM results WHERE {_DOCUMENT} ORDER BY key LIMIT 1").fetchone()
        db.execute("UPDATE results SET value = ? WHERE key = ?", (value.replace("NS", "XX").replace(",", ";", 1), key))


def _swap_two_values(cache_dir: Path) -> None:
    """A foreign entry: another document's result, with its own valid checksum, under this key."""
    with _database(cache_dir) as db:
        (k1, v1), (k2, v2) = db.execute(f"SELECT key, value FROM results WHERE {_DOCUMENT} ORDER BY key LIMIT 2").fetchall()
        db.execute("UPDATE results SET value = ? WHERE key = ?", (v2, k1))
        db.execute("UPDATE results SET value = ? WHERE key = ?", (v1, k2))


def _blob_value(cache_dir: Path) -> None:
    with _database(cache_dir) as db:
        db.execute(f"UPDATE results SET value = ? WHERE key = (SELECT min(key) FROM results WHERE {_DOCUMENT})", (b"\x00\x01",))


VALIDATION_DAMAGE = {
    "database overwritten": lambda d: _garbage(d / "validate.sqlite"),
    "database truncated": lambda d: _truncate(d / "validate.sqlite"),
    "one entry's value changed": _damage_one_value,
    "two entries' values swapped": _swap_two_values,
    "an entry's value not text": _blob_value,
}


@pytest.mark.parametrize("damage", VALIDATION_DAMAGE)
def test_a_damaged_validation_cache_is_dropped_and_recomputed(tmp_path, capsys, damage):
    expected = _summary(validate_corpus(CORPUS))
    assert _summary(_validated(tmp_path)) == expected
    VALIDATION_DAMAGE[damage](tmp_path)
    capsys.readouterr()
    report = _validated(tmp_path)
    assert _summary(report) == expected and report.from_cache < len(expected[1])
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: cache:")]
    assert len(warnings) == 1, warnings
    assert _validated(tmp_path).from_cache == len(expected[1])  # repaired: the next run replays everything


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name not in ("MANIFEST.json",)}


def _pieces(cache: BuildCache) -> list[Path]:
    return sorted(cache.folder.glob("*.arrow"))


def _kind(path: Path) -> tuple[bool, str]:
    """Piece rows of one config (`<key>-<config>.arrow`), or a kept shard or its record (`shard-<key>[-about].arrow`)."""
    shard = path.name.startswith("shard-")
    return shard, ("about" if path.name.endswith("-about.arrow") else "") if shard else path.name.split("-")[-1]


def _copy_other_entry(path: Path, pieces: list[Path]) -> None:
    other = next(p for p in pieces if p != path and _kind(p) == _kind(path))
    shutil.copy(other, path)
    shutil.copy(checksum.sidecar(other), checksum.sidecar(path))


BUILD_DAMAGE = {
    "overwritten": lambda p, _: _garbage(p),
    "truncated": lambda p, _: _truncate(p),
    "emptied": lambda p, _: p.write_bytes(b""),
    "one byte flipped": lambda p, _: p.write_bytes(p.read_bytes()[:100] + bytes([p.read_bytes()[100] ^ 1]) + p.read_bytes()[101:]),
    "checksum missing": lambda p, _: checksum.sidecar(p).unlink(),
    "checksum damaged": lambda p, _: checksum.sidecar(p).write_text("crc32:00000000:1 x\n"),
    "another entry copied over it": _copy_other_entry,
    "replaced by a folder": lambda p, _: (p.unlink(), p.mkdir()),
}


@pytest.mark.parametrize("damage", BUILD_DAMAGE)
def test_a_damaged_build_cache_entry_is_dropped_and_derived_again(tmp_path, capsys, damage):
    documents = validate_corpus(CORPUS, keep_documents=False).documents  # read from files: cacheable
    fresh = build_release(documents, out_root=tmp_path / "fresh")
    cache = BuildCache(tmp_path / "cache")
    build_release(documents, out_root=tmp_path / "first", cache=cache)
    pieces = _pieces(cache)
    assert len(pieces) >= 2
    for path in pieces:
        BUILD_DAMAGE[damage](path, pieces)
    capsys.readouterr()
    again = build_release(documents, out_root=tmp_path / "again", cache=cache)
    assert _files(again) == _files(fresh)
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: cache:")]
    assert len(warnings) == 1, warnings
    assert all(checksum.intact(p) for p in _pieces(cache))  # repaired


# -- the file records: a file whose identity is unchanged is not read again ----------------------

def _records(cache_dir: Path) -> list[tuple[str, str]]:
    with _database(cache_dir) as db:
        return db.execute("SELECT path, value FROM files ORDER BY path").fetchall()


def _count_reads(monkeypatch) -> list[str]:
    from newsspan.validate import parallel

    read = []
    real = parallel._read_both
    monkeypatch.setattr(parallel, "_read_both", lambda files, stats: read.append(files.doc_id) or real(files, stats))
    return read


def _corpus_copy(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    return root


def test_an_unchanged_corpus_is_not_read_again(tmp_path, monkeypatch):
    from newsspan.validate import cache as module

    root = _corpus_copy(tmp_path)
    expected = _summary(validate_corpus(root))
    # Just copied: within RACY_SECONDS of their last change, the files are hashed on every run.
    read = _count_reads(monkeypatch)
    assert _summary(_validated(tmp_path / "c", root)) == expected
    assert _summary(_validated(tmp_path / "c", root)) == expected and len(read) == 2 * len(expected[1])
    monkeypatch.setattr(module, "RACY_SECONDS", 0)
    assert _summary(_validated(tmp_path / "c", root)) == expected  # hashed, and now remembered
    read.clear()
    report = _validated(tmp_path / "c", root)
    assert _summary(report) == expected and read == [] and report.from_cache == len(expected[1])


def test_an_edit_that_keeps_size_and_modification_time_is_seen(tmp_path, monkeypatch):
    from newsspan.validate import cache as module

    monkeypatch.setattr(module, "RACY_SECONDS", 0)
    root = _corpus_copy(tmp_path)
    assert _validated(tmp_path / "c", root).ok
    path = sorted((root / "annotations").glob("*.json"))[0]
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    changed = text.replace('"status": "', '"status": "X', 1)[:-1]  # one byte in, the final newline out
    assert len(changed.encode()) == len(text.encode()) and changed != text
    path.write_text(changed, encoding="utf-8")
    import os
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same size and modification time
    assert path.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_size == before.st_size
    report = _validated(tmp_path / "c", root)
    assert not report.ok and report.incidents == validate_corpus(root).incidents


FILE_RECORD_DAMAGE = {
    "a recorded hash changed": lambda rows: [(rows[0][0], rows[0][1][:-1] + ("0" if rows[0][1][-1] != "0" else "1"))],
    "two files' records swapped": lambda rows: [(rows[0][0], rows[1][1]), (rows[1][0], rows[0][1])],
    "a record not text": lambda rows: [(rows[0][0], b"\x00\x01")],
}


@pytest.mark.parametrize("damage", FILE_RECORD_DAMAGE)
def test_a_damaged_file_record_is_dropped_and_the_file_read_again(tmp_path, capsys, monkeypatch, damage):
    from newsspan.validate import cache as module

    monkeypatch.setattr(module, "RACY_SECONDS", 0)
    expected = _summary(validate_corpus(CORPUS))
    _validated(tmp_path)
    rows = _records(tmp_path)
    assert len(rows) == 2 * len(expected[1])
    with _database(tmp_path) as db:
        db.executemany("UPDATE files SET value = ? WHERE path = ?", [(v, p) for p, v in FILE_RECORD_DAMAGE[damage](rows)])
    capsys.readouterr()
    read = _count_reads(monkeypatch)
    assert _summary(_validated(tmp_path)) == expected and read  # those files read and hashed again
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: cache:")]
    assert len(warnings) == 1, warnings
    read.clear()
    assert _summary(_validated(tmp_path)) == expected and read == []  # repaired


def test_a_rebuild_from_kept_shards_derives_no_piece_and_a_damaged_shard_is_encoded_from_its_pieces(tmp_path, capsys, monkeypatch):
    from newsspan import release

    documents = validate_corpus(CORPUS, keep_documents=False).documents
    fresh = build_release(documents, out_root=tmp_path / "fresh")
    cache = BuildCache(tmp_path / "cache")
    build_release(documents, out_root=tmp_path / "first", cache=cache)
    derived = []
    real = release.derive_piece
    monkeypatch.setattr(release, "derive_piece", lambda job, piece: derived.append(piece.name) or real(job, piece))
    again = build_release(documents, out_root=tmp_path / "again", cache=cache)
    assert _files(again) == _files(fresh) and derived == []  # every shard kept: no piece read or derived
    shards = [p for p in _pieces(cache) if p.name.startswith("shard-") and not p.name.endswith("-about.arrow")]
    for path in shards:
        _garbage(path)
    capsys.readouterr()
    third = build_release(documents, out_root=tmp_path / "third", cache=cache)
    assert _files(third) == _files(fresh)
    assert derived == []  # the pieces were in the cache and intact: read, not derived again
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: cache:")]
    assert len(warnings) == 1, warnings
