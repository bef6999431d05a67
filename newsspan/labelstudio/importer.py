"""A Label Studio JSON export read back into annotation files (canonical layout).

Every task must come from `labelstudio export` (its data holds the doc_id and the raw text,
unchanged). Of a task's annotations, the one not cancelled is taken, or among several the one
marked ground truth. Only the three layers are replaced; metadata, split and provenance stay as
they are in the corpus. Nothing is written unless every task imports cleanly and every resulting
file validates: the new files are checked in memory, and their problems are reported at the
export's task and result, where the annotator can fix them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..fmt import format_annotation
from ..incidents import format_text
from ..read import (DocFiles, JsonSource, discover, parse_json, printable, read_json, read_outside_json,
                    read_raw, relpath)
from ..validate import check_document_files
from ..validate.anchoring import iter_spans
from ..validate.consistency import guidelines_versions
from .anchor import anchor_regions
from .assemble import assemble
from .offsets import CODE_POINTS
from .regions import Problem, Region, read_results

EXPORT_HINT = "export the project from Label Studio as JSON (Export > JSON), not JSON-MIN or CSV"


@dataclass(frozen=True, slots=True)
class Planned:
    """A new annotation file, not yet written, and where its spans came from in the export."""
    doc_id: str
    path: Path
    text: str
    changed: bool
    raw: Path | None = None
    origin: "_Task | None" = None
    regions: tuple[Region, ...] = ()


@dataclass(slots=True)
class ImportReport:
    planned: list[Planned] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Task:
    """Where a task sits in the export and what it names, for messages."""
    pointer: str
    label: str


def import_export(export: Path, corpus: Path) -> ImportReport:
    report = ImportReport()
    source = _load(export, report)
    if source is None:
        return report
    files = {d.doc_id: d for d in discover(corpus).docs}
    seen: dict[str, str] = {}
    for i, task in enumerate(source.value):
        _import_task(source, f"/{i}", task, files, seen, report)
    if not report.errors:
        for planned in report.planned:
            report.errors += _validation_errors(source, planned)
    return report


# An export holds every task's page text: far larger than an annotation file may be.
MAX_EXPORT_BYTES = 1024 * 1024 * 1024


_SPAN_POINTER = re.compile(r"/(?:boilerplate|entities|quotes)/\d+(?:/content/\d+|/cue|/speaker/span)?")


def _validation_errors(source: JsonSource, planned: Planned) -> list[str]:
    """The corpus rules Label Studio cannot enforce (overlaps, speaker types, ...), checked on the
    new file in memory, each reported at the export's results that made the spans it names."""
    raw = planned.raw.read_bytes() if planned.raw is not None else b""
    incidents, _ = check_document_files(DocFiles(planned.doc_id, planned.path, planned.raw), guidelines_versions(),
                                        (planned.text.encode("utf-8"), raw))
    parsed, _ = parse_json(planned.text.encode("utf-8"), planned.doc_id)
    spans = dict(iter_spans(parsed.value if parsed is not None else {}))
    by_offsets: dict[tuple[int, int], Region] = {}
    for region in planned.regions:
        by_offsets.setdefault((region.start, region.end), region)
    found = []
    for inc in (i for i in incidents if i.level == "error"):
        regions = []
        for pointer in dict.fromkeys(_SPAN_POINTER.findall(inc.message)):
            span = spans.get(pointer)
            region = by_offsets.get((span.get("start"), span.get("end"))) if isinstance(span, dict) else None
            if region is not None and region not in regions:
                regions.append(region)
        where = regions[0].pointer if regions else (planned.origin.pointer if planned.origin else "")
        line, col = source.locate(where)
        task = planned.origin.label if planned.origin else planned.doc_id
        results = "".join(f" result {r.result_id!r}:" for r in regions)
        found.append(f"{source.where}:{line}:{col}: {task}:{results} {inc.code} {inc.name}: {inc.message}"
                     f"\n    hint: {inc.hint}")
    return found


def _load(path: Path, report: ImportReport) -> JsonSource | None:
    source, problems = read_outside_json(path, MAX_EXPORT_BYTES)
    if problems:
        report.errors.append(format_text(problems) + f"\n    hint: {EXPORT_HINT}")
        return None
    value = source.value
    if not isinstance(value, list) or not all(isinstance(t, dict) and isinstance(t.get("annotations"), list) for t in value):
        report.errors.append(f"{source.where}:1:1: not a Label Studio JSON export (a list of tasks, each with `annotations`)"
                             f"\n    hint: {EXPORT_HINT}")
        return None
    return source


def _error(source: JsonSource, task: _Task, problem: Problem) -> str:
    line, col = source.locate(problem.pointer)
    result = f" result {problem.result_id!r}:" if problem.result_id else ""
    # Ids, labels and messages quote the export, a stranger's file: control characters are escaped.
    said = printable(f"{task.label}:{result} {problem.message}")
    return f"{source.where}:{line}:{col}: {said}\n    hint: {printable(problem.hint)}"


