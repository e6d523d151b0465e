"""The guided session: the open doses of this part of the day, one exercise at a time.

Each exercise shows its name, dose, full instructions and cautions (wrapped, scrollable), and
a guide: a hold timer with a large countdown and a bell for stretches, the tempo guide for
strengthening with a written tempo, a countdown for timed doses. Enter logs the whole dose
(every set, each leg), s skips it with a reason; then a quick "pain during" answer, with the
pain guide, before the next exercise. Everything is written as it happens (sets a timer
finishes as they finish), so leaving mid-way keeps what was done. A summary at the end.

A pain score above 5, or a warning sign, is acted on as the pain dialog's is: the app's own
check for a stop runs (`extras`, as Today's reload does) and its alert is shown; a warning
sign answered yes pauses the program and shows the alert; either ends the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Digits, Static

from rehab.core.rows import SLOT_TITLES, Row, TodayView
from rehab.core.session import (
    PAIN_GUIDE,
    asks_pain,
    pain_band,
    pain_response,
    session_rows,
    too_much,
)
from rehab.core.timers import (
    Event,
    HoldTimer,
    Leg,
    MinutesTimer,
    TempoGuide,
    clock_text,
    parse_tempo,
)
from rehab.core.vocabulary import DISCLAIMER as DISCLAIMER
from rehab.tui import commands
from rehab.tui.footer import KeyFooter
from rehab.tui.screens.base import RehabScreen

if TYPE_CHECKING:
    from rehab.tui.app import RehabApp
    from rehab.tui.backend import CheckedOff

TICK_SECONDS = 0.25

Guide = HoldTimer | MinutesTimer | TempoGuide


# --- from Today ----------------------------------------------------------------------------


def log_whole_dose(app: RehabApp, day: date, row: Row) -> None:
    """Today's "all done": the whole dose of a row (all sets, every planned leg) at once."""
    name = row.first.dose.name
    if not row.is_open:
        app.notify(f"{name} is already done. u undoes the last check.")
        return
    backend = app.backend

    def logged(done: list[CheckedOff] | None) -> None:
        if done is None:
            app.notify(f"{name} was already done; nothing was written.", severity="warning")
        else:
            app.notify(f"✔ {name}: {_what(done)}", timeout=3)
        app.refresh_today()

    app.run_db(lambda: backend.check_off_all(day, row.id, row.slot), done=logged)


def _what(done: list[CheckedOff]) -> str:
    legs = [d.side for d in done if d.side]
    sets = sum(d.sets for d in done)
    counted = f"{sets} set{'s' if sets != 1 else ''}" if sets > 1 else "done"
    if legs:
        return f"{counted} ({' and '.join(legs)} leg)"
    return counted


def start_session(app: RehabApp, view: TodayView) -> None:
    """Read the day fresh and open a session of its open doses for the time of day (on a
    past day: every open dose)."""
    backend = app.backend
    day = view.day

    def job() -> tuple[TodayView, str | None]:
        fresh = backend.load_today(day)
        slot = backend.session_slot() if fresh.day == fresh.today else None
        return fresh, slot

    def ready(result: tuple[TodayView, str | None]) -> None:
        fresh, slot = result
        if any(isinstance(s, SessionScreen) for s in app.screen_stack):
            return  # `w` twice: one session
        if fresh.red_flag:
            app.notify(
                "Paused for a red flag: stop the exercises and see a clinician.",
                severity="warning",
            )
            return
        if fresh.status != "active":
            app.notify("Nothing is planned on this day.", severity="warning")
            return
        rows = session_rows(fresh.rows, slot)
        if not rows:
            app.notify("Nothing left to do today. Well done.", timeout=4)
            return
        app.push_screen(SessionScreen(fresh, rows, slot))

    app.run_db(job, done=ready)


# --- the session ---------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    result: str = "not reached"  # done | skipped: REASON | not reached | already done
    pain: int | None = None


