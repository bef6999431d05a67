"""Anchored regions and relations as the corpus's three layers (annotation-file objects).

A quote is a group of content regions (direct or indirect) joined by relations; a relation
from any of its segments to an entity or a speaker region gives its speaker, to a cue region
its cue. Relations are read without direction (annotators draw arrows both ways) and their
label, when given, must agree with what they join.

Ids: a region keeps its id when it is a corpus id of its layer (as export gives them) and no
earlier region claims it; other regions get the next free numbers, in text order.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..records import QUOTE_TYPES
from .names import BOILERPLATE, CONTINUES, CUE, ENTITY, QUOTE, SPEAKER
from .regions import Problem, Region, Relation


@dataclass(slots=True)
class Layers:
    boilerplate: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class _Links:
    """What relations say: groups of content segments, and each segment's speaker and cue targets."""
    parent: dict[str, str] = field(default_factory=dict)
    targets: dict[str, list[tuple[str, Region]]] = field(default_factory=lambda: defaultdict(list))
    problems: list[Problem] = field(default_factory=list)

    def root(self, rid: str) -> str:
        while self.parent.setdefault(rid, rid) != rid:
            rid = self.parent[rid]
        return rid

    def join(self, a: str, b: str) -> None:
        self.parent[self.root(a)] = self.root(b)


def assemble(regions: list[Region], relations: list[Relation]) -> tuple[Layers, list[Problem]]:
    by_id = {r.result_id: r for r in regions}
    links = _read_links(by_id, relations)
    layers = Layers()
    entities = [r for r in regions if r.control == ENTITY]
    entity_ids = _assign([(r, r.result_id) for r in entities], "e")
    layers.entities = [_labelled(r, entity_ids[r.result_id]) for r in entities]
    boilerplate = [r for r in regions if r.control == BOILERPLATE]
    bp_ids = _assign([(r, r.result_id) for r in boilerplate], "b")
    layers.boilerplate = [_labelled(r, bp_ids[r.result_id]) for r in boilerplate]
    groups = _groups([r for r in regions if _kind(r) == "content"], links)
    quote_ids = _assign([(g[0], _quote_id_proposal(g)) for g in groups], "q")
    for group in groups:
        quote = _quote(group, quote_ids[group[0].result_id], links, entity_ids)
        if quote is not None:
            layers.quotes.append(quote)
    links.problems += _unlinked(regions, links)
    return layers, links.problems


def _kind(region: Region) -> str:
    if region.control == QUOTE:
        return "content" if region.label in QUOTE_TYPES else region.label
    return region.control


def _read_links(by_id: dict[str, Region], relations: list[Relation]) -> _Links:
    links = _Links()
    for rel in relations:
        missing = [end for end in (rel.from_id, rel.to_id) if end not in by_id]
        if missing:
            links.problems.append(Problem(rel.pointer, None, f"relation points at region {missing[0]!r}, which is not in this annotation",
                                          "delete the relation in Label Studio and draw it again"))
            continue
        ends = sorted((by_id[rel.from_id], by_id[rel.to_id]), key=lambda r: _kind(r) != "content")
        content, other = ends
        meaning = _meaning(content, other)
        if meaning is None:
            links.problems.append(Problem(rel.pointer, None,
                                          f"relation joins {_kind(content)} region {content.result_id!r} and {_kind(other)} region {other.result_id!r}",
                                          "a relation goes from a quote's content (direct or indirect) to its speaker, its cue, or its next segment"))
        elif rel.labels and meaning not in rel.labels:
            links.problems.append(Problem(rel.pointer, None,
                                          f"relation labelled {', '.join(rel.labels)} joins a quote and its {meaning} ({other.result_id!r})",
                                          f"label the relation {meaning!r} in Label Studio, or draw it to the right region"))
        elif meaning == CONTINUES:
            links.join(content.result_id, other.result_id)
        else:
            links.targets[content.result_id].append((meaning, other))
    return links


