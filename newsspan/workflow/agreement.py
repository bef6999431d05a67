"""Double annotation: second annotators' files, and how far they agree with the corpus annotation.

Convention: `<corpus>/agreement/<doc_id>.<annotator>.json` is the independent annotation of
`<doc_id>` by `<annotator>`, in the annotation schema, against the document's raw file. Agreement
files are never part of the dataset: the build reads only `annotations/`. Every version of a
document (the corpus annotation and each agreement file) is compared with every other one, and
the counts are pooled over all pairs (micro-average).
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..fmt import format_annotation
from ..incidents import Incident
from ..read import ANNOTATION_DIR, DocFiles, read_json, relpath
from ..records import BOILERPLATE_LABELS, ENTITY_LABELS, QUOTE_TYPES, Document
from ..validate import check_document_files, validate_corpus
from ..validate.consistency import guidelines_versions
from .files import AGREEMENT_DIR, AnnotationFile
from .metrics import CONTENT, Mark, SpanCounts, binary, char_categories, cohen_kappa, counts_by_label

_NAME = re.compile(r"^(?P<doc>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<annotator>[a-z0-9]+(?:-[a-z0-9]+)*)\.json\Z")
LABEL_ORDER = {"boilerplate": BOILERPLATE_LABELS, "entities": ENTITY_LABELS, "quotes": QUOTE_TYPES}


class Refused(Exception):
    """An agreement file cannot be started."""


@dataclass(frozen=True, slots=True)
class Version:
    annotator: str
    path: Path
    doc: Document


@dataclass(slots=True)
class Loaded:
    pairs: list[tuple[Version, Version]] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files that could not be compared, with why


@dataclass(slots=True)
class Agreement:
    pairs: list[tuple[Version, Version]]
    spans: dict[str, dict[str, SpanCounts]]  # layer -> label -> counts, with "all" first
    kappa: dict[str, float | None]  # "all" (content and each label) and one binary value per label


def agreement_path(root: Path, doc_id: str, annotator: str) -> Path:
    return root / AGREEMENT_DIR / f"{doc_id}.{annotator}.json"


def start_file(root: Path, doc_id: str, annotator: str) -> Path:
    """A second annotator's empty copy of a document: same metadata, no spans, status draft."""
    target = agreement_path(root, doc_id, annotator)
    if target.exists():
        raise Refused(f"{relpath(target)} already exists: keep annotating it, or delete it to start again")
    source, problems = read_json(root / ANNOTATION_DIR / f"{doc_id}.json")
    if source is None or not isinstance(source.value, dict):
        raise Refused(f"{doc_id!r} has no readable annotation file in {relpath(root / ANNOTATION_DIR)}")
    value = dict(source.value, boilerplate=[], entities=[], quotes=[])
    version = (source.value.get("provenance") or {}).get("guidelines_version")
    value["provenance"] = {"annotators": [annotator], "status": "draft", "guidelines_version": version}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(format_annotation(value).encode("utf-8"))
    return target


def load(root: Path) -> Loaded:
    loaded = Loaded()
    files = sorted((root / AGREEMENT_DIR).glob("*.json")) if (root / AGREEMENT_DIR).is_dir() else []
    named = [(path, _NAME.match(path.name)) for path in files]
    for path, match in named:
        if match is None:
            loaded.skipped.append(f"{relpath(path)}: name it <doc_id>.<annotator>.json (lowercase slugs)")
    extra: dict[str, list[Version]] = {}
    for path, match in (n for n in named if n[1]):
        version = _version(root, path, match["doc"], match["annotator"], loaded)
        if version is not None:
            extra.setdefault(match["doc"], []).append(version)
    report = validate_corpus(root, set(extra))
    loaded.incidents += report.incidents
    for doc_id, versions in sorted(extra.items()):
        main = report.documents.get(doc_id)
        if main is None:
            loaded.skipped.append(f"{doc_id}: the corpus annotation is missing or invalid, so its agreement files are not compared")
            continue
        path = root / ANNOTATION_DIR / f"{doc_id}.json"
        everyone = [Version("+".join(main.provenance.annotators), path, main)] + versions
        loaded.pairs += list(itertools.combinations(everyone, 2))
    return loaded


