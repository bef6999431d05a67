"""Scale machinery: worker processes and caches change nothing in the output; the generator is sound.

Corpora here are small (30 generated documents); what is checked is sameness, never speed.
"""
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsspan import release, write
from newsspan.incidents import sort_key
from newsspan.neardup import jaccard, shingles
from newsspan.progress import Progress
from newsspan.read import discover
from newsspan.release import build_release
from newsspan.validate import check_document_files, validate_corpus
from newsspan.validate import schema as schema_module
from newsspan.validate.cache import BuildCache, ValidationCache, validation_salt
from newsspan.validate.consistency import check_corpus, guidelines_versions

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import synth  # noqa: E402

N_DOCS, SEED, PAIR_RATE = 30, 7, 0.3


def _generate(root: Path, n: int = N_DOCS, seed: int = SEED) -> Path:
    synth.generate(root, n, seed, pair_rate=PAIR_RATE)
    return root


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return _generate(tmp_path_factory.mktemp("synth") / "corpus")


@pytest.fixture
def corpus(pristine, tmp_path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(pristine, root)
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _release(root: Path) -> dict[str, bytes]:
    """A release's files; the manifest without the hash of the package's source, which says which
    code ran, not what came out (and changes whenever any module of the package is edited)."""
    files = _files(root)
    manifest = json.loads(files["MANIFEST.json"])
    del manifest["code_fingerprint"]
    files["MANIFEST.json"] = json.dumps(manifest, sort_keys=True).encode()
    return files


def _cache(folder: Path) -> ValidationCache:
    return ValidationCache(folder, validation_salt(guidelines_versions()))


def _annotation(root: Path, doc_id: str) -> dict:
    return json.loads((root / "annotations" / f"{doc_id}.json").read_text(encoding="utf-8"))


def _save(root: Path, doc_id: str, obj: dict) -> None:
    from newsspan.fmt import format_annotation
    (root / "annotations" / f"{doc_id}.json").write_text(format_annotation(obj), encoding="utf-8")


# -- the generator --------------------------------------------------------------------------

def test_generator_is_deterministic(tmp_path, pristine):
    again = _generate(tmp_path / "again")
    assert _files(again) == _files(pristine)
    other = _files(_generate(tmp_path / "other", seed=SEED + 1))
    assert other != _files(pristine)


def test_a_smaller_corpus_is_the_start_of_a_larger_one(tmp_path, pristine):
    small = _files(_generate(tmp_path / "small", n=12))
    big = _files(pristine)
    # Only the last article may differ: a pair that did not fit is written as a single capture.
    shared = [name for name in small if name in big]
    assert len(shared) >= 10 and all(small[name] == big[name] for name in shared)


def test_generated_corpus_validates_clean_and_is_varied(pristine):
    report = validate_corpus(pristine)
    assert report.incidents == [] and len(report.documents) == N_DOCS
    raw_sizes = [len(p.read_bytes()) for p in (pristine / "raw").iterdir()]
    assert all(1_000 <= size <= 30_000 for size in raw_sizes)
    annotations = [json.loads(p.read_text(encoding="utf-8")) for p in (pristine / "annotations").iterdir()]
    spans = [len(a["boilerplate"]) + len(a["entities"]) + len(a["quotes"]) for a in annotations]
    assert all(10 <= n <= 300 for n in spans)
    assert len({a["metadata"]["publisher"] for a in annotations}) >= 3
    assert {a["metadata"]["raw_format"] for a in annotations} == {"text", "markdown"}
    texts = [p.read_text(encoding="utf-8") for p in (pristine / "raw").iterdir()]
    assert all(any(ord(c) > 127 for c in t) for t in texts)
    assert any(any(ord(c) > 0xFFFF for c in t) for t in texts)  # emoji beyond the BMP: offsets are code points


def test_planted_pairs_are_declared_near_duplicates(pristine):
    pairs = synth.planted_pairs(N_DOCS, SEED, PAIR_RATE)
    assert len(pairs) >= 2
    for a, b in pairs:
        ann_a, ann_b = _annotation(pristine, a), _annotation(pristine, b)
        assert ann_a["near_duplicate_group"] == ann_b["near_duplicate_group"] is not None
        assert ann_a["split"] == ann_b["split"]
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (pristine / "raw").iterdir()}
    scores = [jaccard(shingles(texts[a]), shingles(texts[b])) for a, b in pairs]
    assert max(scores) >= 0.30


