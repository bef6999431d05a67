"""Layer 4: rules across spans of a document and across documents of the corpus."""
from __future__ import annotations

import re
from itertools import groupby
from pathlib import Path
from collections.abc import Mapping
from typing import Callable, Iterable, Sequence

from ..incidents import Incident, incident
from ..neardup import THRESHOLD, Candidates, NearDuplicate, band_keys, candidate_groups, link
from ..read import JsonSource
from ..records import SPEAKER_ENTITY_LABELS, Document

GUIDELINES_PATH = Path(__file__).resolve().parents[2] / "corpus" / "GUIDELINES.md"
_VERSION_ROW = re.compile(r"^\|\s*([0-9]+\.[0-9]+)\s*\|", re.M)


def guidelines_versions() -> frozenset[str]:
    """Versions listed in the change table of the project's corpus/GUIDELINES.md.

    The guidelines belong to the project, not to a corpus folder: a fixture or a fork validated
    from elsewhere is held to the same versions.
    """
    return frozenset(_VERSION_ROW.findall(GUIDELINES_PATH.read_text(encoding="utf-8")))


def check_document(source: JsonSource, doc: Document, versions: frozenset[str]) -> list[Incident]:
    found: list[Incident] = []
    found += _duplicate_ids(source)
    found += _overlaps(source, "boilerplate", [(f"/boilerplate/{i}", s.start, s.end) for i, s in enumerate(doc.boilerplate)])
    found += _overlaps(source, "entities", [(f"/entities/{i}", s.start, s.end) for i, s in enumerate(doc.entities)])
    found += _overlaps(source, "quotes", [(f"/quotes/{i}/content/{j}", c.start, c.end)
                                          for i, q in enumerate(doc.quotes) for j, c in enumerate(q.content)])
    found += _unmerged(source, doc)
    found += _speakers(source, doc)
    found += _segment_order(source, doc)
    found += _far_cues(source, doc)
    if doc.provenance.guidelines_version not in versions:
        line, col = source.locate("/provenance/guidelines_version")
        known = ", ".join(sorted(versions)) or "none"
        found.append(incident("NS408", source.where, line, col,
                              f"guidelines version {doc.provenance.guidelines_version!r} is not in corpus/GUIDELINES.md",
                              f"use a version from the change table of corpus/GUIDELINES.md (known: {known})"))
    return found


def _duplicate_ids(source: JsonSource) -> Iterable[Incident]:
    seen: dict[str, str] = {}
    for layer in ("boilerplate", "entities", "quotes"):
        for i, item in enumerate(source.value[layer]):
            pointer = f"/{layer}/{i}/id"
            if item["id"] in seen:
                line, col = source.locate(pointer)
                yield incident("NS401", source.where, line, col, f"id {item['id']!r} is used again (first at {seen[item['id']]})",
                               "give every span a new id: the next free number after the largest one in its layer")
            else:
                seen[item["id"]] = pointer


def _overlaps(source: JsonSource, layer: str, spans: Sequence[tuple[str, int, int]]) -> Iterable[Incident]:
    ordered = sorted(spans, key=lambda s: (s[1], s[2], s[0]))
    reach = None  # the span that extends furthest so far, so that a long span catches every later one
    for span in ordered:
        if reach is not None and span[1] < reach[2]:
            line, col = source.locate(span[0])
            kind = "duplicates" if span[1:] == reach[1:] else "overlaps"
            yield incident("NS402", source.where, line, col,
                           f"{span[0]} [{span[1]}, {span[2]}) {kind} {reach[0]} [{reach[1]}, {reach[2]}) in layer {layer}",
                           "spans of one layer never overlap: delete the duplicate or move one boundary (GUIDELINES.md)")
        if reach is None or span[2] > reach[2]:
            reach = span


def _unmerged(source: JsonSource, doc: Document) -> Iterable[Incident]:
    indexed = sorted(enumerate(doc.boilerplate), key=lambda p: p[1].start)
    for (_, a), (j, b) in zip(indexed, indexed[1:]):
        if a.label == b.label and a.end <= b.start and not doc.raw_text[a.end:b.start].strip():
            line, col = source.locate(f"/boilerplate/{j}")
            yield incident("NS403", source.where, line, col,
                           f"{b.id} and {a.id} are both {a.label!r} and only whitespace separates them",
                           f"merge them into one span [{a.start}, {b.end}) (rule B3)")


def _speakers(source: JsonSource, doc: Document) -> Iterable[Incident]:
    labels = {e.id: e.label for e in doc.entities}
    for i, quote in enumerate(doc.quotes):
        ref = quote.speaker_entity
        if ref is None:
            continue
        pointer = f"/quotes/{i}/speaker/entity"
        if ref not in labels:
            line, col = source.locate(pointer)
            yield incident("NS404", source.where, line, col, f"quote {quote.id} names speaker {ref!r}, which is no entity id",
                           "use the id of the entity mention that names the speaker, or a \"span\" speaker for a description")
        elif labels[ref] not in SPEAKER_ENTITY_LABELS:
            line, col = source.locate(pointer)
            yield incident("NS405", source.where, line, col,
                           f"quote {quote.id} speaker {ref} is a {labels[ref]}, which cannot speak",
                           f"refer to a {', '.join(SPEAKER_ENTITY_LABELS)} mention, or use a \"span\" speaker")


