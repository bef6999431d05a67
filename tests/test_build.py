"""The release: loads with full features, is lossless, reproducible and published atomically."""
import hashlib
import json
import re
from collections import Counter

import pyarrow.parquet as pq
import pytest
import yaml
from datasets import load_dataset

from newsspan.derive import clean_text
from newsspan.features import CONFIGS, NER_TAGS
from newsspan.records import BOILERPLATE_LABELS, ENTITY_LABELS, SPLITS
from newsspan.release import build_release, project_version
from newsspan.validate import validate_corpus

from conftest import CORPUS, REPO


def _card(release) -> dict:
    text = (release / "README.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in version.split("."))


def release_annotations(release, corpus=CORPUS) -> dict[str, dict]:
    """The annotation files of the documents a release holds: those that corpus/released_splits.json
    records with its version or an earlier one (a page added since is in no version yet)."""
    version = json.loads((release / "MANIFEST.json").read_text(encoding="utf-8"))["version"]
    records = corpus / "released_splits.json"
    held = None
    if records.is_file():
        held = {d for d, e in json.loads(records.read_text(encoding="utf-8")).items()
                if _version_key(e["version"]) <= _version_key(version)}
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (corpus / "annotations").glob("*.json")
            if held is None or p.stem in held}




@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_config_loads_offline_with_declared_features(release, config):
    ds = load_dataset(str(release), config)
    assert set(ds) == set(SPLITS)
    for split in SPLITS:
        assert ds[split].features == CONFIGS[config]


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_parquet_builder_and_streaming_give_the_same_rows(release, config):
    files = {s: sorted(str(p) for p in (release / "data" / config).glob(f"{s}-*.parquet")) for s in SPLITS}
    direct = load_dataset(str(release), config, split="test")
    plain = load_dataset("parquet", data_files=files, split="test")
    streamed = load_dataset(str(release), config, split="test", streaming=True)
    assert plain.features == CONFIGS[config]
    assert list(plain) == list(direct) == list(streamed)


def test_card_counts_match_the_files(release):
    check_card_counts(release)


def check_card_counts(release) -> None:
    card = _card(release)
    for info in card["dataset_info"]:
        for split in info["splits"]:
            rows = sum(pq.read_metadata(p).num_rows
                       for p in (release / "data" / info["config_name"]).glob(f"{split['name']}-*.parquet"))
            assert rows == split["num_examples"]
    for config in card["configs"]:
        for entry in config["data_files"]:
            assert all((release / p).is_file() for p in entry["path"])


def _card_section(release, title: str) -> dict[str, int]:
    text = (release / "README.md").read_text(encoding="utf-8")
    section = text.split(f"**{title}**\n\n")[1].split("\n\n")[0]
    return {row.split(" | ")[0].strip("| "): int(row.split(" | ")[1].strip(" |")) for row in section.splitlines()[2:]}


def test_card_label_distribution_counts_the_annotation_files(release):
    check_card_label_distribution(release, CORPUS)


def check_card_label_distribution(release, corpus) -> None:
    # Counted here from the JSON files; the card counts the written Parquet rows in worker processes.
    anns = release_annotations(release, corpus).values()
    want = {
        "boilerplate spans": Counter(s["label"] for a in anns for s in a["boilerplate"]),
        "boilerplate characters": Counter(),
        "entity mentions": Counter(e["label"] for a in anns for e in a["entities"]),
        "quotes": Counter(q["type"] for a in anns for q in a["quotes"]),
    }
    for a in anns:
        for s in a["boilerplate"]:
            want["boilerplate characters"][s["label"]] += s["end"] - s["start"]
    for title, counts in want.items():
        assert _card_section(release, title) == dict(counts)


