"""`evaluate --predictions PRED.jsonl`: score a system's output against the gold split."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..evaluate import evaluate_spans, evaluate_texts, render_markdown, to_json
from ..evaluate.gold import Gold, GoldError, corpus_gold, release_gold
from ..evaluate.jsonl import LineError, read_records
from ..evaluate.ner import evaluate_ner
from ..evaluate.predictions import boilerplate_predictions, ner_predictions, quote_predictions
from ..evaluate.quotes import evaluate_quotes
from ..evaluate.task_report import ner_to_json, quotes_to_json, render_ner_markdown, render_quotes_markdown
from ..read import relpath
from ..records import SPLITS
from ._common import CORPUS, EXIT_INVALID, EXIT_OK, UsageError

NAME = "evaluate"
HELP = "score predictions (boilerplate removal, NER or quotes) against the gold split"


def configure(parser) -> None:
    parser.add_argument("--predictions", required=True, metavar="PRED.jsonl",
                        help='JSON lines: {"id": doc_id, "text": cleaned text} or {"id": doc_id, "spans": [[start, end], ...]} '
                             "(for --task ner: \"entities\" or \"ner_tags\"; for --task quotes: \"quotes\")")
    parser.add_argument("--task", choices=("boilerplate", "ner", "quotes"), default="boilerplate",
                        help="what is evaluated (default: boilerplate)")
    parser.add_argument("--split", choices=SPLITS, default="test", help="gold split (default: test)")
    parser.add_argument("--format", choices=("md", "json"), default="md", help="report format (default: md)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--release", metavar="DIR", help="take the gold from a built release (dist/<version>) "
                                                         "instead of the corpus")
    source.add_argument("--corpus", metavar="DIR", help="take the gold from this corpus folder (default: corpus/)")


def run(args) -> int:
    path = Path(args.predictions)
    if not path.is_file():
        raise UsageError(f"{args.predictions}: no such file (--predictions needs a JSON lines file)")
    if args.release and not Path(args.release).is_dir():
        raise UsageError(f"{args.release}: no such folder (--release needs a built dist/<version> folder)")
    try:
        gold = _gold(args)
    except GoldError as err:
        print(f"evaluate: error: {err}", file=sys.stderr)
        return EXIT_INVALID
    where = relpath(path)
    records, errors = read_records(path, where)
    if not records and not errors:
        # Scoring nothing would report every gold document as missed, with exit 0.
        errors = [LineError(where, 1, 1, "the file holds no predictions (it is empty or only blank lines)",
                            'write one JSON object per line, e.g. {"id": "<doc_id>", "text": "<cleaned text>"}')]
    outcome = TASKS[args.task](records, gold, where, args.format)
    errors = sorted(errors + outcome.errors, key=lambda e: (e.line, e.col))
    if errors:
        print("\n".join(str(e) for e in errors), file=sys.stderr)
        print(f"evaluate: {len(errors)} problem{'s' * (len(errors) != 1)} in {where}; nothing was scored", file=sys.stderr)
        return EXIT_INVALID
    print(outcome.report, end="" if outcome.report.endswith("\n") else "\n", flush=True)
    for warning in outcome.warnings:
        print(f"evaluate: warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _gold(args) -> Gold:
    if args.release:
        return release_gold(Path(args.release), args.split)
    return corpus_gold(Path(args.corpus) if args.corpus else CORPUS, args.split)


@dataclass
class Outcome:
    """A rendered report and its warnings, or the problems that prevent scoring."""
    report: str = ""
    warnings: list[str] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def _render(fmt: str, result, as_json, as_markdown) -> str:
    if fmt == "json":
        return json.dumps(as_json(result), ensure_ascii=False, indent=2)
    return as_markdown(result)


def _missing(ids, scored_as: str) -> list[str]:
    ids = list(ids)
    if not ids:
        return []
    return [f"{len(ids)} without a prediction, scored as {scored_as}: {', '.join(ids[:5])}{' ...' if len(ids) > 5 else ''}"]


def _boilerplate(records, gold: Gold, where: str, fmt: str) -> Outcome:
    found, errors = boilerplate_predictions(records, gold, where)
    if errors:
        return Outcome(errors=errors)
    evaluate = evaluate_spans if found.kind == "spans" else evaluate_texts
    result = evaluate(found.values, list(gold.documents.values()))
    return Outcome(_render(fmt, result, to_json, render_markdown),
                   _missing((d.doc_id for d in result.documents if d.missing), "an empty output"))


def _ner(records, gold: Gold, where: str, fmt: str) -> Outcome:
    found, errors = ner_predictions(records, gold, where)
    if errors:
        return Outcome(errors=errors)
    result = evaluate_ner(found.mentions, found.tags, list(gold.documents.values()), list(gold.ner.values()))
    return Outcome(_render(fmt, result, ner_to_json, render_ner_markdown),
                   _missing(result.missing_documents, "no entities") + _missing(result.missing_rows, "all O"))


def _quotes(records, gold: Gold, where: str, fmt: str) -> Outcome:
    found, errors = quote_predictions(records, gold, where)
    if errors:
        return Outcome(errors=errors)
    result = evaluate_quotes(found, list(gold.documents.values()))
    return Outcome(_render(fmt, result, quotes_to_json, render_quotes_markdown),
                   _missing((d.doc_id for d in result.documents if d.missing), "no quotes"))


TASKS = {"boilerplate": _boilerplate, "ner": _ner, "quotes": _quotes}
