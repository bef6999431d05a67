"""Our AEB metric and our extractor runs reproduce the article-extraction benchmark's published figures.

The benchmark is read from ../shared/benchmarks/aeb (relative to the repository root). Without it
the tests skip, except under CI, where a missing benchmark is a failure.
"""
import json
import os
import subprocess
import sys

import pytest

from newsspan.baselines import aeb_upstream
from newsspan.docs import block

from conftest import REPO

AEB = REPO.parent / "shared" / "benchmarks" / "aeb"
README = REPO / "benchmarks" / "README.md"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def aeb():
    if not (AEB / "ground-truth.json").is_file():
        message = f"the AEB benchmark is not at ../shared/benchmarks/aeb ({AEB})"
        if _in_ci():
            pytest.fail(message + ": CI must have it")
        pytest.skip(message)
    return AEB


@pytest.fixture(scope="module")
def rows(aeb):
    return {r.system: r for r in aeb_upstream.reproduction(aeb)}


def test_every_published_output_scores_upstreams_published_figures(rows):
    assert sorted(rows) == sorted(aeb_upstream.PUBLISHED) and len(rows) == 12
    for system, row in rows.items():
        for ours, theirs in ((row.published.f1, row.upstream.f1), (row.published.precision, row.upstream.precision),
                             (row.published.recall, row.upstream.recall)):
            assert round(ours, 3) == theirs, (system, row.published, row.upstream)


def test_published_files_of_both_shapes_and_null_bodies_are_read(aeb):
    shapes = {name: json.loads((aeb / "output" / f"{name}.json").read_text(encoding="utf-8")).keys() >= {"version", "output"}
              for name in aeb_upstream.PUBLISHED}
    assert any(shapes.values()) and not all(shapes.values())  # the benchmark has both shapes
    gold = aeb_upstream.ground_truth(aeb)
    for name in aeb_upstream.PUBLISHED:
        out = aeb_upstream.published_output(aeb / "output" / f"{name}.json")
        assert out.keys() == gold.keys() and all(isinstance(v, str) for v in out.values()), name


def test_trafilatura_and_justext_on_the_original_html_give_upstreams_f1(rows):
    # Upstream's published F1: trafilatura 0.958 (trafilatura 2.0.0), jusText 0.804 (3.0.2).
    assert abs(rows["trafilatura"].run.f1 - 0.958) <= 0.01, rows["trafilatura"].run
    assert abs(rows["justext"].run.f1 - 0.804) <= 0.01, rows["justext"].run
    assert rows["trafilatura"].run_version.startswith("trafilatura ")


def test_the_reproduction_table_in_the_benchmark_readme_is_current(rows):
    table = aeb_upstream.table(list(rows.values()))
    assert block(README.read_text(encoding="utf-8"), "aeb-reproduction") == table, \
        "run: python3 benchmarks/reproduce_aeb.py --write"


def test_scores_refuse_mismatched_pages_and_the_script_names_a_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="miss 1 pages of the ground truth and add 0"):
        aeb_upstream.score({"a": "x", "b": "y"}, {"a": "x"})
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "reproduce_aeb.py"), "--aeb", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "no ground-truth.json" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "ground-truth.json").write_text('{"p": {"articleBody": "x"}', encoding="utf-8")
    with pytest.raises(aeb_upstream.BenchmarkFolderError, match=r"ground-truth\.json:1:\d+: not valid JSON"):
        aeb_upstream.reproduction(tmp_path, run=False)
