"""Score boilerplate-removal output against the gold boilerplate layer.

A prediction is either the cleaned text of a page (aligned back onto the raw text, align.py) or
the raw character spans `[start, end)` it kept. Both become one kept-character mask per document,
scored by spans.py; the text (for spans: the kept runs, one per line) is scored by aeb.py. A
document without a prediction is scored as an empty output and flagged `missing`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Literal

from ..derive import clean_text
from ..records import Document
from .aeb import exact, page_counts
from .align import align_text, kept_from_spans, text_of_spans
from .result import DocumentScore, EvaluationResult
from .spans import span_counts
from .stats import RESAMPLES, SEED, Bootstrap
from .summary import summarise


@dataclass(frozen=True, slots=True)
class Output:
    """What a system produced for one document, projected onto its raw text."""
    kept: bytes
    text: str
    unaligned_chars: int = 0
    unaligned_words: int = 0


def evaluate_texts(predictions: dict[str, str], documents: list[Document], *,
                   resamples: int = RESAMPLES, seed: int = SEED) -> EvaluationResult:
    """Score cleaned texts, keyed by doc_id."""
    by_id = _index(documents, predictions)
    outputs = {doc_id: _from_text(by_id[doc_id], text) for doc_id, text in predictions.items()}
    return _evaluate("text", outputs, by_id, resamples, seed)


def evaluate_spans(predictions: dict[str, list[tuple[int, int]]], documents: list[Document], *,
                   resamples: int = RESAMPLES, seed: int = SEED) -> EvaluationResult:
    """Score kept character spans `[start, end)` (code points into raw_text), keyed by doc_id."""
    by_id = _index(documents, predictions)
    outputs = {doc_id: _from_spans(by_id[doc_id], spans) for doc_id, spans in predictions.items()}
    return _evaluate("spans", outputs, by_id, resamples, seed)


def evaluate_system(system: Callable[[str], str], documents: list[Document], *,
                    resamples: int = RESAMPLES, seed: int = SEED) -> EvaluationResult:
    """Run `system(raw_text) -> cleaned text` on every document and score its output."""
    texts = {}
    for doc in sorted(documents, key=lambda d: d.doc_id):
        try:
            texts[doc.doc_id] = system(doc.raw_text)
        except Exception as err:
            err.add_note(f"(while the system ran on document {doc.doc_id!r})")
            raise
    return evaluate_texts(texts, documents, resamples=resamples, seed=seed)


def _index(documents: list[Document], predictions: Iterable[str]) -> dict[str, Document]:
    by_id: dict[str, Document] = {}
    for doc in documents:
        if doc.doc_id in by_id:
            raise ValueError(f"document {doc.doc_id!r} is given twice")
        by_id[doc.doc_id] = doc
    unknown = sorted(set(predictions) - set(by_id))
    if unknown:
        raise ValueError(f"predictions for unknown documents: {', '.join(unknown[:5])}"
                         f"{' ...' if len(unknown) > 5 else ''}")
    return by_id


def _from_text(doc: Document, text: str) -> Output:
    if not isinstance(text, str):
        raise TypeError(f"the prediction for {doc.doc_id!r} is a {type(text).__name__}, not a str")
    found = align_text(doc.raw_text, text)
    return Output(found.kept, text, found.unaligned_chars, found.unaligned_words)


def _from_spans(doc: Document, spans: list[tuple[int, int]]) -> Output:
    for start, end in spans:
        if not 0 <= start < end <= len(doc.raw_text):
            raise ValueError(f"span [{start}, {end}) of {doc.doc_id!r} is not inside its raw text "
                             f"of {len(doc.raw_text)} code points, or is empty")
    return Output(kept_from_spans(doc.raw_text, spans), text_of_spans(doc.raw_text, spans))


def _evaluate(kind: Literal["text", "spans"], outputs: dict[str, Output], by_id: dict[str, Document],
              resamples: int, seed: int) -> EvaluationResult:
    scores = [_score(by_id[doc_id], outputs.get(doc_id)) for doc_id in sorted(by_id)]
    # An imported page's publisher is its web site, one page each: a row per site would say nothing.
    publishers = sorted({s.publisher for s in scores if s.page_type is None})
    page_types = sorted({s.page_type for s in scores if s.page_type is not None})
    return EvaluationResult(
        input=kind,
        splits=tuple(sorted({d.split for d in by_id.values()})),
        documents=tuple(scores),
        overall=summarise(scores, Bootstrap(len(scores), resamples, seed)),
        publishers={p: _point_summary([s for s in scores if s.publisher == p and s.page_type is None]) for p in publishers},
        resamples=resamples, seed=seed,
        page_types={t: _interval_summary([s for s in scores if s.page_type == t], resamples, seed) for t in page_types},
    )


def _interval_summary(scores: list[DocumentScore], resamples: int, seed: int):
    return summarise(scores, Bootstrap(len(scores), resamples, seed))


def _point_summary(scores: list[DocumentScore]):
    return summarise(scores, Bootstrap(len(scores), resamples=0))


def _score(doc: Document, output: Output | None) -> DocumentScore:
    missing = output is None
    if output is None:
        output = Output(bytes(len(doc.raw_text)), "")
    counts = span_counts(doc, output.kept, output.unaligned_chars, output.unaligned_words)
    gold = _gold_text(doc)
    imported = doc.imported
    return DocumentScore(
        doc_id=doc.doc_id, publisher=doc.metadata.publisher, missing=missing, empty=not output.text.strip(),
        spans=counts.classes, leakage=counts.leakage, aeb=page_counts(gold, output.text),
        aeb_exact=exact(gold, output.text), unaligned_chars=output.unaligned_chars,
        unaligned_words=output.unaligned_words,
        page_type=imported.page_type if imported else None,
        must_keep=_must_keep(doc, output.kept) if imported else (0, 0),
    )


@lru_cache(maxsize=4096)
def _gold_text(doc: Document) -> str:
    """The gold clean_text, derived once per document however many systems are scored on it."""
    return clean_text(doc)


def _must_keep(doc: Document, kept: bytes) -> tuple[int, int]:
    """(kept, all) non-space characters of the page's must-keep sentences."""
    inside = {i for span in doc.imported.must_keep for i in range(span.start, span.end) if not doc.raw_text[i].isspace()}
    return sum(kept[i] for i in inside), len(inside)
