"""`fix` and `fmt` on one file: resolve spans written by text, number id-less items, rewrite canonically.

Both are all-or-nothing per file: a file with any problem is left byte for byte as it was, and the
problems are returned as located incidents. Running either twice changes nothing the second time.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..fmt import format_annotation
from ..incidents import Incident, incident
from ..read import RAW_DIR, JsonSource, read_json, read_raw, relpath
from ..validate.anchoring import iter_spans
from ..validate.schema import check_schema
from .files import AnnotationFile
from .ids import assign_missing
from .resolve import Located, Refused, is_by_text, resolve, search_limit


@dataclass(frozen=True, slots=True)
class Outcome:
    path: Path
    changed: bool = False
    resolved: int = 0
    ids: int = 0
    problems: tuple[Incident, ...] = ()


def format_file(path: Path, write: bool = True) -> Outcome:
    """Rewrite a schema-valid annotation file in the canonical layout (newsspan.fmt)."""
    source, problems = _readable(path)
    if source is None:
        return Outcome(path, problems=tuple(problems))
    return _finish(source, format_annotation(source.value), write)


def fix_file(target: AnnotationFile, write: bool = True) -> Outcome:
    source, problems = _readable(target.path)
    if source is None:
        return Outcome(target.path, problems=tuple(problems))
    raw_text, problems = _raw_for(target, source)
    if raw_text is None:
        return Outcome(target.path, problems=tuple(problems))
    located, refused = _resolve_all(source, raw_text)
    # Spans left unsearched by the search limit are not wrong: the others are written, and the
    # next run searches those (a resolved span needs no search).
    if refused and not (located and all(r.code == "NS312" for r in refused)):
        return Outcome(target.path, problems=tuple(refused))
    for span, found in located:
        _set_offsets(span, found)
    ids = assign_missing(source.value)
    done = _finish(source, format_annotation(source.value), write)
    return Outcome(target.path, done.changed, len(located), ids, tuple(refused))


def _readable(path: Path) -> tuple[JsonSource | None, list[Incident]]:
    """Strict JSON that passes the schema: anything else cannot be rewritten safely."""
    source, problems = read_json(path)
    if source is None:
        return None, problems
    problems = check_schema(source)
    return (None, problems) if problems else (source, [])


def _raw_for(target: AnnotationFile, source: JsonSource) -> tuple[str | None, list[Incident]]:
    raw_path = target.raw()
    if raw_path is None:
        return None, [incident("NS101", source.where, 1, 1, f"no raw file for {target.doc_id!r}",
                               f"add {relpath(target.root / RAW_DIR / target.doc_id)}.txt (python3 build_dataset.py add does it), or fix the file name")]
    raw, problems = read_raw(raw_path)
    if raw is None:
        return None, problems
    expected = source.value["metadata"]["raw_sha256"]
    actual = hashlib.sha256(raw.data).hexdigest()
    if expected != actual:
        # Text search would succeed against the changed file and hide that the other offsets are stale.
        line, col = source.locate("/metadata/raw_sha256")
        return None, [incident("NS301", source.where, line, col, f"raw_sha256 is {expected[:12]}..., the raw file's is {actual[:12]}...",
                               "the raw file changed since annotation: restore it, or re-anchor every span and update raw_sha256")]
    return raw.text, []


def _resolve_all(source: JsonSource, raw: str) -> tuple[list[tuple[dict, Located]], list[Incident]]:
    located, refused = [], []
    with search_limit(raw, len(source.text)):
        for pointer, span in iter_spans(source.value):
            if not is_by_text(span):
                continue
            found = resolve(span, raw)
            if isinstance(found, Refused):
                line, col = source.locate(pointer + "/text")
                refused.append(incident(found.code, source.where, line, col, f"{pointer}: {found.message}", found.hint))
            else:
                located.append((span, found))
    return located, refused


def _set_offsets(span: dict, found: Located) -> None:
    # Rebuilt in place (quotes and speakers hold references to it), offsets first as in every span.
    rest = {k: v for k, v in span.items() if k not in ("start", "end", "text", "occurrence")}
    text = span["text"]
    span.clear()
    span.update(start=found.start, end=found.end, text=text, **rest)


def _finish(source: JsonSource, text: str, write: bool) -> Outcome:
    changed = text != source.text
    if changed and write:
        source.path.write_bytes(text.encode("utf-8"))
    return Outcome(source.path, changed)
