"""Dataset versions: which documents a version holds, which versions are released, how one is cut.

Two committed files record the releases. `corpus/released_splits.json` maps every released
document to its split and the version it was first released in; CHANGELOG.md has one dated entry
per version. A version is *released* once a document records it or a later version has a
CHANGELOG entry. The documents of version V are those recorded with a version <= V: a page added
since (a draft, or a reviewed page nobody has cut a version for yet) is left out of every build
until `release` records it. A corpus without released_splits.json has never been released: every
valid document is built.
"""
from __future__ import annotations

import datetime
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .read import read_outside_json

REPO = Path(__file__).resolve().parents[1]
RELEASED = "released_splits.json"
BUMPS = ("patch", "minor", "major")
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)\Z")
_ENTRY = re.compile(r"^## \[?(\d+\.\d+\.\d+)\]? \((\d{4}-\d{2}-\d{2})\)\s*$", re.M)
_PYPROJECT_VERSION = re.compile(r'^(version\s*=\s*")([^"]*)(")', re.M)


class VersionRefused(Exception):
    """A version cannot be built or cut as asked; the message says why and what to do."""


def parse(version: str) -> tuple[int, int, int]:
    match = _VERSION.match(version)
    if not match:
        raise VersionRefused(f"version {version!r} is not MAJOR.MINOR.PATCH (e.g. 0.2.0)")
    return tuple(int(n) for n in match.groups())  # type: ignore[return-value]


def bumped(version: str, bump: str) -> str:
    major, minor, patch = parse(version)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def released_records(corpus: Path) -> dict[str, dict] | None:
    """id -> {"split", "version"} of every released document; None for a corpus never released.
    Validation has checked the file's shape before any build reads it."""
    path = corpus / RELEASED
    if not path.is_file():
        return None
    source, problems = read_outside_json(path)
    if problems or not isinstance(source.value, dict):
        raise VersionRefused(f"{RELEASED} cannot be read: run `python3 build_dataset.py validate` for the details")
    return source.value


def changelog_versions(repo: Path = REPO) -> dict[str, str]:
    """version -> release date, for every dated CHANGELOG.md entry, newest (first in the file) first."""
    path = repo / "CHANGELOG.md"
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError):  # validate reports what it can; an unreadable changelog records nothing
        text = ""
    return {m.group(1): m.group(2) for m in _ENTRY.finditer(text)}


def is_released(version: str, corpus: Path, repo: Path = REPO) -> bool:
    records = released_records(corpus) or {}
    if any(entry.get("version") == version for entry in records.values()):
        return True
    return any(parse(v) > parse(version) for v in changelog_versions(repo))


@dataclass(frozen=True, slots=True)
class Selection:
    """The documents a build of one version holds (None: every one), and the valid ones it leaves out."""
    keep: frozenset[str] | None
    left_out: tuple[str, ...]


def select(documents: Mapping, version: str, corpus: Path, repo: Path = REPO) -> Selection:
    """Which of the valid `documents` (ids) version `version` holds; refuse a version the corpus
    has moved past, and a released document that is missing."""
    records = released_records(corpus)
    if records is None:
        return Selection(None, ())
    want = parse(version)
    later = sorted({e["version"] for e in records.values() if parse(e["version"]) > want}
                   | {v for v in changelog_versions(repo) if parse(v) > want}, key=parse)
    if later:
        raise VersionRefused(
            f"version {version} is older than the corpus (version {later[-1]} is already recorded in "
            f"CHANGELOG.md or corpus/{RELEASED}): a released version is built only from its own commit "
            f"(git checkout of the release), never from a later corpus. Set the version in pyproject.toml back to {later[-1]}")
    keep = {doc_id for doc_id, entry in records.items() if parse(entry["version"]) <= want}
    missing = [doc_id for doc_id in sorted(keep) if doc_id not in documents]  # looked up: a corpus may be on disk
    if missing:
        raise VersionRefused(f"released document {missing[0]!r} is missing or invalid "
                             f"({len(missing)} of {len(keep)} released documents): a released document is never removed; "
                             "restore its files from git and run python3 build_dataset.py validate")
    return Selection(frozenset(keep), tuple(sorted(doc_id for doc_id in documents if doc_id not in keep)))


# -- cutting a version ----------------------------------------------------------------------------

def write_pyproject_version(version: str, repo: Path = REPO) -> None:
    path = repo / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    if tomllib.loads(text)["project"]["version"] == version:
        return
    new, count = _PYPROJECT_VERSION.subn(lambda m: m.group(1) + version + m.group(3), text, count=1)
    if count != 1:
        raise VersionRefused(f"{path.name}: no 'version = \"...\"' line in [project] to rewrite")
    path.write_text(new, encoding="utf-8")


def changelog_stub(version: str, date: str, added: list[str]) -> str:
    lines = [f"## {version} ({date})", ""]
    if added:
        lines.append(f"- Added {len(added)} document{'s' if len(added) != 1 else ''}: " + ", ".join(added) + ".")
    lines.append("- (Replace this line by a sentence on what changed in the data.)")
    return "\n".join(lines) + "\n"


def insert_changelog_entry(entry: str, repo: Path = REPO) -> None:
    """Put the new entry above the newest one (or at the end of a changelog without entries)."""
    path = repo / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Changelog\n"
    first = _ENTRY.search(text)
    if first:
        text = text[:first.start()] + entry + "\n" + text[first.start():]
    else:
        text = text.rstrip("\n") + "\n\n" + entry
    path.write_text(text, encoding="utf-8")


def record_documents(corpus: Path, splits: Mapping[str, str], version: str) -> None:
    """Add the documents of a new version to released_splits.json, in the file's layout (one per line)."""
    records = dict(released_records(corpus) or {})
    for doc_id, split in splits.items():
        records[doc_id] = {"split": split, "version": version}
    lines = [f"  {json.dumps(doc_id)}: {json.dumps(records[doc_id], ensure_ascii=False)}" for doc_id in sorted(records)]
    (corpus / RELEASED).write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


def today() -> str:
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()