# -- validation: any number of processes, with or without the cache --------------------------

def _corrupt(root: Path) -> set[str]:
    """Break the corpus in six ways; return the codes that must be reported."""
    pairs = synth.planted_pairs(N_DOCS, SEED, PAIR_RATE)
    paired = {d for pair in pairs for d in pair}
    singles = sorted(p.stem for p in (root / "annotations").iterdir() if p.stem not in paired)
    first = _annotation(root, singles[0])
    first["entities"][0]["text"] = "not the raw text"
    _save(root, singles[0], first)
    broken = root / "annotations" / f"{singles[1]}.json"
    broken.write_text(broken.read_text(encoding="utf-8").replace('"split": "', '"split" "', 1), encoding="utf-8")
    third = _annotation(root, singles[2])
    third["entities"][0]["label"] = "person"
    _save(root, singles[2], third)
    # An exact copy of a document under another id, in no group: an undeclared near-duplicate.
    copy = _annotation(root, singles[3])
    raw = next((root / "raw").glob(f"{singles[3]}.*"))
    shutil.copy(raw, root / "raw" / f"zz-copy{raw.suffix}")
    copy["doc_id"] = "zz-copy"
    _save(root, "zz-copy", copy)
    # One capture of a planted pair moved to another split.
    moved = _annotation(root, pairs[0][1])
    moved["split"] = "test" if moved["split"] != "test" else "train"
    _save(root, pairs[0][1], moved)
    (root / "raw" / "orphan.txt").write_text("a raw file without annotation\n", encoding="utf-8")
    return {"NS304", "NS107", "NS204", "NS407", "NS406", "NS102"}


def test_processes_and_cache_give_the_same_incidents_in_the_same_order(corpus, tmp_path):
    expected_codes = _corrupt(corpus)
    plain = validate_corpus(corpus).incidents
    assert {i.code for i in plain} == expected_codes
    cache = _cache(tmp_path / "cache")
    runs = {
        "2 processes": validate_corpus(corpus, jobs=2),
        "2 processes, cold cache": validate_corpus(corpus, jobs=2, cache=cache),
        "2 processes, warm cache": validate_corpus(corpus, jobs=2, cache=cache),
        "1 process, warm cache": validate_corpus(corpus, cache=cache),
    }
    for name, report in runs.items():
        assert report.incidents == plain, name
    pairs_of_files = len(list((corpus / "annotations").iterdir()))  # the orphan raw file has no pair
    assert runs["2 processes, cold cache"].from_cache == 0
    assert runs["2 processes, warm cache"].from_cache == runs["1 process, warm cache"].from_cache == pairs_of_files


def test_corpus_checks_on_stored_documents_equal_the_checks_on_whole_documents(corpus):
    _corrupt(corpus)
    versions = guidelines_versions()
    passed = {}
    for files in discover(corpus).docs:
        _, checked = check_document_files(files, versions)
        if checked is not None:
            passed[files.doc_id] = checked
    whole = sorted(check_corpus(passed, {}), key=sort_key)
    assert {i.code for i in whole} == {"NS406", "NS407"}
    corpus_codes = {"NS406", "NS407", "NS410"}
    assert [i for i in validate_corpus(corpus, keep_documents=False).incidents if i.code in corpus_codes] == whole


def test_kept_and_streamed_documents_are_the_same(corpus):
    kept = validate_corpus(corpus).documents
    streamed = validate_corpus(corpus, keep_documents=False).documents
    assert list(kept) == list(streamed)
    assert all(kept[d] == streamed[d] for d in kept)


def test_changed_raw_file_is_checked_again_not_replayed(corpus, tmp_path):
    cache = _cache(tmp_path / "cache")
    assert validate_corpus(corpus, cache=cache).incidents == []
    raw = sorted((corpus / "raw").iterdir())[0]
    raw.write_bytes(raw.read_bytes().replace(b"\n", b" \n", 1))
    warm = validate_corpus(corpus, cache=cache)
    assert [i.code for i in warm.incidents] == ["NS301"]
    assert warm.from_cache == N_DOCS - 1
    assert warm.incidents == validate_corpus(corpus).incidents


