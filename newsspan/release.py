"""The main job's second half: from a clean validation report to a published `dist/<version>/`."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .derive import DERIVERS
from .features import CONFIGS
from .records import SPLITS, Document
from .write import (BuildRefused, build_lock, clean_stale_staging, publish, read_manifest, sha256_file,
                    shard_paths, staging_dir, write_parquet)

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SCHEMA = REPO / "schema" / "annotation.schema.json"
DIST = REPO / "dist"
NAME = "NewsSpan"
LIBRARIES = ("datasets", "pyarrow", "jsonschema", "datasketch")


@dataclass(frozen=True, slots=True)
class Fingerprints:
    source: str  # every input file and the schema
    code: str    # the package that turns inputs into rows


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str
    sha256: str
    bytes: int
    rows: int | None
    config: str | None = None
    split: str | None = None


def project_version(repo: Path = REPO) -> str:
    return tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def require_changelog(version: str, repo: Path = REPO) -> str:
    """The release date of `version` from its CHANGELOG.md entry; refuse a version without one."""
    path = repo / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    entry = re.search(rf"^## \[?{re.escape(version)}\]? \((\d{{4}}-\d{{2}}-\d{{2}})\)\s*$", text, re.M)
    if entry:
        return entry.group(1)
    raise BuildRefused(f"CHANGELOG.md has no entry for version {version}: add a '## {version} (date)' section "
                           "that says what changed in the data (patch: same records, minor: added, major: changed)")


def _tree_hash(named: dict[str, Path]) -> str:
    """Hash of (name, content hash) pairs: independent of where the checkout lives."""
    digest = hashlib.sha256()
    for name in sorted(named):
        digest.update(f"{name}\0{sha256_file(named[name])}\n".encode())
    return digest.hexdigest()


def fingerprints(corpus: Path = CORPUS) -> Fingerprints:
    inputs = {f"corpus/{p.relative_to(corpus).as_posix()}": p
              for d in ("raw", "annotations") for p in (corpus / d).glob("*") if p.is_file()}
    if (corpus / "released_splits.json").is_file():
        inputs["corpus/released_splits.json"] = corpus / "released_splits.json"
    inputs["schema/annotation.schema.json"] = SCHEMA
    code = {p.relative_to(REPO).as_posix(): p for p in (REPO / "newsspan").rglob("*.py")}
    return Fingerprints(_tree_hash(inputs), _tree_hash(code))


_BUMP = ("a released version never changes. Bump the version in pyproject.toml and add a CHANGELOG.md "
         "entry, or pass --force to overwrite an unreleased build")


def _check_inputs(target: Path, prints: Fingerprints, force: bool) -> None:
    if not target.exists() or force:
        return
    manifest = read_manifest(target) or {}
    if manifest.get("source_fingerprint") != prints.source:
        raise BuildRefused(f"{target} was built from different inputs; {_BUMP}")


def _check_same_data(target: Path, files: list["OutputFile"], force: bool) -> None:
    """Same inputs but changed code: allowed only when the data files come out identical."""
    if not target.exists() or force:
        return
    before = {f["path"]: f["sha256"] for f in (read_manifest(target) or {}).get("files", []) if f["path"].startswith("data/")}
    after = {f.path: f.sha256 for f in files}
    if before != after:
        changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        raise BuildRefused(f"{target}: the code now derives different data from the same inputs "
                           f"({', '.join(changed[:3])}{' ...' if len(changed) > 3 else ''}); {_BUMP}")


def rows_by_split(documents: dict[str, Document]) -> dict[str, dict[str, list[dict]]]:
    """config -> split -> rows, documents in id order so that rows have a stable order."""
    table: dict[str, dict[str, list[dict]]] = {c: {s: [] for s in SPLITS} for c in CONFIGS}
    for doc_id in sorted(documents):
        doc = documents[doc_id]
        for config, derive in DERIVERS.items():
            table[config][doc.split].extend(derive(doc))
    return table


def library_versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0]}
    for name in LIBRARIES:
        found[name] = metadata.version(name)
    return found


def _write_data(staging: Path, table: dict, version: str, prints: Fingerprints) -> list[OutputFile]:
    extra = {"newsspan": json.dumps({"version": version, "source_fingerprint": prints.source}, sort_keys=True)}
    files = []
    for config, splits in table.items():
        for split, rows in splits.items():
            paths = shard_paths(config, split, len(rows))
            per = -(-len(rows) // len(paths)) or 1
            for i, rel in enumerate(paths):
                chunk = rows[i * per:(i + 1) * per]
                write_parquet(staging / rel, chunk, CONFIGS[config], extra)
                files.append(_describe(staging, rel, len(chunk), config, split))
    return files


def _describe(staging: Path, rel: str, rows: int | None, config=None, split=None) -> OutputFile:
    path = staging / rel
    return OutputFile(rel, sha256_file(path), path.stat().st_size, rows, config, split)


def build_release(documents: dict[str, Document], out_root: Path = DIST, force: bool = False,
                  corpus: Path = CORPUS) -> Path:
    """Write every config to a staging folder, then publish it as `out_root/<version>` atomically."""
    from .card import render_card
    from .croissant import croissant_metadata

    version = project_version()
    released_on = require_changelog(version)
    prints = fingerprints(corpus)
    target = out_root / version
    with build_lock(out_root):
        clean_stale_staging(out_root)
        _check_inputs(target, prints, force)
        staging = staging_dir(out_root, version)
        try:
            table = rows_by_split(documents)
            files = _write_data(staging, table, version, prints)
            _check_same_data(target, files, force)
            (staging / "README.md").write_text(render_card(version, prints.source, table, files), encoding="utf-8")
            files.append(_describe(staging, "README.md", None))
            croissant = croissant_metadata(staging, version=version, files=[_file_dict(f) for f in files if f.config],
                                           name=NAME, description=_summary(), license_url=LICENSE_URL,
                                           citation=citation(version), creator=CREATOR, date_published=released_on)
            (staging / "croissant.json").write_text(json.dumps(croissant, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                                    encoding="utf-8")
            files.append(_describe(staging, "croissant.json", None))
            _write_manifest(staging, version, prints, files)
            publish(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target


def _file_dict(f: OutputFile) -> dict:
    return {"path": f.path, "sha256": f.sha256, "bytes": f.bytes, "rows": f.rows, "config": f.config, "split": f.split}


def _write_manifest(staging: Path, version: str, prints: Fingerprints, files: list[OutputFile]) -> None:
    manifest = {
        "name": NAME,
        "version": version,
        "source_fingerprint": prints.source,
        "code_fingerprint": prints.code,
        "files": [{k: v for k, v in _file_dict(f).items() if v is not None} for f in sorted(files, key=lambda f: f.path)],
        "libraries": library_versions(),
    }
    (staging / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


CREATOR = "NewsSpan maintainers"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"


def _summary() -> str:
    return ("NewsSpan: scraped news pages kept byte-exact, with character-level boilerplate spans, "
            "named-entity mentions and quotations (speaker, cue) as standoff annotations.")


def citation(version: str) -> str:
    return (f"@misc{{newsspan,\n  title = {{NewsSpan: an annotated corpus of scraped news pages}},\n"
            f"  author = {{{{{CREATOR}}}}},\n  year = {{2026}},\n  note = {{Version {version}}}\n}}")
