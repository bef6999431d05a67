"""Stage 1, read: find a corpus's files and decode them without losing a byte or a location."""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import Any, Iterator

from .incidents import Incident, incident, sort_key
from .json_errors import json_error_reason
from .jsonmap import JsonMap
from .scratch import insert, scratch_db

RAW_DIR = "raw"
ANNOTATION_DIR = "annotations"
RAW_SUFFIXES = (".txt", ".md")
# \Z, not $: `$` also matches before a final newline, and "evil\n" is no id.
SLUG = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")
MAX_RAW_BYTES = 5 * 1024 * 1024
MAX_JSON_BYTES = 20 * 1024 * 1024
# A benchmark download (ground truth of every page, published outputs) is larger than one annotation file.
MAX_SOURCE_JSON_BYTES = 256 * 1024 * 1024
MAX_JSON_DEPTH = 32
# An offset has at most a dozen digits; Python refuses to parse integers of more than 4300.
MAX_NUMBER_DIGITS = 100
BOM = b"\xef\xbb\xbf"
# Problems of one JSON text listed at most (the rest are there, not listed).
MAX_LISTED = 100
# Device names that Windows cannot use as a file name, whatever the extension.
RESERVED_IDS = frozenset(["con", "prn", "aux", "nul"] + [f"{dev}{n}" for dev in ("com", "lpt") for n in range(10)])
_SURROGATE = re.compile("[\ud800-\udfff]")


class DocFiles:
    """The pair of files of one document, either of which may be missing.

    The paths are kept as text and made `Path` objects on access: a corpus lists two files per
    document, and a `Path` object costs a few times the memory of its text."""
    __slots__ = ("doc_id", "_annotation", "_raw")

    def __init__(self, doc_id: str, annotation: Path | None, raw: Path | None):
        self.doc_id = doc_id
        self._annotation = None if annotation is None else os.fspath(annotation)
        self._raw = None if raw is None else os.fspath(raw)

    @property
    def annotation(self) -> Path | None:
        return None if self._annotation is None else Path(self._annotation)

    @property
    def raw(self) -> Path | None:
        return None if self._raw is None else Path(self._raw)

    @property
    def complete(self) -> bool:
        """Both files are there (no path object is made to say so)."""
        return self._annotation is not None and self._raw is not None

    @property
    def names(self) -> tuple[str | None, str | None]:
        """The two paths as text (for `os` calls, which take text as well as paths)."""
        return self._annotation, self._raw

    def _key(self) -> tuple:
        return self.doc_id, self._annotation, self._raw

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DocFiles) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"DocFiles({self.doc_id!r}, {self.annotation!r}, {self.raw!r})"


@dataclass(slots=True)
class Discovery:
    docs: list[DocFiles] | _Listing = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)


def relpath(path: Path | str, base: Path | None = None) -> str:
    """A path as users see it: relative to the working directory when below it."""
    # abspath, not resolve(): a symbolic link must be reported under its own name. Text, not
    # `Path` objects: validation names two files per document, 100 µs a document as objects.
    top, full = os.path.abspath(base or os.getcwd()), os.path.abspath(path)
    if full == top:
        return "."
    if full.startswith(top.rstrip(os.sep) + os.sep):
        return printable(full[len(top.rstrip(os.sep)) + 1:])
    if full == path and os.sep == "/":
        return printable(full)  # already absolute and normal: what `Path` would print, without parsing it
    return printable(Path(path).as_posix())


