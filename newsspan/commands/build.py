"""`build`: the main job: validate the corpus, then write dist/<version>/."""
from __future__ import annotations

import sys
from pathlib import Path

from ..progress import Progress
from ._common import EXIT_INVALID, EXIT_OK, UsageError, shown
from .validate import add_scale_options, run_validate

NAME = "build"
HELP = "validate, then build dist/<version>/ (Parquet, card, Croissant, manifest)"


def configure(parser) -> None:
    parser.add_argument("--force", action="store_true", help="overwrite an existing build of this version made from other inputs")
    parser.add_argument("--out", type=Path, default=None, help="output root (default: dist/)")
    parser.add_argument("--corpus", type=Path, default=None, help="corpus folder to build (default: corpus/)")
    add_scale_options(parser)


def run(args) -> int:
    if args.jobs < 0:
        raise UsageError(f"--jobs {args.jobs}: give a number of processes, or 0 for one per core")
    return run_build(force=args.force, out=args.out, jobs=args.jobs, use_cache=not args.no_cache, quiet=args.quiet,
                     corpus=args.corpus)


def run_build(force: bool = False, out: Path | None = None, *, jobs: int = 0, use_cache: bool = True,
              quiet: bool = False, corpus: Path | None = None) -> int:
    """Only a clean corpus is built. Documents are not kept in memory: the build reads each again."""
    from ..release import CORPUS, DIST, build_release
    from ..validate.cache import BuildCache, default_cache_dir
    from ..write import BuildRefused

    status, reports = run_validate([str(corpus)] if corpus else [], "text", jobs=jobs, use_cache=use_cache, quiet=quiet, keep_documents=False)
    if status != EXIT_OK:
        print("build: not built, fix the errors above first", file=sys.stderr)
        return status
    progress = Progress("build", 0, unit="steps", quiet=quiet)
    try:
        target = build_release(reports[0].documents, out_root=out or DIST, force=force, corpus=corpus or CORPUS, jobs=jobs,
                               cache=BuildCache(default_cache_dir()) if use_cache else None, progress=progress)
    except BuildRefused as err:
        print(f"build: refused: {err}", file=sys.stderr)
        return EXIT_INVALID
    progress.finish()
    print(f"build: wrote {shown(target)}")
    return EXIT_OK
