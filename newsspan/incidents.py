"""Problems as values: every error a user can cause is an Incident with a stable code.

The code table here is the single source for the validator, the docs table and the fixtures.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Iterable, Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    name: str
    layer: str
    level: Level
    summary: str


_CODES = [
    # layer 1: files
    Code("NS101", "annotation-without-raw", "files", "error", "An annotation file has no raw file with the same id."),
    Code("NS102", "raw-without-annotation", "files", "error", "A raw file has no annotation file with the same id."),
    Code("NS103", "duplicate-raw", "files", "error", "Two raw files (.txt and .md) share one id."),
    Code("NS104", "bad-file-name", "files", "error", "A file name is not `<slug>.json`, `<slug>.txt` or `<slug>.md`."),
    Code("NS105", "not-utf8", "files", "error", "A file does not decode as UTF-8."),
    Code("NS106", "byte-order-mark", "files", "error", "A file starts with a UTF-8 byte-order mark."),
    Code("NS107", "json-syntax", "files", "error", "An annotation file is not valid JSON."),
    Code("NS108", "json-duplicate-key", "files", "error", "A JSON object has the same key twice."),
    Code("NS109", "json-non-finite", "files", "error", "A JSON number is NaN or Infinity."),
    Code("NS110", "file-too-large", "files", "error", "A file exceeds the size limit."),
    Code("NS111", "empty-raw", "files", "error", "A raw file is empty or whitespace only."),
    Code("NS112", "doc-id-mismatch", "files", "error", "`doc_id` differs from the file name."),
    Code("NS113", "not-a-regular-file", "files", "error", "A corpus file (or its folder) is a symbolic link or not a regular file."),
    Code("NS114", "json-too-deep", "files", "error", "JSON nesting exceeds the depth limit."),
    Code("NS115", "json-lone-surrogate", "files", "error", "A JSON string has an unpaired surrogate escape (`\\ud800`): no character."),
    Code("NS116", "json-number-too-long", "files", "error", "A JSON number has more digits than any offset (limit 100)."),
    Code("NS117", "reserved-name", "files", "error", "A doc id is a device name Windows reserves (`con`, `nul`, `com1`, ...)."),
    Code("NS118", "raw-not-text", "files", "error", "A raw file holds NUL bytes: UTF-16/UTF-32 without a byte-order mark, or not text."),
    Code("NS119", "raw-format-mismatch", "files", "error", "`raw_format` contradicts the raw file's extension (.txt is text, .md is markdown)."),
    Code("NS120", "changed-during-run", "files", "error", "A file changed after its checks passed, before the corpus-wide checks read it again."),
    # layer 2: schema
    Code("NS201", "missing-property", "schema", "error", "A required property is missing."),
    Code("NS202", "unknown-property", "schema", "error", "A property the schema does not define."),
    Code("NS203", "wrong-type", "schema", "error", "A value has the wrong JSON type (e.g. a float or boolean offset)."),
    Code("NS204", "value-not-allowed", "schema", "error", "A value is not one of the allowed values (labels, splits, ...)."),
    Code("NS205", "bad-value-format", "schema", "error", "A string or number is out of its allowed form or range."),
    Code("NS206", "schema-violation", "schema", "error", "Any other schema rule (list sizes, speaker form, ...)."),
    # layer 3: anchoring
    Code("NS301", "raw-hash-mismatch", "anchoring", "error", "`raw_sha256` does not match the raw file: offsets may be stale."),
    Code("NS302", "offset-out-of-range", "anchoring", "error", "A span ends past the end of the raw text."),
    Code("NS303", "empty-or-reversed-span", "anchoring", "error", "A span has `start >= end`."),
    Code("NS304", "text-mismatch", "anchoring", "error", "A span's `text` differs from the raw slice it points at."),
    Code("NS305", "edge-whitespace", "anchoring", "error", "A span starts or ends with whitespace."),
    Code("NS306", "unresolved-span", "anchoring", "error", "A span is written by text and not yet resolved to offsets (run `fix`)."),
    Code("NS307", "ambiguous-span-text", "anchoring", "error", "A span written by text matches several places and does not say which."),
    Code("NS308", "span-text-not-found", "anchoring", "error", "A span written by text has no such occurrence in the raw text."),
    Code("NS309", "missing-id", "anchoring", "error", "A span or quote has no id yet (run `fix`)."),
    Code("NS310", "split-character", "anchoring", "error", "A span starts or ends inside a character (a letter and its combining mark, an emoji sequence)."),
    Code("NS311", "invisible-edge", "anchoring", "error", "A span starts or ends with an invisible format character (zero-width, bidi control)."),
    Code("NS312", "search-limit", "anchoring", "error", "Spans written by text were not searched: the document's text searches reached their limit (run `fix` again)."),
    # layer 4: consistency
    Code("NS401", "duplicate-id", "consistency", "error", "Two spans of a document share an id."),
    Code("NS402", "overlapping-spans", "consistency", "error", "Two spans of one layer overlap."),
    Code("NS403", "unmerged-boilerplate", "consistency", "error", "Same-label boilerplate spans separated only by whitespace."),
    Code("NS404", "dangling-speaker", "consistency", "error", "A quote's speaker refers to an entity id that does not exist."),
    Code("NS405", "speaker-entity-type", "consistency", "error", "A quote's speaker entity is not a PERSON, ORG, NORP or GPE."),
    Code("NS406", "group-split-conflict", "consistency", "error", "Members of one near-duplicate group are in different splits."),
    Code("NS407", "undeclared-near-duplicate", "consistency", "error", "Two documents are near-duplicates but not in one group."),
    Code("NS408", "unknown-guidelines-version", "consistency", "error", "The guidelines version is not defined in GUIDELINES.md."),
    Code("NS409", "segments-out-of-order", "consistency", "error", "A quote's content segments are not in text order."),
    Code("NS410", "split-changed", "consistency", "error", "A released document's split differs from its released split."),
    Code("NS411", "cue-far-from-quote", "consistency", "warning", "A quote's cue is far from its content (likely the wrong occurrence)."),
    Code("NS412", "released-splits-missing", "consistency", "error", "A version is released (CHANGELOG.md) but corpus/released_splits.json is missing, empty or does not record it."),
]

CODES: dict[str, Code] = {c.code: c for c in _CODES}


@dataclass(frozen=True, slots=True)
class Incident:
    code: str
    path: str
    line: int
    col: int
    message: str
    hint: str
    level: Level = "error"

    @property
    def name(self) -> str:
        return CODES[self.code].name


def incident(code: str, path: str, line: int, col: int, message: str, hint: str) -> Incident:
    """Build an incident whose level comes from the code table."""
    return Incident(code, path, line, col, message, hint, CODES[code].level)


def sort_key(inc: Incident) -> tuple:
    return (inc.path, inc.line, inc.col, inc.code, inc.message)


def format_text(incidents: Iterable[Incident]) -> str:
    lines = []
    for inc in incidents:
        lines.append(f"{inc.path}:{inc.line}:{inc.col}: {inc.code} {inc.name}: {inc.message}")
        lines.append(f"    hint: {inc.hint}")
    return "\n".join(lines)


def format_json(incidents: Iterable[Incident]) -> str:
    rows = [dict(asdict(inc), name=inc.name) for inc in incidents]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _gh_escape(value: str, is_property: bool = False) -> str:
    # GitHub workflow commands percent-encode these characters (properties also ':' and ',').
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if is_property:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(incidents: Iterable[Incident]) -> str:
    lines = []
    for inc in incidents:
        props = ",".join([
            f"file={_gh_escape(inc.path, True)}",
            f"line={inc.line}",
            f"col={inc.col}",
            f"title={_gh_escape(inc.code + ' ' + inc.name, True)}",
        ])
        lines.append(f"::{inc.level} {props}::{_gh_escape(inc.message + chr(10) + 'hint: ' + inc.hint)}")
    return "\n".join(lines)


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}
