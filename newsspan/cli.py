"""Command line: `python build_dataset.py [validate|build] ...`. Exit 0 clean, 1 invalid, 2 usage."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .incidents import FORMATTERS, Incident
from .read import ANNOTATION_DIR, RAW_DIR
from .validate import Report, validate_corpus

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def _targets(paths: list[str]) -> list[tuple[Path, set[str] | None]]:
    """Map command-line paths to (corpus root, doc ids or None for all)."""
    if not paths:
        return [(CORPUS, None)]
    targets: dict[Path, set[str] | None] = {}
    for name in paths:
        path = Path(name)
        if path.is_dir() and ((path / ANNOTATION_DIR).is_dir() or (path / RAW_DIR).is_dir()):
            targets[path] = None
        elif path.is_file() and path.parent.name in (ANNOTATION_DIR, RAW_DIR):
            root = path.parent.parent
            if root not in targets or targets[root] is not None:
                targets.setdefault(root, set()).add(path.stem)
        else:
            raise UsageError(f"{name}: not a corpus folder (with {ANNOTATION_DIR}/ and {RAW_DIR}/) "
                             f"nor a file inside one")
    return list(targets.items())


def run_validate(paths: list[str], fmt: str, out=sys.stdout) -> tuple[int, list[Report]]:
    reports = [validate_corpus(root, only) for root, only in _targets(paths)]
    incidents: list[Incident] = [i for r in reports for i in r.incidents]
    text = FORMATTERS[fmt](incidents)
    if text:
        print(text, file=out)
    if fmt == "text":
        errors = sum(len(r.errors) for r in reports)
        warnings = len(incidents) - errors
        checked = sum(r.checked for r in reports)
        print(f"validate: {checked} documents, {errors} errors, {warnings} warnings", file=out)
    return (EXIT_INVALID if any(not r.ok for r in reports) else EXIT_OK), reports


def run_build(force: bool, out: Path | None) -> int:
    """The main job: validate the corpus; only a clean corpus is built."""
    from .release import DIST, build_release
    from .write import BuildRefused

    status, reports = run_validate([], "text")
    if status != EXIT_OK:
        print("build: not built, fix the errors above first", file=sys.stderr)
        return status
    try:
        target = build_release(reports[0].documents, out_root=out or DIST, force=force)
    except BuildRefused as err:
        print(f"build: refused: {err}", file=sys.stderr)
        return EXIT_INVALID
    print(f"build: wrote {_shown(target)}")
    return EXIT_OK


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build_dataset.py", description="NewsSpan: validate the corpus and build the dataset. "
                                     "Without a command: validate, then build.")
    sub = parser.add_subparsers(dest="command")
    val = sub.add_parser("validate", help="check annotation and raw files; report every problem with file:line:col")
    val.add_argument("paths", nargs="*", help="corpus folders or files inside one (default: corpus/)")
    val.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="output format (default: text)")
    build = sub.add_parser("build", help="validate, then build dist/<version>/ (Parquet, card, Croissant, manifest)")
    build.add_argument("--force", action="store_true", help="overwrite an existing build of this version made from other inputs")
    build.add_argument("--out", type=Path, default=None, help="output root (default: dist/)")
    sub.add_parser("codes", help="print the table of validation codes (Markdown)")
    sub.add_parser("docs", help="regenerate the generated blocks of README.md and DATASHEET.md")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return run_validate(args.paths, args.format)[0]
        if args.command == "codes":
            from .docs import codes_table
            print(codes_table())
            return EXIT_OK
        if args.command == "docs":
            from .docs import write_docs
            for path in write_docs():
                print(f"updated {path}")
            return EXIT_OK
        if args.command == "build":
            return run_build(force=args.force, out=args.out)
        return run_build(force=False, out=None)
    except UsageError as err:
        print(f"build_dataset.py: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:
        # An unreadable folder or a permission problem is the user's to fix, not a crash.
        print(f"build_dataset.py: error: {err.strerror or err}: {err.filename or ''}", file=sys.stderr)
        return EXIT_USAGE