def printable(name: str) -> str:
    """A file name safe to print: undecodable bytes and control characters as escapes."""
    # A name from a stranger's pull request may hold a newline, a terminal escape or a byte
    # that is not UTF-8; printed as is it would forge output lines or crash the writer.
    if name.isprintable():
        return name
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def printable_lines(text: str) -> str:
    """Several lines of output (a Markdown report) safe to print: line breaks kept, every other
    control character escaped (a span text or a file name of a stranger's revision may hold one)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def discover(root: Path, spill: str | None = None) -> Discovery:
    """Pair `annotations/<id>.json` with `raw/<id>.<txt|md>` below a corpus root.

    The names are sorted by SQLite, not in lists: with `spill` (a scratch folder) on disk, and
    `docs` is then a listing read back from there on each pass, so a corpus of any size is listed
    in constant memory; without it, in memory, and `docs` is a list."""
    found = Discovery()
    names = _Names(os.path.join(spill, "listing.sqlite") if spill else ":memory:")
    ann_dir, raw_dir = root / ANNOTATION_DIR, root / RAW_DIR
    names.add(_named(ann_dir, found, 0, lambda stem, suffix: suffix == ".json", "`<doc_id>.json`"))
    names.add(_named(raw_dir, found, 1, lambda stem, suffix: suffix in RAW_SUFFIXES, "`<doc_id>.txt` or `<doc_id>.md`"))
    linked = {name for name in (ANNOTATION_DIR, RAW_DIR) if (root / name).is_symlink()}
    listing = _Listing(names, os.fspath(ann_dir), os.fspath(raw_dir))
    listing.count = names.pair(_paired(names.by_id(), listing, found, root, linked))
    found.docs = listing if spill else list(listing)
    found.incidents.sort(key=sort_key)  # folders list their names in no fixed order
    return found


def _paired(named: Iterator[tuple[str, str | None, list[str]]], listing: _Listing, found: Discovery, root: Path,
            linked: set[str]) -> Iterator[tuple[str, str | None, str | None]]:
    """(doc id, annotation name, raw name) of each document; incidents for ids reserved, raw files
    doubled and partners missing."""
    ann_dir, raw_dir = root / ANNOTATION_DIR, root / RAW_DIR
    for doc_id, annotation, raws in named:
        if doc_id in RESERVED_IDS:
            named_files = [ann_dir / annotation] if annotation else []
            found.incidents.extend(_reserved(p) for p in named_files + [raw_dir / n for n in raws])
            continue
        if len(raws) > 1:
            found.incidents.append(incident("NS103", relpath(raw_dir / raws[1]), 1, 1, f"one id has several raw files: {', '.join(raws)}",
                                            "keep the one file that holds the page bytes (.md only when it has markdown syntax)"))
        if not linked and (annotation is None or not raws):  # a partner in a refused (linked) folder is unknown, not missing
            found.incidents.extend(_pairing(listing.doc_files(doc_id, annotation, raws[0] if raws else None), root))
        yield doc_id, annotation, raws[0] if raws else None


class _Names:
    """File names sorted by SQLite: (doc id, folder, name) rows, read back grouped by id."""

    def __init__(self, path: str):
        self._db = scratch_db(path)
        self._db.execute("CREATE TABLE names (doc_id TEXT NOT NULL, folder INTEGER NOT NULL, name TEXT NOT NULL)")
        self._db.execute("CREATE TABLE docs (doc_id TEXT NOT NULL, annotation TEXT, raw TEXT)")

    def add(self, rows: Iterator[tuple[str, int, str]]) -> None:
        insert(self._db, "INSERT INTO names VALUES (?, ?, ?)", rows)

    def pair(self, docs: Iterator[tuple[str, str | None, str | None]]) -> int:
        """Keep the documents' (id, annotation name, raw name) in order; how many there are."""
        return insert(self._db, "INSERT INTO docs VALUES (?, ?, ?)", docs)

    def docs(self) -> Iterator[tuple[str, str | None, str | None]]:
        return self._db.execute("SELECT doc_id, annotation, raw FROM docs ORDER BY rowid")

    def by_id(self) -> Iterator[tuple[str, str | None, list[str]]]:
        """(doc id, its annotation file name or None, its raw file names), ids in sorted order."""
        # Grouped by SQLite, one row per id ("/" is in no file name, so it joins the raw names).
        rows = self._db.execute("SELECT doc_id, max(CASE WHEN folder = 0 THEN name END),"
                                " group_concat(CASE WHEN folder = 1 THEN name END, '/') FROM names GROUP BY doc_id ORDER BY doc_id")
        for doc_id, annotation, raws in rows:
            yield doc_id, annotation, [] if raws is None else sorted(raws.split("/")) if "/" in raws else [raws]


