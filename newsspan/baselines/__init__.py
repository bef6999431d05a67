"""Boilerplate-removal baselines: each maps a document's raw page to the text it keeps.

One module per family: `trivial` (keep everything, remove everything, the gold oracle),
`heuristic` (our line rules), `external` (published extractors, all fed the HTML of `html`).
`BASELINES` is what `build_dataset.py benchmark` runs, in this order.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib import metadata
from typing import Callable

from ..records import Document
from . import external, heuristic, trivial

# The conversion to HTML is part of every HTML extractor's run, so its libraries are recorded too.
HTML_PACKAGES = ("markdown-it-py", "lxml")


@dataclass(frozen=True, slots=True)
class Baseline:
    name: str                      # results file stem and leaderboard row
    family: str                    # "trivial", "heuristic" or "external"
    summary: str                   # what it keeps, with which settings
    extract: Callable[[Document], str]
    packages: tuple[str, ...] = ()  # distributions whose versions are recorded; the first is the system's own
    module: str | None = None      # what must import for the system to run


def _page(adapter: Callable[[str, str], str]) -> Callable[[Document], str]:
    def run(doc: Document) -> str:
        return adapter(doc.raw_text, doc.metadata.raw_format)
    return run


BASELINES: tuple[Baseline, ...] = (
    Baseline("gold-oracle", "trivial", "the gold clean_text (an upper bound: must score 1.0)", trivial.gold_oracle),
    Baseline("keep-everything", "trivial", "the raw page unchanged", trivial.keep_everything),
    Baseline("remove-everything", "trivial", "the empty text", trivial.remove_everything),
    Baseline("line-heuristic", "heuristic", "our per-line rules: length, link density, punctuation, stopwords",
             _page(heuristic.line_heuristic)),
    Baseline("justext", "external", "jusText, English stoplist, default thresholds",
             _page(external.justext_text), ("jusText", *HTML_PACKAGES), "justext"),
    Baseline("boilerpy3", "external", "boilerpy3 ArticleExtractor",
             _page(external.boilerpy3_text), ("boilerpy3", *HTML_PACKAGES), "boilerpy3"),
    Baseline("trafilatura", "external", "trafilatura extract, plain text, comments excluded",
             _page(external.trafilatura_text), ("trafilatura", "jusText", *HTML_PACKAGES), "trafilatura"),
    Baseline("readability-lxml", "external", "readability-lxml summary, as text",
             _page(external.readability_text), ("readability-lxml", "lxml_html_clean", *HTML_PACKAGES), "readability"),
    Baseline("resiliparse", "external", "Resiliparse main_content, comments excluded",
             _page(external.resiliparse_text), ("resiliparse", *HTML_PACKAGES), "resiliparse.extract.html2text"),
)


def by_name() -> dict[str, Baseline]:
    return {b.name: b for b in BASELINES}


def unavailable(baseline: Baseline) -> str | None:
    """Why a baseline cannot run here (a library missing or broken), or None."""
    for package in baseline.packages:
        try:
            metadata.version(package)
        except metadata.PackageNotFoundError:
            return f"{package} is not installed"
    if baseline.module:
        try:
            importlib.import_module(baseline.module)
        except ImportError as err:
            return f"{baseline.module} does not import: {err}"
    return None


def versions(baseline: Baseline) -> dict[str, str]:
    """Installed versions of the distributions a baseline depends on, by distribution name."""
    return {package: metadata.version(package) for package in baseline.packages}
