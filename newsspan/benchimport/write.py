"""Write an imported benchmark as a corpus folder: raw/, annotations/, html/ and import.json.

The folder is written whole into a staging folder beside it and moved into place at the end, so a
failed import leaves the previous one (or nothing) behind. A folder that exists and is not an
earlier import is never overwritten.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..fmt import format_annotation
from ..neardup import band_keys, candidate_groups, components, link
from .gold import PageGold
from .sources import LICENCES, Page

IMPORT_FILE = "import.json"
HTML_DIR = "html"
GUIDELINES_VERSION = "1.1"
# A page whose ground truth aligns for less than this share of its word tokens is left out: its view
# lacks text the gold standard scores (a page the converter renders differently from the annotators' view).
MIN_ALIGNED_SHARE = 0.90
_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.I)
_DATE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\Z")
_URL = re.compile(r"^https?://\S+\Z")


class ImportRefused(Exception):
    """The output folder cannot be written; the message says why."""


@dataclass(frozen=True, slots=True)
class Imported:
    page: Page
    doc_id: str
    raw: str
    gold: PageGold


def doc_id(page: Page) -> str:
    return f"{page.benchmark}-" + re.sub(r"[^a-z0-9]+", "-", page.page_id.lower()).strip("-")


def _language(html: bytes) -> str:
    """The page's `<html lang>` primary tag; `und` (undetermined) when the page does not say."""
    found = _LANG.search(html[:20000])
    return found.group(1).decode().lower() if found else "und"


def _publisher(page: Page) -> str:
    host = urlsplit(page.url).hostname if page.url else None
    return (host or page.benchmark).removeprefix("www.")


def annotation(item: Imported, view: str, converter: tuple[str, str], group: str | None) -> dict:
    page, gold, raw = item.page, item.gold, item.raw
    url = page.url if page.url and _URL.match(page.url) else None
    date = page.published
    spans = [{"id": f"b{i}", "start": s, "end": e, "label": label, "text": raw[s:e]}
             for i, (s, e, label) in enumerate(gold.spans, start=1)]
    return {
        "schema_version": "1.0",
        "doc_id": item.doc_id,
        "metadata": {
            "source_url": url, "publisher": _publisher(page), "title": page.headline or url or page.page_id,
            "published_date": date if date and _DATE.match(date) else None, "language": _language(page.html),
            "translation": None, "raw_format": view, "rights": LICENCES[page.benchmark],
            "notes": f"Imported from the {page.benchmark.upper()} benchmark, page {page.page_id}; raw text made from "
                     f"its HTML by {converter[0]} {converter[1]}; boilerplate = what its ground truth does not cover.",
            "raw_sha256": hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        },
        "near_duplicate_group": group,
        "split": "test",
        "provenance": {"annotators": [f"{page.benchmark}-upstream"], "status": "reviewed",
                       "guidelines_version": GUIDELINES_VERSION},
        "boilerplate": spans,
        "entities": [],
        "quotes": [],
        "imported_from": {
            "benchmark": page.benchmark, "page_id": page.page_id, "url": page.url, "html_sha256": page.html_sha256,
            "view": view, "converter": converter[0], "converter_version": converter[1],
            "licence": LICENCES[page.benchmark], "page_type": page.page_type,
            "gold_tokens": gold.gold_tokens, "aligned_tokens": gold.aligned_tokens,
            "must_keep": [{"start": s, "end": e, "text": raw[s:e]} for s, e in gold.must_keep],
        },
    }


def near_duplicate_groups(items: list[Imported]) -> dict[str, str]:
    """doc_id -> group name (its smallest member) for pages whose views are near-duplicates."""
    texts = {i.doc_id: i.raw for i in items}
    groups = candidate_groups({doc_id: band_keys(text) for doc_id, text in texts.items()})
    return components(link(groups, texts.__getitem__))


def _gzip(data: bytes) -> bytes:
    """Same bytes in, same bytes out: no file name and no time stamp in the header."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=6) as handle:
        handle.write(data)
    return buffer.getvalue()


def _dump(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def check_target(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / IMPORT_FILE).is_file())):
        raise ImportRefused(f"{out} exists and is not an earlier import (no {IMPORT_FILE}): "
                            "choose a new folder with --out; nothing was written")


def write_corpus(out: Path, items: list[Imported], view: str, converter: tuple[str, str], summary: dict) -> None:
    check_target(out)
    staging = out.parent / f".{out.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    groups = near_duplicate_groups(items)
    summary = dict(summary, near_duplicate_groups=len(set(groups.values())))
    try:
        for sub in ("raw", "annotations", HTML_DIR):
            (staging / sub).mkdir(parents=True)
        suffix = ".txt" if view == "text" else ".md"
        for item in items:
            (staging / "raw" / f"{item.doc_id}{suffix}").write_bytes(item.raw.encode("utf-8"))
            (staging / "annotations" / f"{item.doc_id}.json").write_text(
                format_annotation(annotation(item, view, converter, groups.get(item.doc_id))), encoding="utf-8")
            (staging / HTML_DIR / f"{item.doc_id}.html.gz").write_bytes(_gzip(item.page.html))
        (staging / IMPORT_FILE).write_text(_dump(summary), encoding="utf-8")
        _swap(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    old = out.parent / f".{out.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def kept_by_type(items: list[Imported]) -> dict[str, int]:
    return dict(sorted(Counter(i.page.page_type or "unknown" for i in items).items()))
