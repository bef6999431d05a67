"""NER and quote evaluations as Markdown reports or as deterministic JSON."""
from __future__ import annotations

from .metrics import Counts, Tally
from .ner import NerResult
from .quotes import QuotesResult
from .report import fmt, rounded, table


def _tally(t: Tally) -> dict:
    return {"pred_matched": t.pred_matched, "pred": t.pred, "gold_matched": t.gold_matched, "gold": t.gold,
            "precision": rounded(t.precision), "recall": rounded(t.recall), "f1": rounded(t.f1)}


def _counts(c: Counts) -> dict:
    return {"tp": c.tp, "fp": c.fp, "fn": c.fn, "precision": rounded(c.precision), "recall": rounded(c.recall), "f1": rounded(c.f1)}


def ner_to_json(result: NerResult) -> dict:
    return {
        "task": "ner", "splits": list(result.splits),
        "mentions": None if result.mentions is None else
        {mode: {label: _tally(t) for label, t in labels.items()} for mode, labels in result.mentions.items()},
        "bio": None if result.bio is None else {label: _counts(c) for label, c in result.bio.items()},
        "bio_scorer": "built-in, seqeval-compatible (default mode)",
        "missing_documents": list(result.missing_documents), "missing_rows": list(result.missing_rows),
    }


def _prf_cells(score) -> list[str]:
    return [fmt(score.precision), fmt(score.recall), fmt(score.f1)]


def render_ner_markdown(result: NerResult) -> str:
    lines = ["# NER: evaluation", "", f"Split: {', '.join(result.splits) or 'none'}."]
    if result.mentions is not None:
        m = result.mentions
        rows = [[label, *_prf_cells(m["exact"][label]), *_prf_cells(m["overlap"][label]),
                 str(m["exact"][label].gold), str(m["exact"][label].pred)] for label in m["exact"]]
        lines += ["", "## Entity mentions (character spans)", "",
                  "exact: same start, end and label; overlap: shares a character with a mention of the same label.", "",
                  *table(["label", "exact P", "exact R", "exact F1", "overlap P", "overlap R", "overlap F1",
                          "gold", "predicted"], rows)]
        if result.missing_documents:
            lines += ["", f"Without a prediction (scored as no entities): {', '.join(result.missing_documents)}."]
    if result.bio is not None:
        rows = [[label, *_prf_cells(c), str(c.tp + c.fn), str(c.tp + c.fp)] for label, c in result.bio.items()]
        lines += ["", "## BIO tags of the `ner` rows (seqeval-compatible chunks)", "",
                  *table(["label", "precision", "recall", "F1", "gold chunks", "predicted chunks"], rows)]
        if result.missing_rows:
            lines += ["", f"Rows without a prediction (scored as all O): {len(result.missing_rows)}: "
                          f"{', '.join(result.missing_rows[:10])}{' ...' if len(result.missing_rows) > 10 else ''}."]
    return "\n".join(lines) + "\n"


def quotes_to_json(result: QuotesResult) -> dict:
    return {
        "task": "quotes", "splits": list(result.splits),
        "quotes": _tally(result.quotes), "exact": _tally(result.exact), "content_chars": _counts(result.chars),
        "speaker": {"right": result.speakers_right, "paired": result.quotes.pred_matched,
                    "accuracy": rounded(result.speaker_accuracy)},
        "documents": [{"id": d.doc_id, "missing": d.missing, "quotes": _tally(d.quotes), "exact": _tally(d.exact),
                       "content_chars": _counts(d.chars), "speakers_right": d.speakers_right} for d in result.documents],
        "missing": [d.doc_id for d in result.documents if d.missing],
    }


def render_quotes_markdown(result: QuotesResult) -> str:
    rows = [["quotes (overlap)", *_prf_cells(result.quotes), str(result.quotes.gold), str(result.quotes.pred)],
            ["quotes (exact content)", *_prf_cells(result.exact), str(result.exact.gold), str(result.exact.pred)],
            ["content characters", *_prf_cells(result.chars), str(result.chars.tp + result.chars.fn),
             str(result.chars.tp + result.chars.fp)]]
    doc_rows = [[d.doc_id, *_prf_cells(d.quotes), f"{d.speakers_right}/{d.quotes.pred_matched}",
                 "no prediction" if d.missing else ""] for d in result.documents]
    missing = [d.doc_id for d in result.documents if d.missing]
    lines = ["# Quotes: evaluation", "", f"Split: {', '.join(result.splits) or 'none'}.", "",
             "A predicted quote is paired with the gold quote whose content it overlaps most (one to one).", "",
             *table(["measure", "precision", "recall", "F1", "gold", "predicted"], rows), "",
             f"Speaker accuracy on paired quotes: {fmt(result.speaker_accuracy)} "
             f"({result.speakers_right} of {result.quotes.pred_matched}).", "",
             "## Documents", "", *table(["document", "P", "R", "F1", "speakers right", "note"], doc_rows)]
    if missing:
        lines += ["", f"Without a prediction (scored as no quotes): {', '.join(missing)}."]
    return "\n".join(lines) + "\n"
