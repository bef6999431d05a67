"""NER evaluation: entity mentions as character spans, and BIO tags of the `ner` config rows.

Mentions (per document, gold = every entity mention of the document, in content and boilerplate;
repeated predictions of one span count once):
- exact: a predicted mention is right when a gold mention has the same start, end and label;
- overlap: a predicted mention is right when it shares a character with a gold mention of the
  same label, and a gold mention is found when a predicted mention of its label shares a
  character with it (not one to one: precision and recall are counted separately, metrics.Tally).
BIO tags: chunk scoring compatible with seqeval (bio.py).
All counts are pooled over documents, per label and over all labels ("ALL").
"""
from __future__ import annotations

from dataclasses import dataclass

from ..records import ENTITY_LABELS, Document
from .bio import ALL, chunks
from .gold import NerRow
from .metrics import Counts, Tally

Mention = tuple[int, int, str]
MODES = ("exact", "overlap")


@dataclass(frozen=True, slots=True)
class NerResult:
    splits: tuple[str, ...]
    mentions: dict[str, dict[str, Tally]] | None   # mode -> label or ALL -> tally; None: no mention predictions
    bio: dict[str, Counts] | None                  # label or ALL -> chunk counts; None: no tag predictions
    missing_documents: tuple[str, ...]
    missing_rows: tuple[str, ...]


def _overlaps(a: Mention, b: Mention) -> bool:
    return a[2] == b[2] and a[0] < b[1] and b[0] < a[1]


def mention_tallies(gold: set[Mention], pred: set[Mention]) -> dict[str, dict[str, Tally]]:
    """mode -> label -> Tally for one document."""
    found: dict[str, dict[str, Tally]] = {mode: {} for mode in MODES}
    for label in ENTITY_LABELS:
        g = {m for m in gold if m[2] == label}
        p = {m for m in pred if m[2] == label}
        exact = len(g & p)
        found["exact"][label] = Tally(exact, len(p), exact, len(g))
        found["overlap"][label] = Tally(sum(any(_overlaps(m, n) for n in g) for m in p), len(p),
                                        sum(any(_overlaps(m, n) for n in p) for m in g), len(g))
    return found


def score_mentions(predictions: dict[str, list[Mention]], documents: list[Document]) -> dict[str, dict[str, Tally]]:
    totals: dict[str, dict[str, Tally]] = {mode: {label: Tally() for label in ENTITY_LABELS} for mode in MODES}
    for doc in documents:
        gold = {(e.start, e.end, e.label) for e in doc.entities}
        for mode, labels in mention_tallies(gold, set(predictions.get(doc.doc_id, []))).items():
            for label, tally in labels.items():
                totals[mode][label] += tally
    for labels in totals.values():
        labels[ALL] = sum(labels.values(), Tally())
    return totals


def score_tags(predictions: dict[str, list[str]], rows: list[NerRow]) -> dict[str, Counts]:
    totals = {label: Counts() for label in ENTITY_LABELS}
    for row in rows:
        gold, pred = chunks(row.tags), chunks(predictions.get(row.id, ["O"] * len(row.tags)))
        for label in ENTITY_LABELS:
            g, p = {c for c in gold if c[0] == label}, {c for c in pred if c[0] == label}
            totals[label] += Counts(len(g & p), len(p - g), len(g - p))
    totals[ALL] = sum(totals.values(), Counts())
    return totals


def evaluate_ner(mentions: dict[str, list[Mention]], tags: dict[str, list[str]],
                 documents: list[Document], rows: list[NerRow]) -> NerResult:
    """Score whichever kind was predicted; with none at all, both are scored as empty."""
    docs = sorted(documents, key=lambda d: d.doc_id)
    rows = sorted(rows, key=lambda r: (r.doc_id, int(r.id.rsplit("/", 1)[1])))
    with_mentions, with_tags = bool(mentions) or not tags, bool(tags) or not mentions
    return NerResult(
        splits=tuple(sorted({d.split for d in docs})),
        mentions=score_mentions(mentions, docs) if with_mentions else None,
        bio=score_tags(tags, rows) if with_tags else None,
        missing_documents=tuple(d.doc_id for d in docs if d.doc_id not in mentions) if with_mentions else (),
        missing_rows=tuple(r.id for r in rows if r.id not in tags) if with_tags else (),
    )
