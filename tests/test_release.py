"""Release rules: versions never change silently, builds are atomic, one build at a time."""
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
from datasets import load_dataset

from newsspan import release as release_mod
from newsspan import write
from newsspan.release import build_release
from newsspan.validate import validate_corpus
from newsspan.write import BuildRefused

from conftest import CORPUS, REPO


def _build(corpus, out, force=False):
    report = validate_corpus(corpus)
    assert report.ok, report.incidents
    return build_release(report.documents, out_root=out, force=force, corpus=corpus)


def _relabel_first_entity(corpus, new_label="ORG"):
    path = corpus / "annotations" / "nytimes-kherson-officials-flee.json"
    ann = json.loads(path.read_text())
    from newsspan.fmt import format_annotation
    old = ann["entities"][0]["label"]
    ann["entities"][0]["label"] = new_label
    path.write_text(format_annotation(ann))
    return ann["entities"][0]["id"], old


@pytest.fixture
def corpus_copy(seed_corpus):
    """The seeds as a corpus never released (no released_splits.json): a build of it may be forced."""
    (seed_corpus / "released_splits.json").unlink()
    return seed_corpus


def _released_at_the_current_version(corpus):
    """Record every document of `corpus` as released in the current version."""
    from newsspan.validate import validate_corpus as check
    version = release_mod.project_version()
    splits = {doc_id: doc.split for doc_id, doc in check(corpus).documents.items()}
    (corpus / "released_splits.json").write_text(
        json.dumps({d: {"split": s, "version": version} for d, s in sorted(splits.items())}, indent=2), encoding="utf-8")
    return corpus


@pytest.fixture
def out(tmp_path):
    """The output root, apart from the corpus copy that shares tmp_path."""
    return tmp_path / "dist"


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_rebuild_from_changed_inputs_is_refused_then_forced(corpus_copy, out):
    target = _build(corpus_copy, out)
    before = _snapshot(target)
    _relabel_first_entity(corpus_copy)
    with pytest.raises(BuildRefused, match="not released yet: pass --force"):
        _build(corpus_copy, out)
    assert _snapshot(target) == before
    _build(corpus_copy, out, force=True)
    assert _snapshot(target) != before


@pytest.mark.parametrize("force", [False, True])
def test_a_released_version_is_never_rebuilt_from_changed_inputs(seed_corpus, out, force):
    """Regression: `build --force` rewrote a released version."""
    corpus = _released_at_the_current_version(seed_corpus)
    target = _build(corpus, out)
    before = _snapshot(target)
    _relabel_first_entity(corpus)
    with pytest.raises(BuildRefused, match="a released version never changes, not even with --force"):
        _build(corpus, out, force=force)
    assert _snapshot(target) == before


def test_a_page_in_no_version_yet_changes_no_byte_of_the_release(seed_corpus, out, tmp_path):
    """Regression: the released version was rebuilt with an added page (3 test documents instead of 2)."""
    from newsspan.release import project_version
    corpus = _released_at_the_current_version(seed_corpus)
    target = _build(corpus, out)
    before = _snapshot(target)
    nyt = "nytimes-kherson-officials-flee"
    (corpus / "raw" / "another-page.txt").write_text("Another page\nIt says something else entirely, at length.\n")
    ann = json.loads((corpus / "annotations" / f"{nyt}.json").read_text())
    from newsspan.fmt import format_annotation
    import hashlib
    raw = (corpus / "raw" / "another-page.txt").read_bytes()
    ann.update(doc_id="another-page", near_duplicate_group=None, split="test", boilerplate=[], entities=[], quotes=[])
    ann["metadata"]["raw_sha256"] = hashlib.sha256(raw).hexdigest()
    (corpus / "annotations" / "another-page.json").write_text(format_annotation(ann))
    report = validate_corpus(corpus)
    assert report.ok and "another-page" in report.documents
    for force in (False, True):
        again = build_release(report.documents, out_root=out, force=force, corpus=corpus)
        assert _snapshot(again) == before
    fresh = build_release(report.documents, out_root=tmp_path / "fresh", corpus=corpus)
    assert {k: v for k, v in _snapshot(fresh).items() if k.startswith("data/")} == \
        {k: v for k, v in before.items() if k.startswith("data/")}
    assert fresh.name == project_version()


def test_a_version_older_than_the_corpus_is_refused_even_forced(seed_corpus, out):
    from newsspan.versions import bumped
    corpus = _released_at_the_current_version(seed_corpus)
    records = json.loads((corpus / "released_splits.json").read_text())
    first = sorted(records)[0]
    records[first]["version"] = bumped(release_mod.project_version(), "minor")
    (corpus / "released_splits.json").write_text(json.dumps(records))
    for force in (False, True):
        with pytest.raises(BuildRefused, match="is built only from its own commit"):
            _build(corpus, out, force=force)
    assert not out.exists() or not any(out.iterdir())


def test_a_released_document_that_is_missing_is_refused(seed_corpus, out):
    corpus = _released_at_the_current_version(seed_corpus)
    for path in (corpus / "raw").glob("nytimes-*"):
        path.unlink()
    (corpus / "annotations" / "nytimes-kherson-officials-flee.json").unlink()
    with pytest.raises(BuildRefused, match="released document 'nytimes-kherson-officials-flee' is missing"):
        _build(corpus, out)