class _Listing:
    """The documents of a discovery, read back in id order on each pass."""

    def __init__(self, names: _Names, ann_dir: str, raw_dir: str):
        self.names, self.count = names, 0
        self.ann_dir, self.raw_dir = os.path.join(ann_dir, ""), os.path.join(raw_dir, "")  # with the separator

    def doc_files(self, doc_id: str, annotation: str | None, raw: str | None) -> DocFiles:
        # File names stay text until a document's files are opened.
        return DocFiles(doc_id, None if annotation is None else self.ann_dir + annotation,
                        None if raw is None else self.raw_dir + raw)

    def __iter__(self) -> Iterator[DocFiles]:
        for doc_id, annotation, raw in self.names.docs():
            yield self.doc_files(doc_id, annotation, raw)

    def __len__(self) -> int:
        return self.count


def _named(folder: Path, found: Discovery, kind: int, expected, name_hint: str) -> Iterator[tuple[str, int, str]]:
    """(doc id, kind, name) of each well-named file of a folder; an incident for each other one."""
    for name in _listing(folder, found):
        stem, suffix = os.path.splitext(name)
        if expected(stem, suffix) and SLUG.match(stem):
            yield stem, kind, name
        else:
            found.incidents.append(_bad_name(folder / name, name_hint))


def _listing(folder: Path, found: Discovery) -> Iterator[str]:
    """The names in a folder, hidden ones left out, in the order the folder lists them."""
    if folder.is_symlink():
        found.incidents.append(incident("NS113", relpath(folder), 1, 1, f"the {folder.name}/ folder is a symbolic link",
                                        f"make {folder.name}/ a real folder inside the corpus; a link may point anywhere"))
        return
    if not folder.is_dir():
        return
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.startswith("."):
                yield entry.name


def _reserved(path: Path) -> Incident:
    return incident("NS117", relpath(path), 1, 1,
                    f"{path.stem!r} is a device name on Windows: {path.name} cannot be checked out there",
                    "choose another id (publisher and story words, e.g. `<publisher>-<story>`) for both files")


def _bad_name(path: Path, expected: str) -> Incident:
    return incident("NS104", relpath(path), 1, 1, f"unexpected file name {path.name!r}",
                    f"name it {expected} where the id is lowercase words of a-z and 0-9 joined by '-'")


def _pairing(doc: DocFiles, root: Path) -> list[Incident]:
    if doc.raw is None and doc.annotation is not None:
        return [incident("NS101", relpath(doc.annotation), 1, 1, f"no raw file for {doc.doc_id!r}",
                         f"add {relpath(root / RAW_DIR / doc.doc_id)}.txt (or .md) with the page bytes, or remove this file")]
    if doc.annotation is None and doc.raw is not None:
        return [incident("NS102", relpath(doc.raw), 1, 1, f"no annotation file for {doc.doc_id!r}",
                         f"add {ANNOTATION_DIR}/{doc.doc_id}.json (see corpus/GUIDELINES.md), or remove this file")]
    return []


# -- raw files ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RawText:
    data: bytes
    text: str


def read_raw(path: Path, data: bytes | None = None) -> tuple[RawText | None, list[Incident]]:
    """Decode a raw file exactly as stored: strict UTF-8, no normalisation, no newline changes.
    `data`: the file's bytes, when the caller read them already (they are judged as its content)."""
    where = relpath(path)
    problem = _regular_file_problem(path, MAX_RAW_BYTES, None if data is None else len(data))
    if problem:
        return None, [problem]
    data = path.read_bytes() if data is None else data
    if data.startswith(BOM):
        return None, [incident("NS106", where, 1, 1, "raw file starts with a UTF-8 byte-order mark (U+FEFF)",
                               "save the file without BOM; the mark would shift every offset by one")]
    wide = not_text_problem(data, where)
    if wide:
        return None, [wide]
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


_WIDE_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


