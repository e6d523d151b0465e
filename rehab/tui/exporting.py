"""The app's Export action: the same writers as `rehab export`, run in a worker thread.

It reads through its own engine with `writes=False` (one snapshot, no write lock), so a long
export never makes a check-off wait. The file gets the same name the command would give it
in the chosen folder; if that name is taken, `-2`, `-3`, … is added: the app never asks to
overwrite and never does.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from rehab.export import formats, runner
from rehab.export.scope import resolve
from rehab.store import journal
from rehab.store.db import transaction
from rehab.tui.backend import Backend
from rehab.tui.screens.export import ExportRequest


def free_name(folder: Path, name: str) -> Path:
    """`name` in `folder`, or the first of name-2, name-3, … that does not exist yet."""
    path = folder / name
    suffix = next((end for end in formats.extensions() if name.endswith(end)), "")
    stem = name.removesuffix(suffix)
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}{suffix}"
        number += 1
    return path


def export(backend: Backend, request: ExportRequest) -> str:
    """Write the export; the sentence says what was written and where."""
    with transaction(backend.url, create=False, writes=False) as session:
        patient = journal.find_patient(session, name=backend.patient_name)
        now = backend.clock.now()
        today = now.astimezone(journal.patient_zone(patient)).date()
        first = None
        if request.weeks is not None:
            first = today - timedelta(days=7 * request.weeks - 1)
        scope = resolve(session, patient=patient, today=today, generated_at=now, first=first)
        if formats.get(request.format).to_program_end:
            scope = runner.for_calendar(scope, last_given=False)
        name = runner.default_name(request.format, patient.name, scope.first, scope.last)
        target = free_name(request.folder, name)
        result = runner.run(session, scope, request.format, out=str(target))
    label = formats.get(request.format).label
    where = "\n".join(path_lines(str(result.where)))
    return f"{label} saved ({result.first} to {result.last}):\n{where}"


TOAST_WIDTH = 36  # what a toast holds on a line at 80 columns (half the screen, less its edges)


def path_lines(path: str, width: int = TOAST_WIDTH) -> list[str]:
    """A path broken to fit a toast after a `/`, or inside a long name after a `-`, `_` or
    space, never in the middle of a word (Textual would wrap it anywhere). The home folder
    is written whole, not as ~, so it can be typed into a file manager as shown."""
    parts = path.split("/")
    pieces = [part + "/" for part in parts[:-1]] + [parts[-1]]
    lines: list[str] = []
    for piece in pieces:
        for chunk in _chunks(piece, width):
            if lines and len(lines[-1]) + len(chunk) <= width:
                lines[-1] += chunk
            else:
                lines.append(chunk)
    return [line for line in lines if line]


def _chunks(piece: str, width: int) -> list[str]:
    """A name longer than a line, cut after its last `-`, `_` or space that fits."""
    chunks: list[str] = []
    while len(piece) > width:
        cut = max(piece.rfind(mark, 0, width) for mark in "-_ ") + 1
        if cut <= 0:
            break  # one long word: left to wrap
        chunks.append(piece[:cut])
        piece = piece[cut:]
    chunks.append(piece)
    return chunks
