"""Run one baseline over a corpus, score it, and write its results file.

A results file is deterministic except its `runtime` object, which holds what depends on the
machine (wall seconds, Python version): compare two runs with that key removed.
Runtime is the best of `repeats` passes over the documents (imports done before, HTML conversion
included, scoring excluded); the passes must give the same texts, or the system is not reproducible.

What a system is given: on a corpus imported from a benchmark (`import-benchmark`), a system with
`from_html` gets each page's original HTML (`html/<doc_id>.html.gz`) and its text is aligned onto
the view; every other system gets the document (`extract`). A system with `train` is fitted on the
training documents first (never on a page it is then scored on: `check_training` refuses that).
"""
from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..progress import Progress
from ..records import Document
from . import Baseline, versions

REPEATS = 3
HTML_DIR = "html"
# An imported corpus has hundreds of pages: its results keep the corpus figures and drop the per-page rows.
PER_DOCUMENT_LIMIT = 50


class NotReproducible(Exception):
    """A baseline gave two different texts for one document."""


class TrainingOverlap(Exception):
    """The training documents include a page of the scored set (or cannot be had)."""


@dataclass(frozen=True)
class Training:
    """What a learned system is fitted on: the corpus it comes from, and its documents."""
    corpus: str
    split: str
    documents: list[Document]

    def record(self) -> dict:
        return {"corpus": self.corpus, "split": self.split, "documents": len(self.documents)}


@dataclass
class Inputs:
    """The scored documents and what goes with them: original HTML by doc id, the corpus name."""
    documents: list[Document]
    split: str
    corpus: str = "newsspan"
    html: dict[str, str] = field(default_factory=dict)
    training: Training | None = None


def benchmark_documents(documents: dict[str, Document], split: str) -> list[Document]:
    """The documents of `split` ("all" for every one), in id order."""
    return [documents[k] for k in sorted(documents) if split == "all" or documents[k].split == split]


class HtmlProblem(ValueError):
    """An imported page's HTML is damaged, too large or not the page its provenance names."""


def read_html(root: Path, documents: Iterable[Document]) -> dict[str, str]:
    """The original HTML of each document that has `html/<doc_id>.html.gz` (an imported corpus),
    read with the importer's limits and checked against the sha256 its provenance records."""
    import hashlib
    import zlib

    from ..benchimport.sources import read_gzip_html
    from ..benchimport.views import decode

    folder = root / HTML_DIR
    if not folder.is_dir():
        return {}
    found = {}
    for doc in documents:
        path = folder / f"{doc.doc_id}.html.gz"
        if not path.is_file():
            continue
        try:
            data = read_gzip_html(path)
        except (OSError, EOFError, zlib.error, ValueError) as err:
            raise HtmlProblem(f"{HTML_DIR}/{path.name}: cannot be read ({err}); import the benchmark again") from None
        if doc.imported is not None and hashlib.sha256(data).hexdigest() != doc.imported.html_sha256:
            raise HtmlProblem(f"{HTML_DIR}/{path.name}: not the page its annotation names (sha256 differs from "
                              "imported_from.html_sha256); import the benchmark again")
        found[doc.doc_id] = decode(data)
    return found


def newsspan_training(split: str = "train") -> Training:
    """NewsSpan's own corpus as training data: its train split, or every document (split "all")."""
    from ..commands._common import CORPUS
    from ..validate import validate_corpus

    report = validate_corpus(CORPUS)
    if not report.ok:
        raise TrainingOverlap("the NewsSpan corpus has validation errors, so it cannot train a system; "
                              "run `python3 build_dataset.py validate` and fix them first")
    return Training("newsspan", split, benchmark_documents(report.documents, split))


def check_training(training: Training, documents: list[Document]) -> None:
    scored = {d.doc_id for d in documents} | {d.metadata.raw_sha256 for d in documents}
    shared = sorted(d.doc_id for d in training.documents if d.doc_id in scored or d.metadata.raw_sha256 in scored)
    if shared:
        raise TrainingOverlap(f"{len(shared)} training documents are scored pages too (first: {shared[0]}); "
                              "train on another corpus or split (--train-corpus)")


def runner(system: Baseline, inputs: Inputs) -> tuple[str, Callable[[Document], str]]:
    """How the system runs on these inputs ("original-html" or "view") and the function that runs it."""
    from_html = getattr(system, "from_html", None)
    if from_html is not None and inputs.html:
        html = inputs.html

        def on_html(doc: Document) -> str:
            page = html.get(doc.doc_id)
            return from_html(page) if page is not None else system.extract(doc)
        return "original-html", on_html
    return "view", system.extract


