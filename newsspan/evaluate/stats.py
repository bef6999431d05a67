"""Corpus aggregates and their bootstrap confidence intervals over documents.

Every aggregate is a statistic of per-document values under document weights w (w = 1 for
each document gives the observed value):

- micro (pooled):  sum_d w_d num_d / sum_d w_d den_d   (e.g. precision = sum tp / sum (tp + fp));
- macro (mean):    sum_d w_d v_d / sum_d w_d, over the documents where v_d is defined;
- median:          of the defined per-document values (no interval).

Confidence interval: a percentile bootstrap over documents. RESAMPLES resamples of n documents
drawn with replacement (numpy's legacy `RandomState(SEED)`, whose stream numpy keeps stable
across versions, so the intervals are the same bytes on every machine); each resample is a
weight vector w (how often each document was drawn). The interval is the 2.5th and 97.5th
percentile of the statistic over the resamples where it is defined. An undefined statistic
(nothing to divide by) is None, never 0.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Callable

import numpy as np

SEED = 13
RESAMPLES = 1000
CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class Estimate:
    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class PRF:
    precision: Estimate
    recall: Estimate
    f1: Estimate


Statistic = Callable[[np.ndarray], np.ndarray]


class Bootstrap:
    """The observed document weights and those of every resample."""

    def __init__(self, n: int, resamples: int = RESAMPLES, seed: int = SEED):
        self.observed = np.ones(n)
        if n == 0 or resamples == 0:
            self.resampled = np.zeros((0, n))
            return
        drawn = np.random.RandomState(seed).randint(0, n, size=(resamples, n))
        self.resampled = np.stack([np.bincount(row, minlength=n) for row in drawn]).astype(float)

    def estimate(self, statistic: Statistic) -> Estimate:
        value = _number(statistic(self.observed))
        if not len(self.resampled):
            return Estimate(value)
        samples = statistic(self.resampled)
        samples = samples[~np.isnan(samples)]
        if value is None or not len(samples):
            return Estimate(value)
        tail = (1 - CONFIDENCE) / 2 * 100
        low, high = np.percentile(samples, [tail, 100 - tail])
        return Estimate(value, float(low), float(high))


def _number(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, NaN where den is 0 (an undefined ratio)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def pooled(num: list[float], den: list[float]) -> Statistic:
    num_a, den_a = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return lambda w: divide(w @ num_a, w @ den_a)


def mean_of(values: list[float | None]) -> Statistic:
    defined = np.array([v is not None for v in values], dtype=float)
    vals = np.array([v or 0.0 for v in values], dtype=float)
    return lambda w: divide(w @ vals, w @ defined)


def harmonic_of(first: Statistic, second: Statistic) -> Statistic:
    """2ab / (a + b); an undefined side counts as 0; undefined when both are."""
    def statistic(w: np.ndarray) -> np.ndarray:
        a, b = first(w), second(w)
        a0, b0 = np.nan_to_num(a), np.nan_to_num(b)
        f = divide(2 * a0 * b0, a0 + b0)
        f = np.where(np.isnan(f), 0.0, f)
        return np.where(np.isnan(a) & np.isnan(b), np.nan, f)
    return statistic


def median(values: list[float | None]) -> Estimate:
    defined = [v for v in values if v is not None]
    return Estimate(statistics.median(defined) if defined else None)
