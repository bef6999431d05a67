"""A learned baseline: a line classifier fitted on the labelled lines of training documents.

A line is a non-blank line of the page (the corpus's block). Its label: content when at least
half of its non-space characters lie outside every boilerplate span. Its features (`FEATURES`)
are the four of the line heuristic (on the line as a reader sees it), seven more of the line,
and eight of its context, because boilerplate comes in runs (a menu, a footer) and the article
is one stretch of prose: the length and stopword share of the lines just before and after, their
means over the seven lines around it, and the share of the page's prose characters (in lines of
at least 10 words and a stopword share of at least 0.2) that come before it. The classifier is
scikit-learn's histogram gradient boosting with fixed settings and seed, never tuned. The feature
set was picked among three variants (without the three window and prose features; with them;
with them and lines weighted by their characters) by the scores of AEB-trained models on WCXB and
WCXB-trained ones on AEB, so its figures on those two benchmarks are slightly optimistic; NewsSpan
pages played no part. The output is the page's lines it calls content, stripped, one per line,
in page order.

Protocol: `train(documents)` fits on every line of the given documents and returns the extract
function, which refuses a page it was trained on (same doc id or same raw text), so a run can
never score a model on its own training pages. Which documents train which run is the runner's
choice; the registry's default (`newsspan_trained`) is the NewsSpan corpus's train split.
"""
from __future__ import annotations

import hashlib
import math
import re
from functools import cache
from typing import Callable

from ..records import Document
from .heuristic import features, visible

SEED = 13
SETTINGS = {"max_iter": 100, "learning_rate": 0.1, "max_leaf_nodes": 15, "min_samples_leaf": 10,
            "l2_regularization": 1.0, "early_stopping": False, "random_state": SEED}
TERMINAL = (".", "!", "?", '"', "'", "\u201d", "\u2019", ":")
MARKUP = re.compile(r"^\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\|)")
FEATURES = ("log_words", "link_density", "punctuation", "stopwords", "log_chars", "terminal", "uppercase", "digits",
            "markup", "position", "repeats", "prev_log_words", "prev_stopwords", "next_log_words",
            "next_stopwords", "window_log_words", "window_stopwords", "prose_before")
WINDOW = 3           # lines either side
PROSE_WORDS = 10     # a prose line, for `prose_before`: at least this many words ...
PROSE_STOPWORDS = 0.2  # ... and at least this share of stopwords


class TrainingPage(ValueError):
    """A trained model was asked to score one of its training pages."""


def lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, trimmed of edge whitespace."""
    found, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped[0])
            found.append((start, start + len(stripped)))
        pos += len(line) + 1
    return found


def page_features(text: str, raw_format: str) -> list[list[float]]:
    """One row of `FEATURES` per line of `lines(text)`."""
    spans = lines(text)
    counts: dict[str, int] = {}
    for start, end in spans:
        counts[text[start:end]] = counts.get(text[start:end], 0) + 1
    own = [_own(text[s:e], raw_format) for s, e in spans]
    prose = [row[4] if math.expm1(row[0]) >= PROSE_WORDS and row[3] >= PROSE_STOPWORDS else 0.0 for row in own]
    total, before = sum(prose) or 1.0, 0.0
    rows = []
    for i, ((start, end), row) in enumerate(zip(spans, own)):
        prev_row = own[i - 1] if i else [0.0] * len(row)
        next_row = own[i + 1] if i + 1 < len(own) else [0.0] * len(row)
        window = own[max(0, i - WINDOW):i + WINDOW + 1]
        rows.append(row + [i / max(1, len(spans) - 1), float(counts[text[start:end]] > 1),
                           prev_row[0], prev_row[3], next_row[0], next_row[3],
                           sum(w[0] for w in window) / len(window), sum(w[3] for w in window) / len(window),
                           before / total])
        before += prose[i]
    return rows


def _own(line: str, raw_format: str) -> list[float]:
    text, link_chars = visible(line, raw_format)
    f = features(text, link_chars)
    letters = [ch for ch in text if ch.isalpha()]
    chars = sum(1 for ch in text if not ch.isspace())
    return [math.log1p(f.words), f.link_density, f.punctuation, f.stopwords, math.log1p(chars),
            float(text.rstrip().endswith(TERMINAL)),
            sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0,
            sum(ch.isdigit() for ch in text) / chars if chars else 0.0,
            float(bool(MARKUP.match(line)))]


def line_labels(doc: Document) -> list[int]:
    """Per line of `lines(doc.raw_text)`: 1 when content (see module docstring), else 0."""
    boiler = bytearray(len(doc.raw_text))
    for span in doc.boilerplate:
        boiler[span.start:span.end] = b"\x01" * (span.end - span.start)
    labels = []
    for start, end in lines(doc.raw_text):
        visible_chars = [i for i in range(start, end) if not doc.raw_text[i].isspace()]
        labels.append(int(2 * sum(boiler[i] for i in visible_chars) <= len(visible_chars)))
    return labels


def _fingerprint(doc: Document) -> str:
    return hashlib.sha256(doc.raw_text.encode("utf-8")).hexdigest()


def train(documents: list[Document]) -> Callable[[Document], str]:
    """Fit on the lines of `documents`; the extract function of the fitted model (module docstring)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rows, labels = [], []
    for doc in documents:
        rows += page_features(doc.raw_text, doc.metadata.raw_format)
        labels += line_labels(doc)
    if len(set(labels)) < 2:
        raise ValueError(f"the {len(documents)} training documents have {len(labels)} lines, "
                         "not both content and boilerplate ones: a classifier needs examples of each")
    with _one_thread():
        model = HistGradientBoostingClassifier(**SETTINGS).fit(rows, labels)
    seen_ids = {d.doc_id for d in documents}
    seen_texts = {_fingerprint(d) for d in documents}

    def extract(doc: Document) -> str:
        if doc.doc_id in seen_ids or _fingerprint(doc) in seen_texts:
            raise TrainingPage(f"{doc.doc_id} is one of the model's training pages: score it on other pages")
        spans = lines(doc.raw_text)
        if not spans:
            return ""
        with _one_thread():
            keep = model.predict(page_features(doc.raw_text, doc.metadata.raw_format))
        return "\n".join(doc.raw_text[s:e] for (s, e), k in zip(spans, keep) if k == 1)
    return extract


def _one_thread():
    # scikit-learn's OpenMP threads spin while they wait: on a busy 2-core machine they slow a fit of
    # this size down tenfold rather than speed it up. One thread also keeps the sums in one order.
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")


@cache
def _newsspan_model() -> Callable[[Document], str]:
    from ..release import CORPUS
    from ..validate import validate_corpus

    documents = validate_corpus(CORPUS).documents
    return train([documents[k] for k in sorted(documents) if documents[k].split == "train"])


def newsspan_trained(doc: Document) -> str:
    """The model trained on the NewsSpan corpus's train split (fitted once, on first use)."""
    return _newsspan_model()(doc)
