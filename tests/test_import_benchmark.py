"""`import-benchmark`: a public extraction benchmark (AEB, WCXB) becomes a valid NewsSpan corpus.

The benchmarks are read from ../shared/benchmarks (relative to the repository root); each test
copies a few of their pages into a folder laid out as upstream publishes it. Without the
benchmarks the tests skip, except under CI, where a missing benchmark is a failure.
"""
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from newsspan.derive import clean_text
from newsspan.evaluate.align import WORD, fold
from newsspan.validate import validate_corpus

from conftest import REPO

SHARED = REPO.parent / "shared" / "benchmarks"
AEB, WCXB = SHARED / "aeb", SHARED / "wcxb"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def shared():
    if not (AEB / "ground-truth.json").is_file() or not (WCXB / "test" / "ground-truth").is_dir():
        message = f"the public benchmarks are not at ../shared/benchmarks ({SHARED})"
        if _in_ci():
            pytest.fail(message + ": CI must have them")
        pytest.skip(message)
    return SHARED


AEB_IDS = sorted(json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8")))[:3] if AEB.is_dir() else []
# Three small WCXB pages of three page types (collection, forum, article), with `with` and `without` lists.
WCXB_IDS = ["4207", "5121", "5521"]


def _aeb_source(tmp_path, ids, edit=None):
    root = tmp_path / "aeb-src"
    (root / "html").mkdir(parents=True)
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    chosen = {k: dict(truth[k]) for k in ids}
    if edit:
        edit(chosen)
    (root / "ground-truth.json").write_text(json.dumps(chosen), encoding="utf-8")
    for k in ids:
        shutil.copy(AEB / "html" / f"{k}.html.gz", root / "html")
    return root


def _wcxb_source(tmp_path, ids):
    root = tmp_path / "wcxb-src"
    split = root / "test"
    (split / "html").mkdir(parents=True)
    (split / "ground-truth").mkdir()
    for k in ids:
        shutil.copy(WCXB / "test" / "html" / f"{k}.html.gz", split / "html")
        shutil.copy(WCXB / "test" / "ground-truth" / f"{k}.json", split / "ground-truth")
    shutil.copy(WCXB / "metadata.json", root)  # one level up, as upstream lays it out
    return split


def _cli(*args):
    proc = subprocess.run([sys.executable, str(REPO / "build_dataset.py"), *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("view", ["text", "markdown"])
def test_an_import_is_a_valid_corpus_and_the_same_bytes_twice(shared, tmp_path, view):
    source = _wcxb_source(tmp_path, WCXB_IDS)
    code, out, err = _cli("import-benchmark", "wcxb", source, "--out", tmp_path / "a", "--view", view, "--jobs", "2")
    assert code == 0, err
    assert "kept 3 of 3 pages" in out and "Traceback" not in err
    code, _, err = _cli("import-benchmark", "wcxb", source, "--out", tmp_path / "b", "--view", view, "--jobs", "1")
    assert code == 0, err
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert first == second and len(first) == 3 * 3 + 1
    for command in (("validate", "--corpus", tmp_path / "a"), ("fmt", "--check", "--corpus", tmp_path / "a")):
        code, out, err = _cli(*command)
        assert code == 0, out + err
    suffix = ".txt" if view == "text" else ".md"
    assert sorted(p.name for p in (tmp_path / "a" / "raw").iterdir()) == [f"wcxb-{k}{suffix}" for k in WCXB_IDS]


def test_provenance_gold_and_the_must_lists(shared, tmp_path):
    source = _wcxb_source(tmp_path, WCXB_IDS)
    assert _cli("import-benchmark", "wcxb", source, "--out", tmp_path / "c")[0] == 0
    report = validate_corpus(tmp_path / "c")
    assert report.ok and sorted(report.documents) == [f"wcxb-{k}" for k in WCXB_IDS]
    metadata = json.loads((WCXB / "metadata.json").read_text(encoding="utf-8"))["files"]
    for page_id in WCXB_IDS:
        doc = report.documents[f"wcxb-{page_id}"]
        truth = json.loads((WCXB / "test" / "ground-truth" / f"{page_id}.json").read_text(encoding="utf-8"))
        html = gzip.decompress((WCXB / "test" / "html" / f"{page_id}.html.gz").read_bytes())
        imp = doc.imported
        assert (imp.benchmark, imp.page_id, imp.url, imp.view) == ("wcxb", page_id, truth["url"], "text")
        assert imp.html_sha256 == hashlib.sha256(html).hexdigest()
        assert imp.converter == "inscriptis" and imp.converter_version
        assert "CC BY 4.0" in imp.licence and "WCXB" in imp.licence
        assert imp.page_type == metadata[page_id]["page_type"]
        assert doc.split == "test" and not doc.entities and not doc.quotes
        # The copied HTML is the original, byte for byte.
        assert gzip.decompress((tmp_path / "c" / "html" / f"wcxb-{page_id}.html.gz").read_bytes()) == html
        # Content = the ground truth: most of its words are in the clean text, in order.
        gold_words = WORD.findall(fold(truth["ground_truth"]["title"] + " " + truth["ground_truth"]["main_content"]))
        kept_words = WORD.findall(fold(clean_text(doc)))
        assert imp.aligned_tokens >= 0.9 * imp.gold_tokens == 0.9 * len(gold_words)
        assert len(kept_words) <= 1.1 * len(gold_words)
        labels = {s.label for s in doc.boilerplate}
        assert labels <= {"unknown", "must-remove"} and "unknown" in labels
        # A must-remove span is `without` strings (adjacent ones make one span, rule B3); a must-keep
        # span has a `with` sentence's words.
        without = sorted({w.strip() for w in truth["ground_truth"]["without"]}, key=len, reverse=True)
        for span in doc.boilerplate:
            if span.label == "must-remove":
                rest = span.text
                for string in without:
                    rest = rest.replace(string, " ")
                assert not rest.strip(), span.text
        sentences = [WORD.findall(fold(s)) for s in truth["ground_truth"]["with"]]
        for span in imp.must_keep:
            words = WORD.findall(fold(span.text))
            assert any(words[:-1] == w[:-1] and w[-1].startswith(words[-1][:1]) for w in sentences), span.text
    assert any(s.label == "must-remove" for d in report.documents.values() for s in d.boilerplate)
    assert sum(len(d.imported.must_keep) for d in report.documents.values()) >= 6


def test_aeb_has_no_headline_and_pages_that_do_not_align_are_left_out_and_listed(shared, tmp_path):
    def swap(chosen):  # the first page gets a ground truth that its HTML does not hold
        first, second = AEB_IDS[0], AEB_IDS[1]
        chosen[first]["articleBody"] = chosen[second]["articleBody"]
    source = _aeb_source(tmp_path, AEB_IDS, swap)
    code, out, err = _cli("import-benchmark", "aeb", source, "--out", tmp_path / "d")
    assert code == 0, err
    assert "kept 2 of 3 pages (article 2)" in out
    assert "left out 1 pages" in out and f"  {AEB_IDS[0]} (article): " in out
    summary = json.loads((tmp_path / "d" / "import.json").read_text(encoding="utf-8"))
    assert [p["page_id"] for p in summary["left_out"]] == [AEB_IDS[0]]
    assert summary["left_out"][0]["aligned_share"] < summary["min_aligned_share"]
    docs = validate_corpus(tmp_path / "d").documents
    assert sorted(docs) == [f"aeb-{k}" for k in AEB_IDS[1:]]
    assert all(d.imported.page_type == "article" and "MIT" in d.imported.licence for d in docs.values())


def test_bad_sources_and_targets_are_refused_clearly_and_write_nothing(shared, tmp_path):
    code, _, err = _cli("import-benchmark", "aeb", tmp_path / "missing", "--out", tmp_path / "x")
    assert code == 2 and "no such folder" in err
    (tmp_path / "empty").mkdir()
    code, _, err = _cli("import-benchmark", "wcxb", tmp_path / "empty", "--out", tmp_path / "x")
    assert code == 1 and "html/ and ground-truth/" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()
    code, _, err = _cli("import-benchmark", "aeb", AEB, "--out", REPO / "imported")
    assert code == 2 and "inside the repository" in err and not (REPO / "imported").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    code, _, err = _cli("import-benchmark", "aeb", _aeb_source(tmp_path, AEB_IDS[:1]), "--out", other)
    assert code == 1 and "not an earlier import" in err and sorted(p.name for p in other.iterdir()) == ["keep.txt"]
    source = _aeb_source(tmp_path / "broken", AEB_IDS[:2])
    (source / "html" / f"{AEB_IDS[0]}.html.gz").write_bytes(b"not gzip")
    code, out, err = _cli("import-benchmark", "aeb", source, "--out", tmp_path / "y")
    assert code == 0 and "kept 1 of 2 pages" in out and f"skipped {AEB_IDS[0]}: html/" in out


def test_views_drop_scripts_and_styles_and_keep_blocks_apart():
    from newsspan.benchimport.views import render

    html = (b"<html><head><title>T</title><style>p{color:red}</style><script>var x = 1;</script></head><body>"
            b"<h1>Head</h1><p>One <b>bold</b> word.</p><script>alert(2)</script><ul><li>a</li><li>b</li></ul></body></html>")
    text, markdown = render(html, "text"), render(html, "markdown")
    for view in (text, markdown):
        assert "color" not in view and "var x" not in view and "alert" not in view
    assert [line.strip() for line in text.splitlines() if line.strip()] == ["Head", "One bold word.", "* a", "* b"]
    assert "# Head" in markdown and "**bold**" in markdown and "- a\n- b" in markdown
