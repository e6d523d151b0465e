"""Where an export goes, checked before any work is done, and written so that nothing is
ever half there.

A file is written to a temporary file (mode 0600) in the same folder, synced, then moved
into place: renamed over the old one with --force, hard-linked otherwise, so a file that
appeared meanwhile is still not overwritten. A folder of CSV files is built as a hidden
temporary folder beside it and renamed. `-` means standard output.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from rehab.errors import EnvironmentProblem, UsageProblem, WriteProblem

STDOUT = "-"

# A write that fails for want of room: the line names the file (the error itself does not).
NO_ROOM = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is too large (a file size limit)",
}


def no_room(exc: OSError, shown: object) -> WriteProblem | None:
    """The one line for a write that found no room, or None for any other error."""
    if exc.errno not in NO_ROOM:
        return None
    return WriteProblem(
        f"cannot write {shown}: {NO_ROOM[exc.errno]}; free some space, or choose another "
        "place with --out"
    )


@contextlib.contextmanager
def _naming(shown: object) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        problem = no_room(exc, shown)
        if problem is None:
            raise
        raise problem from None


@dataclass(frozen=True)
class Target:
    path: Path | None  # None: standard output
    force: bool

    @property
    def shown(self) -> str:
        return "standard output" if self.path is None else str(self.path)


def safe_name(text: str) -> str:
    """A patient name as part of a file name: letters, digits, dot, dash and underscore."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip(".-")
    return cleaned or "patient"


def file_target(out: str | None, default: str, *, force: bool) -> Target:
    """A file to write (`default` in the current folder when --out is not given)."""
    if out == STDOUT:
        return Target(None, force)
    path = Path(out if out is not None else default).expanduser()
    if path.is_dir():
        raise UsageProblem(
            f"--out: {path} is a folder (allowed: a file path, or - for standard output)"
        )
    _check_parent(path)
    if path.exists() and not force:
        raise UsageProblem(f"--out: {path} already exists (use --force to replace it)")
    return Target(path.absolute(), force)


def folder_target(out: str | None, default: str, *, force: bool, names: Sequence[str]) -> Target:
    """A folder for several files; an existing one is written into only with --force."""
    path = Path(out if out is not None else default).expanduser()
    if path.exists() and not path.is_dir():
        raise UsageProblem(
            f"--out: {path} is a file (allowed: a folder for the CSV files, "
            "or --table NAME to write one table to a file)"
        )
    if path.is_dir():
        clash = [name for name in names if (path / name).exists()]
        if clash and not force:
            raise UsageProblem(
                f"--out: {path / clash[0]} already exists (use --force to replace the CSV files)"
            )
        _check_writable(path)
    else:
        _check_parent(path)
    return Target(path.absolute(), force)


def _check_parent(path: Path) -> None:
    parent = path.parent
    if not parent.exists():
        raise UsageProblem(f"--out: the folder {parent} does not exist (create it first)")
    if not parent.is_dir():
        raise UsageProblem(f"--out: {parent} is not a folder")
    _check_writable(parent)


def _check_writable(folder: Path) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise EnvironmentProblem(
            f"--out: cannot write in {folder}: permission denied (choose another place)"
        )


@contextlib.contextmanager
def open_text(target: Target, *, newline: str | None = None) -> Iterator[TextIO]:
    """A text stream for the target; the file appears only if the block succeeds."""
    if target.path is None:
        try:
            with _naming("standard output"):
                yield sys.stdout
                sys.stdout.flush()
        except WriteProblem:
            _drop_stdout()
            raise
        return
    with atomic_text(target.path, force=target.force, newline=newline) as handle:
        yield handle


@contextlib.contextmanager
def atomic_text(path: Path, *, force: bool, newline: str | None = None) -> Iterator[TextIO]:
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise EnvironmentProblem(
            f"--out: cannot write in {path.parent}: {exc.strerror or exc}"
        ) from None
    try:
        with _naming(path), os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _place(Path(temp), path, force=force)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


@contextlib.contextmanager
def new_private_file(path: Path) -> Iterator[TextIO]:
    """A new file with mode 0600 (in a staging folder), synced when the block ends."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)  # so that staging_folder can name the file
        raise


def _drop_stdout() -> None:
    """Standard output could not take the export: discard what is still buffered for it,
    so that exiting does not try (and fail, with a second message) to write it again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _place(temp: Path, path: Path, *, force: bool) -> None:
    if force:
        os.replace(temp, path)
        return
    try:
        os.link(temp, path)
    except FileExistsError:
        raise UsageProblem(f"--out: {path} already exists (use --force to replace it)") from None
    except OSError:  # a file system without hard links: check, then rename
        if path.exists():
            raise UsageProblem(
                f"--out: {path} already exists (use --force to replace it)"
            ) from None
        os.replace(temp, path)
        return
    os.unlink(temp)


@contextlib.contextmanager
def staging_folder(target: Target, names: Sequence[str]) -> Iterator[Path]:
    """A hidden temporary folder beside the target to write the files into. When the block
    succeeds, a new target folder is renamed into place whole; into an existing one
    (--force) the finished files are moved one by one, each replacing its old version, only
    after all of them were written. If the block fails, the temporary folder goes."""
    assert target.path is not None
    final = target.path
    try:
        temp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part"))
    except OSError as exc:
        raise EnvironmentProblem(
            f"--out: cannot write in {final.parent}: {exc.strerror or exc}"
        ) from None
    try:
        try:
            yield temp
        except OSError as exc:
            written = Path(exc.filename) if exc.filename else None
            shown = final / written.name if written and written.parent == temp else final
            problem = no_room(exc, shown)
            if problem is None:
                raise
            raise problem from None
        if final.is_dir():
            for name in names:
                if (temp / name).exists():
                    os.replace(temp / name, final / name)
            temp.rmdir()
        elif final.exists() or not _rename_new(temp, final):
            raise UsageProblem(
                f"--out: {final} appeared while writing (use --force to write into it)"
            )
    except BaseException:
        for child in temp.iterdir() if temp.exists() else ():
            with contextlib.suppress(OSError):
                child.unlink()
        with contextlib.suppress(OSError):
            temp.rmdir()
        raise


def _rename_new(temp: Path, final: Path) -> bool:
    """Rename a folder to a name that must not exist (an empty folder there would be
    silently replaced by a plain rename)."""
    try:
        os.mkdir(final)  # claims the name; fails if anything is there
    except FileExistsError:
        return False
    os.replace(temp, final)  # replaces the empty folder just made
    return True
