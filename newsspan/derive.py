"""Stage 3, derive: turn a validated Document into the rows of the four configs.

Every rule here is documented in the dataset card, because users train on its output:
- clean_text: delete boilerplate characters, strip trailing whitespace from every line, collapse
  runs of blank lines into one, strip blank lines at both ends;
- blocks: the raw text split at newlines; a block is a line with non-whitespace characters,
  trimmed of edge whitespace;
- tokens: `\\w+|[^\\w\\s]` (words, and every other non-space character alone), further split at
  gold entity boundaries so that every mention is whole tokens (glued words like `Santorareported`).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Iterator

from .records import (BLOCK_KINDS, BOILERPLATE_LABELS, ENTITY_LABELS, NER_TAGS, QUOTE_TYPES, SPEAKER_KINDS, Document,
                      LabelledSpan)

TOKEN = re.compile(r"\w+|[^\w\s]")
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class Block:
    index: int
    start: int
    end: int
    text: str


def clean_text(doc: Document) -> str:
    kept, pos = [], 0
    for span in sorted(doc.boilerplate, key=lambda s: s.start):
        kept.append(doc.raw_text[pos:span.start])
        pos = span.end
    kept.append(doc.raw_text[pos:])
    lines = [line.rstrip() for line in "".join(kept).split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")


def blocks(text: str) -> list[Block]:
    found, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + (len(line) - len(line.lstrip()))
            found.append(Block(len(found), start, start + len(stripped), stripped))
        pos += len(line) + 1
    return found


def _nonspace(text: str) -> int:
    # str.split() cuts at exactly the characters str.isspace() accepts.
    return len("".join(text.split()))


class _Boilerplate:
    """A document's boilerplate spans in text order, to find those touching a block by bisection
    (spans of one layer never overlap, so their ends are in order too)."""

    def __init__(self, spans: tuple[LabelledSpan, ...]):
        self.spans = sorted(spans, key=lambda s: s.start)
        self.ends = [s.end for s in self.spans]

    def block_labels(self, block: Block, text: str) -> tuple[str, list[str], float]:
        """The block's kind, the boilerplate labels in it and the share of its non-space
        characters they cover."""
        inside = _nonspace(block.text)
        marked, present = 0, set()
        for i in range(bisect_right(self.ends, block.start), len(self.spans)):
            span = self.spans[i]
            if span.start >= block.end:
                break
            covered = _nonspace(text[max(span.start, block.start):min(span.end, block.end)])
            if covered:
                marked += covered
                present.add(span.label)
        kind = "content" if not marked else "boilerplate" if marked == inside else "mixed"
        return kind, sorted(present, key=BOILERPLATE_LABELS.index), marked / inside


def document_row(doc: Document) -> dict:
    meta, prov = doc.metadata, doc.provenance
    ents = {e.id: e for e in doc.entities}
    return {
        "id": doc.doc_id, "publisher": meta.publisher, "title": meta.title, "source_url": meta.source_url,
        "published_date": meta.published_date, "language": meta.language, "translated_from": meta.translated_from,
        "translation_method": meta.translation_method, "raw_format": meta.raw_format, "rights": meta.rights,
        "raw_sha256": meta.raw_sha256, "near_duplicate_group": doc.near_duplicate_group,
        "annotators": list(prov.annotators), "annotation_status": prov.status, "guidelines_version": prov.guidelines_version,
        "raw_text": doc.raw_text, "clean_text": clean_text(doc),
        "boilerplate": [_labelled(s, BOILERPLATE_LABELS) for s in sorted(doc.boilerplate, key=_pos)],
        "entities": [_labelled(s, ENTITY_LABELS) for s in sorted(doc.entities, key=_pos)],
        "quotes": [_quote(q, ents) for q in sorted(doc.quotes, key=lambda q: (q.content[0].start, q.id))],
    }


def _pos(span) -> tuple:
    return (span.start, span.end, span.id)


def _labelled(span: LabelledSpan, labels: tuple[str, ...]) -> dict:
    return {"id": span.id, "start": span.start, "end": span.end, "text": span.text, "label": labels.index(span.label)}


def _speaker(quote, entities: dict[str, LabelledSpan]):
    """(kind, text, label, start, end) of a quote's speaker."""
    if quote.speaker_entity:
        ent = entities[quote.speaker_entity]
        return "entity", ent.text, ent.label, ent.start, ent.end
    if quote.speaker_span:
        span = quote.speaker_span
        return "description", span.text, None, span.start, span.end
    return "unknown", None, None, None, None


def _quote(quote, entities: dict[str, LabelledSpan]) -> dict:
    _, text, _, start, end = _speaker(quote, entities)
    cue = quote.cue
    return {
        "id": quote.id, "type": QUOTE_TYPES.index(quote.type),
        "content": [{"start": s.start, "end": s.end, "text": s.text} for s in quote.content],
        "speaker_entity_id": quote.speaker_entity, "speaker": text, "speaker_start": start, "speaker_end": end,
        "cue": cue.text if cue else None, "cue_start": cue.start if cue else None, "cue_end": cue.end if cue else None,
    }


