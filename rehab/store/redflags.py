"""Red flags in the journal: record each flag raised, pause the program from that moment,
and end the pause only when a clinician has cleared it. The CLI (`rehab check`, `pain --flag`,
`rehab cleared`), the app and the advice's `stop` call these, so a red flag raised from
anywhere is the same rows, blocking the same things.

A flag is a `RedFlagEntry` row: which flag, when, from an answer or from the log, the check
or pain entry that raised it, the pause it opened or joined, and who cleared it and when.
While one is uncleared, `journal.refuse_if_red_flag` stops check-offs, skips, resume,
`start --replace`, undoing the entry that raised it and the VISA-A (it asks for hops and heel
raises); `clear_red_flags` clears them all and ends the pause.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from sqlmodel import Session, col, select

from rehab.core import clock
from rehab.core.redflags import ALL_FLAG_IDS, FLAG_IDS, RedFlagResult, evaluate
from rehab.errors import FieldProblem, UsageProblem
from rehab.store import journal
from rehab.store.models import Patient, Pause, utcnow

if TYPE_CHECKING:
    from rehab.store.observations import PainEntry, RedFlagEntry, SymptomCheck

REASON = "red flag"  # how a red-flag pause's reason begins (words only: the flags are rows)
REASON_MAX = 200  # Pause.reason
CLEARED_BY_MAX = 60
DETAIL_MAX = 500

PauseState = Literal["paused", "still-paused", "no-program"]


def check_ids(flag_ids: Iterable[str]) -> list[str]:
    """The ids in RED_FLAGS order, each once; an unknown id is one line."""
    wanted = list(flag_ids)
    for flag_id in wanted:
        if flag_id not in ALL_FLAG_IDS:
            raise FieldProblem(
                "red flag", f"{flag_id!r} is not a red flag (allowed: {', '.join(FLAG_IDS)})"
            )
    return [flag_id for flag_id in ALL_FLAG_IDS if flag_id in wanted]


@dataclass(frozen=True)
class RaisedFlags:
    result: RedFlagResult  # what to tell the patient (result.message)
    check: SymptomCheck | None  # the check that recorded the answers (None: from the log)
    pause: Pause | None  # the red-flag pause, open (None: no active program)
    state: PauseState | None  # paused now, was paused already, or no program to pause
    entries: tuple[RedFlagEntry, ...] = ()


def record_red_flags(
    session: Session,
    *,
    patient: Patient,
    flag_ids: Iterable[str],
    day: date | None = None,
    note: str | None = None,
    check: SymptomCheck | None = None,
    now: datetime | None = None,
    source: str = "answer",
    detail: str | None = None,
    pain: PainEntry | None = None,
) -> RaisedFlags:
    """Record the flags answered yes (or found in the log) and pause the program from now on
    (unless it is already paused for a red flag). `check` is a morning check written in the
    same action: the answers belong to it. Answers with no check get a check row of their
    own (the day's record of the answers); flags from the log point at the pain entry that
    showed them, if any. With no flags, nothing is written."""
    from rehab.store.observations import RedFlagEntry

    ids = check_ids(flag_ids)
    result = evaluate(dict.fromkeys(ids, True))
    if not result.raised:
        return RaisedFlags(result, None, None, None)
    moment = now or clock.now_utc()
    local = day or moment.astimezone(journal.patient_zone(patient)).date()
    if check is None and source == "answer":
        check = journal.record_check(
            session,
            patient=patient,
            day=local,
            stiffness_minutes=None,
            swelling=None,
            tiptoe_pain=None,
            note=note,
            now=moment,
        )
    pause, state = _pause_for(session, patient=patient, ids=ids, now=moment)
    enrollment = journal.active_enrollment(session, patient=patient)
    entries = []
    for flag_id in ids:
        entry = RedFlagEntry(
            patient_id=patient.id or 0,
            enrollment_id=enrollment.id if enrollment is not None else None,
            flag=flag_id,
            source=source,
            raised_on=local,
            raised_at=moment,
            detail=(detail or None) and (detail or "")[:DETAIL_MAX],
            check_id=check.id if check is not None else None,
            pain_id=pain.id if pain is not None else None,
            pause_id=pause.id if pause is not None else None,
        )
        session.add(entry)
        entries.append(entry)
    session.flush()
    return RaisedFlags(result, check, pause, state, tuple(entries))


def _pause_for(
    session: Session, *, patient: Patient, ids: list[str], now: datetime
) -> tuple[Pause | None, PauseState]:
    """Pause from this moment: today is a paused day even if something was checked off
    already (today's remaining doses show the pause; what was done stays in the history).

    The pause's reason names the flags ('red flag: pop, gap') for people and exports to
    read; what is open and who cleared it are the `RedFlagEntry` rows, never this text."""
    enrollment = journal.active_enrollment(session, patient=patient)
    if enrollment is None:
        return None, "no-program"
    current = journal.open_pause(session, enrollment=enrollment)
    if current is None:
        pause = journal.pause_program(
            session, patient=patient, reason=_reason(ids), now=now, from_now=True
        )
        return pause, "paused"
    already = [e.flag for e in journal.open_flags(session, enrollment=enrollment)]
    if already:  # another flag while paused for one: name it too
        rest = current.reason.partition(";")[2].strip()
        current.reason = _join(_reason(check_ids([*already, *ids])), rest or None)
    else:  # paused for something else (travel, say): now a red-flag pause too
        current.reason = _join(_reason(ids), f"paused before for: {current.reason}")
    session.add(current)
    return current, "still-paused"


def _reason(ids: Iterable[str]) -> str:
    return REASON + ": " + ", ".join(ids)


def _join(head: str, rest: str | None) -> str:
    return (f"{head}; {rest}" if rest else head)[:REASON_MAX]


def open_red_flags(session: Session, *, patient: Patient) -> Pause | None:
    """The open red-flag pause of the active program, if any (for screens and `today`)."""
    enrollment = journal.active_enrollment(session, patient=patient)
    if enrollment is None:
        return None
    return journal.red_flag_pause(session, enrollment=enrollment)


def flags_raised(session: Session, *, patient: Patient) -> list[RedFlagEntry]:
    """Every flag of the active program, oldest first (cleared ones too)."""
    from rehab.store.observations import RedFlagEntry

    enrollment = journal.active_enrollment(session, patient=patient)
    if enrollment is None:
        return []
    return list(
        session.exec(
            select(RedFlagEntry)
            .where(RedFlagEntry.enrollment_id == enrollment.id)
            .order_by(col(RedFlagEntry.id))
        ).all()
    )


def clear_red_flags(
    session: Session, *, patient: Patient, cleared_by: str, now: datetime | None = None
) -> tuple[Pause, list[RedFlagEntry]]:
    """A clinician has seen the patient: clear every open flag and end the red-flag pause."""
    who = " ".join(cleared_by.split())
    if not who:
        raise FieldProblem("clinician", "give the name of the clinician who cleared the red flags")
    if len(who) > CLEARED_BY_MAX:
        raise FieldProblem(
            "clinician", f"{len(who)} characters is too long (allowed: up to {CLEARED_BY_MAX})"
        )
    enrollment = journal.require_enrollment(session, patient=patient)
    current = journal.red_flag_pause(session, enrollment=enrollment)
    flags = journal.open_flags(session, enrollment=enrollment)
    if current is None or not flags:
        raise UsageProblem("the program is not paused for a red flag (nothing to clear)")
    moment = now or clock.now_utc()
    today = moment.astimezone(journal.patient_zone(patient)).date()
    for entry in flags:
        entry.cleared_by = who
        entry.cleared_on = today
        entry.cleared_at = moment
        session.add(entry)
    head, _, rest = current.reason.partition(";")
    current.reason = _join(f"{head}; cleared by {who} on {today}", rest.strip() or None)
    current.end_date = max(today, current.start_date)
    current.ended_at = utcnow()
    session.add(current)
    session.flush()
    return current, flags
