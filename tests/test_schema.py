"""The JSON Schema itself: valid Draft 2020-12, documented, closed."""
import json

from jsonschema import Draft202012Validator

from newsspan.read import walk
from newsspan.validate.schema import SCHEMA_PATH, load_schema


def test_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(load_schema())


def test_schema_has_id_version_and_draft():
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("https://")
    assert schema["version"] == schema["properties"]["schema_version"]["const"]


def _subschemas():
    for pointer, node in walk(load_schema()):
        if isinstance(node, dict) and ("type" in node or "$ref" in node or "enum" in node or "const" in node or "oneOf" in node):
            yield pointer, node


def test_every_property_has_a_description():
    missing = []
    for pointer, node in walk(load_schema()):
        if isinstance(node, dict) and isinstance(node.get("properties"), dict):
            missing += [f"{pointer}/properties/{k}" for k, v in node["properties"].items() if "description" not in v]
    assert missing == []


def test_every_object_is_closed():
    open_objects = [p for p, n in _subschemas() if n.get("type") == "object" and n.get("additionalProperties") is not False]
    assert open_objects == []


def test_schema_refs_are_local():
    refs = [n["$ref"] for _, n in walk(load_schema()) if isinstance(n, dict) and "$ref" in n]
    assert refs and all(r.startswith("#/") for r in refs)


def test_schema_file_is_plain_utf8_json():
    json.loads(SCHEMA_PATH.read_bytes().decode("utf-8"))


def test_validation_never_touches_the_network(monkeypatch):
    import socket

    from conftest import CORPUS
    from newsspan.validate import validate_corpus
    from newsspan.validate.schema import validator

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    validator.cache_clear()
    assert validate_corpus(CORPUS).ok


# -- the compiled fast path never says "valid" where the full check finds a problem ----------------

def _source(tmp_path, obj, name="doc.json"):
    from newsspan.read import read_json

    path = tmp_path / name
    path.write_text(json.dumps(obj, ensure_ascii=True), encoding="utf-8")
    source, problems = read_json(path)
    assert problems == []
    return source


def _corpus_annotation() -> dict:
    from conftest import CORPUS

    return json.loads((CORPUS / "annotations" / "nytimes-kherson-officials-flee.json").read_text(encoding="utf-8"))


def test_a_url_with_a_separator_control_is_refused_as_the_full_check_does(tmp_path):
    # Python's \s takes U+001C, the compiled validator's regex does not: `^https?://\S+$` differs.
    from newsspan.validate.schema import check_schema

    obj = _corpus_annotation()
    obj["metadata"]["source_url"] = "https://example.com/a\u001cb"
    assert [i.code for i in check_schema(_source(tmp_path, obj))] == ["NS205"]


_ODD_VALUES = [None, True, 0, -1, 1.0, 2.5, "", " ", "x", "b1\n", "https://a\u001cb", "2022-13-01", "\u00e9", [], {}, [1], {"a": 1},
               10 ** 30, "e1", "q1", "b1", "en", "train", "reviewed"]


def _mutate(obj, rng):
    """A copy of obj with one random change somewhere: a value replaced, a key removed or added."""
    import copy

    obj = copy.deepcopy(obj)
    containers = [(None, obj)]
    nodes = []
    while containers:
        _, node = containers.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            nodes.append((node, key))
            if isinstance(child, (dict, list)):
                containers.append((key, child))
    parent, key = rng.choice(nodes)
    action = rng.random()
    if action < 0.7:
        parent[key] = rng.choice(_ODD_VALUES)
    elif action < 0.85:
        del parent[key]
    elif isinstance(parent, dict):
        parent["extra_" + str(rng.randrange(3))] = rng.choice(_ODD_VALUES)
    return obj


def test_the_compiled_yes_is_never_a_full_check_no(tmp_path):
    import random

    from newsspan.validate.schema import _surely_valid, validator

    rng = random.Random(20221103)
    base = _corpus_annotation()
    said_valid = 0
    for i in range(400):
        obj = base
        for _ in range(rng.randrange(1, 3)):
            obj = _mutate(obj, rng)
        source = _source(tmp_path, obj, f"m{i}.json")
        full = list(validator().iter_errors(source.value))
        if _surely_valid(source):
            said_valid += 1
            assert full == [], (i, full[0].message)
    assert said_valid > 20  # the comparison covered files the fast path accepts
