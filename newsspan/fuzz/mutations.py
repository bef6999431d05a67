"""Mutations of valid documents: some always invalid (for the properties), all for fuzzing."""
from __future__ import annotations

import json
import unicodedata

from hypothesis import strategies as st

from .documents import ANY, Case, Generated, documents, encode, sha256

def _nodes(value, path=()):
    """(path, node) for every JSON node, the root first."""
    yield path, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield from _nodes(child, path + (key,))


def _copy(value):
    return json.loads(json.dumps(value))


def _replace(root, path, new):
    if not path:
        return new
    node = root
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return root


def _spans(annotation: dict):
    """Paths of every span object with offsets."""
    return [path for path, node in _nodes(annotation)
            if isinstance(node, dict) and {"start", "end", "text"} <= node.keys()]


@st.composite
def high_bit_flips(draw, doc: Generated) -> Case:
    """An ASCII byte with its high bit set: never valid UTF-8 where it lands."""
    data = bytearray(encode(doc.annotation))
    ascii_at = [i for i, b in enumerate(data) if b < 0x80]
    at = draw(st.sampled_from(ascii_at))
    data[at] ^= 0x80
    return Case(bytes(data), doc.raw.encode("utf-8"), f"high bit of byte {at} flipped")


@st.composite
def deleted_keys(draw, doc: Generated) -> Case:
    # "notes" is the one optional key a generated document may hold.
    choices = [(path, key) for path, node in _nodes(doc.annotation) if isinstance(node, dict) for key in node if key != "notes"]
    path, key = draw(st.sampled_from(choices))
    annotation = _copy(doc.annotation)
    node = annotation
    for step in path:
        node = node[step]
    del node[key]
    return Case(encode(annotation), doc.raw.encode("utf-8"), f"key {'/'.join(map(str, path + (key,)))} deleted")


def _json_type(value) -> str:
    return "boolean" if isinstance(value, bool) else "object" if isinstance(value, dict) else "array" if isinstance(value, list) \
        else "string" if isinstance(value, str) else "null" if value is None else "number"


@st.composite
def changed_types(draw, doc: Generated) -> Case:
    # No string among the replacements: a string is valid where a null slug may stand.
    path, node = draw(st.sampled_from(list(_nodes(doc.annotation))))
    new = draw(st.sampled_from([v for v in (1.5, True, [], {}) if _json_type(v) != _json_type(node)]))
    annotation = _replace(_copy(doc.annotation), path, new)
    return Case(encode(annotation), doc.raw.encode("utf-8"), f"{'/'.join(map(str, path))} became {json.dumps(new)}")


@st.composite
def shifted_offsets(draw, doc: Generated) -> Case:
    """One offset of one span moved: the span no longer has the length of its text."""
    path = draw(st.sampled_from(_spans(doc.annotation)))
    side = draw(st.sampled_from(["start", "end"]))
    delta = draw(st.integers(-3, 3).filter(bool))
    annotation = _copy(doc.annotation)
    node = annotation
    for step in path:
        node = node[step]
    node[side] += delta
    return Case(encode(annotation), doc.raw.encode("utf-8"), f"{'/'.join(map(str, path))}/{side} shifted by {delta}")


def invalidating(doc: Generated):
    return st.one_of(high_bit_flips(doc), deleted_keys(doc), changed_types(doc), shifted_offsets(doc))


def spanned(doc: Generated) -> bool:
    return bool(_spans(doc.annotation))


# -- mutations for fuzzing, valid or not ----------------------------------------------------------

# Tokens that JSON readers treat differently, or that stress one check or another.
TOKENS = [b"NaN", b"-Infinity", b"1e400", b"-0", b"1" * 5000, b"0.0", b"true", b"null", b"[]", b"{}", b'""',
          b'"\\ud800"', b'"\\udfff\\ud800"', b"[" * 40, b"{" * 40, b",", b":", b"}", b"]", b'"', b"\\",
          b"\xef\xbb\xbf", b"\x00", b"\xff", b"\xc3", b"\r\n", b"\r", b'"start": ', b'"end": ', b'"text": ',
          b'"label": "person"', b'"id": "e1"', b'"entity": "e1"', b"99999999999999999999", b"-1", b"2147483648",
          "\u0301".encode(), "\u200d".encode(), "\u202e".encode(), "\U0001F469".encode(), b'"CON"', b'"../x"']


