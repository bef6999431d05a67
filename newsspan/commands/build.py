"""`build`: the main job: validate the corpus, then write dist/<version>/."""
from __future__ import annotations

import sys
from pathlib import Path

from ..outputs import output_folder
from ..progress import Progress
from ._common import EXIT_INVALID, EXIT_OK, shown
from .validate import add_scale_options, check_scale_options, engine_for, run_validate

NAME = "build"
HELP = "validate, then build dist/<version>/ (Parquet, card, Croissant, manifest)"


def configure(parser) -> None:
    parser.add_argument("--force", action="store_true", help="overwrite an existing build of this version made from other inputs; never a released version")
    parser.add_argument("--out", type=Path, default=None, help="output root (default: dist/)")
    parser.add_argument("--corpus", type=Path, default=None, help="corpus folder to build (default: corpus/)")
    add_scale_options(parser)


def run(args) -> int:
    check_scale_options(args)
    with engine_for(args) as engine:
        return run_build(force=args.force, out=args.out, jobs=args.jobs, use_cache=not args.no_cache, quiet=args.quiet,
                         engine=engine, corpus=args.corpus)


def run_build(force: bool = False, out: Path | None = None, *, jobs: int = 0, use_cache: bool = True,
              quiet: bool = False, engine=None, corpus: Path | None = None) -> int:
    """Only a clean corpus is built. Documents are not kept in memory: the build reads each again."""
    from ..release import CORPUS, DIST, build_release
    from ..validate.cache import BuildCache, default_cache_dir
    from ..write import BuildRefused

    if out is not None:
        output_folder(out, "--out folder")  # before any work: a refused folder costs nothing
    status, reports = run_validate([str(corpus)] if corpus else [], "text", jobs=jobs, use_cache=use_cache, quiet=quiet,
                                   keep_documents=False, engine=engine)
    if status != EXIT_OK:
        print("build: not built, fix the errors above first", file=sys.stderr)
        return status
    progress = Progress("build", 0, unit="steps", quiet=quiet)
    try:
        _report_left_out(reports[0].documents, corpus or CORPUS)
        target = build_release(reports[0].documents, out_root=out or DIST, force=force, corpus=corpus or CORPUS, jobs=jobs,
                               cache=BuildCache(default_cache_dir()) if use_cache else None, progress=progress,
                               engine=engine)
    except BuildRefused as err:
        print(f"build: refused: {err}", file=sys.stderr)
        return EXIT_INVALID
    progress.finish()
    print(f"build: wrote {shown(target)}")
    return EXIT_OK


def _report_left_out(documents, corpus: Path) -> None:
    """Say which valid pages this version leaves out: they are in no release yet (see versions.py)."""
    from ..release import project_version, version_documents

    _, left_out = version_documents(documents, project_version(), corpus)
    if left_out:
        shown_ids = ", ".join(left_out[:5]) + (", ..." if len(left_out) > 5 else "")
        print(f"build: left out {len(left_out)} document{'s' if len(left_out) != 1 else ''} that no version "
              f"records yet ({shown_ids}): once reviewed, python3 build_dataset.py release --minor adds "
              f"{'them' if len(left_out) != 1 else 'it'}", file=sys.stderr)
