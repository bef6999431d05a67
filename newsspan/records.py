"""The record types that flow through every stage (read -> validate -> derive -> write)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

BOILERPLATE_LABELS = ("appeal", "navigation", "comments", "metadata", "credit", "caption", "related", "markup", "other",
                      "unknown", "must-remove")
# Labels of imported corpora (GUIDELINES.md section 8): `unknown` is boilerplate of no known kind (never
# reported as per-label leakage), `must-remove` a string the benchmark says an extraction must not keep.
IMPORTED_LABELS = ("unknown", "must-remove")
UNREPORTED_LABELS = ("unknown",)
# What an annotator labels a page with (Label Studio offers these): the imported-only labels left out.
ANNOTATION_LABELS = tuple(label for label in BOILERPLATE_LABELS if label not in IMPORTED_LABELS)
ENTITY_LABELS = ("PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "EVENT", "PRODUCT")
QUOTE_TYPES = ("direct", "indirect")
SPLITS = ("train", "validation", "test")
STATUSES = ("draft", "reviewed", "gold")
SPEAKER_ENTITY_LABELS = ("PERSON", "ORG", "NORP", "GPE")
BLOCK_KINDS = ("content", "boilerplate", "mixed")
SPEAKER_KINDS = ("entity", "description", "unknown")
NER_TAGS = ("O",) + tuple(f"{p}-{label}" for label in ENTITY_LABELS for p in ("B", "I"))


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str

    @classmethod
    def from_json(cls, obj: dict) -> "Span":
        return cls(obj["start"], obj["end"], obj["text"])


@dataclass(frozen=True, slots=True)
class LabelledSpan:
    """A boilerplate span or an entity mention."""
    id: str
    start: int
    end: int
    label: str
    text: str

    @classmethod
    def from_json(cls, obj: dict) -> "LabelledSpan":
        return cls(obj["id"], obj["start"], obj["end"], obj["label"], obj["text"])


@dataclass(frozen=True, slots=True)
class Quote:
    id: str
    type: Literal["direct", "indirect"]
    content: tuple[Span, ...]
    speaker_entity: str | None
    speaker_span: Span | None
    cue: Span | None

    @classmethod
    def from_json(cls, obj: dict) -> "Quote":
        speaker = obj["speaker"] or {}
        return cls(
            obj["id"], obj["type"],
            tuple(Span.from_json(s) for s in obj["content"]),
            speaker.get("entity"),
            Span.from_json(speaker["span"]) if "span" in speaker else None,
            Span.from_json(obj["cue"]) if obj["cue"] else None,
        )


@dataclass(frozen=True, slots=True)
class Metadata:
    source_url: str | None
    publisher: str
    title: str
    published_date: str | None
    language: str
    translated_from: str | None
    translation_method: str | None
    raw_format: Literal["text", "markdown"]
    rights: str
    raw_sha256: str
    notes: str | None

    @classmethod
    def from_json(cls, obj: dict) -> "Metadata":
        translation = obj["translation"] or {}
        return cls(
            obj["source_url"], obj["publisher"], obj["title"], obj["published_date"], obj["language"],
            translation.get("source_language"), translation.get("method"), obj["raw_format"],
            obj["rights"], obj["raw_sha256"], obj.get("notes"),
        )


@dataclass(frozen=True, slots=True)
class Provenance:
    annotators: tuple[str, ...]
    status: Literal["draft", "reviewed", "gold"]
    guidelines_version: str


@dataclass(frozen=True, slots=True)
class Imported:
    """Where an imported benchmark page comes from (annotation key `imported_from`)."""
    benchmark: str
    page_id: str
    url: str | None
    html_sha256: str
    view: Literal["text", "markdown"]
    converter: str
    converter_version: str
    licence: str
    page_type: str | None
    gold_tokens: int
    aligned_tokens: int
    must_keep: tuple[Span, ...]

    @classmethod
    def from_json(cls, obj: dict) -> "Imported":
        return cls(obj["benchmark"], obj["page_id"], obj["url"], obj["html_sha256"], obj["view"], obj["converter"],
                   obj["converter_version"], obj["licence"], obj["page_type"], obj["gold_tokens"], obj["aligned_tokens"],
                   tuple(Span.from_json(s) for s in obj["must_keep"]))


@dataclass(frozen=True, slots=True)
class Document:
    """One annotated document: the raw text and its three standoff layers."""
    doc_id: str
    raw_text: str
    metadata: Metadata
    near_duplicate_group: str | None
    split: Literal["train", "validation", "test"]
    provenance: Provenance
    boilerplate: tuple[LabelledSpan, ...]
    entities: tuple[LabelledSpan, ...]
    quotes: tuple[Quote, ...]
    imported: Imported | None = None   # set only for pages imported from a public benchmark

    @classmethod
    def from_json(cls, obj: dict[str, Any], raw_text: str) -> "Document":
        """Build from an annotation object that has passed the schema."""
        prov = obj["provenance"]
        return cls(
            obj["doc_id"], raw_text, Metadata.from_json(obj["metadata"]), obj["near_duplicate_group"], obj["split"],
            Provenance(tuple(prov["annotators"]), prov["status"], prov["guidelines_version"]),
            tuple(LabelledSpan.from_json(s) for s in obj["boilerplate"]),
            tuple(LabelledSpan.from_json(s) for s in obj["entities"]),
            tuple(Quote.from_json(q) for q in obj["quotes"]),
            Imported.from_json(obj["imported_from"]) if "imported_from" in obj else None,
        )
