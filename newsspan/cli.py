"""Command line: `python build_dataset.py [COMMAND] ...`; without a command, validate then build."""
from __future__ import annotations

import argparse
import sys

from .commands import command_modules
from .read import printable
from .commands._common import EXIT_USAGE, UsageError
from .commands.build import run_build
from .outputs import UnsafeOutput


class _Parser(argparse.ArgumentParser):
    """No abbreviated options: `--prediction` must not silently mean `--predictions`. Subcommand
    parsers are made of the same class, so the rule holds at every level."""

    def __init__(self, *args, **kwargs):
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)


def _parser(modules) -> argparse.ArgumentParser:
    parser = _Parser(prog="build_dataset.py",
                     description="NewsSpan: validate the corpus and build the dataset. Without a command: validate, then build.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in modules:
        module.configure(sub.add_parser(module.NAME, help=module.HELP, description=module.HELP))
    return parser


def main(argv: list[str] | None = None) -> int:
    modules = {m.NAME: m for m in command_modules()}
    args = _parser(modules.values()).parse_args(argv)
    try:
        if args.command is None:
            return run_build()
        return modules[args.command].run(args)
    except (UsageError, UnsafeOutput) as err:
        print(f"build_dataset.py: error: {printable(str(err))}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:
        # An unreadable folder or a permission problem is the user's to fix, not a crash.
        print(f"build_dataset.py: error: {err.strerror or err}: {err.filename or ''}", file=sys.stderr)
        return EXIT_USAGE