def _segment_order(source: JsonSource, doc: Document) -> Iterable[Incident]:
    for i, quote in enumerate(doc.quotes):
        for j in range(1, len(quote.content)):
            if quote.content[j].start < quote.content[j - 1].end:
                line, col = source.locate(f"/quotes/{i}/content/{j}")
                yield incident("NS409", source.where, line, col, f"quote {quote.id} segment {j} starts before segment {j - 1} ends",
                               "list content segments in text order, without overlap")


CUE_DISTANCE = 200  # code points; the longest cue-to-content gap in the seed corpus is far below it


def _far_cues(source: JsonSource, doc: Document) -> Iterable[Incident]:
    for i, quote in enumerate(doc.quotes):
        if quote.cue is None:
            continue
        gap = min(max(seg.start - quote.cue.end, quote.cue.start - seg.end, 0) for seg in quote.content)
        if gap > CUE_DISTANCE:
            line, col = source.locate(f"/quotes/{i}/cue")
            yield incident("NS411", source.where, line, col,
                           f"quote {quote.id} cue {quote.cue.text!r} is {gap} code points from its content",
                           "check that the cue is the occurrence next to the quote (search from the quote, not the top)")


# -- corpus-wide --------------------------------------------------------------------------

Members = Callable[[], Iterable[tuple[JsonSource, Document]]]
# neardup.link, or a stand-in that replays its result for unchanged inputs (validate.parallel)
Linker = Callable[[Candidates, Callable[[str], str], float, Iterable[tuple[str, str]]], list[NearDuplicate]]


def check_corpus(docs: Mapping[str, tuple[JsonSource, Document]], released: dict[str, str],
                 text_of: Callable[[str], str] | None = None,
                 groups: Candidates | None = None,
                 grouped: Members | None = None,
                 linker: Linker = link) -> list[Incident]:
    """The checks across documents. `docs` needs only ids, splits and groups (with a locator for
    each file), and is only looked up by id when `grouped` is given: it lists the members of
    declared groups, by group name then id, each time it is called (a corpus on disk streams them,
    so no more than one group is held). The near-duplicate check reads raw texts, with `text_of`
    when given: a corpus not held in memory passes it with the candidate `groups` found from stored
    band keys (see validate.parallel)."""
    if grouped is None:
        members = sorted(((source, doc) for source, doc in docs.values() if doc.near_duplicate_group),
                         key=lambda m: (m[1].near_duplicate_group, m[1].doc_id))
        grouped = lambda: members  # noqa: E731
    found = _group_splits(grouped())
    found += _near_duplicates(docs, ((doc.doc_id, doc.near_duplicate_group) for _, doc in grouped()), text_of, groups, linker)
    found += _released_splits(docs, released)
    return found


def _group_splits(grouped: Iterable[tuple[JsonSource, Document]]) -> list[Incident]:
    found = []
    for name, group in groupby(grouped, key=lambda m: m[1].near_duplicate_group):
        members = list(group)
        first = members[0][1]  # the lowest id: members come in id order
        for source, doc in members:
            if doc.split != first.split:
                line, col = source.locate("/split")
                found.append(incident("NS406", source.where, line, col,
                                      f"group {name!r}: {doc.doc_id} is in {doc.split!r}, {first.doc_id} in {first.split!r}",
                                      f"put every member of the group in one split ({first.split!r}, unless released otherwise)"))
    return found


def _near_duplicates(docs: Mapping[str, tuple[JsonSource, Document]], declared: Iterable[tuple[str, str]],
                     text_of: Callable[[str], str] | None = None, groups: Candidates | None = None,
                     linker: Linker = link) -> list[Incident]:
    # One incident per verified link, not per pair: n copies of a page are n - 1 incidents, and
    # following every hint puts all the linked documents in one group.
    if text_of is None:
        text_of = lambda doc_id: docs[doc_id][1].raw_text  # noqa: E731
    if groups is None:
        groups = candidate_groups({doc_id: band_keys(doc.raw_text) for doc_id, (_, doc) in docs.items()})
    found = []
    for pair in linker(groups, text_of, THRESHOLD, declared):
        (src_a, a), (src_b, b) = docs[pair.a], docs[pair.b]
        name = a.near_duplicate_group or b.near_duplicate_group or a.doc_id
        # the incident goes to the file that has to change: the one not already in that group
        (src, doc, other) = (src_a, a, b) if b.near_duplicate_group == name else (src_b, b, a)
        line, col = src.locate("/near_duplicate_group")
        where = "in different splits" if a.split != b.split else "in one split"
        found.append(incident("NS407", src.where, line, col,
                              f"{doc.doc_id} and {other.doc_id} share {pair.jaccard:.0%} of their word 5-grams "
                              f"(threshold {THRESHOLD:.0%}) but are not in one near-duplicate group ({where})",
                              f"set \"near_duplicate_group\" of both to {name!r} and give them one split"))
    return found


def _released_splits(docs: Mapping[str, tuple[JsonSource, Document]], released: dict[str, str]) -> list[Incident]:
    found = []
    for doc_id in sorted(released):  # the registry, not the corpus: a corpus on disk is looked up
        source, doc = docs.get(doc_id, (None, None))
        if doc is not None and released[doc_id] != doc.split:
            line, col = source.locate("/split")
            found.append(incident("NS410", source.where, line, col,
                                  f"{doc_id} was released in {released[doc_id]!r} and is now in {doc.split!r}",
                                  f"set \"split\": \"{released[doc_id]}\"; a released document never changes split (corpus/released_splits.json)"))
    return found
