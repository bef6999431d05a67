"""The four configs' features, declared once: they give the Arrow schema, the card and Croissant."""
from __future__ import annotations

from datasets import ClassLabel, Features, List, Value

from .records import BLOCK_KINDS, BOILERPLATE_LABELS, ENTITY_LABELS, NER_TAGS, QUOTE_TYPES, SPEAKER_KINDS

_offsets = {"start": Value("int32"), "end": Value("int32")}
_span = {**_offsets, "text": Value("string")}


def _labelled(labels: tuple[str, ...]) -> dict:
    return {"id": Value("string"), **_span, "label": ClassLabel(names=list(labels))}


DOCUMENTS = Features({
    "id": Value("string"),
    "publisher": Value("string"),
    "title": Value("string"),
    "source_url": Value("string"),
    "published_date": Value("string"),
    "language": Value("string"),
    "translated_from": Value("string"),
    "translation_method": Value("string"),
    "raw_format": Value("string"),
    "rights": Value("string"),
    "raw_sha256": Value("string"),
    "near_duplicate_group": Value("string"),
    "annotators": List(Value("string")),
    "annotation_status": Value("string"),
    "guidelines_version": Value("string"),
    "raw_text": Value("string"),
    "clean_text": Value("string"),
    "boilerplate": List(_labelled(BOILERPLATE_LABELS)),
    "entities": List(_labelled(ENTITY_LABELS)),
    "quotes": List({
        "id": Value("string"),
        "type": ClassLabel(names=list(QUOTE_TYPES)),
        "content": List(dict(_span)),
        "speaker_entity_id": Value("string"),
        "speaker": Value("string"),
        "speaker_start": Value("int32"),
        "speaker_end": Value("int32"),
        "cue": Value("string"),
        "cue_start": Value("int32"),
        "cue_end": Value("int32"),
    }),
})

NER = Features({
    "id": Value("string"),
    "doc_id": Value("string"),
    "block_index": Value("int32"),
    "tokens": List(Value("string")),
    "ner_tags": List(ClassLabel(names=list(NER_TAGS))),
    "token_starts": List(Value("int32")),
    "token_ends": List(Value("int32")),
    "block_kind": ClassLabel(names=list(BLOCK_KINDS)),
})

BLOCKS = Features({
    "id": Value("string"),
    "doc_id": Value("string"),
    "block_index": Value("int32"),
    "num_blocks": Value("int32"),
    "start": Value("int32"),
    "end": Value("int32"),
    "text": Value("string"),
    "kind": ClassLabel(names=list(BLOCK_KINDS)),
    "boilerplate_labels": List(ClassLabel(names=list(BOILERPLATE_LABELS))),
    "boilerplate_fraction": Value("float32"),
    "publisher": Value("string"),
    "raw_format": Value("string"),
})

QUOTES = Features({
    "id": Value("string"),
    "doc_id": Value("string"),
    "quote_id": Value("string"),
    "type": ClassLabel(names=list(QUOTE_TYPES)),
    "content": Value("string"),
    "segments": List(dict(_span)),
    "speaker_kind": ClassLabel(names=list(SPEAKER_KINDS)),
    "speaker": Value("string"),
    "speaker_label": Value("string"),
    "speaker_start": Value("int32"),
    "speaker_end": Value("int32"),
    "cue": Value("string"),
    "cue_start": Value("int32"),
    "cue_end": Value("int32"),
    "context": Value("string"),
    "context_start": Value("int32"),
})

CONFIGS: dict[str, Features] = {"documents": DOCUMENTS, "ner": NER, "blocks": BLOCKS, "quotes": QUOTES}

DESCRIPTIONS = {
    "documents": "One row per document: metadata, raw_text, clean_text and the three annotation layers.",
    "ner": "Token classification (BIO tags over OntoNotes types), one row per text block (line).",
    "blocks": "One row per text block (line) with content/boilerplate/mixed labels, for boilerplate classifiers.",
    "quotes": "One row per quotation with content, type, speaker, cue and surrounding context.",
}
