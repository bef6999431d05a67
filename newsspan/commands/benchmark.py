"""`benchmark`: run every boilerplate-removal baseline offline and write benchmarks/results/."""
from __future__ import annotations

import sys
from pathlib import Path

from ..outputs import output_folder, refuse_links_inside, write_file
from ._common import CORPUS, EXIT_INVALID, EXIT_OK, REPO, UsageError, shown

NAME = "benchmark"
HELP = "score every boilerplate-removal baseline on the corpus; write benchmarks/results/<system>.json"
RESULTS = REPO / "benchmarks" / "results"
LEADERBOARD = "leaderboard.md"


def configure(parser) -> None:
    parser.add_argument("--split", choices=("test", "all"), default="test",
                        help="documents to score: the test split (default) or every document")
    parser.add_argument("--system", action="append", metavar="NAME",
                        help="run only this baseline (repeatable; default: all)")
    parser.add_argument("--out", type=Path, default=None, help="results folder (default: benchmarks/results/)")


def run(args) -> int:
    from ..baselines import BASELINES, by_name

    names = args.system or [b.name for b in BASELINES]
    unknown = [n for n in names if n not in by_name()]
    if unknown:
        raise UsageError(f"unknown system {unknown[0]!r}; choose from: {', '.join(b.name for b in BASELINES)}")
    out = output_folder(args.out or RESULTS, "--out folder")
    refuse_links_inside(out, [f"{n}.json" for n in names] + [LEADERBOARD])
    return run_benchmark([by_name()[n] for n in dict.fromkeys(names)], args.split, out)


def run_benchmark(systems, split: str, out: Path) -> int:
    """Only a clean corpus is benchmarked, and only when every chosen system can run."""
    from ..baselines import unavailable
    from ..baselines.leaderboard import leaderboard_markdown
    from ..baselines.run import NotReproducible, benchmark_documents, other_runs, score_system, write_result
    from ..validate import validate_corpus

    missing = [(b.name, why) for b in systems if (why := unavailable(b))]
    for name, why in missing:
        print(f"benchmark: cannot run {name}: {why}", file=sys.stderr)
    if missing:
        print("benchmark: install the benchmark libraries with: python3 -m pip install -e '.[bench]' "
              "(or choose systems with --system)", file=sys.stderr)
        return EXIT_INVALID
    report = validate_corpus(CORPUS)
    if not report.ok:
        print("benchmark: the corpus has errors; run `python3 build_dataset.py validate` and fix them first", file=sys.stderr)
        return EXIT_INVALID
    from ..release import project_version, version_documents
    from ..write import BuildRefused
    try:
        # The pages of the current version: a page in no version yet is not scored.
        held, _ = version_documents(report.documents, project_version(), CORPUS)
    except BuildRefused as err:
        print(f"benchmark: {err}", file=sys.stderr)
        return EXIT_INVALID
    documents = benchmark_documents(held, split)
    try:
        others = other_runs(out, {b.name for b in systems}, documents, split) if out.is_dir() else []
    except ValueError as err:
        print(f"benchmark: {err}", file=sys.stderr)
        return EXIT_INVALID
    if others:
        print(f"benchmark: {shown(out)} holds results of another split or dataset version ({', '.join(others)}); "
              "run every system (no --system), or write to another folder with --out", file=sys.stderr)
        return EXIT_INVALID
    for system in systems:
        try:
            result = score_system(system, documents, split)
        except NotReproducible as err:
            print(f"benchmark: {err}; its scores would not be reproducible, so none were written", file=sys.stderr)
            return EXIT_INVALID
        print(f"benchmark: wrote {shown(write_result(result, out))}")
    try:
        board = leaderboard_markdown(out)
    except ValueError as err:
        print(f"benchmark: no leaderboard: {err}", file=sys.stderr)
        return EXIT_INVALID
    write_file(out / LEADERBOARD, board + "\n")
    print(f"benchmark: wrote {shown(out / LEADERBOARD)}\n\n{board}")
    return EXIT_OK
