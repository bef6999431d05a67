"""`add`: bring a scraped page into the corpus as a byte-exact raw file and an annotation skeleton.

Nothing is left half done: the documents touched are validated after writing, and every file
is restored if they are not clean. Where the page goes (split, group) is decided in placement.py.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..fmt import format_annotation
from ..incidents import format_text
from ..read import ANNOTATION_DIR, RAW_DIR, read_json, read_outside_json, read_raw, relpath
from ..validate import RELEASED_SPLITS, validate_corpus
from ..validate.consistency import guidelines_versions
from ..validate.schema import load_schema
from .files import AGREEMENT_DIR
from .placement import Placement, Refused, place
from .slug import propose_id

_MARKDOWN = re.compile(r"^#{1,6}[ \t]+\S|\[[^\]\n]+\]\([^)\s]*\)", re.M)


@dataclass(frozen=True, slots=True)
class Page:
    """What the command line says about the page."""
    source: Path
    url: str | None = None  # null in the metadata when the page does not state it
    publisher: str | None = None
    title: str | None = None
    date: str | None = None
    language: str = "en"
    doc_id: str | None = None
    annotator: str = "unassigned"
    notes: str = ""


@dataclass(slots=True)
class Added:
    doc_id: str
    raw: Path
    annotation: Path
    placement: Placement
    updated: list[Path] = field(default_factory=list)


def raw_format(path: Path, text: str) -> str:
    if path.suffix.lower() in (".md", ".markdown"):
        return "markdown"
    return "markdown" if _MARKDOWN.search(text) else "text"


def latest_guidelines() -> str:
    return max(guidelines_versions(), key=lambda v: tuple(int(n) for n in v.split(".")))


def add_page(page: Page, root: Path) -> Added:
    raw, problems = read_raw(page.source)
    if raw is None:
        raise Refused(f"cannot add this file:\n{format_text(problems)}")
    corpus_raws = _corpus_raws(root)
    _refuse_exact_duplicate(raw.data, corpus_raws)
    title = page.title or _first_line(raw.text)
    doc_id = _choose_id(page, title, _taken_ids(root))
    placement = place(doc_id, raw.text, corpus_raws, root / ANNOTATION_DIR)
    fmt = raw_format(page.source, raw.text)
    added = Added(doc_id, root / RAW_DIR / f"{doc_id}{'.md' if fmt == 'markdown' else '.txt'}",
                  root / ANNOTATION_DIR / f"{doc_id}.json", placement)
    skeleton = _skeleton(page, doc_id, title, fmt, hashlib.sha256(raw.data).hexdigest(), placement)
    _write_checked(added, raw.data, skeleton, root)
    return added


def _corpus_raws(root: Path) -> dict[str, bytes]:
    folder = root / RAW_DIR
    return {p.stem: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()} if folder.is_dir() else {}


def _refuse_exact_duplicate(data: bytes, corpus_raws: dict[str, bytes]) -> None:
    digest = hashlib.sha256(data).hexdigest()
    for doc_id, other in corpus_raws.items():
        if hashlib.sha256(other).hexdigest() == digest:
            raise Refused(f"the page is byte for byte the raw file of {doc_id!r} (sha256 {digest[:12]}...): "
                          "it is already in the corpus")


def _first_line(text: str) -> str:
    """The proposed headline: the first markdown heading, else the first non-blank line."""
    heading = re.search(r"^#{1,6}[ \t]+(\S.*)$", text, re.M)
    if heading:
        return heading.group(1).strip()
    return next((line.strip() for line in text.splitlines() if line.strip()), "untitled")


def _taken_ids(root: Path) -> set[str]:
    """Every id in use or ever released: ids are never reused."""
    taken = {p.name.split(".")[0] for d in (ANNOTATION_DIR, RAW_DIR, AGREEMENT_DIR) if (root / d).is_dir()
             for p in (root / d).iterdir()}
    released = root / RELEASED_SPLITS
    if released.exists():
        source, problems = read_outside_json(released)
        if source is None or not isinstance(source.value, dict):
            raise Refused(f"{relpath(released)} is not a readable registry: restore it from git\n{format_text(problems)}")
        taken |= set(source.value)
    return taken


def _choose_id(page: Page, title: str, taken: set[str]) -> str:
    if page.doc_id is not None:
        if page.doc_id in taken:
            raise Refused(f"the id {page.doc_id!r} is already used (or was released): ids are never reused; "
                          "choose another --id, or leave it out to get a free one proposed")
        return page.doc_id
    return propose_id(page.url or "", page.publisher, page.date, title, taken)


def _skeleton(page: Page, doc_id: str, title: str, fmt: str, digest: str, placement: Placement) -> dict:
    publisher = page.publisher or _host(page.url)
    return {
        "schema_version": load_schema()["properties"]["schema_version"]["const"],
        "doc_id": doc_id,
        "metadata": {
            "source_url": page.url, "publisher": publisher, "title": title, "published_date": page.date,
            "language": page.language, "translation": None, "raw_format": fmt,
            "rights": f"Article text (c) {publisher}. Raw text redistributed for non-commercial research on "
                      "text extraction only; it is not covered by the annotation licence.",
            "notes": page.notes,
            "raw_sha256": digest,
        },
        "near_duplicate_group": placement.group,
        "split": placement.split,
        "provenance": {"annotators": [page.annotator], "status": "draft", "guidelines_version": latest_guidelines()},
        "boilerplate": [], "entities": [], "quotes": [],
    }


def _host(url: str | None) -> str:
    if not url:
        raise Refused("without --url there is no host to name the publisher after: give --publisher NAME")
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def _write_checked(added: Added, data: bytes, skeleton: dict, root: Path) -> None:
    """Write everything, validate the documents touched, and undo it all if they are not clean."""
    before = {}
    for other in added.placement.joining:
        path = root / ANNOTATION_DIR / f"{other}.json"
        before[path] = path.read_bytes()
    try:
        added.raw.parent.mkdir(parents=True, exist_ok=True)
        added.annotation.parent.mkdir(parents=True, exist_ok=True)
        added.raw.write_bytes(data)
        added.annotation.write_bytes(format_annotation(skeleton).encode("utf-8"))
        for path in before:
            value = read_json(path)[0].value
            value["near_duplicate_group"] = added.placement.group
            path.write_bytes(format_annotation(value).encode("utf-8"))
            added.updated.append(path)
        report = validate_corpus(root, {added.doc_id, *added.placement.joining})
    except BaseException:
        _undo(added, before)
        raise
    if not report.ok:
        _undo(added, before)
        raise Refused(f"adding the page would leave the corpus invalid, nothing was changed:\n{format_text(report.errors)}")


def _undo(added: Added, before: dict[Path, bytes]) -> None:
    for path in (added.raw, added.annotation):
        path.unlink(missing_ok=True)
    for path, data in before.items():
        path.write_bytes(data)
