"""Annotation files as they were at a git revision, read with `git` itself (argument lists, no shell)."""
from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from ..read import ANNOTATION_DIR, MAX_JSON_BYTES, SLUG, parse_json


class GitProblem(Exception):
    """git could not answer: not a repository, an unknown revision, git missing."""


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitProblem("git is not installed (or not on PATH)") from None
    if proc.returncode != 0:
        raise GitProblem(proc.stderr.decode("utf-8", errors="replace").strip() or f"git {args[0]} failed")
    return proc.stdout


def repository_top(cwd: Path) -> Path:
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], cwd).decode("utf-8").strip())
    except GitProblem:
        raise GitProblem(f"{cwd} is not inside a git repository") from None


def commit_of(rev: str, top: Path) -> str:
    # A revision that starts with '-' would be read by git as an option.
    if not rev or rev.startswith("-"):
        raise GitProblem(f"{rev!r} is not a revision")
    try:
        return _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top).decode("ascii").strip()
    except GitProblem:
        raise GitProblem(f"unknown revision {rev!r} (a branch, tag or commit of this repository)") from None


def corpus_in_repository(corpus: str, top: Path) -> str:
    """The corpus folder as a path from the repository's top, the form `git show REV:path` needs."""
    path = Path(corpus)
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(top.resolve())
        except ValueError:
            raise GitProblem(f"{corpus} is not inside the repository {top}") from None
    return PurePosixPath(path.as_posix()).as_posix().strip("/") or "."


def annotations_at(commit: str, corpus: str, top: Path) -> dict[str, dict | str]:
    """doc_id -> the annotation object at `commit`, or a sentence saying why it cannot be read."""
    folder = f"{corpus}/{ANNOTATION_DIR}/"
    # -l: each entry's size, so that a blob over the limit is refused before it is read
    listing = _git(["ls-tree", "-r", "-z", "-l", commit, "--", folder], top)
    found: dict[str, dict | str] = {}
    for size, name in sorted(_entries(listing), key=lambda e: e[1]):
        path = PurePosixPath(name)
        if path.suffix != ".json" or path.parent.as_posix() != folder.rstrip("/"):
            continue
        if not SLUG.fullmatch(path.stem):
            # A name the validator refuses (NS112, NS117) names no document: it is not read.
            found[path.stem] = "not a document name (a document id is a lowercase slug)"
        elif size > MAX_JSON_BYTES:
            found[path.stem] = f"{size} bytes, over the {MAX_JSON_BYTES}-byte limit of an annotation file"
        else:
            found[path.stem] = _parsed(_git(["show", f"{commit}:{name}"], top), f"{commit[:12]}:{name}")
    return found


def _entries(listing: bytes) -> list[tuple[int, str]]:
    """(size, path) of each blob of `git ls-tree -l -z` output ("mode type object size<TAB>path")."""
    entries = []
    for entry in listing.split(b"\0"):
        head, tab, name = entry.partition(b"\t")
        fields = head.split()
        if tab and len(fields) == 4 and fields[1] == b"blob" and fields[3].isdigit():
            entries.append((int(fields[3]), name.decode("utf-8", errors="replace")))
    return entries


def _parsed(data: bytes, where: str) -> dict | str:
    """The annotation object, through the same hardened reader as the working tree's files."""
    if len(data) > MAX_JSON_BYTES:
        return f"{len(data)} bytes, over the {MAX_JSON_BYTES}-byte limit of an annotation file"
    source, problems = parse_json(data, where)
    if problems:
        first = problems[0]
        return f"not valid UTF-8 JSON ({first.code} {first.name} at {first.line}:{first.col}: {first.message})"
    return source.value if isinstance(source.value, dict) else "not an annotation object"


def uncommitted(corpus: str, top: Path) -> list[str]:
    """Annotation files of the corpus changed, added or deleted in the work tree since HEAD."""
    listing = _git(["status", "--porcelain", "-z", "--untracked-files=all", "--", f"{corpus}/{ANNOTATION_DIR}/"], top)
    return sorted(entry[3:].decode("utf-8") for entry in listing.split(b"\0") if len(entry) > 3)
