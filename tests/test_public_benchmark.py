"""The public benchmark (AEB and WCXB imported in both views): commands, committed results, and the
stale test, which imports and scores a fixed sample of pages and compares with the committed figures.

The benchmarks are read from ../shared/benchmarks (relative to the repository root). Without them
the tests that need them skip, except under CI, where a missing benchmark is a failure. The full run
(all pages) is benchmarks/run_public.py.
"""
import json
import os
import subprocess
import sys

import pytest

from newsspan.baselines import BASELINES
from newsspan.baselines.leaderboard import PUBLIC_CORPORA, leaderboard_markdown, public_results_summary
from newsspan.docs import block

from conftest import REPO

SHARED = REPO.parent / "shared" / "benchmarks"
RESULTS = REPO / "benchmarks" / "results"
SAMPLE = RESULTS / "public" / "sample-figures.json"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def shared():
    if not (SHARED / "aeb" / "ground-truth.json").is_file() or not (SHARED / "wcxb" / "test").is_dir():
        message = f"the public benchmarks are not at ../shared/benchmarks ({SHARED})"
        if _in_ci():
            pytest.fail(message + ": CI must have them")
        pytest.skip(message)
    return SHARED


def _cli(*args):
    proc = subprocess.run([sys.executable, str(REPO / "build_dataset.py"), *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


# -- the stale test ---------------------------------------------------------------------------

def test_the_sample_gives_the_committed_figures(shared):
    from newsspan.benchimport.sample import sample_figures

    committed = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert sample_figures(shared) == committed, "run: python3 benchmarks/run_public.py"


def test_the_committed_sample_covers_every_corpus_system_and_input():
    committed = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert sorted(committed) == sorted(PUBLIC_CORPORA)
    for corpus, found in committed.items():
        assert found["pages"] and sorted(found["systems"]) == sorted(b.name for b in BASELINES), corpus
        oracle = found["systems"]["gold-oracle"]
        # The gold clean_text, aligned back, finds its characters again (a word cut by a span edge may not).
        assert oracle["char/content"] >= 0.99 and oracle["char/boilerplate"] >= 0.99 and oracle["aeb"] == 1.0
        inputs = {name: f["input"] for name, f in found["systems"].items()}
        html_systems = {b.name for b in BASELINES if getattr(b, "from_html", None)}
        assert {n for n, i in inputs.items() if i == "original-html"} == html_systems, corpus


# -- the committed full results -----------------------------------------------------------------

@pytest.mark.parametrize("name", PUBLIC_CORPORA)
def test_committed_results_are_complete_current_and_hold_no_page_text(name):
    folder = RESULTS / name
    results = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}
    assert sorted(results) == sorted(b.name for b in BASELINES), "run: python3 benchmarks/run_public.py"
    assert (folder / "leaderboard.md").read_text(encoding="utf-8") == leaderboard_markdown(folder) + "\n"
    assert (folder / "content-vs-boilerplate.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    benchmark, view = name.split("-")
    for system, result in results.items():
        info = result["import"]
        assert (info["benchmark"], info["view"], result["corpus"]) == (benchmark, view, name)
        assert len(result["documents"]) == info["kept"] and "documents" not in result["scores"]
        assert result["runtime"]["wall_seconds"] > 0 or system in ("keep-everything", "remove-everything")
        strings = []

        def walk(value):
            if isinstance(value, str):
                strings.append(value)
            elif isinstance(value, dict):
                for k, v in value.items():
                    strings.append(k), walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)
        walk(result)
        assert max(map(len, strings)) < 400, f"{system}: results hold figures and names, no page text"
        if benchmark == "wcxb":
            assert len(result["scores"]["page_types"]) == 7 and result["scores"]["overall"]["must_keep"]["gold_chars"]
    if benchmark == "aeb":
        assert results["gold-oracle"]["scores"]["overall"]["aeb"]["f1"]["value"] == 1.0


def test_readme_public_leaderboards_are_current():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert block(readme, "public-leaderboards") == public_results_summary(RESULTS), "run: python3 build_dataset.py docs"


# -- the commands on an imported corpus --------------------------------------------------------

@pytest.fixture(scope="module")
def imported(shared, tmp_path_factory):
    from newsspan.benchimport.convert import import_benchmark
    from newsspan.benchimport.sample import sample_ids, source_dir

    out = tmp_path_factory.mktemp("public") / "wcxb-text"
    import_benchmark("wcxb", source_dir(shared, "wcxb"), out, "text", jobs=1, quiet=True,
                     only=set(sample_ids(shared)["wcxb"]))
    return out


def test_benchmark_and_evaluate_on_an_imported_corpus(imported, tmp_path):
    out = tmp_path / "results"
    code, stdout, err = _cli("benchmark", "--corpus", imported, "--out", out, "--system", "keep-everything",
                             "--system", "trafilatura", "--system", "line-heuristic", "--repeats", "2")
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["content-vs-boilerplate.png", "keep-everything.json",
                                                     "leaderboard.md", "line-heuristic.json", "trafilatura.json"]
    assert "benchmark trafilatura:" in err  # progress
    traf = json.loads((out / "trafilatura.json").read_text(encoding="utf-8"))
    keep = json.loads((out / "keep-everything.json").read_text(encoding="utf-8"))
    assert traf["input"] == "original-html" and keep["input"] == "view" and traf["corpus"] == "wcxb-text"
    overall = keep["scores"]["overall"]
    assert overall["must_keep"]["share_kept"]["value"] == 1.0 and overall["leakage"]["must-remove"]["share_kept"]["value"] == 1.0
    assert "unknown" not in overall["leakage"]
    board = (out / "leaderboard.md").read_text(encoding="utf-8")
    assert "must-keep kept" in board and "by page type" in board and "[" in board
    # evaluate --corpus gives the same figures from a predictions file.
    from newsspan.validate import validate_corpus
    docs = validate_corpus(imported).documents
    predictions = tmp_path / "pred.jsonl"
    predictions.write_text("".join(json.dumps({"id": k, "text": d.raw_text}) + "\n" for k, d in docs.items()),
                           encoding="utf-8")
    code, stdout, err = _cli("evaluate", "--corpus", imported, "--predictions", predictions, "--format", "json")
    assert code == 0, err
    report = json.loads(stdout)
    assert report["overall"]["spans"] == overall["spans"] and report["page_types"] == keep["scores"]["page_types"]
    code, stdout, _ = _cli("evaluate", "--corpus", imported, "--predictions", predictions)
    assert "## By page type" in stdout and "## Must-keep sentences" in stdout and "| unknown |" not in stdout


def test_a_learned_system_is_never_trained_on_the_scored_pages(imported, tmp_path):
    code, _, err = _cli("benchmark", "--corpus", imported, "--train-corpus", imported, "--system", "line-classifier",
                        "--out", tmp_path / "r")
    assert code == 1 and "training documents are scored pages too" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()
    code, _, err = _cli("benchmark", "--corpus", imported, "--system", "line-classifier", "--out", tmp_path / "r",
                        "--repeats", "1")
    assert code == 0, err
    result = json.loads((tmp_path / "r" / "line-classifier.json").read_text(encoding="utf-8"))
    assert result["training"]["corpus"] == "newsspan" and result["training"]["split"] == "all"
    assert "trained on newsspan" in (tmp_path / "r" / "leaderboard.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("damage", ["garbage", "another page"])
def test_damaged_or_foreign_html_of_an_imported_corpus_is_refused(imported, tmp_path, damage):
    """The original HTML is outside data: read with the importer's limits and matched to its sha256."""
    import gzip
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(imported, corpus)
    pages = sorted((corpus / "html").glob("*.html.gz"))
    if damage == "garbage":
        pages[0].write_bytes(b"\x1f\x8b not gzip at all")
    else:
        pages[0].write_bytes(gzip.compress(b"<html><body><p>Some other page.</p></body></html>"))
    code, _, err = _cli("benchmark", "--corpus", corpus, "--system", "trafilatura", "--out", tmp_path / "r",
                        "--repeats", "1")
    assert code == 1 and pages[0].name in err and "import the benchmark again" in err, err
    assert "Traceback" not in err and not (tmp_path / "r").exists()
