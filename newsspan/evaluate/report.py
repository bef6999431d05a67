"""A boilerplate-removal evaluation as a Markdown report or as deterministic JSON."""
from __future__ import annotations

from .summary import LEAKAGE_LABELS
from .metrics import Counts
from .result import DocumentScore, EvaluationResult, Summary
from .spans import SPAN_KEYS
from .stats import CONFIDENCE, PRF, Estimate

DIGITS = 6  # JSON floats are rounded so that last-bit differences between machines never show
_UNIT = {"char": "characters", "token": "tokens"}


# -- JSON -----------------------------------------------------------------------------------

def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def _estimate(est: Estimate) -> dict:
    return {"value": rounded(est.value), "low": rounded(est.low), "high": rounded(est.high)}


def _prf(prf: PRF) -> dict:
    return {"precision": _estimate(prf.precision), "recall": _estimate(prf.recall), "f1": _estimate(prf.f1)}


def _counts(c: Counts) -> dict:
    return {"tp": c.tp, "fp": c.fp, "fn": c.fn, "precision": rounded(c.precision), "recall": rounded(c.recall), "f1": rounded(c.f1)}


def _summary(s: Summary) -> dict:
    return {
        "documents": s.documents, "empty": s.empty, "missing": s.missing,
        "spans": {key: {avg: _prf(prf) for avg, prf in s.spans[key].items()} for key in SPAN_KEYS},
        "leakage": {label: {"gold_chars": s.gold_chars[label], "share_kept": _estimate(s.leakage[label])}
                    for label in LEAKAGE_LABELS},
        "aeb": _prf(s.aeb), "aeb_exact": _estimate(s.aeb_exact),
        "must_keep": {"gold_chars": s.must_keep_chars, "share_kept": _estimate(s.must_keep)},
    }


def _document(d: DocumentScore) -> dict:
    return {
        "id": d.doc_id, "publisher": d.publisher, "missing": d.missing, "empty": d.empty,
        "spans": {key: _counts(d.spans[key]) for key in SPAN_KEYS},
        "leakage": {label: {"kept": k, "gold": n} for label, (k, n) in d.leakage.items() if label in LEAKAGE_LABELS},
        "aeb": _counts(d.aeb), "aeb_exact": d.aeb_exact,
        "unaligned_chars": d.unaligned_chars, "unaligned_words": d.unaligned_words,
        "page_type": d.page_type, "must_keep": {"kept": d.must_keep[0], "gold": d.must_keep[1]},
    }


def to_json(result: EvaluationResult) -> dict:
    """Everything in the result, as plain JSON values in a fixed order."""
    return {
        "task": "boilerplate", "input": result.input, "splits": list(result.splits),
        "bootstrap": {"resamples": result.resamples, "seed": result.seed, "confidence": CONFIDENCE},
        "overall": _summary(result.overall),
        "publishers": {name: _summary(s) for name, s in result.publishers.items()},
        "page_types": {name: _summary(s) for name, s in result.page_types.items()},
        "documents": [_document(d) for d in result.documents],
        "missing": [d.doc_id for d in result.documents if d.missing],
    }


# -- Markdown -------------------------------------------------------------------------------

def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def fmt_ci(est: Estimate) -> str:
    if est.low is None:
        return fmt(est.value)
    return f"{fmt(est.value)} [{fmt(est.low)}, {fmt(est.high)}]"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _span_rows(s: Summary) -> list[list[str]]:
    rows = []
    for key in SPAN_KEYS:
        unit, cls = key.split("/")
        for avg, prf in s.spans[key].items():
            rows.append([_UNIT[unit], cls, avg, fmt_ci(prf.precision), fmt_ci(prf.recall), fmt_ci(prf.f1)])
    return rows


def _leakage_rows(s: Summary) -> list[list[str]]:
    return [[label, str(s.gold_chars[label]), fmt_ci(s.leakage[label]) if s.gold_chars[label] else "no gold characters"]
            for label in LEAKAGE_LABELS]


def _publisher_rows(result: EvaluationResult) -> list[list[str]]:
    rows = []
    for name, s in result.publishers.items():
        f1 = {key: fmt(s.spans[key]["micro"].f1.value) for key in SPAN_KEYS}
        rows.append([cell(name), str(s.documents), str(s.empty), f1["char/content"], f1["token/content"],
                     f1["char/boilerplate"], fmt(s.aeb.f1.value)])
    return rows


def _note(d: DocumentScore) -> str:
    return "no prediction (scored empty)" if d.missing else "empty output" if d.empty else ""


