"""Random valid documents, and the (annotation bytes, raw bytes) case the validator reads."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from hypothesis import strategies as st

from ..records import BOILERPLATE_LABELS, ENTITY_LABELS, SPEAKER_ENTITY_LABELS, SPLITS, STATUSES

DOC_ID = "doc"
GUIDELINES_VERSION = "1.0"


@dataclass(frozen=True, slots=True)
class Generated:
    """A valid document: its raw text and its annotation object."""
    raw: str
    annotation: dict


@dataclass(frozen=True, slots=True)
class Case:
    """One input of the validator, and how it was made (for the reproducer)."""
    annotation: bytes
    raw: bytes
    how: str


def encode(annotation) -> bytes:
    return json.dumps(annotation, ensure_ascii=False, indent=2).encode("utf-8")


def sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _visible_edge(ch: str) -> bool:
    # Regional indicators pair up and skin-tone modifiers attach to the emoji before them.
    code = ord(ch)
    return not (0x1F1E6 <= code <= 0x1F1FF or 0x1F3FB <= code <= 0x1F3FF)


# A span's first and last characters: letters, digits, punctuation and symbols, which neither
# attach to a neighbour (marks, modifiers) nor are invisible (format characters) or whitespace.
EDGE = st.characters(categories=("Lu", "Ll", "Lt", "Lo", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
                                 "Sm", "Sc", "So")).filter(_visible_edge)
# Characters that attach, hide, join or break, drawn often: uniform code points rarely hit them.
SPECIAL = st.sampled_from(["\u0301", "\u0308", "\u0e49", "\u200d", "\u200b", "\u202e", "\u2066", "\ufe0f", "\u00ad",
                           "\ufeff", "\r", "\n", "\t", "\u00a0", "\U0001F469", "\U0001F4BB", "\U0001F3FD",
                           "\U0001F1FA", "\U0001F1E6", "\U00010348"])
# Anything but a lone surrogate, which UTF-8 cannot hold, and NUL, which no page holds (NS118):
# controls, CR, marks, ZWJ, emoji, ...
ANY = st.characters(exclude_categories=("Cs",), exclude_characters="\x00") | SPECIAL


@st.composite
def span_texts(draw) -> str:
    first = draw(EDGE)
    if draw(st.booleans()):
        return first
    return first + draw(st.text(ANY, max_size=8)) + draw(EDGE)


@st.composite
def separators(draw) -> str:
    # Spaces on both sides keep a neighbour's marks away from span edges; the `~` keeps two
    # boilerplate spans of one label from being separated by whitespace only (rule B3).
    return " " + draw(st.text(ANY, max_size=10)) + " ~ "


def _offsets(span: dict) -> dict:
    return {k: span[k] for k in ("start", "end", "text")}


def _labelled(draw, spans: list[dict], role: str, labels: tuple[str, ...]) -> list[dict]:
    prefix = role[0]  # b1, e1, ...
    mine = [s for s in spans if s["role"] == role]
    return [{"id": f"{prefix}{i + 1}", "start": s["start"], "end": s["end"], "label": draw(st.sampled_from(labels)),
             "text": s["text"]} for i, s in enumerate(mine)]


def _quotes(draw, spans: list[dict], entities: list[dict]) -> list[dict]:
    """A quote per quote piece; its cue, when any, is the piece just before (never far away)."""
    speakers = [e["id"] for e in entities if e["label"] in SPEAKER_ENTITY_LABELS]
    quotes = []
    for i, span in enumerate(spans):
        if span["role"] != "quotes":
            continue
        cue = _offsets(spans[i - 1]) if i and draw(st.booleans()) else None
        speaker = {"entity": draw(st.sampled_from(speakers))} if speakers and draw(st.booleans()) else None
        quotes.append({"id": f"q{len(quotes) + 1}", "type": draw(st.sampled_from(["direct", "indirect"])),
                       "content": [_offsets(span)], "speaker": speaker, "cue": cue})
    return quotes


def _metadata(draw, raw: str) -> dict:
    metadata = {
        "source_url": None, "publisher": draw(st.text(ANY, min_size=1, max_size=12)),
        "title": draw(st.text(ANY, min_size=1, max_size=20)), "published_date": None, "language": "en",
        "translation": None, "raw_format": "text", "rights": "generated test data", "raw_sha256": sha256(raw),
    }
    if draw(st.booleans()):
        metadata["notes"] = draw(st.text(ANY, max_size=20))
    return metadata


@st.composite
def documents(draw) -> Generated:
    """A random valid document with spans in all three layers."""
    raw, spans = "#", []
    for text in draw(st.lists(span_texts(), min_size=1, max_size=8)):
        raw += draw(separators())
        role = draw(st.sampled_from(["boilerplate", "entities", "quotes", "plain"]))
        spans.append({"start": len(raw), "end": len(raw) + len(text), "text": text, "role": role})
        raw += text
    raw += draw(separators()) + "\n"
    entities = _labelled(draw, spans, "entities", ENTITY_LABELS)
    annotation = {
        "schema_version": "1.0", "doc_id": DOC_ID, "metadata": _metadata(draw, raw), "near_duplicate_group": None,
        "split": draw(st.sampled_from(SPLITS)),
        "provenance": {"annotators": ["fuzz"], "status": draw(st.sampled_from(STATUSES)),
                       "guidelines_version": GUIDELINES_VERSION},
        "boilerplate": _labelled(draw, spans, "boilerplate", BOILERPLATE_LABELS), "entities": entities,
        "quotes": _quotes(draw, spans, entities),
    }
    return Generated(raw, annotation)
