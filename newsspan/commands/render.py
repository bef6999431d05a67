"""`render [DOC_ID...] --out DIR`: static HTML pages of documents and their spans, for annotators."""
from __future__ import annotations

import sys
from pathlib import Path

from ..incidents import format_text
from ..read import discover
from ..records import Document
from ..validate import validate_corpus
from ._common import CORPUS, EXIT_INVALID, EXIT_OK, UsageError, counted, shown

NAME = "render"
HELP = "write static HTML pages of documents (spans coloured by layer) and an index"


def configure(parser) -> None:
    parser.add_argument("doc_ids", nargs="*", metavar="DOC_ID", help="documents to render (default: all)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the pages (created if missing)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder (default: corpus/)")


def run(args) -> int:
    from ..render import INDEX, render_site

    documents, status = valid_documents(args.corpus, args.doc_ids, NAME)
    if documents:
        render_site(documents, args.out)
        print(f"render: wrote {counted(len(documents), 'document page')}; open {shown(args.out / INDEX)}")
    return status


def valid_documents(corpus: Path, doc_ids: list[str], command: str) -> tuple[list[Document], int]:
    """The requested documents that pass validation; the others' problems go to stderr.

    Spans of a document that fails validation may point anywhere, so it is never used.
    """
    if not (corpus / "annotations").is_dir():
        raise UsageError(f"{corpus}: not a corpus folder (it has no annotations/ folder)")
    known = {d.doc_id for d in discover(corpus).docs}
    unknown = sorted(set(doc_ids) - known)
    if unknown:
        raise UsageError(f"unknown document id {unknown[0]!r}: ids are the file names in {shown(corpus / 'annotations')} without .json")
    wanted = set(doc_ids) or known
    report = validate_corpus(corpus, wanted)
    documents = [report.documents[i] for i in sorted(wanted) if i in report.documents]
    failed = sorted(wanted - set(report.documents))
    if report.incidents:
        print(format_text(report.incidents), file=sys.stderr)
    if failed:
        print(f"{command}: skipped {counted(len(failed), 'document')} with errors ({', '.join(failed)}): "
              f"fix them (see above, or run `python3 build_dataset.py validate`) and run again", file=sys.stderr)
        return documents, EXIT_INVALID
    return documents, EXIT_OK
