"""One entry point for every format, shared by `rehab export` and the app's Export dialog:
check where the export goes, then stream it there.

Each format's module (its `writer` in `formats`) is imported only when it is asked for. A
writer module has `export(session, scope, target) -> dict[str, int]` (entries written, by
kind). CSV streams the session's rows (`source`) straight into its files.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from rehab.errors import UsageProblem
from rehab.export import files, formats
from rehab.store.rows import ExportSpan, Reader

if TYPE_CHECKING:
    from sqlmodel import Session

    from rehab.export.scope import Scope


@dataclass(frozen=True)
class Result:
    format: str
    where: str  # a path, or "standard output"
    counts: dict[str, int]
    first: date
    last: date

    def sentence(self) -> str:
        what = ", ".join(f"{kind}: {n}" for kind, n in self.counts.items() if n) or "no entries"
        return f"{self.format} export, {self.first} to {self.last} ({what}): {self.where}"


def default_name(fmt: str, patient: str, first: date, last: date, table: str | None = None) -> str:
    """'rehab-me-2026-09-01-to-2026-11-22.html'; a folder '...-csv', one table '...-pain.csv'."""
    stem = f"rehab-{files.safe_name(patient)}-{first}-to-{last}"
    if fmt == "csv":
        return f"{stem}-{table}.csv" if table else f"{stem}-csv"
    return stem + formats.get(fmt).extension


def for_calendar(scope: Scope, *, last_given: bool) -> Scope:
    """A calendar looks ahead: without --to it runs to the program's planned end."""
    current = scope.current
    if last_given or current is None or current.end is None:
        return scope
    return replace(scope, last=max(scope.last, current.end))


def run(
    session: Session,
    scope: Scope,
    fmt: str,
    *,
    out: str | None,
    force: bool = False,
    table: str | None = None,
) -> Result:
    chosen = formats.get(fmt)  # a usage problem naming the formats if there is none
    if table is not None and fmt != "csv":
        raise UsageProblem(f"--table is for csv only (not {fmt})")
    if fmt == "csv":
        from rehab.store.rows import session_reader

        read = session_reader(session)
        return write_csv(read, scope.span, scope.patient.name, out=out, force=force, table=table)
    target = files.file_target(
        out, default_name(fmt, scope.patient.name, scope.first, scope.last), force=force
    )
    writer = importlib.import_module(chosen.writer)
    counts = writer.export(session, scope, target)
    return Result(fmt, target.shown, counts, scope.first, scope.last)


def write_csv(
    read: Reader,
    span: ExportSpan,
    patient: str,
    *,
    out: str | None,
    force: bool = False,
    table: str | None = None,
) -> Result:
    """The CSV folder, or one table of it (`--table`, or `--out -`)."""
    from rehab.export import csvfiles

    if table is None and out != files.STDOUT:
        name = default_name("csv", patient, span.first, span.last)
        target = files.folder_target(out, name, force=force, names=csvfiles.FILE_NAMES)
        counts = csvfiles.export_folder(read, span, target)
    else:
        table = table or "doses"
        if table not in csvfiles.TABLES:
            raise UsageProblem(
                f"--table: {table!r} is not a table (allowed: {', '.join(csvfiles.TABLES)})"
            )
        name = default_name("csv", patient, span.first, span.last, table)
        target = files.file_target(out, name, force=force)
        counts = {f"{table}.csv": csvfiles.export_table(read, span, table, target)}
    return Result("csv", target.shown, counts, span.first, span.last)
