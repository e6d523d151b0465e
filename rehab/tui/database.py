"""The TUI's side of the database. Every method is one user action in one transaction and
runs in a worker thread; the screens only ever see the plain results.

This module loads SQLAlchemy and SQLModel, so the app reaches it only through the light
`rehab.tui.backend.Backend`, from the first worker thread, after the frame is painted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from rehab.core import clock
from rehab.core.adherence import tally
from rehab.core.catalog import Catalog, load_catalog
from rehab.core.rows import TodayView, build_rows, rows_done, sets_text
from rehab.core.template import Program
from rehab.errors import UsageProblem
from rehab.store import journal
from rehab.store.db import open_engine
from rehab.store.journal import Amounts
from rehab.store.models import DoseLog, Patient
from rehab.store.patients import WhichPatient, pick_patient
from rehab.store.watch import ChangeWatch, Stamp
from rehab.tui.backend import CheckedOff, Clock, DaySummary, LogLine

if TYPE_CHECKING:  # loaded where used: the first screen needs none of these
    from rehab.core.progression import Advice
    from rehab.store.observations import SymptomCheck

T = TypeVar("T")


class StoreBackend:
    def __init__(self, url: str, patient: str | None, clock: Clock | None = None):
        self.url = url
        self.patient_name = patient
        self.clock = clock or Clock()
        self._engine: Engine | None = None
        self._lock = threading.Lock()  # one transaction at a time from this app
        self._watch: ChangeWatch | None = None

    # --- plumbing ---------------------------------------------------------------------

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_engine(self.url)
        return self._engine

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def data_stamp(self) -> Stamp | None:
        """Changes when anything (another process, or this app) commits a change; the app
        takes one before it loads a screen and compares a fresh one now and then."""
        if self._watch is None:
            self._watch = ChangeWatch(self.engine())
        return self._watch.stamp()

    @contextmanager
    def _action(self) -> Iterator[tuple[Session, Patient]]:
        with Session(self.engine(), expire_on_commit=False) as session, session.begin():
            patient = pick_patient(session, name=self.patient_name)
            yield session, patient

    def _run(self, work: Callable[[Session, Patient], T]) -> T:
        with self._lock, self._action() as (session, patient):
            return work(session, patient)

    def _today(self, patient: Patient) -> date:
        """The patient's calendar day on the app's clock."""
        return self.clock.now().astimezone(self.zone(patient)).date()

    def zone(self, patient: Patient) -> ZoneInfo:
        return journal.patient_zone(patient)

    def _existing_patient(self, session: Session) -> Patient | None:
        """The patient if they exist yet (a new name is created by `start`, not by looking)."""
        try:
            return pick_patient(session, name=self.patient_name)
        except WhichPatient:
            raise  # several patients and no name: the app asks whose records to open
        except UsageProblem:
            return None

    def choose_patient(self, name: str) -> None:
        """Open this patient's records (the app's chooser, when the database has several)."""
        self.patient_name = name

    def today(self) -> date:
        with self._lock, Session(self.engine()) as session:
            patient = self._existing_patient(session)
            zone = self.zone(patient) if patient else clock.zone(None)
            session.rollback()  # looking only: the default patient is not created here
        return self.clock.now().astimezone(zone).date()

    # --- reading ----------------------------------------------------------------------

    def has_program(self) -> bool:
        with self._lock, Session(self.engine()) as session:
            patient = self._existing_patient(session)
            found = (
                patient is not None
                and patient.id is not None
                and (journal.active_enrollment(session, patient=patient) is not None)
            )
            session.rollback()
        return found

    def catalog(self) -> Catalog:
        from rehab import paths

        return load_catalog(paths.builtin_programs_dir(), paths.user_programs_dir())

    def reminder_times(self) -> dict[str, str]:
        from rehab.store import settings

        return self._run(lambda s, p: settings.reminder_times(s, patient=p))

    def load_today(self, day: date | None = None) -> TodayView:
        from rehab.store import settings
        from rehab.store.assessments import visa_refusal

        def work(session: Session, patient: Patient) -> TodayView:
            today = self._today(patient)
            shown = day or today
            view = journal.load_day(session, patient=patient, day=shown)
            enrollment = view.enrollment
            week_start = shown - timedelta(days=(view.plan.program_day or 0) % 7)
            week_end = min(shown, today)
            plans = journal.plans_between(
                session, enrollment=enrollment, first=week_start, last=week_end
            )
            logs = journal.logs_between(
                session, enrollment=enrollment, first=week_start, last=week_end
            )
            week = tally(plans, logs)
            rows = build_rows(view.items)
            done, planned = rows_done(rows)
            pause = journal.open_pause(session, enrollment=enrollment)
            flagged = pause is not None and bool(journal.open_flags(session, enrollment=enrollment))
            return TodayView(
                day=shown,
                today=today,
                program_name=view.program.name,
                weeks=view.program.weeks,
                week=view.plan.week,
                phase=view.plan.phase.name if view.plan.phase else "",
                phase_goal=_phase_goal(view.plan.phase),
                notes=tuple(view.program.notes),
                status=view.plan.status,
                rows=rows,
                done=done,
                planned=planned,
                week_percent=week.percent,
                days_active=journal.days_active(session, enrollment=enrollment, upto=today),
                start_date=enrollment.start_date,
                end_date=view.end,
                pause_reason=pause.reason if pause is not None else None,
                red_flag=flagged,
                local_hour=self.clock.now().astimezone(self.zone(patient)).hour,
                visa_offered=view.program.offers_visa_a,
                demo=settings.is_demo(session, patient=patient),
                visa_refusal=visa_refusal(session, patient=patient),
            )

        return self._run(work)

    def month(self, last: date, weeks: int) -> list[DaySummary]:
        """Done ÷ planned per day for the `weeks` weeks ending on `last` (Mon–Sun rows)."""

        def work(session: Session, patient: Patient) -> list[DaySummary]:
            enrollment = journal.require_enrollment(session, patient=patient)
            end = last + timedelta(days=6 - last.weekday())
            first = end - timedelta(days=7 * weeks - 1)
            plans = journal.plans_between(session, enrollment=enrollment, first=first, last=end)
            logs = journal.logs_between(session, enrollment=enrollment, first=first, last=end)
            result = []
            for plan in plans:
                counted = tally([plan], logs)
                result.append(
                    DaySummary(
                        plan.day, plan.status, counted.done, counted.planned, counted.started
                    )
                )
            return result

        return self._run(work)

    def day_log(self, day: date) -> list[LogLine]:
        from rehab.core.redflags import LOG_FLAGS, RED_FLAGS
        from rehab.store import redflags
        from rehab.store.history import entries_of_day

        flag_names = {flag.id: flag.label or flag.id for flag in (*RED_FLAGS, *LOG_FLAGS)}

        def work(session: Session, patient: Patient) -> list[LogLine]:
            zone = self.zone(patient)
            enrollment = journal.require_enrollment(session, patient=patient)
            entries = entries_of_day(session, patient=patient, enrollment=enrollment, day=day)
            lines: list[LogLine] = []
            grouped: dict[str, list[DoseLog]] = {}
            for row in entries.doses:
                grouped.setdefault(row.action, []).append(row)
            program = journal.program_of(enrollment)
            names = {exercise.id: exercise.name for exercise in program.exercises}
            for action, rows in grouped.items():
                lines.append(_dose_line(action, rows, zone, names))
            for pain in entries.pains:
                lines.append(
                    LogLine(
                        "pain",
                        f"pain:{pain.id}",
                        f"{pain.logged_at.astimezone(zone):%H:%M}  "
                        f"Pain {pain.score}/10 ({pain.context})"
                        + (f": {pain.note}" if pain.note else ""),
                        pain.logged_at,
                        pain.voided_at is not None,
                    )
                )
            flags: dict[int, list[str]] = {}
            for flag in redflags.flags_raised(session, patient=patient):
                if flag.check_id is not None:
                    flags.setdefault(flag.check_id, []).append(flag_names.get(flag.flag, flag.flag))
            for check in entries.checks:
                lines.append(
                    LogLine(
                        "check",
                        f"check:{check.id}",
                        f"{check.logged_at.astimezone(zone):%H:%M}  "
                        + _check_text(check, flags.get(check.id or 0, [])),
                        check.logged_at,
                        check.voided_at is not None,
                    )
                )
            lines.sort(key=lambda line: line.logged_at)
            return lines

        return self._run(work)

    def reminder_settings(self) -> dict[str, str]:
        from rehab.store import settings

        def work(session: Session, patient: Patient) -> dict[str, str]:
            values = settings.reminder_times(session, patient=patient)
            values["quiet"] = settings.quiet_hours(session, patient=patient).text()
            values["zone"] = patient.timezone or self.zone(patient).key
            return values

        return self._run(work)

    def save_reminder_settings(self, times: dict[str, str], quiet: str, zone: str) -> None:
        """All of it or none: a bad field raises before the transaction commits."""
        from rehab.store import settings

        def work(session: Session, patient: Patient) -> None:
            settings.set_reminder_times(session, patient=patient, times=times)
            settings.set_quiet_hours(session, patient=patient, text=quiet)
            if zone and zone != (patient.timezone or self.zone(patient).key):
                settings.set_timezone(session, patient=patient, name=zone)

        self._run(work)

    def raise_flags(self, ids: list[str]) -> tuple[str, bool] | None:
        """Record red flags answered yes (pausing the program); the alert to show."""
        from rehab.store.redflags import record_red_flags

        def work(session: Session, patient: Patient) -> tuple[str, bool] | None:
            raised = record_red_flags(session, patient=patient, flag_ids=ids, now=self.clock.now())
            if not raised.result.raised:
                return None
            return raised.result.message, raised.result.urgent

        return self._run(work)

    def clear_flags(self, name: str) -> None:
        from rehab.store.redflags import clear_red_flags

        self._run(lambda s, p: clear_red_flags(s, patient=p, cleared_by=name, now=self.clock.now()))

    def extras(self, view: TodayView) -> TodayView:
        """Today's advice and whether a VISA-A is due: loaded after the checklist is on
        screen (they read weeks of the log and load more code)."""
        if view.day != view.today:
            return view

        def work(session: Session, patient: Patient) -> TodayView:
            from dataclasses import replace

            enrollment = journal.require_enrollment(session, patient=patient)
            visa_due = False
            if journal.program_of(enrollment).reminds_visa_a:
                from rehab.store.assessments import visa_reminder_due

                visa_due = visa_reminder_due(session, patient=patient, today=view.today)
            advice = None
            alert = None
            if view.status == "active" or view.red_flag:
                from rehab.store.progress import escalate, todays_advice

                # a stop the log shows (night pain, a flare despite a reduction, no
                # improvement by the course's end) pauses the program now, as in the CLI
                stopped = (
                    None if view.red_flag else escalate(session, patient=patient, today=view.today)
                )
                advice = stopped or todays_advice(session, patient=patient, today=view.today)
                if stopped is not None:
                    alert = "Stop the exercises and see a clinician. " + "; ".join(
                        stopped.reasons[:-1]
                    )
            return replace(
                view,
                advice=_advice_line(advice) if advice is not None else None,
                advice_decision=advice.decision if advice is not None else None,
                plan_change=advice.plan_change if advice is not None else "",
                advice_reasons=tuple(advice.reasons) if advice is not None else (),
                advice_would_change=tuple(advice.would_change) if advice is not None else (),
                advice_accepted=advice is not None and _accepted(session, enrollment, view.today),
                visa_due=visa_due and not view.red_flag and alert is None,
                alert=alert,
            )

        return self._run(work)

    def record_visa(self, answers: Any) -> str:
        """Store a completed VISA-A; the line to show: the score, its meaning, the change."""
        from rehab.core.visa import describe_change, interpret
        from rehab.store.assessments import record_visa

        def work(session: Session, patient: Patient) -> str:
            today = self._today(patient)
            recorded = record_visa(
                session, patient=patient, answers=answers, taken_on=today, now=self.clock.now()
            )
            text = f"VISA-A {interpret(recorded.entry.score)}"  # "41/100: symptoms remain…"
            if recorded.first is not None:
                text += "; since the first: " + describe_change(
                    recorded.first.score, recorded.entry.score
                )
            return text

        return self._run(work)

    def course_line(self) -> str:
        """Is the course on track? One sentence (CLINICAL.md, expected course)."""
        from rehab.store.progress import course_check

        def work(session: Session, patient: Patient) -> str:
            today = self._today(patient)
            return course_check(session, patient=patient, today=today).sentence

        return self._run(work)

    def chart(self, kind: str, weeks: int | None, width: int, height: int) -> str:
        """A trend chart as text with colour codes, drawn by the CLI's own chart code."""
        from rehab import charts
        from rehab.store import trends

        def work(session: Session, patient: Patient) -> tuple[object, str]:
            today = self._today(patient)
            window = trends.window(session, patient=patient, today=today, weeks=weeks)
            return charts.chart_for(kind, session, patient, window), window.period

        draw, period = self._run(work)
        with charts.DRAWING:
            return str(draw(width=width, height=height, color=True, period=period, for_app=True))  # type: ignore[operator]

    def open_in_slot(self, slot: str) -> tuple[str, ...]:
        """What is still open in a slot today (for a snoozed reminder)."""
        from rehab.reminders.due import open_lines

        def work(session: Session, patient: Patient) -> tuple[str, ...]:
            day = self._today(patient)
            view = journal.load_day(session, patient=patient, day=day)
            if view.plan.status != "active":
                return ()
            return open_lines(view.items, slot)

        return self._run(work)

    # --- writing ----------------------------------------------------------------------

    def start(self, program: Program, side: str, start: date, reminders: dict[str, str]) -> None:
        """First run: the one place the app creates a patient, with the enrollment."""
        from rehab.store import settings

        with self._lock, Session(self.engine()) as session, session.begin():
            patient = journal.find_patient(session, name=self.patient_name, create=True)
            settings.set_reminder_times(session, patient=patient, times=reminders)
            journal.start_program(
                session,
                patient=patient,
                program=program,
                side="left" if side == "left" else "right" if side == "right" else "both",
                start=start,
                now=self.clock.now(),
            )

    def check_off(self, day: date, key: str, side: str | None, amounts: Amounts) -> list[DoseLog]:
        return self._run(
            lambda s, p: journal.record_done(
                s, patient=p, day=day, key=key, side=side, amounts=amounts, now=self.clock.now()
            )
        )

    def check_off_next(self, day: date, row_id: str, slot: str) -> CheckedOff | None:
        """Check off the next set of a row, decided on fresh data inside the transaction,
        so fast repeated presses each land on the right leg and set. None when nothing
        was left to check off (say, another process finished the dose): nothing written."""

        def work(session: Session, patient: Patient) -> CheckedOff | None:
            journal.hold_day(session, patient=patient, day=day)  # before deciding
            view = journal.load_day(session, patient=patient, day=day)
            row = next(
                (r for r in build_rows(view.items) if r.id == row_id and r.slot == slot), None
            )
            target = row.next_target() if row is not None else None
            if target is None:
                return None
            key, side, sets = target
            rows = journal.record_done(
                session,
                patient=patient,
                day=day,
                key=key,
                side=side,
                amounts=Amounts(sets=sets),
                now=self.clock.now(),
            )
            return CheckedOff(key, side, sum(r.sets or 0 for r in rows))

        return self._run(work)

    def check_off_all(self, day: date, row_id: str, slot: str) -> list[CheckedOff] | None:
        """Log the whole of a row's dose in one go: all the sets left, on every planned leg
        (for an as-needed row, its next occurrence), as `rehab done KEY` does; decided on
        fresh data inside the transaction. None when nothing was left: nothing written."""

        def work(session: Session, patient: Patient) -> list[CheckedOff] | None:
            journal.hold_day(session, patient=patient, day=day)
            view = journal.load_day(session, patient=patient, day=day)
            row = next(
                (r for r in build_rows(view.items) if r.id == row_id and r.slot == slot), None
            )
            target = row.next_target() if row is not None else None
            if target is None:
                return None
            rows = journal.record_done(
                session, patient=patient, day=day, key=target[0], now=self.clock.now()
            )
            return [CheckedOff(r.item_key, r.side or None, r.sets or 0) for r in rows]

        return self._run(work)

    def session_slot(self) -> str:
        """The slot the patient's time of day is in, by their reminder times."""
        from rehab.core.session import slot_at
        from rehab.store import settings

        def work(session: Session, patient: Patient) -> str:
            local = self.clock.now().astimezone(self.zone(patient)).time()
            return slot_at(local, settings.reminder_times(session, patient=patient))

        return self._run(work)

    def skip(self, day: date, key: str, reason: str) -> None:
        self._run(
            lambda s, p: journal.record_skip(
                s, patient=p, day=day, key=key, reason=reason, now=self.clock.now()
            )
        )

    def undo_row(self, day: date, keys: Sequence[str]) -> str:
        return self._run(lambda s, p: journal.undo_dose(s, patient=p, day=day, keys=keys).what)

    def void(self, action: str) -> str:
        from rehab.store.history import void_entry

        def work(session: Session, patient: Patient) -> str:
            kind, _, ident = action.partition(":")
            if kind in ("pain", "check") and ident.isdigit():
                void_entry(
                    session,
                    patient=patient,
                    kind="pain" if kind == "pain" else "check",
                    entry_id=int(ident),
                    now=self.clock.now(),
                )
                return f"{kind} entry"
            return journal.void_action(session, action=action).what

        return self._run(work)

    def program_view(self) -> Any:
        """The whole program as tailored (rehab.store.program_view.ProgramView)."""
        from rehab.store.program_view import program_view

        return self._run(lambda s, p: program_view(s, patient=p, today=self._today(p)))

    def prescribe(self, change: Any) -> str:
        """A therapist's dose change (rehab.tui.screens.program.DoseChange); the line to show."""
        from rehab.store.prescriptions import Request, prescribe

        def work(session: Session, patient: Patient) -> str:
            request = Request(
                action="change",
                exercise_id=change.exercise_id,
                values=change.values,
                by=change.by,
                reason=change.reason,
                effective=change.effective,
            )
            row = prescribe(session, patient=patient, request=request, now=self.clock.now())
            return f"Prescribed by {row.prescribed_by}, from {row.effective_date}"

        return self._run(work)

    def accept_advice(self) -> str:
        from rehab.store.progress import accept

        def work(session: Session, patient: Patient) -> str:
            today = self._today(patient)
            advice, change = accept(session, patient=patient, today=today, decided_by="patient")
            return f"Accepted: {advice.decision}, from {change.effective_date}"

        return self._run(work)

    def pain(self, score: int, context: str, note: str | None) -> tuple[str, bool] | None:
        """Log a pain score; pain at night or at rest is a red flag (it pauses the program):
        the alert to show, as for a red-flag answer."""

        def work(session: Session, patient: Patient) -> tuple[str, bool] | None:
            entry = journal.record_pain(
                session,
                patient=patient,
                score=score,
                context=context,
                note=note,
                now=self.clock.now(),
            )
            if context not in ("night", "rest") or score == 0:
                return None
            from rehab.store.redflags import record_red_flags

            raised = record_red_flags(
                session,
                patient=patient,
                flag_ids=["rest-pain"],
                day=entry.local_date,
                now=self.clock.now(),
                source="log",
                detail=f"pain {score}/10 logged {'at night' if context == 'night' else 'at rest'}",
                pain=entry,
            )
            return raised.result.message, raised.result.urgent

        return self._run(work)

    def check(
        self,
        day: date,
        stiffness: int | None,
        swelling: bool,
        redness: bool,
        tiptoe_pain: bool,
    ) -> None:
        self._run(
            lambda s, p: journal.record_check(
                s,
                patient=p,
                day=day,
                stiffness_minutes=stiffness,
                swelling=swelling,
                redness=redness,
                tiptoe_pain=tiptoe_pain,
                now=self.clock.now(),
            )
        )

    def morning(
        self,
        day: date,
        pain: int | None,
        stiffness: int | None,
        swelling: bool,
        redness: bool,
        tiptoe_pain: bool,
    ) -> None:
        """The morning check and its morning pain, in one transaction: the pain is logged in
        the morning context (now, or 09:00 local time on a past day being filled in), which
        the advice counts as that day's morning pain."""

        def work(session: Session, patient: Patient) -> None:
            now = self.clock.now()
            if pain is not None:
                at = None
                if day != self._today(patient):
                    at = datetime.combine(day, time(9), tzinfo=self.zone(patient))
                journal.record_pain(
                    session, patient=patient, score=pain, context="morning", at=at, now=now
                )
            journal.record_check(
                session,
                patient=patient,
                day=day,
                stiffness_minutes=stiffness,
                swelling=swelling,
                redness=redness,
                tiptoe_pain=tiptoe_pain,
                now=now,
            )

        self._run(work)

    def pause(self, reason: str) -> date:
        """Pause; the first paused day (tomorrow when today already has check-offs)."""
        return self._run(
            lambda s, p: (
                journal.pause_program(s, patient=p, reason=reason, now=self.clock.now()).start_date
            )
        )

    def resume(self) -> None:
        self._run(lambda s, p: journal.resume_program(s, patient=p, now=self.clock.now()))


