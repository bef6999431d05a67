"""`fix [PATHS...]`: turn spans written by text into exact offsets and give id-less items ids."""
from __future__ import annotations

from ..incidents import format_text
from ..workflow.files import annotation_files
from ..workflow.fixing import fix_file
from ._common import CORPUS, EXIT_INVALID, EXIT_OK, counted, shown

NAME = "fix"
HELP = "resolve spans written by text to exact offsets, assign missing ids, rewrite canonically"


def configure(parser) -> None:
    parser.add_argument("paths", nargs="*",
                        help="annotation or agreement files, or corpus folders (default: corpus/)")
    parser.add_argument("--corpus", metavar="DIR", action="append", default=[],
                        help="a corpus folder (same as giving it as a path; repeatable)")


def run(args) -> int:
    outcomes = [fix_file(target) for target in annotation_files(args.paths + args.corpus, CORPUS)]
    for outcome in outcomes:
        if outcome.problems and outcome.changed:
            print(f"fix: rewrote {shown(outcome.path)} ({outcome.resolved} spans resolved, {outcome.ids} ids assigned); "
                  f"{len(outcome.problems)} spans not searched yet: run fix again")
            print(format_text(outcome.problems))
        elif outcome.problems:
            print(f"fix: refused {shown(outcome.path)}, left untouched:")
            print(format_text(outcome.problems))
        elif outcome.changed:
            print(f"fix: rewrote {shown(outcome.path)} ({outcome.resolved} spans resolved, {outcome.ids} ids assigned)")
    refused = sum(1 for o in outcomes if o.problems)
    rewritten = sum(1 for o in outcomes if o.changed)
    print(f"fix: {counted(len(outcomes), 'file')}, {rewritten} rewritten, {refused} refused")
    return EXIT_INVALID if refused else EXIT_OK
