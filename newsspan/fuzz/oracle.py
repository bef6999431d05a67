"""What misbehaving means: an exception, an incident without code, location or hint, a report
that does not print safely, or a document that passes but cannot become Arrow rows.

Each input drives three readers of outside data: the validator (the pair of files), the
predictions reader of `evaluate` (the annotation bytes as lines of a predictions file, checked
against a gold split holding the document when it validated) and the Label Studio importer (the
annotation bytes as an export, and, for a valid document, its exported task with the annotation's
layers where Label Studio's results belong)."""
from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pyarrow as pa

from ..derive import DERIVERS
from ..features import CONFIGS
from ..incidents import CODES, FORMATTERS
from ..evaluate.gold import _gold
from ..evaluate.jsonl import read_records
from ..evaluate.predictions import boilerplate_predictions, ner_predictions, quote_predictions
from ..labelstudio.export import document_task
from ..labelstudio.importer import import_export
from ..read import parse_json
from ..validate import Report, validate_corpus
from .documents import DOC_ID, Case

def write_case(root: Path, case: Case) -> None:
    for sub in ("annotations", "raw"):
        shutil.rmtree(root / sub, ignore_errors=True)
        (root / sub).mkdir(parents=True)
    (root / "annotations" / f"{DOC_ID}.json").write_bytes(case.annotation)
    (root / "raw" / f"{DOC_ID}.txt").write_bytes(case.raw)


def check(case: Case, root: Path) -> Report:
    """Validate one input below `root`; raise when the validator misbehaves on it."""
    write_case(root, case)
    report = validate_corpus(root)
    for inc in report.incidents:
        assert inc.code in CODES, inc
        assert inc.line >= 1 and inc.col >= 1, inc
        assert inc.message.strip() and inc.hint.strip(), inc
    for formatter in FORMATTERS.values():
        formatter(report.incidents).encode("utf-8")  # a stranger's bytes must not break the output
    text = FORMATTERS["text"](report.incidents)
    assert not report.incidents or len(text.split("\n")) == 2 * len(report.incidents), text
    assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in text), text  # no terminal control
    for doc in report.documents.values():
        for config, derive in DERIVERS.items():
            pa.Table.from_pylist(list(derive(doc)), schema=CONFIGS[config].arrow_schema)
    check_predictions(case, report, root)
    check_label_studio(case, report, root)
    return report


def _printable_block(text: str, lines: int | None = None) -> None:
    assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in text), text
    if lines is not None:
        assert len(text.split("\n")) == lines, text


def check_predictions(case: Case, report: Report, root: Path) -> None:
    """The annotation bytes as predictions lines: whole, and one line per line; never a crash."""
    path = root / "predictions.jsonl"
    for data in (case.annotation.replace(b"\n", b" "), case.annotation, case.raw):
        path.write_bytes(data)
        records, errors = read_records(path, "predictions.jsonl")
        for error in errors:
            assert error.line >= 1 and error.col >= 1 and error.message.strip() and error.hint.strip(), error
            _printable_block(str(error), 2)
        for split in sorted({doc.split for doc in report.documents.values()} or {"test"}):
            gold = _gold(list(report.documents.values()), split, None)
            for task in (boilerplate_predictions, ner_predictions, quote_predictions):
                _, problems = task(records, gold, "predictions.jsonl")
                for problem in problems:
                    _printable_block(str(problem), 2)


def check_label_studio(case: Case, report: Report, root: Path) -> None:
    """The annotation bytes as an export, and a valid document's task with hostile results."""
    export = root / "export.json"
    exports = [case.annotation]
    for doc in report.documents.values():
        task = document_task(doc)
        parsed, _ = parse_json(case.annotation, "annotation")
        layers = None if parsed is None else parsed.value
        results = [task["predictions"][0]["result"] if task.get("predictions") else [],
                   layers if layers is not None else [], (layers or {}).get("entities") if isinstance(layers, dict) else None]
        for result in results:
            exports.append(json.dumps([dict(task, annotations=[{"id": 1, "result": result}])], ensure_ascii=False).encode())
    for data in exports:
        export.write_bytes(data)
        imported = import_export(export, root)
        for error in imported.errors:
            _printable_block(error)
        for note in imported.notes:
            _printable_block(note, 1)