def _dose_line(action: str, rows: list[DoseLog], zone: ZoneInfo, names: dict[str, str]) -> LogLine:
    first = rows[0]
    name = names.get(first.exercise_id, first.exercise_id)
    legs = ", ".join(f"{r.side} {sets_text(r.sets)}".strip() for r in rows if r.side)
    if first.status == "skipped":
        text = f"Skipped {name}: {first.reason}"
    else:
        sets = "" if legs else f" {sets_text(first.sets)}".rstrip()
        extra = []
        if first.minutes:
            extra.append(f"{first.minutes:g} min")
        if first.load_kg:
            extra.append(f"+{first.load_kg:g} kg")
        if first.pain_during is not None:
            extra.append(f"pain {first.pain_during}/10")
        text = f"Done {name}{sets}" + (f" ({legs})" if legs else "")
        if extra:
            text += " · " + ", ".join(extra)
    at = first.logged_at.astimezone(zone).strftime("%H:%M")
    return LogLine("dose", action, f"{at}  {text}", first.logged_at, first.voided_at is not None)


def _phase_goal(phase: Any) -> str:
    if phase is None or phase.unverified:  # an unverified phase's words are not shown as fact
        return ""
    parts = [phase.goal.strip()] if phase.goal.strip() else []
    if phase.advance_when.strip():
        when = phase.advance_when.strip().rstrip(".")
        parts.append("Moves on when " + when[:1].lower() + when[1:] + ".")
    return " ".join(parts)