def _import_task(source: JsonSource, pointer: str, task: dict, files: dict[str, DocFiles],
                 seen: dict[str, str], report: ImportReport) -> None:
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    doc_id = data.get("doc_id")
    ref = _Task(pointer, printable(f"task {task.get('id', pointer[1:])} ({doc_id})"))
    problem = _task_problem(pointer, data, doc_id, files, seen)
    if problem is not None:
        report.errors.append(_error(source, ref, problem))
        return
    seen[doc_id] = ref.label
    _import_document(source, ref, task, files[doc_id], report)


def _task_problem(pointer: str, data: dict, doc_id: Any, files: dict[str, DocFiles], seen: dict[str, str]) -> Problem | None:
    if not isinstance(doc_id, str) or not isinstance(data.get("text"), str):
        return Problem(f"{pointer}/data", None, "task data lacks the doc_id or the text of a document",
                       "import into Label Studio only tasks written by `python3 build_dataset.py labelstudio export`")
    if doc_id in seen:
        return Problem(f"{pointer}/data/doc_id", None, f"document {doc_id!r} was already imported from {seen[doc_id]}",
                       "keep one task per document in the project, or export only the tasks you mean to import")
    if doc_id not in files or files[doc_id].annotation is None or files[doc_id].raw is None:
        return Problem(f"{pointer}/data/doc_id", None, f"no document {doc_id!r} in the corpus (annotation and raw file)",
                       "pass the corpus the tasks were exported from with --corpus, or add the document first")
    return None


def _import_document(source: JsonSource, ref: _Task, task: dict, files: DocFiles, report: ImportReport) -> None:
    raw, raw_problems = read_raw(files.raw)
    annotation, json_problems = read_json(files.annotation)
    if raw is None or annotation is None or not isinstance(annotation.value, dict):
        report.errors.append(format_text(raw_problems + json_problems) or f"{relpath(files.annotation)}:1:1: not an annotation object")
        return
    if task["data"]["text"] != raw.text:
        report.errors.append(_error(source, ref, Problem(
            f"{ref.pointer}/data/text", None, f"the task text differs from {relpath(files.raw)}",
            "the raw file or the task changed since export: export the document again and redo the task")))
        return
    chosen, problem = _choose_annotation(ref, task["annotations"])
    if problem is not None:
        report.errors.append(_error(source, ref, problem))
    if chosen is None:
        if problem is None:
            report.notes.append(f"{ref.label}: no annotation submitted, skipped")
        return
    index, ann = chosen
    ann_ref = _Task(f"{ref.pointer}/annotations/{index}", printable(f"{ref.label} annotation {ann.get('id', index)}"))
    layers, regions, problems = _layers(raw.text, ann.get("result"), ann_ref, report)
    report.errors += [_error(source, ann_ref, p) for p in problems]
    if layers is not None:
        new = format_annotation({**annotation.value, **layers})
        report.planned.append(Planned(files.doc_id, files.annotation, new, new != annotation.text, files.raw, ann_ref,
                                      tuple(regions)))


def _choose_annotation(ref: _Task, annotations: list) -> tuple[tuple[int, dict] | None, Problem | None]:
    live = [(i, a) for i, a in enumerate(annotations) if isinstance(a, dict) and not a.get("was_cancelled")]
    if len(live) <= 1:
        return (live[0] if live else None), None
    ground = [(i, a) for i, a in live if a.get("ground_truth")]
    if len(ground) == 1:
        return ground[0], None
    ids = ", ".join(str(a.get("id", i)) for i, a in live)
    return None, Problem(f"{ref.pointer}/annotations", None,
                         f"{len(live)} annotations ({ids}) and {'several' if ground else 'none'} marked ground truth",
                         "mark the one to import as ground truth in Label Studio (or delete the others), then export again")


def _layers(raw: str, results: Any, ref: _Task, report: ImportReport) -> tuple[dict | None, list[Region], list[Problem]]:
    read = read_results(results, f"{ref.pointer}/result")
    anchored = anchor_regions(raw, read.regions)
    if read.problems or anchored.problems:
        # Relations to a region that failed would only repeat its error: stop here.
        return None, [], read.problems + anchored.problems
    layers, problems = assemble(anchored.regions, read.relations)
    if problems:
        return None, [], problems
    odd = sorted(anchored.countings - {CODE_POINTS.name})
    if odd:
        report.notes.append(f"{ref.label}: offsets read as {', '.join(odd)}")
    if anchored.trimmed:
        report.notes.append(f"{ref.label}: removed surrounding whitespace from {anchored.trimmed} regions")
    return {"boilerplate": layers.boilerplate, "entities": layers.entities, "quotes": layers.quotes}, list(anchored.regions), []
