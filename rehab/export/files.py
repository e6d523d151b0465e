"""Where an export goes, checked before any work is done, and written so that nothing is
ever half there.

A file is written to a temporary file (mode 0600) in the same folder, synced, then moved
into place: renamed over the old one with --force, hard-linked otherwise, so a file that
appeared meanwhile is still not overwritten. A folder of CSV files is built as a hidden
temporary folder beside it and renamed. `-` means standard output.

--force replaces regular files only: a FIFO, a device node (/dev/null as root!), a socket
or a link to one is refused, and none of them is ever opened. Temporary names say who made
them, `.NAME.rehab-PID-RANDOM.part`, so that an export killed half way (its temporary file
holds health data) is cleaned up by the next export to the same place: only names of that
exact pattern, owned by this user, of the kind this export makes, whose writer is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from rehab.errors import EnvironmentProblem, UsageProblem, WriteProblem
from rehab.store.dbfile import file_kind

STDOUT = "-"
STALE_AFTER_S = 24 * 3600  # a writer still alive after this long is a reused pid

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
    _refuse_special(path, "a new file, a regular file with --force, or - for standard output")
    _check_parent(path)
    if path.exists() and not force:
        raise UsageProblem(f"--out: {path} already exists (use --force to replace it)")
    return Target(path.absolute(), force)


def folder_target(out: str | None, default: str, *, force: bool, names: Sequence[str]) -> Target:
    """A folder for several files; an existing one is written into only with --force."""
    path = Path(out if out is not None else default).expanduser()
    if not path.is_dir():
        _refuse_special(path, "a new or existing folder for the CSV files", noun="a folder")
    if path.exists() and not path.is_dir():
        raise UsageProblem(
            f"--out: {path} is a file (allowed: a folder for the CSV files, "
            "or --table NAME to write one table to a file)"
        )
    if path.is_dir():
        for name in names:
            _refuse_special(path / name, "--force replaces regular files only")
        clash = [name for name in names if (path / name).exists()]
        if clash and not force:
            raise UsageProblem(
                f"--out: {path / clash[0]} already exists (use --force to replace the CSV files)"
            )
        _check_writable(path)
    else:
        _check_parent(path)
    return Target(path.absolute(), force)


def special_kind(path: Path) -> str | None:
    """What `path` is when --force must not replace it, or None: nothing there, a regular
    file, or a link to one (or to nothing); the link is what gets replaced, never its
    target. Found with stat alone: a FIFO is never opened (that could block)."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None  # nothing there (a missing or wrong folder is said elsewhere)
    if stat.S_ISREG(info.st_mode):
        return None
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.stat(path)
        except OSError:
            return None  # a link to nothing
        if stat.S_ISREG(target.st_mode):
            return None
        return f"a symbolic link to {file_kind(target.st_mode).removeprefix('a ')}"
    return file_kind(info.st_mode)


def _refuse_special(path: Path, allowed: str, *, noun: str = "a regular file") -> None:
    kind = special_kind(path)
    if kind is not None:
        raise UsageProblem(f"--out: {path} is {kind}, not {noun} (allowed: {allowed})")


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.rehab-{os.getpid()}-"


def _writer_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    except OverflowError:
        return True
    return False


def remove_stale(path: Path, *, folder_names: Sequence[str] | None = None) -> None:
    """Remove temporary files (or, for a CSV folder, temporary folders) that an earlier
    export to `path` left when it was killed. Best effort; never anything that does not
    match exactly, is not this user's, or is not the kind this export makes."""
    pattern = re.compile(re.escape(f".{path.name}.rehab-") + r"(\d{1,10})-[a-z0-9_]{1,16}\.part")
    now = time.time()
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found is None:
            continue
        pid = int(found.group(1))
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if info.st_uid != os.geteuid() or pid == os.getpid():
                continue
            if folder_names is None and stat.S_ISREG(info.st_mode):
                if _writer_gone(pid) or info.st_mtime < now - STALE_AFTER_S:
                    os.unlink(entry.path)
            elif folder_names is not None and stat.S_ISDIR(info.st_mode):
                _remove_stale_folder(Path(entry.path), pid, folder_names, now)


def _remove_stale_folder(folder: Path, pid: int, names: Sequence[str], now: float) -> None:
    children = list(os.scandir(folder))
    newest = os.lstat(folder).st_mtime
    for child in children:
        info = child.stat(follow_symlinks=False)
        if child.name not in names or not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return  # not only what an export writes: not ours to remove
        newest = max(newest, info.st_mtime)
    if not (_writer_gone(pid) or newest < now - STALE_AFTER_S):
        return
    for child in children:
        os.unlink(child.path)
    os.rmdir(folder)


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
    remove_stale(path)
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=".part")
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
        # checked again: something else may have appeared there while the file was written
        _refuse_special(path, "a new file, a regular file with --force, or - for standard output")
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
    remove_stale(final, folder_names=names)
    try:
        temp = Path(tempfile.mkdtemp(dir=final.parent, prefix=_temp_prefix(final), suffix=".part"))
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
            for name in names:  # checked again, all before any is replaced
                _refuse_special(final / name, "--force replaces regular files only")
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