def _version(root: Path, path: Path, doc_id: str, annotator: str, loaded: Loaded) -> Version | None:
    raw = AnnotationFile(path, doc_id, root).raw()
    if raw is None:
        loaded.skipped.append(f"{relpath(path)}: no raw file for {doc_id!r}")
        return None
    incidents, checked = check_document_files(DocFiles(doc_id, path, raw), guidelines_versions())
    loaded.incidents += incidents
    return None if checked is None else Version(annotator, path, checked[1])


def marks(doc: Document, layer: str) -> list[Mark]:
    if layer == "quotes":
        return [Mark(q.type, tuple((s.start, s.end) for s in q.content)) for q in doc.quotes]
    return [Mark(s.label, ((s.start, s.end),)) for s in getattr(doc, layer)]


def measure(pairs: list[tuple[Version, Version]]) -> Agreement:
    spans: dict[str, dict[str, SpanCounts]] = {}
    for layer, order in LABEL_ORDER.items():
        totals: dict[str, SpanCounts] = {"all": SpanCounts()}
        for a, b in pairs:
            for label, counts in counts_by_label(marks(a.doc, layer), marks(b.doc, layer)).items():
                totals["all"] += counts
                totals.setdefault(label, SpanCounts())
                totals[label] += counts
        spans[layer] = {k: totals[k] for k in ["all", *(l for l in order if l in totals)]}
    return Agreement(pairs, spans, _kappas(pairs))


def _kappas(pairs: list[tuple[Version, Version]]) -> dict[str, float | None]:
    # Characters of all pairs are pooled: one kappa over every character compared.
    x: list[str] = []
    y: list[str] = []
    for a, b in pairs:
        length = len(a.doc.raw_text)
        x += char_categories(length, [(s.start, s.end, s.label) for s in a.doc.boilerplate])
        y += char_categories(length, [(s.start, s.end, s.label) for s in b.doc.boilerplate])
    kappas = {"all": cohen_kappa(x, y), "boilerplate vs content": cohen_kappa(binary(x, CONTENT), binary(y, CONTENT))}
    for label in BOILERPLATE_LABELS:
        if label in x or label in y:
            kappas[label] = cohen_kappa(binary(x, label), binary(y, label))
    return kappas


def markdown(result: Agreement) -> str:
    parts = ["### NewsSpan inter-annotator agreement"]
    if not result.pairs:
        return parts[0] + "\n\nNo agreement files to compare (see CONTRIBUTING.md, \"Double annotation\").\n"
    pairs = ["| document | annotator A | annotator B |", "|---|---|---|"]
    pairs += [f"| `{a.doc.doc_id}` | `{a.annotator}` | `{b.annotator}` |" for a, b in result.pairs]
    parts.append("\n".join(pairs))
    for layer, rows in result.spans.items():
        with_kappa = layer == "boilerplate"
        head = "| label | spans A | spans B | exact F1 | overlap F1 |" + (" character κ |" if with_kappa else "")
        table = [head, "|---" * (6 if with_kappa else 5) + "|"]
        for label, c in rows.items():
            cells = [label, str(c.a), str(c.b), _num(c.exact_f1), _num(c.overlap_f1)]
            if with_kappa:
                cells.append(_num(result.kappa.get(label)))
            table.append("| " + " | ".join(cells) + " |")
        if with_kappa:
            table.append(f"| boilerplate vs content | | | | | {_num(result.kappa['boilerplate vs content'])} |")
        parts += [f"#### {layer}", "\n".join(table)]
    parts.append("Character κ (Cohen's kappa over every character of the compared documents): the `all` row "
                 "compares each character's category (content or one boilerplate label); a label's row compares "
                 "that label against everything else. – means undefined (no such spans, or no variation).")
    return "\n\n".join(parts) + "\n"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
