"""Croissant metadata: mlcroissant validates it and loads every record set as the rows written.

The release here is synthetic and tiny (hand-made rows, written with the declared Arrow schema), so
that every kind of column is covered: nulls, empty lists, lists of structs, ClassLabels, float32.
"""
from __future__ import annotations

import hashlib
import json
import random
import socket
import subprocess
import sys
from pathlib import Path

import mlcroissant as mlc
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets import ClassLabel, List

from newsspan.croissant import CROISSANT_1_1, PARQUET, croissant_metadata
from newsspan.features import CONFIGS

SPLITS = ("train", "validation", "test")
ARGS = dict(version="0.1.0", name="NewsSpan", description="A tiny synthetic NewsSpan release.",
            license_url="https://creativecommons.org/licenses/by/4.0/", citation="@misc{newsspan}",
            creator="NewsSpan maintainers", date_published="2026-11-22")


def _span(start: int, text: str) -> dict:
    return {"start": start, "end": start + len(text), "text": text}


def _documents(split: str) -> list[dict]:
    full = {
        "id": f"{split}-1", "publisher": "Daily Example", "title": "Mayor speaks", "source_url": "https://example.org/a",
        "published_date": "2024-03-01", "language": "en", "translated_from": None, "translation_method": None,
        "raw_format": "text", "rights": "cc-by-4.0", "raw_sha256": "ab" * 32, "near_duplicate_group": None,
        "annotators": ["ann1", "ann2"], "annotation_status": "gold", "guidelines_version": "1.0",
        "raw_text": 'Share this! "We will build," said Mayor Lee.', "clean_text": '"We will build," said Mayor Lee.',
        "boilerplate": [{"id": "b1", **_span(0, "Share this!"), "label": 0}],
        "entities": [{"id": "e1", **_span(40, "Lee"), "label": 0}, {"id": "e2", **_span(34, "Mayor"), "label": 1}],
        "quotes": [
            {"id": "q1", "type": 0, "content": [_span(12, '"We will build,"')], "speaker_entity_id": "e1",
             "speaker": "Lee", "speaker_start": 40, "speaker_end": 43, "cue": "said", "cue_start": 29, "cue_end": 33},
            {"id": "q2", "type": 1, "content": [_span(13, "We"), _span(16, "will")], "speaker_entity_id": None,
             "speaker": None, "speaker_start": None, "speaker_end": None, "cue": None, "cue_start": None, "cue_end": None},
        ],
    }
    bare = {**full, "id": f"{split}-2", "source_url": None, "annotators": [], "boilerplate": [], "entities": [],
            "quotes": [], "annotation_status": "draft"}
    return [full, bare] if split != "validation" else [full]


def _ner(split: str) -> list[dict]:
    return [{"id": f"{split}-1/0", "doc_id": f"{split}-1", "block_index": 0, "tokens": ["Mayor", "Lee", "."],
             "ner_tags": [0, 1, 0], "token_starts": [34, 40, 43], "token_ends": [39, 43, 44], "block_kind": 2},
            {"id": f"{split}-1/1", "doc_id": f"{split}-1", "block_index": 1, "tokens": [], "ner_tags": [],
             "token_starts": [], "token_ends": [], "block_kind": 0}]


def _blocks(split: str) -> list[dict]:
    return [{"id": f"{split}-1/0", "doc_id": f"{split}-1", "block_index": 0, "num_blocks": 1, "start": 0, "end": 44,
             "text": 'Share this! "We will build," said Mayor Lee.', "kind": 2, "boilerplate_labels": [0, 3],
             "boilerplate_fraction": 0.25, "publisher": "Daily Example", "raw_format": "text"}]


def _quotes(split: str) -> list[dict]:
    said = {"id": f"{split}-1/q1", "doc_id": f"{split}-1", "quote_id": "q1", "type": 0, "content": '"We will build,"',
            "segments": [_span(12, '"We will build,"')], "speaker_kind": 0, "speaker": "Lee", "speaker_label": "PERSON",
            "speaker_start": 40, "speaker_end": 43, "cue": "said", "cue_start": 29, "cue_end": 33,
            "context": 'Share this! "We will build," said Mayor Lee.', "context_start": 0}
    unknown = {**said, "id": f"{split}-1/q2", "quote_id": "q2", "type": 1, "content": "We will",
               "segments": [_span(13, "We"), _span(16, "will")], "speaker_kind": 2, "speaker": None,
               "speaker_label": None, "speaker_start": None, "speaker_end": None, "cue": None, "cue_start": None,
               "cue_end": None}
    return [said, unknown] if split != "validation" else []  # an empty shard, as a split without quotes gives


