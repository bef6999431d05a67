"""The article-extraction-benchmark (AEB) score, computed the way that benchmark computes it.

- tokens: the regular expression `\\w+` (case kept);
- shingles: every run of 4 consecutive tokens, as a multiset; a text of 1 to 3 tokens is one
  shingle (all its tokens); a text without tokens has none;
- per page: tp = |gold & pred| (multiset intersection), fp = |pred| - tp, fn = |gold| - tp;
  precision_p = tp / (tp + fp), recall_p = tp / (tp + fn);
- corpus: P = mean of precision_p over pages with at least one predicted shingle,
  R = mean of recall_p over pages with at least one gold shingle, F1 = 2PR / (P + R)
  (the F1 of the two means, not a mean of per-page F1s; 0 when no page has a prediction);
- exact: the share of pages whose predicted token sequence equals the gold one.

The gold text of a page is its `clean_text` (newsspan.derive.clean_text).
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache

from .align import WORD
from .metrics import Counts
from .stats import Bootstrap, PRF, Statistic, harmonic_of, mean_of

SHINGLE = 4


def tokens(text: str) -> list[str]:
    return WORD.findall(text)


def shingles(text: str) -> Counter:
    toks = tokens(text)
    if len(toks) < SHINGLE:
        return Counter([tuple(toks)] if toks else [])
    return Counter(tuple(toks[i:i + SHINGLE]) for i in range(len(toks) - SHINGLE + 1))


@lru_cache(maxsize=4096)
def _gold_shingles(gold: str) -> Counter:
    """A gold text's shingles, kept for the next system scored on the same page (read only)."""
    return shingles(gold)


def page_counts(gold: str, pred: str) -> Counts:
    gold_sh, pred_sh = _gold_shingles(gold), shingles(pred)
    tp = sum((gold_sh & pred_sh).values())
    return Counts(tp, sum(pred_sh.values()) - tp, sum(gold_sh.values()) - tp)


def exact(gold: str, pred: str) -> bool:
    return tokens(gold) == tokens(pred)


def corpus_statistics(pages: list[Counts]) -> tuple[Statistic, Statistic, Statistic]:
    """(P, R, F1) as statistics of document weights, for the bootstrap."""
    precision = mean_of([p.precision for p in pages])
    recall = mean_of([p.recall for p in pages])
    return precision, recall, harmonic_of(precision, recall)


def corpus_scores(pages: list[Counts], boot: Bootstrap) -> PRF:
    return PRF(*(boot.estimate(s) for s in corpus_statistics(pages)))
