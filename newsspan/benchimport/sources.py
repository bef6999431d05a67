"""Read a benchmark as published upstream: one `Page` per page, in page-id order.

AEB (article-extraction-benchmark): `html/<id>.html.gz` and `ground-truth.json`
({id: {"articleBody", "url"}}); the article body excludes the headline, so there is none.
WCXB: a split folder (`dev/` or `test/`) with `html/<id>.html.gz` and `ground-truth/<id>.json`;
`metadata.json` (page types) may sit in the split folder or one level up; its page type wins over
the one in a ground-truth file, which most files leave null (the benchmark's counts are metadata's).
"""
from __future__ import annotations

import gzip
import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..read import MAX_SOURCE_JSON_BYTES, read_outside_json

BENCHMARKS = ("aeb", "wcxb")
LICENCES = {
    "aeb": "MIT licence (article-extraction-benchmark, scrapinghub/Zyte); see the benchmark's LICENSE",
    "wcxb": "CC BY 4.0. Source: WCXB, Web Content Extraction Benchmark (Murrough Foley, 2026); "
            "ground truth and pages as published by the benchmark, converted by NewsSpan",
}
# An HTML page larger than this (decompressed) is refused: no benchmark page comes near it.
MAX_HTML_BYTES = 20 * 1024 * 1024


class SourceError(Exception):
    """The source folder is not the benchmark as published; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class Page:
    benchmark: str
    page_id: str
    url: str | None
    html: bytes                     # decompressed, as published
    main_text: str                  # the ground truth's main text
    headline: str | None            # counted as content where the benchmark gives it
    page_type: str | None
    must_keep: tuple[str, ...]      # WCXB `with`
    must_remove: tuple[str, ...]    # WCXB `without`
    published: str | None = None    # the ground truth's publication date, as given

    @property
    def html_sha256(self) -> str:
        return hashlib.sha256(self.html).hexdigest()


@dataclass(frozen=True, slots=True)
class Skipped:
    page_id: str
    reason: str


def read_pages(benchmark: str, source: Path, only: set[str] | None = None) -> tuple[list[Page], list[Skipped]]:
    """The benchmark's pages (with `only`, just those page ids), and the pages that cannot be used."""
    if benchmark == "aeb":
        return _aeb(source, only)
    if benchmark == "wcxb":
        return _wcxb(source, only)
    raise SourceError(f"unknown benchmark {benchmark!r}; choose from: {', '.join(BENCHMARKS)}")


def read_gzip_html(path: Path) -> bytes:
    """A gzipped HTML page, refused past MAX_HTML_BYTES on disk or once decompressed (a gzip bomb
    stops at the limit); raises OSError, EOFError, zlib.error or ValueError on a damaged file."""
    if path.stat().st_size > MAX_HTML_BYTES:
        raise ValueError(f"more than {MAX_HTML_BYTES} bytes")
    with gzip.open(path, "rb") as handle:
        data = handle.read(MAX_HTML_BYTES + 1)
    if len(data) > MAX_HTML_BYTES:
        raise ValueError(f"more than {MAX_HTML_BYTES} bytes once decompressed")
    return data


def _json(path: Path):
    # A benchmark download is outside data: the project's hardened reader, with a limit fit for it.
    source, problems = read_outside_json(path, MAX_SOURCE_JSON_BYTES)
    if problems:
        first = problems[0]
        raise SourceError(f"{first.path}:{first.line}:{first.col}: {first.code} {first.name}: {first.message}")
    return source.value


def _aeb(source: Path, only: set[str] | None) -> tuple[list[Page], list[Skipped]]:
    truth_path, html_dir = source / "ground-truth.json", source / "html"
    if not truth_path.is_file() or not html_dir.is_dir():
        raise SourceError(f"{source}: an AEB folder holds ground-truth.json and html/ (the benchmark's repository root)")
    truth = _json(truth_path)
    if not isinstance(truth, dict):
        raise SourceError(f"{truth_path.name}: expected an object {{page_id: {{\"articleBody\": ..., \"url\": ...}}}}")
    pages, skipped = [], []
    for page_id in sorted(truth):
        if only is not None and page_id not in only:
            continue
        entry = truth[page_id]
        path = html_dir / f"{page_id}.html.gz"
        body = entry.get("articleBody") if isinstance(entry, dict) else None
        if not isinstance(body, str) or not body.strip():
            skipped.append(Skipped(page_id, "the ground truth has no articleBody"))
            continue
        try:
            html = read_gzip_html(path)
        except (OSError, EOFError, zlib.error, ValueError) as err:
            skipped.append(Skipped(page_id, f"html/{path.name}: {err}"))
            continue
        # Every AEB page is a news or blog article: the benchmark has one page type.
        pages.append(Page("aeb", page_id, entry.get("url"), html, body, None, "article", (), ()))
    return pages, skipped


def page_types(benchmark: str, source: Path) -> dict[str, str | None]:
    """Every page id that has a main text, with its page type, from the ground truth alone (no HTML is read)."""
    if benchmark == "aeb":
        return {page_id: "article" for page_id in sorted(_json(source / "ground-truth.json"))}
    types = _page_types(source)
    found = {}
    for path in sorted((source / "ground-truth").glob("*.json")):
        record = _json(path)
        truth = record.get("ground_truth") if isinstance(record, dict) else None
        if isinstance(truth, dict) and isinstance(truth.get("main_content"), str) and truth["main_content"].strip():
            found[path.stem] = types.get(path.stem) or record.get("page_type")
    return found


def _page_types(source: Path) -> dict[str, str]:
    for path in (source / "metadata.json", source.parent / "metadata.json"):
        if path.is_file():
            files = _json(path).get("files", {})
            return {k: v.get("page_type") for k, v in files.items() if isinstance(v, dict)}
    return {}


def _strings(value) -> tuple[str, ...]:
    return tuple(s for s in value if isinstance(s, str) and s.strip()) if isinstance(value, list) else ()


def _wcxb(source: Path, only: set[str] | None) -> tuple[list[Page], list[Skipped]]:
    truth_dir, html_dir = source / "ground-truth", source / "html"
    if not truth_dir.is_dir() or not html_dir.is_dir():
        raise SourceError(f"{source}: a WCXB split folder (dev/ or test/) holds html/ and ground-truth/")
    types = _page_types(source)
    pages, skipped = [], []
    for truth_path in sorted(truth_dir.glob("*.json")):
        page_id = truth_path.stem
        if only is not None and page_id not in only:
            continue
        record = _json(truth_path)
        truth = record.get("ground_truth") if isinstance(record, dict) else None
        body = truth.get("main_content") if isinstance(truth, dict) else None
        if not isinstance(body, str) or not body.strip():
            skipped.append(Skipped(page_id, "the ground truth has no main_content"))
            continue
        path = html_dir / f"{page_id}.html.gz"
        try:
            html = read_gzip_html(path)
        except (OSError, EOFError, zlib.error, ValueError) as err:
            skipped.append(Skipped(page_id, f"html/{path.name}: {err}"))
            continue
        title = truth.get("title")
        pages.append(Page("wcxb", page_id, record.get("url"), html, body,
                          title if isinstance(title, str) and title.strip() else None,
                          types.get(page_id) or record.get("page_type"),
                          _strings(truth.get("with")), _strings(truth.get("without")),
                          truth.get("publish_date") if isinstance(truth.get("publish_date"), str) else None))
    return pages, skipped
