"""Read a predictions file: one JSON object with an "id" per line, every problem at path:line:col.

Blank lines are skipped. The file must be UTF-8 without a byte-order mark; a line must be one
JSON object without repeated keys or NaN/Infinity, with a non-empty string "id" given once in
the file. Every problem of the file is reported at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..read import MAX_RAW_BYTES, parse_json


@dataclass(frozen=True, slots=True)
class LineError:
    path: str
    line: int
    col: int
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}\n    hint: {self.hint}"


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    id: str
    value: dict[str, Any]


# A line holds one page's prediction: a cleaned text is at most the page (MAX_RAW_BYTES), and
# JSON escapes write a character in at most 12 bytes (a surrogate pair).
MAX_LINE_BYTES = 12 * MAX_RAW_BYTES


def read_records(path: Path, where: str) -> tuple[list[Record], list[LineError]]:
    records: list[Record] = []
    errors: list[LineError] = []
    first_line: dict[str, int] = {}
    for number, data in enumerate(path.read_bytes().split(b"\n"), start=1):
        value, problem = _parse(data, number, where)
        if problem is not None:
            errors.append(problem)
        elif value is not None:
            record, problem = _record(value, number, where, first_line)
            errors += [problem] if problem else []
            records += [record] if record else []
    return records, errors


def _parse(data: bytes, number: int, where: str) -> tuple[Any, LineError | None]:
    """One line through the project's hardened JSON reader (read.parse_json)."""
    if len(data) > MAX_LINE_BYTES:
        return None, LineError(where, number, 1, f"NS110 file-too-large: the line has {len(data)} bytes, "
                               f"the limit is {MAX_LINE_BYTES}", "write one page's prediction per line")
    if not data.strip():
        return None, None
    source, problems = parse_json(data, where)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems on this line)" if len(problems) > 1 else ""
        return None, LineError(where, number, first.col, f"{first.code} {first.name}: {first.message}{more}",
                               first.hint if first.code != "NS107" else
                               "each line must be one complete JSON object, e.g. {\"id\": \"...\", \"text\": \"...\"}")
    return source.value, None


def _record(value: Any, number: int, where: str, first_line: dict[str, int]) -> tuple[Record | None, LineError | None]:
    if not isinstance(value, dict):
        return None, LineError(where, number, 1, f"the line is a JSON {type(value).__name__}, not an object",
                               "write one object per line: {\"id\": \"<doc_id>\", ...}")
    doc_id = value.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        return None, LineError(where, number, 1, "the object has no \"id\" string",
                               "add \"id\": \"<doc_id>\" (the corpus document id)")
    if doc_id in first_line:
        return None, LineError(where, number, 1, f"duplicate id {doc_id!r} (first given on line {first_line[doc_id]})",
                               "give each id one line; remove or merge the repeated line")
    first_line[doc_id] = number
    return Record(number, doc_id, value), None
