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
from dataclasses import dataclass
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


def _covered(spans: tuple[LabelledSpan, ...], text: str) -> list[str | None]:
    """Per code point: the boilerplate label covering it, or None."""
    labels: list[str | None] = [None] * len(text)
    for span in spans:
        labels[span.start:span.end] = [span.label] * (span.end - span.start)
    return labels


def _block_labels(block: Block, text: str, labels: list[str | None]) -> tuple[str, list[str], float]:
    inside = [labels[i] for i in range(block.start, block.end) if not text[i].isspace()]
    marked = [label for label in inside if label is not None]
    fraction = len(marked) / len(inside)
    kind = "content" if not marked else "boilerplate" if len(marked) == len(inside) else "mixed"
    present = sorted(set(marked), key=BOILERPLATE_LABELS.index)
    return kind, present, fraction


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
    labels = _covered(doc.boilerplate, doc.raw_text)
    found = blocks(doc.raw_text)
    for block in found:
        kind, present, fraction = _block_labels(block, doc.raw_text, labels)
        yield {
            "id": f"{doc.doc_id}/{block.index}", "doc_id": doc.doc_id, "block_index": block.index,
            "num_blocks": len(found), "start": block.start, "end": block.end, "text": block.text,
            "kind": BLOCK_KINDS.index(kind), "boilerplate_labels": [BOILERPLATE_LABELS.index(l) for l in present],
            "boilerplate_fraction": fraction, "publisher": doc.metadata.publisher, "raw_format": doc.metadata.raw_format,
        }


def tokens(block: Block, boundaries: set[int]) -> list[tuple[int, int]]:
    """Token offsets (absolute) in a block, split at the given boundary offsets."""
    found = []
    for match in TOKEN.finditer(block.text):
        start, end = block.start + match.start(), block.start + match.end()
        cuts = sorted(b for b in boundaries if start < b < end)
        for a, b in zip([start] + cuts, cuts + [end]):
            found.append((a, b))
    return found


def ner_rows(doc: Document) -> Iterator[dict]:
    labels = _covered(doc.boilerplate, doc.raw_text)
    boundaries = {e.start for e in doc.entities} | {e.end for e in doc.entities}
    tag_of = _entity_tags(doc)
    for block in blocks(doc.raw_text):
        toks = tokens(block, boundaries)
        kind = _block_labels(block, doc.raw_text, labels)[0]
        yield {
            "id": f"{doc.doc_id}/{block.index}", "doc_id": doc.doc_id, "block_index": block.index,
            "tokens": [doc.raw_text[a:b] for a, b in toks],
            "ner_tags": [NER_TAGS.index(tag_of(a, b)) for a, b in toks],
            "token_starts": [a for a, _ in toks], "token_ends": [b for _, b in toks],
            "block_kind": BLOCK_KINDS.index(kind),
        }


def _entity_tags(doc: Document):
    by_pos = {}
    for ent in doc.entities:
        for i in range(ent.start, ent.end):
            by_pos[i] = ent

    def tag(start: int, end: int) -> str:
        ent = by_pos.get(start)
        if ent is None:
            return "O"
        return f"{'B' if start == ent.start else 'I'}-{ent.label}"
    return tag


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
