"""`import-benchmark {aeb,wcxb} SOURCE_DIR --out DIR [--view text|markdown]`: a public extraction
benchmark as a NewsSpan corpus (raw/, annotations/, html/, import.json); see newsspan/benchimport."""
from __future__ import annotations

import sys
from pathlib import Path

from ._common import EXIT_INVALID, EXIT_OK, REPO, UsageError, shown

NAME = "import-benchmark"
HELP = "import a public extraction benchmark (AEB, WCXB) as a NewsSpan corpus in plain-text or markdown view"


def configure(parser) -> None:
    parser.add_argument("benchmark", choices=("aeb", "wcxb"), help="which benchmark SOURCE_DIR holds")
    parser.add_argument("source", type=Path, metavar="SOURCE_DIR",
                        help="the benchmark as published: AEB's folder (html/, ground-truth.json) or a WCXB split "
                             "folder (dev/ or test/, with html/ and ground-truth/)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="the corpus folder to write (new, or an earlier import; outside the repository)")
    parser.add_argument("--view", choices=("text", "markdown"), default="text",
                        help="raw text as rendered plain text (inscriptis, default) or markdown (markdownify)")
    parser.add_argument("--jobs", type=int, default=0, metavar="N", help="worker processes (default 0: one per core)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def run(args) -> int:
    from ..benchimport.convert import import_benchmark
    from ..benchimport.sources import SourceError
    from ..benchimport.write import ImportRefused

    if not args.source.is_dir():
        raise UsageError(f"{args.source}: no such folder (SOURCE_DIR is the benchmark as published)")
    if _inside(args.out, REPO):
        raise UsageError(f"--out {args.out}: inside the repository; an imported benchmark is data that is never "
                         "committed: write it to a folder outside the repository")
    if args.jobs < 0:
        raise UsageError(f"--jobs {args.jobs}: give a number of processes, or 0 for one per core")
    try:
        summary = import_benchmark(args.benchmark, args.source, args.out, args.view, args.jobs, args.quiet)
    except (SourceError, ImportRefused) as err:
        print(f"import-benchmark: error: {err}", file=sys.stderr)
        return EXIT_INVALID
    print(report(summary, args.out))
    return EXIT_OK if summary["kept"] else EXIT_INVALID


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def report(summary: dict, out: Path) -> str:
    kept = ", ".join(f"{t} {n}" for t, n in summary["kept_by_page_type"].items())
    lines = [f"import-benchmark: {summary['benchmark']} ({summary['view']} view, {summary['converter']} "
             f"{summary['converter_version']}): kept {summary['kept']} of {summary['pages']} pages ({kept}); "
             f"wrote {shown(out)}"]
    left = summary["left_out"]
    if left:
        lines.append(f"import-benchmark: left out {len(left)} pages whose ground truth aligned for less than "
                     f"{summary['min_aligned_share']:.0%} of its tokens:")
        lines += [f"  {p['page_id']} ({p['page_type']}): {p['aligned_share']:.1%}" for p in left]
    lines += [f"import-benchmark: skipped {s['page_id']}: {s['reason']}" for s in summary["skipped"]]
    return "\n".join(lines)