def test_changed_annotation_is_checked_again_not_replayed(corpus, tmp_path):
    cache = _cache(tmp_path / "cache")
    validate_corpus(corpus, cache=cache)
    doc_id = sorted(p.stem for p in (corpus / "annotations").iterdir())[5]
    obj = _annotation(corpus, doc_id)
    obj["boilerplate"][0]["label"] = "Navigation"
    _save(corpus, doc_id, obj)
    warm = validate_corpus(corpus, cache=cache)
    assert [i.code for i in warm.incidents] == ["NS204"]
    assert warm.from_cache == N_DOCS - 1


def _undeclared_copy(root: Path) -> str:
    """An exact copy of a document in no group, under another id; the original's id."""
    original = sorted(p.stem for p in (root / "annotations").iterdir())[3]
    copy = _annotation(root, original)
    copy["doc_id"], copy["near_duplicate_group"] = "zz-copy", None
    raw = next((root / "raw").glob(f"{original}.*"))
    shutil.copy(raw, root / "raw" / f"zz-copy{raw.suffix}")
    _save(root, "zz-copy", copy)
    return original


@pytest.fixture
def link_calls(monkeypatch) -> list[int]:
    """How many times the near-duplicate link ran (rather than being replayed from the cache)."""
    from newsspan.validate import parallel

    calls, real = [], parallel.link
    monkeypatch.setattr(parallel, "link", lambda *args: calls.append(1) or real(*args))
    return calls


def test_the_near_duplicate_link_is_replayed_only_while_its_inputs_are_unchanged(corpus, tmp_path, link_calls):
    original = _undeclared_copy(corpus)
    cache = _cache(tmp_path / "cache")

    def warm_equals_cold(runs_link: bool) -> list:
        before = len(link_calls)
        warm = validate_corpus(corpus, cache=cache).incidents
        assert len(link_calls) - before == runs_link
        assert warm == validate_corpus(corpus).incidents  # no cache: the link runs
        return warm

    first = warm_equals_cold(runs_link=True)
    assert "NS407" in {i.code for i in first}
    assert warm_equals_cold(runs_link=False) == first
    # An annotation edit that keeps every split and group: the link's inputs are the same.
    edited = _annotation(corpus, original)
    edited["metadata"]["title"] += " (edited)"
    _save(corpus, original, edited)
    assert warm_equals_cold(runs_link=False) == first
    # Declaring the copy a member of the original's group changes them: the link runs again.
    copy = _annotation(corpus, "zz-copy")
    copy["near_duplicate_group"], copy["split"] = edited["near_duplicate_group"] or "zz", edited["split"]
    _save(corpus, "zz-copy", copy)
    if edited["near_duplicate_group"] is None:
        edited["near_duplicate_group"] = "zz"
        _save(corpus, original, edited)
    assert "NS407" not in {i.code for i in warm_equals_cold(runs_link=True)}


def test_the_link_key_covers_the_groups_raw_texts_and_declared_groups():
    from newsspan.validate.cache import link_key

    members = {"a": ("sha-a", None), "b": ("sha-b", "g"), "c": ("sha-c", "g")}
    groups = ((0, ("a", "b")), (3, ("b", "c")))
    base = link_key("salt", 0.3, groups, members.__getitem__)
    assert link_key("salt", 0.3, groups, members.__getitem__) == base
    changes = {
        "another salt": ("salt2", 0.3, groups, members),
        "another threshold": ("salt", 0.31, groups, members),
        "another band": ("salt", 0.3, ((1, ("a", "b")), (3, ("b", "c"))), members),
        "a group fewer": ("salt", 0.3, groups[:1], members),
        "a raw text changed": ("salt", 0.3, groups, {**members, "c": ("sha-c2", "g")}),
        "a document declared in a group": ("salt", 0.3, groups, {**members, "a": ("sha-a", "g")}),
        "a group renamed": ("salt", 0.3, groups, {**members, "c": ("sha-c", "h")}),
        "an id changed": ("salt", 0.3, ((0, ("a", "b")), (3, ("b", "d"))), {**members, "d": ("sha-c", "g")}),
    }
    keys = {name: link_key(salt, t, g, m.__getitem__) for name, (salt, t, g, m) in changes.items()}
    assert base not in keys.values() and len(set(keys.values())) == len(keys), keys


