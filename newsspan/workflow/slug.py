"""Proposed document ids: `publisher-date-topic` (GUIDELINES.md section 1), never one already taken."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

MAX_ID = 80
TOPIC_WORDS = 4
_STOPWORDS = frozenset(
    "a about after against amid an and are as at be been before by for from has have in into is it its "
    "of on or over says said than that the their this to under was were will with".split())
_SUBDOMAINS = ("www", "m", "amp", "mobile")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def publisher_part(url: str, publisher: str | None) -> str:
    """The site's name from the URL host (`www.nytimes.com` -> `nytimes`), else the publisher's name."""
    labels = [l for l in (urlsplit(url).hostname or "").split(".") if l]
    while labels and labels[0] in _SUBDOMAINS:
        labels.pop(0)
    if len(labels) >= 2:
        labels.pop()  # top-level domain
        # A second-level registry label such as `co` in `independent.co.uk` is not the name.
        if len(labels) >= 2 and len(labels[-1]) <= 3:
            labels.pop()
        return slugify(labels[-1])
    return slugify(publisher or "")


def topic_part(title: str) -> str:
    words = [w for w in slugify(title).split("-") if w and w not in _STOPWORDS]
    return "-".join(words[:TOPIC_WORDS])


def propose_id(url: str, publisher: str | None, date: str | None, title: str, taken: set[str]) -> str:
    parts = [publisher_part(url, publisher), date or "", topic_part(title)]
    base = _shorten("-".join(p for p in parts if p) or "doc")
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate = _shorten(base, MAX_ID - len(suffix)) + suffix
        n += 1
    return candidate


def _shorten(slug: str, limit: int = MAX_ID) -> str:
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    return cut.rsplit("-", 1)[0] if "-" in cut else cut
