"""A day's checklist as rows, the way the app, `rehab today` and reminders show it.

A row is one thing the patient does: the legs of a stretch share a row ("sets: left 2/3,
right 0/3"), and the repeats of an as-needed item share one too ("Ice … (1 done)"). The row
knows which planned dose its next check-off goes to, so no screen has to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rehab.core.checklist import DoseProgress, counted, enough_sets, target_sets
from rehab.core.template import SLOTS
from rehab.core.vocabulary import SLOT_TITLES as SLOT_TITLES

# "used": an as-needed item done at least once today, with more allowed (ice 2 of up to 3):
# nothing is owed, so it is not "in progress" (which reads like a timer running).
MARKS = {"done": "✔", "partial": "◐", "used": "✔", "skipped": "–", "open": "○", "paused": "‖"}
STATUS_WORDS = {
    "done": "done",
    "partial": "in progress",
    "used": "more if needed",
    "skipped": "skipped",
    "open": "to do",
    "paused": "paused",
}


@dataclass(frozen=True)
class ChecklistRow:
    id: str  # the dose key, or the exercise id for an as-needed group
    slot: str
    status: str  # open | partial | used (as needed, more allowed) | done | skipped | paused
    text: str
    progress: str
    members: tuple[DoseProgress, ...]
    keys: tuple[str, ...]

    @property
    def first(self) -> DoseProgress:
        return self.members[0]

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "partial", "used")

    @property
    def in_count(self) -> bool:
        """Whether the row counts in "N/M done" (not an as-needed or unverified item)."""
        return counted(self.first.dose)

    @property
    def timer_kind(self) -> str | None:
        dose = self.first.dose
        if dose.unverified:
            return None
        if dose.hold_seconds is not None:
            return "hold"
        if dose.minutes is not None:
            return "minutes"
        return None

    def next_target(self) -> tuple[str, str | None, int] | None:
        """(key, side, sets) for the next check-off: one more set of the first leg that has
        sets left (up to the top of a 2–3 range), or the whole of a one-shot item."""
        for item in self.members:
            if item.sets_left > 0:
                sets = 1 if target_sets(item.dose) > 1 else target_sets(item.dose)
                return item.dose.key, item.dose.side, sets
        return None

    def label(self) -> str:
        word = STATUS_WORDS[self.status]
        tail = f"  {self.progress}" if self.progress else ""
        return f"{MARKS[self.status]} {self.text}{tail}  [{word}]"


@dataclass(frozen=True)
class TodayView:
    day: date
    today: date
    program_name: str
    weeks: int
    week: int | None
    phase: str
    status: str  # active | paused | before-start | ended
    rows: tuple[ChecklistRow, ...]
    done: int
    planned: int
    week_percent: int | None
    days_active: int
    start_date: date
    end_date: date | None
    pause_reason: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    advice: str | None = None  # today's pain-monitoring advice, one line
    advice_decision: str | None = None  # progress | hold | reduce | stop
    visa_due: bool = False  # an Achilles program with no VISA-A in the last two weeks
    visa_offered: bool = True  # the program uses the VISA-A (not on the plantar fascia)
    visa_refusal: str | None = None  # why it cannot be filled in now (None: it can)
    red_flag: bool = False  # paused for a red flag until a clinician clears it
    alert: str | None = None  # a stop the log showed just now: said once, as an alert
    plan_change: str = ""  # what accepting today's advice changes in the plan
    local_hour: int = 8  # the patient's hour now: the pain dialog's default context
    phase_goal: str = ""  # what the phase is for, and when it moves on (the template's words)
    advice_reasons: tuple[str, ...] = ()  # the whole advice, as `rehab advice` gives it
    advice_would_change: tuple[str, ...] = ()
    demo: bool = False  # the database `rehab demo` wrote: a DEMO mark in the header
    advice_accepted: bool = False  # today's advice is already accepted (from tomorrow)

    @property
    def is_future(self) -> bool:
        return self.day > self.today

    def by_slot(self) -> list[tuple[str, list[ChecklistRow]]]:
        return [
            (slot, [r for r in self.rows if r.slot == slot])
            for slot in SLOTS
            if any(r.slot == slot for r in self.rows)
        ]

    def first_open(self) -> ChecklistRow | None:
        return next((r for r in self.rows if r.is_open), None)


def rows_done(rows: tuple[ChecklistRow, ...] | list[ChecklistRow]) -> tuple[int, int]:
    """(done, planned) counted in rows, as the checklist shows them: a stretch whose left
    leg is done and right leg is not is one row in progress, not one of two done."""
    required = [r for r in rows if r.in_count]
    return sum(1 for r in required if r.status == "done"), len(required)


def build_rows(items: list[DoseProgress]) -> tuple[ChecklistRow, ...]:
    rows: list[ChecklistRow] = []
    seen: set[tuple[str, str]] = set()
    for item in items:
        dose = item.dose
        group = dose.exercise_id if dose.as_needed else dose.key
        if (dose.slot, group) in seen:
            continue
        seen.add((dose.slot, group))
        members = tuple(
            i
            for i in items
            if i.dose.slot == dose.slot
            and (i.dose.exercise_id if i.dose.as_needed else i.dose.key) == group
        )
        rows.append(_row(group, members))
    return tuple(rows)


def after_sets(row: ChecklistRow, key: str, side: str | None, sets: int) -> ChecklistRow:
    """The row as it will read once `sets` more sets of (key, side) are logged, by the
    rules of rehab.core.checklist.progress: the app moves its cursor on at the key press,
    not when the write's reload lands, so a second quick press goes where the patient sees."""
    members = []
    for m in row.members:
        if m.dose.key == key and m.dose.side == side:
            done = m.sets_done + sets
            status = m.status
            if done >= enough_sets(m.dose):
                status = "done"
            elif status != "skipped":
                status = "partial"
            m = DoseProgress(m.dose, done, status)
        members.append(m)
    return _row(row.id, tuple(members))


