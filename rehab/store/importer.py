"""`rehab import`: a patient's `rehab-export` document into this database, in the caller's
one transaction, entry by entry as the file is read (`rehab.export.jsonread`).

An entry is known by its uid (`rehab.core.uids`), worked out from the fields that never
change, for the file's entries and for the rows already here alike: so importing a file
twice adds nothing, and a newer export of the same patient adds what is new and carries
over the corrections made since (an entry voided, a pause ended, a red flag cleared, a
program ended). A correction is never taken back: a voided entry stays voided.

The patient is the document's (or the one named by `--as`) and no other is created. One
whose history contradicts the file's is refused: another time zone, or a program of theirs
running in this database while one of the file's ran (two people under one name). Every
problem is one line naming the file (`ImportProblem`, exit 2); the caller's transaction is
then rolled back, so nothing is written.

Two imports of one patient at once: SQLite lets one writer in at a time; on PostgreSQL a
transaction-scoped advisory lock on the patient's name makes the second wait for the first
to commit, and it then finds every entry already there.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text, update
from sqlmodel import Session, select

from rehab.core import clock
from rehab.core.template import program_from_snapshot
from rehab.core.typed import FIRST_DAY, LAST_DAY
from rehab.core.uids import REFERENCES, Uids, instant_text
from rehab.errors import UsageProblem
from rehab.store import rows
from rehab.store.enrollments import enrollments_of, patient_zone
from rehab.store.import_kinds import BY_SECTION, ENROLLMENT_FIELDS, Kind, occurrence
from rehab.store.models import Enrollment, Patient

BATCH = 1000
# pg_advisory_xact_lock(class, key): a class no patient id (hold_day's) can be
IMPORT_LOCK = -1_229_147_001
REFERENCED = frozenset(target for refs in REFERENCES.values() for target in refs.values())


class ImportProblem(UsageProblem):
    """What is wrong with the file (or with importing it here), after the file's name."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")


@dataclass(frozen=True)
class Header:
    """The document's header as read, still unchecked past its format and version."""

    source: str  # the file, as the messages name it
    name: Any
    timezone: Any
    enrollments: list[Any]


@dataclass
class Tally:
    patient: str
    new_patient: bool
    added: Counter[str] = field(default_factory=Counter)
    voided: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    passed_over: Counter[str] = field(default_factory=Counter)

    def line(self, source: str) -> str:
        who = f"{self.patient} (new patient)" if self.new_patient else self.patient
        parts = ", ".join(f"{name} {count}" for name, count in self.added.items() if count)
        added = sum(self.added.values())
        text = (
            f"Imported {source} for {who}: {added} added"
            f"{f' ({parts})' if parts else ''}, {sum(self.voided.values())} voided, "
            f"{sum(self.updated.values())} updated, {sum(self.unchanged.values())} unchanged"
        )
        if self.passed_over:
            text += f"; passed over {', '.join(sorted(self.passed_over))} (not imported)"
        return text + "."


class Known(NamedTuple):
    """An entry already in the database (or queued), found by its uid."""

    id: int | None
    open: bool  # its correction column is still empty
    check: tuple[str, ...]


def _check_text(value: Any) -> str:
    return instant_text(value) if isinstance(value, datetime) else str(value)


def import_document(
    session: Session,
    *,
    header: Header,
    entries: Iterable[tuple[str, int, Any]],
    name: str | None = None,
) -> Tally:
    """Import the document into the patient named `name` (default: the document's)."""
    run = _Run(session, header, name)
    run.enrollments(header.enrollments)
    for section, index, entry in entries:
        kind = BY_SECTION.get(section)
        if kind is None:
            run.tally.passed_over[section] += 1
            continue
        run.entry(kind, index, entry)
    run.flush()
    return run.tally


