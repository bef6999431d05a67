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
from itertools import accumulate
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


@dataclass(frozen=True, slots=True)
class Layout:
    """What several configs read of a document: its blocks, and each block's (kind, boilerplate
    labels, boilerplate fraction). Computed once when all configs are derived together."""
    blocks: list[Block]
    labels: list[tuple[str, list[str], float]]


def layout(doc: Document) -> Layout:
    found, boilerplate = blocks(doc.raw_text), _Boilerplate(doc.boilerplate)
    return Layout(found, [boilerplate.block_labels(block, doc.raw_text) for block in found])


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


def block_rows(doc: Document, lay: Layout | None = None) -> Iterator[dict]:
    lay = lay or layout(doc)
    for block, (kind, present, fraction) in zip(lay.blocks, lay.labels):
        yield {
            "id": f"{doc.doc_id}/{block.index}", "doc_id": doc.doc_id, "block_index": block.index,
            "num_blocks": len(lay.blocks), "start": block.start, "end": block.end, "text": block.text,
            "kind": BLOCK_KINDS.index(kind), "boilerplate_labels": [BOILERPLATE_LABELS.index(l) for l in present],
            "boilerplate_fraction": fraction, "publisher": doc.metadata.publisher, "raw_format": doc.metadata.raw_format,
        }


_TOKEN_SPLIT = re.compile(f"({TOKEN.pattern})")


def tokens(text: str, cuts: list[int]) -> tuple[list[str], list[int], list[int]]:
    """The text's tokens with their start and end offsets, split at the sorted offsets `cuts`.

    `re.split` with the token pattern captured returns [gap, token, gap, ..., gap], so running
    sums of the part lengths are the offsets, without a Python step per token. A cut inside a
    token splits it in two (a token is a maximal run of word characters or one other character,
    so this is what tokenising the pieces between cuts would give); most cuts fall between
    tokens. Tokens never cross a newline, so a block's tokens are a run of these."""
    parts = _TOKEN_SPLIT.split(text)
    bounds = list(accumulate(map(len, parts), initial=0))
    count = len(parts) // 2
    strings, starts, ends = parts[1::2], bounds[1:2 * count:2], bounds[2::2]
    for cut in cuts:
        i = bisect_right(starts, cut) - 1
        if i >= 0 and starts[i] < cut < ends[i]:
            starts.insert(i + 1, cut)
            ends.insert(i, cut)
            strings[i:i + 1] = [text[starts[i]:cut], text[cut:ends[i + 1]]]
    return strings, starts, ends


def ner_rows(doc: Document, lay: Layout | None = None) -> Iterator[dict]:
    lay = lay or layout(doc)
    strings, starts, ends = tokens(doc.raw_text, sorted({e.start for e in doc.entities} | {e.end for e in doc.entities}))
    tags = _token_tags(doc, starts)
    for block, (kind, _, _) in zip(lay.blocks, lay.labels):
        first, last = bisect_left(starts, block.start), bisect_left(starts, block.end)
        yield {
            "id": f"{doc.doc_id}/{block.index}", "doc_id": doc.doc_id, "block_index": block.index,
            "tokens": strings[first:last], "ner_tags": tags[first:last],
            "token_starts": starts[first:last], "token_ends": ends[first:last],
            "block_kind": BLOCK_KINDS.index(kind),
        }


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


def quote_rows(doc: Document, lay: Layout | None = None) -> Iterator[dict]:
    ents = {e.id: e for e in doc.entities}
    found = lay.blocks if lay else blocks(doc.raw_text)
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
    "documents": lambda doc, lay=None: iter([document_row(doc)]),
    "ner": ner_rows,
    "blocks": block_rows,
    "quotes": quote_rows,
}


def derive_all(doc: Document) -> dict[str, list[dict]]:
    """The rows of every config, sharing the work they have in common."""
    lay = layout(doc)
    return {config: list(derive(doc, lay)) for config, derive in DERIVERS.items()}
