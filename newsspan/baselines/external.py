"""Adapters for published extractors, two per library.

- `<lib>_text(raw_text, raw_format)`: on the HTML that `html.to_html` builds from a corpus page
  (NewsSpan's own pages, which have no original HTML); the library's defaults except where a
  setting is named below, with the reason.
- `<lib>_html(html)`: on a page's original HTML (benchmark pages). Where the article-extraction
  benchmark (AEB) published how it ran a library, these use exactly its settings, so that our
  run reproduces its published figures (tests/test_aeb_reproduction.py); the others use the
  same settings as their `_text` twin.

Every adapter runs offline (no URL is ever passed, so nothing is fetched). The libraries are
imported inside the adapters: they are optional (the `bench` extra), and a missing one is
reported by the benchmark command, not at import. The corpus is English, so language-dependent
settings are English.
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
    return boilerpy3_html(to_html(raw_text, raw_format))


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
    return resiliparse_html(to_html(raw_text, raw_format))


# -- on the original HTML --------------------------------------------------------------------

# AEB's jusText run: length_low, length_high, stopwords_low, stopwords_high, max_link_density,
# max_heading_distance, no_headings (positional in jusText's signature, named here).
JUSTEXT_AEB = {"length_low": 50, "length_high": 200, "stopwords_low": 0.1, "stopwords_high": 0.2,
               "max_link_density": 0.2, "max_heading_distance": 200, "no_headings": True}


def justext_html(html: str) -> str:
    """jusText as AEB ran it: English stoplist, `JUSTEXT_AEB`, good paragraphs joined by one space."""
    import justext

    paragraphs = justext.justext(html, justext.get_stoplist("English"), **JUSTEXT_AEB)
    return " ".join(p.text for p in paragraphs if not p.is_boilerplate)


def boilerpy3_html(html: str) -> str:
    """boilerpy3's ArticleExtractor, as on corpus pages."""
    from boilerpy3.extractors import ArticleExtractor

    return ArticleExtractor(raise_on_failure=False).get_content(html)


def trafilatura_html(html: str) -> str:
    """trafilatura as AEB ran it: `extract(html, include_comments=False)` (plain text is its default)."""
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def readability_html(html: str) -> str:
    """readability-lxml as AEB ran it: `summary(html_partial=True)`, turned into text by html-text."""
    import html_text
    from readability import Document as Readable

    return html_text.extract_text(Readable(html).summary(html_partial=True))


def resiliparse_html(html: str) -> str:
    """Resiliparse's main content with the settings of `resiliparse_text`."""
    from resiliparse.extract.html2text import extract_plain_text

    return extract_plain_text(html, preserve_formatting=True, main_content=True, comments=False,
                              list_bullets=False, alt_texts=False, links=False)
