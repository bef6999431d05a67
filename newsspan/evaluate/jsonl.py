"""Read a predictions file: one JSON object with an "id" per line, every problem at path:line:col.

Blank lines are skipped. The file must be UTF-8 without a byte-order mark; a line must be one
JSON object without repeated keys or NaN/Infinity, with a non-empty string "id" given once in
the file. Every problem of the file is reported at once.
"""
from __future__ import annotations

import json
from ..json_errors import json_error_reason
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BOM = b"\xef\xbb\xbf"


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


class _Refused(ValueError):
    """A JSON value that json.loads would accept but a predictions file must not hold."""


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict:
    keys = [k for k, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise _Refused(f"key {key!r} appears twice in one object")
    return dict(pairs)


def _no_constants(token: str):
    raise _Refused(f"{token} is not a JSON number")


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
    if number == 1 and data.startswith(BOM):
        return None, LineError(where, 1, 1, "the file starts with a UTF-8 byte-order mark",
                               "save the file as UTF-8 without BOM")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        col = len(data[:err.start].decode("utf-8", errors="replace")) + 1
        return None, LineError(where, number, col, f"byte 0x{data[err.start]:02x} is not UTF-8",
                               "write the file as UTF-8 (in Python: open(path, 'w', encoding='utf-8'))")
    if not text.strip():
        return None, None
    try:
        return json.loads(text, object_pairs_hook=_no_repeats, parse_constant=_no_constants), None
    except json.JSONDecodeError as err:
        return None, LineError(where, number, err.colno, f"invalid JSON: {json_error_reason(err)}",
                               "each line must be one complete JSON object, e.g. {\"id\": \"...\", \"text\": \"...\"}")
    except _Refused as err:
        return None, LineError(where, number, 1, str(err), "write each key once and only finite numbers")


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
