"""Which annotation files a command works on: corpus folders, files inside one, agreement files.

Agreement files (`agreement/<doc_id>.<annotator>.json`) are second annotations of a document: they
share its raw file and schema but are never part of the dataset.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..commands._common import UsageError
from ..read import ANNOTATION_DIR, RAW_DIR, RAW_SUFFIXES

AGREEMENT_DIR = "agreement"


@dataclass(frozen=True, slots=True)
class AnnotationFile:
    path: Path
    doc_id: str
    root: Path

    def raw(self) -> Path | None:
        """The document's raw file, if there is one."""
        found = (self.root / RAW_DIR / f"{self.doc_id}{suffix}" for suffix in RAW_SUFFIXES)
        return next((p for p in found if p.is_file()), None)


def annotation_files(paths: list[str], default_root: Path) -> list[AnnotationFile]:
    """Map command-line paths to annotation files, in a stable order without repeats."""
    found: list[AnnotationFile] = []
    for name in paths or [str(default_root)]:
        found += _expand(Path(name))
    unique = {f.path.resolve(): f for f in found}
    return list(unique.values())


def _expand(path: Path) -> list[AnnotationFile]:
    if path.is_dir() and any((path / d).is_dir() for d in (ANNOTATION_DIR, RAW_DIR, AGREEMENT_DIR)):
        return _in_corpus(path)
    if path.is_file() and path.suffix == ".json" and path.parent.name in (ANNOTATION_DIR, AGREEMENT_DIR):
        return [AnnotationFile(path, path.name.split(".")[0], path.parent.parent)]
    if path.is_file() and path.parent.name == RAW_DIR:
        annotation = path.parent.parent / ANNOTATION_DIR / f"{path.stem}.json"
        if annotation.is_file():
            return [AnnotationFile(annotation, path.stem, path.parent.parent)]
        raise UsageError(f"{path}: no annotation file {ANNOTATION_DIR}/{path.stem}.json for this raw file "
                         "(python3 build_dataset.py add creates both)")
    raise UsageError(f"{path}: not a corpus folder nor a .json file in {ANNOTATION_DIR}/ or {AGREEMENT_DIR}/")


def _in_corpus(root: Path) -> list[AnnotationFile]:
    files = []
    for folder in (ANNOTATION_DIR, AGREEMENT_DIR):
        for path in sorted((root / folder).glob("*.json")):
            files.append(AnnotationFile(path, path.name.split(".")[0], root))
    return files
