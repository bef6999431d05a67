"""Static HTML pages for annotators: one page per document and an index, no server, no script.

`marks` turns the three layers into one well-nested sequence of open/text/close events; `page`
writes those events and the document facts as escaped HTML.
"""
from __future__ import annotations

from pathlib import Path

from ..outputs import output_folder, refuse_links_inside, write_file
from ..records import Document
from .page import document_page, index_page

INDEX = "index.html"


def page_name(doc_id: str) -> str:
    return f"{doc_id}.html"


def render_site(documents: list[Document], out: Path) -> list[Path]:
    """Write one page per document and the index into `out`; return the written paths."""
    output_folder(out, "--out folder")
    refuse_links_inside(out, [page_name(d.doc_id) for d in documents] + [INDEX])  # before writing anything
    written = []
    for doc in sorted(documents, key=lambda d: d.doc_id):
        written.append(_write(out / page_name(doc.doc_id), document_page(doc, INDEX)))
    written.append(_write(out / INDEX, index_page(sorted(documents, key=lambda d: d.doc_id), page_name)))
    return written


def _write(path: Path, html: str) -> Path:
    # newline="\n": the same bytes on every platform.
    return write_file(path, html)
