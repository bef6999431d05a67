"""What changed in the annotations between two revisions, per document and layer, as Markdown.

Spans are matched in four passes, each on what the previous left over: same offsets and label
(unchanged; for quotes, a different speaker or cue is "changed"), same offsets and another label
("relabelled"), same label and overlapping or equal text ("moved": a boundary or an occurrence
changed; the nearest start wins), and the rest ("removed" / "added").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

LAYERS = ("boilerplate", "entities", "quotes")
KINDS = ("added", "removed", "relabelled", "moved", "changed")
FIELDS = (("split",), ("near_duplicate_group",), ("provenance", "status"), ("provenance", "guidelines_version"),
          ("metadata", "raw_sha256"))
MAX_ROWS = 50
TEXT_LIMIT = 60


@dataclass(frozen=True, slots=True)
class Unit:
    """One span (or one quote) reduced to what a reviewer compares."""
    ranges: tuple[tuple[int, int], ...]
    label: str
    text: str
    detail: str = ""  # quotes: speaker and cue

    @property
    def start(self) -> int:
        return self.ranges[0][0]


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    old: Unit | None
    new: Unit | None

    @property
    def position(self) -> int:
        """Where a reader meets the change first (a moved span: the earlier of its two places)."""
        return min(u.start for u in (self.old, self.new) if u is not None)


@dataclass(slots=True)
class DocDiff:
    doc_id: str
    status: str  # changed, added, removed, unreadable
    note: str = ""
    fields: list[tuple[str, object, object]] = field(default_factory=list)
    layers: dict[str, list[Change]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)  # span counts of an added or removed document
    unresolved: int = 0


# -- reading spans ------------------------------------------------------------------------

def units(annotation: dict, layer: str) -> tuple[list[Unit], int]:
    """The layer's units, and how many items could not be compared (written by text, malformed)."""
    found, skipped = [], 0
    items = annotation.get(layer)
    for item in items if isinstance(items, list) else []:
        unit = _quote_unit(item, annotation) if layer == "quotes" else _span_unit(item)
        if unit is None:
            skipped += 1
        else:
            found.append(unit)
    return found, skipped


def _offsets(span) -> tuple[int, int] | None:
    if isinstance(span, dict) and type(span.get("start")) is int and type(span.get("end")) is int and "occurrence" not in span:
        return span["start"], span["end"]
    return None


def _span_unit(item) -> Unit | None:
    where = _offsets(item)
    if where is None or not isinstance(item.get("label"), str):
        return None
    return Unit((where,), item["label"], str(item.get("text", "")))


def _quote_unit(item, annotation: dict) -> Unit | None:
    if not isinstance(item, dict) or not isinstance(item.get("content"), list) or not item["content"]:
        return None
    ranges = tuple(_offsets(seg) for seg in item["content"])
    if None in ranges:
        return None
    text = " … ".join(str(seg.get("text", "")) for seg in item["content"])
    return Unit(ranges, str(item.get("type")), text, _quote_detail(item, annotation))


def _quote_detail(item: dict, annotation: dict) -> str:
    # Speakers are compared by the mention they point at, not by id: ids may be renumbered.
    speaker, cue = item.get("speaker"), item.get("cue")
    if isinstance(speaker, dict) and "entity" in speaker:
        mention = next((e for e in annotation.get("entities", []) if isinstance(e, dict) and e.get("id") == speaker["entity"]), {})
        who = f"{mention.get('text', speaker['entity'])} {_where(_offsets(mention))}"
    elif isinstance(speaker, dict) and "span" in speaker:
        who = f"{speaker['span'].get('text', '')} {_where(_offsets(speaker['span']))}"
    else:
        who = "none"
    said = f"{cue.get('text', '')} {_where(_offsets(cue))}" if isinstance(cue, dict) else "none"
    return f"speaker {who}; cue {said}"


def _where(offsets) -> str:
    return f"[{offsets[0]}, {offsets[1]})" if offsets else "(by text)"


# -- matching -----------------------------------------------------------------------------

def compare(old: list[Unit], new: list[Unit]) -> list[Change]:
    old_left, new_left, changes = list(old), list(new), []
    for same_label in (True, False):
        for unit in list(old_left):
            twin = next((v for v in new_left if v.ranges == unit.ranges and (v.label == unit.label) == same_label), None)
            if twin is None:
                continue
            old_left.remove(unit)
            new_left.remove(twin)
            if not same_label:
                changes.append(Change("relabelled", unit, twin))
            elif twin.detail != unit.detail:
                changes.append(Change("changed", unit, twin))
    for unit in sorted(old_left, key=lambda u: u.ranges):
        near = [v for v in new_left if v.label == unit.label and (_overlap(unit, v) or v.text == unit.text)]
        if near:
            twin = min(near, key=lambda v: (abs(v.start - unit.start), v.ranges))
            old_left.remove(unit)
            new_left.remove(twin)
            changes.append(Change("moved", unit, twin))
    changes += [Change("removed", u, None) for u in old_left] + [Change("added", None, v) for v in new_left]
    return sorted(changes, key=lambda c: (c.position, KINDS.index(c.kind)))


