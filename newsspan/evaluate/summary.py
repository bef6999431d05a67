"""From per-document scores to corpus summaries (micro, macro, median; see stats.py)."""
from __future__ import annotations

from ..records import BOILERPLATE_LABELS, UNREPORTED_LABELS
from .aeb import corpus_scores
from .metrics import Counts
from .result import DocumentScore, Summary
from .spans import SPAN_KEYS
from .stats import PRF, Bootstrap, Estimate, mean_of, median, pooled


# Leakage of boilerplate of no known kind (imported corpora) says nothing about any kind: never reported.
LEAKAGE_LABELS = tuple(label for label in BOILERPLATE_LABELS if label not in UNREPORTED_LABELS)


def summarise(scores: list[DocumentScore], boot: Bootstrap) -> Summary:
    gold = {label: sum(s.leakage.get(label, (0, 0))[1] for s in scores) for label in BOILERPLATE_LABELS}
    keep_gold = [s.must_keep[1] for s in scores]
    return Summary(
        documents=len(scores),
        empty=sum(s.empty for s in scores),
        missing=sum(s.missing for s in scores),
        spans={key: _averages([s.spans[key] for s in scores], boot) for key in SPAN_KEYS},
        leakage={label: _leakage(scores, label, boot) if gold[label] and label in LEAKAGE_LABELS else Estimate(None)
                 for label in BOILERPLATE_LABELS},
        gold_chars=gold,
        aeb=corpus_scores([s.aeb for s in scores], boot),
        aeb_exact=boot.estimate(mean_of([float(s.aeb_exact) for s in scores])),
        must_keep=boot.estimate(pooled([s.must_keep[0] for s in scores], keep_gold)) if sum(keep_gold) else Estimate(None),
        must_keep_chars=sum(keep_gold),
    )


def _averages(counts: list[Counts], boot: Bootstrap) -> dict[str, PRF]:
    tp = [c.tp for c in counts]
    predicted = [c.tp + c.fp for c in counts]
    relevant = [c.tp + c.fn for c in counts]
    f1_den = [2 * c.tp + c.fp + c.fn for c in counts]
    return {
        "micro": PRF(boot.estimate(pooled(tp, predicted)), boot.estimate(pooled(tp, relevant)),
                     boot.estimate(pooled([2 * t for t in tp], f1_den))),
        "macro": PRF(*(boot.estimate(mean_of([getattr(c, m) for c in counts])) for m in ("precision", "recall", "f1"))),
        "median": PRF(*(median([getattr(c, m) for c in counts]) for m in ("precision", "recall", "f1"))),
    }


def _leakage(scores: list[DocumentScore], label: str, boot: Bootstrap) -> Estimate:
    pairs = [s.leakage.get(label, (0, 0)) for s in scores]
    return boot.estimate(pooled([k for k, _ in pairs], [n for _, n in pairs]))
