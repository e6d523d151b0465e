"""Every patient's printable report in one go, for the clinic: one file per patient in one
folder, all or nothing.

The reports are written into a hidden temporary folder beside the destination (the same
file system), then the folder is renamed into place, or, when the destination folder
already exists, each file is linked into it (never over an existing file). An error while
any report is made leaves the destination as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rehab.errors import UsageProblem
from rehab.export import files, formats

if TYPE_CHECKING:
    from sqlmodel import Session

FORMAT = "report"


@dataclass(frozen=True)
class Written:
    folder: Path
    files: list[Path]
    skipped: list[str]  # patients with no program: no report to make

    def sentence(self) -> str:
        skipped = (
            f"; no program yet, so no report: {', '.join(self.skipped)}" if self.skipped else ""
        )
        return f"Wrote {len(self.files)} reports to {self.folder}{skipped}"


def default_folder(today: date) -> str:
    return f"rehab-reports-{today}"


def check_folder(out: str | None, today: date) -> Path:
    """The destination: a new folder, or an existing one to add the reports to."""
    path = Path(out if out else default_folder(today)).expanduser()
    if path.exists() and not path.is_dir():
        raise UsageProblem(
            f"--export-reports: {path} is not a folder (allowed: a new or existing folder)"
        )
    parent = path.absolute().parent
    if not parent.is_dir():
        raise UsageProblem(
            f"--export-reports: the folder {parent} does not exist (allowed: a folder "
            "whose parent exists)"
        )
    if not os.access(parent if not path.exists() else path, os.W_OK):
        raise UsageProblem(f"--export-reports: cannot write in {path} (permission denied)")
    return path.absolute()


def unique_names(patients: Sequence[str], first_last: Sequence[tuple[date, date]]) -> list[str]:
    """File names safe for any file system, one per patient, distinct even when two names
    clean to the same text ('Ana B' and 'Ana/B')."""
    from rehab.export.runner import default_name

    seen: set[str] = set()
    names = []
    for patient, (first, last) in zip(patients, first_last, strict=True):
        name = default_name(FORMAT, patient, first, last)
        stem, ext = name.removesuffix(formats.get(FORMAT).extension), formats.get(FORMAT).extension
        n = 2
        while name.casefold() in seen:
            name = f"{stem}-{n}{ext}"
            n += 1
        seen.add(name.casefold())
        names.append(name)
    return names


def export_all(
    session: Session,
    *,
    patients: Sequence[str],
    folder: Path,
    generated_at: object,
) -> Written:
    """The report of each named patient (their current program, from its start to today)."""
    import importlib
    from datetime import datetime

    from sqlmodel import col, select

    from rehab.core import clock
    from rehab.export import scope as scopes
    from rehab.store import journal
    from rehab.store.models import Enrollment, Patient

    assert isinstance(generated_at, datetime)
    found = []
    skipped = []
    for name in patients:
        patient = session.exec(select(Patient).where(col(Patient.name) == name)).one()
        has_program = session.exec(
            select(Enrollment.id).where(col(Enrollment.patient_id) == patient.id).limit(1)
        ).first()
        if has_program is None:
            skipped.append(name)
            continue
        today = clock.today_in(journal.patient_zone(patient))
        found.append(
            scopes.resolve(session, patient=patient, today=today, generated_at=generated_at)
        )
    names = unique_names([s.patient.name for s in found], [(s.first, s.last) for s in found])
    folder.parent.mkdir(parents=True, exist_ok=True)
    clash = [n for n in names if (folder / n).exists()]
    if clash:
        raise UsageProblem(
            f"--export-reports: {folder / clash[0]} already exists (allowed: a new folder, "
            "or one without these reports)"
        )
    writer = importlib.import_module(formats.get(FORMAT).writer)
    temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.rehab-{os.getpid()}-", dir=folder.parent))
    try:
        os.chmod(temp, 0o700)
        for scope, name in zip(found, names, strict=True):
            writer.export(session, scope, files.Target(temp / name, False))
        if not folder.exists():
            os.rename(temp, folder)
            written = [folder / n for n in names]
        else:
            written = _link_into(temp, folder, names)
            shutil.rmtree(temp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return Written(folder, written, skipped)


def _link_into(temp: Path, folder: Path, names: Sequence[str]) -> list[Path]:
    """Each file linked into the existing folder; on any failure, the ones linked so far are
    taken back out, so the folder is as it was."""
    done: list[Path] = []
    try:
        for name in names:
            os.link(temp / name, folder / name)
            done.append(folder / name)
    except BaseException:
        for path in done:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return done
