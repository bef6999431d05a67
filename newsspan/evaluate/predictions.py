"""Check each prediction line's fields against the gold split, one task at a time.

boilerplate: {"id": doc_id, "text": cleaned text} or {"id": doc_id, "spans": [[start, end], ...]}
             (one kind per file; spans are kept code-point ranges of raw_text);
ner:         {"id": doc_id, "entities": [[start, end, label], ...]} and/or
             {"id": "<doc_id>/<block_index>", "ner_tags": [tag name per token of that `ner` row]};
quotes:      {"id": doc_id, "quotes": [{"content": [[start, end], ...], "speaker": text or null}, ...]}.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ..records import NER_TAGS
from ..records import ENTITY_LABELS
from .gold import Gold
from .jsonl import LineError, Record
from .quotes import PredictedQuote

@dataclass(slots=True)
class Boilerplate:
    kind: str | None = None                                  # "text" or "spans"
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Ner:
    mentions: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)


def _error(where: str, record: Record, message: str, hint: str) -> LineError:
    return LineError(where, record.line, 1, message, hint)


def _unknown(where: str, record: Record, gold: Gold, known: list[str], what: str) -> LineError:
    owner = record.id.rsplit("/", 1)[0]   # a `ner` row id is <doc_id>/<block_index>
    if owner in gold.elsewhere:
        hint = f"it is from a {gold.elsewhere[owner]} document: pass --split {gold.elsewhere[owner]}, or remove the line"
    else:
        close = difflib.get_close_matches(record.id, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"use the ids of the {gold.split} split's {what}s"
    return _error(where, record, f"unknown {what} id {record.id!r} in the {gold.split} split", hint)


def _spans(value: Any, size: int, width: int = 2) -> tuple[list[tuple], str | None]:
    """[[start, end, ...], ...] with 0 <= start < end <= size, or an error message."""
    if not isinstance(value, list):
        return [], "must be a list of [start, end] pairs"
    found = []
    for i, item in enumerate(value):
        if not (isinstance(item, list) and len(item) == width
                and all(isinstance(x, int) and not isinstance(x, bool) for x in item[:2])):
            return [], f"item {i} ({item!r:.40}) is not [start, end{', label' if width == 3 else ''}] with integer offsets"
        if not 0 <= item[0] < item[1] <= size:
            return [], f"item {i} [{item[0]}, {item[1]}) is empty or outside the raw text (0..{size} code points)"
        found.append(tuple(item))
    return found, None


_OFFSETS = "offsets are code points into raw_text, half-open [start, end), as in the corpus"


def boilerplate_predictions(records: list[Record], gold: Gold, where: str) -> tuple[Boilerplate, list[LineError]]:
    found, errors = Boilerplate(), []
    for record in records:
        doc = gold.documents.get(record.id)
        kinds = [k for k in ("text", "spans") if k in record.value]
        if doc is None:
            errors.append(_unknown(where, record, gold, list(gold.documents), "document"))
        elif len(kinds) != 1:
            errors.append(_error(where, record, "give exactly one of \"text\" and \"spans\"",
                                 "\"text\": the cleaned page as a string, or \"spans\": [[start, end], ...] kept"))
        elif found.kind not in (None, kinds[0]):
            errors.append(_error(where, record, f"this line gives {kinds[0]} but earlier lines give {found.kind}",
                                 "one file holds one kind of prediction; split it in two files"))
        else:
            found.kind = kinds[0]
            value, problem = _boilerplate_value(record.value[kinds[0]], kinds[0], len(doc.raw_text))
            if problem:
                errors.append(_error(where, record, f"\"{kinds[0]}\" {problem}",
                                     "the cleaned text must be a string holding what the system kept of the page" if kinds[0] == "text" else _OFFSETS))
            else:
                found.values[record.id] = value
    return found, errors


# A cleaned text keeps part of its page; markdown conversion may add some characters, never as
# many as the page again. The alignment costs the product of the two lengths (align.py).
MAX_TEXT_RATIO = 2
MAX_TEXT_SLACK = 1000


def _boilerplate_value(value: Any, kind: str, size: int) -> tuple[Any, str | None]:
    if kind == "text":
        if not isinstance(value, str):
            return None, f"is a JSON {type(value).__name__}, not a string"
        limit = MAX_TEXT_RATIO * size + MAX_TEXT_SLACK
        if len(value) > limit:
            return None, (f"has {len(value)} characters, more than the limit of {MAX_TEXT_RATIO} x the page's {size} "
                          f"+ {MAX_TEXT_SLACK} = {limit}: a cleaned page is part of its page")
        return value, None
    return _spans(value, size)


def ner_predictions(records: list[Record], gold: Gold, where: str) -> tuple[Ner, list[LineError]]:
    found, errors = Ner(), []
    for record in records:
        kinds = [k for k in ("entities", "ner_tags") if k in record.value]
        if len(kinds) != 1:
            errors.append(_error(where, record, "give exactly one of \"entities\" and \"ner_tags\"",
                                 "\"entities\" with a document id, or \"ner_tags\" with a `ner` row id (<doc_id>/<block_index>)"))
        elif kinds[0] == "entities":
            errors += _mentions(record, gold, where, found)
        else:
            errors += _tags(record, gold, where, found)
    return found, errors


def _mentions(record: Record, gold: Gold, where: str, found: Ner) -> list[LineError]:
    doc = gold.documents.get(record.id)
    if doc is None:
        return [_unknown(where, record, gold, list(gold.documents), "document")]
    spans, problem = _spans(record.value["entities"], len(doc.raw_text), width=3)
    bad = [s[2] for s in spans if s[2] not in ENTITY_LABELS]
    if problem or bad:
        return [_error(where, record, f"\"entities\" {problem or f'has the unknown label {bad[0]!r}'}",
                       f"each entity is [start, end, label] with a label in {', '.join(ENTITY_LABELS)}; {_OFFSETS}")]
    found.mentions[record.id] = spans
    return []


def _tags(record: Record, gold: Gold, where: str, found: Ner) -> list[LineError]:
    row = gold.ner.get(record.id)
    if row is None:
        return [_unknown(where, record, gold, list(gold.ner), "`ner` row")]
    tags = record.value["ner_tags"]
    if not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        return [_error(where, record, "\"ner_tags\" must be a list of tag names", f"tag names are {', '.join(NER_TAGS[:3])}, ...")]
    bad = [t for t in tags if t not in NER_TAGS]
    if bad or len(tags) != len(row.tags):
        message = f"unknown tag {bad[0]!r}" if bad else f"{len(tags)} tags for the row's {len(row.tags)} tokens"
        return [_error(where, record, f"\"ner_tags\": {message}",
                       f"give one tag per token of the row, from {', '.join(NER_TAGS[:3])}, ... (BIO)")]
    found.tags[record.id] = tags
    return []


def quote_predictions(records: list[Record], gold: Gold, where: str) -> tuple[dict[str, list[PredictedQuote]], list[LineError]]:
    found, errors = {}, []
    hint = "\"quotes\": [{\"content\": [[start, end], ...], \"speaker\": \"name\" or null}, ...]; " + _OFFSETS
    for record in records:
        doc = gold.documents.get(record.id)
        if doc is None:
            errors.append(_unknown(where, record, gold, list(gold.documents), "document"))
            continue
        quotes, problem = _quotes(record.value.get("quotes"), len(doc.raw_text))
        if problem:
            errors.append(_error(where, record, f"\"quotes\" {problem}", hint))
        else:
            found[record.id] = quotes
    return found, errors


def _quotes(value: Any, size: int) -> tuple[list[PredictedQuote], str | None]:
    if not isinstance(value, list):
        return [], "must be a list of quote objects"
    quotes = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            return [], f"item {i} is not an object"
        content, problem = _spans(item.get("content"), size)
        if problem or not content:
            return [], f"item {i}: \"content\" {problem or 'is empty'}"
        speaker = item.get("speaker")
        if speaker is not None and not isinstance(speaker, str):
            return [], f"item {i}: \"speaker\" must be a string or null"
        quotes.append(PredictedQuote(tuple(content), speaker))
    return quotes, None
