"""The one documented conversion between corpus pages and HTML, shared by every HTML extractor.

NewsSpan stores pages as plain text or markdown, but published extractors read HTML. Every
extractor gets the same page, built by `to_html` with these rules and nothing else:

- plain text (`raw_format` "text"): every line with non-whitespace characters becomes one
  `<p>`, its text trimmed and HTML-escaped; blank lines are dropped. A line is the corpus's
  block (see `newsspan.derive.blocks`), and plain text has no other structure to show: no line
  is promoted to a heading and nothing is made a link, because guessing would hand the
  extractors information the page does not have;
- markdown (`raw_format` "markdown"): rendered by markdown-it-py with the CommonMark preset,
  so paragraphs become `<p>`, `#` headings `<h1>`..`<h6>`, `[text](url)` and `<url>` links
  `<a href>`, lists `<ul>`/`<ol>`. Raw HTML inside the markdown is escaped and kept as text:
  in a scraped page it is page text, not structure;
- the body is wrapped in a minimal HTML5 document with `<meta charset="utf-8">` and no title,
  language, `<article>` or class names, so no extractor is given a hint the others lack.

`html_to_text` goes the other way for extractors that answer in HTML (readability): one line per
block element, whitespace inside a line collapsed.
"""
from __future__ import annotations

from functools import cache
from html import escape

PAGE = '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n</head>\n<body>\n{body}</body>\n</html>\n'
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre",
    "section", "table", "td", "th", "tr", "ul",
})


def to_html(raw_text: str, raw_format: str) -> str:
    """The HTML page that stands for a corpus page (rules in the module docstring)."""
    if raw_format == "markdown":
        return PAGE.format(body=_markdown().render(raw_text))
    if raw_format == "text":
        return PAGE.format(body=text_body(raw_text))
    raise ValueError(f"unknown raw_format {raw_format!r}: expected 'text' or 'markdown'")


@cache
def _markdown():
    # Imported on first use: the libraries are in the optional `bench` extra, and the leaderboard
    # (rendered into README.md) must work without them.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})


def text_body(raw_text: str) -> str:
    return "".join(f"<p>{escape(line.strip(), quote=False)}</p>\n" for line in raw_text.split("\n") if line.strip())


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment: one line per block element, inner whitespace collapsed."""
    import lxml.html

    if not html.strip():
        return ""
    pieces: list[str] = []
    _collect(lxml.html.fromstring(html), pieces)
    lines = (" ".join(line.split()) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def _inline(text: str) -> str:
    # A newline inside running text is a space in HTML: only block elements break lines.
    return text.replace("\r", " ").replace("\n", " ")


def _collect(element, pieces: list[str]) -> None:
    # Comments and processing instructions have a non-string tag; their text is not visible.
    visible = isinstance(element.tag, str) and element.tag not in ("script", "style")
    block = visible and element.tag in BLOCK_TAGS
    if block:
        pieces.append("\n")
    if visible and element.text:
        pieces.append(_inline(element.text))
    for child in element:
        _collect(child, pieces)
        if child.tail:
            pieces.append(_inline(child.tail))
    if block:
        pieces.append("\n")
