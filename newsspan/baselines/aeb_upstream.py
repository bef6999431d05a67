"""The article-extraction benchmark (AEB) as upstream publishes it, scored with our AEB metric.

Upstream (scrapinghub/article-extraction-benchmark) ships 181 HTML pages, their ground truth
(`{page_id: {"articleBody": text, ...}}`) and the outputs of the systems it ran (`output/<system>.json`,
either `{page_id: {"articleBody": text}}` or `{"version": ..., "output": {...}}`; a null articleBody
is the empty text, as upstream reads it). `PUBLISHED` holds upstream's published F1, precision and
recall of each; `reproduction` scores every published output and our own runs of the libraries
whose settings upstream published (`RUNS`, on the original HTML) with `newsspan.evaluate.aeb`.
Nothing here fetches anything: the benchmark folder is the user's download.
"""
from __future__ import annotations

import gzip
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

from ..evaluate.aeb import corpus_scores, page_counts
from ..read import MAX_SOURCE_JSON_BYTES, read_outside_json
from ..evaluate.stats import Bootstrap
from . import external


@dataclass(frozen=True, slots=True)
class Figures:
    f1: float
    precision: float
    recall: float


# Upstream's published scores on its 181 pages (its README at commit 4a3bc979f76c), by output file stem.
PUBLISHED: dict[str, tuple[str, Figures]] = {
    "AutoExtract": ("Nov 2019 (commercial)", Figures(0.970, 0.984, 0.956)),
    "trafilatura": ("trafilatura 2.0.0", Figures(0.958, 0.938, 0.978)),
    "Diffbot": ("Nov 2019 (commercial)", Figures(0.951, 0.958, 0.944)),
    "newspaper": ("newspaper4k 0.9.3.1", Figures(0.949, 0.964, 0.934)),
    "readability_js": ("Readability.js 0.6.0", Figures(0.947, 0.914, 0.982)),
    "readability": ("readability-lxml 0.8.4.1", Figures(0.922, 0.913, 0.931)),
    "dragnet": ("dragnet 1b65e7b", Figures(0.907, 0.925, 0.889)),
    "goose3": ("goose3 3.1.20", Figures(0.896, 0.940, 0.856)),
    "boilerpipe": ("boilerpipe ab3694d (Java)", Figures(0.860, 0.850, 0.870)),
    "justext": ("jusText 3.0.2", Figures(0.804, 0.858, 0.756)),
    "inscriptis": ("inscriptis 2.6.0", Figures(0.679, 0.517, 0.992)),
    "html-text": ("html-text 0.7.0", Figures(0.665, 0.500, 0.994)),
}

# Our runs with upstream's settings (see `external`): output stem -> (distribution, function of the HTML).
RUNS: dict[str, tuple[str, Callable[[str], str]]] = {
    "trafilatura": ("trafilatura", external.trafilatura_html),
    "readability": ("readability-lxml", external.readability_html),
    "justext": ("jusText", external.justext_html),
}


class BenchmarkFolderError(ValueError):
    """The AEB folder is missing, incomplete or holds a file that is not valid JSON."""


def ground_truth(root: Path) -> dict[str, str]:
    """page id -> the gold article body."""
    return _bodies(_json(root / "ground-truth.json"))


def published_output(path: Path) -> dict[str, str]:
    """page id -> a published system's article body, in either of upstream's two file shapes."""
    found = _json(path)
    return _bodies(found["output"] if "output" in found and "version" in found else found)


def html_pages(root: Path, ids: list[str]) -> dict[str, str]:
    """page id -> its original HTML (gzip, UTF-8, read as upstream reads it)."""
    pages = {}
    for page_id in ids:
        path = root / "html" / f"{page_id}.html.gz"
        if not path.is_file():
            raise BenchmarkFolderError(f"{path.name} is missing from {root.name}/html/: download the benchmark again")
        with gzip.open(path, "rt", encoding="utf8") as f:
            pages[page_id] = f.read()
    return pages


def score(gold: dict[str, str], predicted: dict[str, str]) -> Figures:
    """Corpus F1, precision, recall of the AEB metric; the page ids must be the same, as upstream requires."""
    if gold.keys() != predicted.keys():
        missing, extra = len(gold.keys() - predicted.keys()), len(predicted.keys() - gold.keys())
        raise ValueError(f"the predictions miss {missing} pages of the ground truth and add {extra}")
    pages = [page_counts(gold[k], predicted[k]) for k in sorted(gold)]
    prf = corpus_scores(pages, Bootstrap(len(pages), resamples=0))
    return Figures(prf.f1.value or 0.0, prf.precision.value or 0.0, prf.recall.value or 0.0)


@dataclass(frozen=True, slots=True)
class Row:
    system: str
    upstream_version: str
    upstream: Figures
    published: Figures           # upstream's own output, scored by our metric
    run_version: str | None      # our run of the library with upstream's settings, where we have one
    run: Figures | None


def reproduction(root: Path, run: bool = True, jobs: int = 2) -> list[Row]:
    """One row per system of `PUBLISHED`, in its order; our runs in `jobs` processes."""
    if not (root / "ground-truth.json").is_file():
        raise BenchmarkFolderError(f"no ground-truth.json in {root}: point at a download of the benchmark")
    gold = ground_truth(root)
    ours: dict[str, tuple[str, Figures]] = {}
    if run:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            ours = dict(zip(RUNS, pool.map(our_run, [root] * len(RUNS), RUNS)))
    rows = []
    for system, (version, upstream) in PUBLISHED.items():
        path = root / "output" / f"{system}.json"
        if not path.is_file():
            raise BenchmarkFolderError(f"output/{path.name} is missing from {root.name}: download the benchmark again")
        run_version, run_figures = ours.get(system, (None, None))
        rows.append(Row(system, version, upstream, score(gold, published_output(path)), run_version, run_figures))
    return rows


def our_run(root: Path, system: str) -> tuple[str, Figures]:
    """(library and version, figures) of our run of `system` on every page's original HTML."""
    dist, extract = RUNS[system]
    gold = ground_truth(root)
    html = html_pages(root, sorted(gold))
    return f"{dist} {metadata.version(dist)}", score(gold, {k: extract(html[k]) for k in gold})


def table(rows: list[Row]) -> str:
    """The reproduction table (Markdown): F1 / P / R to 3 decimals."""
    def fig(f: Figures | None) -> str:
        return f"{f.f1:.3f} / {f.precision:.3f} / {f.recall:.3f}" if f else "-"
    lines = ["| system | upstream's version | upstream's F1 / P / R | its published output, our metric | "
             "our run: version | our run: F1 / P / R |", "|---|---|---|---|---|---|"]
    lines += [f"| {r.system} | {r.upstream_version} | {fig(r.upstream)} | {fig(r.published)} | {r.run_version or '-'} | "
              f"{fig(r.run)} |" for r in rows]
    return "\n".join(lines)


def _json(path: Path):
    if not path.is_file():
        raise BenchmarkFolderError(f"{path} is missing: point at a download of the benchmark")
    source, problems = read_outside_json(path, MAX_SOURCE_JSON_BYTES)
    if problems:
        first = problems[0]
        raise BenchmarkFolderError(f"{first.path}:{first.line}:{first.col}: not valid JSON ({first.code} {first.message})")
    return source.value


def _bodies(pages: dict) -> dict[str, str]:
    return {page_id: (item.get("articleBody") or "") for page_id, item in pages.items()}