def test_load_dataset_sees_a_forced_rebuild_not_a_stale_cache(corpus_copy, out):
    target = _build(corpus_copy, out)
    first = load_dataset(str(target), "documents", split="test")
    row = next(r for r in first if r["id"] == "nytimes-kherson-officials-flee")
    names = first.features["entities"].feature["label"].names
    assert names[row["entities"][0]["label"]] == "NORP"
    _relabel_first_entity(corpus_copy, "ORG")
    _build(corpus_copy, out, force=True)
    second = load_dataset(str(target), "documents", split="test")
    row = next(r for r in second if r["id"] == "nytimes-kherson-officials-flee")
    assert names[row["entities"][0]["label"]] == "ORG"


def test_a_version_without_changelog_entry_is_refused(corpus_copy, out, monkeypatch):
    monkeypatch.setattr(release_mod, "project_version", lambda repo=REPO: "9.9.9")
    with pytest.raises(BuildRefused, match="CHANGELOG.md has no entry for version 9.9.9"):
        _build(corpus_copy, out)
    assert not (out / "9.9.9").exists()


def test_a_failed_build_leaves_the_previous_release_intact(corpus_copy, out, monkeypatch):
    target = _build(corpus_copy, out)
    before = _snapshot(target)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full (simulated)")
        return real(*args, **kwargs)
    real = write.write_parquet
    monkeypatch.setattr(release_mod, "write_parquet", failing)
    with pytest.raises(OSError, match="simulated"):
        _build(corpus_copy, out, force=True)
    assert _snapshot(target) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".tmp-")] == []


KILL_SCRIPT = """
import sys, time
from pathlib import Path
from newsspan import release
from newsspan.validate import validate_corpus
real = release.write_parquet
def slow(*a, **k):
    real(*a, **k)
    print("wrote", flush=True)
    time.sleep(60)
release.write_parquet = slow
corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
release.build_release(validate_corpus(corpus).documents, out_root=out, force=True, corpus=corpus)
"""


def test_a_killed_build_leaves_the_previous_release_intact(corpus_copy, out):
    target = _build(corpus_copy, out)
    before = _snapshot(target)
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(corpus_copy), str(out)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "wrote"  # mid-write: one shard written, the rest pending
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _snapshot(target) == before
    visible = [p.name for p in out.iterdir() if not p.name.startswith(".")]
    assert visible == [target.name]
    _build(corpus_copy, out, force=True)  # the next build clears the leftover staging folder
    assert [p.name for p in out.iterdir() if p.name.startswith(".tmp-")] == []


def test_a_second_concurrent_build_is_refused_clearly(corpus_copy, out):
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".build.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(BuildRefused, match="another build is writing"):
            _build(corpus_copy, out)


def test_build_command_writes_the_release(tmp_path):
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, str(REPO / "build_dataset.py"), "build", "--out", str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / release_mod.project_version()).is_dir()


def test_same_inputs_but_different_derived_rows_are_refused(corpus_copy, out, monkeypatch):
    target = _build(corpus_copy, out)
    before = _snapshot(target)
    from newsspan import derive

    real = derive.DERIVERS["blocks"]
    monkeypatch.setitem(derive.DERIVERS, "blocks", lambda doc, lay=None: (dict(r, text=r["text"].upper()) for r in real(doc, lay)))
    with pytest.raises(BuildRefused, match="derives different data"):
        _build(corpus_copy, out)
    assert _snapshot(target) == before


def test_the_source_fingerprint_from_validated_hashes_is_the_one_from_the_files(tmp_path, monkeypatch):
    from newsspan.release import fingerprints, stored_fingerprints

    documents = validate_corpus(CORPUS, keep_documents=False).documents
    assert stored_fingerprints(CORPUS, documents) == fingerprints(CORPUS)
    # File names sort otherwise than ids when an id is another's prefix ("x-0.json" < "x.json").
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    first = sorted(documents)[0]
    added = next(f"{first}-{n}" for n in range(len(documents) + 1) if f"{first}-{n}" not in documents)
    value = json.loads((root / "annotations" / f"{first}.json").read_text(encoding="utf-8"))
    value["doc_id"] = added
    (root / "annotations" / f"{added}.json").write_text(json.dumps(value), encoding="utf-8")
    (raw,) = (root / "raw").glob(f"{first}.*")
    shutil.copy(raw, raw.with_name(f"{added}{raw.suffix}"))
    grown = validate_corpus(root, keep_documents=False).documents
    assert added in grown and len(grown) == len(documents) + 1
    assert stored_fingerprints(root, grown) == fingerprints(root, set(grown)) == fingerprints(root)
    # the hashes validation recorded are the ones used
    real = grown.files
    monkeypatch.setattr(grown, "files", lambda folder: ((n, p, "0" * 64) for n, p, _ in real(folder)))
    assert stored_fingerprints(root, grown).source != fingerprints(root).source
