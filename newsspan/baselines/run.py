"""Run one baseline over the corpus, score it, and write its results file.

A results file is deterministic except its `runtime` object, which holds what depends on the
machine (wall seconds, Python version): compare two runs with that key removed.
Runtime is the best of `REPEATS` passes over the documents (imports done before, HTML conversion
included, scoring excluded); the passes must give the same texts, or the system is not reproducible.
"""
from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Iterable

from ..records import Document
from . import Baseline, versions

REPEATS = 3


class NotReproducible(Exception):
    """A baseline gave two different texts for one document."""


def benchmark_documents(documents: dict[str, Document], split: str) -> list[Document]:
    """The documents of `split` ("all" for every one), in id order."""
    return [documents[k] for k in sorted(documents) if split == "all" or documents[k].split == split]


def predict(system: Baseline, documents: Iterable[Document]) -> tuple[dict[str, str], dict[str, str]]:
    """Each document's kept text; a library error on a page counts as an empty answer and is recorded."""
    texts, failures = {}, {}
    for doc in documents:
        try:
            texts[doc.doc_id] = system.extract(doc)
        except Exception as err:  # a third-party extractor may fail on any page: that is a result, not a crash
            texts[doc.doc_id], failures[doc.doc_id] = "", type(err).__name__
    return texts, failures


def timed_predictions(system: Baseline, documents: list[Document]) -> tuple[dict[str, str], dict[str, str], float]:
    best, first = float("inf"), None
    for _ in range(REPEATS):
        start = time.perf_counter()
        answer = predict(system, documents)
        best = min(best, time.perf_counter() - start)
        if first is not None and answer != first:
            changed = [k for k in first[0] if (first[0][k], first[1].get(k)) != (answer[0][k], answer[1].get(k))]
            raise NotReproducible(f"{system.name} gave different output on two runs over {changed[0]!r}")
        first = answer
    return first[0], first[1], best


def score_system(system: Baseline, documents: list[Document], split: str) -> dict:
    """The results record of one baseline (see module docstring)."""
    from ..evaluate import evaluate_texts, to_json
    from ..release import project_version

    texts, failures, seconds = timed_predictions(system, documents)
    return {
        "system": system.name,
        "family": system.family,
        "summary": system.summary,
        "versions": versions(system),
        "dataset_version": project_version(),
        "split": split,
        "documents": [d.doc_id for d in documents],
        "failures": failures,
        "scores": to_json(evaluate_texts(texts, documents)),
        "runtime": {"wall_seconds": round(seconds, 4), "repeats": REPEATS, "python": platform.python_version()},
    }


def other_runs(out: Path, replaced: set[str], documents: list[Document], split: str) -> list[str]:
    """Results files in `out` that this run keeps but that score other documents or another dataset version.

    A leaderboard row is comparable to another only when both score the same documents of the same version.
    """
    from ..release import project_version
    from .leaderboard import read_result

    wanted = (project_version(), split, [d.doc_id for d in documents])
    found = []
    for path in sorted(out.glob("*.json")):
        if path.stem not in replaced:
            old = read_result(path)
            if (old.get("dataset_version"), old.get("split"), old.get("documents")) != wanted:
                found.append(path.name)
    return found


def result_text(result: dict) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def write_result(result: dict, out: Path) -> Path:
    """Write `<out>/<system>.json` whole or not at all."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{result['system']}.json"
    partial = out / f".{result['system']}.json.partial"
    partial.write_text(result_text(result), encoding="utf-8")
    os.replace(partial, path)
    return path
