"""`validate [PATHS...]`: every problem of the corpus (or of some files) at file:line:col."""
from __future__ import annotations

import sys
from pathlib import Path

from ..incidents import FORMATTERS, Incident
from ..read import ANNOTATION_DIR, RAW_DIR
from ..validate import Report, validate_corpus
from ._common import CORPUS, EXIT_INVALID, EXIT_OK, UsageError

NAME = "validate"
HELP = "check annotation and raw files; report every problem with file:line:col"


def configure(parser) -> None:
    parser.add_argument("paths", nargs="*", help="corpus folders or files inside one (default: corpus/)")
    parser.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="output format (default: text)")


def run(args) -> int:
    return run_validate(args.paths, args.format)[0]


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


def run_validate(paths: list[str], fmt: str, out=sys.stdout) -> tuple[int, list[Report]]:
    reports = [validate_corpus(root, only) for root, only in targets(paths)]
    incidents: list[Incident] = [i for r in reports for i in r.incidents]
    text = FORMATTERS[fmt](incidents)
    if text:
        print(text, file=out)
    if fmt == "text":
        errors = sum(len(r.errors) for r in reports)
        checked = sum(r.checked for r in reports)
        print(f"validate: {checked} documents, {errors} errors, {len(incidents) - errors} warnings", file=out)
    return (EXIT_INVALID if any(not r.ok for r in reports) else EXIT_OK), reports