def test_a_damaged_link_entry_is_dropped_and_the_link_runs_again(corpus, tmp_path, link_calls, capsys, monkeypatch):
    import sqlite3
    from newsspan import checksum

    monkeypatch.setattr(checksum, "_warned", False)
    _undeclared_copy(corpus)
    cache = _cache(tmp_path / "cache")
    expected = validate_corpus(cache=cache, root=corpus).incidents
    cache.close()
    with sqlite3.connect(tmp_path / "cache" / "validate.sqlite") as db:
        (key, value), = db.execute("""SELECT key, value FROM results WHERE value LIKE '% {"pairs"%'""").fetchall()
        db.execute("UPDATE results SET value = ? WHERE key = ?", (value.replace('"zz-copy"', '"zz-other"'), key))
    capsys.readouterr()
    before = len(link_calls)
    assert validate_corpus(corpus, cache=cache).incidents == expected
    assert len(link_calls) == before + 1
    assert [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: cache:")] != []


def test_the_checks_judge_the_bytes_that_were_hashed(corpus):
    # The cache key hashes the bytes read once; the checks must judge those, not a later read.
    files = next(d for d in discover(corpus).docs)
    good = (files.annotation.read_bytes(), files.raw.read_bytes())
    assert check_document_files(files, guidelines_versions(), good)[0] == []
    incidents, checked = check_document_files(files, guidelines_versions(), (b"{", good[1]))
    assert [i.code for i in incidents] == ["NS107"] and checked is None


def test_a_file_over_its_read_limit_is_refused_unread_and_not_cached(corpus, tmp_path, monkeypatch):
    from newsspan import read

    sizes = sorted((p.stat().st_size, p.stem) for p in (corpus / "annotations").iterdir())
    (size, doc_id), runner_up = sizes[-1], sizes[-2][0]
    assert runner_up < size - 1
    monkeypatch.setattr(read, "MAX_JSON_BYTES", size - 1)  # the largest annotation file alone is over
    real = Path.read_bytes

    def guarded(path):
        assert path.name != f"{doc_id}.json", "an over-limit file was read"
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    cache = _cache(tmp_path / "cache")
    for run in range(2):
        report = validate_corpus(corpus, cache=cache, keep_documents=False)
        assert [(i.code, Path(i.path).stem) for i in report.incidents] == [("NS110", doc_id)]
        assert report.from_cache == (0 if run == 0 else N_DOCS - 1)


def test_schema_code_and_guidelines_are_part_of_the_key(corpus, tmp_path, monkeypatch):
    versions = guidelines_versions()
    base = validation_salt(versions)
    assert validation_salt(versions) == base
    assert validation_salt(versions | {"9.9"}) != base
    package = tmp_path / "newsspan"
    shutil.copytree(REPO / "newsspan", package, ignore=shutil.ignore_patterns("__pycache__"))
    assert validation_salt(versions, package) == base
    (package / "derive.py").write_text((package / "derive.py").read_text() + "\n# changed\n")
    assert validation_salt(versions, package) != base
    schema = tmp_path / "annotation.schema.json"
    schema.write_text(schema_module.SCHEMA_PATH.read_text().replace("Offsets are", "Offsets, always, are"))
    monkeypatch.setattr(schema_module, "SCHEMA_PATH", schema)
    changed = validation_salt(versions)
    assert changed != base
    # A cache filled under the old salt finds nothing under the new one.
    folder = tmp_path / "cache"
    validate_corpus(corpus, cache=ValidationCache(folder, base))
    assert validate_corpus(corpus, cache=ValidationCache(folder, changed)).from_cache == 0


# -- the build: processes, cache and shards change no byte --------------------------------------

def test_build_is_identical_with_processes_cache_and_shards(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(write, "SHARD_RAW_BYTES", 40_000)  # several shards per split
    plain = build_release(validate_corpus(corpus).documents, out_root=tmp_path / "plain", corpus=corpus)
    streamed = validate_corpus(corpus, jobs=2, keep_documents=False).documents
    cache = BuildCache(tmp_path / "cache")
    cold = build_release(streamed, out_root=tmp_path / "cold", corpus=corpus, jobs=2, cache=cache)
    warm = build_release(streamed, out_root=tmp_path / "warm", corpus=corpus, jobs=2, cache=cache)
    assert _release(plain) == _release(cold) == _release(warm)
    assert len(list((plain / "data" / "documents").glob("train-*.parquet"))) > 1


def test_rebuild_after_one_edit_derives_and_encodes_only_what_holds_the_document(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(write, "SHARD_RAW_BYTES", 60_000)
    monkeypatch.setattr(release, "CACHE_PIECE_RAW_BYTES", 15_000)  # several cached pieces per shard
    encoded = []
    real_write = release.write_parquet
    monkeypatch.setattr(release, "write_parquet", lambda path, *a: encoded.append(path) or real_write(path, *a))
    cache = BuildCache(tmp_path / "cache")
    first = build_release(validate_corpus(corpus, keep_documents=False).documents, out_root=tmp_path / "first",
                          corpus=corpus, cache=cache)
    shards = [p for p in _files(first) if p.startswith("data/")]
    assert len(encoded) == len(shards) > 4 * 3  # several shards in some split
    before = set(cache.folder.iterdir())
    doc_id = sorted(p.stem for p in (corpus / "annotations").iterdir())[3]
    obj = _annotation(corpus, doc_id)
    obj["entities"][0]["label"] = "GPE" if obj["entities"][0]["label"] == "ORG" else "ORG"
    _save(corpus, doc_id, obj)
    encoded.clear()
    edited = build_release(validate_corpus(corpus, keep_documents=False).documents, out_root=tmp_path / "edited",
                           corpus=corpus, cache=cache)
    # The one piece holding the document is derived again, in 4 configs; its shard is encoded again
    # in each config (and kept: the file and its record); every other shard is the kept file itself.
    assert len(set(cache.folder.iterdir()) - before) == 4 + 4 * 2
    empty = {f["path"] for f in json.loads(_files(first)["MANIFEST.json"])["files"] if f.get("rows") == 0}
    encoded = [p for p in encoded if f"data/{p.parent.name}/{p.name}" not in empty]  # nothing to keep there
    assert len(encoded) == 4 and {p.parent.name for p in encoded} == set(release.CONFIGS)
    assert len({p.name for p in encoded}) == 1 and all(p.name.startswith(f"{obj['split']}-") for p in encoded)
    fresh = build_release(validate_corpus(corpus).documents, out_root=tmp_path / "fresh", corpus=corpus)
    assert _release(edited) == _release(fresh)  # byte for byte, footers and manifest included
    unchanged = [p for p in shards if not p.endswith(encoded[0].name)]
    assert all(_files(edited)[p] == _files(first)[p] for p in unchanged)
    # Linked from the build cache, not written: the first release's file is the very same one
    # (an empty shard has no rows to key it by: it is encoded, in no time).
    assert all(os.path.samefile(edited / p, first / p) for p in unchanged if p not in empty)
    assert not any(os.path.samefile(edited / p, first / p) for p in shards if p.endswith(encoded[0].name))


def test_a_build_cache_on_another_filesystem_gets_copies_and_the_same_release(corpus, tmp_path, monkeypatch):
    import errno

    def cross_device(source, target):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    cache = BuildCache(tmp_path / "cache")
    documents = validate_corpus(corpus, keep_documents=False).documents
    first = build_release(documents, out_root=tmp_path / "first", corpus=corpus, cache=cache)
    again = build_release(documents, out_root=tmp_path / "again", corpus=corpus, cache=cache)
    shards = [p for p in _files(first) if p.startswith("data/")]
    assert _release(first) == _release(again)
    assert not any(os.path.samefile(again / p, first / p) for p in shards)


def test_a_new_version_restamps_the_kept_shards_instead_of_encoding_them(corpus, tmp_path, monkeypatch):
    encoded = []
    real_write = release.write_parquet
    monkeypatch.setattr(release, "write_parquet", lambda path, *a: encoded.append(path) or real_write(path, *a))
    cache = BuildCache(tmp_path / "cache")
    documents = validate_corpus(corpus, keep_documents=False).documents
    first = build_release(documents, out_root=tmp_path / "first", corpus=corpus, cache=cache)
    old = release.project_version()
    new = ".".join(str((int(part) + 1) % 10) for part in old.split("."))  # as long: the footer keeps its size
    monkeypatch.setattr(release, "project_version", lambda repo=None: new)
    monkeypatch.setattr(release, "require_changelog", lambda version, repo=None: "2026-12-04")
    encoded.clear()
    restamped = build_release(documents, out_root=tmp_path / "next", corpus=corpus, cache=cache)
    shards = [p for p in _files(first) if p.startswith("data/")]
    empty = {f["path"] for f in json.loads(_files(first)["MANIFEST.json"])["files"] if f.get("rows") == 0}
    assert len(shards) > len(empty) and [p for p in encoded if f"data/{p.parent.name}/{p.name}" not in empty] == []
    assert all(json.loads(pq.read_schema(restamped / p).metadata[b"newsspan"]) == {"version": new} for p in shards)
    assert not any(os.path.samefile(restamped / p, first / p) for p in shards)  # written: the first is untouched
    assert all(json.loads(pq.read_schema(first / p).metadata[b"newsspan"]) == {"version": old} for p in shards)
    fresh = build_release(documents, out_root=tmp_path / "fresh", corpus=corpus)
    assert _release(restamped) == _release(fresh)


def test_a_kept_shard_that_does_not_match_its_record_is_encoded_again(corpus, tmp_path, monkeypatch):
    cache = BuildCache(tmp_path / "cache")
    documents = validate_corpus(corpus, keep_documents=False).documents
    build_release(documents, out_root=tmp_path / "first", corpus=corpus, cache=cache)
    kept = [p for p in cache.folder.iterdir() if p.name.startswith("shard-") and "-about" not in p.name]
    assert kept
    kept[0].write_bytes(kept[0].read_bytes()[:-20] + b"\0" * 20)  # a damaged cache entry
    again = build_release(documents, out_root=tmp_path / "again", corpus=corpus, cache=cache)
    fresh = build_release(documents, out_root=tmp_path / "fresh", corpus=corpus)
    assert _release(again) == _release(fresh)


def test_restamping_a_parquet_file_gives_the_bytes_of_writing_it_with_the_new_metadata(tmp_path):
    import pyarrow as pa
    from datasets import Features, Value
    features = Features({"text": Value("string"), "n": Value("int64")})
    rows = [{"text": f"row {i} ünïcode {'x' * i}", "n": i} for i in range(2500)]
    old = json.dumps({"source_fingerprint": "a" * 64, "version": "0.1.0"}, sort_keys=True)
    new = json.dumps({"source_fingerprint": "b" * 64, "version": "0.1.0"}, sort_keys=True)
    write.write_parquet(tmp_path / "old.parquet", rows, features, {write.METADATA_KEY: old})
    write.write_parquet(tmp_path / "new.parquet", rows, features, {write.METADATA_KEY: new})
    data = (tmp_path / "old.parquet").read_bytes()
    restamped = write.restamped(data, old, new)
    assert restamped == (tmp_path / "new.parquet").read_bytes()
    longer = json.dumps({"source_fingerprint": "b" * 64, "version": "0.10.0"}, sort_keys=True)
    assert write.restamped(data, old, longer) is None  # encoded instead, by the caller
    assert write.restamped(data, new, old) is None  # not its value
    assert write.restamped(data[:-9] + b"PAR1", old, new) is None  # a damaged footer
    assert pa.parquet.read_table(pa.BufferReader(restamped)).to_pylist() == rows


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_changed_after_validation_refuses_the_build_and_keeps_the_release(corpus, tmp_path, jobs):
    out = tmp_path / "dist"
    first = build_release(validate_corpus(corpus, keep_documents=False).documents, out_root=out, corpus=corpus)
    before = _release(first)
    validated = validate_corpus(corpus, keep_documents=False).documents
    doc_id = sorted(validated)[5]
    raw = next((corpus / "raw").glob(f"{doc_id}.*"))
    raw.write_bytes(raw.read_bytes() + b" ")  # after validation, before the build reads it
    with pytest.raises(write.BuildRefused, match="changed after it was validated; validate again"):
        build_release(validated, out_root=out, corpus=corpus, force=True, jobs=jobs)
    assert _release(first) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".tmp")] == []


def test_shard_plan_keeps_documents_whole_and_in_order():
    assert write.plan_shards([], 10) == [range(0, 0)]
    assert write.plan_shards([4, 4, 4, 4], 10) == [range(0, 2), range(2, 4)]
    assert write.plan_shards([30, 1, 1], 10) == [range(0, 1), range(1, 3)]


def _runs(ids, sizes, target):
    return [tuple(ids[i] for i in run) for run in write.stable_runs(range(len(ids)), lambda i: (ids[i], sizes[i]), target)]


def test_stable_shards_are_bounded_and_move_only_around_an_added_or_removed_document():
    import random

    rng = random.Random(5)
    ids = sorted(f"doc-{rng.getrandbits(48):012x}" for _ in range(20_000))
    size = {d: rng.randint(1_000, 30_000) for d in ids}
    target = 400_000
    runs = _runs(ids, [size[d] for d in ids], target)
    assert [d for run in runs for d in run] == ids and len(runs) > 100  # whole documents, in order
    totals = [sum(size[d] for d in run) for run in runs]
    assert all(total <= 4 * target for total in totals)
    assert sum(total <= 2 * target for total in totals) >= 0.85 * len(runs)  # runs past 2x the target: e^-2.3
    assert target * 0.8 <= sum(totals) / len(totals) <= target * 1.2
    moved = []
    for trial in range(40):
        added = f"doc-{rng.getrandbits(48):012x}"
        size[added] = rng.randint(1_000, 30_000)
        gone = ids[rng.randrange(len(ids))]
        for changed in (sorted(ids + [added]), [d for d in ids if d != gone]):
            after = _runs(changed, [size[d] for d in changed], target)
            # the run that held the change, and rarely the next one, until an anchor resynchronises
            moved.append(len(set(runs) - set(after)))
    assert max(moved) <= 3 and sum(moved) / len(moved) <= 1.3, moved
    assert list(write.stable_runs([], lambda d: (d, 1), 10)) == [[]]


def test_editing_an_annotation_moves_no_shard_boundary(monkeypatch):
    from dataclasses import replace

    from newsspan.release import plan_tasks
    from newsspan.validate.ledger import Ledger, StoredDocuments, StoredDoc

    monkeypatch.setattr(write, "SHARD_RAW_BYTES", 200_000)

    def plan(edited: str | None):
        ledger = Ledger()
        for i in range(3_000):
            doc_id = f"d{i:05d}"
            stored = StoredDoc(doc_id, ("train", "test")[i % 2], None, f"/c/a/{doc_id}.json", f"/c/r/{doc_id}.txt",
                               f"a/{doc_id}.json", ("a" * 64, "b" * 64), 1_000 + (i * 7919) % 20_000, bytes(16))
            # an annotation edit changes the annotation's hash, never the id or the raw size
            ledger.add(replace(stored, digests=("c" * 64, "b" * 64)) if doc_id == edited else stored)
        return plan_tasks(StoredDocuments(ledger.seal()), "code")

    before, after = plan(None), plan("d01234")
    assert len(before) > 4 * 4 and [t.path for t in before] == [t.path for t in after]
    spans = lambda tasks: [[p.span for p in t.pieces] for t in tasks]  # noqa: E731
    assert spans(before) == spans(after)
    changed = {t.path for t, u in zip(before, after) if [p.cache_key for p in t.pieces] != [p.cache_key for p in u.pieces]}
    assert len(changed) == 4  # the edited document's shard, in each of the four configs


# -- progress and the command line ----------------------------------------------------------

class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_prints_plain_lines_off_a_terminal_and_one_summary():
    stream, clock = io.StringIO(), _Clock()
    progress = Progress("check", 100, stream=stream, interval=10, clock=clock)
    clock.now = 5
    progress.advance(20)
    assert stream.getvalue() == ""  # before the first interval
    clock.now = 10
    progress.advance(30)
    assert stream.getvalue() == "check: 50/100 documents (50%), 5/s, ETA 10.0 s\n"
    clock.now = 20
    progress.advance(50)
    assert progress.finish() == "check: 100 documents in 20.0 s (5 documents/s)"
    assert stream.getvalue().splitlines()[-1] == "check: 100 documents in 20.0 s (5 documents/s)"


def test_quiet_progress_prints_nothing():
    stream = io.StringIO()
    progress = Progress("check", 10, stream=stream, quiet=True, interval=0)
    progress.advance(10)
    progress.finish()
    assert stream.getvalue() == ""


def _cli(*args, cache: Path):
    env = {**__import__("os").environ, "NEWSSPAN_CACHE_DIR": str(cache)}
    proc = subprocess.run([sys.executable, str(REPO / "build_dataset.py"), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def test_cli_jobs_and_cache_do_not_change_the_report(corpus, tmp_path):
    _corrupt(corpus)
    cache = tmp_path / "cache"
    code, plain, _ = _cli("validate", str(corpus), "--no-cache", "--jobs", "1", cache=cache)
    assert code == 1 and " NS304 " in plain
    assert _cli("validate", str(corpus), "--jobs", "2", "-q", cache=cache) == (1, plain, "")
    code, again, err = _cli("validate", str(corpus), cache=cache)
    assert (code, again) == (1, plain)
    assert f"{N_DOCS + 1} from cache" in err.splitlines()[-1]  # the corpus plus the copy; the orphan has no pair