def _callable(system: Baseline | Callable[[Document], str]) -> Callable[[Document], str]:
    return system.extract if isinstance(system, Baseline) else system


def predict(system: Baseline | Callable[[Document], str], documents: Iterable[Document],
            progress: Progress | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Each document's kept text; a library error on a page counts as an empty answer and is recorded."""
    run = _callable(system)
    texts, failures = {}, {}
    for doc in documents:
        try:
            texts[doc.doc_id] = run(doc)
        except Exception as err:  # a third-party extractor may fail on any page: that is a result, not a crash
            texts[doc.doc_id], failures[doc.doc_id] = "", type(err).__name__
        if progress is not None:
            progress.advance()
    return texts, failures


def timed_predictions(system: Baseline | Callable[[Document], str], documents: list[Document], repeats: int = REPEATS,
                      progress: Progress | None = None, name: str | None = None
                      ) -> tuple[dict[str, str], dict[str, str], float]:
    run, name = _callable(system), name or getattr(system, "name", "the system")
    best, first = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        answer = predict(run, documents, progress)
        best = min(best, time.perf_counter() - start)
        if first is not None and answer != first:
            changed = [k for k in first[0] if (first[0][k], first[1].get(k)) != (answer[0][k], answer[1].get(k))]
            raise NotReproducible(f"{name} gave different output on two runs over {changed[0]!r}")
        first = answer
    return first[0], first[1], best


_TRAINED: dict[tuple, tuple[Callable[[Document], str], float]] = {}


def _trained(system: Baseline, training: Training) -> tuple[Callable[[Document], str], float]:
    """The system fitted on `training` and the seconds it took; fitted once per process and training set."""
    key = (system.name, training.corpus, training.split, tuple(d.doc_id for d in training.documents))
    if key not in _TRAINED:
        start = time.perf_counter()
        model = system.train(training.documents)
        _TRAINED[key] = model, time.perf_counter() - start
    return _TRAINED[key]


def score_system(system: Baseline, documents: list[Document] | Inputs, split: str | None = None, *,
                 repeats: int = REPEATS, quiet: bool = True) -> dict:
    """The results record of one baseline (see module docstring)."""
    from ..evaluate import evaluate_texts, to_json
    from ..release import project_version

    inputs = documents if isinstance(documents, Inputs) else Inputs(documents, split or "test")
    docs = inputs.documents
    mode, run = runner(system, inputs)
    trained = None
    train = getattr(system, "train", None)
    if train is not None:
        inputs.training = inputs.training or newsspan_training()
        check_training(inputs.training, docs)
        run, trained = _trained(system, inputs.training)
    progress = Progress(f"benchmark {system.name}", len(docs) * repeats, "pages", quiet=quiet)
    texts, failures, seconds = timed_predictions(run, docs, repeats, progress, system.name)
    progress.finish()
    scores = to_json(evaluate_texts(texts, docs))
    if len(docs) > PER_DOCUMENT_LIMIT and any(d.imported for d in docs):
        scores.pop("documents")
    result = {
        "system": system.name,
        "family": system.family,
        "summary": system.summary,
        "versions": versions(system),
        "dataset_version": project_version(),
        "corpus": inputs.corpus,
        "split": inputs.split,
        "input": mode,
        "documents": [d.doc_id for d in docs],
        "failures": failures,
        "scores": scores,
        "runtime": {"wall_seconds": round(seconds, 4), "repeats": repeats, "python": platform.python_version()},
    }
    if trained is not None:
        result["training"] = inputs.training.record()
        result["runtime"]["train_seconds"] = round(trained, 4)
    return result


def other_runs(out: Path, replaced: set[str], documents: list[Document], split: str, corpus: str = "newsspan") -> list[str]:
    """Results files in `out` that this run keeps but that score other documents or another dataset version.

    A leaderboard row is comparable to another only when both score the same documents of the same version.
    """
    from ..release import project_version
    from .leaderboard import read_result

    wanted = (project_version(), corpus, split, [d.doc_id for d in documents])
    found = []
    for path in sorted(out.glob("*.json")):
        if path.stem not in replaced:
            old = read_result(path)
            if (old.get("dataset_version"), old.get("corpus", "newsspan"), old.get("split"), old.get("documents")) != wanted:
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