def legs_text(members: tuple[DoseProgress, ...]) -> str | None:
    sides = sorted({m.dose.side for m in members if m.dose.side})
    return "each leg" if len(sides) == 2 else None


def _row(group: str, members: tuple[DoseProgress, ...]) -> ChecklistRow:
    first = members[0].dose
    keys = tuple(dict.fromkeys(m.dose.key for m in members))
    text = first.describe(legs=legs_text(members))
    if first.as_needed:
        # one occurrence (ice, ice#2, …) counts once, whatever the number of legs
        def all_of(key: str, status: str) -> bool:
            return all(m.status == status for m in members if m.dose.key == key)

        count = sum(1 for key in keys if all_of(key, "done"))
        skipped = sum(1 for key in keys if all_of(key, "skipped"))
        if count == len(keys) or (count and count + skipped == len(keys)):
            status = "done"  # every occurrence done, or the rest skipped: no more today
        elif count:
            status = "used"
        elif skipped:
            status = "skipped"
        else:
            status = "open"
        if status != "done" and any(m.status == "paused" for m in members):
            status = "paused"
        return ChecklistRow(group, first.slot, status, text, f"({count} done)", members, keys)
    statuses = {m.status for m in members}
    status = statuses.pop() if len(statuses) == 1 else "partial"
    if "paused" in statuses or (status == "partial" and any(m.status == "paused" for m in members)):
        status = "paused"
    progress = ""
    if target_sets(first) > 1:
        parts = []
        for m in members:
            leg = f"{m.dose.side} " if m.dose.side and len(members) > 1 else ""
            parts.append(f"{leg}{m.sets_done}/{target_sets(m.dose)}")
        progress = "sets: " + ", ".join(parts)
    elif len(members) > 1:
        words = {"done": "done", "skipped": "skipped"}
        progress = ", ".join(f"{m.dose.side} {words.get(m.status, 'to do')}" for m in members)
    return ChecklistRow(group, first.slot, status, text, progress, members, keys)


def sets_text(count: int | None) -> str:
    """'1 set', '3 sets', or '' when no count was logged (an unverified dose)."""
    if count is None:
        return ""
    return f"{count} set{'s' if count != 1 else ''}"


# The old name, for rehab/tui/screens/today.py until the TUI work moves to ChecklistRow
# (export/report.py has a Row of its own).
Row = ChecklistRow
