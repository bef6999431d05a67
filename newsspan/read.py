"""Stage 1, read: find a corpus's files and decode them without losing a byte or a location."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from json_source_map import calculate as source_map

from .incidents import Incident, incident

RAW_DIR = "raw"
ANNOTATION_DIR = "annotations"
RAW_SUFFIXES = (".txt", ".md")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_RAW_BYTES = 5 * 1024 * 1024
MAX_JSON_BYTES = 20 * 1024 * 1024
MAX_JSON_DEPTH = 32
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class DocFiles:
    """The pair of files of one document, either of which may be missing."""
    doc_id: str
    annotation: Path | None
    raw: Path | None


@dataclass(slots=True)
class Discovery:
    docs: list[DocFiles] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)


def relpath(path: Path, base: Path | None = None) -> str:
    """A path as users see it: relative to the working directory when below it."""
    # abspath, not resolve(): a symbolic link must be reported under its own name.
    base = Path(os.path.abspath(base or Path.cwd()))
    try:
        return Path(os.path.abspath(path)).relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def discover(root: Path) -> Discovery:
    """Pair `annotations/<id>.json` with `raw/<id>.<txt|md>` below a corpus root."""
    found = Discovery()
    annotations: dict[str, Path] = {}
    raws: dict[str, list[Path]] = {}
    for path in _listing(root / ANNOTATION_DIR):
        if path.suffix == ".json" and SLUG.match(path.stem):
            annotations[path.stem] = path
        else:
            found.incidents.append(_bad_name(path, "`<doc_id>.json`"))
    for path in _listing(root / RAW_DIR):
        if path.suffix in RAW_SUFFIXES and SLUG.match(path.stem):
            raws.setdefault(path.stem, []).append(path)
        else:
            found.incidents.append(_bad_name(path, "`<doc_id>.txt` or `<doc_id>.md`"))
    for doc_id in sorted(set(annotations) | set(raws)):
        found.docs.append(DocFiles(doc_id, annotations.get(doc_id), _one_raw(raws.get(doc_id, []), found)))
    for doc in found.docs:
        found.incidents.extend(_pairing(doc, root))
    return found


def _listing(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _bad_name(path: Path, expected: str) -> Incident:
    return incident("NS104", relpath(path), 1, 1, f"unexpected file name {path.name!r}",
                    f"name it {expected} where the id is lowercase words of a-z and 0-9 joined by '-'")


def _one_raw(paths: list[Path], found: Discovery) -> Path | None:
    if len(paths) > 1:
        names = ", ".join(p.name for p in paths)
        found.incidents.append(incident("NS103", relpath(paths[1]), 1, 1, f"one id has several raw files: {names}",
                                        "keep the one file that holds the page bytes (.md only when it has markdown syntax)"))
    return paths[0] if paths else None


def _pairing(doc: DocFiles, root: Path) -> list[Incident]:
    if doc.raw is None and doc.annotation is not None:
        return [incident("NS101", relpath(doc.annotation), 1, 1, f"no raw file for {doc.doc_id!r}",
                         f"add {RAW_DIR}/{doc.doc_id}.txt (or .md) with the page bytes, or remove this file")]
    if doc.annotation is None and doc.raw is not None:
        return [incident("NS102", relpath(doc.raw), 1, 1, f"no annotation file for {doc.doc_id!r}",
                         f"add {ANNOTATION_DIR}/{doc.doc_id}.json (see corpus/GUIDELINES.md), or remove this file")]
    return []


# -- raw files ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RawText:
    data: bytes
    text: str


def read_raw(path: Path) -> tuple[RawText | None, list[Incident]]:
    """Decode a raw file exactly as stored: strict UTF-8, no normalisation, no newline changes."""
    where = relpath(path)
    problem = _regular_file_problem(path, MAX_RAW_BYTES)
    if problem:
        return None, [problem]
    data = path.read_bytes()
    if data.startswith(BOM):
        return None, [incident("NS106", where, 1, 1, "raw file starts with a UTF-8 byte-order mark (U+FEFF)",
                               "save the file without BOM; the mark would shift every offset by one")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, col = byte_location(data, err.start)
        return None, [incident("NS105", where, line, col, f"byte 0x{data[err.start]:02x} at byte {err.start} is not UTF-8",
                               "re-save the page as UTF-8 from its original encoding; do not paste replacement characters")]
    if not text.strip():
        return None, [incident("NS111", where, 1, 1, "raw file is empty or whitespace only",
                               "put the scraped page text in the file, or remove the document")]
    return RawText(data, text), []


def _regular_file_problem(path: Path, limit: int) -> Incident | None:
    where = relpath(path)
    if path.is_symlink() or not path.is_file():
        return incident("NS113", where, 1, 1, "not a regular file (symbolic link or special file)",
                        "replace it by a regular file with the content; links may point outside the corpus")
    size = path.stat().st_size
    if size > limit:
        return incident("NS110", where, 1, 1, f"file has {size} bytes, the limit is {limit}",
                        "split the page or ask maintainers to raise the limit")
    return None


def byte_location(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and code-point column of a byte offset (undecodable bytes count as one)."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, col


def text_location(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a code-point offset."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


# -- annotation files ------------------------------------------------------------------

class JsonSource:
    """A parsed JSON file that can say where any JSON pointer stands in its text."""

    def __init__(self, path: Path, text: str, value: Any):
        self.path = path
        self.where = relpath(path)
        self.text = text
        self.value = value

    @cached_property
    def _map(self) -> dict:
        # Only built when a problem must be located: most files never need it.
        return source_map(self.text)

    def locate(self, pointer: str, key: bool = False) -> tuple[int, int]:
        """1-based line:col of the value (or key) at `pointer`, else of its nearest ancestor."""
        while True:
            entry = self._map.get(pointer)
            if entry is not None:
                spot = entry.key_start if key and entry.key_start is not None else entry.value_start
                return spot.line + 1, spot.column + 1
            if not pointer:
                return 1, 1
            pointer = pointer.rsplit("/", 1)[0]


class _Pairs(dict):
    """A JSON object that remembers keys given twice (the standard library keeps the last)."""
    duplicates: list[str]


class _NonFinite:
    def __init__(self, token: str):
        self.token = token


def _pairs_hook(pairs: list[tuple[str, Any]]) -> _Pairs:
    obj = _Pairs(pairs)
    seen: set[str] = set()
    obj.duplicates = [k for k, _ in pairs if k in seen or seen.add(k)]
    return obj


def read_json(path: Path) -> tuple[JsonSource | None, list[Incident]]:
    """Parse an annotation file, refusing what `json.loads` would silently accept."""
    where = relpath(path)
    problem = _regular_file_problem(path, MAX_JSON_BYTES)
    if problem:
        return None, [problem]
    data = path.read_bytes()
    if data.startswith(BOM):
        return None, [incident("NS106", where, 1, 1, "annotation file starts with a UTF-8 byte-order mark",
                               "save the file as UTF-8 without BOM")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, col = byte_location(data, err.start)
        return None, [incident("NS105", where, line, col, f"byte 0x{data[err.start]:02x} is not UTF-8",
                               "save the file as UTF-8; write non-ASCII characters as they are or as \\uXXXX escapes")]
    try:
        value = json.loads(text, object_pairs_hook=_pairs_hook, parse_constant=_NonFinite)
    except json.JSONDecodeError as err:
        return None, [incident("NS107", where, err.lineno, err.colno, f"invalid JSON: {err.msg}",
                               "fix the syntax at this position (a missing comma, quote or bracket is the usual cause)")]
    except RecursionError:
        return None, [_too_deep(where)]
    source = JsonSource(path, text, value)
    if _depth(value) > MAX_JSON_DEPTH:
        return None, [_too_deep(where)]
    found = list(_strict_json_problems(source))
    return (None if found else source), found


def _too_deep(where: str) -> Incident:
    return incident("NS114", where, 1, 1, f"JSON nesting is deeper than {MAX_JSON_DEPTH} levels",
                    "annotation files are shallow; this file is not an annotation file")


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


def _strict_json_problems(source: JsonSource):
    for pointer, node in walk(source.value):
        if isinstance(node, _Pairs):
            for key in node.duplicates:
                line, col = source.locate(f"{pointer}/{escape_pointer(key)}", key=True)
                yield incident("NS108", source.where, line, col, f"key {key!r} appears twice in the object at {pointer or '/'}",
                               "keep one of the two entries; JSON readers disagree on which one wins")
        elif isinstance(node, _NonFinite):
            line, col = source.locate(pointer)
            yield incident("NS109", source.where, line, col, f"{node.token} is not a JSON number",
                           "use a finite integer (offsets count code points from 0)")


def walk(value: Any, pointer: str = ""):
    """Yield (json_pointer, node) for every node, depth first."""
    stack = [(pointer, value)]
    while stack:
        here, node = stack.pop()
        yield here, node
        if isinstance(node, dict):
            stack.extend((f"{here}/{escape_pointer(k)}", v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{here}/{i}", v) for i, v in enumerate(node))


def escape_pointer(token: str) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")
