"""Boilerplate-removal baselines: each maps a document's raw page to the text it keeps.

One module per family: `trivial` (keep everything, remove everything, the gold oracle),
`heuristic` (our line rules), `external` (published HTML extractors), `textclean` (the line
cleaners of LLM data pipelines, run on the page text) and `learned` (a line classifier fitted on
a training corpus). `BASELINES` is what `build_dataset.py benchmark` runs, in this order.

Three ways to run a system, one per field of `Baseline`:
- `extract(doc)`: on the view's text (an HTML extractor gets the page built by `html.to_html`);
  the only way for NewsSpan's own pages, which have no original HTML;
- `from_html(html)`: on the page's original HTML, for corpora imported from a benchmark that
  ships it; the runner aligns the returned text onto the view, so both are scored on the same
  characters;
- `train(documents)`: a learned system, fitted on training documents (every character outside a
  boilerplate span is content) and returning the extract function; its `extract` is the one
  trained on NewsSpan's train split. A trained function refuses a page it was trained on.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib import metadata
from typing import Callable

from ..records import Document
from . import external, heuristic, learned, textclean, trivial

# The conversion to HTML is part of every HTML extractor's run, so its libraries are recorded too.
HTML_PACKAGES = ("markdown-it-py", "lxml")


@dataclass(frozen=True, slots=True)
class Baseline:
    name: str                      # results file stem and leaderboard row
    family: str                    # "trivial", "heuristic", "external", "textclean" or "learned"
    summary: str                   # what it keeps, with which settings
    extract: Callable[[Document], str]
    packages: tuple[str, ...] = ()  # distributions whose versions are recorded; the first is the system's own
    module: str | None = None      # what must import for the system to run
    from_html: Callable[[str], str] | None = None  # the system on a page's original HTML (HTML extractors only)
    train: Callable[[list[Document]], Callable[[Document], str]] | None = None  # fit, then the extract function


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
    Baseline("justext", "external", "jusText, English stoplist; corpus pages: default thresholds, good paragraphs "
             "one per line; original HTML: AEB's thresholds 50, 200, 0.1, 0.2, 0.2, 200, no_headings, joined by spaces",
             _page(external.justext_text), ("jusText", *HTML_PACKAGES), "justext", external.justext_html),
    Baseline("boilerpy3", "external", "boilerpy3 ArticleExtractor",
             _page(external.boilerpy3_text), ("boilerpy3", *HTML_PACKAGES), "boilerpy3", external.boilerpy3_html),
    Baseline("trafilatura", "external", "trafilatura extract, plain text, comments excluded",
             _page(external.trafilatura_text), ("trafilatura", "jusText", *HTML_PACKAGES), "trafilatura",
             external.trafilatura_html),
    Baseline("readability-lxml", "external", "readability-lxml summary(html_partial=True) as text: corpus pages one "
             "line per block; original HTML through html-text, as AEB ran it",
             _page(external.readability_text), ("readability-lxml", "lxml_html_clean", "html-text", *HTML_PACKAGES),
             "readability", external.readability_html),
    Baseline("resiliparse", "external", "Resiliparse main_content, comments excluded",
             _page(external.resiliparse_text), ("resiliparse", *HTML_PACKAGES), "resiliparse.extract.html2text",
             external.resiliparse_html),
    Baseline("c4", "textclean", "datatrove C4QualityFilter() defaults on the page text: C4's line rules (terminal "
             "punctuation, >= 3 words, no javascript/policy lines), page dropped under 5 sentences or with '{'",
             textclean.c4, ("datatrove", "spacy"), "datatrove.pipeline.filters"),
    Baseline("fineweb", "textclean", "FineWeb's datatrove filters in order on the page text: GopherRepetition, "
             "GopherQuality, C4Quality(filter_no_terminal_punct=False), FineWebQuality; all defaults",
             textclean.fineweb, ("datatrove", "spacy"), "datatrove.pipeline.filters"),
    Baseline("line-classifier", "learned", "scikit-learn gradient-boosted line classifier, 18 line and context "
             "features, seed 13; trained on NewsSpan's train split unless the run trains it on another corpus",
             learned.newsspan_trained, ("scikit-learn",), "sklearn.ensemble", train=learned.train),
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
