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
