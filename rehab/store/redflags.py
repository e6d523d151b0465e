"""Red flags in the journal: record a yes, pause the program, and end that pause only when a
clinician has cleared it. The CLI (`rehab check`/`pain --flag`, `rehab cleared`) and the app
call these, so a red flag raised from either is the same rows, blocking the same things.

No new table: a raised flag is a SymptomCheck row whose note starts with "red flag: <ids>",
and the pause it opens has the reason "red flag: <ids>". While that pause is open,
`journal.refuse_if_red_flag` stops check-offs, skips, resume and `start --replace`;
`clear_red_flags` ends the pause and writes who cleared it into the pause's reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from sqlmodel import Session

from rehab.core import clock
from rehab.core.redflags import FLAG_IDS, RedFlagResult, evaluate
from rehab.errors import UsageProblem
from rehab.store import journal
from rehab.store.journal import RED_FLAG_REASON
from rehab.store.models import Patient, Pause, utcnow

if TYPE_CHECKING:
    from rehab.store.observations import SymptomCheck

NOTE_MAX = 500  # SymptomCheck.note
REASON_MAX = 200  # Pause.reason
CLEARED_BY_MAX = 60

PauseState = Literal["paused", "still-paused", "no-program"]


def check_ids(flag_ids: Iterable[str]) -> list[str]:
    """The ids in RED_FLAGS order, each once; an unknown id is one line."""
    wanted = list(flag_ids)
    for flag_id in wanted:
        if flag_id not in FLAG_IDS:
            raise UsageProblem(
                f"--flag: {flag_id!r} is not a red flag (allowed: {', '.join(FLAG_IDS)})"
            )
    return [flag_id for flag_id in FLAG_IDS if flag_id in wanted]


def flag_text(flag_ids: Iterable[str]) -> str:
    """'red flag: pop, gap': the start of the check's note and of the pause's reason."""
    return RED_FLAG_REASON + ", ".join(flag_ids)


def flags_of(reason_or_note: str) -> list[str]:
    """The ids in a 'red flag: pop, gap; ...' note or reason ([] if it is not one)."""
    if not reason_or_note.startswith(RED_FLAG_REASON):
        return []
    head = reason_or_note.removeprefix(RED_FLAG_REASON).split(";")[0]
    return [part.strip() for part in head.split(",") if part.strip() in FLAG_IDS]


@dataclass(frozen=True)
class RaisedFlags:
    result: RedFlagResult  # what to tell the patient (result.message)
    check: SymptomCheck | None  # the row that records it (None: no flag was raised)
    pause: Pause | None  # the red-flag pause, open (None: no active program)
    state: PauseState | None  # paused now, was paused already, or no program to pause


def record_red_flags(
    session: Session,
    *,
    patient: Patient,
    flag_ids: Iterable[str],
    day: date | None = None,
    note: str | None = None,
    check: SymptomCheck | None = None,
    now: datetime | None = None,
) -> RaisedFlags:
    """Record the flags answered yes and pause the program (unless it is already paused for a
    red flag). `check` is a morning check just written in the same action: the flags go into
    its note instead of a new row. With no flags, nothing is written."""
    ids = check_ids(flag_ids)
    result = evaluate(dict.fromkeys(ids, True))
    if not result.raised:
        return RaisedFlags(result, None, None, None)
    moment = now or clock.now_utc()
    text = flag_text(ids)
    if check is not None:
        check.note = _join(text, check.note, NOTE_MAX)
        session.add(check)
    else:
        check = journal.record_check(
            session,
            patient=patient,
            day=day or moment.astimezone(journal.patient_zone(patient)).date(),
            stiffness_minutes=None,
            swelling=None,
            tiptoe_pain=None,
            note=_join(text, note, NOTE_MAX),
            now=moment,
        )
    pause, state = _pause_for(session, patient=patient, ids=ids, now=moment)
    session.flush()
    return RaisedFlags(result, check, pause, state)


def _join(head: str, rest: str | None, limit: int) -> str:
    return (f"{head}; {rest}" if rest else head)[:limit]


def _pause_for(
    session: Session, *, patient: Patient, ids: list[str], now: datetime
) -> tuple[Pause | None, PauseState]:
    enrollment = journal.active_enrollment(session, patient=patient)
    if enrollment is None:
        return None, "no-program"
    current = journal.open_pause(session, enrollment=enrollment)
    if current is None:
        pause = journal.pause_program(session, patient=patient, reason=flag_text(ids), now=now)
        return pause, "paused"
    if journal.is_red_flag_pause(current):
        # another flag while paused for one: add its id, keep the rest of the reason
        merged = check_ids([*flags_of(current.reason), *ids])
        rest = current.reason.partition(";")[2].strip()
        current.reason = _join(flag_text(merged), rest or None, REASON_MAX)
    else:
        # paused for something else (travel, say): the pause becomes a red-flag pause
        current.reason = _join(flag_text(ids), f"paused before for: {current.reason}", REASON_MAX)
    session.add(current)
    return current, "still-paused"


def open_red_flags(session: Session, *, patient: Patient) -> Pause | None:
    """The open red-flag pause of the active program, if any (for screens and `today`)."""
    enrollment = journal.active_enrollment(session, patient=patient)
    if enrollment is None:
        return None
    return journal.red_flag_pause(session, enrollment=enrollment)


def clear_red_flags(
    session: Session, *, patient: Patient, cleared_by: str, now: datetime | None = None
) -> Pause:
    """A clinician has seen the patient: end the red-flag pause, noting who cleared it."""
    who = " ".join(cleared_by.split())
    if not who:
        raise UsageProblem("--by: give the name of the clinician who cleared the red flags")
    if len(who) > CLEARED_BY_MAX:
        raise UsageProblem(
            f"--by: {len(who)} characters is too long (allowed: up to {CLEARED_BY_MAX})"
        )
    enrollment = journal.require_enrollment(session, patient=patient)
    current = journal.red_flag_pause(session, enrollment=enrollment)
    if current is None:
        raise UsageProblem("the program is not paused for a red flag (nothing to clear)")
    today = (now or clock.now_utc()).astimezone(journal.patient_zone(patient)).date()
    head, _, rest = current.reason.partition(";")
    current.reason = _join(f"{head}; cleared by {who} on {today}", rest.strip() or None, REASON_MAX)
    current.end_date = max(today, current.start_date)
    current.ended_at = utcnow()
    session.add(current)
    session.flush()
    return current
