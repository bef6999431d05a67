"""Release rules: versions never change silently, builds are atomic, one build at a time."""
import fcntl
import json
import os
import signal
import subprocess
import sys
import time

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
def out(tmp_path):
    """The output root, apart from the corpus copy that shares tmp_path."""
    return tmp_path / "dist"


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_rebuild_from_changed_inputs_is_refused_then_forced(corpus_copy, out):
    target = _build(corpus_copy, out)
    before = _snapshot(target)
    _relabel_first_entity(corpus_copy)
    with pytest.raises(BuildRefused, match="Bump the version"):
        _build(corpus_copy, out)
    assert _snapshot(target) == before
    _build(corpus_copy, out, force=True)
    assert _snapshot(target) != before


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


def test_the_source_fingerprint_from_validated_hashes_is_the_one_from_the_files():
    from newsspan.release import _validated_hashes, fingerprints

    known = _validated_hashes(validate_corpus(CORPUS, keep_documents=False).documents)
    assert len(known) == 2 * len(list((CORPUS / "annotations").glob("*.json")))
    assert fingerprints(CORPUS, known) == fingerprints(CORPUS)
    wrong = {path: "0" * 64 for path in known}
    assert fingerprints(CORPUS, wrong).source != fingerprints(CORPUS).source  # the hashes are used
