"""Agreement measures between two annotations of one text: span F1 and character-level Cohen's kappa.

Exact F1 counts spans with the same offsets and label in both annotations: 2·matches / (|A| + |B|).
Overlap F1 is the harmonic mean of the share of B's spans that overlap a same-label span of A and
the share of A's spans that overlap a same-label span of B. Both are symmetric in A and B.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

CONTENT = "content"


@dataclass(frozen=True, slots=True)
class Mark:
    """A span, or a quote's content segments, with its label (a quote's label is its type)."""
    label: str
    ranges: tuple[tuple[int, int], ...]


@dataclass(slots=True)
class SpanCounts:
    a: int = 0
    b: int = 0
    exact: int = 0
    a_overlapping: int = 0
    b_overlapping: int = 0

    def __iadd__(self, other: "SpanCounts") -> "SpanCounts":
        self.a += other.a
        self.b += other.b
        self.exact += other.exact
        self.a_overlapping += other.a_overlapping
        self.b_overlapping += other.b_overlapping
        return self

    @property
    def exact_f1(self) -> float | None:
        return 2 * self.exact / (self.a + self.b) if self.a + self.b else None

    @property
    def overlap_f1(self) -> float | None:
        if not self.a + self.b:
            return None
        if not self.a or not self.b:
            return 0.0
        precision, recall = self.b_overlapping / self.b, self.a_overlapping / self.a
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _overlaps(x: Mark, y: Mark) -> bool:
    return x.label == y.label and any(s1 < e2 and s2 < e1 for s1, e1 in x.ranges for s2, e2 in y.ranges)


def span_counts(a: Sequence[Mark], b: Sequence[Mark]) -> SpanCounts:
    return SpanCounts(
        a=len(a), b=len(b),
        exact=sum((Counter(a) & Counter(b)).values()),
        a_overlapping=sum(1 for x in a if any(_overlaps(x, y) for y in b)),
        b_overlapping=sum(1 for y in b if any(_overlaps(y, x) for x in a)),
    )


def counts_by_label(a: Sequence[Mark], b: Sequence[Mark]) -> dict[str, SpanCounts]:
    labels = sorted({m.label for m in a} | {m.label for m in b})
    return {label: span_counts([m for m in a if m.label == label], [m for m in b if m.label == label]) for label in labels}


def char_categories(length: int, spans: Sequence[tuple[int, int, str]]) -> list[str]:
    """Each character's boilerplate label, or "content" where no span covers it."""
    cats = [CONTENT] * length
    for start, end, label in spans:
        cats[start:end] = [label] * (end - start)
    return cats


def cohen_kappa(x: Sequence[str], y: Sequence[str]) -> float | None:
    """Cohen's kappa of two equally long category sequences; None when chance agreement is total."""
    if len(x) != len(y):
        raise ValueError("kappa needs two sequences of the same length")
    n = len(x)
    if not n:
        return None
    observed = sum(1 for p, q in zip(x, y) if p == q) / n
    cx, cy = Counter(x), Counter(y)
    expected = sum(cx[k] * cy[k] for k in cx) / (n * n)
    # Both annotators used one and the same category everywhere: agreement says nothing.
    return None if expected == 1 else (observed - expected) / (1 - expected)


def binary(cats: Sequence[str], label: str) -> list[bool]:
    return [c == label for c in cats]
