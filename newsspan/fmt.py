"""Canonical layout of annotation files: one span per line, so a diff shows one line per change."""
from __future__ import annotations

import json
from typing import Any

TOP_ORDER = ("$schema", "schema_version", "doc_id", "metadata", "near_duplicate_group", "split", "provenance",
             "boilerplate", "entities", "quotes")
LAYERS = ("boilerplate", "entities", "quotes")
SPAN_ORDER = ("id", "type", "start", "end", "label", "text", "content", "speaker", "cue")


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _ordered(item: dict) -> dict:
    known = [k for k in SPAN_ORDER if k in item]
    return {k: item[k] for k in known + sorted(k for k in item if k not in SPAN_ORDER)}


def _span_order(item: dict) -> tuple:
    first = item["content"][0] if "content" in item else item
    return (first["start"], first["end"], item.get("id", ""))


def _sorted(items: list) -> list:
    # A file that is not schema-valid keeps its order: formatting must never fail or lose a row.
    try:
        return sorted(items, key=_span_order)
    except (KeyError, IndexError, TypeError):
        return list(items)


def format_annotation(doc: dict) -> str:
    """Serialise a schema-valid annotation object canonically (spans sorted by position)."""
    keys = [k for k in TOP_ORDER if k in doc] + sorted(k for k in doc if k not in TOP_ORDER)
    parts = []
    for key in keys:
        value = doc[key]
        if key in LAYERS:
            rows = [_compact(_ordered(item)) for item in _sorted(value)]
            body = "[]" if not rows else "[\n    " + ",\n    ".join(rows) + "\n  ]"
        elif key == "metadata":
            body = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        else:
            body = _compact(value)
        parts.append(f"  {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}\n"