def not_text_problem(data: bytes, where: str) -> Incident | None:
    """A page in UTF-16/UTF-32 (with or without its byte-order mark) or with NUL bytes.

    UTF-8 decodes a UTF-16 page of ASCII letters without complaint (a NUL after every letter), and
    a NUL is no character of a scraped page; either way the offsets would count garbage."""
    first_nul = data.find(b"\0")
    mark = next((name for bom, name in _WIDE_BOMS.items() if data.startswith(bom)), None)
    if first_nul < 0 and mark is None:
        return None
    if mark is None:
        head = data[:4096]
        share = head.count(b"\0") / max(1, len(head))
        mark = "UTF-32" if share > 0.6 else "UTF-16" if share > 0.3 else None
    line, col = (1, 1) if mark else byte_location(data, first_nul)
    what = (f"the file looks like {mark} (a NUL byte beside every letter), not UTF-8" if mark
            else f"NUL byte (0x00) at byte {first_nul}: a raw page is text")
    return incident("NS118", where, line, col, what,
                    "re-save the page as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`); a page never holds NUL characters")


def _regular_file_problem(path: Path, limit: int, size: int | None = None) -> Incident | None:
    where = relpath(path)
    if path.is_symlink() or not path.is_file():
        return incident("NS113", where, 1, 1, "not a regular file (symbolic link or special file)",
                        "replace it by a regular file with the content; links may point outside the corpus")
    size = path.stat().st_size if size is None else size
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

    def __init__(self, path: Path | None, text: str, value: Any, has_float: bool | None = None,
                 where: str | None = None):
        self.path = path
        self.where = where if where is not None else relpath(path)
        self.text = text
        self.value = value
        # Whether the value as parsed holds a float; None when whoever parsed it did not record it.
        self.has_float = has_float

    @cached_property
    def _map(self) -> JsonMap | None:
        # Only built when a problem must be located: most files never need it.
        try:
            return JsonMap(self.text)
        except (ValueError, IndexError):
            # Locations are a courtesy: a map that cannot be built leaves every problem at 1:1.
            return None

    def locate(self, pointer: str, key: bool = False) -> tuple[int, int]:
        """1-based line:col of the value (or key) at `pointer`, else of its nearest ancestor."""
        found = self._map
        if found is None:
            return 1, 1
        while True:
            at = found.keys.get(pointer) if key else None
            at = found.values.get(pointer) if at is None else at
            if at is not None:
                return found.line_col(at)
            if not pointer:
                return 1, 1
            pointer = pointer.rsplit("/", 1)[0]


class _Pairs(dict):
    """A JSON object that remembers keys given twice (the standard library keeps the last)."""
    duplicates: list[str]


class _NonFinite:
    """NaN, Infinity, or a number too large for a float (1e400 would silently read as infinity)."""
    def __init__(self, token: str):
        self.token = token


class _LongNumber:
    """An integer with more digits than MAX_NUMBER_DIGITS, kept unparsed."""
    def __init__(self, token: str):
        self.token = token


def _parse_float(token: str) -> float | _NonFinite:
    value = float(token)
    return value if math.isfinite(value) else _NonFinite(token)


def _parse_int(token: str) -> int | _LongNumber:
    return int(token) if len(token.lstrip("-")) <= MAX_NUMBER_DIGITS else _LongNumber(token)


def _pairs_hook(pairs: list[tuple[str, Any]]) -> _Pairs:
    obj = _Pairs(pairs)
    seen: set[str] = set()
    obj.duplicates = [k for k, _ in pairs if k in seen or seen.add(k)]
    return obj


def read_json(path: Path, data: bytes | None = None) -> tuple[JsonSource | None, list[Incident]]:
    """Parse an annotation file, refusing what `json.loads` would silently accept. `data`: the
    file's bytes, when the caller read them already (they are judged as its content)."""
    problem = _regular_file_problem(path, MAX_JSON_BYTES, None if data is None else len(data))
    if problem:
        return None, [problem]
    return parse_json(path.read_bytes() if data is None else data, relpath(path), path)


