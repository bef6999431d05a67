"""`fmt [--check] [PATHS...]`: rewrite annotation files in the canonical one-span-per-line layout."""
from __future__ import annotations

from ..incidents import format_text
from ..workflow.files import annotation_files
from ..workflow.fixing import format_file
from ._common import CORPUS, EXIT_INVALID, EXIT_OK, counted, shown

NAME = "fmt"
HELP = "rewrite annotation files in the canonical layout (--check: only list the files that would change)"


def configure(parser) -> None:
    parser.add_argument("paths", nargs="*",
                        help="annotation or agreement files, or corpus folders (default: corpus/)")
    parser.add_argument("--corpus", metavar="DIR", action="append", default=[],
                        help="a corpus folder (same as giving it as a path; repeatable)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not canonical")


def run(args) -> int:
    outcomes = [format_file(t.path, write=not args.check) for t in annotation_files(args.paths + args.corpus, CORPUS)]
    for outcome in outcomes:
        if outcome.problems:
            print(f"fmt: cannot format {shown(outcome.path)} until it is valid JSON that passes the schema:")
            print(format_text(outcome.problems))
        elif outcome.changed:
            print(f"fmt: {'would reformat' if args.check else 'reformatted'} {shown(outcome.path)}")
    failed = any(o.problems for o in outcomes) or (args.check and any(o.changed for o in outcomes))
    changed = sum(1 for o in outcomes if o.changed)
    verb = "would change" if args.check else "changed"
    print(f"fmt: {counted(len(outcomes), 'file')}, {changed} {verb}")
    return EXIT_INVALID if failed else EXIT_OK