def test_card_has_class_label_names_and_required_metadata(release):
    card = _card(release)
    for key in ("pretty_name", "license", "language", "task_categories", "task_ids", "size_categories",
                "annotations_creators", "source_datasets", "configs", "dataset_info"):
        assert card[key], key
    docs = next(i for i in card["dataset_info"] if i["config_name"] == "documents")
    boilerplate = next(f for f in docs["features"] if f["name"] == "boilerplate")
    label = next(f for f in boilerplate["list"] if f["name"] == "label")
    assert list(label["dtype"]["class_label"]["names"].values()) == list(BOILERPLATE_LABELS)


def test_every_span_comes_back_unchanged(release):
    check_every_span_comes_back(release, CORPUS)


def check_every_span_comes_back(release, corpus) -> None:
    """Lossless: each span of each annotation file, from the documents config."""
    annotations = release_annotations(release, corpus)
    ds = load_dataset(str(release), "documents")
    seen = set()
    for split in SPLITS:
        for row in ds[split]:
            ann = annotations[row["id"]]
            seen.add(row["id"])
            assert row["raw_text"] == (corpus / "raw" / f"{row['id']}.{'md' if ann['metadata']['raw_format'] == 'markdown' else 'txt'}").read_bytes().decode("utf-8")
            for layer, labels in (("boilerplate", BOILERPLATE_LABELS), ("entities", ENTITY_LABELS)):
                got = sorted((s["id"], s["start"], s["end"], s["text"], labels[s["label"]]) for s in row[layer])
                want = sorted((s["id"], s["start"], s["end"], s["text"], s["label"]) for s in ann[layer])
                assert got == want
            got_q = sorted((q["id"], ["direct", "indirect"][q["type"]], [(c["start"], c["end"], c["text"]) for c in q["content"]],
                            q["speaker_entity_id"], q["speaker"], q["cue"], q["cue_start"]) for q in row["quotes"])
            want_q = []
            for q in ann["quotes"]:
                spk = q["speaker"] or {}
                ent = next((e for e in ann["entities"] if e["id"] == spk.get("entity")), None)
                want_q.append((q["id"], q["type"], [(c["start"], c["end"], c["text"]) for c in q["content"]],
                               spk.get("entity"), ent["text"] if ent else (spk["span"]["text"] if "span" in spk else None),
                               q["cue"]["text"] if q["cue"] else None, q["cue"]["start"] if q["cue"] else None))
            assert got_q == sorted(want_q)
            assert row["near_duplicate_group"] == ann["near_duplicate_group"]
            assert ds[split].split == ann["split"] or split == ann["split"]
    assert seen == set(annotations)


def test_clean_text_follows_the_rule(release):
    check_clean_text(release)


def check_clean_text(release) -> None:
    ds = load_dataset(str(release), "documents")
    for split in SPLITS:
        for row in ds[split]:
            raw = row["raw_text"]
            removed = [False] * len(raw)
            for s in row["boilerplate"]:
                removed[s["start"]:s["end"]] = [True] * (s["end"] - s["start"])
            kept = "".join(c for c, r in zip(raw, removed) if not r and not c.isspace())
            clean = row["clean_text"]
            assert "".join(c for c in clean if not c.isspace()) == kept
            assert "\n\n\n" not in clean and not clean.startswith("\n") and not clean.endswith("\n")
            assert all(line == line.rstrip() for line in clean.split("\n"))


def test_clean_text_on_a_hand_made_document():
    doc = validate_corpus(REPO / "tests" / "fixtures" / "codes" / "VALID-minimal").documents["doc"]
    # raw: "Support us!\nZelensky said: “We will win.”\n" with "Support us!" as boilerplate
    assert clean_text(doc) == "Zelensky said: “We will win.”"


def test_ner_tags_rebuild_every_entity(release):
    check_ner_tags_rebuild_every_entity(release, CORPUS)


