"""A page's HTML as a scraper would have saved it: the `text` or the `markdown` view.

text: inscriptis, a layout-aware HTML-to-text renderer (blocks on lines of their own, tables laid
out, lists bulleted), links and images not shown, as `inscriptis.get_text` gives it by default.
markdown: markdownify (the converter behind MarkItDown and LangChain's markdownify transformer),
ATX headings, `-` bullets, script and style dropped with their content (markdownify's default).

Both are pure Python with no clock, locale or network input, so a page always gives the same text.
Afterwards, the same tidy step for both: line ends made `\\n`, control characters other than tab
and newline dropped (a raw file of the corpus is text), trailing spaces cut, runs of blank lines
made one blank line, leading and trailing blank lines cut. Indentation is kept (it is what the
renderer laid out, and whitespace is never scored).
"""
from __future__ import annotations

import re
from importlib import metadata
from typing import Callable

VIEWS = ("text", "markdown")
CONVERTERS = {"text": "inscriptis", "markdown": "markdownify"}

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufeff]")
_TRAILING = re.compile(r"[ \t]+$", re.M)
_BLANKS = re.compile(r"\n(?:[ \t]*\n)+")


def decode(html: bytes) -> str:
    """The published pages are UTF-8; a stray byte becomes U+FFFD rather than failing the page."""
    return html.decode("utf-8", errors="replace")


def _inscriptis(html: str) -> str:
    from inscriptis import get_text
    from inscriptis.model.config import ParserConfig
    return get_text(html, ParserConfig(display_links=False, display_images=False))


def _markdownify(html: str) -> str:
    from markdownify import markdownify
    # markdownify drops script and style elements with their content by default (its `strip`
    # option would keep their text: CSS and JavaScript in the page text).
    return markdownify(html, heading_style="ATX", bullets="-")


_RENDER: dict[str, Callable[[str], str]] = {"text": _inscriptis, "markdown": _markdownify}


def tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _TRAILING.sub("", text)
    return _BLANKS.sub("\n\n", text).strip("\n")


def render(html: bytes, view: str) -> str:
    return tidy(_RENDER[view](decode(html)))


def converter(view: str) -> tuple[str, str]:
    """(distribution, installed version) of the view's converter."""
    name = CONVERTERS[view]
    return name, metadata.version(name)
