"""Line cleaners of LLM pretraining-data pipelines, run on the page text as a scraper saved it.

Web-scale pipelines do not extract articles from HTML: they clean extracted text line by line and
drop whole pages. These two run the pipelines' own code (datatrove, the library FineWeb was built
with), not a re-implementation, on the view's text (`Document.raw_text`, markdown included):

- `c4`: `C4QualityFilter()` with its defaults, the rules of the C4 paper (Raffel et al., 2020,
  section 2.2) in line mode: a line is kept when it ends in terminal punctuation (not an
  ellipsis), has at least 3 words, no word over 1000 characters, no "javascript" and no cookie or
  terms-of-use phrase; Wikipedia citation marks are deleted from kept lines; the page is dropped
  whole when it holds "lorem ipsum" or a curly bracket, or keeps fewer than 5 sentences. (C4's
  bad-words page filter is not in datatrove.)
- `fineweb`: the text filters of the FineWeb pipeline, in its order and with its settings
  (datatrove's examples/fineweb.py; Penedo et al., 2024): `GopherRepetitionFilter()`,
  `GopherQualityFilter()`, `C4QualityFilter(filter_no_terminal_punct=False)`,
  `FineWebQualityFilter()`. Only the C4 step removes lines; the others keep or drop the page.
  FineWeb's URL and language filters need a URL and a downloaded model, and its PII step
  rewrites rather than removes, so they are not part of a text cleaner.

A dropped page is the empty output. Sentences and words are split by datatrove's English word
tokenizer, spaCy's blank English pipeline: rules only, no model is downloaded, nothing is fetched.
"""
from __future__ import annotations

from functools import cache

from ..records import Document


@cache
def _c4_filters() -> tuple:
    from datatrove.pipeline.filters import C4QualityFilter

    return (C4QualityFilter(),)


@cache
def _fineweb_filters() -> tuple:
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
                                            GopherRepetitionFilter)

    return (GopherRepetitionFilter(), GopherQualityFilter(), C4QualityFilter(filter_no_terminal_punct=False),
            FineWebQualityFilter())


def run_filters(filters: tuple, text: str) -> str:
    """The text the filters leave, in order; the empty text when one drops the page."""
    from datatrove.data import Document as Page

    page = Page(text=text, id="page")
    for step in filters:
        verdict = step.filter(page)
        if not (verdict[0] if isinstance(verdict, tuple) else verdict):
            return ""
    return page.text


def c4_text(text: str) -> str:
    return run_filters(_c4_filters(), text)


def fineweb_text(text: str) -> str:
    return run_filters(_fineweb_filters(), text)


def c4(doc: Document) -> str:
    return c4_text(doc.raw_text)


def fineweb(doc: Document) -> str:
    return fineweb_text(doc.raw_text)