def block_rows(doc: Document) -> Iterator[dict]:
    found = blocks(doc.raw_text)
    boilerplate = _Boilerplate(doc.boilerplate)
    for block in found:
        kind, present, fraction = boilerplate.block_labels(block, doc.raw_text)
        yield {
            "id": f"{doc.doc_id}/{block.index}", "doc_id": doc.doc_id, "block_index": block.index,
            "num_blocks": len(found), "start": block.start, "end": block.end, "text": block.text,
            "kind": BLOCK_KINDS.index(kind), "boilerplate_labels": [BOILERPLATE_LABELS.index(l) for l in present],
            "boilerplate_fraction": fraction, "publisher": doc.metadata.publisher, "raw_format": doc.metadata.raw_format,
        }


def tokens(text: str, block: Block, cuts: list[int]) -> list[tuple[int, int]]:
    """Token offsets (absolute) in a block, split at the sorted boundary offsets `cuts`.

    Tokenising each piece between two cuts gives exactly the block's tokens cut at those offsets:
    a token is a maximal run of word characters or one other character, so a cut only splits the
    run it falls in."""
    edges = [block.start, *cuts[bisect_right(cuts, block.start):bisect_left(cuts, block.end)], block.end]
    found: list[tuple[int, int]] = []
    for a, b in zip(edges, edges[1:]):
        found.extend(map(re.Match.span, TOKEN.finditer(text, a, b)))
    return found


def ner_rows(doc: Document) -> Iterator[dict]:
    text = doc.raw_text
    cuts = sorted({e.start for e in doc.entities} | {e.end for e in doc.entities})
    found = blocks(text)
    # map() over C callables where a loop would run once per token of the corpus.
    spans = [tokens(text, block, cuts) for block in found]
    starts = [list(map(itemgetter(0), s)) for s in spans]
    ends = [list(map(itemgetter(1), s)) for s in spans]
    tags = _token_tags(doc, list(chain.from_iterable(starts)))
    boilerplate = _Boilerplate(doc.boilerplate)
    first = 0
    for block, block_starts, block_ends in zip(found, starts, ends):
        last = first + len(block_starts)
        yield {
            "id": f"{doc.doc_id}/{block.index}", "doc_id": doc.doc_id, "block_index": block.index,
            "tokens": list(map(text.__getitem__, map(slice, block_starts, block_ends))),
            "ner_tags": tags[first:last], "token_starts": block_starts, "token_ends": block_ends,
            "block_kind": BLOCK_KINDS.index(boilerplate.block_labels(block, text)[0]),
        }
        first = last


def _token_tags(doc: Document, starts: list[int]) -> list[int]:
    """NER tag ids of the tokens starting at `starts` (sorted): a token takes the tag of the
    entity its first character belongs to, B- on the entity's first token."""
    tags = [NER_TAGS.index("O")] * len(starts)
    for ent in doc.entities:
        i, j = bisect_left(starts, ent.start), bisect_left(starts, ent.end)
        if i < j:
            tags[i:j] = [NER_TAGS.index(f"I-{ent.label}")] * (j - i)
            if starts[i] == ent.start:
                tags[i] = NER_TAGS.index(f"B-{ent.label}")
    return tags


def quote_rows(doc: Document) -> Iterator[dict]:
    ents = {e.id: e for e in doc.entities}
    found = blocks(doc.raw_text)
    for quote in sorted(doc.quotes, key=lambda q: (q.content[0].start, q.id)):
        kind, text, label, start, end = _speaker(quote, ents)
        first, last = quote.content[0].start, quote.content[-1].end
        around = [b for b in found if b.end > first and b.start < last]
        ctx_start, ctx_end = around[0].start, around[-1].end
        cue = quote.cue
        yield {
            "id": f"{doc.doc_id}/{quote.id}", "doc_id": doc.doc_id, "quote_id": quote.id,
            "type": QUOTE_TYPES.index(quote.type),
            "content": " ".join(s.text for s in quote.content),
            "segments": [{"start": s.start, "end": s.end, "text": s.text} for s in quote.content],
            "speaker_kind": SPEAKER_KINDS.index(kind), "speaker": text, "speaker_label": label,
            "speaker_start": start, "speaker_end": end,
            "cue": cue.text if cue else None, "cue_start": cue.start if cue else None, "cue_end": cue.end if cue else None,
            "context": doc.raw_text[ctx_start:ctx_end], "context_start": ctx_start,
        }


DERIVERS = {
    "documents": lambda doc: iter([document_row(doc)]),
    "ner": ner_rows,
    "blocks": block_rows,
    "quotes": quote_rows,
}
