"""`docs`: regenerate the generated blocks of README.md and DATASHEET.md."""
import sys

from ..docs import DocsRefused, write_docs
from ..write import BuildRefused
from ._common import EXIT_INVALID, EXIT_OK

NAME = "docs"
HELP = "regenerate the generated blocks of README.md and DATASHEET.md (figures, code table, examples)"


def configure(parser) -> None:
    pass


def run(args) -> int:
    try:
        changed = write_docs()
    except (DocsRefused, BuildRefused) as err:
        print(f"docs: refused: {err}", file=sys.stderr)
        return EXIT_INVALID
    for path in changed:
        print(f"docs: updated {path}")
    if not changed:
        print("docs: every generated block is current")
    return EXIT_OK