def _accepted(session: Session, enrollment: Any, today: date) -> bool:
    """Whether a change from tomorrow on is already recorded (today's advice accepted)."""
    tomorrow = today + timedelta(days=1)
    return any(
        c.effective == tomorrow for c in journal.progressions_of(session, enrollment=enrollment)
    )


def _advice_line(advice: Advice) -> str:
    first = advice.reasons[0].split(";")[0] if advice.reasons else ""
    if advice.decision == "stop":
        return f"STOP: stop the exercises and see a clinician · {first}"
    move = ""
    if advice.decision in ("progress", "reduce"):
        change = f" ({advice.plan_change})" if advice.plan_change else ""
        move = f" · a accepts from tomorrow{change}"
    return f"Advice: {advice.decision} · {first}{move}"


def _check_text(check: SymptomCheck, flags: list[str]) -> str:
    parts = []
    if check.stiffness_minutes is not None:
        parts.append(f"stiffness {check.stiffness_minutes} min")
    for name, value in (
        ("swelling", check.swelling),
        ("redness", check.redness),
        ("tiptoe pain", check.tiptoe_pain),
    ):
        if value is not None:
            parts.append(f"{name}: {'yes' if value else 'no'}")
    if flags:
        parts.append("warning signs: " + ", ".join(flags))
    if not parts:
        return "Morning check: nothing recorded"
    return "Morning check: " + ", ".join(parts)
