"""Precision, recall and F1 from counts, with the undefined cases made explicit.

- `Counts(tp, fp, fn)`: precision = tp / (tp + fp), recall = tp / (tp + fn),
  F1 = 2 tp / (2 tp + fp + fn). A ratio whose denominator is 0 is undefined (None), never
  silently 0 or 1; F1 is undefined only when there is nothing to score (tp = fp = fn = 0).
- `Tally(pred_matched, pred, gold_matched, gold)`: for overlap matching, where the predictions
  that found a partner and the gold items that found one are counted separately.
  precision = pred_matched / pred, recall = gold_matched / gold, F1 = their harmonic mean
  (an undefined side counts as 0; F1 is undefined when pred = gold = 0).
"""
from __future__ import annotations

from dataclasses import dataclass


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def harmonic(p: float | None, r: float | None) -> float | None:
    if p is None and r is None:
        return None
    p, r = p or 0.0, r or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float | None:
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


@dataclass(frozen=True, slots=True)
class Tally:
    pred_matched: int = 0
    pred: int = 0
    gold_matched: int = 0
    gold: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.pred_matched + other.pred_matched, self.pred + other.pred,
                     self.gold_matched + other.gold_matched, self.gold + other.gold)

    @property
    def precision(self) -> float | None:
        return ratio(self.pred_matched, self.pred)

    @property
    def recall(self) -> float | None:
        return ratio(self.gold_matched, self.gold)

    @property
    def f1(self) -> float | None:
        return harmonic(self.precision, self.recall)
