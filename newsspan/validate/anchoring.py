"""Layer 3: every span points at the raw text it claims to cover."""
from __future__ import annotations

import hashlib
from typing import Iterator

from ..incidents import Incident, incident
from ..read import JsonSource
from ..workflow.ids import missing_id_incidents
from ..workflow.resolve import (SearchLimit, by_text_incident, counted, is_by_text, nearest_occurrences, occurrences,
                                search_limit)
from .characters import edge_character_problem
from .miscount import misread_offsets_hint


def iter_spans(annotation: dict) -> Iterator[tuple[str, dict]]:
    """Yield (json_pointer, span_object) for every span of every layer, in file order."""
    for layer in ("boilerplate", "entities"):
        for i, span in enumerate(annotation[layer]):
            yield f"/{layer}/{i}", span
    for i, quote in enumerate(annotation["quotes"]):
        for j, seg in enumerate(quote["content"]):
            yield f"/quotes/{i}/content/{j}", seg
        if quote["speaker"] and "span" in quote["speaker"]:
            yield f"/quotes/{i}/speaker/span", quote["speaker"]["span"]
        if quote["cue"]:
            yield f"/quotes/{i}/cue", quote["cue"]


def check_anchoring(source: JsonSource, raw_bytes: bytes, raw_text: str) -> list[Incident]:
    annotation = source.value
    actual = hashlib.sha256(raw_bytes).hexdigest()
    if annotation["metadata"]["raw_sha256"] != actual:
        # Offsets into a changed file are all suspect: one clear error, not one per span.
        line, col = source.locate("/metadata/raw_sha256")
        return [incident("NS301", source.where, line, col,
                         f"raw_sha256 is {annotation['metadata']['raw_sha256'][:12]}..., the raw file's is {actual[:12]}...",
                         f"the raw file changed: re-anchor every span against it, then set \"raw_sha256\": \"{actual}\"")]
    found = missing_id_incidents(source)
    with search_limit(raw_text, len(source.text)):
        for pointer, span in iter_spans(annotation):
            # A span written by text has no offsets to check yet: say how `fix` would resolve it.
            check = by_text_incident if is_by_text(span) else _span_problem
            problem = check(source, pointer, span, raw_text)
            if problem:
                found.append(problem)
    return found


def _span_problem(source: JsonSource, pointer: str, span: dict, raw: str) -> Incident | None:
    start, end, text = span["start"], span["end"], span["text"]
    if start >= end:
        line, col = source.locate(pointer + "/start")
        return incident("NS303", source.where, line, col, f"{pointer} has start {start} >= end {end}",
                        f"end is one past the last character: for {text!r} use end = start + {len(text)}")
    if end > len(raw):
        line, col = source.locate(pointer + "/end")
        return incident("NS302", source.where, line, col, f"{pointer} ends at {end}, the raw text has {len(raw)} code points",
                        _offsets_hint(text, start, end, raw))
    if raw[start:end] != text:
        line, col = source.locate(pointer + "/text")
        return incident("NS304", source.where, line, col,
                        f"{pointer} text {_short(text)} differs from raw[{start}:{end}] {_short(raw[start:end])}",
                        _offsets_hint(text, start, end, raw))
    if text[0].isspace() or text[-1].isspace():
        line, col = source.locate(pointer)
        lead = len(text) - len(text.lstrip())
        trail = len(text) - len(text.rstrip())
        return incident("NS305", source.where, line, col, f"{pointer} {_short(text)} starts or ends with whitespace",
                        f"trim it: \"start\": {start + lead}, \"end\": {end - trail}, \"text\": {_short(text.strip(), 200)}")
    return edge_character_problem(source, pointer, start, end, raw)


def _offsets_hint(text: str, start: int, end: int, raw: str) -> str:
    try:
        return misread_offsets_hint(text, start, end, raw) or _where_is(text, start, raw)
    except SearchLimit:
        return ("the page was not searched for the text (the searches of this document reached their limit): "
                "copy the offsets and the text from the raw file")


def _where_is(text: str, near: int, raw: str) -> str:
    """Suggest the occurrence of `text` nearest to where the span claims to be."""
    if not text or not occurrences(raw, text):
        return f"{_short(text)} does not occur in the raw text: correct \"text\" to the raw slice, or fix the offsets"
    best = min(nearest_occurrences(raw, text, near), key=lambda h: abs(h - near))
    hits = occurrences(raw, text)
    more = f" ({counted(hits).replace(' times', '')} occurrences; this is the nearest)" if len(hits) > 1 else ""
    return f"{_short(text)} occurs at [{best}, {best + len(text)}): set \"start\": {best}, \"end\": {best + len(text)}{more}"


def _short(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(shown)
