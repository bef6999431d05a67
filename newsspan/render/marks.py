"""Spans of every layer as one nested sequence of HTML-ready events.

Layers overlap (an entity inside a quote inside a caption), so the text is cut at every span
start and end, and the spans active on each piece are opened outermost-first. Spans that nest
come out as nested elements; a span that crosses another is cut into pieces, and every piece
after the first is marked `continued` so that counting first pieces counts spans.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterator, Union

from ..records import Document

# Which layer is drawn outside another when two spans cover the same characters.
LAYER_ORDER = ("boilerplate", "quote", "speaker", "cue", "entity")


@dataclass(frozen=True, slots=True)
class Mark:
    """One span to draw: its layer, id, label, range and any further data attributes."""
    layer: str
    span_id: str
    label: str
    start: int
    end: int
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Open:
    mark: Mark
    continued: bool


@dataclass(frozen=True, slots=True)
class Close:
    mark: Mark


@dataclass(frozen=True, slots=True)
class Text:
    text: str


Event = Union[Open, Close, Text]


def document_marks(doc: Document) -> list[Mark]:
    """Every span of the document as a Mark; speaker spans and cues shared by quotes drawn once."""
    speaker_of: dict[str, list[str]] = defaultdict(list)
    for quote in doc.quotes:
        if quote.speaker_entity:
            speaker_of[quote.speaker_entity].append(quote.id)
    marks = [Mark("boilerplate", s.id, s.label, s.start, s.end) for s in doc.boilerplate]
    for e in doc.entities:
        extra = (("data-speaker-of", " ".join(speaker_of[e.id])),) if e.id in speaker_of else ()
        marks.append(Mark("entity", e.id, e.label, e.start, e.end, extra))
    for quote in doc.quotes:
        count = len(quote.content)
        for n, seg in enumerate(quote.content, 1):
            marks.append(Mark("quote", quote.id, quote.type, seg.start, seg.end,
                              (("data-segment", str(n)), ("data-segments", str(count)))))
    marks += _quote_parts(doc, "speaker", lambda q: q.speaker_span)
    marks += _quote_parts(doc, "cue", lambda q: q.cue)
    return marks


def _quote_parts(doc: Document, layer: str, part) -> list[Mark]:
    users: dict[tuple[int, int], list[str]] = defaultdict(list)
    for quote in doc.quotes:
        span = part(quote)
        if span is not None:
            users[(span.start, span.end)].append(quote.id)
    return [Mark(layer, f"{ids[0]}-{layer}", layer, start, end, (("data-quote", " ".join(ids)),))
            for (start, end), ids in sorted(users.items())]


def _outer_first(mark: Mark) -> tuple:
    return (-mark.end, LAYER_ORDER.index(mark.layer), mark.span_id)


def layout(text: str, marks: list[Mark]) -> Iterator[Event]:
    """Open/text/close events that cover `text` once, with every mark properly nested."""
    starts: dict[int, list[Mark]] = defaultdict(list)
    ends: dict[int, list[Mark]] = defaultdict(list)
    for mark in marks:
        starts[mark.start].append(mark)
        ends[mark.end].append(mark)
    cuts = sorted({0, len(text)} | set(starts) | set(ends))
    active: set[Mark] = set()
    begun: set[Mark] = set()
    stack: list[Mark] = []
    for here, there in zip(cuts, cuts[1:]):
        active.difference_update(ends[here])
        active.update(starts[here])
        keep = 0
        while keep < len(stack) and stack[keep] in active:
            keep += 1
        # Everything above the first finished mark closes; still-active ones reopen below.
        for mark in reversed(stack[keep:]):
            yield Close(mark)
        del stack[keep:]
        for mark in sorted(active.difference(stack), key=_outer_first):
            yield Open(mark, continued=mark in begun)
            begun.add(mark)
            stack.append(mark)
        yield Text(text[here:there])
    for mark in reversed(stack):
        yield Close(mark)
