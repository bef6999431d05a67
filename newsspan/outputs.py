"""Where commands write: never through a symbolic link, never outside the folder they were given,
and readable by others (files 0644, folders 0755, whatever the umask).

A checkout holds a stranger's files: a link `review/index.html -> ~/.bashrc` would have a plain
`render --out review` overwrite a file outside the folder. Each target is checked before anything
is written, and every file is written under a temporary name in its own folder and renamed (a
rename replaces a link, it never follows it).
"""
from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o644
DIR_MODE = 0o755


class UnsafeOutput(Exception):
    """A target the command refuses to write: a symbolic link, or not a folder/file where one is needed."""


def output_folder(folder: Path, what: str = "output folder") -> Path:
    """The folder a command was told to write into, created if missing; refused when it, or the part
    of the path the user typed, is a symbolic link."""
    _refuse_linked_parts(folder, what)
    if folder.exists() and not folder.is_dir():
        raise UnsafeOutput(f"{folder}: the {what} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def output_file(path: Path, what: str = "output file") -> Path:
    """A file a command was told to write (its folder must exist); refused when it is a link."""
    _refuse_linked_parts(path, what)
    if path.exists() and not path.is_file():
        raise UnsafeOutput(f"{path}: the {what} exists and is not a regular file")
    return path


def refuse_links_inside(folder: Path, names: list[str]) -> None:
    """Refuse before writing any file when one of the files to write is a link (or not a file)."""
    for name in names:
        target = folder / name
        if os.path.normpath(name) != name or "/" in name or name in ("", ".", ".."):
            raise UnsafeOutput(f"{target}: not a plain file name inside {folder}")
        if target.is_symlink():
            raise UnsafeOutput(f"{target} is a symbolic link: remove it (nothing is written through a link)")
        if target.exists() and not target.is_file():
            raise UnsafeOutput(f"{target} exists and is not a regular file")


def write_file(path: Path, data: bytes | str) -> Path:
    """Write a whole file (text as UTF-8 with \\n line ends) in place of `path`, never through a link."""
    if path.is_symlink():
        raise UnsafeOutput(f"{path} is a symbolic link: remove it (nothing is written through a link)")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(partial, FILE_MODE)  # the umask may have taken bits off
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def make_readable(root: Path) -> None:
    """Folders 0755 and files 0644 below `root` (a temporary folder from mkdtemp is 0700)."""
    os.chmod(root, DIR_MODE)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(folder, name), DIR_MODE)
        for name in files:
            os.chmod(os.path.join(folder, name), FILE_MODE)


def _refuse_linked_parts(path: Path, what: str) -> None:
    # The parts the user typed (a relative path's every part, an absolute path's last one) are
    # checked: above them lies the user's own machine layout, which may use links on purpose.
    parts = path.parts if not path.is_absolute() else path.parts[-1:]
    base = Path() if not path.is_absolute() else path.parent
    here = base
    for part in parts:
        here = here / part
        if here.is_symlink():
            raise UnsafeOutput(f"{path}: the {what} goes through the symbolic link {here}; "
                               "give a real folder (nothing is written through a link)")