def _document_rows(result: EvaluationResult) -> list[list[str]]:
    rows = []
    for d in result.documents:
        char = d.spans["char/content"]
        rows.append([cell(d.doc_id), cell(d.publisher), fmt(char.precision), fmt(char.recall), fmt(char.f1),
                     fmt(d.spans["token/content"].f1), fmt(d.spans["char/boilerplate"].f1), fmt(d.aeb.f1),
                     str(d.unaligned_chars), _note(d)])
    return rows


def _header(result: EvaluationResult) -> list[str]:
    s = result.overall
    return ["# Boilerplate removal: evaluation", "",
            f"Split: {', '.join(result.splits) or 'none'}; {s.documents} documents; predictions given as {result.input}; "
            f"empty outputs: {s.empty} (of which without a prediction: {s.missing}).",
            f"Intervals: {CONFIDENCE:.0%} percentile bootstrap over documents "
            f"({result.resamples} resamples, seed {result.seed})."]


def _spans_section(s: Summary) -> list[str]:
    return ["## Span metrics on the raw text", "",
            "Content: the non-space characters (or `\\w+` tokens) of the raw page that are article, scored on what "
            "the system kept. Boilerplate: the rest, scored on what it removed. Micro pools the counts of all "
            "documents, macro averages the per-document scores.", "",
            *table(["unit", "class", "average", "precision", "recall", "F1"], _span_rows(s))]


def _leakage_section(s: Summary) -> list[str]:
    return ["## Leakage by boilerplate label", "",
            "The share of gold boilerplate characters of each label that the system kept (0 is best).", "",
            *table(["label", "gold characters", "leakage"], _leakage_rows(s))]


def _aeb_section(s: Summary) -> list[str]:
    row = [fmt_ci(s.aeb.precision), fmt_ci(s.aeb.recall), fmt_ci(s.aeb.f1), fmt_ci(s.aeb_exact)]
    return ["## AEB score", "",
            "article-extraction-benchmark metric: word 4-gram shingles against the gold `clean_text`; precision and "
            "recall are means over pages, F1 is their harmonic mean; exact = identical token sequence.", "",
            *table(["precision", "recall", "F1", "exact"], [row])]


def _publishers_section(result: EvaluationResult) -> list[str]:
    return ["## By publisher", "", "Micro-averaged F1; AEB F1 as above.", "",
            *table(["publisher", "documents", "empty", "char content F1", "token content F1", "char boilerplate F1",
                    "AEB F1"], _publisher_rows(result))]


def _page_type_rows(result: EvaluationResult) -> list[list[str]]:
    rows = []
    for name, s in result.page_types.items():
        rows.append([cell(name), str(s.documents), str(s.empty), fmt_ci(s.spans["char/content"]["micro"].f1),
                     fmt_ci(s.spans["char/boilerplate"]["micro"].f1), fmt_ci(s.aeb.f1), fmt_ci(s.must_keep),
                     fmt_ci(s.leakage["must-remove"])])
    return rows


def _page_types_section(result: EvaluationResult) -> list[str]:
    return ["## By page type", "",
            "Imported benchmark pages, per page type: micro-averaged char F1 and AEB F1 with their intervals; "
            "must-keep = share of the benchmark's must-keep sentence characters kept (1 is best); must-remove "
            "leakage = share of its must-remove strings kept (0 is best).", "",
            *table(["page type", "documents", "empty", "char content F1", "char boilerplate F1", "AEB F1",
                    "must-keep kept", "must-remove leakage"], _page_type_rows(result))]


def _must_keep_section(s: Summary) -> list[str]:
    return ["## Must-keep sentences", "",
            f"The share of the {s.must_keep_chars} non-space characters of the benchmark's must-keep sentences that "
            f"the system kept: {fmt_ci(s.must_keep)}."]


def _documents_section(result: EvaluationResult) -> list[str]:
    lines = ["## Documents", "",
             *table(["document", "publisher", "char content P", "char content R", "char content F1",
                     "token content F1", "char boilerplate F1", "AEB F1", "unaligned chars", "note"],
                    _document_rows(result))]
    missing = [d.doc_id for d in result.documents if d.missing]
    if missing:
        lines += ["", f"Without a prediction (scored as empty output): {', '.join(missing)}."]
    return lines


def render_markdown(result: EvaluationResult) -> str:
    sections = [_header(result), _spans_section(result.overall), _leakage_section(result.overall),
                _aeb_section(result.overall)]
    if result.overall.must_keep_chars:
        sections.append(_must_keep_section(result.overall))
    if result.page_types:
        sections.append(_page_types_section(result))
    if result.publishers:
        sections.append(_publishers_section(result))
    sections.append(_documents_section(result))
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"
