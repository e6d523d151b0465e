"""Today: the checklist by time of day, and every key a patient needs from it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from rehab.tui import commands
from rehab.tui.footer import KeyFooter
from rehab.tui.screens.base import RehabScreen
from rehab.tui.timers import HoldTimer, MinutesTimer, clock_text
from rehab.tui.widgets import fitting

if TYPE_CHECKING:
    from rehab.core.rows import Row, TodayView
    from rehab.tui.answers import LoadAnswer
    from rehab.tui.app import JournalChange
    from rehab.tui.backend import CheckedOff

from rehab.core.vocabulary import DISCLAIMER as DISCLAIMER

KEYS_AT_LATEST = 3.0  # seconds: the footer's keys show with the checklist, or after this


class TodayScreen(RehabScreen):
    KEYS_TITLE = "Today"
    # The footer shows the few keys a patient needs every day (show=True); `?` lists them all
    # and the command palette offers each one, in these words (rehab.tui.screens.base).
    BINDINGS = [
        Binding(
            "space",
            "check_off",
            "Check off",
            tooltip="Check off the next set of the selected exercise",
        ),
        Binding(
            "w",
            "session",
            "Session",
            tooltip="A guided session: this part of the day's exercises, one at a time",
        ),
        Binding(
            "d",
            "done_all",
            "All done",
            tooltip="Log the whole of the selected exercise at once: every set, each leg",
        ),
        Binding(
            "u",
            "undo",
            "Undo",
            show=False,
            tooltip="Undo the last check-off of the selected exercise",
        ),
        Binding(
            "t",
            "timer",
            "Timer",
            show=False,
            tooltip="Start the guided hold or ice timer for the selected exercise",
        ),
        Binding(
            "s", "skip", "Skip", show=False, tooltip="Skip the selected exercise, with a reason"
        ),
        Binding(
            "l",
            "load",
            "Load used",
            show=False,
            tooltip="Record the extra weight used for a strengthening set",
        ),
        Binding(
            "i",
            "info",
            "How to",
            show=False,
            tooltip="The selected exercise in full: how to do it and its cautions",
        ),
        Binding("p", "pain", "Pain", tooltip="Log a pain score from 0 to 10"),
        Binding(
            "m",
            "morning_check",
            "Morning",
            tooltip="Morning check: morning pain, stiffness, swelling, redness",
        ),
        Binding(
            "a",
            "advice",
            "Advice",
            tooltip="Today's advice in full, with its reasons; accept it from there",
        ),
        Binding(
            "left_square_bracket", "day(-1)", "Prev day", show=False, tooltip="Show the day before"
        ),
        Binding(
            "right_square_bracket", "day(1)", "Next day", show=False, tooltip="Show the day after"
        ),
        Binding("g", "go_today", "Today", show=False, tooltip="Back to today"),
        Binding(
            "P",
            "pause",
            "Pause",
            show=False,
            tooltip="Pause the program from tomorrow, or resume it",
        ),
        Binding(
            "o",
            "program",
            "Program",
            show=False,
            tooltip="The whole program, phase by phase, and your therapist's changes",
        ),
        Binding(
            "h",
            "history",
            "History",
            show=False,
            tooltip="Calendar of past weeks, and each day's entries",
        ),
        Binding(
            "c",
            "trends",
            "Trends",
            show=False,
            tooltip="Charts of pain, adherence, load and VISA-A over the weeks",
        ),
        Binding(
            "v",
            "visa",
            "VISA-A",
            show=False,
            tooltip="The VISA-A questionnaire: how your Achilles is doing, 0 to 100",
        ),
        Binding(
            "exclamation_mark",
            "red_flags",
            "Warning signs",
            show=False,
            tooltip="Warning-sign questions: when to stop and see a clinician",
        ),
        Binding(
            "z", "snooze", "Snooze", show=False, tooltip="Remind me again in 10, 30 or 60 minutes"
        ),
        Binding(
            "R",
            "reminder_settings",
            "Reminders",
            show=False,
            tooltip="Reminder times, quiet hours and time zone",
        ),
        Binding(
            "e",
            "export",
            "Export",
            show=False,
            tooltip="Save your progress log for your therapist: report, spreadsheet, calendar",
        ),
        Binding("q", "app.quit", "Quit", tooltip="Quit rehab (work in progress is kept)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: TodayView | None = None
        self.day: date | None = None  # a day the patient moved to; None follows the calendar
        self._focus_key: str | None = None
        self._rows: dict[str, Row] = {}
        self._fresh = False
        self._stay = False
        self._pointer: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("rehab · loading your plan…", id="title")
        yield Static("", id="stats")
        yield Static("", id="timerline")
        yield Static("", id="advice")
        yield OptionList(id="doses")
        with VerticalScroll(id="detail-box", can_focus=False) as box:
            box.border_title = "How to do it · i: in full"
            yield Static("", id="detail")
        yield Static(DISCLAIMER, id="disclaimer")
        yield KeyFooter(held=True)  # keys once the checklist is there (rehab.tui.footer)

    def on_mount(self) -> None:
        self.rehab.journal_changed.subscribe(self, self._journal_changed, immediate=True)
        self.rehab.timer_ticked.subscribe(self, lambda _: self.show_timer(), immediate=True)
        # Paint the frame first; the worker's imports (SQLAlchemy, SQLModel) would otherwise
        # compete with the first paint for the interpreter.
        self.call_after_refresh(self.reload)
        self.set_interval(60, self._midnight)
        self.set_timer(KEYS_AT_LATEST, self._show_keys)  # if the first load fails

    def _journal_changed(self, change: JournalChange) -> None:
        if change.outside:
            if self.view is not None:  # not before the first load (it is on its way)
                self.reload(stay=True)
        else:
            self.reload()

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

        def job() -> tuple[object, TodayView | list[str] | None]:
            from rehab.store.patients import WhichPatient

            stamp = backend.data_stamp()  # before reading: a later change shows next time
            try:
                if not backend.has_program():
                    return stamp, None
            except WhichPatient as several:  # whose records? the patient says
                return stamp, several.names
            return stamp, backend.load_today(day)

        def loaded(result: tuple[object, TodayView | list[str] | None]) -> None:
            stamp, view = result
            if stamp is not None:
                self.rehab.seen_stamp = stamp
            if isinstance(view, list):
                self._choose_patient(view)
                return
            self._show(view)

        self.rehab.run_db(job, done=loaded)

    def _choose_patient(self, names: list[str]) -> None:
        from rehab.tui.screens.dialogs import ChoiceDialog

        backend = self.rehab.backend
        self._show_keys()

        def chosen(name: str | None) -> None:
            if name is None:
                self.app.exit()
                return
            backend.choose_patient(name)
            backend.patient_name = name  # for the reminders, which read it here
            self.reload()

        question = "This database holds several people's records. Whose are yours?"
        self.app.push_screen(ChoiceDialog(question, names), chosen)

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
        self._headers(view)
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
            self._headers(extra)
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

    # --- the three header lines: each condenses to the terminal's width, never clipped --

    def on_resize(self, event: events.Resize) -> None:
        if self.view is not None:
            self._headers(self.view)

    def _headers(self, view: TodayView) -> None:
        width = max(self.size.width - 2, 20)  # the lines' padding
        title = self.query_one("#title", Static)
        title.update(fitting(width, self._title(view)))
        title.set_class(view.demo, "demo")  # a demo's check-offs are thrown away by the next
        self.query_one("#stats", Static).update(fitting(width, self._stats(view)))
        card = self.query_one("#advice", Static)
        lines = self._advice(view)
        card.display = bool(lines)
        card.update(fitting(width, lines) if lines else "")
        card.set_class(view.advice_decision == "stop", "stop")

    def _title(self, view: TodayView) -> list[str]:
        """The program, week and phase, from the longest to the shortest way of saying it."""
        name = view.program_name
        short_name = name.split(":")[0].strip()
        phase = view.phase
        short_phase = phase.split(":")[0].split("(")[0].strip()
        week = f"week {view.week} of {view.weeks}" if view.week else f"{view.weeks} weeks"
        wk = f"wk {view.week}/{view.weeks}" if view.week else f"{view.weeks} wk"
        demo = "DEMO · " if view.demo else ""
        forms = [
            (name, week, phase),
            (name, wk, phase),
            (short_name, wk, phase),
            (short_name, wk, short_phase),
            (wk, short_phase),
        ]
        return [demo + " · ".join(part for part in form if part) for form in forms]

    def _stats(self, view: TodayView) -> list[str]:
        long_when = view.day.strftime("%a %-d %b %Y")
        short_when = view.day.strftime("%a %-d %b")
        tag = ""
        if view.day == view.today:
            tag = " (today)"
        elif view.is_future:
            tag = " (ahead: read-only)"
        whens = [long_when + tag, short_when + tag]
        if view.red_flag:
            return [
                f"{w} · PAUSED: red flag, see a clinician · {t}"
                for w in whens
                for t in ("P once a clinician has cleared you", "P once cleared")
            ] + ["PAUSED: red flag · see a clinician · P once cleared"]
        if view.status == "paused":
            reason = view.pause_reason or "paused"
            return [f"{w} · PAUSED ({reason}) · P resumes" for w in whens] + ["PAUSED · P resumes"]
        if view.status == "before-start":
            return [f"{w} · the program starts on {view.start_date:%a %-d %b %Y}" for w in whens]
        if view.status == "ended":
            return [f"{w} · the program has ended (last day {view.end_date})" for w in whens]
        week = f"{view.week_percent}%" if view.week_percent is not None else "–"
        days = f"{view.days_active} day{'s' if view.days_active != 1 else ''} active"
        visa = view.visa_due and view.visa_refusal is None
        done = f"{view.done}/{view.planned} done"
        forms = [
            [done, f"this week {week}", days, "VISA-A due: press v" if visa else ""],
            [done, f"this week {week}", days, "VISA-A due (v)" if visa else ""],
            [done, f"week {week}", "VISA-A due (v)" if visa else ""],
            [done, "VISA-A due (v)" if visa else ""],
        ]
        return [" · ".join([w] + [part for part in form if part]) for form in forms for w in whens]

    def _advice(self, view: TodayView) -> list[str]:
        """Today's advice in one line; `a` shows it in full."""
        decision = view.advice_decision
        if decision is None:
            return []
        first = view.advice_reasons[0].split(";")[0].strip() if view.advice_reasons else ""
        if decision == "stop":
            head = "STOP: stop the exercises and see a clinician"
        else:
            head = f"Advice: {decision}"
        tail = "a: why, and what next"
        if decision in ("progress", "reduce"):
            tail = "accepted, from tomorrow" if view.advice_accepted else "a: read and accept"
        forms = [f"{head} · {first} · {tail}", f"{head} · {tail}", f"{head} (a)"]
        return [f for f in forms if first or "· ·" not in f]

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
        # no exercise on this day (before the start, paused, ended): no "how to" left over
        # from the last day shown
        self.query_one("#detail-box").display = bool(self._rows)
        if not self._rows:
            self.query_one("#detail", Static).update("")
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
            self.query_one("#detail-box", VerticalScroll).scroll_home(animate=False)

    def _detail(self, row: Row) -> str:
        """How to do the selected exercise, and every caution, from the template: the pane
        wraps and scrolls, and `i` shows it all on a screen of its own."""
        dose = row.first.dose
        text = dose.instructions or "Your clinician can show you how."
        if dose.cautions:
            text += "\n⚠ " + " ".join(dose.cautions)
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
            "used": "more if needed",
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
        return self._rows.get(option.id)  # with any check-off still on its way (above)

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
        self._move_on_if_finished(row)

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

    def _move_on_if_finished(self, row: Row) -> None:
        """Move the cursor to the next open row now if this check-off finishes `row`, and
        let the reload keep the cursor where it is: a key pressed before the reload lands
        acts on the row on screen, however busy the machine."""
        from rehab.core.rows import after_sets

        target = row.next_target()
        self._focus_key = None
        if target is None:
            return
        here = self._option_id(row)
        after = after_sets(row, *target)
        if here in self._rows:  # until the reload: a second press goes to the next set
            self._rows[here] = after
        if after.is_open:
            return
        ids = list(self._rows)
        later = [i for i in ids[ids.index(here) + 1 :] if self._rows[i].is_open]
        if later:
            doses = self.query_one("#doses", OptionList)
            doses.highlighted = doses.get_option_index(later[0])

    def action_done_all(self) -> None:
        from rehab.tui.screens.session import log_whole_dose

        row = self._row_for_action()
        if row is not None and self.view is not None:
            self._focus_key = self._option_id(row)
            log_whole_dose(self.rehab, self.view.day, row)

    def action_session(self) -> None:
        from rehab.tui.screens.session import start_session

        if self._writable() and self.view is not None:
            start_session(self.rehab, self.view)

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

        def chosen(result: LoadAnswer | None) -> None:
            from rehab.store.journal import Amounts

            if result is not None:
                load, sets = result.load_kg, result.sets
                self.rehab.record(
                    lambda: backend.check_off(day, key, side, Amounts(sets=sets, load_kg=load)),
                    success=f"✔ {dose.name}: {sets} {'set' if sets == 1 else 'sets'} "
                    f"with +{load:g} kg",
                )

        self.app.push_screen(LoadDialog(dose.name, dose.load_kg, item.sets_left), chosen)

    def action_pain(self) -> None:
        commands.pain(self.rehab, self.view)

    def action_morning_check(self) -> None:
        commands.morning_check(self.rehab, self.view)

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
        commands.red_flags(self.rehab)

    def action_pause(self) -> None:
        commands.pause(self.rehab, self.view)

    def action_snooze(self) -> None:
        commands.snooze(self.rehab, self.view)

    def action_reminder_settings(self) -> None:
        commands.reminder_settings(self.rehab, self.view)

    def action_advice(self) -> None:
        commands.advice(self.rehab, self.view)

    def action_info(self) -> None:
        """The selected exercise in full, however small the terminal."""
        from rehab.tui.screens.dose import DoseScreen

        row = self.selected_row()
        if row is None:
            self.notify("Choose an exercise first (arrow keys).", severity="warning")
            return
        self.app.push_screen(DoseScreen(row, self.view))

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
        return commands.refuse_visa(self.rehab, self.view)

    def action_visa(self) -> None:
        commands.visa(self.rehab, self.view)

    def action_export(self) -> None:
        commands.export(self.rehab, self.view)

    def action_trends(self) -> None:
        commands.trends(self.rehab, self.view)

    def action_history(self) -> None:
        commands.history(self.rehab, self.view)

    def action_program(self) -> None:
        commands.program(self.rehab, self.view)

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
        timer: HoldTimer | MinutesTimer | None = commands.hold_timer(row, day, now)
        if timer is None:
            target = row.next_target()
            assert target is not None
            timer = commands.minutes_timer(row, day, target[0], now)
        if timer is not None:
            return timer
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