def _meaning(content: Region, other: Region) -> str | None:
    if _kind(content) != "content":
        return None
    return {"content": CONTINUES, ENTITY: SPEAKER, SPEAKER: SPEAKER, CUE: CUE}.get(_kind(other))


def _groups(contents: list[Region], links: _Links) -> list[list[Region]]:
    grouped: dict[str, list[Region]] = defaultdict(list)
    for region in contents:
        grouped[links.root(region.result_id)].append(region)
    groups = [sorted(g, key=_position) for g in grouped.values()]
    return sorted(groups, key=lambda g: _position(g[0]))


def _position(region: Region) -> tuple:
    return (region.start, region.end, region.result_id)


def _quote(group: list[Region], quote_id: str, links: _Links, entity_ids: dict[str, str]) -> dict[str, Any] | None:
    first = group[0]
    types = sorted({r.label for r in group})
    targets = {role: {t.result_id: t for m in group for r, t in links.targets[m.result_id] if r == role} for role in (SPEAKER, CUE)}
    problems = []
    if len(types) > 1:
        problems.append(f"the segments of one quote are labelled {' and '.join(types)}")
    for role, found in targets.items():
        if len(found) > 1:
            problems.append(f"the quote has {len(found)} {role}s ({', '.join(sorted(map(repr, found)))})")
    if problems:
        links.problems.append(Problem(first.pointer, first.result_id, "; ".join(problems),
                                      "keep one type, one speaker and one cue per quote (delete the extra relations)"))
        return None
    speaker = next(iter(targets[SPEAKER].values()), None)
    cue = next(iter(targets[CUE].values()), None)
    return {"id": quote_id, "type": types[0], "content": [_span(r) for r in group],
            "speaker": _speaker(speaker, entity_ids), "cue": None if cue is None else _span(cue)}


def _speaker(region: Region | None, entity_ids: dict[str, str]) -> dict[str, Any] | None:
    if region is None:
        return None
    if region.control == ENTITY:
        return {"entity": entity_ids[region.result_id]}
    return {"span": _span(region)}


def _unlinked(regions: list[Region], links: _Links) -> list[Problem]:
    used = {t.result_id for pairs in links.targets.values() for _, t in pairs}
    return [Problem(r.pointer, r.result_id, f"{_kind(r)} region {r.text!r} is not linked to a quote",
                    "draw a relation from the quote's content to it, or delete it")
            for r in regions if _kind(r) in (SPEAKER, CUE) and r.result_id not in used]


def _quote_id_proposal(group: list[Region]) -> str | None:
    for region in group:
        if re.fullmatch(r"q[0-9]+", region.result_id):
            return region.result_id
    for region in group:
        found = re.fullmatch(r"(q[0-9]+)-[0-9]+", region.result_id)
        if found:
            return found[1]
    return None


def _assign(items: list[tuple[Region, str | None]], prefix: str) -> dict[str, str]:
    """Ids for (first region, proposed id) pairs, keyed by the first region's result id."""
    pattern = re.compile(rf"{prefix}([0-9]+)")
    ordered = sorted(items, key=lambda item: _position(item[0]))
    kept: dict[str, str] = {}
    taken: set[str] = set()
    for region, wish in ordered:
        if wish and pattern.fullmatch(wish) and wish not in taken:
            kept[region.result_id] = wish
            taken.add(wish)
    counter = max((int(pattern.fullmatch(v)[1]) for v in taken), default=0)
    ids = {}
    for region, _ in ordered:
        if region.result_id not in kept:
            counter += 1
        ids[region.result_id] = kept.get(region.result_id, f"{prefix}{counter}")
    return ids


def _span(region: Region) -> dict[str, Any]:
    return {"start": region.start, "end": region.end, "text": region.text}


def _labelled(region: Region, span_id: str) -> dict[str, Any]:
    return {"id": span_id, "start": region.start, "end": region.end, "label": region.label, "text": region.text}
