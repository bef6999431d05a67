"""`fuzz`: random and mutated annotation files into the validator for a while; exit 1 on a crash."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from ..outputs import output_folder
from ._common import EXIT_INVALID, EXIT_OK, UsageError, counted

NAME = "fuzz"
HELP = "fuzz the validator with random and mutated annotation files (needs hypothesis); exit 1 on a crash"
DEFAULT_SECONDS = 60.0


def configure(parser) -> None:
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--budget-seconds", type=float, help=f"run for this long (default: {DEFAULT_SECONDS:g})")
    budget.add_argument("--examples", type=int, help="run this many inputs instead")
    parser.add_argument("--seed", type=int, default=0, help="seed of the run; the same seed gives the same inputs (default: 0)")
    parser.add_argument("--crash-dir", type=Path, default=None,
                        help="also write each crashing input as a corpus folder here (to turn into a fixture)")


def run(args) -> int:
    if args.examples is not None and args.examples < 1 or args.budget_seconds is not None and args.budget_seconds <= 0:
        raise UsageError("--examples and --budget-seconds must be positive")
    try:
        from .. import fuzz
    except ImportError as err:
        raise UsageError(f"fuzz needs the test dependencies ({err.name} is missing): "
                         "python3 -m pip install -e '.[test]'") from None
    if args.crash_dir is not None:
        output_folder(args.crash_dir, "--crash-dir folder")
    seconds = args.budget_seconds or (None if args.examples else DEFAULT_SECONDS)
    with tempfile.TemporaryDirectory(prefix="newsspan-fuzz-") as work:
        result = fuzz.fuzz(Path(work), budget_seconds=seconds, examples=args.examples, seed=args.seed)
    for number, crash in enumerate(result.crashes, 1):
        print(f"fuzz: crash {number}\n{fuzz.reproducer(crash)}\n", file=sys.stderr)
        if args.crash_dir:
            case = args.crash_dir / f"crash-{args.seed}-{number}"
            if case.exists() or case.is_symlink():
                raise UsageError(f"{case} exists already: give an empty --crash-dir")
            fuzz.write_case(case, crash.case)
    print(f"fuzz: {result.examples} examples in {result.seconds:.1f} s (seed {args.seed}), {counted(len(result.crashes), 'crash', 'crashes')}")
    return EXIT_INVALID if result.crashes else EXIT_OK
