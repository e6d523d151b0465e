"""`rehab import`: a patient's JSON export into this database (rehab.store.importer; the
file is read by rehab.export.jsonread, one entry at a time)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

import click

from rehab.cli import Options
from rehab.cli.params import TEXT
from rehab.errors import UsageProblem


@click.command("import")
@click.argument("file", metavar="FILE.json")
@click.option(
    "--as",
    "as_name",
    metavar="PATIENT",
    type=TEXT,
    help="Import as this patient (default: the name in the file; --patient means the same).",
)
@click.pass_context
def import_export(ctx: click.Context, file: str, as_name: str | None) -> None:
    """Import a patient's `rehab export json` file into this database.

    The entries go to the patient named in the file (or --as PATIENT), created if new;
    no other patient is created, and a new database is made if --db names none. Importing
    the same file again changes nothing; a newer export of the same patient adds what is
    new and carries over what was corrected since (undone entries, a pause ended, a red
    flag cleared). It is all one transaction: a file that is not a rehab export (version
    1), is cut short or breaks a rule, or whose patient's history contradicts the one
    here (another time zone, a program that ran at the same time), is one line and exit
    status 2, and nothing is written. Prints what was added, voided, updated and unchanged.
    """
    options = ctx.find_object(Options)
    assert options is not None
    if as_name is not None and options.patient is not None and as_name != options.patient:
        raise UsageProblem("--as and --patient name different patients (give one of them)")
    name = as_name if as_name is not None else options.patient
    summary = run_import(Path(file), db=options.db, name=name)
    click.echo(summary)


def run_import(path: Path, *, db: str | None, name: str | None) -> str:
    """Import `path`; the summary line. A database file made for this import is removed
    again if the import fails."""
    from rehab.export import jsonread
    from rehab.store import importer
    from rehab.store.db import transaction
    from rehab.store.dbfile import inspect_file, patient_names
    from rehab.store.url import database_url, sqlite_path

    source = str(path)
    url = database_url(db)
    handle = _open(path)
    with handle:
        header, entries = jsonread.read(handle, source)
        target = sqlite_path(url)
        made = target is not None and inspect_file(target).kind == "missing"
        try:
            with transaction(url, create=True) as session:
                tally = importer.import_document(session, header=header, entries=entries, name=name)
        except BaseException:
            if made and target is not None and patient_names(target) == set():
                for extra in ("", "-wal", "-shm"):
                    Path(str(target) + extra).unlink(missing_ok=True)
            raise
    return tally.line(source)


def _open(path: Path) -> BinaryIO:
    """The file, opened for reading; one line if it cannot be."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file (allowed: a `rehab export json` file)") from None
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageProblem(f"{path}: is a folder (allowed: a `rehab export json` file)")
    try:
        return open(path, "rb")  # closed by the caller
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot be read ({exc.strerror or exc})") from None
