"""The export formats, in one place: what `rehab export` accepts and explains in its help,
what the app's Export dialog offers, and how each file is named.

A format is its own writer module (`writer`: imported only when that format is asked for,
with `export(session, scope, target) -> dict[str, int]`) plus one entry here; nothing else
names formats. CSV is the exception that proves the rule: its entry is here too, but it
writes a folder (or one table with `--table`), so `runner` hands it to `csvfiles` itself.

This module imports nothing beyond the standard library and `rehab.errors`, so reading it
costs nothing at start-up (`rehab --help`, the app's first frame).
"""

from __future__ import annotations

from dataclasses import dataclass

from rehab.errors import UsageProblem


@dataclass(frozen=True)
class Format:
    name: str  # what `rehab export NAME` takes
    label: str  # what the app shows: plain words, no ids
    extension: str  # the file name's ending ("" for the CSV folder)
    writer: str  # the module with `export(session, scope, target)`
    description: str  # one line of at most 68 characters, for the help and the app's dialog
    to_program_end: bool = False  # without an end date, runs to the program's planned end


REGISTRY: dict[str, Format] = {
    entry.name: entry
    for entry in (
        Format(
            "report",
            "Printable report",
            ".html",
            "rehab.export.report",
            "one printable page for your therapist: adherence, pain, load, notes",
        ),
        Format(
            "csv",
            "Spreadsheet files (CSV)",
            "",
            "rehab.export.csvfiles",
            "a folder of spreadsheet files: doses, pain, symptoms and more",
        ),
        Format(
            "json",
            "JSON",
            ".json",
            "rehab.export.jsondoc",
            "everything, with the program as it was run, for another program",
        ),
        Format(
            "fhir",
            "FHIR bundle",
            ".fhir.json",
            "rehab.export.fhir",
            "a FHIR R4 bundle for an electronic health record",
        ),
        Format(
            "ics",
            "Calendar file",
            ".ics",
            "rehab.export.ics",
            "your schedule as calendar events with alarms, to the program's end",
            to_program_end=True,
        ),
    )
}


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def get(name: str) -> Format:
    """The format called `name`; a usage problem naming what is allowed if there is none."""
    try:
        return REGISTRY[name]
    except KeyError:
        allowed = ", ".join(REGISTRY)
        raise UsageProblem(f"{name!r} is not an export format (allowed: {allowed})") from None


def extensions() -> tuple[str, ...]:
    """Every file-name ending a format writes, the longest first (".fhir.json" before
    ".json"), for the app's "name-2.ext" when a name is taken."""
    return tuple(sorted({f.extension for f in REGISTRY.values() if f.extension}, key=len)[::-1])
