"""Span ids: find the items that lack one, and give each the next free number of its layer."""
from __future__ import annotations

import re

from ..incidents import Incident, incident
from ..read import JsonSource
from .resolve import FIX_HINT

PREFIX = {"boilerplate": "b", "entities": "e", "quotes": "q"}
_NUMBER = re.compile(r"\A[a-z]([0-9]+)\Z")


def missing(annotation: dict) -> list[tuple[str, int]]:
    """(layer, index) of every item without an id, in file order."""
    return [(layer, i) for layer in PREFIX for i, item in enumerate(annotation[layer]) if "id" not in item]


def missing_id_incidents(source: JsonSource) -> list[Incident]:
    found = []
    for layer, i in missing(source.value):
        line, col = source.locate(f"/{layer}/{i}")
        found.append(incident("NS309", source.where, line, col, f"/{layer}/{i} has no \"id\"",
                              FIX_HINT.format(path=source.where) + f" (it numbers new {layer} items after the "
                              f"largest {PREFIX[layer]}N), or write the next free id yourself"))
    return found


def assign_missing(annotation: dict) -> int:
    """Give id-less items ids after the largest number in their layer, in text order; return how many."""
    given = 0
    for layer, prefix in PREFIX.items():
        items = annotation[layer]
        numbers = [int(m.group(1)) for item in items if (m := _NUMBER.match(str(item.get("id", ""))))]
        following = max(numbers, default=0) + 1
        # Text order, so that ids read in the order an annotator meets the spans.
        for item in sorted((item for item in items if "id" not in item), key=_position):
            item["id"] = f"{prefix}{following}"
            following += 1
            given += 1
    return given


def _position(item: dict) -> tuple[int, int]:
    first = item["content"][0] if "content" in item else item
    return first["start"], first["end"]
