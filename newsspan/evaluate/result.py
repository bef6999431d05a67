"""The records of a boilerplate-removal evaluation: per-document counts and corpus summaries."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .metrics import Counts
from .stats import PRF, Estimate

Average = Literal["micro", "macro", "median"]


@dataclass(frozen=True, slots=True)
class DocumentScore:
    doc_id: str
    publisher: str
    missing: bool                            # no prediction was given: scored as an empty output
    empty: bool                              # the output has no non-space character (missing included)
    spans: dict[str, Counts]                 # spans.SPAN_KEYS -> counts
    leakage: dict[str, tuple[int, int]]      # label -> (kept, gold) non-space characters
    aeb: Counts                              # shingle counts
    aeb_exact: bool
    unaligned_chars: int
    unaligned_words: int
    page_type: str | None = None             # imported benchmark pages only
    must_keep: tuple[int, int] = (0, 0)      # (kept, gold) non-space characters of must-keep sentences


@dataclass(frozen=True, slots=True)
class Summary:
    """Aggregates over a set of documents (all of them, or one publisher's)."""
    documents: int
    empty: int
    missing: int
    spans: dict[str, dict[str, PRF]]         # span key -> average ("micro", "macro", "median") -> P/R/F1
    leakage: dict[str, Estimate]             # every label -> pooled share kept (None: no gold characters)
    gold_chars: dict[str, int]               # every label -> gold non-space characters
    aeb: PRF
    aeb_exact: Estimate
    must_keep: Estimate = Estimate(None)     # pooled share of must-keep characters kept (None: no such sentence)
    must_keep_chars: int = 0


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    input: Literal["text", "spans"]
    splits: tuple[str, ...]
    documents: tuple[DocumentScore, ...]     # in doc_id order
    overall: Summary                         # with bootstrap intervals
    publishers: dict[str, Summary]           # point values only: one publisher has too few documents
    resamples: int
    seed: int
    page_types: dict[str, Summary] = field(default_factory=dict)  # imported pages: with bootstrap intervals
