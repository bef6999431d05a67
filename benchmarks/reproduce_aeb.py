"""Reproduce the article-extraction benchmark's published figures with NewsSpan's AEB metric.

    python3 benchmarks/reproduce_aeb.py                  # prints the table
    python3 benchmarks/reproduce_aeb.py --write          # also writes it into benchmarks/README.md
    python3 benchmarks/reproduce_aeb.py --aeb DIR        # another download of the benchmark

For every system upstream published, the table gives upstream's F1 / P / R, the same figures
computed by `newsspan.evaluate.aeb` on upstream's own output file, and, for trafilatura,
readability-lxml and jusText, our run of the installed library on the original HTML with
upstream's settings (`newsspan.baselines.external`). tests/test_aeb_reproduction.py asserts the
agreement and that the table in benchmarks/README.md is what this script prints.
Exit status: 0 done, 1 the benchmark folder is missing or broken, 2 usage error.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from newsspan.baselines.aeb_upstream import BenchmarkFolderError, reproduction, table  # noqa: E402
from newsspan.docs import replace_block  # noqa: E402

DEFAULT_AEB = REPO.parent / "shared" / "benchmarks" / "aeb"
README = HERE / "README.md"
BLOCK = "aeb-reproduction"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aeb", type=Path, default=DEFAULT_AEB, help="the benchmark folder (default: ../shared/benchmarks/aeb)")
    parser.add_argument("--write", action="store_true", help=f"write the table into {README.relative_to(REPO)}")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        rows = reproduction(args.aeb)
    except BenchmarkFolderError as err:
        print(f"reproduce_aeb: {err}", file=sys.stderr)
        return 1
    text = table(rows)
    print(text)
    print(f"\n{len(rows)} systems, 181 pages, {time.perf_counter() - start:.1f} s", file=sys.stderr)
    if args.write:
        README.write_text(replace_block(README.read_text(encoding="utf-8"), BLOCK, text), encoding="utf-8")
        print(f"reproduce_aeb: wrote {README.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
