"""What a patient can do from the app, one function per action, outside any screen.

Each takes the app (and the day on screen, where it matters), opens what it needs, and
writes through the app's db worker; `app.refresh_today()` then tells every screen that
shows the journal (the `journal_changed` signal). The Today screen binds keys to these;
other screens, and the guided session, can call them the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from rehab.core.rows import Row, TodayView
    from rehab.core.timers import HoldTimer, MinutesTimer
    from rehab.tui.answers import MorningAnswer, PainAnswer, RedFlagAnswers, VisaAnswers
    from rehab.tui.app import RehabApp
    from rehab.tui.screens.export import ExportRequest


HOLD_REST_SECONDS = 5.0  # a pause to breathe and reset between holds; not a dose


def hold_timer(row: Row, day: date, now: float) -> HoldTimer | None:
    """The hold timer for a stretch's open legs (None when the dose has no hold), for the
    Today screen's timer and the guided session alike."""
    from rehab.core.timers import HoldTimer, Leg

    dose = row.first.dose
    if row.timer_kind != "hold" or dose.hold_seconds is None:
        return None
    legs = [
        Leg(m.dose.side, m.sets_left, int(m.dose.sets.high) if m.dose.sets else 1)
        for m in row.members
        if m.status in ("open", "partial")
    ]
    return HoldTimer(
        day=day,
        key=dose.key,
        name=dose.name,
        legs=legs,
        hold_seconds=dose.hold_seconds.high,
        rest_seconds=HOLD_REST_SECONDS,
        reps=int(dose.reps.high) if dose.reps is not None else 1,
        started=now,
    )


def minutes_timer(row: Row, day: date, key: str, now: float) -> MinutesTimer | None:
    """The ice or walk timer for the dose `key` (None when the dose is not in minutes)."""
    from rehab.core.timers import MinutesTimer

    dose = row.first.dose
    if row.timer_kind != "minutes" or dose.minutes is None:
        return None
    return MinutesTimer(
        day=day,
        key=key,
        name=dose.name,
        target_minutes=int(dose.minutes.high),
        least_minutes=int(dose.minutes.low),
        started=now,
        exercise_kind=dose.kind,
    )


def writable(app: RehabApp, view: TodayView) -> bool:
    """Future days are read-only: say so, and refuse."""
    if view.is_future:
        app.notify("Future days are read-only.", severity="warning")
        return False
    return True


def pain(app: RehabApp, view: TodayView | None) -> None:
    from rehab.tui.painguide import default_context, respond
    from rehab.tui.screens.dialogs import PainDialog

    backend = app.backend

    def chosen(answer: PainAnswer | None) -> None:
        if answer is None:
            return

        def logged(alert: tuple[str, bool] | None) -> None:
            app.refresh_today()
            if alert is not None:  # night or rest pain: a red flag; ask the others too
                from rehab.tui.screens.redflags import RedFlagAlert

                message, urgent = alert
                app.push_screen(RedFlagAlert(message, urgent), lambda _: red_flags(app))
                return
            then = (lambda: red_flags(app)) if answer.warning else None
            respond(app, answer.score, answer.context, then)

        app.run_db(
            lambda: backend.pain(answer.score, answer.context, answer.note),
            done=logged,
            success=f"Pain {answer.score}/10 ({answer.context}) logged",
        )

    hour = view.local_hour if view is not None else 8
    app.push_screen(PainDialog(default_context(hour)), chosen)


def morning_check(app: RehabApp, view: TodayView | None) -> None:
    from rehab.tui.painguide import respond
    from rehab.tui.screens.dialogs import CheckDialog

    if view is None or not writable(app, view):
        return
    day, backend = view.day, app.backend

    def chosen(answer: MorningAnswer | None) -> None:
        if answer is None:
            return

        def saved(_: None) -> None:
            app.refresh_today()
            then = (lambda: red_flags(app)) if answer.warning else None
            respond(app, answer.pain or 0, "morning", then)

        app.run_db(
            lambda: backend.morning(
                day,
                answer.pain,
                answer.stiffness_minutes,
                answer.swelling,
                answer.redness,
                answer.tiptoe_pain,
            ),
            done=saved,
            success="Morning check logged"
            + (f", with morning pain {answer.pain}/10" if answer.pain is not None else ""),
        )

    app.push_screen(CheckDialog(), chosen)


def red_flags(app: RehabApp) -> None:
    """The red-flag questions; a yes pauses the program and shows the alert."""
    from rehab.tui.screens.redflags import RedFlagAlert, RedFlagQuestions

    backend = app.backend

    def raised(outcome: tuple[str, bool] | None) -> None:
        app.refresh_today()
        if outcome is not None:
            message, urgent = outcome
            app.push_screen(RedFlagAlert(message, urgent))

    def answered(answers: RedFlagAnswers | None) -> None:
        if answers is None:
            return
        if answers.yes:
            app.run_db(lambda: backend.raise_flags(answers.yes), done=raised)
        else:
            app.notify("No warning signs today: carry on with your program.", timeout=5)

    app.push_screen(RedFlagQuestions(), answered)


