"""`labelstudio export|import`: annotate in Label Studio with labelstudio/config.xml, losslessly."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ..incidents import format_text
from ..outputs import output_file, write_file
from ..validate import validate_corpus
from ._common import CORPUS, EXIT_INVALID, EXIT_OK, UsageError, counted, shown
from .render import valid_documents

NAME = "labelstudio"
HELP = "export documents as Label Studio tasks, or import a Label Studio JSON export into annotation files"


def configure(parser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    out = actions.add_parser("export", help="write tasks (raw text + corpus spans as predictions) for labelstudio/config.xml")
    out.add_argument("doc_ids", nargs="*", metavar="DOC_ID", help="documents to export (default: all)")
    out.add_argument("--out", type=Path, required=True, help="tasks file to write, e.g. tasks.json")
    out.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder (default: corpus/)")
    back = actions.add_parser("import", help="replace the layers of annotation files by a Label Studio JSON export")
    back.add_argument("export", type=Path, help="the JSON export of the Label Studio project")
    back.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder to write into (default: corpus/)")


def run(args) -> int:
    return run_export(args) if args.action == "export" else run_import(args)


def run_export(args) -> int:
    from ..labelstudio.export import document_task

    documents, status = valid_documents(args.corpus, args.doc_ids, "labelstudio export")
    tasks = [document_task(doc) for doc in documents]
    write_file(output_file(args.out, "--out file"), json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    print(f"labelstudio export: wrote {counted(len(tasks), 'task')} to {shown(args.out)}")
    return status


def run_import(args) -> int:
    from ..labelstudio.importer import import_export

    if not args.export.is_file():
        raise UsageError(f"{args.export}: no such file (give the JSON file exported from Label Studio)")
    if not (args.corpus / "annotations").is_dir():
        raise UsageError(f"{args.corpus}: not a corpus folder (it has no annotations/ folder)")
    report = import_export(args.export, args.corpus)
    if report.errors:
        print("\n".join(report.errors), file=sys.stderr)
        print(f"labelstudio import: nothing written: fix the {counted(len(report.errors), 'problem')} above "
              "(in Label Studio, then export again) and import again", file=sys.stderr)
        return EXIT_INVALID
    for note in report.notes:
        print(f"labelstudio import: {note}", file=sys.stderr)
    for planned in report.planned:
        if planned.changed:
            _replace(planned.path, planned.text)
    changed = sum(p.changed for p in report.planned)
    print(f"labelstudio import: {counted(len(report.planned), 'document')}, {changed} changed")
    return _check_written(args.corpus, {p.doc_id for p in report.planned})


def _replace(path: Path, text: str) -> None:
    # A killed import leaves each file old or new, never half written; the dot hides the
    # temporary file from the corpus listing.
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8", newline="\n")
    os.replace(temporary, path)


def _check_written(corpus: Path, doc_ids: set[str]) -> int:
    """Annotation rules that Label Studio cannot enforce (overlaps, speaker types) are checked now."""
    if not doc_ids:
        return EXIT_OK
    report = validate_corpus(corpus, doc_ids)
    if report.incidents:
        print(format_text(report.incidents), file=sys.stderr)
    if not report.ok:
        print("labelstudio import: the imported files have the errors above: fix them in Label Studio and import again, "
              "or edit the files (git diff shows what changed)", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK
