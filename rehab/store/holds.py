"""What holds a program: its open pause, and the red flags a clinician has not cleared yet
(nothing may be checked off, skipped, resumed or undone past them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from rehab.errors import Refused
from rehab.store.models import Enrollment, Pause

# What ends a red-flag pause, in each interface's words (the store's text names neither).
CLEARED_CLI = "then `rehab cleared --by NAME`"
CLEARED_APP = "once they have cleared you, press P and give their name"

if TYPE_CHECKING:  # loaded by the functions that need them: `rehab today` never does
    from rehab.store.observations import PainEntry, RedFlagEntry, SymptomCheck


def open_pause(session: Session, *, enrollment: Enrollment) -> Pause | None:
    return session.exec(
        select(Pause).where(Pause.enrollment_id == enrollment.id, col(Pause.end_date).is_(None))
    ).first()


def open_flags(session: Session, *, enrollment: Enrollment) -> list[RedFlagEntry]:
    """The red flags of this program not yet cleared by a clinician, oldest first."""
    from rehab.store.observations import RedFlagEntry

    return list(
        session.exec(
            select(RedFlagEntry)
            .where(
                RedFlagEntry.enrollment_id == enrollment.id,
                col(RedFlagEntry.cleared_at).is_(None),
            )
            .order_by(col(RedFlagEntry.id))
        ).all()
    )


def red_flag_pause(session: Session, *, enrollment: Enrollment) -> Pause | None:
    """The open pause while a red flag is uncleared: only a clinician's clearance ends it,
    and until then nothing may be checked off or skipped."""
    current = open_pause(session, enrollment=enrollment)
    if current is None or not open_flags(session, enrollment=enrollment):
        return None
    return current


def refuse_if_red_flag(session: Session, *, enrollment: Enrollment) -> None:
    """One line, and nothing written, while a red flag is uncleared."""
    flags = open_flags(session, enrollment=enrollment)
    if flags:
        ids = ", ".join(dict.fromkeys(f.flag for f in flags))
        raise Refused(
            f"the program is paused for a red flag ({ids}) since {flags[0].raised_on}: "
            "a clinician must clear it first",
            cli_hint=CLEARED_CLI,
            app_hint=CLEARED_APP,
        )


def refuse_undo_of_flag(session: Session, *, row: PainEntry | SymptomCheck) -> None:
    """An entry that raised a red flag still open is not undone: a mistaken answer is cleared
    by a clinician like any other, and both stay in the audit trail."""
    from rehab.store.observations import PainEntry, RedFlagEntry

    column = RedFlagEntry.pain_id if isinstance(row, PainEntry) else RedFlagEntry.check_id
    raised = session.exec(
        select(RedFlagEntry).where(column == row.id, col(RedFlagEntry.cleared_at).is_(None))
    ).first()
    if raised is not None:
        raise Refused(
            f"this entry raised a red flag ({raised.flag}) on {raised.raised_on} that is not "
            "cleared yet, so it stays: a clinician clears a mistaken answer, and both stay "
            "in the history",
            cli_hint="`rehab cleared --by NAME`",
            app_hint="once they have, press P and give their name",
        )
