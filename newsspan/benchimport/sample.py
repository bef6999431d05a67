"""A fixed sample of benchmark pages, imported and scored by every baseline: the figures that the
stale test compares with the committed `benchmarks/results/sample-figures.json`.

The full run (all pages, both benchmarks, both views) takes minutes and lives in
benchmarks/run_public.py; the sample takes seconds and still goes through every stage: reading the
benchmark as published, rendering both views, aligning the gold, writing and validating the
corpus, running each system on its input (original HTML or view text) and scoring it.
The sample is a rule, not a list: the AEB_PAGES smallest AEB pages, and the smallest WCXB page of
each page type (by HTML file size, ties by id), so that the test stays a matter of seconds.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from .sources import page_types

AEB_PAGES = 2
SOURCES = {"aeb": ("aeb",), "wcxb": ("wcxb", "test")}
FIGURES = ("char/content", "char/boilerplate", "token/content")


def source_dir(benchmarks: Path, benchmark: str) -> Path:
    return benchmarks.joinpath(*SOURCES[benchmark])


def _by_size(benchmarks: Path, benchmark: str) -> list[tuple[str, str | None]]:
    html = source_dir(benchmarks, benchmark) / "html"
    found = page_types(benchmark, source_dir(benchmarks, benchmark))
    sized = [(path.stat().st_size, page_id, kind) for page_id, kind in found.items()
             if (path := html / f"{page_id}.html.gz").is_file()]
    return [(page_id, kind) for _, page_id, kind in sorted(sized)]


def sample_ids(benchmarks: Path) -> dict[str, list[str]]:
    smallest: dict[str, str] = {}
    for page_id, page_type in _by_size(benchmarks, "wcxb"):
        smallest.setdefault(page_type or "unknown", page_id)
    aeb = [page_id for page_id, _ in _by_size(benchmarks, "aeb")[:AEB_PAGES]]
    return {"aeb": sorted(aeb), "wcxb": sorted(smallest.values())}


def _figures(result: dict) -> dict:
    overall = result["scores"]["overall"]
    found = {key: overall["spans"][key]["micro"]["f1"]["value"] for key in FIGURES}
    found["aeb"] = overall["aeb"]["f1"]["value"]
    found["empty"] = overall["empty"]
    found["must_keep"] = overall["must_keep"]["share_kept"]["value"]
    found["must_remove_leakage"] = overall["leakage"]["must-remove"]["share_kept"]["value"]
    found["input"] = result["input"]
    return found


def sample_figures(benchmarks: Path, systems=None) -> dict:
    """{"<benchmark>-<view>": {"pages": [...], "systems": {name: figures}}} for the sample."""
    from ..baselines import BASELINES
    from ..baselines.run import Inputs, newsspan_training, read_html, score_system
    from ..validate import validate_corpus
    from .convert import import_benchmark

    ids = sample_ids(benchmarks)
    training = newsspan_training("all")
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        for benchmark in ("aeb", "wcxb"):
            for view in ("text", "markdown"):
                out = Path(tmp) / f"{benchmark}-{view}"
                import_benchmark(benchmark, source_dir(benchmarks, benchmark), out, view, jobs=1, quiet=True,
                                 only=set(ids[benchmark]))
                report = validate_corpus(out)
                if not report.ok:
                    raise ValueError(f"the imported sample {benchmark}-{view} does not validate: {report.errors[0]}")
                documents = [report.documents[k] for k in sorted(report.documents)]
                inputs = Inputs(documents, "test", f"{benchmark}-{view}", read_html(out, documents), training)
                found[f"{benchmark}-{view}"] = {
                    "pages": [d.imported.page_id for d in documents],
                    "systems": {s.name: _figures(score_system(s, inputs, repeats=1)) for s in systems or BASELINES},
                }
    return found
