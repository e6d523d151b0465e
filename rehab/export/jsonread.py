"""Reading a `rehab-export` version 1 document (docs/export-json.md) for `rehab import`,
one entry at a time: a ten-year export never sits in memory.

The file is parsed incrementally (ijson) and read once, top to bottom, as rehab writes it:
`format`, `version`, `patient` and `enrollments` first (the header, checked before
anything is written), then the entry sections, each a list whose entries are handed on as
they are read. Keys that rehab does not know are passed over (a newer version 1 writer may
add some). What the file breaks (not JSON, cut short, another format or version) is one
line naming the file: `ImportProblem`, exit 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import ijson

from rehab.export.jsondoc import FORMAT, SECTIONS, VERSION
from rehab.store.importer import Header, ImportProblem

MAX_DEPTH = 64  # a template snapshot is a few levels deep; deeper is not an export
HEADER_KEYS = ("format", "version", "patient", "enrollments")


class _Events:
    """ijson's events, with its errors told in words."""

    def __init__(self, handle: BinaryIO, source: str) -> None:
        self.events = ijson.basic_parse(handle, use_float=True)
        self.source = source

    def next(self) -> tuple[str, Any]:
        try:
            event: tuple[str, Any] = next(self.events)
            return event
        except StopIteration:
            raise ImportProblem(self.source, "ends before the document does (cut short?)") from None
        except ijson.JSONError as exc:
            raise self.problem(exc) from None
        except UnicodeDecodeError:
            raise ImportProblem(self.source, "is not UTF-8 text, so not a JSON export") from None

    def problem(self, exc: Exception) -> ImportProblem:
        text = " ".join(str(exc).split())
        if "premature EOF" in text or "Incomplete JSON content" in text:
            return ImportProblem(self.source, "ends before the document does (cut short?)")
        if "trailing garbage" in text or "Additional data" in text:
            return ImportProblem(self.source, "has more after the end of the document")
        return ImportProblem(self.source, f"is not JSON ({text[:120]})")

    def rest(self) -> None:
        """Read to the end: what follows the document, or a cut, is found here."""
        try:
            for _ in self.events:
                raise ImportProblem(self.source, "has more after the end of the document")
        except ijson.JSONError as exc:
            raise self.problem(exc) from None


def _build(events: _Events, event: str, value: Any, where: str, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise ImportProblem(events.source, f"{where}: nested too deeply for an export")
    if event == "start_map":
        found: dict[str, Any] = {}
        while True:
            event, key = events.next()
            if event == "end_map":
                return found
            event, value = events.next()
            found[key] = _build(events, event, value, where, depth + 1)
    if event == "start_array":
        items: list[Any] = []
        while True:
            event, value = events.next()
            if event == "end_array":
                return items
            items.append(_build(events, event, value, where, depth + 1))
    return value


def header_of(found: dict[str, Any], source: str) -> Header:
    """The header's checks, in the order a reader needs them."""
    kind = found.get("format")
    if kind != FORMAT:
        shown = "no format" if kind is None else f"format {kind!r}"
        raise ImportProblem(
            source,
            f"is not a rehab export ({shown}; allowed: format {FORMAT!r} as `rehab export "
            "json` writes it, with format, version, patient and enrollments before the entries)",
        )
    version = found.get("version")
    if version != VERSION:
        raise ImportProblem(
            source,
            f"is {FORMAT} version {version!r}, which this rehab cannot read "
            f"(allowed: version {VERSION}; a newer rehab reads newer versions)",
        )
    missing = [key for key in HEADER_KEYS if key not in found]
    if missing:
        raise ImportProblem(
            source,
            f"has no {' or '.join(missing)} before its entries (allowed: a file as "
            "`rehab export json` writes it)",
        )
    patient, enrollments = found["patient"], found["enrollments"]
    if not isinstance(patient, dict):
        raise ImportProblem(source, 'patient: must be {"name": ..., "timezone": ...}')
    if not isinstance(enrollments, list):
        raise ImportProblem(source, "enrollments: must be a list")
    return Header(
        source=source,
        name=patient.get("name"),
        timezone=patient.get("timezone"),
        enrollments=enrollments,
    )


def read(handle: BinaryIO, source: str) -> tuple[Header, Iterator[tuple[str, int, Any]]]:
    """The header (read and checked now), then an iterator of (section, index, entry),
    which raises ImportProblem where the rest of the file goes wrong."""
    events = _Events(handle, source)
    event, _ = events.next()
    if event != "start_map":
        raise ImportProblem(source, "is not a rehab export (allowed: one JSON object)")
    found: dict[str, Any] = {}
    pending: tuple[str, str] | None = None  # the first entry section's key and event
    while True:
        event, key = events.next()
        if event == "end_map":
            break
        event, value = events.next()
        if key in SECTIONS:
            pending = (key, event)
            break
        found[key] = _build(events, event, value, key)
    header = header_of(found, source)
    return header, _entries(events, pending)


def _entries(events: _Events, pending: tuple[str, str] | None) -> Iterator[tuple[str, int, Any]]:
    while pending is not None:
        key, event = pending
        pending = None
        if event != "start_array":
            raise ImportProblem(events.source, f"{key}: must be a list of entries")
        index = 0
        while True:
            event, value = events.next()
            if event == "end_array":
                break
            yield key, index, _build(events, event, value, f"{key}[{index}]")
            index += 1
        while True:
            event, key = events.next()
            if event == "end_map":
                break
            event, value = events.next()
            if key in SECTIONS:
                pending = (key, event)
                break
            _build(events, event, value, key)  # a key this rehab does not know: passed over
    events.rest()
