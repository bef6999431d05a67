"""Where a new page goes: its split, and its near-duplicate group.

A page that is a near-duplicate of corpus documents (newsspan.neardup, as the validator checks)
joins their group and split; when the closest match had no group, a group named after that match
is created on both. Any other page gets its split from its id alone, so it never depends on the
order pages were added in: the first 8 bytes of sha256(doc_id) read as a big-endian integer,
modulo 100: 0-79 train, 80-89 validation, 90-99 test.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..incidents import format_text
from ..neardup import NearDuplicate, find_near_duplicates
from ..read import read_json, relpath

SPLIT_BUCKETS = (("train", 80), ("validation", 90), ("test", 100))


class Refused(Exception):
    """`add` will not add this page; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Placement:
    split: str
    group: str | None = None
    matches: tuple[NearDuplicate, ...] = ()
    joining: tuple[str, ...] = ()  # matched documents that had no group and now get this one


def split_for(doc_id: str) -> str:
    bucket = int.from_bytes(hashlib.sha256(doc_id.encode("utf-8")).digest()[:8], "big") % 100
    return next(split for split, below in SPLIT_BUCKETS if bucket < below)


def place(doc_id: str, text: str, corpus_raws: dict[str, bytes], annotations_dir: Path) -> Placement:
    """The split and group of a new page, given the raw bytes of every corpus document."""
    texts = [(other, data.decode("utf-8", errors="replace")) for other, data in corpus_raws.items()]
    pairs = find_near_duplicates(texts + [(doc_id, text)])
    matches = sorted((p for p in pairs if doc_id in (p.a, p.b)), key=lambda p: (-p.jaccard, _other(p, doc_id)))
    if not matches:
        return Placement(split_for(doc_id))
    others = [_other(p, doc_id) for p in matches]
    annotations = {other: _annotation(annotations_dir, other) for other in others}
    groups = sorted({a["near_duplicate_group"] for a in annotations.values() if a["near_duplicate_group"]})
    if len(groups) > 1:
        raise Refused(f"the page is a near-duplicate of documents in several groups ({', '.join(groups)}): "
                      "merge those groups first (one group and one split), then add it")
    grouped = [o for o in others if annotations[o]["near_duplicate_group"]]
    group = groups[0] if groups else others[0]
    split = annotations[(grouped or others)[0]]["split"]
    joining = tuple(o for o in others if not annotations[o]["near_duplicate_group"])
    clash = [o for o in joining if annotations[o]["split"] != split]
    if clash:
        raise Refused(f"the page is a near-duplicate of {', '.join(others)}, which are in different splits: "
                      "put them in one near-duplicate group and split first, then add it")
    return Placement(split, group, tuple(matches), joining)


def _other(pair: NearDuplicate, doc_id: str) -> str:
    return pair.b if pair.a == doc_id else pair.a


def _annotation(annotations_dir: Path, doc_id: str) -> dict:
    path = annotations_dir / f"{doc_id}.json"
    source, problems = read_json(path) if path.is_file() else (None, [])
    if source is None or not isinstance(source.value, dict) or "split" not in source.value:
        detail = f":\n{format_text(problems)}" if problems else ""
        raise Refused(f"the page is a near-duplicate of {doc_id!r}, whose annotation file {relpath(path)} cannot be read"
                      f"{detail}\nfix that file first (python3 build_dataset.py validate), then add the page")
    return source.value
