"""Our own line heuristic: keep the lines that look like sentences of an article.

The page is read line by line (a line is the corpus's block). For markdown pages the line is
first reduced to what a reader sees: `[text](url)` and `![text](url)` become `text`, `<url>`
becomes `url`, and a heading's leading `#` marks are dropped. Four features of that visible line
decide, with no state carried between lines, so the result is deterministic:

| feature | definition | the line is boilerplate when |
|---|---|---|
| length | words (`\\w+` runs) | fewer than `MIN_WORDS` (5): labels, buttons, bylines, dates |
| link density | characters inside links or bare URLs / non-space characters | above `MAX_LINK_DENSITY` (0.5) |
| punctuation ratio | punctuation and symbol characters / non-space characters | above `MAX_PUNCTUATION` (0.2) |
| stopword ratio | words in `STOPWORDS` (English function words) / words | below `MIN_STOPWORDS` (0.1) |

Every other line is kept, as its visible text. The thresholds were set by hand from what English
prose looks like (sentences of at least five words, at least one function word in ten, little
punctuation, few links) and were not fitted to the corpus or its scores.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MIN_WORDS = 5
MAX_LINK_DENSITY = 0.5
MAX_PUNCTUATION = 0.2
MIN_STOPWORDS = 0.1

STOPWORDS = frozenset("""
a about after against all also an and any are as at be been before being between both but by can could
did do does down during each for from had has have he her here hers him his how i if in into is it its
just many may me more most must my no nor not now of off on once one only or other our out over own said
same she should since so some such than that the their them then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you your
""".split())

WORD = re.compile(r"\w+")
URL = re.compile(r"(?:https?://|www\.)\S+")
MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
MD_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")


@dataclass(frozen=True, slots=True)
class LineFeatures:
    words: int
    link_density: float
    punctuation: float
    stopwords: float


def visible(line: str, raw_format: str) -> tuple[str, int]:
    """The line as a reader sees it, and how many of its non-space characters are link text."""
    pieces = _markdown_pieces(line) if raw_format == "markdown" else [(line, False)]
    link_chars = sum(_non_space(text) if is_link else _url_chars(text) for text, is_link in pieces)
    return "".join(text for text, _ in pieces), link_chars


def _markdown_pieces(line: str) -> list[tuple[str, bool]]:
    """(text, is_link_label) pieces of a markdown line, heading marks dropped."""
    line = MD_HEADING.sub("", line)
    found = sorted([*MD_LINK.finditer(line), *MD_AUTOLINK.finditer(line)], key=lambda m: m.start())
    pieces, pos = [], 0
    for match in found:
        if match.start() < pos:
            continue  # an autolink inside a link's target: already consumed
        pieces += [(line[pos:match.start()], False), (match.group(1), True)]
        pos = match.end()
    return pieces + [(line[pos:], False)]


def _url_chars(text: str) -> int:
    return sum(len(m.group()) for m in URL.finditer(text))


def _non_space(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def features(text: str, link_chars: int = 0) -> LineFeatures:
    """The four features of a visible line, given how many of its characters are link text."""
    chars = _non_space(text)
    words = [w.lower() for w in WORD.findall(text)]
    punct = sum(1 for ch in text if unicodedata.category(ch)[0] in "PS")
    return LineFeatures(
        words=len(words),
        link_density=link_chars / chars if chars else 0.0,
        punctuation=punct / chars if chars else 0.0,
        stopwords=sum(w in STOPWORDS for w in words) / len(words) if words else 0.0,
    )


def is_content(f: LineFeatures) -> bool:
    return (f.words >= MIN_WORDS and f.link_density <= MAX_LINK_DENSITY
            and f.punctuation <= MAX_PUNCTUATION and f.stopwords >= MIN_STOPWORDS)


def line_heuristic(raw_text: str, raw_format: str) -> str:
    """The visible text of the lines the rules keep, one per line, in page order."""
    kept = []
    for line in raw_text.split("\n"):
        text, link_chars = visible(line, raw_format)
        if text.strip() and is_content(features(text, link_chars)):
            kept.append(text.strip())
    return "\n".join(kept)