def read_outside_json(path: Path, limit: int = MAX_JSON_BYTES) -> tuple[JsonSource | None, list[Incident]]:
    """Any JSON file a user hands a command (an export, a manifest, an agreement file, a registry):
    the same checks and located errors as an annotation file. Links are followed (the user named
    the file); a folder, a missing file or one past `limit` bytes is refused without reading it."""
    where = relpath(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IsADirectoryError
        if size > limit:
            return None, [incident("NS110", where, 1, 1, f"file has {size} bytes, the limit is {limit}",
                                   "this is not a file the command reads; pass the right file")]
        data = path.read_bytes()
    except OSError:
        return None, [incident("NS113", where, 1, 1, "not a readable regular file",
                               "pass the path of an existing JSON file")]
    return parse_json(data, where, path)


def parse_json(data: bytes, where: str, path: Path | None = None) -> tuple[JsonSource | None, list[Incident]]:
    """The hardened JSON reader every outside JSON goes through: UTF-8 without BOM, no repeated
    key, no NaN/Infinity, numbers of at most MAX_NUMBER_DIGITS digits, no lone surrogate, at most
    MAX_JSON_DEPTH levels; never an exception, every problem an incident located in `where`.
    Linear in the size of `data` (the caller bounds the size)."""
    if data.startswith(BOM):
        return None, [incident("NS106", where, 1, 1, "the JSON text starts with a UTF-8 byte-order mark",
                               "save the file as UTF-8 without BOM")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, col = byte_location(data, err.start)
        return None, [incident("NS105", where, line, col, f"byte 0x{data[err.start]:02x} is not UTF-8",
                               "save the file as UTF-8; write non-ASCII characters as they are or as \\uXXXX escapes")]
    source = _read_clean(path, data, text, where)
    if source is not None:
        return source, []
    return _read_strict(path, text, where)


def _read_strict(path: Path | None, text: str, where: str | None = None) -> tuple[JsonSource | None, list[Incident]]:
    """Every node checked and every problem located: the reference for what a file gets."""
    where = relpath(path) if where is None else where
    try:
        value = json.loads(text, object_pairs_hook=_pairs_hook, parse_constant=_NonFinite,
                           parse_float=_parse_float, parse_int=_parse_int)
    except json.JSONDecodeError as err:
        return None, [incident("NS107", where, err.lineno, err.colno, f"invalid JSON: {json_error_reason(err)}",
                               "fix the syntax at this position (a missing comma, quote or bracket is the usual cause)")]
    except (RecursionError, MemoryError):
        return None, [_too_deep(where)]
    except ValueError as err:  # json.loads found something its own checks refuse (never seen: a safety net)
        return None, [incident("NS107", where, 1, 1, f"invalid JSON: {_clip(str(err), 80)}",
                               "fix the syntax at this position")]
    source = JsonSource(path, text, value, where=where)
    if _depth(value) > MAX_JSON_DEPTH:
        return None, [_too_deep(where)]
    found = list(islice(_strict_json_problems(source), MAX_LISTED + 1))
    if len(found) > MAX_LISTED:
        # A file of 100,000 repeated keys gets a readable report, and its cost stays linear.
        last = found[MAX_LISTED]
        found[MAX_LISTED] = incident(last.code, last.path, last.line, last.col,
                                     f"{last.message} (only the first {MAX_LISTED + 1} problems of the file are listed)", last.hint)
    return (None if found else source), found


# The quick read: most files are clean, and proving it needs no walk over their nodes. Each
# test below can only say "maybe": then the strict read runs and decides, with its own messages.

class _Unclear(Exception):
    """The quick read met something that only the strict read may judge."""


class _QuickNumbers:
    """Float parsing that remembers whether the file holds a float at all."""
    __slots__ = ("seen",)

    def __init__(self):
        self.seen = False

    def parse_float(self, token: str) -> float:
        value = float(token)
        if not math.isfinite(value):
            raise _Unclear
        self.seen = True
        return value


def _plain_object(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):  # a key given twice
        raise _Unclear
    return obj


def _unclear_constant(token: str):
    raise _Unclear


# Decoded UTF-8 holds no surrogate: one can only come from an escape (a valid pair matches too).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'[]{}"')))
_INNERMOST = re.compile(rb"\[\]|\{\}")


def _read_clean(path: Path | None, data: bytes, text: str, where: str | None = None) -> JsonSource | None:
    """The file parsed, when it holds nothing the strict read would report; else None."""
    # An integer over the limit shows as a run of that many digits (json.loads alone would refuse
    # one past 4300 digits); a run inside a string only costs a strict read.
    if _SURROGATE_ESCAPE.search(data) or b"0" * (MAX_NUMBER_DIGITS + 1) in data.translate(_DIGITS_AS_ZERO):
        return None
    numbers = _QuickNumbers()
    try:
        value = json.loads(text, object_pairs_hook=_plain_object, parse_constant=_unclear_constant,
                           parse_float=numbers.parse_float)
    except (_Unclear, ValueError, RecursionError):  # ValueError holds JSONDecodeError
        return None
    # The strict read puts a value inside n containers at depth n + 1: no file nests deeper.
    if _nesting(data) + 1 > MAX_JSON_DEPTH:
        return None
    return JsonSource(path, text, value, has_float=numbers.seen, where=where)


def _nesting(data: bytes) -> int:
    """How many arrays and objects deep valid JSON nests (counting stops past MAX_JSON_DEPTH)."""
    # Without its escapes, each quote opens or closes a string. Only quotes and brackets are kept;
    # then "" pairs go cheaply (removing two adjacent quotes keeps the parity of the others), and
    # the strings left, those holding brackets, go by splitting at quotes.
    marks = _ESCAPE.sub(b"", data).translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    brackets = b"".join(marks.split(b'"')[::2]) if b'"' in marks else marks
    levels = 0
    while brackets and levels <= MAX_JSON_DEPTH:
        brackets = _INNERMOST.sub(b"", brackets)  # each pass empties the innermost pairs
        levels += 1
    return levels


def _too_deep(where: str) -> Incident:
    return incident("NS114", where, 1, 1, f"JSON nesting is deeper than {MAX_JSON_DEPTH} levels",
                    "the files NewsSpan reads are shallow; this is not such a file")


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
            yield from _surrogate_keys(source, pointer, node)
        elif isinstance(node, _NonFinite):
            line, col = source.locate(pointer)
            spelled = node.token.lstrip("-") in ("NaN", "Infinity")
            what = "is not a JSON number" if spelled else "is too large: it reads as infinity"
            yield incident("NS109", source.where, line, col, f"{_clip(node.token)} {what}",
                           "use a finite integer (offsets count code points from 0)")
        elif isinstance(node, _LongNumber):
            line, col = source.locate(pointer)
            digits = len(node.token.lstrip("-"))
            yield incident("NS116", source.where, line, col, f"a number with {digits} digits ({_clip(node.token)})",
                           f"numbers here are offsets of at most {MAX_NUMBER_DIGITS} digits: write the code-point offset")
        elif isinstance(node, str) and _SURROGATE.search(node):
            line, col = source.locate(pointer)
            yield _surrogate(source.where, line, col, f"the string at {pointer or '/'}", node)


def _surrogate_keys(source: JsonSource, pointer: str, obj: dict):
    for key in obj:
        if _SURROGATE.search(key):
            line, col = source.locate(f"{pointer}/{escape_pointer(key)}", key=True)
            yield _surrogate(source.where, line, col, f"a key of the object at {pointer or '/'}", key)


def _surrogate(where: str, line: int, col: int, what: str, value: str) -> Incident:
    # A lone surrogate is half of a UTF-16 pair: no character, and not writable as UTF-8.
    code_point = ord(_SURROGATE.search(value).group())
    return incident("NS115", where, line, col, f"{what} has the escape \\u{code_point:04x}, half of a UTF-16 surrogate pair",
                    "write the character itself, or both halves of its pair (e.g. \\ud83d\\ude00 for an emoji); "
                    "copy text from the raw file")


def _clip(token: str, limit: int = 24) -> str:
    return token if len(token) <= limit else token[:limit] + "..."


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
