"""Adapters for published extractors: each takes (raw_text, raw_format) and returns the kept text.

Every adapter reads the same HTML, built by `html.to_html` (documented there), runs offline (no
URL is ever passed, so nothing is fetched) and uses the library's defaults except where a
setting is named below, with the reason. The libraries are imported inside the adapters: they are
optional (the `bench` extra), and a missing one is reported by the benchmark command, not at import.
The corpus is English, so language-dependent settings are English.
"""
from __future__ import annotations

from .html import html_to_text, to_html


def justext_text(raw_text: str, raw_format: str) -> str:
    """jusText with its English stoplist and default thresholds; paragraphs it does not call boilerplate."""
    import justext

    paragraphs = justext.justext(to_html(raw_text, raw_format), justext.get_stoplist("English"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def boilerpy3_text(raw_text: str, raw_format: str) -> str:
    """boilerpy3's ArticleExtractor (the one tuned for news articles); an empty answer on failure."""
    from boilerpy3.extractors import ArticleExtractor

    return ArticleExtractor(raise_on_failure=False).get_content(to_html(raw_text, raw_format))


def trafilatura_text(raw_text: str, raw_format: str) -> str:
    """trafilatura's plain-text main content, with comments excluded: they are boilerplate here."""
    import trafilatura

    found = trafilatura.extract(to_html(raw_text, raw_format), output_format="txt", include_comments=False)
    return found or ""


def readability_text(raw_text: str, raw_format: str) -> str:
    """readability-lxml's article summary (its HTML turned into text by `html.html_to_text`)."""
    from readability import Document as Readable

    return html_to_text(Readable(to_html(raw_text, raw_format)).summary(html_partial=True))


def resiliparse_text(raw_text: str, raw_format: str) -> str:
    """Resiliparse's main-content extraction, without comments, list bullets or alt texts.

    Comments are boilerplate here; bullets and alt texts are characters the page never had.
    """
    from resiliparse.extract.html2text import extract_plain_text

    return extract_plain_text(to_html(raw_text, raw_format), preserve_formatting=True, main_content=True,
                              comments=False, list_bullets=False, alt_texts=False, links=False)
