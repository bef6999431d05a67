"""Documents as Label Studio tasks: the raw text as data, the corpus spans as one prediction.

Region ids are the corpus ids (b1, e1, q1; q1-2 for a quote's second segment, q1-speaker,
q1-cue), so that an annotation made from the prediction keeps them and import gives the same
ids back.
"""
from __future__ import annotations

from typing import Any

from ..records import Document, LabelledSpan, Quote, Span
from .names import BOILERPLATE, CONTINUES, CUE, ENTITY, QUOTE, SPEAKER, TEXT

MODEL_VERSION = "newsspan-corpus"


def document_task(doc: Document) -> dict[str, Any]:
    data = {"text": doc.raw_text, "doc_id": doc.doc_id, "title": doc.metadata.title,
            "publisher": doc.metadata.publisher, "split": doc.split, "status": doc.provenance.status}
    return {"data": data, "predictions": [{"model_version": MODEL_VERSION, "result": document_results(doc)}]}


def document_results(doc: Document) -> list[dict[str, Any]]:
    results = [_labelled(BOILERPLATE, s) for s in doc.boilerplate]
    results += [_labelled(ENTITY, s) for s in doc.entities]
    for quote in doc.quotes:
        results += _quote_results(quote)
    return results


def segment_id(quote_id: str, n: int) -> str:
    """Region id of a quote's n-th content segment (1-based): q3, q3-2, q3-3, ..."""
    return quote_id if n == 1 else f"{quote_id}-{n}"


def _labelled(control: str, span: LabelledSpan) -> dict[str, Any]:
    return _region(span.id, control, span.label, span)


def _region(region_id: str, control: str, label: str, span: Span | LabelledSpan) -> dict[str, Any]:
    value = {"start": span.start, "end": span.end, "text": span.text, "labels": [label]}
    return {"id": region_id, "from_name": control, "to_name": TEXT, "type": "labels", "value": value}


def _relation(from_id: str, to_id: str, label: str) -> dict[str, Any]:
    return {"from_id": from_id, "to_id": to_id, "type": "relation", "direction": "right", "labels": [label]}


def _quote_results(quote: Quote) -> list[dict[str, Any]]:
    first = segment_id(quote.id, 1)
    results = [_region(segment_id(quote.id, n), QUOTE, quote.type, seg) for n, seg in enumerate(quote.content, 1)]
    results += [_relation(segment_id(quote.id, n), segment_id(quote.id, n + 1), CONTINUES)
                for n in range(1, len(quote.content))]
    if quote.speaker_entity:
        results.append(_relation(first, quote.speaker_entity, SPEAKER))
    elif quote.speaker_span:
        results.append(_region(f"{quote.id}-{SPEAKER}", QUOTE, SPEAKER, quote.speaker_span))
        results.append(_relation(first, f"{quote.id}-{SPEAKER}", SPEAKER))
    if quote.cue:
        results.append(_region(f"{quote.id}-{CUE}", QUOTE, CUE, quote.cue))
        results.append(_relation(first, f"{quote.id}-{CUE}", CUE))
    return results