def check_ner_tags_rebuild_every_entity(release, corpus) -> None:
    annotations = release_annotations(release, corpus)
    ds = load_dataset(str(release), "ner")
    found = Counter()
    for split in SPLITS:
        for row in ds[split]:
            current = None
            for tok, tag, start, end in zip(row["tokens"], row["ner_tags"], row["token_starts"], row["token_ends"]):
                name = NER_TAGS[tag]
                if name.startswith("B-") or name == "O" or current is None:
                    if current:
                        found[current] += 1
                    current = (row["doc_id"], start, end, name[2:]) if name != "O" else None
                else:
                    current = (current[0], current[1], end, current[3])
            if current:
                found[current] += 1
    want = Counter((doc_id, e["start"], e["end"], e["label"]) for doc_id, a in annotations.items() for e in a["entities"])
    assert found == want


def test_parquet_metadata_carries_the_version(release):
    manifest = json.loads((release / "MANIFEST.json").read_text())
    for path in (release / "data").rglob("*.parquet"):
        meta = json.loads(pq.read_schema(path).metadata[b"newsspan"])
        assert meta == {"version": manifest["version"]}


def test_manifest_describes_every_file(release):
    manifest = json.loads((release / "MANIFEST.json").read_text())
    assert manifest["version"] == project_version()
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()} - {"MANIFEST.json"}
    assert set(listed) == on_disk
    for path, entry in listed.items():
        data = (release / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)
        if path.endswith(".parquet"):
            assert entry["rows"] == pq.read_metadata(release / path).num_rows
    assert {"datasets", "pyarrow", "jsonschema"} <= set(manifest["libraries"])


def test_two_builds_are_byte_identical(release, tmp_path):
    again = build_release(validate_corpus(CORPUS).documents, out_root=tmp_path)
    first = {p.relative_to(release).as_posix(): p.read_bytes() for p in release.rglob("*") if p.is_file()}
    second = {p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_no_document_crosses_splits_in_any_config(release):
    check_no_document_crosses_splits(release)


def check_no_document_crosses_splits(release) -> None:
    for config in CONFIGS:
        key = "id" if config == "documents" else "doc_id"
        owners = {}
        for split in SPLITS:
            for path in (release / "data" / config).glob(f"{split}-*.parquet"):
                for doc_id in pq.read_table(path, columns=[key]).column(key).to_pylist():
                    assert owners.setdefault(doc_id, split) == split


def test_croissant_of_the_release_validates_and_loads_every_record_set(release):
    import mlcroissant as mlc

    from test_croissant import _cli_validate

    path = release / "croissant.json"
    assert _cli_validate(path).returncode == 0
    dataset = mlc.Dataset(jsonld=path)
    assert not dataset.metadata.ctx.issues.errors and not dataset.metadata.ctx.issues.warnings
    for config in CONFIGS:
        rows = sum(pq.read_metadata(p).num_rows for p in (release / "data" / config).glob("*.parquet"))
        assert sum(1 for _ in dataset.records(record_set=config)) == rows


def test_card_byte_figures_are_what_datasets_counts(release, tmp_path):
    """Regression: num_bytes and dataset_size were the Parquet file sizes. `datasets` counts the
    rows' in-memory Arrow bytes; here it counts them itself, from a copy whose card has no sizes."""
    import shutil

    card = _card(release)
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    text = (copy / "README.md").read_text(encoding="utf-8")
    (copy / "README.md").write_text(re.sub(r"\n *(num_bytes|dataset_size|download_size): \d+", "", text), encoding="utf-8")
    for info in card["dataset_info"]:
        ds = load_dataset(str(copy), info["config_name"])
        counted = {split: ds[split].info.splits[split].num_bytes for split in ds}
        assert {s["name"]: s["num_bytes"] for s in info["splits"]} == counted, info["config_name"]
        assert info["dataset_size"] == sum(counted.values())
        files = (release / "data" / info["config_name"]).glob("*.parquet")
        assert info["download_size"] == sum(p.stat().st_size for p in files) != info["dataset_size"]


def test_the_card_module_imports_nothing_of_the_release_module():
    """No import circle: the card is given what it renders."""
    import ast

    tree = ast.parse((REPO / "newsspan" / "card.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "release" not in imported and not any(m.endswith(".release") for m in imported)
