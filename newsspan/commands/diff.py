"""`diff REV_A REV_B`: the annotation changes between two git revisions, as Markdown for a PR."""
from __future__ import annotations

import sys
from pathlib import Path

from ..read import printable, printable_lines
from ..workflow.diff import diff_documents, markdown
from ..workflow.revisions import GitProblem, annotations_at, commit_of, corpus_in_repository, repository_top, uncommitted
from ._common import EXIT_OK, UsageError

NAME = "diff"
HELP = "list spans added, removed, relabelled and moved between two git revisions (Markdown)"


def configure(parser) -> None:
    parser.add_argument("rev_a", metavar="REV_A", help="the older revision (branch, tag or commit)")
    parser.add_argument("rev_b", metavar="REV_B", help="the newer revision")
    parser.add_argument("--corpus-path", default="corpus", help="corpus folder inside the repository (default: corpus)")


def run(args) -> int:
    try:
        top = repository_top(Path.cwd())
        corpus = corpus_in_repository(args.corpus_path, top)
        old, new = (annotations_at(commit_of(rev, top), corpus, top) for rev in (args.rev_a, args.rev_b))
    except GitProblem as err:
        raise UsageError(str(err)) from None
    print(printable_lines(markdown(diff_documents(old, new), args.rev_a, args.rev_b)), end="")
    _hint_uncommitted(corpus, top)
    return EXIT_OK


def _hint_uncommitted(corpus: str, top: Path) -> None:
    """diff compares commits: say so when the work tree holds annotation changes it cannot see."""
    try:
        changed = uncommitted(corpus, top)
    except GitProblem:
        return
    if changed:
        listed = ", ".join(changed[:3]) + (", ..." if len(changed) > 3 else "")
        print(f"diff: note: {len(changed)} annotation file{'s' if len(changed) != 1 else ''} changed but not committed "
              f"({printable(listed)}) are not in this comparison of two commits: commit them (git add, git commit) and run diff again",
              file=sys.stderr)
