"""`validate [PATHS...]`: every problem of the corpus (or of some files) at file:line:col."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

from ..engine import ENGINES, EngineUnavailable, open_engine
from ..incidents import FORMATTERS, Incident
from ..progress import Progress
from ..read import ANNOTATION_DIR, RAW_DIR
from ..validate import Report, validate_corpus
from ..validate.cache import ValidationCache, default_cache_dir, validation_salt
from ..validate.consistency import guidelines_versions
from ..validate.parallel import available_cores
from ._common import CORPUS, EXIT_INVALID, EXIT_OK, UsageError, counted

NAME = "validate"
HELP = "check annotation and raw files; report every problem with file:line:col"


def configure(parser) -> None:
    parser.add_argument("paths", nargs="*", help="corpus folders or files inside one (default: corpus/)")
    parser.add_argument("--corpus", metavar="DIR", action="append", default=[],
                        help="a corpus folder to validate (same as giving it as a path; repeatable)")
    parser.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="output format (default: text)")
    add_scale_options(parser)


def add_scale_options(parser) -> None:
    """Options of the commands that go through the whole corpus."""
    parser.add_argument("--jobs", type=int, default=0, metavar="N",
                        help=f"worker processes (default 0: one per core, {available_cores()} here, for a large corpus)")
    parser.add_argument("--no-cache", action="store_true",
                        help="check every document again instead of replaying unchanged ones from .newsspan-cache/")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress and no timing summary on stderr")
    parser.add_argument("--engine", choices=ENGINES, default="local",
                        help="where the per-document work runs: local worker processes (default), or a Dask "
                             "cluster (needs the dask extra; see README)")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="with --engine dask: a running Dask scheduler (e.g. tcp://host:8786); "
                             "default: start a local cluster of --jobs workers for this run")


def check_scale_options(args) -> None:
    if args.jobs < 0:
        raise UsageError(f"--jobs {args.jobs}: give a number of processes, or 0 for one per core")
    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler names a Dask scheduler: add --engine dask")


@contextmanager
def engine_for(args):
    """The engine the options ask for, or None for the local pool (which starts per stage)."""
    if args.engine == "local":
        yield None
        return
    try:
        engine = open_engine(args.engine, jobs=args.jobs, address=args.scheduler)
        engine.__enter__()
    except EngineUnavailable as err:
        raise UsageError(str(err)) from None
    try:
        yield engine
    finally:
        engine.__exit__(None, None, None)


def run(args) -> int:
    check_scale_options(args)
    with engine_for(args) as engine:
        return run_validate(args.paths + args.corpus, args.format, jobs=args.jobs, use_cache=not args.no_cache,
                            quiet=args.quiet, engine=engine)[0]


def targets(paths: list[str]) -> list[tuple[Path, set[str] | None]]:
    """Map command-line paths to (corpus root, doc ids or None for all)."""
    if not paths:
        return [(CORPUS, None)]
    found: dict[Path, set[str] | None] = {}
    for name in paths:
        path = Path(name)
        if path.is_dir() and ((path / ANNOTATION_DIR).is_dir() or (path / RAW_DIR).is_dir()):
            found[path] = None
        elif path.is_file() and path.parent.name in (ANNOTATION_DIR, RAW_DIR):
            root = path.parent.parent
            if root not in found or found[root] is not None:
                found.setdefault(root, set()).add(path.stem)
        else:
            raise UsageError(f"{name}: not a corpus folder (with {ANNOTATION_DIR}/ and {RAW_DIR}/) nor a file inside one")
    return list(found.items())


def open_cache(enabled: bool) -> ValidationCache | None:
    """The validation cache, or None when disabled or unusable (a run without it is only slower)."""
    if not enabled:
        return None
    cache = ValidationCache(default_cache_dir(), validation_salt(guidelines_versions()))
    if not cache.prune():
        print(f"validate: not using the cache: {cache.problem}", file=sys.stderr)
        return None
    return cache


def run_validate(paths: list[str], fmt: str, out=sys.stdout, *, jobs: int = 0, use_cache: bool = True,
                 quiet: bool = False, keep_documents: bool = False, engine=None) -> tuple[int, list[Report]]:
    """Validate and print the report. The reports' documents are read from their files on access,
    unless `keep_documents` holds them all in memory."""
    cache = open_cache(use_cache)
    reports = []
    for root, only in targets(paths):
        progress = Progress("validate", 0, quiet=quiet)
        report = validate_corpus(root, only, jobs=jobs, cache=cache, keep_documents=keep_documents, progress=progress,
                                 engine=engine)
        progress.finish(f"{report.from_cache} from cache" if cache is not None else "cache off")
        reports.append(report)
    if cache is not None and cache.problem:
        print(f"validate: results not kept in the cache: {cache.problem}", file=sys.stderr)
    incidents: list[Incident] = [i for r in reports for i in r.incidents]
    text = FORMATTERS[fmt](incidents)
    if text:
        print(text, file=out)
    if fmt == "text":
        errors = sum(len(r.errors) for r in reports)
        checked = sum(r.checked for r in reports)
        print(f"validate: {counted(checked, 'document')}, {counted(errors, 'error')}, {counted(len(incidents) - errors, 'warning')}", file=out)
    return (EXIT_INVALID if any(not r.ok for r in reports) else EXIT_OK), reports