class _Run:
    def __init__(self, session: Session, header: Header, name: str | None) -> None:
        self.session = session
        self.source = header.source
        wanted = header.name if name is None else name
        where = "patient.name" if name is None else "the name to import as"
        if not isinstance(wanted, str) or not 1 <= len(wanted.strip()) <= 100:
            raise self.problem(f"{where}: must be a name of 1 to 100 characters")
        wanted = wanted.strip()
        if not isinstance(header.timezone, str):
            raise self.problem("patient.timezone: must be a time zone name, e.g. Europe/Lisbon")
        try:
            self.zone = clock.zone(header.timezone)
        except ValueError as exc:
            raise self.problem(f"patient.timezone: {exc}") from None
        self._lock(wanted)
        patient = session.exec(select(Patient).where(Patient.name == wanted)).first()
        self.tally = Tally(wanted, new_patient=patient is None)
        if patient is None:
            patient = Patient(name=wanted, timezone=self.zone.key)
            session.add(patient)
            session.flush()
        assert patient.id is not None
        self.patient, self.patient_id = patient, patient.id
        self.existing = enrollments_of(session, patient=patient)
        self._check_zone()
        # the document's enrollment id -> (database id, uid)
        self.enrolled: dict[Any, tuple[int, str]] = {}
        self.uid_of_enrollment: dict[int, str] = {}
        self.numbers: dict[str, dict[Any, int]] = {name: {} for name in REFERENCED}
        self.uids: dict[str, Uids] = {}
        self.known: dict[str, dict[str, Known]] = {}
        self.queue: list[tuple[Any, dict[str, Any]]] = []
        self.queued: Kind | None = None

    def problem(self, detail: str) -> ImportProblem:
        return ImportProblem(self.source, detail)

    def _lock(self, name: str) -> None:
        if self.session.get_bind().dialect.name != "postgresql":
            return  # SQLite: the transaction began with the write lock (BEGIN IMMEDIATE)
        key = zlib.crc32(name.encode()) - 2**31
        self.session.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:lock AS integer), CAST(:key AS integer))"),
            {"lock": IMPORT_LOCK, "key": key},
        )

    def _check_zone(self) -> None:
        patient = self.patient
        if patient.timezone is None and not self.existing:
            patient.timezone = self.zone.key  # nothing here was read in another zone yet
            self.session.add(patient)
            return
        here = patient_zone(patient).key
        if here != self.zone.key:
            raise self.problem(
                f"{patient.name} in this database lives in {here}, the file's patient in "
                f"{self.zone.key}: not the same history (allowed: an export of this patient, "
                "or import it under another name)"
            )

    # --- enrollments ----------------------------------------------------------------------

    def enrollments(self, items: list[Any]) -> None:
        uids = Uids("enrollments")
        here = {uids(row.model_dump()): row for row in self.existing}
        self.uid_of_enrollment = {row.id: uid for uid, row in here.items() if row.id is not None}
        matched: set[str] = set()
        new: list[tuple[str, dict[str, Any]]] = []
        uids = Uids("enrollments")
        for index, item in enumerate(items):
            where = f"enrollments[{index}]"
            values = self._fields(item, ENROLLMENT_FIELDS, where)
            program = item.get("program")
            if not isinstance(program, dict):
                raise self.problem(f"{where}: program: missing (the template as it was run)")
            snapshot = json.dumps(program, sort_keys=True, separators=(",", ":"))
            try:
                parsed = program_from_snapshot(snapshot)
            except ValueError as exc:
                detail = " ".join(str(exc).split())[:160]
                raise self.problem(f"{where}: program: not a valid template ({detail})") from None
            del parsed  # the hash is of the program as stored (a later rehab may add fields)
            if hashlib.sha256(snapshot.encode()).hexdigest()[:16] != values["template_hash"]:
                raise self.problem(
                    f"{where}: template_hash does not match its program "
                    "(allowed: the file as `rehab export json` wrote it)"
                )
            if (values["status"] == "active") != (values["ended_at"] is None):
                raise self.problem(
                    f"{where}: ended_at: {values['status']} does not go with "
                    f"{'no end' if values['ended_at'] is None else 'an end'} "
                    "(allowed: an end for an ended program, none for the active one)"
                )
            values["template_json"] = snapshot
            uid = self._uid(uids, "enrollments", values, None, item, where)
            number = self._number(item, "id", where)
            if number in self.enrolled or number is None:
                raise self.problem(f"{where}: id: missing or repeated ({number!r})")
            row = here.get(uid)
            if row is None:
                new.append((uid, values))
                self.enrolled[number] = (-1, uid)
                continue
            matched.add(uid)
            assert row.id is not None
            self.enrolled[number] = (row.id, uid)
            if row.status == "active" and values["status"] == "ended":
                row.status, row.ended_at = "ended", values["ended_at"]
                self.session.add(row)
                self.tally.updated["enrollments"] += 1
            else:
                self.tally.unchanged["enrollments"] += 1
        others = [row for uid, row in here.items() if uid not in matched]
        running = [row for row in self.existing if row.status == "active"]
        for uid, values in new:
            self._refuse_overlap(values, others)
            row = Enrollment(patient_id=self.patient_id, **values)
            self.session.add(row)
            self.session.flush()
            assert row.id is not None
            self.uid_of_enrollment[row.id] = uid
            self.tally.added["enrollments"] += 1
            if row.status == "active":
                running.append(row)
            for number, (db_id, known) in self.enrolled.items():
                if known == uid and db_id == -1:
                    self.enrolled[number] = (row.id, uid)
        if len(running) > 1:
            raise self.problem(
                f"{self.patient.name} would have two programs running at once "
                "(allowed: an export of this patient's whole history)"
            )

    def _refuse_overlap(self, values: dict[str, Any], others: list[Enrollment]) -> None:
        """One person runs one program at a time: the app ends the current program at the
        moment it starts the next. A program here that ran while one of the file's did
        belongs to someone else."""
        start, end = values["created_at"], values["ended_at"]
        for row in others:
            if (end is None or row.created_at.replace(microsecond=0) < end) and (
                row.ended_at is None or start < row.ended_at.replace(microsecond=0)
            ):
                if row.ended_at is None and row.created_at < start:
                    raise self.problem(
                        f"{self.patient.name}'s {row.program_id} (started {row.start_date}) "
                        f"is still running in this database, and the file's "
                        f"{values['program_id']} began after it without it: if it is the "
                        "same patient, export their history from that program's start on; "
                        "if not, import it under another name"
                    )
                raise self.problem(
                    f"{self.patient.name} in this database ran {row.program_id} (started "
                    f"{row.start_date}) while the file's {values['program_id']} (started "
                    f"{values['start_date']}) ran: not the same history (allowed: an export "
                    "of this patient, or import it under another name)"
                )

    # --- entries --------------------------------------------------------------------------

    def _fields(self, item: Any, rules: dict[str, Any], where: str) -> dict[str, Any]:
        if not isinstance(item, dict):
            raise self.problem(f"{where}: must be an object")
        values = {}
        for name, rule in rules.items():
            if name not in item:
                raise self.problem(f"{where}: {name}: missing")
            try:
                values[name] = rule(item[name])
            except ValueError as exc:
                raise self.problem(f"{where}: {name}: {exc}") from None
        return values

    def _number(self, item: dict[str, Any], key: str, where: str) -> int | None:
        """An entry's number in its section, or a reference to one (None: none)."""
        number = item.get(key)
        if number is None or (isinstance(number, int) and not isinstance(number, bool)):
            return number
        shown = json.dumps(number)[:40]
        raise self.problem(f"{where}: {key}: {shown} is not a number (allowed: an entry's id)")

    def _uid(
        self,
        uids: Uids,
        section: str,
        values: dict[str, Any],
        enrollment: str | None,
        item: dict[str, Any],
        where: str,
    ) -> str:
        uid = uids(values, enrollment)
        given = item.get("uid")
        if given is not None and given != uid:
            raise self.problem(
                f"{where}: uid {given!r} does not match the entry's fields (allowed: the "
                "file as `rehab export json` wrote it)"
            )
        return uid

    def entry(self, kind: Kind, index: int, item: Any) -> None:
        where = f"{kind.section}[{index}]"
        if kind.section not in self.uids:
            self._begin(kind)
        values = self._fields(item, kind.fields, where)
        enrollment_id, enrollment_uid = self._enrollment(kind, item, where)
        if kind.section == "doses":
            try:
                values["occurrence"] = occurrence(values["item_key"], values["exercise_id"])
            except ValueError as exc:
                raise self.problem(f"{where}: item_key: {exc}") from None
        for key, target in REFERENCES.get(kind.section, {}).items():
            number = self._number(item, key, where)
            if number is not None and number not in self.numbers[target]:
                raise self.problem(f"{where}: {key}: {number!r} is not an entry of {target}")
            values[key] = None if number is None else self.numbers[target][number]
        uid = self._uid(self.uids[kind.section], kind.section, values, enrollment_uid, item, where)
        known = self.known[kind.section]
        found = known.get(uid)
        check = tuple(_check_text(values[name]) for name in kind.check)
        if found is None:
            row = {kind.column(name): value for name, value in values.items()}
            if kind.patient:
                row["patient_id"] = self.patient_id
            row["enrollment_id"] = enrollment_id
            self._queue(kind, self._number(item, "id", where), row)
            open_ = kind.corrected_by is None or values[kind.corrected_by] is None
            known[uid] = Known(None, open_, check)
            self.tally.added[kind.section] += 1
            return
        if found.check != check:
            raise self.problem(
                f"{where}: the database has this {kind.section} entry with "
                f"{', '.join(kind.check)} {', '.join(found.check)}, the file "
                f"{', '.join(check)}: not the same history"
            )
        if kind.section in REFERENCED and found.id is not None:
            self.numbers[kind.section][self._number(item, "id", where)] = found.id
        corrected = kind.corrected_by
        if corrected and found.open and found.id is not None and values[corrected] is not None:
            changes = {kind.column(name): values[name] for name in kind.corrects}
            self.session.execute(
                update(kind.table).where(kind.table.c.id == found.id).values(**changes)
            )
            known[uid] = found._replace(open=False)
            counter = self.tally.voided if corrected == "voided_at" else self.tally.updated
            counter[kind.section] += 1
            return
        self.tally.unchanged[kind.section] += 1

    def _enrollment(self, kind: Kind, item: dict[str, Any], where: str) -> tuple[Any, Any]:
        number = self._number(item, "enrollment_id", where)
        if number is None:
            if kind.enrollment == "required":
                raise self.problem(f"{where}: enrollment_id: missing (the entry's program)")
            return None, None
        found = self.enrolled.get(number)
        if found is None:
            raise self.problem(f"{where}: enrollment_id: {number!r} is not in enrollments")
        return found

    def _begin(self, kind: Kind) -> None:
        """The uids of this kind's entries already in the database, read as an export
        would read them (so they are worked out from the same values)."""
        self.flush()
        self.uids[kind.section] = Uids(kind.section)
        known: dict[str, Known] = {}
        self.known[kind.section] = known
        if self.tally.new_patient:
            return
        snapshots = {
            row.id: row.template_json
            for row in enrollments_of(self.session, patient=self.patient)
            if row.id is not None
        }
        zone = ZoneInfo(self.zone.key)
        span = rows.ExportSpan(self.patient_id, FIRST_DAY, LAST_DAY, zone, snapshots)
        uids = Uids(kind.section)
        read = rows.session_reader(self.session)
        for row in kind.rows(read, span):
            values = row._asdict()
            uid = uids(values, self.uid_of_enrollment.get(values["enrollment_id"]))
            open_ = kind.corrected_by is None or values[kind.corrected_by] is None
            known[uid] = Known(row.id, open_, tuple(_check_text(values[c]) for c in kind.check))

    def _queue(self, kind: Kind, number: Any, row: dict[str, Any]) -> None:
        if self.queued is not kind:
            self.flush()
            self.queued = kind
        self.queue.append((number, row))
        if len(self.queue) >= BATCH:
            self.flush()

    def flush(self) -> None:
        kind, queue = self.queued, self.queue
        if kind is None or not queue:
            return
        self.queue = []
        statement = insert(kind.table)
        batch = [row for _, row in queue]
        if kind.section not in REFERENCED:
            self.session.execute(statement, batch)
            return
        returning = statement.returning(kind.table.c.id, sort_by_parameter_order=True)
        ids = self.session.execute(returning, batch).scalars().all()
        numbers = self.numbers[kind.section]
        for (number, _), db_id in zip(queue, ids, strict=True):
            if number is not None:
                numbers[number] = db_id