class SessionScreen(RehabScreen):
    KEYS_TITLE = "Guided session"
    DEFAULT_CSS = """
    SessionScreen { layout: vertical; }
    SessionScreen #session-title { height: 1; background: $primary; color: $text; padding: 0 1; }
    SessionScreen #session-body { height: 1fr; padding: 0 1; }
    SessionScreen #session-dose { text-style: bold; }
    SessionScreen #session-text { margin-top: 1; }
    SessionScreen #session-guide { height: auto; align: center top; }
    SessionScreen #session-clock { width: 100%; text-align: center; }
    SessionScreen #session-status { text-style: bold; width: 100%; content-align: center middle; }
    SessionScreen #session-note { height: auto; padding: 0 1; }
    SessionScreen #session-note.warn { background: $error 30%; text-style: bold; }
    SessionScreen #session-keys { height: auto; padding: 0 1; color: $text-muted; }
    SessionScreen #session-pain { height: 1; padding: 0 1; text-style: bold; }
    """
    # The same five keys on every step, so the footer never has to be rebuilt between steps
    # (that cost more than the rest of a step); what each does now is written above it.
    BINDINGS = [
        Binding("space", "go", "Timer", tooltip="Start the hold timer or the set; pause or resume"),
        Binding(
            "enter",
            "enter",
            "Done",
            tooltip="Done: log the whole exercise (every set, each leg); or go on",
        ),
        Binding("s", "skip", "Skip", tooltip="Skip this exercise, with a reason"),
        Binding(
            "exclamation_mark",
            "warning_signs",
            "Warning signs",
            tooltip="Warning-sign questions: when to stop and see a clinician",
        ),
        Binding("escape", "leave", "Leave", tooltip="Leave the session (what you did is kept)"),
        Binding("q", "leave", "Leave", show=False),
    ]

    def __init__(self, view: TodayView, rows: tuple[Row, ...], slot: str | None) -> None:
        super().__init__()
        self.view = view
        self.rows = rows
        self.slot = slot
        self.index = 0
        self.step = "exercise"  # exercise | pain | too-much | summary
        self.guide: Guide | None = None
        self.outcomes = [Outcome(r.first.dose.name) for r in rows]
        self.ended_early = False
        self.paused_for_flag = False
        self._busy = False  # a write is on its way: keys that move on wait for it
        self.typed = ""  # the pain score typed so far
        self._on_screen: dict[str, str] = {}
        self._note = ""

    @property
    def row(self) -> Row:
        return self.rows[self.index]

    def compose(self) -> ComposeResult:
        yield Static("", id="session-title", markup=False)
        with VerticalScroll(id="session-body"):
            yield Static("", id="session-dose", markup=False)
            yield Static("", id="session-text", markup=False)
        with Vertical(id="session-guide"):
            yield Digits("", id="session-clock")
            yield Static("", id="session-status", markup=False)
        yield Static("", id="session-note", markup=False)
        yield Static("", id="session-pain", markup=False)
        yield Static("", id="session-keys", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        if getattr(self.app, "_tick", False):
            self.set_interval(TICK_SECONDS, self.tick)
        self.show()

    # --- what is on screen ---------------------------------------------------------------

    def _title(self) -> str:
        if self.slot is not None:
            where = f"{SLOT_TITLES.get(self.slot, self.slot)} session"
        else:
            where = "Session for " + self.view.day.strftime("%a %-d %b")
        if self.step == "summary":
            return f"{where} · summary"
        return f"{where} · exercise {self.index + 1} of {len(self.rows)}"

    def _put(self, selector: str, text: str) -> None:
        """Update a line only when it changed: every update lays the screen out again."""
        if self._on_screen.get(selector) != text:
            self._on_screen[selector] = text
            widget = self.query_one(selector)
            if isinstance(widget, Digits):
                widget.update(text)
            else:
                cast(Static, widget).update(text)

    def _display(self, selector: str, shown: bool) -> None:
        widget = self.query_one(selector)
        if widget.display != shown:
            widget.display = shown

    def show(self) -> None:
        """Draw the current step (called on every key and tick: cheap updates only)."""
        self._put("#session-title", self._title())
        self._display("#session-pain", self.step == "pain")
        note = self.query_one("#session-note", Static)
        if note.has_class("warn") != (self.step == "too-much"):
            note.set_class(self.step == "too-much", "warn")
        if self.step == "summary":
            self._show_guide(None)
            self._put(
                "#session-dose", "Session ended early" if self.ended_early else "Session over"
            )
            self._put("#session-text", self._summary())
            self._put("#session-note", "")
            self._put("#session-keys", "enter or esc: back to today")
            return
        row = self.row
        self._put("#session-dose", row.text)
        self._put("#session-text", self._instructions(row))
        if self.step == "exercise":
            self._show_guide(self.guide)
            self._put("#session-note", self._note)
            self._put("#session-keys", self._exercise_keys())
        elif self.step == "pain":
            self._show_guide(None)
            self._put(
                "#session-note",
                f"Pain during {row.first.dose.name}, 0 (none) to 10 (worst)?  {PAIN_GUIDE}",
            )
            self._put(
                "#session-keys",
                "type 0–10, then enter · enter alone: no answer · !: warning signs · esc: leave",
            )
        else:  # too-much
            self._show_guide(None)
            self._put("#session-note", self._note)
            self._put(
                "#session-keys", "enter: go on to the next exercise · !: warning signs · esc: leave"
            )

    @staticmethod
    def _instructions(row: Row) -> str:
        dose = row.first.dose
        lines = [dose.instructions]
        lines += [f"⚠ {caution}" for caution in dose.cautions]
        return "\n".join(lines)

    def _exercise_keys(self) -> str:
        guide = self.guide
        if guide is None and self._can_guide(self.row):
            start = "space: start the timer · "
        elif isinstance(guide, TempoGuide) and guide.waiting:
            start = "space: start the set · "
        elif guide is not None and guide.running:
            start = "space: pause or resume · "
        else:
            start = ""
        return f"{start}enter: done, all of it · s: skip · esc: leave"

    def _show_guide(self, guide: Guide | None) -> None:
        if guide is None:
            self._display("#session-clock", False)
            text = self._no_guide_text(self.row) if self.step == "exercise" else ""
            self._put("#session-status", text)
            return
        now = self.rehab.backend.clock.monotonic()
        self._display("#session-clock", True)
        if isinstance(guide, TempoGuide):
            if guide.phase == "rest" and guide.rest_seconds is None:
                self._put("#session-clock", clock_text(guide.rested(now)))
            elif guide.phase == "ready":
                self._put("#session-clock", f"{guide.step.seconds:g}")
            else:
                self._put("#session-clock", f"{int(guide.remaining(now) + 0.999)}")
        else:
            self._put("#session-clock", clock_text(guide.remaining(now)))
        self._put("#session-status", guide.status(now))

    def _no_guide_text(self, row: Row) -> str:
        if self._can_guide(row):
            return "Press space to start the timer when you are ready."
        if row.first.dose.kind == "strengthen":
            return "At your own pace, as described above; enter when you have done it."
        return "Enter when you have done it."

    def _summary(self) -> str:
        lines = []
        for outcome in self.outcomes:
            mark = {"done": "✔", "not reached": "○", "already done": "✔"}.get(outcome.result, "–")
            line = f"{mark} {outcome.name}: {outcome.result}"
            if outcome.pain is not None:
                line += f" · pain {outcome.pain}/10 ({pain_band(outcome.pain)})"
            lines.append(line)
        done = sum(1 for o in self.outcomes if o.result in ("done", "already done"))
        skipped = sum(1 for o in self.outcomes if o.result.startswith("skipped"))
        lines += ["", f"{done} done, {skipped} skipped, of {len(self.outcomes)}."]
        if self.ended_early:
            lines.append("What you did is saved; the rest is still on today's list.")
        if self.paused_for_flag:
            lines.append(
                "The program is paused: stop the exercises and see a clinician. When a "
                "clinician has cleared you, press P on the Today screen."
            )
        worst = max((o.pain for o in self.outcomes if o.pain is not None), default=None)
        if worst is not None and too_much(worst):
            lines.append(
                "Pain went above 5/10: that is too much. Do less next time (fewer sets, or "
                "less weight), and see how the heel is tomorrow morning."
            )
        lines += ["", DISCLAIMER]
        return "\n".join(lines)

    # --- the guide -----------------------------------------------------------------------

    @staticmethod
    def _can_guide(row: Row) -> bool:
        dose = row.first.dose
        if row.timer_kind is not None:
            return True
        return dose.kind == "strengthen" and not dose.unverified and _tempo_of(row) is not None

    def _make_guide(self, row: Row, now: float) -> Guide | None:
        dose = row.first.dose
        legs = [
            Leg(m.dose.side, m.sets_left, int(m.dose.sets.high) if m.dose.sets else 1)
            for m in row.members
            if m.status in ("open", "partial")
        ]
        reps = int(dose.reps.high) if dose.reps is not None else 1
        timer = commands.hold_timer(row, self.view.day, now) or commands.minutes_timer(
            row, self.view.day, dose.key, now
        )
        if timer is not None:
            return timer
        steps = _tempo_of(row)
        if steps is not None and dose.kind == "strengthen":
            guide = TempoGuide(name=dose.name, legs=legs, reps=reps, steps=steps)
            guide.go(now)
            return guide
        return None

    def tick(self) -> None:
        """Move the guide on by the clock; log what it finished."""
        guide = self.guide
        if guide is None or self.step != "exercise":
            return
        self._handle(guide.tick(self.rehab.backend.clock.monotonic()))
        self._show_guide(guide)

    def _handle(self, events: list[Event]) -> None:
        guide = self.guide
        if guide is None:
            return
        sets = sum(1 for e in events if e.kind == "log-set")
        minutes = next((e.minutes for e in events if e.kind == "log-minutes"), None)
        if any(e.kind == "bell" for e in events):
            self.app.bell()
        if not sets and minutes is None:
            return
        row, day, backend = self.row, self.view.day, self.rehab.backend
        finished = not guide.running

        def job() -> None:
            from rehab.store.journal import Amounts

            if minutes is not None:
                key = row.next_target()
                if key is not None:
                    backend.check_off(day, key[0], None, Amounts(minutes=minutes))
            for _ in range(sets):
                backend.check_off_next(day, row.id, row.slot)

        def logged(_: object) -> None:
            if finished and self.guide is guide and self.step == "exercise":
                self._dose_done("done")

        self.rehab.run_db(job, done=logged)

    # --- keys ----------------------------------------------------------------------------

    def action_go(self) -> None:
        if self.step != "exercise":
            return
        now = self.rehab.backend.clock.monotonic()
        guide = self.guide
        if guide is None or not guide.running:
            if guide is None:
                self.guide = self._make_guide(self.row, now)
                if self.guide is None:
                    self.notify("No timer for this one: enter when you have done it.")
        elif isinstance(guide, TempoGuide):
            guide.go(now)
        else:
            guide.toggle_pause(now)
        self.show()

    def action_enter(self) -> None:
        if self.step == "exercise":
            self.action_done()
        elif self.step == "pain":
            self._pain(self.typed)
        elif self.step == "too-much":
            self._next()
        else:
            self._close()

    def on_key(self, event: events.Key) -> None:
        """The pain score is typed on the screen itself (digits, backspace), not in an input
        field: no focus moves, and the keys stay the same."""
        if self.step != "pain":
            return
        if event.key == "backspace":
            self.typed = self.typed[:-1]
        elif event.character is not None and event.character in "0123456789":
            if len(self.typed) < 2:
                self.typed += event.character
        elif event.character is not None and event.character in ".,":
            # said, not dropped: 7.5 would otherwise become 75
            event.stop()
            self._put(
                "#session-note",
                f"Whole numbers only: no decimals in a score (type {self.typed or '7'}, "
                f"or the next whole number up).  {PAIN_GUIDE}",
            )
            return
        else:
            return
        event.stop()
        self._show_typed()

    def _show_typed(self) -> None:
        self._put("#session-pain", f"Pain: {self.typed}▏")

    def action_done(self) -> None:
        if self.step != "exercise" or self._busy:
            return
        self._stop_guide(log=False)  # the whole dose is logged as planned instead
        row, day, backend = self.row, self.view.day, self.rehab.backend
        self._busy = True

        def logged(done: list[CheckedOff] | None) -> None:
            self._busy = False
            self._dose_done("done" if done is not None else "already done")

        def failed() -> None:
            self._busy = False

        self._run(lambda: backend.check_off_all(day, row.id, row.slot), logged, failed)

    def action_skip(self) -> None:
        from rehab.tui.screens.dialogs import SkipDialog

        if self.step != "exercise" or self._busy:
            return
        row, day, backend = self.row, self.view.day, self.rehab.backend
        target = row.next_target()
        if target is None:
            self._dose_done("already done")
            return

        def chosen(reason: str | None) -> None:
            if not reason:
                return
            self._stop_guide(log=False)
            self._busy = True

            def skipped(_: object) -> None:
                self._busy = False
                self._dose_done(f"skipped: {reason}", ask=reason == "too painful")

            def failed() -> None:
                self._busy = False

            self._run(lambda: backend.skip(day, target[0], reason), skipped, failed)

        self.app.push_screen(SkipDialog(row.first.dose.name), chosen)

    def _pain(self, raw: str) -> None:
        if self.step != "pain" or self._busy:
            return
        if not raw:
            self._next()
            return
        score = int(raw) if raw.isdigit() and raw.isascii() else -1
        if not 0 <= score <= 10:
            self._put(
                "#session-note",
                f"{raw} is not a score: type a whole number from 0 to 10.  {PAIN_GUIDE}",
            )
            return
        backend, view, name = self.rehab.backend, self.view, self.row.first.dose.name
        check = too_much(score)
        self._busy = True

        def job() -> tuple[tuple[str, bool] | None, str | None]:
            alert = backend.pain(score, "during", name)
            # above 5: the app's check for a stop, as Today's reload runs it after the
            # pain dialog (and it says the stop once: Today will not say it again)
            stop = backend.extras(view).alert if check else None
            return alert, stop

        def logged(result: tuple[tuple[str, bool] | None, str | None]) -> None:
            self._busy = False
            alert, stop = result
            self.outcomes[self.index].pain = score
            if alert is not None:
                self._flagged(*alert)
            elif stop is not None:
                self._flagged(stop, False)
            elif check:
                self._note = pain_response(score)
                self._set_step("too-much")
            else:
                self._note = pain_response(score)
                self._next(keep_note=True)

        def failed() -> None:
            self._busy = False

        self._run(job, logged, failed)

    def action_warning_signs(self) -> None:
        """The red-flag questions, as Today asks them; a yes pauses and ends the session."""
        from rehab.tui.answers import RedFlagAnswers
        from rehab.tui.screens.redflags import RedFlagQuestions

        backend = self.rehab.backend

        def raised(outcome: tuple[str, bool] | None) -> None:
            if outcome is not None:
                self._flagged(*outcome)

        def answered(answers: RedFlagAnswers | None) -> None:
            if answers is not None and answers.yes:
                ids = answers.yes
                self._stop_guide()
                self.rehab.run_db(lambda: backend.raise_flags(ids), done=raised)
            elif answers is not None:
                self.notify("No warning signs today: carry on.", timeout=4)

        self.app.push_screen(RedFlagQuestions(), answered)

    def action_leave(self) -> None:
        if self.step == "summary":
            self._close()
            return
        self._stop_guide()
        self.ended_early = True
        self._set_step("summary")

    # --- moving on -----------------------------------------------------------------------

    def _run(self, job: Any, done: Any, failed: Any) -> None:
        """A write in the app's db worker; `failed` when it raised (the app said why)."""

        def guarded() -> tuple[bool, Any]:
            try:
                return True, job()
            except Exception:
                self.app.call_from_thread(failed)
                raise

        self.rehab.run_db(guarded, done=lambda result: done(result[1]))

    def _stop_guide(self, *, log: bool = True) -> None:
        guide = self.guide
        if guide is not None and guide.running and log:
            # finished sets were logged as they finished; a set or hold cut short is not
            # (an ice or walk timer's whole minutes are, as leaving Today's timer does)
            self._handle(guide.stop(self.rehab.backend.clock.monotonic()))
        self.guide = None

    def _dose_done(self, result: str, *, ask: bool = True) -> None:
        self.outcomes[self.index].result = result
        self.guide = None
        if ask and result != "already done" and asks_pain(self.row):
            self._set_step("pain")
        else:
            self._next()

    def _next(self, *, keep_note: bool = False) -> None:
        if not keep_note:
            self._note = ""
        elif self._note:
            self._note = f"Last: {self._note}"
        if self.index + 1 >= len(self.rows):
            self._set_step("summary")
            return
        self.index += 1
        self._set_step("exercise")

    def _set_step(self, step: str) -> None:
        self.step = step
        self.typed = ""
        self.show()
        if step == "pain":
            self._show_typed()
        body = self.query_one("#session-body", VerticalScroll)
        body.scroll_home(animate=False)

    def _flagged(self, message: str, urgent: bool) -> None:
        from rehab.tui.screens.redflags import RedFlagAlert

        self._stop_guide()
        self.paused_for_flag = True
        self.ended_early = any(o.result == "not reached" for o in self.outcomes)
        self._set_step("summary")
        self.app.push_screen(RedFlagAlert(message, urgent))

    def _close(self) -> None:
        self.app.pop_screen()
        self.rehab.refresh_today()


def _tempo_of(row: Row) -> tuple[Any, ...] | None:
    return parse_tempo(row.first.dose.tempo)
