"""`build`: the main job: validate the corpus, then write dist/<version>/."""
from __future__ import annotations

import sys
from pathlib import Path

from ._common import EXIT_INVALID, EXIT_OK, shown
from .validate import run_validate

NAME = "build"
HELP = "validate, then build dist/<version>/ (Parquet, card, Croissant, manifest)"


def configure(parser) -> None:
    parser.add_argument("--force", action="store_true", help="overwrite an existing build of this version made from other inputs")
    parser.add_argument("--out", type=Path, default=None, help="output root (default: dist/)")


def run(args) -> int:
    return run_build(force=args.force, out=args.out)


def run_build(force: bool = False, out: Path | None = None) -> int:
    """Only a clean corpus is built."""
    from ..release import DIST, build_release
    from ..write import BuildRefused

    status, reports = run_validate([], "text")
    if status != EXIT_OK:
        print("build: not built, fix the errors above first", file=sys.stderr)
        return status
    try:
        target = build_release(reports[0].documents, out_root=out or DIST, force=force)
    except BuildRefused as err:
        print(f"build: refused: {err}", file=sys.stderr)
        return EXIT_INVALID
    print(f"build: wrote {shown(target)}")
    return EXIT_OK
