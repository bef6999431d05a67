"""What every command shares: exit codes, the usage error, the repository's folders."""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A command-line mistake: reported on stderr with exit status 2."""


def shown(path: Path) -> str:
    """A path relative to the working directory when it is below it, safe to print."""
    from ..read import printable

    try:
        return printable(path.resolve().relative_to(Path.cwd().resolve()).as_posix())
    except ValueError:
        return printable(str(path))


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 file`, `2 files`: a count with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
