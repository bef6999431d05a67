"""Layer 2: the annotation file against the JSON Schema, every violation located and explained."""
from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import jsonschema_rs
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from ..incidents import Incident, incident
from ..read import JsonSource, escape_pointer

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schema" / "annotation.schema.json"

_KEYWORD_CODES = {
    "required": "NS201",
    "additionalProperties": "NS202",
    "type": "NS203",
    "enum": "NS204",
    "const": "NS204",
    "pattern": "NS205",
    "minLength": "NS205",
    "maxLength": "NS205",
    "minimum": "NS205",
    "maximum": "NS205",
}


def _strict_integer(checker, instance) -> bool:
    # JSON Schema calls 1.0 an integer and Python calls True one; offsets must be neither.
    return isinstance(instance, int) and not isinstance(instance, bool)


StrictValidator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _strict_integer),
)


@lru_cache(maxsize=1)
def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    schema = load_schema()
    # A registry with only our own schema and no retrieve hook: a $ref never reaches the network.
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return StrictValidator(schema, registry=registry)


@lru_cache(maxsize=1)
def _compiled() -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(load_schema())


# Where the two regex dialects disagree in the direction that matters (compiled says yes, Python
# says no): Python's \s also takes U+001C-U+001F, so `\S` in a pattern refuses them only there.
# In JSON text such characters can only be written as escapes.
_DIALECT_GAP = re.compile(r"\\u001[c-fC-F]")


def _surely_valid(source: JsonSource) -> bool:
    """The compiled validator's yes, on files known to hold no float (it takes 1.0 for an integer)
    and none of the characters its patterns read differently. Its no is not trusted either way:
    the messages come from the full check below."""
    if source.has_float is not False or _DIALECT_GAP.search(source.text):  # None: not recorded
        return False
    try:
        return _compiled().is_valid(source.value)
    except (ValueError, OverflowError, TypeError):
        return False


def check_schema(source: JsonSource) -> list[Incident]:
    if _surely_valid(source):
        return []
    found = [_to_incident(source, err) for err in _leaf_errors(validator().iter_errors(source.value))]
    return sorted(set(found), key=lambda i: (i.line, i.col, i.code, i.message))


def _leaf_errors(errors) -> Iterator[ValidationError]:
    for err in errors:
        if err.context and not _all_type_mismatches(err):
            branch = _branch_of_the_values_type(err)
            yield from _leaf_errors(branch if branch is not None else [best_match(err.context)])
        else:
            yield err


def _branch_of_the_values_type(err: ValidationError) -> list[ValidationError] | None:
    """The errors of the first `oneOf`/`anyOf` branch whose type the value has: a string of the
    wrong form in a "null or slug" field is a wrong slug, not "expected null" (whose hint, `write
    null here`, would throw the value away)."""
    branches: dict[int, list[ValidationError]] = {}
    for sub in err.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    for index in sorted(branches):
        if not any(sub.validator == "type" and not sub.relative_path for sub in branches[index]):
            return branches[index]
    return None


def _all_type_mismatches(err: ValidationError) -> bool:
    """A `oneOf` whose every branch failed on the value's type: report the type, not a branch."""
    return all(sub.validator == "type" and not sub.relative_path for sub in err.context)


def _pointer(path) -> str:
    return "".join(f"/{escape_pointer(p)}" for p in path)


def _to_incident(source: JsonSource, err: ValidationError) -> Incident:
    pointer = _pointer(err.absolute_path)
    handler = _HANDLERS.get(err.validator, _other)
    if err.context and _all_type_mismatches(err):
        handler = _type_alternatives
    code, message, hint, at, key = handler(err, pointer)
    line, col = source.locate(at, key=key)
    return incident(code, source.where, line, col, message, hint)


def _required(err, pointer):
    missing = [name for name in err.validator_value if name not in err.instance]
    name = missing[0] if missing else "?"
    desc = err.schema.get("properties", {}).get(name, {}).get("description", "")
    return "NS201", f"{pointer or '/'} lacks required property {name!r}", f"add \"{name}\": {desc}", pointer, False


def _additional(err, pointer):
    allowed = sorted(err.schema.get("properties", {}))
    extra = sorted(k for k in err.instance if k not in allowed)
    name = extra[0] if extra else "?"
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    hint += f"allowed properties here: {', '.join(allowed)}"
    return "NS202", f"unknown property {name!r} in {pointer or '/'}", hint, f"{pointer}/{escape_pointer(name)}", True


_JSON_TYPE = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object", type(None): "null"}


def _json_type(value) -> str:
    for cls, name in _JSON_TYPE.items():
        if type(value) is cls or (cls is dict and isinstance(value, dict)):
            return name
    return type(value).__name__


def _shown(value, limit: int = 60) -> str:
    """A value as JSON for a message: short, and with characters that do not print escaped."""
    # A stranger's value may hold terminal controls; printed raw they would reach the terminal.
    text = json.dumps(value, ensure_ascii=False)
    text = "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _clipped(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[:limit - 1] + "…"


def _type(err, pointer):
    expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
    return _type_message(err.instance, expected, pointer)


def _type_alternatives(err, pointer):
    expected = [sub.validator_value for sub in err.context]
    return _type_message(err.instance, expected, pointer)


def _type_message(value, expected, pointer):
    got = _json_type(value)
    wanted = " or ".join(expected)
    hint = f"write {wanted} here"
    if "integer" in expected and got in ("number", "boolean"):
        hint = "offsets are whole numbers of code points: write e.g. 12, not 12.0 or true"
    return "NS203", f"{pointer or '/'} is {got} {_shown(value)}, expected {wanted}", hint, pointer, False


def _enum(err, pointer):
    allowed = err.validator_value if err.validator == "enum" else [err.validator_value]
    value = err.instance
    hint = f"use one of: {', '.join(json.dumps(a) for a in allowed)}"
    if isinstance(value, str):
        same_case = [a for a in allowed if isinstance(a, str) and a.lower() == value.lower()]
        close = same_case or difflib.get_close_matches(value, [a for a in allowed if isinstance(a, str)], n=1)
        if close:
            hint = f"did you mean {json.dumps(close[0])}? " + hint
    return "NS204", f"{pointer} is {_shown(value)}, not an allowed value", hint, pointer, False


def _form(err, pointer):
    desc = err.schema.get("description", "")
    if err.validator == "pattern" and isinstance(err.instance, str):
        return "NS205", f"{pointer} is {_shown(err.instance)}, not of the form this field takes", \
            _pattern_hint(err.instance, err.validator_value, desc), pointer, False
    return "NS205", f"{pointer}: {_clipped(err.message)}", desc or "see schema/annotation.schema.json", pointer, False


def _pattern_hint(value: str, pattern: str, desc: str) -> str:
    """The field's description, and the value corrected when an obvious correction fits."""
    hint = desc or "see schema/annotation.schema.json"
    candidates = [value.strip(), re.sub(r"[^a-z0-9]+", "-", value.strip().lower()).strip("-")]
    fitting = next((c for c in candidates if c and c != value and re.search(pattern, c)), None)
    if fitting is not None:
        hint += f" Did you mean {_shown(fitting)}?"
    return hint


def _other(err, pointer):
    desc = err.schema.get("description", "")
    return "NS206", f"{pointer or '/'}: {_clipped(err.message)}", desc or "see schema/annotation.schema.json", pointer, False


_HANDLERS = {
    "required": _required,
    "additionalProperties": _additional,
    "type": _type,
    "enum": _enum,
    "const": _enum,
    "pattern": _form,
    "minLength": _form,
    "maxLength": _form,
    "minimum": _form,
    "maximum": _form,
}
