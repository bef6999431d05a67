"""The quick read of annotation files: it accepts only files the strict read accepts, and hands
every other file to the strict read, so that each file gets exactly the incidents it always got."""
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsspan import read
from newsspan.validate.schema import check_schema

from conftest import CORPUS

DIGITS_101 = "1" * 101


def _write(folder: Path, text: str, name: str = "doc.json") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _strict(path: Path):
    return read._read_strict(path, path.read_bytes().decode("utf-8"))


def _located(incidents) -> list[tuple[str, int, int]]:
    return [(i.code, i.line, i.col) for i in incidents]


# Each text and the incident the guidelines call for, located by hand (line, column from 1).
HOSTILE = {
    "duplicate key": ('{\n  "a": 1,\n  "a": 2\n}', [("NS108", 3, 3)]),
    "NaN": ('{"a": NaN}', [("NS109", 1, 7)]),
    "-Infinity": ('{"a": -Infinity}', [("NS109", 1, 7)]),
    "1e400": ('{"a": [1, 1e400]}', [("NS109", 1, 11)]),
    "101-digit integer": ('{"a": ' + DIGITS_101 + '}', [("NS116", 1, 7)]),
    "negative 101-digit integer": ('[-' + DIGITS_101 + ']', [("NS116", 1, 2)]),
    "5000-digit integer": ('{"a": ' + "9" * 5000 + '}', [("NS116", 1, 7)]),
    "lone surrogate in a key": ('{"\\ud800x": 1}', [("NS115", 1, 2)]),
    "lone surrogate in a value": ('{"a": "x\\udc00"}', [("NS115", 1, 7)]),
    "lone surrogate, upper-case escape": ('{"a": ["\\uDBFF"]}', [("NS115", 1, 8)]),
    "depth 33": ("[" * 32 + "0" + "]" * 32, [("NS114", 1, 1)]),
    "depth 33, empty innermost": ("[" * 33 + "]" * 33, [("NS114", 1, 1)]),
    "depth 33, closing brackets in strings": ("[" * 32 + '"]]]}}}"' + "]" * 32, [("NS114", 1, 1)]),
    "syntax error": ('{"a": 1,}', [("NS107", 1, 9)]),
}

