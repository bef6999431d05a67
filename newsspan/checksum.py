"""Checksums that make cache entries disposable: a damaged or foreign entry is found and dropped.

A cache entry is rewritten by whoever damages the disk, a killed process or another program, not by
an adversary (the cache is local and never published), so the checksum is CRC-32 with the length:
it catches truncation, overwriting and an entry of another file, and reads at a few GB/s where
SHA-256 reads at under one (the build cache holds about three times the corpus).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import zlib
from pathlib import Path

_CHUNK = 8 * 1024 * 1024
SIDECAR_SUFFIX = ".check"
CHECKS_DIR = ".checks"


def checksum(data: bytes) -> str:
    return f"crc32:{zlib.crc32(data):08x}:{len(data)}"


def seal(text: str, key: str) -> str:
    """A value with its checksum in front, for a cache that stores text. The checksum covers the
    entry's key too, so that a value copied under another key is foreign."""
    return f"{_bound(text, key)} {text}"


def unseal(sealed: str, key: str) -> str | None:
    """The value of `seal`, or None when it was damaged or written for another key."""
    head, _, text = sealed.partition(" ")
    try:
        return text if _bound(text, key) == head else None
    except UnicodeEncodeError:
        return None


def _bound(text: str, key: str) -> str:
    return checksum(f"{key}\0{text}".encode("utf-8", "surrogatepass"))


def file_checksum(path: Path) -> str:
    crc, size = 0, 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc, size = zlib.crc32(chunk, crc), size + len(chunk)
    return f"crc32:{crc:08x}:{size}"


def sidecar(path: Path) -> Path:
    """Where a file's checksum is kept: a folder of their own, beside the files."""
    return path.parent / CHECKS_DIR / (path.name + SIDECAR_SUFFIX)


def record_as(written: Path, final: Path) -> None:
    """Write the checksum of `written`, a finished file about to be renamed to `final`, next to
    `final` (before the rename: a file without a matching checksum is never trusted)."""
    target = sidecar(final)
    target.parent.mkdir(exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_text(f"{file_checksum(written)} {final.name}\n", encoding="utf-8")
    os.replace(partial, target)


def intact(path: Path) -> bool:
    """Whether a cached file is there and matches the checksum written with it; a damaged one is
    deleted (with its checksum) and one warning line says so, so that the caller computes it again."""
    return intact_data(path) is not None


def intact_data(path: Path) -> bytes | None:
    """The bytes of a cached file, read once, if they match the checksum written with it; None
    when it is missing (a plain miss) or damaged (dropped, see `intact`)."""
    try:
        if not path.exists() and not path.is_symlink():
            return None
        if path.is_symlink() or not path.is_file():
            raise IsADirectoryError(path)
        data = path.read_bytes()
        # The name is part of the record: a file copied from another entry is foreign.
        if sidecar(path).read_text(encoding="utf-8").strip() == f"{checksum(data)} {path.name}":
            return data
    except (OSError, UnicodeDecodeError):
        pass
    drop(path)
    return None


def intact_size(path: Path, sha256: str) -> int | None:
    """The size of a cached file that matches the checksum written with it and hashes to `sha256`
    (the hash a manifest lists for it), read once in chunks, never whole; None when it is missing
    or damaged (dropped, as by `intact`)."""
    try:
        if not path.exists() and not path.is_symlink():
            return None
        if path.is_symlink() or not path.is_file():
            raise IsADirectoryError(path)
        crc, size, digest = 0, 0, hashlib.sha256()
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                crc, size = zlib.crc32(chunk, crc), size + len(chunk)
                digest.update(chunk)
        recorded = sidecar(path).read_text(encoding="utf-8").strip()
        if recorded == f"crc32:{crc:08x}:{size} {path.name}" and digest.hexdigest() == sha256:
            return size
    except (OSError, UnicodeDecodeError):
        pass
    drop(path)
    return None


_warned = False


def drop(path: Path) -> None:
    global _warned
    if not _warned:  # one line, however many entries a damaged disk took
        warn(f"cache: {path.parent.name}/{path.name} (and maybe more entries) is damaged or not this program's "
             "(checksum differs): dropped, computing it again")
        _warned = True
    for stale in (path, sidecar(path)):
        try:
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
            else:
                stale.unlink(missing_ok=True)
        except OSError:
            pass


def warn(line: str) -> None:
    print(f"warning: {line}", file=sys.stderr)
