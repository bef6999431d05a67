"""Quote evaluation: content found by overlap, and the speaker of each found quote.

A quote's content is the set of non-space raw characters of its content spans. A predicted and a
gold quote overlap when they share a content character. Quotes are paired one to one, greedily
by the number of shared characters (ties: the earlier gold quote, then the earlier prediction).
Over the documents (pooled counts):

- quotes:  precision = paired predictions / predictions, recall = paired gold quotes / gold quotes;
- exact:   the same, pairing only quotes with identical content characters;
- content characters: Counts over the union of quote content characters per document
  (tp = characters in both, fp = predicted only, fn = gold only);
- speaker accuracy = paired quotes whose speaker is right / paired quotes. The gold speaker is
  the text of the speaker's entity mention or description span; strings are compared after
  NFKC, case folding, ASCII quotes and dashes and single spaces. A gold quote without a speaker
  is right when the prediction's speaker is null or empty.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..records import Document, Quote
from .align import fold
from .metrics import Counts, Tally


@dataclass(frozen=True, slots=True)
class PredictedQuote:
    content: tuple[tuple[int, int], ...]
    speaker: str | None


@dataclass(frozen=True, slots=True)
class QuoteScore:
    doc_id: str
    missing: bool
    quotes: Tally
    exact: Tally
    chars: Counts
    speakers_right: int


@dataclass(frozen=True, slots=True)
class QuotesResult:
    splits: tuple[str, ...]
    documents: tuple[QuoteScore, ...]
    quotes: Tally
    exact: Tally
    chars: Counts
    speakers_right: int

    @property
    def speaker_accuracy(self) -> float | None:
        return self.speakers_right / self.quotes.pred_matched if self.quotes.pred_matched else None


def _chars(raw: str, spans) -> frozenset[int]:
    return frozenset(i for start, end in spans for i in range(start, end) if not raw[i].isspace())


def gold_speaker(doc: Document, quote: Quote) -> str | None:
    if quote.speaker_entity:
        return next(e.text for e in doc.entities if e.id == quote.speaker_entity)
    return quote.speaker_span.text if quote.speaker_span else None


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    def norm(text: str | None) -> str:
        return " ".join(fold(unicodedata.normalize("NFKC", text or "")).casefold().split())
    return norm(predicted) == norm(gold)


def pair(gold: list[frozenset[int]], pred: list[frozenset[int]], exact: bool = False) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs, largest overlap first."""
    candidates = sorted(((len(g & p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(pred)
                         if (g == p if exact else g & p)), key=lambda c: (-c[0], c[1], c[2]))
    used_gold, used_pred, pairs = set(), set(), []
    for _, gi, pi in candidates:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


def score_document(doc: Document, predicted: list[PredictedQuote] | None) -> QuoteScore:
    preds = predicted or []
    gold_q = sorted(doc.quotes, key=lambda q: (q.content[0].start, q.id))
    gold_sets = [_chars(doc.raw_text, [(s.start, s.end) for s in q.content]) for q in gold_q]
    pred_sets = [_chars(doc.raw_text, p.content) for p in preds]
    pairs, exact_pairs = pair(gold_sets, pred_sets), pair(gold_sets, pred_sets, exact=True)
    right = sum(same_speaker(preds[pi].speaker, gold_speaker(doc, gold_q[gi])) for gi, pi in pairs)
    gold_all, pred_all = frozenset().union(*gold_sets), frozenset().union(*pred_sets)
    return QuoteScore(
        doc.doc_id, predicted is None,
        Tally(len(pairs), len(preds), len(pairs), len(gold_q)),
        Tally(len(exact_pairs), len(preds), len(exact_pairs), len(gold_q)),
        Counts(len(gold_all & pred_all), len(pred_all - gold_all), len(gold_all - pred_all)), right,
    )


def evaluate_quotes(predictions: dict[str, list[PredictedQuote]], documents: list[Document]) -> QuotesResult:
    docs = sorted(documents, key=lambda d: d.doc_id)
    scores = [score_document(d, predictions.get(d.doc_id)) for d in docs]
    return QuotesResult(
        tuple(sorted({d.split for d in docs})), tuple(scores),
        sum((s.quotes for s in scores), Tally()), sum((s.exact for s in scores), Tally()),
        sum((s.chars for s in scores), Counts()), sum(s.speakers_right for s in scores),
    )
