"""`benchmark`: run every boilerplate-removal baseline offline and write benchmarks/results/.

With `--corpus DIR` it scores another corpus, such as a benchmark imported by `import-benchmark`
(results in benchmarks/results/<benchmark>-<view>/ unless `--out` says otherwise). Learned systems
are trained on `--train-corpus` (default: NewsSpan's own corpus, all of it when another corpus is
scored, its train split when NewsSpan itself is), never on a scored page.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..outputs import output_folder, refuse_links_inside, write_file
from ..read import read_outside_json
from ._common import CORPUS, EXIT_INVALID, EXIT_OK, REPO, UsageError, shown

NAME = "benchmark"
HELP = "score every boilerplate-removal baseline on the corpus; write benchmarks/results/<system>.json"
RESULTS = REPO / "benchmarks" / "results"
LEADERBOARD = "leaderboard.md"
IMPORT_FILE = "import.json"


def configure(parser) -> None:
    parser.add_argument("--split", choices=("test", "all"), default="test",
                        help="documents to score: the test split (default) or every document")
    parser.add_argument("--system", action="append", metavar="NAME",
                        help="run only this baseline (repeatable; default: all)")
    parser.add_argument("--corpus", type=Path, default=None, metavar="DIR",
                        help="corpus to score (default: corpus/); e.g. a benchmark imported with import-benchmark")
    parser.add_argument("--train-corpus", type=Path, default=None, metavar="DIR",
                        help="corpus that trains the learned systems, all its documents (default: NewsSpan's "
                             "corpus/: its train split when it is the scored corpus, else all of it)")
    parser.add_argument("--out", type=Path, default=None,
                        help="results folder (default: benchmarks/results/, or benchmarks/results/<benchmark>-<view>/ "
                             "for an imported corpus)")
    parser.add_argument("--repeats", type=int, default=None, metavar="N",
                        help="timed passes per system, the best counts (default 3; at least 2 also checks that "
                             "the output is reproducible)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def run(args) -> int:
    from ..baselines import BASELINES, by_name

    names = args.system or [b.name for b in BASELINES]
    unknown = [n for n in names if n not in by_name()]
    if unknown:
        raise UsageError(f"unknown system {unknown[0]!r}; choose from: {', '.join(b.name for b in BASELINES)}")
    for option, folder in (("--corpus", args.corpus), ("--train-corpus", args.train_corpus)):
        if folder is not None and not folder.is_dir():
            raise UsageError(f"{option} {folder}: no such folder (give a corpus folder with raw/ and annotations/)")
    if args.repeats is not None and args.repeats < 1:
        raise UsageError(f"--repeats {args.repeats}: give at least 1")
    return run_benchmark([by_name()[n] for n in dict.fromkeys(names)], args.split, args.out, corpus=args.corpus,
                         train_corpus=args.train_corpus, repeats=args.repeats, quiet=args.quiet)


def import_summary(root: Path) -> dict | None:
    """The corpus's import.json (an imported benchmark), without its page lists; None for any other corpus."""
    path = root / IMPORT_FILE
    if not path.is_file():
        return None
    source, problems = read_outside_json(path)
    if problems:
        return None
    found = source.value
    keys = ("benchmark", "view", "converter", "converter_version", "min_aligned_share", "pages", "kept",
            "kept_by_page_type", "must_keep_sentences", "must_keep_not_in_view", "must_remove_spans")
    return {k: found.get(k) for k in keys} if isinstance(found, dict) and "benchmark" in found else None


def corpus_name(root: Path, summary: dict | None) -> str:
    if summary is not None:
        return f"{summary['benchmark']}-{summary['view']}"
    return "newsspan" if root.resolve() == CORPUS.resolve() else root.resolve().name


def _validated(root: Path, what: str):
    from ..validate import validate_corpus

    report = validate_corpus(root, jobs=0)
    if not report.ok:
        print(f"benchmark: the {what} {shown(root)} has errors; run `python3 build_dataset.py validate --corpus "
              f"{shown(root)}` and fix them first", file=sys.stderr)
        return None
    return report.documents