def _overlap(a: Unit, b: Unit) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a.ranges for s2, e2 in b.ranges)


def diff_documents(old: dict[str, dict | str], new: dict[str, dict | str]) -> list[DocDiff]:
    found = []
    for doc_id in sorted(set(old) | set(new)):
        before, after = old.get(doc_id), new.get(doc_id)
        if isinstance(before, str) or isinstance(after, str):
            which = "old" if isinstance(before, str) else "new"
            found.append(DocDiff(doc_id, "unreadable", f"the {which} version is {before if which == 'old' else after}"))
        elif before is None or after is None:
            present = after if before is None else before
            sizes = {layer: len(present.get(layer) or []) for layer in LAYERS}
            found.append(DocDiff(doc_id, "added" if before is None else "removed", sizes=sizes))
        else:
            diff = _changed(doc_id, before, after)
            if diff.fields or any(diff.layers.values()) or diff.unresolved:
                found.append(diff)
    return found


def _changed(doc_id: str, before: dict, after: dict) -> DocDiff:
    diff = DocDiff(doc_id, "changed")
    for path in FIELDS:
        a, b = _get(before, path), _get(after, path)
        if a != b:
            diff.fields.append((".".join(path), a, b))
    for layer in LAYERS:
        (old_units, _), (new_units, skipped) = units(before, layer), units(after, layer)
        diff.layers[layer] = compare(old_units, new_units)
        diff.unresolved += skipped
    return diff


def _get(obj, path: tuple[str, ...]):
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


# -- Markdown -----------------------------------------------------------------------------

def markdown(diffs: list[DocDiff], rev_a: str, rev_b: str) -> str:
    title = f"### NewsSpan annotation changes: {_code(rev_a)} → {_code(rev_b)}"
    if not diffs:
        return f"{title}\n\nNo annotation changes.\n"
    counts = {s: sum(1 for d in diffs if d.status == s) for s in ("changed", "added", "removed", "unreadable")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    parts = [title, f"Documents: {summary}."]
    for diff in diffs:
        parts += _document(diff)
    return "\n\n".join(parts) + "\n"


def _document(diff: DocDiff) -> list[str]:
    head = f"#### {_code(diff.doc_id)}" + ("" if diff.status == "changed" else f" ({diff.status})")
    if diff.status == "unreadable":
        return [head, f"Not compared: {diff.note}."]
    if diff.status in ("added", "removed"):
        return [head, ", ".join(f"{n} {layer}" for layer, n in diff.sizes.items()) + "."]
    out = [head]
    if diff.fields:
        out.append("\n".join(f"- {name}: {_code(str(a))} → {_code(str(b))}" for name, a, b in diff.fields))
    for layer, changes in diff.layers.items():
        if changes:
            out += [f"**{layer}**: " + ", ".join(f"{n} {kind}" for kind in KINDS if (n := sum(c.kind == kind for c in changes))),
                    _table(changes)]
    if diff.unresolved:
        out.append(f"{diff.unresolved} item(s) written by text (not yet resolved by `fix`) were not compared.")
    return out


def _table(changes: list[Change]) -> str:
    rows = ["| change | offsets | label | text |", "|---|---|---|---|"]
    for change in changes[:MAX_ROWS]:
        rows.append("| " + " | ".join(_row(change)) + " |")
    if len(changes) > MAX_ROWS:
        rows.append(f"| … | {len(changes) - MAX_ROWS} more | | |")
    return "\n".join(rows)


def _row(change: Change) -> list[str]:
    old, new = change.old, change.new
    if old is None or new is None:
        unit = old or new
        return [change.kind, _ranges(unit), _cell(unit.label), _code(unit.text)]
    where = _ranges(old) if old.ranges == new.ranges else f"{_ranges(old)} → {_ranges(new)}"
    label = _cell(old.label) if old.label == new.label else f"{_cell(old.label)} → {_cell(new.label)}"
    text = _code(new.text) if old.text == new.text else f"{_code(old.text)} → {_code(new.text)}"
    if change.kind == "changed":
        text += f": {_code(old.detail)} → {_code(new.detail)}"
    return [change.kind, where, label, text]


def _ranges(unit: Unit) -> str:
    return " + ".join(f"[{s}, {e})" for s, e in unit.ranges)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _code(text: str) -> str:
    """Inline code that survives a Markdown table: no line breaks, escaped pipes, enough backticks."""
    short = text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"
    short = re.sub(r"\r\n|\r|\n", "⏎", short).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", short)), default=0) + 1)
    pad = " " if short.startswith("`") or short.endswith("`") else ""
    return f"{fence}{pad}{short}{pad}{fence}"
