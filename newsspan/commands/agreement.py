"""`agreement`: span F1 and character kappa between the corpus annotation and second annotators."""
from __future__ import annotations

import sys
from pathlib import Path

from ..incidents import format_text
from ..read import SLUG, printable_lines
from ..workflow.agreement import Refused, load, markdown, measure, start_file
from ._common import CORPUS, EXIT_INVALID, EXIT_OK, UsageError, shown

NAME = "agreement"
HELP = "compare second annotators' files (agreement/<doc_id>.<annotator>.json) with the corpus: F1 and kappa"


def configure(parser) -> None:
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder (default: corpus/)")
    parser.add_argument("--start", metavar="DOC_ID", help="create an empty agreement file of DOC_ID for --annotator")
    parser.add_argument("--annotator", help="with --start: the second annotator's pseudonymous id")


def run(args) -> int:
    if args.start is not None:
        return _start(args)
    loaded = load(args.corpus)
    errors = [i for i in loaded.incidents if i.level == "error"]
    if loaded.incidents:
        print(format_text(loaded.incidents), file=sys.stderr)
    for reason in loaded.skipped:
        print(f"agreement: skipped {reason}", file=sys.stderr)
    print(printable_lines(markdown(measure(loaded.pairs))), end="")
    return EXIT_INVALID if errors or loaded.skipped else EXIT_OK


def _start(args) -> int:
    if not args.annotator or not SLUG.match(args.annotator):
        raise UsageError("--start needs --annotator ID (lowercase a-z and 0-9 words joined by '-')")
    try:
        path = start_file(args.corpus, args.start, args.annotator)
    except Refused as err:
        print(f"agreement: refused: {err}", file=sys.stderr)
        return EXIT_INVALID
    print(f"agreement: wrote {shown(path)}; annotate it (spans may be written by text), "
          f"then python3 build_dataset.py fix {shown(path)}")
    return EXIT_OK
