"""`codes`: the table of validation codes, as Markdown."""
from ..docs import codes_table
from ._common import EXIT_OK

NAME = "codes"
HELP = "print the table of validation codes (Markdown)"


def configure(parser) -> None:
    pass


def run(args) -> int:
    print(codes_table())
    return EXIT_OK
