"""`docs`: regenerate the generated blocks of README.md and DATASHEET.md."""
from ..docs import write_docs
from ._common import EXIT_OK

NAME = "docs"
HELP = "regenerate the generated blocks of README.md and DATASHEET.md (figures, code table, examples)"


def configure(parser) -> None:
    pass


def run(args) -> int:
    for path in write_docs():
        print(f"updated {path}")
    return EXIT_OK