ROWS = {"documents": _documents, "ner": _ner, "blocks": _blocks, "quotes": _quotes}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Describing and loading a local release must never reach out."""
    def refuse(*args, **kwargs):
        raise OSError("a Croissant test tried to use the network")
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def tiny_release(tmp_path) -> tuple[Path, list[dict], dict]:
    """(release folder, the `files` list a release writer passes, {(config, split): rows written})."""
    files, written = [], {}
    for config, make_rows in ROWS.items():
        for split in SPLITS:
            rows = written[config, split] = make_rows(split)
            path = f"data/{config}/{split}-00000-of-00001.parquet"
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pylist(rows, schema=CONFIGS[config].arrow_schema), tmp_path / path)
            data = (tmp_path / path).read_bytes()
            files.append({"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                          "rows": len(rows), "config": config, "split": split})
    return tmp_path, files, written


@pytest.fixture
def jsonld(tiny_release) -> Path:
    root, files, _ = tiny_release
    path = root / "croissant.json"
    path.write_text(json.dumps(croissant_metadata(root, files=files, **ARGS), indent=2, sort_keys=True), encoding="utf-8")
    return path


def _record_set(metadata: dict, record_set_id: str) -> dict:
    return next(rs for rs in metadata["recordSet"] if rs["@id"] == record_set_id)


def _plain(value):
    """A loaded record as the row it came from: short field names, text as str."""
    if isinstance(value, dict):
        return {key.rsplit("/", 1)[1]: _plain(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _declared(row: dict, fields: list[dict]) -> dict:
    """`row` reduced to the declared fields (and sub-fields)."""
    out = {}
    for field in fields:
        value = row[field["name"]]
        if "subField" in field:
            value = [_declared(item, field["subField"]) for item in value]
        out[field["name"]] = value
    return out


def test_metadata_has_what_croissant_1_1_requires(tiny_release):
    root, files, _ = tiny_release
    metadata = croissant_metadata(root, files=files, **ARGS)
    assert metadata["conformsTo"] == CROISSANT_1_1
    assert metadata["@type"] == "sc:Dataset"
    assert metadata["@context"]["cr"] == "http://mlcommons.org/croissant/"
    assert metadata["@context"]["conformsTo"] == "dct:conformsTo"
    assert {k: metadata[k] for k in ("name", "description", "license", "version", "citeAs", "datePublished")} == {
        "name": ARGS["name"], "description": ARGS["description"], "license": ARGS["license_url"],
        "version": ARGS["version"], "citeAs": ARGS["citation"], "datePublished": ARGS["date_published"]}
    assert metadata["creator"]["name"] == ARGS["creator"]
    assert "url" not in metadata  # no homepage is claimed unless one is given
    objects = {d["contentUrl"]: d for d in metadata["distribution"] if d["@type"] == "cr:FileObject"}
    assert sorted(objects) == sorted(f["path"] for f in files)
    for f in files:
        assert objects[f["path"]]["encodingFormat"] == PARQUET
        assert objects[f["path"]]["sha256"] == hashlib.sha256((root / f["path"]).read_bytes()).hexdigest()
        assert objects[f["path"]]["contentSize"] == f"{f['bytes']} B"
    assert {rs["@id"] for rs in metadata["recordSet"]} >= set(CONFIGS) | {"splits"}
    for config, features in CONFIGS.items():
        names = [field["name"] for field in _record_set(metadata, config)["field"]]
        assert names == ["split", *features], "every column is declared, in order"


def test_mlcroissant_validates_it(jsonld):
    dataset = mlc.Dataset(jsonld=jsonld)  # raises mlc.ValidationError on any error
    warnings = dataset.metadata.ctx.issues.warnings
    assert not warnings, warnings


def _cli_validate(path: Path) -> subprocess.CompletedProcess:
    # The `mlcroissant` console script's entry point, run with this interpreter so PATH cannot matter.
    code = "import sys; from mlcroissant.scripts.cli import main; sys.argv[0] = 'mlcroissant'; main()"
    return subprocess.run([sys.executable, "-c", code, "validate", "--jsonld", str(path)],
                          capture_output=True, text=True, timeout=300)


def test_mlcroissant_validate_cli_exits_0_and_fails_a_broken_file(jsonld):
    result = _cli_validate(jsonld)
    assert result.returncode == 0, result.stderr
    broken = json.loads(jsonld.read_text(encoding="utf-8"))
    del _record_set(broken, "ner")["field"][1]["dataType"]
    (jsonld.parent / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    assert _cli_validate(jsonld.parent / "broken.json").returncode == 1


SPOT = {"documents": "annotators", "ner": "ner_tags", "blocks": "boilerplate_fraction", "quotes": "speaker_start"}


@pytest.mark.parametrize("config", list(CONFIGS))
def test_every_record_set_loads_as_the_parquet_rows(jsonld, tiny_release, config):
    root, files, written = tiny_release
    fields = _record_set(json.loads(jsonld.read_text(encoding="utf-8")), config)["field"][1:]
    records = [_plain(r) for r in mlc.Dataset(jsonld=jsonld).records(config)]

    on_disk = sum(pq.read_metadata(root / f["path"]).num_rows for f in files if f["config"] == config)
    assert len(records) == on_disk == sum(len(written[config, s]) for s in SPLITS)
    expected = [{"split": split, **_declared(row, fields)} for split in SPLITS for row in written[config, split]]
    by_key = lambda r: (r["split"], r["id"])  # noqa: E731
    assert sorted(records, key=by_key) == sorted(expected, key=by_key)
    # Spot checks that do not go through _declared: a typed column of the first test row.
    row = written[config, "test"][0]
    loaded = next(r for r in records if r["id"] == row["id"])
    assert loaded["split"] == "test"
    assert loaded[SPOT[config]] == row[SPOT[config]]


def test_a_list_nested_in_a_list_of_structs_is_named_but_not_declared(jsonld):
    """mlcroissant 1.1.1 loads documents.quotes[].content as None: it is described, not declared."""
    quotes = next(f for f in _record_set(json.loads(jsonld.read_text(encoding="utf-8")), "documents")["field"]
                  if f["name"] == "quotes")
    declared = [sub["name"] for sub in quotes["subField"]]
    assert declared == [key for key in CONFIGS["documents"]["quotes"].feature if key != "content"]
    assert "content" in quotes["description"]


def _class_label_fields(fields: list[dict], features: dict):
    for field in fields:
        feature = features.get(field["name"])
        if isinstance(feature, List):
            feature = feature.feature
        if "subField" in field:
            yield from _class_label_fields(field["subField"], feature)
        elif isinstance(feature, ClassLabel):
            yield field, feature


def test_class_labels_reference_an_enumeration_of_their_names(jsonld):
    metadata = json.loads(jsonld.read_text(encoding="utf-8"))
    dataset = mlc.Dataset(jsonld=jsonld)
    seen = 0
    for config, features in CONFIGS.items():
        for field, feature in _class_label_fields(_record_set(metadata, config)["field"], features):
            enum_id = field["references"]["field"]["@id"].rsplit("/", 1)[0]
            assert _record_set(metadata, enum_id)["dataType"] == "sc:Enumeration"
            loaded = [_plain(r) for r in dataset.records(enum_id)]
            assert loaded == [{"index": i, "name": n} for i, n in enumerate(feature.names)]
            assert field["dataType"] == "sc:Integer" and feature.names[-1] in field["description"]
            seen += 1
    assert seen == 9  # documents: 3, ner: 2, blocks: 2, quotes: 2


def test_splits_record_set_names_the_croissant_splits(jsonld):
    loaded = [_plain(r) for r in mlc.Dataset(jsonld=jsonld).records("splits")]
    assert loaded == [{"name": "train", "url": "cr:TrainingSplit"}, {"name": "validation", "url": "cr:ValidationSplit"},
                      {"name": "test", "url": "cr:TestSplit"}]


def test_same_input_gives_the_same_metadata(tiny_release):
    root, files, _ = tiny_release
    shuffled = files[:]
    random.Random(7).shuffle(shuffled)
    first = croissant_metadata(root, files=files, **ARGS)
    assert croissant_metadata(root, files=shuffled, **ARGS) == first
    assert json.dumps(croissant_metadata(root, files=shuffled, **ARGS)) == json.dumps(first)


@pytest.mark.parametrize("change", [
    {"bytes": 1},
    {"path": "data/ner/train-00000-of-00001.parquet"},
    {"path": "/abs/data/documents/train-00000-of-00001.parquet"},
    {"config": "nope"},
])
def test_refuses_a_file_list_that_does_not_match_the_release(tiny_release, change):
    root, files, _ = tiny_release
    with pytest.raises(ValueError):
        croissant_metadata(root, files=[{**files[0], **change}, *files[1:]], **ARGS)
