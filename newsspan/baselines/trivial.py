"""Trivial baselines: the floor and the ceiling that every other score is read against."""
from __future__ import annotations

from ..derive import clean_text
from ..records import Document


def keep_everything(doc: Document) -> str:
    """The page as scraped: perfect recall of content, every boilerplate character kept."""
    return doc.raw_text


def remove_everything(doc: Document) -> str:
    """Nothing kept: every boilerplate character removed, no content left."""
    return ""


def gold_oracle(doc: Document) -> str:
    """The gold `clean_text`, exactly as the release derives it: must score 1.0 on every metric."""
    return clean_text(doc)