def _training(systems, train_corpus: Path | None, scored_is_newsspan: bool):
    from ..baselines.run import Training, benchmark_documents, newsspan_training

    if not any(getattr(b, "train", None) for b in systems):
        return None
    if train_corpus is None:
        return newsspan_training("train" if scored_is_newsspan else "all")
    documents = _validated(train_corpus, "training corpus")
    if documents is None:
        return False
    return Training(corpus_name(train_corpus, import_summary(train_corpus)), "all", benchmark_documents(documents, "all"))


def run_benchmark(systems, split: str, out: Path | None, *, corpus: Path | None = None, train_corpus: Path | None = None,
                  repeats: int | None = None, quiet: bool = True) -> int:
    """Only a clean corpus is benchmarked, and only when every chosen system can run."""
    from ..baselines import unavailable
    from ..baselines.leaderboard import leaderboard_markdown, load_results
    from ..baselines.plot import PLOT, plot_results
    from ..baselines.run import (REPEATS, HtmlProblem, Inputs, NotReproducible, TrainingOverlap, benchmark_documents,
                                 check_training, other_runs, read_html, score_system, write_result)

    missing = [(b.name, why) for b in systems if (why := unavailable(b))]
    for name, why in missing:
        print(f"benchmark: cannot run {name}: {why}", file=sys.stderr)
    if missing:
        print("benchmark: install the benchmark libraries with: python3 -m pip install -e '.[bench]' "
              "(or choose systems with --system)", file=sys.stderr)
        return EXIT_INVALID
    root = corpus or CORPUS
    summary = import_summary(root)
    name = corpus_name(root, summary)
    out = out or (RESULTS if name == "newsspan" else RESULTS / name)
    found = _validated(root, "corpus")
    if found is None:
        return EXIT_INVALID
    from ..release import project_version, version_documents
    from ..write import BuildRefused
    try:
        # The pages of the current version: a page in no version yet is not scored.
        found, _ = version_documents(found, project_version(), root)
    except BuildRefused as err:
        print(f"benchmark: {err}", file=sys.stderr)
        return EXIT_INVALID
    documents = benchmark_documents(found, split)
    if not documents:
        print(f"benchmark: {shown(root)} has no {split} documents to score", file=sys.stderr)
        return EXIT_INVALID
    try:
        others = other_runs(out, {b.name for b in systems}, documents, split, name) if out.is_dir() else []
    except ValueError as err:
        print(f"benchmark: {err}", file=sys.stderr)
        return EXIT_INVALID
    if others:
        print(f"benchmark: {shown(out)} holds results of another split or dataset version ({', '.join(others)}); "
              "run every system (no --system), or write to another folder with --out", file=sys.stderr)
        return EXIT_INVALID
    try:
        training = _training(systems, train_corpus, name == "newsspan")
        if training:
            check_training(training, documents)
    except TrainingOverlap as err:
        print(f"benchmark: {err}", file=sys.stderr)
        return EXIT_INVALID
    if training is False:
        return EXIT_INVALID
    try:
        html = read_html(root, documents)
    except HtmlProblem as err:
        print(f"benchmark: {shown(root)}: {err}", file=sys.stderr)
        return EXIT_INVALID
    # Only now is the folder made: a refused run leaves nothing behind.
    out = output_folder(out, "--out folder")
    refuse_links_inside(out, [f"{b.name}.json" for b in systems] + [LEADERBOARD, PLOT])
    inputs = Inputs(documents, split, name, html, training or None)
    for system in systems:
        try:
            result = score_system(system, inputs, repeats=repeats or REPEATS, quiet=quiet)
        except NotReproducible as err:
            print(f"benchmark: {err}; its scores would not be reproducible, so none were written", file=sys.stderr)
            return EXIT_INVALID
        if summary is not None:
            result["import"] = summary
        print(f"benchmark: wrote {shown(write_result(result, out))}")
    try:
        board = leaderboard_markdown(out)
    except ValueError as err:
        print(f"benchmark: no leaderboard: {err}", file=sys.stderr)
        return EXIT_INVALID
    write_file(out / LEADERBOARD, board + "\n")
    print(f"benchmark: wrote {shown(out / LEADERBOARD)}\n\n{board}")
    if summary is not None:
        title = f"{summary['benchmark'].upper()}, {summary['view']} view: {len(documents)} pages"
        if plot_results(load_results(out), title, out / PLOT):
            print(f"benchmark: wrote {shown(out / PLOT)}")
    return EXIT_OK
