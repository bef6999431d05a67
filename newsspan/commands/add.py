"""`add RAW_FILE [--url URL] ...`: copy a scraped page into the corpus with an annotation skeleton."""
from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

from ..read import ANNOTATION_DIR, RAW_DIR, SLUG
from ..workflow.add import Page, Refused, add_page
from ._common import CORPUS, EXIT_INVALID, EXIT_OK, UsageError, shown

NAME = "add"
HELP = "add a scraped page: byte-exact raw file, annotation skeleton, id, split and near-duplicate group"

_URL = re.compile(r"\Ahttps?://\S+\Z")
_LANGUAGE = re.compile(r"\A[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")


def _checked(pattern: re.Pattern, what: str):
    def check(value: str) -> str:
        if not pattern.match(value):
            raise argparse.ArgumentTypeError(f"{value!r} is not {what}")
        return value
    return check


def _slug(value: str) -> str:
    if not SLUG.match(value) or len(value) > 80:
        raise argparse.ArgumentTypeError(f"{value!r} is not an id: lowercase a-z and 0-9 words joined by '-', at most 80 characters")
    return value


def _date(value: str) -> str:
    try:
        # fromisoformat alone would also take 20240506 and 2024-W19-1.
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) and datetime.date.fromisoformat(value):
            return value
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{value!r} is not a date written YYYY-MM-DD")


def configure(parser) -> None:
    parser.add_argument("raw_file", type=Path, help="the scraped page (UTF-8 text or markdown), copied byte for byte")
    parser.add_argument("--url", type=_checked(_URL, "an http(s) URL"),
                        help="URL of the article, only when known (default: null, as GUIDELINES.md says of unknown metadata)")
    parser.add_argument("--publisher", help="publisher's name (default: the URL's host; required without --url)")
    parser.add_argument("--title", help="headline (default: the first non-blank line of the page)")
    parser.add_argument("--date", type=_date, help="publication date YYYY-MM-DD, only when the page states it")
    parser.add_argument("--language", default="en", type=_checked(_LANGUAGE, "a BCP-47 tag such as en or pt-BR"),
                        help="language of the text (default: en)")
    parser.add_argument("--id", dest="doc_id", type=_slug, help="document id (default: proposed as publisher-date-topic)")
    parser.add_argument("--annotator", default="unassigned", type=_slug,
                        help="your pseudonymous annotator id (default: unassigned)")
    parser.add_argument("--notes", default="", help="remarks on the capture, e.g. where a metadata value was taken from "
                        "(default: empty; edit metadata.notes later)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder (default: corpus/)")


def run(args) -> int:
    if not args.raw_file.is_file():
        raise UsageError(f"{args.raw_file}: no such file")
    if not ((args.corpus / ANNOTATION_DIR).is_dir() or (args.corpus / RAW_DIR).is_dir()):
        raise UsageError(f"{args.corpus}: not a corpus folder (with {ANNOTATION_DIR}/ and {RAW_DIR}/)")
    if args.url is None and not args.publisher:
        raise UsageError("without --url, give --publisher NAME (the publisher is otherwise named after the URL's host)")
    page = Page(args.raw_file, args.url, args.publisher, args.title, args.date, args.language, args.doc_id, args.annotator,
                args.notes)
    try:
        added = add_page(page, args.corpus)
    except Refused as err:
        print(f"add: refused: {err}", file=sys.stderr)
        return EXIT_INVALID
    _report(added)
    return EXIT_OK


def _report(added) -> None:
    place = added.placement
    print(f"add: wrote {shown(added.raw)} and {shown(added.annotation)}")
    if place.group:
        closest = place.matches[0]
        other = closest.b if closest.a == added.doc_id else closest.a
        print(f"add: near-duplicate of {other} ({closest.jaccard:.0%} of word 5-grams shared): "
              f"group {place.group!r}, split {place.split!r}")
        for path in added.updated:
            print(f"add: set near_duplicate_group of {shown(path)} to {place.group!r}")
    else:
        print(f"add: split {place.split!r} (from the hash of the id; see CONTRIBUTING.md)")
    print(f"next: annotate {shown(added.annotation)} (spans may be written by text), "
          f"then python3 build_dataset.py fix {shown(added.annotation)}")
