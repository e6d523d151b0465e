"""Today: the checklist by time of day, and every key a patient needs from it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from rehab.tui.footer import KeyFooter
from rehab.tui.timers import HoldTimer, Leg, MinutesTimer, clock_text

if TYPE_CHECKING:
    from rehab.core.rows import Row, TodayView
    from rehab.tui.app import RehabApp
    from rehab.tui.backend import CheckedOff

DISCLAIMER = "Not medical advice; follow your clinician."
REST_SECONDS = 5.0  # a pause to breathe and reset between holds; not a dose
KEYS_AT_LATEST = 3.0  # seconds: the footer's keys show with the checklist, or after this


class TodayScreen(Screen[None]):
    BINDINGS = [
        Binding("space", "check_off", "Check off"),
        Binding("u", "undo", "Undo"),
        Binding("t", "timer", "Timer"),
        Binding("s", "skip", "Skip"),
        Binding("l", "load", "Load used", show=False),
        Binding("p", "pain", "Pain"),
        Binding("m", "morning_check", "Morning"),
        Binding("left_square_bracket", "day(-1)", "Prev day"),
        Binding("right_square_bracket", "day(1)", "Next day"),
        Binding("g", "go_today", "Today"),
        Binding("P", "pause", "Pause"),
        Binding("h", "history", "History"),
        Binding("c", "trends", "Trends"),
        Binding("v", "visa", "VISA-A", show=False),
        Binding("exclamation_mark", "red_flags", "Warning signs", show=False),
        Binding("z", "snooze", "Snooze", show=False),
        Binding("R", "reminder_settings", "Reminders", show=False),
        Binding("a", "accept", "Accept advice", show=False),
        Binding("e", "export", "Export", show=False),
        Binding("q", "app.quit", "Quit"),
    ]
    PALETTE = (
        ("Check off", "Check off the next set of the selected dose", "check_off"),
        ("Undo", "Undo the last check on the selected dose", "undo"),
        ("Timer", "Start the guided timer for the selected dose", "timer"),
        ("Skip", "Skip the selected dose with a reason", "skip"),
        ("Load used", "Record the load used for a strengthening set", "load"),
        ("Log pain", "Log a pain score 0–10", "pain"),
        ("Morning check", "Stiffness, swelling, redness, tiptoe pain", "morning_check"),
        ("Previous day", "Show the day before", "day(-1)"),
        ("Next day", "Show the day after", "day(1)"),
        ("Go to today", "Back to today", "go_today"),
        ("Pause or resume", "Pause the program, or resume it", "pause"),
        ("History", "Calendar of past weeks", "history"),
        ("Trends", "Pain, adherence, load and VISA-A charts over the weeks", "trends"),
        ("VISA-A questionnaire", "How your Achilles is doing, scored 0–100", "visa"),
        ("Warning signs", "Red-flag questions: when to stop and see a clinician", "red_flags"),
        ("Snooze reminder", "Remind me again in 10, 30 or 60 minutes", "snooze"),
        ("Reminder settings", "Reminder times, quiet hours, time zone", "reminder_settings"),
        ("Accept advice", "Move on (or back) as today's advice says, from tomorrow", "accept"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.view: TodayView | None = None
        self.day: date | None = None  # a day the patient moved to; None follows the calendar
        self._focus_key: str | None = None
        self._rows: dict[str, Row] = {}
        self._fresh = False
        self._stay = False
        self._pointer: str | None = None

    @property
    def rehab(self) -> RehabApp:
        return cast("RehabApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("rehab · loading your plan…", id="title")
        yield Static("", id="stats")
        yield Static("", id="timerline")
        yield Static("", id="advice")
        yield OptionList(id="doses")
        yield Static("", id="detail")
        yield Static(DISCLAIMER, id="disclaimer")
        yield KeyFooter(held=True)  # keys once the checklist is there (rehab.tui.footer)

    def on_mount(self) -> None:
        # Paint the frame first; the worker's imports (SQLAlchemy, SQLModel) would otherwise
        # compete with the first paint for the interpreter.
        self.call_after_refresh(self.reload)
        self.set_interval(60, self._midnight)
        self.set_timer(KEYS_AT_LATEST, self._show_keys)  # if the first load fails

    def _show_keys(self) -> None:
        self.query_one(KeyFooter).release()

    def _midnight(self) -> None:
        """Past midnight, 'today' is a new day: show it (unless another day was chosen)."""
        view = self.view
        if view is None or self.day is not None:
            return

        def compare(today: date) -> None:
            if today != view.today and self.day is None:
                self._new_day()

        self.rehab.run_db(self.rehab.backend.today, done=compare)

    # --- loading --------------------------------------------------------------------------

    def reload(self, *, stay: bool = False) -> None:
        """Read the day again. `stay`: keep the cursor on its row even if that row is now
        done (a reload for another process's write; after the patient's own check-off the
        cursor moves on to the next open row)."""
        backend = self.rehab.backend
        day = self.day
        if stay:
            self._stay = True

        def job() -> tuple[object, TodayView | None]:
            stamp = backend.data_stamp()  # before reading: a later change shows next time
            if not backend.has_program():
                return stamp, None
            return stamp, backend.load_today(day)

        def loaded(result: tuple[object, TodayView | None]) -> None:
            stamp, view = result
            if stamp is not None:
                self.rehab.seen_stamp = stamp
            self._show(view)

        self.rehab.run_db(job, done=loaded)

    def _show(self, view: TodayView | None) -> None:
        if view is None:
            self._first_run()
            return
        old = self.view
        if old is not None and old.day == view.day:
            # keep the last advice on screen until the fresh one arrives (no flicker)
            view = replace(
                view,
                advice=old.advice,
                advice_decision=old.advice_decision,
                visa_due=old.visa_due,
            )
        self.view = view
        if view.day == view.today:
            self.day = None  # back on today: keep following the calendar past midnight
        self.query_one("#title", Static).update(self._title(view))
        self.query_one("#stats", Static).update(self._stats(view))
        card = self.query_one("#advice", Static)
        card.display = view.advice is not None
        card.update(view.advice or "")
        self.refresh_bindings()  # `v` is bound only on a program that uses the VISA-A
        self._fill(view)
        self.show_timer()
        self._show_keys()  # built after the refresh that paints the doses
        self.call_after_refresh(self._more, view)  # after the doses are on screen

    def _more(self, view: TodayView) -> None:
        """Advice and the VISA-A reminder, then reminders: none of it holds up the list."""
        backend = self.rehab.backend

        def shown(extra: TodayView) -> None:
            if self.view is None or self.view.day != extra.day:
                return
            self.view = extra
            self.query_one("#stats", Static).update(self._stats(extra))
            card = self.query_one("#advice", Static)
            card.display = extra.advice is not None
            card.update(extra.advice or "")
            card.set_class(extra.advice_decision == "stop", "stop")
            self.rehab.start_reminders()
            if extra.alert is not None:  # the log showed a red flag: paused from now
                from rehab.tui.screens.redflags import RedFlagAlert

                self.reload()
                self.app.push_screen(RedFlagAlert(extra.alert, False))

        self.rehab.run_db(lambda: backend.extras(view), done=shown)

    def _first_run(self) -> None:
        from rehab.tui.screens.welcome import WelcomeScreen

        self._show_keys()
        if any(isinstance(s, WelcomeScreen) for s in self.app.screen_stack):
            return

        def after(started: bool | None) -> None:
            if started:
                self.reload()
            else:
                self.app.exit()

        self.app.push_screen(WelcomeScreen(), after)

    def _title(self, view: TodayView) -> str:
        week = f"week {view.week} of {view.weeks}" if view.week else f"{view.weeks} weeks"
        phase = f" · {view.phase}" if view.phase else ""
        return f"{view.program_name} · {week}{phase}"

    def _stats(self, view: TodayView) -> str:
        when = view.day.strftime("%a %-d %b %Y")
        if view.day == view.today:
            when += " (today)"
        elif view.is_future:
            when += " (ahead: read-only)"
        if view.red_flag:
            return f"{when} · PAUSED: red flag, see a clinician · P once they cleared you"
        if view.status == "paused":
            return f"{when} · PAUSED ({view.pause_reason or 'paused'}) · P resumes"
        if view.status == "before-start":
            return f"{when} · the program starts on {view.start_date}"
        if view.status == "ended":
            return f"{when} · the program has ended (last day {view.end_date})"
        week = f"{view.week_percent}%" if view.week_percent is not None else "–"
        visa = " · VISA-A due: v" if view.visa_due and view.visa_refusal is None else ""
        return (
            f"{when} · {view.done}/{view.planned} done · this week {week} · "
            f"{view.days_active} day{'s' if view.days_active != 1 else ''} active{visa}"
        )

    def _fill(self, view: TodayView) -> None:
        doses = self.query_one("#doses", OptionList)
        keep = self._focus_key
        if keep is None and doses.highlighted_option is not None and not self._fresh:
            keep = doses.highlighted_option.id
        self._fresh = False
        stay, self._stay = self._stay and self._focus_key is None, False
        from rehab.core.rows import SLOT_TITLES  # loaded with the data, after the first frame

        doses.clear_options()
        self._rows = {self._option_id(r): r for r in view.rows}
        self._pointer = None
        options: list[Option] = []
        for slot, rows in view.by_slot():
            options.append(Option(Text(SLOT_TITLES[slot], style="bold"), disabled=True))
            for row in rows:
                options.append(Option(self._label(row), id=self._option_id(row)))
        if not options:
            message = {
                "paused": "Paused: nothing is planned. Press P to resume.",
                "before-start": "Nothing yet: the program has not started.",
                "ended": "The program has ended. Well done for seeing it through.",
            }.get(view.status, "Nothing planned today.")
            if view.red_flag:
                message = (
                    "Paused for a red flag: stop the exercises and see a clinician. Press P "
                    "once a clinician has cleared you."
                )
            options.append(Option(message, disabled=True))
        doses.add_options(options)
        target = keep if keep and _has(doses, keep) else None
        if target is not None and not stay and not self._rows[target].is_open:
            # the row just got finished: move on to the next thing still to do
            ids = list(self._rows)
            later = [i for i in ids[ids.index(target) + 1 :] if self._rows[i].is_open]
            target = later[0] if later else target
        if target is None:
            first = view.first_open()
            target = self._option_id(first) if first else None
        if target is not None:
            doses.highlighted = doses.get_option_index(target)
        else:
            doses.highlighted = next(
                (i for i, o in enumerate(doses.options) if not o.disabled), None
            )
        self._focus_key = None
        doses.focus()

    @staticmethod
    def _option_id(row: Row) -> str:
        return f"{row.slot}:{row.id}"

    @on(OptionList.OptionHighlighted, "#doses")
    def _point(self, event: OptionList.OptionHighlighted) -> None:
        """Mark the selected row with › as well as the highlight colour."""
        doses = self.query_one("#doses", OptionList)
        previous, self._pointer = self._pointer, event.option.id
        if previous in self._rows and _has(doses, previous):
            doses.replace_option_prompt(previous, self._label(self._rows[previous]))
        if self._pointer in self._rows:
            row = self._rows[self._pointer]
            doses.replace_option_prompt(self._pointer, self._label(row, pointer=True))
            self.query_one("#detail", Static).update(self._detail(row))

    def _detail(self, row: Row) -> str:
        """How to do the selected exercise, and its cautions, from the template."""
        dose = row.first.dose
        text = dose.instructions
        if dose.cautions:
            text += "  ⚠ " + " ".join(dose.cautions)
        return text

    @staticmethod
    def _label(row: Row, *, pointer: bool = False) -> Text:
        text = Text("› " if pointer else "  ", style="bold")
        text.append(row.label().split(" ", 1)[0] + " ", style="bold")
        text.append(row.text)
        if row.progress:
            text.append(f"  {row.progress}", style="dim")
        word = {
            "done": "done",
            "partial": "in progress",
            "skipped": "skipped",
            "paused": "paused: red flag",
        }.get(row.status)
        if word:
            text.append(f"  [{word}]", style="italic")
        return text

    # --- the selected row -----------------------------------------------------------------

    def selected_row(self) -> Row | None:
        if self.view is None:
            return None
        option = self.query_one("#doses", OptionList).highlighted_option
        if option is None or option.id is None:
            return None
        return next((r for r in self.view.rows if self._option_id(r) == option.id), None)

    def _writable(self) -> bool:
        if self.view is None:
            return False
        if self.view.is_future:
            self.notify("Future days are read-only.", severity="warning")
            return False
        return True

    def _row_for_action(self) -> Row | None:
        if not self._writable():
            return None
        row = self.selected_row()
        if row is None:
            self.notify("Choose a dose first (arrow keys).", severity="warning")
        return row

    # --- actions --------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#doses")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_check_off()

    def action_check_off(self) -> None:
        row = self._row_for_action()
        if row is None or self.view is None:
            return
        if row.next_target() is None:
            self.notify(f"{row.first.dose.name} is already done. u undoes the last check.")
            return
        day, backend, name = self.view.day, self.rehab.backend, row.first.dose.name
        self._focus_key = self._option_id(row)

        def logged(done: CheckedOff | None) -> None:
            if done is None:  # finished elsewhere since the list was read: nothing written
                self.notify(
                    f"{name} was already done (logged elsewhere); nothing was written.",
                    severity="warning",
                    timeout=4,
                )
            else:
                self.notify(f"✔ {name}" + (f" ({done.side} leg)" if done.side else ""), timeout=2)
            self.rehab.refresh_today()  # the row as committed

        self.rehab.run_db(lambda: backend.check_off_next(day, row.id, row.slot), done=logged)

    def action_undo(self) -> None:
        row = self._row_for_action()
        if row is None or self.view is None:
            return
        day, keys, backend = self.view.day, row.keys, self.rehab.backend
        self._focus_key = self._option_id(row)
        self.rehab.record(lambda: "Undone: " + backend.undo_row(day, keys), success="Undone")

    def action_skip(self) -> None:
        from rehab.tui.screens.dialogs import SkipDialog

        row = self._row_for_action()
        if row is None or self.view is None:
            return
        if not row.is_open:
            self.notify("Only a dose still to do can be skipped.", severity="warning")
            return
        day, backend = self.view.day, self.rehab.backend
        key = row.next_target()
        assert key is not None

        def chosen(reason: str | None) -> None:
            if reason:
                self.rehab.record(
                    lambda: backend.skip(day, key[0], reason), success=f"Skipped: {reason}"
                )

        self.app.push_screen(SkipDialog(row.first.dose.name), chosen)

    def action_load(self) -> None:
        from rehab.tui.screens.dialogs import LoadDialog

        row = self._row_for_action()
        if row is None or self.view is None:
            return
        dose = row.first.dose
        target = row.next_target()
        if dose.kind != "strengthen" or target is None or dose.unverified:
            self.notify("Load is recorded for strengthening sets still to do.", severity="warning")
            return
        key, side, _ = target
        item = next(m for m in row.members if m.dose.side == side and m.dose.key == key)
        day, backend = self.view.day, self.rehab.backend
        self._focus_key = self._option_id(row)

        def chosen(result: tuple[float, int | None] | None) -> None:
            from rehab.store.journal import Amounts

            if result is not None:
                load, sets = result
                self.rehab.record(
                    lambda: backend.check_off(day, key, side, Amounts(sets=sets, load_kg=load)),
                    success=f"✔ {dose.name}: {sets} {'set' if sets == 1 else 'sets'} "
                    f"with +{load:g} kg",
                )

        self.app.push_screen(LoadDialog(dose.name, dose.load_kg, item.sets_left), chosen)

    def action_pain(self) -> None:
        from rehab.tui.screens.dialogs import PainDialog

        backend = self.rehab.backend

        def logged(alert: tuple[str, bool] | None) -> None:
            self.rehab.refresh_today()
            if alert is not None:  # night or rest pain: a red flag; ask the others too
                from rehab.tui.screens.redflags import RedFlagAlert

                message, urgent = alert
                self.app.push_screen(RedFlagAlert(message, urgent), lambda _: self.ask_red_flags())

        def chosen(result: tuple[int, str, str | None, bool] | None) -> None:
            if result is not None:
                score, context, note, warning = result
                self.rehab.run_db(
                    lambda: backend.pain(score, context, note),
                    done=logged,
                    success=f"Pain {score}/10 ({context}) logged",
                )
                if warning:
                    self.ask_red_flags()

        hour = self.view.local_hour if self.view is not None else 8
        self.app.push_screen(PainDialog("morning" if hour < 12 else "after"), chosen)

    def action_morning_check(self) -> None:
        from rehab.tui.screens.dialogs import CheckDialog

        if not self._writable() or self.view is None:
            return
        day, backend = self.view.day, self.rehab.backend

        def chosen(result: tuple[int | None, bool, bool, bool, bool] | None) -> None:
            if result is not None:
                stiffness, swelling, redness, tiptoe, warning = result
                self.rehab.record(
                    lambda: backend.check(day, stiffness, swelling, redness, tiptoe),
                    success="Morning check logged",
                )
                if warning:
                    self.ask_red_flags()

        self.app.push_screen(CheckDialog(), chosen)

    def action_day(self, step: int) -> None:
        if self.view is None:
            return
        self.day = self.view.day + timedelta(days=step)
        self._new_day()

    def action_go_today(self) -> None:
        self.day = None
        self._new_day()

    def _new_day(self) -> None:
        """Another day: start from its first open dose, not from the old day's row."""
        self._fresh = True
        self.reload()

    def ask_red_flags(self) -> None:
        """The red-flag questions; a yes pauses the program and shows the alert."""
        from rehab.tui.screens.redflags import RedFlagAlert, RedFlagQuestions

        backend = self.rehab.backend

        def raised(outcome: tuple[str, bool] | None) -> None:
            self.reload()
            if outcome is not None:
                message, urgent = outcome
                self.app.push_screen(RedFlagAlert(message, urgent))

        def answered(ids: list[str] | None) -> None:
            if ids:
                self.rehab.run_db(lambda: backend.raise_flags(ids), done=raised)

        self.app.push_screen(RedFlagQuestions(), answered)

    def action_pause(self) -> None:
        from rehab.tui.screens.dialogs import ConfirmDialog, PauseDialog

        backend = self.rehab.backend
        if self.view is not None and self.view.red_flag:
            from rehab.tui.screens.redflags import ClearedDialog

            def cleared(name: str | None) -> None:
                if name:
                    self.rehab.record(
                        lambda: backend.clear_flags(name),
                        success=f"Cleared by {name}: welcome back",
                    )

            self.app.push_screen(ClearedDialog(), cleared)
            return
        if self.view is not None and self.view.pause_reason is not None:

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.rehab.record(backend.resume, success="Resumed: welcome back")

            self.app.push_screen(ConfirmDialog("Resume the program from today?"), confirmed)
            return

        def chosen(reason: str | None) -> None:
            if reason:
                self.rehab.run_db(lambda: backend.pause(reason), done=self._paused)

        self.app.push_screen(PauseDialog(), chosen)

    def _paused(self, first: date) -> None:
        when = "today" if first == self.rehab.backend.today() else f"{first:%a %-d %b}"
        self.notify(f"Paused from {when}" + ("" if when == "today" else " (today stays as is)"))
        self.rehab.refresh_today()

    def action_snooze(self) -> None:
        from rehab.tui.screens.dialogs import SnoozeDialog

        if self.rehab.last_reminder is None:  # say so before asking for how long
            self.notify("No reminder to snooze yet.", severity="warning")
            return

        def chosen(minutes: str | None) -> None:
            if minutes:
                self.rehab.snooze(int(minutes.split()[0]))

        self.app.push_screen(SnoozeDialog(), chosen)

    def action_reminder_settings(self) -> None:
        from rehab.tui.screens.settings import SettingsDialog

        def saved(changed: bool | None) -> None:
            if changed:
                self.notify("Reminder settings saved.", timeout=3)
                self.rehab.restart_reminders()

        self.app.push_screen(SettingsDialog(), saved)

    def action_accept(self) -> None:
        from rehab.tui.screens.dialogs import ConfirmDialog

        view = self.view
        if view is not None and view.advice_decision == "stop":
            self.notify(
                "Today's advice is to stop and see a clinician: nothing to accept.",
                severity="warning",
            )
            return
        if view is None or view.advice_decision in (None, "hold"):
            self.notify("Nothing to accept: today's advice is to hold.", severity="warning")
            return
        backend = self.rehab.backend

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.rehab.record(backend.accept_advice, success="Advice accepted")

        change = f": {view.plan_change}" if view.plan_change else ""
        question = f"Accept today's advice ({view.advice_decision}{change}) from tomorrow?"
        self.app.push_screen(ConfirmDialog(question), confirmed)

    def action_red_flags(self) -> None:
        self.ask_red_flags()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No VISA-A key (in the footer or the keys panel) and no palette entry on a program
        that does not use it. While a red flag is open the key stays, and `action_visa` says
        why the questionnaire cannot be filled in."""
        view = self.view
        return not (action == "visa" and view is not None and not view.visa_offered)

    def on_key(self, event: events.Key) -> None:
        # `v` unbound on a program without the VISA-A: say why rather than nothing at all
        if event.key == "v" and self.check_action("visa", ()) is False:
            event.stop()
            self._refuse_visa()

    def _refuse_visa(self) -> bool:
        """Notify why the VISA-A cannot be filled in now; False when it can."""
        view = self.view
        if view is None:
            self.notify("Your plan is still loading.", severity="warning")
            return True
        if view.visa_refusal is None:
            return False
        reason = view.visa_refusal
        self.notify(reason[0].upper() + reason[1:] + ".", severity="warning", timeout=10)
        return True

    def action_visa(self) -> None:
        from rehab.tui.screens.visa import VisaScreen

        if self._refuse_visa():
            return

        def finished(summary: str | None) -> None:
            if summary:
                self.notify(summary, timeout=10)
                self.reload()

        self.app.push_screen(VisaScreen(), finished)

    def action_export(self) -> None:
        from rehab.tui.screens.export import ExportDialog, ExportRequest

        backend = self.rehab.backend

        def chosen(request: ExportRequest | None) -> None:
            if request is None:
                return
            from rehab.tui import exporting

            self.notify(f"Writing the {request.format} export…", timeout=2)
            self.rehab.run_db(
                lambda: exporting.export(backend, request),
                done=lambda sentence: self.notify(sentence, timeout=15),
            )

        self.app.push_screen(ExportDialog(), chosen)

    def action_trends(self) -> None:
        from rehab.tui.screens.trends import TrendsScreen

        self.app.push_screen(TrendsScreen())

    def action_history(self) -> None:
        from rehab.tui.screens.history import HistoryScreen

        if self.view is not None:
            self.app.push_screen(HistoryScreen(self.view.today))

    def action_timer(self) -> None:
        from rehab.tui.screens.timer import TimerScreen

        app = self.rehab
        if app.timer is not None and app.timer.running:
            app.push_screen(TimerScreen())
            return
        row = self._row_for_action()
        if row is None or self.view is None:
            return
        timer = self._make_timer(row, self.view.day)
        if timer is None:
            return
        app.start_timer(timer)
        app.push_screen(TimerScreen())

    def _make_timer(self, row: Row, day: date) -> HoldTimer | MinutesTimer | None:
        dose = row.first.dose
        now = self.rehab.backend.clock.monotonic()
        if not row.is_open:
            self.notify(f"{dose.name} is already done.")
            return None
        if row.timer_kind == "hold" and dose.hold_seconds is not None:
            legs = [
                Leg(m.dose.side, m.sets_left, int(m.dose.sets.high) if m.dose.sets else 1)
                for m in row.members
                if m.status in ("open", "partial")
            ]
            reps = int(dose.reps.high) if dose.reps is not None else 1
            return HoldTimer(
                day=day,
                key=dose.key,
                name=dose.name,
                legs=legs,
                hold_seconds=dose.hold_seconds.high,
                rest_seconds=REST_SECONDS,
                reps=reps,
                started=now,
            )
        if row.timer_kind == "minutes" and dose.minutes is not None:
            target = row.next_target()
            assert target is not None
            return MinutesTimer(
                day=day,
                key=target[0],
                name=dose.name,
                target_minutes=int(dose.minutes.high),
                least_minutes=int(dose.minutes.low),
                started=now,
                exercise_kind=dose.kind,
            )
        self.notify(f"No timer for {dose.name}: check it off with space.")
        return None

    def show_timer(self) -> None:
        line = self.query_one("#timerline", Static)
        timer = self.rehab.timer
        if timer is None or not timer.running:
            line.update("")
            line.display = False
            return
        now = self.rehab.backend.clock.monotonic()
        line.display = True
        left = clock_text(timer.remaining(now))
        line.update(f"⏱ {timer.name} · {timer.status(now)} · {left} · t opens it")


def _has(options: OptionList, option_id: str) -> bool:
    try:
        options.get_option_index(option_id)
    except Exception:
        return False
    return True