# Texts the strict read accepts, some of which look suspicious to the quick read.
CLEAN = {
    "escaped surrogate pair": ('{"a": "\\ud83d\\ude00"}', {"a": "\U0001F600"}),
    "100-digit integer": ('[' + "1" * 100 + ']', [int("1" * 100)]),
    "102 digits in a string": ('{"a": "' + "7" * 102 + '"}', {"a": "7" * 102}),
    "depth 32": ("[" * 31 + "0" + "]" * 31, json.loads("[" * 31 + "0" + "]" * 31)),
    "depth 32, empty innermost": ("[" * 32 + "]" * 32, json.loads("[" * 32 + "]" * 32)),
    "a key twice in two objects": ('[{"a": 1}, {"a": 2}]', [{"a": 1}, {"a": 2}]),
    "NaN inside a string": ('{"a": "NaN"}', {"a": "NaN"}),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_gets_the_strict_reads_incidents(tmp_path, name):
    text, expected = HOSTILE[name]
    path = _write(tmp_path, text)
    source, incidents = read.read_json(path)
    strict_source, strict_incidents = _strict(path)
    assert source is None and strict_source is None
    assert _located(incidents) == expected
    assert incidents == strict_incidents


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_clean_text_is_accepted_as_the_strict_read_accepts_it(tmp_path, name):
    text, expected = CLEAN[name]
    path = _write(tmp_path, text)
    source, incidents = read.read_json(path)
    strict_source, strict_incidents = _strict(path)
    assert incidents == [] and strict_incidents == []
    assert source.value == expected and strict_source.value == expected


def _refuse(*args, **kwargs):
    raise AssertionError("the strict read ran on a clean file")


@pytest.fixture
def quick_only(monkeypatch):
    """The strict read made to fail, so that only the quick read can accept a file."""
    for name in ("_read_strict", "_strict_json_problems", "_depth", "walk"):
        monkeypatch.setattr(read, name, _refuse)


def test_a_corpus_file_takes_the_quick_read(quick_only):
    path = sorted((CORPUS / "annotations").glob("*.json"))[0]
    source, incidents = read.read_json(path)
    assert incidents == []
    assert source.value == json.loads(path.read_text(encoding="utf-8"))
    assert type(source.value) is dict
    assert source.has_float is False


def test_brackets_and_escapes_in_strings_do_not_count_as_nesting(tmp_path, quick_only):
    # 31 arrays around a scalar is depth 32, the most allowed; the strings add none.
    tricky = '"[[[[\\\\", "\\"{{{{", "\\\\\\"[[", "}}]]"'
    text = "[" * 30 + "[" + tricky + "]" + "]" * 30
    source, incidents = read.read_json(_write(tmp_path, text))
    assert incidents == []
    assert source.value == json.loads(text)


def test_the_quick_read_records_floats(tmp_path, quick_only):
    source, _ = read.read_json(_write(tmp_path, '{"start": 12.0, "end": 1e-400}'))
    assert source.has_float is True
    assert source.value == {"start": 12.0, "end": 0.0}


def test_a_float_in_a_source_without_the_record_is_still_refused():
    # The compiled validator calls 12.0 an integer: a source that does not say whether it holds a
    # float must get the full check.
    path = sorted((CORPUS / "annotations").glob("*.json"))[0]
    value = json.loads(path.read_text(encoding="utf-8"))
    span = value["boilerplate"][0]
    span["start"] = float(span["start"])
    text = json.dumps(value, indent=2)
    found = check_schema(read.JsonSource(path, text, value))
    assert [i.code for i in found] == ["NS203"]
    assert "/boilerplate/0/start" in found[0].message


@pytest.mark.parametrize("data, levels", [
    (b"0", 0),
    (b"[]", 1),
    (b'{"a": [1, {"b": []}], "c": {}}', 4),  # object, array, object, array
    (b'"[[[{"', 0),
    (b'["\\\\", "[", {"x": "\\"]"}]', 2),
    (b'["\\\\\\"[", [[]]]', 3),
    (b'[' * 40 + b']' * 40, read.MAX_JSON_DEPTH + 1),
])
def test_nesting_counts_containers_outside_strings(data, levels):
    assert read._nesting(data) == levels


# -- random texts: what read_json says is what the strict read says ---------------------------

_STRING_PARTS = st.sampled_from(['a', '[', ']', '{', '}', '\\"', '\\\\', '\\n', '\\ud800', '\\uDC00',
                                 '\\ud83d\\ude00', 'é', '0' * 101, 'NaN'])
_STRINGS = st.lists(_STRING_PARTS, max_size=4).map(lambda parts: '"' + "".join(parts) + '"')
_SCALARS = st.one_of(
    _STRINGS,
    st.sampled_from(["0", "-1", "12.5", "1e400", "-1e400", "1e-400", "NaN", "Infinity", "-Infinity",
                     "true", "null", DIGITS_101, "-" + "1" * 100, "9" * 5000]),
)
_KEYS = st.one_of(st.sampled_from(['"a"', '"b"', '"\\ud800"', '"a/b~"']), _STRINGS)


def _containers(children):
    arrays = st.lists(children, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
    objects = st.lists(st.tuples(_KEYS, children), max_size=3).map(
        lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}")
    return st.one_of(arrays, objects)


_VALUES = st.recursive(_SCALARS, _containers, max_leaves=8)


@st.composite
def _texts(draw):
    inner = draw(_VALUES)
    wraps = draw(st.sampled_from([0, 0, 0, 28, 29, 30, 31, 32]))  # near the depth limit, some of the time
    return "[" * wraps + inner + "]" * wraps


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(_texts())
def test_random_texts_get_what_the_strict_read_gives(tmp_path_factory, text):
    path = _write(tmp_path_factory.mktemp("quick"), text)
    source, incidents = read.read_json(path)
    strict_source, strict_incidents = _strict(path)
    assert incidents == strict_incidents
    assert (source is None) == (strict_source is None)
    if source is not None:
        assert source.value == strict_source.value
