"""The public benchmark, full run: import AEB and the WCXB test split in both views into a temporary
folder, score every baseline on each, and write benchmarks/results/<benchmark>-<view>/ (one JSON
per system, leaderboard.md, the plot), benchmarks/results/public/runtime.json and the sample
figures of the stale test (benchmarks/results/public/sample-figures.json).

    python3 benchmarks/run_public.py [--benchmarks ../shared/benchmarks] [--parallel 2] [--repeats 1]

The imported corpora (page texts) stay in the temporary folder, which is deleted at the end: only
figures are written into the repository. Corpora are scored `--parallel` at a time, one process each.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
PUBLIC = RESULTS / "public"
CORPORA = [(b, v) for b in ("aeb", "wcxb") for v in ("text", "markdown")]


def _cli(*args: str, log: Path) -> subprocess.Popen:
    handle = log.open("w", encoding="utf-8")
    return subprocess.Popen([sys.executable, str(REPO / "build_dataset.py"), *args], cwd=REPO, stdout=handle,
                            stderr=subprocess.STDOUT)


def _corpus_job(benchmarks: Path, tmp: Path, benchmark: str, view: str, repeats: int) -> list[list[str]]:
    sys.path.insert(0, str(REPO))
    from newsspan.benchimport.sample import source_dir

    name = f"{benchmark}-{view}"
    return [["import-benchmark", benchmark, str(source_dir(benchmarks, benchmark)), "--out", str(tmp / name),
             "--view", view, "--jobs", "1"],
            ["benchmark", "--corpus", str(tmp / name), "--out", str(RESULTS / name), "--repeats", str(repeats)]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--benchmarks", type=Path, default=REPO.parent / "shared" / "benchmarks",
                        help="folder holding aeb/ and wcxb/ (default: ../shared/benchmarks)")
    parser.add_argument("--parallel", type=int, default=2, help="corpora scored at once (default 2)")
    parser.add_argument("--repeats", type=int, default=1, help="timed passes per system (default 1)")
    parser.add_argument("--no-sample", action="store_true", help="do not rewrite sample-figures.json")
    args = parser.parse_args(argv)
    if not (args.benchmarks / "aeb").is_dir() or not (args.benchmarks / "wcxb").is_dir():
        print(f"run_public: {args.benchmarks} holds no aeb/ and wcxb/", file=sys.stderr)
        return 2
    started = time.perf_counter()
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="newsspan-public-") as name:
        tmp = Path(name)
        queue = [(f"{b}-{v}", _corpus_job(args.benchmarks, tmp, b, v, args.repeats)) for b, v in CORPORA]
        running: list[tuple[str, list[list[str]], subprocess.Popen, float]] = []
        failed = []
        while queue or running:
            while queue and len(running) < args.parallel:
                corpus, steps = queue.pop(0)
                running.append((corpus, steps[1:], _cli(*steps[0], log=tmp / f"{corpus}.log"), time.perf_counter()))
            time.sleep(1)
            for item in list(running):
                corpus, rest, proc, since = item
                if proc.poll() is None:
                    continue
                running.remove(item)
                if proc.returncode != 0:
                    failed.append(corpus)
                    print((tmp / f"{corpus}.log").read_text(encoding="utf-8")[-3000:], file=sys.stderr)
                elif rest:
                    running.append((corpus, rest[1:], _cli(*rest[0], log=tmp / f"{corpus}.bench.log"), since))
                else:
                    timings[corpus] = round(time.perf_counter() - since, 1)
                    print(f"run_public: {corpus} imported and scored in {timings[corpus]} s", flush=True)
        if failed:
            print(f"run_public: failed: {', '.join(failed)}", file=sys.stderr)
            return 1
    total = round(time.perf_counter() - started, 1)
    record = {"corpora_seconds": timings, "total_seconds": total, "parallel": args.parallel, "repeats": args.repeats,
              "note": "wall-clock seconds of import + every baseline + scoring, per corpus; machine-dependent"}
    PUBLIC.mkdir(parents=True, exist_ok=True)
    (PUBLIC / "runtime.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"run_public: all four corpora in {total} s")
    if not args.no_sample:
        sys.path.insert(0, str(REPO))
        from newsspan.benchimport.sample import sample_figures
        start = time.perf_counter()
        figures = sample_figures(args.benchmarks)
        (PUBLIC / "sample-figures.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n",
                                                     encoding="utf-8")
        print(f"run_public: sample figures in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