def pause(app: RehabApp, view: TodayView | None) -> None:
    from rehab.tui.screens.dialogs import ConfirmDialog, PauseDialog

    backend = app.backend
    if view is not None and view.red_flag:
        from rehab.tui.screens.redflags import ClearedDialog

        def cleared(name: str | None) -> None:
            if name:
                app.record(
                    lambda: backend.clear_flags(name),
                    success=f"Cleared by {name}: welcome back",
                )

        app.push_screen(ClearedDialog(), cleared)
        return
    if view is not None and view.pause_reason is not None:

        def confirmed(yes: bool | None) -> None:
            if yes:
                app.record(backend.resume, success="Resumed: welcome back")

        app.push_screen(ConfirmDialog("Resume the program from today?"), confirmed)
        return

    def chosen(reason: str | None) -> None:
        if reason:
            app.run_db(lambda: backend.pause(reason), done=lambda first: paused(app, first))

    app.push_screen(PauseDialog(), chosen)


def paused(app: RehabApp, first: date) -> None:
    """Say from when: a pause starts tomorrow once today has check-offs."""
    when = "today" if first == app.backend.today() else f"{first:%a %-d %b}"
    app.notify(f"Paused from {when}" + ("" if when == "today" else " (today stays as is)"))
    app.refresh_today()


def snooze(app: RehabApp, view: TodayView | None) -> None:
    from rehab.tui.screens.dialogs import SnoozeDialog

    if app.last_reminder is None:  # say so before asking for how long
        app.notify("No reminder to snooze yet.", severity="warning")
        return

    def chosen(minutes: str | None) -> None:
        if minutes:
            app.snooze(int(minutes.split()[0]))

    app.push_screen(SnoozeDialog(), chosen)


def reminder_settings(app: RehabApp, view: TodayView | None) -> None:
    from rehab.tui.screens.settings import SettingsDialog

    def saved(changed: bool | None) -> None:
        if changed:
            app.notify("Reminder settings saved.", timeout=3)
            app.restart_reminders()

    app.push_screen(SettingsDialog(), saved)


def advice(app: RehabApp, view: TodayView | None) -> None:
    """Today's advice in full; accepting it happens there (y), after reading why."""
    from rehab.tui.screens.advice import AdviceScreen

    view = view
    if view is None:
        app.notify("Your plan is still loading.", severity="warning")
        return
    backend = app.backend

    def closed(accept: bool | None) -> None:
        if accept:
            app.record(backend.accept_advice, success="Advice accepted: it starts tomorrow")

    app.push_screen(AdviceScreen(view), closed)


def refuse_visa(app: RehabApp, view: TodayView | None) -> bool:
    """Notify why the VISA-A cannot be filled in now; False when it can."""
    view = view
    if view is None:
        app.notify("Your plan is still loading.", severity="warning")
        return True
    if view.visa_refusal is None:
        return False
    from rehab.tui.words import plain

    reason = plain(view.visa_refusal)
    if view.red_flag:
        from rehab.store.holds import CLEARED_APP

        reason += f" ({CLEARED_APP})"
    app.notify(reason[0].upper() + reason[1:] + ".", severity="warning", timeout=10)
    return True


def visa(app: RehabApp, view: TodayView | None) -> None:
    from rehab.tui.screens.visa import VisaScreen

    if refuse_visa(app, view):
        return

    backend = app.backend

    def recorded(summary: str) -> None:
        app.notify(summary, timeout=10)
        app.refresh_today()

    def finished(answers: VisaAnswers | None) -> None:
        if answers is not None:
            app.run_db(lambda: backend.record_visa(answers.answers), done=recorded)

    app.push_screen(VisaScreen(), finished)


def export(app: RehabApp, view: TodayView | None) -> None:
    from rehab.tui.screens.export import ExportDialog

    backend = app.backend

    def chosen(request: ExportRequest | None) -> None:
        if request is None:
            return
        from rehab.tui import exporting

        app.notify(f"Writing the {request.format} export…", timeout=2)
        app.run_db(
            lambda: exporting.export(backend, request),
            done=lambda sentence: app.notify(sentence, timeout=15),
        )

    app.push_screen(ExportDialog(), chosen)


def trends(app: RehabApp, view: TodayView | None) -> None:
    from rehab.tui.screens.trends import TrendsScreen

    app.push_screen(TrendsScreen())


def history(app: RehabApp, view: TodayView | None) -> None:
    from rehab.tui.screens.history import HistoryScreen

    if view is not None:
        app.push_screen(HistoryScreen(view.today, view.start_date))


def program(app: RehabApp, view: TodayView | None) -> None:
    """The whole program, phase by phase, as tailored (a therapist changes a dose there)."""
    from rehab.tui.screens.program import ProgramScreen

    if view is None:
        app.notify("Your plan is still loading.", severity="warning")
        return
    app.push_screen(ProgramScreen())
