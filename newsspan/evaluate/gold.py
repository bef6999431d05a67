"""The gold side of an evaluation: the documents (and NER rows) of one split, from the validated
corpus or from a built release folder, whose files are checked against its MANIFEST first."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..derive import ner_rows
from ..records import NER_TAGS
from ..read import relpath
from ..records import (BOILERPLATE_LABELS, ENTITY_LABELS, QUOTE_TYPES, Document, LabelledSpan, Metadata,
                       Provenance, Quote, Span)
from ..validate import validate_corpus
from ..write import read_manifest, sha256_file


class GoldError(Exception):
    """The gold data cannot be used; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class NerRow:
    id: str
    doc_id: str
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gold:
    split: str
    documents: dict[str, Document]     # the split's documents by id
    elsewhere: dict[str, str]          # the other documents: id -> split (for hints)
    ner: dict[str, NerRow]             # the split's `ner` rows by id


def corpus_gold(root: Path, split: str) -> Gold:
    report = validate_corpus(root)
    if not report.ok:
        raise GoldError(f"{relpath(root)}: the corpus has {len(report.errors)} validation errors, so it cannot be the "
                        "gold standard; run `python3 build_dataset.py validate` and fix them first")
    return _gold(list(report.documents.values()), split, None)


def release_gold(release: Path, split: str) -> Gold:
    manifest = read_manifest(release)
    if manifest is None:
        raise GoldError(f"{relpath(release)}: not a release folder (no readable MANIFEST.json); "
                        "build one with `python3 build_dataset.py` and pass dist/<version>")
    documents = [_document(row) for row in _rows(release, manifest, "documents", None)]
    ner = [_ner_row(row) for row in _rows(release, manifest, "ner", split)]
    return _gold(documents, split, ner)


def _gold(documents: list[Document], split: str, ner: list[NerRow] | None) -> Gold:
    mine = {d.doc_id: d for d in sorted(documents, key=lambda d: d.doc_id) if d.split == split}
    if ner is None:
        ner = [_ner_row(row) for doc in mine.values() for row in ner_rows(doc)]
    return Gold(split, mine, {d.doc_id: d.split for d in documents if d.split != split}, {r.id: r for r in ner})


def _rows(release: Path, manifest: dict, config: str, split: str | None) -> list[dict]:
    """Rows of one config (one split, or all), after checking each file's sha256 against the manifest."""
    entries = [f for f in manifest.get("files", []) if f.get("config") == config and split in (None, f.get("split"))]
    if not entries:
        raise GoldError(f"{relpath(release)}: MANIFEST.json lists no `{config}` files; rebuild the release")
    rows = []
    for entry in sorted(entries, key=lambda f: f["path"]):
        path = release / entry["path"]
        if not path.is_file() or sha256_file(path) != entry.get("sha256"):
            raise GoldError(f"{relpath(path)}: missing or changed since the release was built (sha256 differs "
                            "from MANIFEST.json); restore the release folder or rebuild it")
        try:
            table = pq.read_table(path)
            rows += [dict(row, split=entry.get("split")) for row in table.to_pylist()]
        except (pa.ArrowException, OSError):
            raise GoldError(f"{relpath(path)}: not a readable Parquet file of a release; rebuild the release") from None
    return rows


def _ner_row(row: dict) -> NerRow:
    return NerRow(row["id"], row["doc_id"], tuple(NER_TAGS[t] for t in row["ner_tags"]))


def _labelled(spans: list[dict], labels: tuple[str, ...]) -> tuple[LabelledSpan, ...]:
    return tuple(LabelledSpan(s["id"], s["start"], s["end"], labels[s["label"]], s["text"]) for s in spans)


def _quote(q: dict) -> Quote:
    described = q["speaker_entity_id"] is None and q["speaker_start"] is not None
    return Quote(
        q["id"], QUOTE_TYPES[q["type"]], tuple(Span(s["start"], s["end"], s["text"]) for s in q["content"]),
        q["speaker_entity_id"], Span(q["speaker_start"], q["speaker_end"], q["speaker"]) if described else None,
        Span(q["cue_start"], q["cue_end"], q["cue"]) if q["cue"] is not None else None,
    )


def _document(row: dict) -> Document:
    """A `documents` row back as the Document it was derived from (metadata notes are not released)."""
    meta = Metadata(row["source_url"], row["publisher"], row["title"], row["published_date"], row["language"],
                    row["translated_from"], row["translation_method"], row["raw_format"], row["rights"],
                    row["raw_sha256"], None)
    prov = Provenance(tuple(row["annotators"]), row["annotation_status"], row["guidelines_version"])
    return Document(row["id"], row["raw_text"], meta, row["near_duplicate_group"], row["split"], prov,
                    _labelled(row["boilerplate"], BOILERPLATE_LABELS), _labelled(row["entities"], ENTITY_LABELS),
                    tuple(_quote(q) for q in row["quotes"]))
