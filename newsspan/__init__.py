"""NewsSpan: an annotated corpus of scraped news pages, and the code that checks and builds it."""
from .validate import Report, validate_corpus

__all__ = ["Report", "validate_corpus"]