@st.composite
def byte_edits(draw, doc: Generated) -> Case:
    data = bytearray(encode(doc.annotation))
    steps = []
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "duplicate"]))
        if kind == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=4))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 16))]
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 32))]
        steps.append(f"{kind}@{at}")
    return Case(bytes(data), doc.raw.encode("utf-8"), "bytes: " + " ".join(steps))


# Raw JSON text for a value: spellings json.loads accepts but a strict reader must refuse or survive.
VALUE_TOKENS = [
    b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e400", b"-0", b"0e0", b"1" * 5000, b"1" * 101, b"1.0", b"true",
    b"false", b"null", b"-1", b"2147483648", b"9" * 30, b'"\\ud800"', b'"x\\udc00"', b'"\\ud83d\\ude00"', b'"e\\u0301"',
    b'"\\u200b"', b'"\\u0000"', b'"\\u001b[2J"', b'"\\u009b31m"', b'"\\u2028"', b'"' + b"x" * 100_000 + b'"', b'"CON"',
    b'"../x"', b'"PERSON"', b'"person"', b'"e1"', b'"q1"', b'""', b"[]", b"{}", b"[" * 40 + b"]" * 40, b'{"a": 1, "a": 2}',
]
_MARK = "\u2603fuzz-token\u2603"


@st.composite
def token_values(draw, doc: Generated) -> Case:
    """One value of the document written as a token of VALUE_TOKENS."""
    path, _ = draw(st.sampled_from(list(_nodes(doc.annotation))))
    token = draw(st.sampled_from(VALUE_TOKENS))
    data = encode(_replace(_copy(doc.annotation), path, _MARK)).replace(json.dumps(_MARK, ensure_ascii=False).encode(), token)
    return Case(data, doc.raw.encode("utf-8"), f"{'/'.join(map(str, path))} written as {token[:40]!r}")


def _raw_edit(raw: str, kind: str, at: int, piece: str) -> str:
    if kind == "crlf":
        return raw.replace("\n", "\r\n")
    if kind in ("NFC", "NFD", "NFKC"):
        return unicodedata.normalize(kind, raw)
    if kind == "truncate":
        return raw[:at]
    return raw[:at] + piece + raw[at:]


@st.composite
def raw_edits(draw, doc: Generated) -> Case:
    """The raw file changed; half of the time raw_sha256 follows it, so that offsets are checked."""
    kind = draw(st.sampled_from(["crlf", "NFC", "NFD", "NFKC", "truncate", "insert"]))
    at = draw(st.integers(0, len(doc.raw)))
    piece = draw(st.sampled_from(["\u0301", "\u200b", "\ufeff", "\r", "\U0001F3FD", "\u200d", " ", "x"])
                 | st.text(ANY, min_size=1, max_size=3))
    raw = _raw_edit(doc.raw, kind, at, piece)
    annotation = _copy(doc.annotation)
    rehash = draw(st.booleans())
    if rehash:
        annotation["metadata"]["raw_sha256"] = sha256(raw)
    data = raw.encode("utf-8")
    if draw(st.booleans()) and kind == "insert":
        data = b"\xef\xbb\xbf" + data  # and a byte-order mark
    return Case(encode(annotation), data, f"raw: {kind} at {at}{' (rehashed)' if rehash else ''}")


@st.composite
def fuzz_cases(draw) -> Case:
    doc = draw(documents())
    if draw(st.integers(0, 9)) == 0:
        return Case(encode(doc.annotation), doc.raw.encode("utf-8"), "valid document")
    mutation = st.one_of(byte_edits(doc), token_values(doc), raw_edits(doc), high_bit_flips(doc), deleted_keys(doc),
                         changed_types(doc))
    if spanned(doc):
        mutation = mutation | shifted_offsets(doc)
    return draw(mutation)
