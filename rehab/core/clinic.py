"""The clinic roster's rows, who needs attention first, and the therapist's filters.

Pure data and rules: the store fills the rows (rehab.store.roster), the CLI and the Clinic
screen show them. The order is the one a therapist works through a list in:

1. **red flag**: a red flag not yet cleared, or today's advice is `stop`;
2. **advice**: a progression or reduction is waiting for acceptance;
3. **check**: adherence under 60% over the last 7 days, morning pain up by 1 point or more
   against the first program week (the smallest detectable change on the 0–10 scale), or no
   entry of any kind for 7 days or more while the program is active (not paused); all
   three only while a program runs (active or paused);
4. **ok**: the rest (patients whose program has ended or who have none, last).

Within a group, the lowest 7-day adherence comes first (none planned counts as 100%), then
the name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from rehab.core.checklist import counted, enough_sets
from rehab.core.schedule import DayPlan

LOW_ADHERENCE = 60  # percent over the last 7 days
PAIN_RISE = 1.0  # NRS points: the smallest detectable change (Salaffi 2004)
INACTIVE_DAYS = 7

RANKS = ("red flag", "advice", "check", "ok")
FILTERS = ("all", "attention", "red-flags", "advice", "inactive")
FILTER_HELP = {
    "all": "every patient",
    "attention": "red flags, advice waiting, or something to check",
    "red-flags": "an uncleared red flag or a stop",
    "advice": "advice waiting for acceptance",
    "inactive": f"no entry for {INACTIVE_DAYS} days or more",
}


# a day's counted doses: (item key, leg, fewest sets that complete it)
Required = tuple[tuple[str, str, int], ...]


def required_doses(plan: DayPlan) -> Required:
    """The doses of a plan day that count for adherence (`checklist.counted`)."""
    return tuple((d.key, d.side_key, enough_sets(d)) for d in plan.doses if counted(d))


def day_tally(required: Required, done_sets: Mapping[tuple[str, str], int]) -> tuple[int, int]:
    """(done, planned) for one day, as `core.adherence.tally` counts it: a dose is done when
    the live sets checked off for it (by item key and leg) reach the fewest that complete
    it; a skip never makes a dose done, so only check-offs are given."""
    if not required:
        return 0, 0
    done = sum(1 for key, side, enough in required if done_sets.get((key, side), 0) >= enough)
    return done, len(required)


@dataclass(frozen=True)
class Count:
    """Done ÷ planned doses over a stretch of days (as rehab.core.adherence.tally counts)."""

    done: int
    planned: int

    @property
    def percent(self) -> int | None:
        return None if self.planned == 0 else round(100 * self.done / self.planned)


@dataclass(frozen=True)
class RosterRow:
    patient: str
    today: date  # in the patient's time zone
    program_id: str | None = None
    program_name: str | None = None
    status: str = "none"  # active | paused | ended | before-start | none (no program)
    week: int | None = None
    weeks: int | None = None
    last7: Count = Count(0, 0)
    last28: Count = Count(0, 0)
    pain_start: float | None = None  # mean daily morning pain, first program week
    pain_now: float | None = None  # the same over the last 7 days
    last_entry: date | None = None
    red_flags: tuple[str, ...] = ()
    advice: str | None = None  # progress | hold | reduce | stop (None: no program)
    advice_waiting: bool = False
    visa_first: int | None = None
    visa_latest: int | None = None

    @property
    def pain_change(self) -> float | None:
        if self.pain_start is None or self.pain_now is None:
            return None
        return round(self.pain_now - self.pain_start, 1)

    @property
    def visa_change(self) -> int | None:
        if self.visa_first is None or self.visa_latest is None:
            return None
        return self.visa_latest - self.visa_first

    @property
    def days_since_entry(self) -> int | None:
        return None if self.last_entry is None else (self.today - self.last_entry).days

    @property
    def running(self) -> bool:
        return self.status in ("active", "paused")

    @property
    def inactive(self) -> bool:
        """Nothing logged for a week while the program runs (a pause expects nothing)."""
        since = self.days_since_entry
        return self.status == "active" and (since is None or since >= INACTIVE_DAYS)

    @property
    def rank(self) -> int:
        """0 red flag, 1 advice, 2 check, 3 ok (RANKS)."""
        if self.red_flags or self.advice == "stop":
            return 0
        if self.advice_waiting:
            return 1
        if self.checks():
            return 2
        return 3

    @property
    def attention(self) -> str:
        return RANKS[self.rank]

    def checks(self) -> list[str]:
        """What to check, in words (empty: nothing)."""
        found: list[str] = []
        if not self.running:
            return found
        percent = self.last7.percent
        if self.status == "active" and percent is not None and percent < LOW_ADHERENCE:
            found.append(f"adherence {percent}% this week")
        change = self.pain_change
        if change is not None and change >= PAIN_RISE:
            found.append(f"morning pain up {change:.1f} since the start")
        if self.inactive:
            since = self.days_since_entry
            found.append("nothing logged yet" if since is None else f"no entry for {since} days")
        return found

    def why(self) -> list[str]:
        """Every reason the row is where it is, most urgent first."""
        reasons = []
        if self.red_flags:
            reasons.append("red flag: " + ", ".join(self.red_flags))
        elif self.advice == "stop":
            reasons.append("advice: stop and see a clinician")
        if self.advice_waiting:
            reasons.append(f"advice waiting: {self.advice}")
        return reasons + self.checks()


def sort_key(row: RosterRow) -> tuple[int, int, int, str]:
    percent = row.last7.percent
    return (row.rank, 0 if row.running else 1, 100 if percent is None else percent, row.patient)


def ordered(rows: Iterable[RosterRow]) -> list[RosterRow]:
    return sorted(rows, key=sort_key)


def check_filter(value: str) -> str:
    """The filter, or ValueError naming the allowed ones."""
    wanted = value.strip().lower()
    if wanted not in FILTERS:
        raise ValueError(f"unknown filter {value!r} (allowed: {', '.join(FILTERS)})")
    return wanted


def keep(row: RosterRow, *, kind: str = "all", name: str | None = None) -> bool:
    if name and name.strip().casefold() not in row.patient.casefold():
        return False
    if kind == "attention":
        return row.rank < 3
    if kind == "red-flags":
        return row.rank == 0
    if kind == "advice":
        return row.advice_waiting
    if kind == "inactive":
        return row.inactive
    return True


def select_rows(
    rows: Sequence[RosterRow], *, kind: str = "all", name: str | None = None
) -> list[RosterRow]:
    return [row for row in ordered(rows) if keep(row, kind=kind, name=name)]


def cells(row: RosterRow) -> list[str]:
    """The roster's columns as text (shared with the Clinic screen)."""

    def pct(c: Count) -> str:
        return "-" if c.percent is None else f"{c.percent}%"

    if row.program_id is None:
        program = "no program"
    elif row.status == "active":
        program = f"{row.program_id} wk {row.week}"
    else:
        program = f"{row.program_id} {row.status}"
    pain = "-"
    if row.pain_now is not None or row.pain_start is not None:
        now = "-" if row.pain_now is None else f"{row.pain_now:.1f}"
        start = "-" if row.pain_start is None else f"{row.pain_start:.1f}"
        pain = f"{now}/{start}"
    since = row.days_since_entry
    last = "never" if since is None else "today" if since == 0 else f"{since}d ago"
    visa = "-" if row.visa_change is None else f"{row.visa_change:+d}"
    flag = ", ".join(row.red_flags) or ("stop" if row.advice == "stop" else "")
    advice = row.advice if row.advice_waiting else ""
    return [
        row.attention,
        row.patient,
        program,
        pct(row.last7),
        pct(row.last28),
        pain,
        last,
        flag or "-",
        advice or "-",
        visa,
    ]


HEADERS = ["need", "patient", "program", "7d", "28d", "pain now/start", "last", "red flag"]
HEADERS += ["advice", "VISA-A"]


def table(rows: list[RosterRow]) -> str:
    if not rows:
        return "No patients to show.\nNot medical advice; follow your clinician."
    body = [cells(r) for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(HEADERS)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=True)).rstrip()]
    for b in body:
        lines.append("  ".join(c.ljust(w) for c, w in zip(b, widths, strict=True)).rstrip())
    lines.append(f"{len(rows)} patients. Not medical advice; follow your clinician.")
    return "\n".join(lines)
