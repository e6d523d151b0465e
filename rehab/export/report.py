"""The printable report: one self-contained HTML file for the therapist, two sheets of A4
or Letter.

Self-contained means it opens and prints with no network: inline CSS, inline SVG, no
scripts, no fonts, images or links to fetch (a Content-Security-Policy says so to the
browser too).

This module gathers; it writes no markup. `gather` reads the figures from the same
aggregate queries as the app's charts and weekly summary (`rehab.store.trends`) and the
lists from `rehab.store.audit`, each bounded by the range, so the report of the last 12
weeks costs the same on ten years of history as on twelve weeks. `view` turns a `Report`
into plain values (text, numbers, the charts); `render` fills the Jinja2 template
`templates/report.html.j2` (with `report.css`) with them. Autoescaping is on, so
everything a person typed (notes, reasons, names) is escaped; only the SVG this code draws
(`rehab.export.svg`) is marked safe. Jinja2 is imported when a report is rendered, never
by the rest of the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from rehab import __version__
from rehab.core.redflags import flag as red_flag
from rehab.core.schedule import current_phase, program_day
from rehab.core.series import moving_average
from rehab.core.template import Program
from rehab.core.visa import CLINICALLY_IMPORTANT_CHANGE, FULL_RECOVERY_SCORE
from rehab.export import DISCLAIMER, files, svg
from rehab.export.scope import Enrolled, Scope
from rehab.store import audit, journal, trends
from rehab.store.audit import RaisedFlag
from rehab.store.rows import Names, PauseRow, PhaseRow, session_reader
from rehab.store.rows import pauses as pause_rows
from rehab.store.rows import phases as phase_rows

if TYPE_CHECKING:
    import jinja2
    from sqlmodel import Session

GROUP_AFTER_WEEKS = 16  # more program weeks than this: 4-week blocks
# Two sheets of A4 or Letter, however long the history (tests/test_report_print.py prints
# it in Chromium): the adherence table has at most this many lines (past it, the time
# before the current program is one row per quarter, or per year), and the lists show
# their latest entries (a never-cleared red flag always), saying how many more the CSV and
# JSON exports have.
ADHERENCE_LINES = 20
NOTES_LIMIT = 8
CORRECTIONS_LIMIT = 4
FLAGS_LIMIT = 4
LOADS_LIMIT = 6  # more exercises than this: those never loaded are named in one line
VISA_LIMIT = 5  # the first score and the latest ones
DECISIONS_LIMIT = 3
PAUSES_LIMIT = 3
DAGGER = "†"
TEMPLATE = "report.html.j2"


# --- what goes in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    """One line of the adherence table: a program week, a block of weeks, a pause or time
    without a program."""

    label: str
    first: date
    last: date
    kind: str  # active | paused | off | period (a quarter or year before the current program)
    done: int
    planned: int
    phases: tuple[str, ...]  # a period's: the ids of the programs in it
    paused_days: int = 0
    program_id: str | None = None

    @property
    def percent(self) -> int | None:
        return None if self.planned == 0 else round(100 * self.done / self.planned)


@dataclass(frozen=True)
class Note:
    day: date
    what: str  # where it was written: the exercise, "pain (morning)", "symptom check"
    text: str


@dataclass(frozen=True)
class Voided:
    day: date
    what: str
    logged_at: datetime
    voided_at: datetime


@dataclass(frozen=True)
class Report:
    scope: Scope
    current: Enrolled | None
    week_now: int | None
    phase_now: str | None
    phase_unverified: bool
    paused_now: bool
    rows: list[ReportRow]
    grouped: bool
    summarised: str | None  # "quarter" or "year": the time before the current program
    pain: trends.DailyPain
    markers: trends.Markers
    program_starts: list[tuple[date, str]]  # enrollments that began inside the range
    loads: list[trends.LoadSeries]
    visa: trends.DailySeries
    skips: list[tuple[str, int]]
    notes: list[Note]
    flags: list[RaisedFlag]
    voided: list[Voided]
    decisions: list[PhaseRow]
    pauses: list[PauseRow]


def gather(session: Session, scope: Scope) -> Report:
    patient, first, last = scope.patient, scope.first, scope.last
    # Adherence counts finished days only: today (still going) and later are not missed.
    counted_last = min(last, scope.today - timedelta(days=1))
    weeks = (
        trends.weeks(session, patient=patient, first=first, last=counted_last)
        if counted_last >= first
        else []
    )
    spans = trends.stretches(session, patient=patient, first=first, last=last)
    current = scope.current
    week_now = phase_now = None
    unverified = paused_now = False
    if current is not None:
        # "Now" is today (or the last day of a program that has ended), whatever the range
        on = max(scope.today, current.enrollment.start_date)
        if current.end is not None:
            on = min(on, current.end)
        changes = journal.progressions_of(session, enrollment=current.enrollment)
        phase = current_phase(current.program, changes, on)
        phase_now, unverified = phase.name, phase.unverified
        paused_now = any(p.covers(on) for p in current.pauses)
        day = program_day(on, start=current.enrollment.start_date, pauses=current.pauses)
        if day is not None and scope.today >= current.enrollment.start_date:
            week_now = min(day // 7 + 1, current.program.weeks)
    read = session_reader(session)
    window: dict[str, Any] = {
        "patient_id": scope.patient_id,
        "enrollment_ids": scope.enrollment_ids,
        "first": first,
        "last": last,
    }
    names = Names(scope.span.snapshots)
    current_start = None if current is None else current.enrollment.start_date
    rows, summarised = adherence_table(weeks, current_start=current_start)
    if summarised:  # the program weeks left are the current program's
        weeks = [w for w in weeks if current_start is not None and w.start >= current_start]
    return Report(
        scope=scope,
        current=current,
        week_now=week_now,
        phase_now=phase_now,
        phase_unverified=unverified,
        paused_now=paused_now,
        rows=rows,
        grouped=sum(w.status == "active" for w in weeks) > GROUP_AFTER_WEEKS,
        summarised=summarised,
        pain=trends.daily_pain(session, patient=patient, first=first, last=last),
        markers=trends.markers(session, first=first, last=last, spans=spans),
        program_starts=[
            (item.enrollment.start_date, f"New program: {item.program.name}")
            for item in scope.enrollments
            if first < item.enrollment.start_date <= last
        ],
        loads=trends.load_by_exercise(session, patient=patient, first=first, last=last),
        visa=trends.visa_scores(session, patient=patient, first=first, last=last),
        skips=_skips_by_reason(
            audit.skip_counts(session, enrollment_ids=scope.enrollment_ids, first=first, last=last)
        ),
        notes=[_note(e, names) for e in audit.notes(session, **window)],
        flags=audit.raised_flags(session, patient_id=scope.patient_id, first=first, last=last),
        voided=[_voided(e, names) for e in audit.voided(session, **window)],
        decisions=list(phase_rows(read, scope.span)),
        pauses=list(pause_rows(read, scope.span)),
    )


def _skips_by_reason(counts: Sequence[tuple[str | None, int]]) -> list[tuple[str, int]]:
    """Skips per reason, most frequent first."""
    named = [(reason or "(no reason given)", n) for reason, n in counts]
    return sorted(named, key=lambda item: (-item[1], item[0]))


def _exercise(entry: audit.Entry, names: Names) -> str:
    assert entry.enrollment_id is not None and entry.exercise_id is not None
    return names(entry.enrollment_id, entry.exercise_id, 1)[2]


def _note(entry: audit.Entry, names: Names) -> Note:
    """Where a note was written, in words, and the note."""
    if entry.kind == "dose":
        what = _exercise(entry, names)
    elif entry.kind == "pain":
        what = f"pain {entry.score}/10 ({entry.context})"
    else:
        what = "symptom check"
    return Note(entry.day, what, str(entry.note))


def _voided(entry: audit.Entry, names: Names) -> Voided:
    """What was taken back, in words, and when it was entered and undone."""
    if entry.kind == "dose":
        what = "check-off" if entry.status == "done" else "skip"
        what = f"{what}: {_exercise(entry, names)}"
        if entry.entries > 1:
            what += f" ×{entry.entries}"
    elif entry.kind == "pain":
        what = f"pain {entry.score}/10 ({entry.context})"
    elif entry.kind == "check":
        what = "symptom check"
    else:
        what = f"VISA-A {entry.score}"
    assert entry.logged_at is not None and entry.voided_at is not None
    return Voided(entry.day, what, entry.logged_at, entry.voided_at)


def adherence_rows(weeks: Sequence[trends.Week]) -> list[ReportRow]:
    """Program weeks as rows; more than 16 become blocks of 4 (13 past two years). A short
    pause is counted inside its week (the week goes on after it); a pause of a week or more,
    and time without a program, get a row of their own."""
    numbered = {(w.program_id, w.number) for w in weeks if w.status == "active"}
    size = 1 if len(numbered) <= GROUP_AFTER_WEEKS else 4 if len(numbered) <= 104 else 13
    found: list[ReportRow] = []
    block: list[trends.Week] = []

    def flush() -> None:
        if block:
            found.append(_block_row(block))
            block.clear()

    def numbers() -> set[int | None]:
        return {w.number for w in block if w.status == "active"}

    for week in weeks:
        if week.status == "off" or (week.status == "paused" and _days(week) >= 7):
            flush()
            kind, label = ("off", "no program") if week.status == "off" else ("paused", "paused")
            if found and found[-1].kind == kind:
                found[-1] = replace(
                    found[-1], last=week.end, paused_days=found[-1].paused_days + _days(week)
                )
            else:
                paused = _days(week) if kind == "paused" else 0
                found.append(ReportRow(label, week.start, week.end, kind, 0, 0, (), paused))
            continue
        if week.status == "active" and block:
            other_program = block[0].program_id != week.program_id
            if other_program or (week.number not in numbers() and len(numbers()) >= size):
                flush()
        block.append(week)
    flush()
    return found


def adherence_table(
    weeks: Sequence[trends.Week], *, current_start: date | None
) -> tuple[list[ReportRow], str | None]:
    """The adherence rows, at most ADHERENCE_LINES of them when that can be done: the
    program weeks (`adherence_rows`) as long as they fit; else the current program's weeks
    as they are and the time before it one row per quarter, or per year (with which unit,
    None when nothing was summarised)."""
    rows = adherence_rows(weeks)
    if _line_count(rows) <= ADHERENCE_LINES:
        return rows, None
    recent = [w for w in weeks if current_start is not None and w.start >= current_start]
    earlier = [w for w in weeks if current_start is None or w.start < current_start]
    tail = adherence_rows(recent)
    unit = "quarter"
    head = _period_rows(earlier, unit)
    if len(head) + _line_count(tail) + 2 > ADHERENCE_LINES:
        unit = "year"
        head = _period_rows(earlier, unit)
    return head + tail, unit


def _line_count(rows: Sequence[ReportRow]) -> int:
    """Printed lines: the rows and a heading for each change of program (`_lines`)."""
    programs = [r.program_id for r in rows if r.program_id]
    if len(set(programs)) <= 1:
        return len(rows)
    return len(rows) + sum(1 for i, p in enumerate(programs) if i == 0 or p != programs[i - 1])


def _period_of(day: date, unit: str) -> tuple[int, int]:
    return (day.year, (day.month - 1) // 3 if unit == "quarter" else 0)


def _period_rows(weeks: Sequence[trends.Week], unit: str) -> list[ReportRow]:
    """One row per quarter or year (a week counts in the period it starts in)."""
    periods: dict[tuple[int, int], list[trends.Week]] = {}
    for week in weeks:
        periods.setdefault(_period_of(week.start, unit), []).append(week)
    found = []
    for (year, quarter), members in periods.items():
        if unit == "quarter":
            first_month = date(year, 3 * quarter + 1, 1)
            label = f"{first_month:%b}–{date(year, 3 * quarter + 3, 1):%b} {year}"
        else:
            label = str(year)
        active = [w for w in members if w.status == "active"]
        programs = tuple(dict.fromkeys(w.program_id for w in active if w.program_id))
        paused = sum(_days(w) for w in members if w.status == "paused")
        done = sum(w.done for w in active)
        planned = sum(w.planned for w in active)
        first, last = members[0].start, members[-1].end
        found.append(ReportRow(label, first, last, "period", done, planned, programs, paused))
    return found


def _days(week: trends.Week) -> int:
    return (week.end - week.start).days + 1


def _block_row(block: Sequence[trends.Week]) -> ReportRow:
    active = [w for w in block if w.status == "active"]
    paused = sum(_days(w) for w in block if w.status == "paused")
    first, last, program = block[0].start, block[-1].end, block[0].program_id
    if not active:
        return ReportRow("paused", first, last, "paused", 0, 0, (), paused, program)
    numbers = [w.number for w in active if w.number is not None]
    if not numbers:
        label = "after the program"
    elif numbers[0] == numbers[-1]:
        label = f"week {numbers[0]}"
    else:
        label = f"weeks {numbers[0]}–{numbers[-1]}"
    phases = tuple(dict.fromkeys(p for w in active for p in w.phases))
    done = sum(w.done for w in active)
    planned = sum(w.planned for w in active)
    return ReportRow(label, first, last, "active", done, planned, phases, paused, program)


# --- what the template is given -------------------------------------------------------------


def _d(day: date) -> str:
    return f"{day.day} {day:%b} {day.year}"


def _span(first: date, last: date) -> str:
    if first == last:
        return _d(first)
    if first.year != last.year:
        return f"{_d(first)} – {_d(last)}"
    if first.month != last.month:
        return f"{first.day} {first:%b} – {_d(last)}"
    return f"{first.day}–{_d(last)}"


def _when(scope: Scope, moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(scope.zone).strftime("%Y-%m-%d %H:%M")


def _short(scope: Scope, day: date) -> str:
    """'2 Sep' when the whole range is in one year, else '2 Sep 2026'."""
    return f"{day.day} {day:%b}" if scope.first.year == scope.last.year else _d(day)


def _stamp(scope: Scope, moment: datetime, day: date) -> str:
    """'19:05' on `day` itself, else '21 Apr 19:05' (all in the patient's zone)."""
    local = moment.astimezone(scope.zone)
    if local.date() == day:
        return f"{local:%H:%M}"
    return f"{local.day} {local:%b} {local:%H:%M}"


def _kg(value: float) -> str:
    return f"{value:g} kg"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _mean(values: Sequence[int]) -> str:
    return f"{sum(values) / len(values):.1f}" if values else "–"


def _left(count: int, noun: str, aside: str = "") -> str:
    """'3 earlier notes are not shown here' ('' for none); `aside` goes before 'are'."""
    if count <= 0:
        return ""
    verb = "is" if count == 1 else "are"
    return f"{_plural(count, 'earlier ' + noun)} {aside}{verb} not shown here"


def _between(count: int) -> str:
    """'4 scores between the first and the latest are not shown here' ('' for none)."""
    if count <= 0:
        return ""
    verb = "is" if count == 1 else "are"
    return f"{_plural(count, 'score')} between the first and the latest {verb} not shown here"


def _first_and_latest(scores: trends.DailySeries, limit: int) -> trends.DailySeries:
    """All the scores, or the first and the latest `limit - 1` (the change is first → last)."""
    if len(scores) <= limit:
        return list(scores)
    return [scores[0], *scores[len(scores) - limit + 1 :]]


def _flags_shown(flags: Sequence[RaisedFlag]) -> list[RaisedFlag]:
    """Every red flag not cleared yet, and the latest cleared ones up to FLAGS_LIMIT."""
    if len(flags) <= FLAGS_LIMIT:
        return list(flags)
    room = max(0, FLAGS_LIMIT - sum(f.cleared_by is None for f in flags))
    cleared = [i for i, f in enumerate(flags) if f.cleared_by is not None]
    keep = set(cleared[len(cleared) - room :] if room else [])
    return [f for i, f in enumerate(flags) if f.cleared_by is None or i in keep]


def _corrections_left(voided: Sequence[Voided], shown: int) -> str:
    """How many corrections are not listed, and what all of them were, counted by kind:
    '38 earlier corrections are not shown here (45 in all: 30 check-offs, 15 pain scores)'."""
    left = _left(len(voided) - shown, "correction")
    if not left:
        return ""
    kinds: dict[str, int] = {}
    for item in voided:
        kind = item.what.split(":")[0].split(" ")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    words = {"check-off": "check-off", "skip": "skip", "pain": "pain score"}
    words |= {"symptom": "symptom check", "VISA-A": "VISA-A score"}
    counted = ", ".join(
        _plural(n, words.get(k, k)) for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])
    )
    return f"{left} ({len(voided)} in all: {counted})"


def _percent(done: int, planned: int) -> str:
    return "–" if planned == 0 else f"{round(100 * done / planned)}%"


def _unverified_names(scope: Scope) -> tuple[set[str], set[str]]:
    """Phase names and exercise ids marked unverified in the programs of the range."""
    phases: set[str] = set()
    exercises: set[str] = set()
    for item in scope.enrollments:
        program: Program = item.program
        phases.update(p.name for p in program.phases if p.unverified)
        exercises.update(e.id for e in program.exercises if e.unverified)
    return phases, exercises


@dataclass(frozen=True)
class Line:
    """A row of the adherence table as printed."""

    kind: str  # active | paused | off | program (a heading: the program's name)
    label: str
    dates: str = ""
    counts: str = ""
    percent: str = ""
    phases: str = ""
    paused_days: str = ""  # "3 paused days", said beside the phases


@dataclass(frozen=True)
class View:
    """Everything the template prints, as text, numbers and the SVG drawn here."""

    title: str
    css: Any  # Markup: the package's own report.css
    disclaimer: str
    facts: list[tuple[str, str]]
    lines: list[Line]
    total: tuple[str, str]  # done / planned, percent
    grouped: bool
    summarised: str | None  # "quarter" | "year": the time before the current program
    not_yet: str | None  # the first day not counted yet
    pain_chart: Any  # Markup: drawn by rehab.export.svg
    pain_summary: dict[str, str] | None
    loads: list[dict[str, Any]]
    body_weight: str  # exercises done with body weight only, when the table would be long
    visa: list[tuple[str, int]]
    visa_left: str  # how many scores between the first and the latest are not shown
    visa_change: dict[str, Any] | None
    full_recovery: int
    flags: list[dict[str, Any]]
    flags_left: str
    skips: list[tuple[str, int]]
    skips_total: int
    notes: list[tuple[str, str, str]]
    notes_left: str  # how many earlier notes are not shown, "" if none
    voided: list[tuple[str, str, str, str]]
    voided_left: str
    decisions: list[dict[str, str]]
    decisions_left: str
    pauses: list[tuple[str, str, str, str]]
    pauses_left: str
    dagger: bool
    generated: str
    zone: str
    version: str


def view(report: Report, markup: Any = str) -> View:
    """The report as the template shows it. `markup` marks the SVG safe (jinja2's Markup)."""
    scope = report.scope
    phases_unverified, exercises_unverified = _unverified_names(scope)
    done = sum(r.done for r in report.rows)
    planned = sum(r.planned for r in report.rows)
    shown = {p for r in report.rows for p in r.phases} | {report.phase_now or ""}
    dagger = bool(phases_unverified & shown) or any(
        s.exercise_id in exercises_unverified for s in report.loads
    )
    notes = report.notes[-NOTES_LIMIT:]
    voided = report.voided[-CORRECTIONS_LIMIT:]
    visa = _first_and_latest(report.visa, VISA_LIMIT)
    loaded, body_weight = list(report.loads), []
    if len(loaded) > LOADS_LIMIT:  # a long table of "0 kg → 0 kg" says one thing: one line
        body_weight = [s for s in loaded if not any(v for _, v in s.points)]
        loaded = [s for s in loaded if any(v for _, v in s.points)]
    flags = _flags_shown(report.flags)
    decisions = report.decisions[-DECISIONS_LIMIT:]
    pauses = report.pauses[-PAUSES_LIMIT:]
    return View(
        title=f"Rehab progress report: {scope.patient.name}, {scope.first} to {scope.last}",
        css=markup(_css()),  # our own package data: escaping would break its quotes and `>`
        disclaimer=DISCLAIMER,
        facts=_facts(report),
        lines=_lines(report, phases_unverified),
        total=(f"{done} / {planned}", _percent(done, planned)),
        grouped=report.grouped,
        summarised=report.summarised,
        not_yet=None if scope.last < scope.today else _d(scope.today),
        pain_chart=_pain_chart(report, markup),
        pain_summary=_pain_summary(report),
        loads=[
            {
                "name": series.name
                + (f" {DAGGER}" if series.exercise_id in exercises_unverified else ""),
                "days": len(series.points),
                "course": f"{_kg(series.points[0][1])} → {_kg(series.points[-1][1])}",
                "most": _kg(max(v for _, v in series.points)),
                "spark": markup(svg.sparkline(series.points, first=scope.first, last=scope.last)),
            }
            for series in loaded
        ],
        body_weight=", ".join(f"{s.name} ({_plural(len(s.points), 'day')})" for s in body_weight),
        visa=[(_d(d), s) for d, s in visa],
        visa_left=_between(len(report.visa) - len(visa)),
        visa_change=_visa_change(report.visa),
        full_recovery=FULL_RECOVERY_SCORE,
        flags=[_flag(scope, item) for item in flags],
        flags_left=_left(len(report.flags) - len(flags), "red flag", "(all cleared) "),
        skips=report.skips,
        skips_total=sum(n for _, n in report.skips),
        notes=[(_short(scope, n.day), n.what, n.text) for n in notes],
        notes_left=_left(len(report.notes) - len(notes), "note"),
        voided=[
            (
                _short(scope, v.day),
                v.what,
                _stamp(scope, v.logged_at, v.day),
                _stamp(scope, v.voided_at, v.logged_at.astimezone(scope.zone).date()),
            )
            for v in voided
        ],
        voided_left=_corrections_left(report.voided, len(voided)),
        decisions=[_decision(scope, c) for c in decisions],
        decisions_left=_left(len(report.decisions) - len(decisions), "decision"),
        pauses_left=_left(len(report.pauses) - len(pauses), "pause"),
        pauses=[
            (
                _d(p.start_date),
                _d(p.end_date) if p.end_date else "still paused",
                p.reason,
                _when(scope, p.created_at),
            )
            for p in pauses
        ],
        dagger=dagger,
        generated=_when(scope, scope.generated_at),
        zone=scope.zone.key,
        version=__version__,
    )


def _facts(report: Report) -> list[tuple[str, str]]:
    scope = report.scope
    facts: list[tuple[str, str]] = [("Patient", scope.patient.name)]
    current = report.current
    if current is None:
        facts.append(("Program", "none in this period"))
    else:
        row = current.enrollment
        facts += [
            ("Program", row.program_name),
            ("Side", row.side),
            ("Started", _d(row.start_date)),
        ]
        weeks = current.program.weeks
        if report.week_now is not None:
            week = f"week {report.week_now} of {weeks}"
        else:
            week = f"not started ({weeks} weeks planned)"
        if report.paused_now:
            week += ", paused"
        facts.append(("Now", week))
        if report.phase_now is not None:
            mark = f" {DAGGER}" if report.phase_unverified else ""
            facts.append(("Phase", report.phase_now + mark))
        if current.end is not None:
            facts.append(("Planned end", _d(current.end)))
    facts.append(("Period", f"{_d(scope.first)} – {_d(scope.last)}"))
    facts.append(("Time zone", scope.zone.key))
    return facts


def _lines(report: Report, unverified: set[str]) -> list[Line]:
    names = {item.program.id: item.enrollment.program_name for item in report.scope.enrollments}
    several = len({r.program_id for r in report.rows if r.program_id}) > 1
    program = None
    lines: list[Line] = []
    if report.summarised and report.rows and report.rows[0].kind == "period":
        lines.append(Line("program", f"Before the current program, per {report.summarised}"))
    for row in report.rows:
        if row.kind == "period":
            lines.append(_period_line(row, names))
            continue
        if report.summarised and row.program_id and program is None:
            several = True  # the current program gets its heading after the periods
        if several and row.program_id and row.program_id != program:
            program = row.program_id
            lines.append(Line("program", names.get(program, program)))
        dates = _span(row.first, row.last)
        if row.kind != "active":
            lines.append(Line(row.kind, row.label, dates))
            continue
        lines.append(
            Line(
                "active",
                row.label,
                dates,
                f"{row.done} / {row.planned}",
                "–" if row.percent is None else f"{row.percent}%",
                ", ".join(p + (f" {DAGGER}" if p in unverified else "") for p in row.phases),
                _plural(row.paused_days, "paused day") if row.paused_days else "",
            )
        )
    return lines


def _period_line(row: ReportRow, names: dict[str, str]) -> Line:
    """A quarter or year before the current program: its counts and the programs in it, by
    the short form of their names ('Plantar fasciitis' for 'Plantar fasciitis: stretch…'),
    two at most and then how many more, so that the row prints on one line."""
    short = list(dict.fromkeys(names.get(p, p).split(":")[0].strip() for p in row.phases))
    programs = ", ".join(short[:2])
    if len(short) > 3:
        programs += f" and {len(short) - 2} more"
    elif len(short) == 3:
        programs = f"{short[0]}, {short[1]} and {short[2]}"
    return Line(
        "active",
        row.label,
        _span(row.first, row.last),
        f"{row.done} / {row.planned}",
        "–" if row.percent is None else f"{row.percent}%",
        programs or "no program",
        _plural(row.paused_days, "paused day") if row.paused_days else "",
    )


def _pauses_inclusive(report: Report) -> list[tuple[date, date]]:
    last = report.scope.last
    return [
        (p.start, last if p.end is None else p.end - timedelta(days=1))
        for p in report.markers.pauses
        if p.end is None or p.end > p.start
    ]


def _pain_chart(report: Report, markup: Any) -> Any:
    scope, pain = report.scope, report.pain
    if not (pain.morning or pain.during or pain.after):
        return None
    return markup(
        svg.pain_chart(
            first=scope.first,
            last=scope.last,
            morning=pain.morning,
            average=moving_average(pain.morning),
            during=pain.during,
            after=pain.after,
            phases=sorted([*_phase_names(report), *report.program_starts]),
            pauses=_pauses_inclusive(report),
        )
    )


def _pain_summary(report: Report) -> dict[str, str] | None:
    morning = report.pain.morning
    if not morning:
        return None
    first_week = [v for d, v in morning if d < morning[0][0] + timedelta(days=7)]
    last_week = [v for d, v in morning if d > morning[-1][0] - timedelta(days=7)]
    return {
        "days": _plural(len(morning), "day"),
        "first": _mean(first_week),
        "last": _mean(last_week),
    }


def _phase_names(report: Report) -> list[tuple[date, str]]:
    """Phase changes with the phase's name (the markers carry the phase id)."""
    result = []
    for day, phase_id in report.markers.phase_changes:
        name = phase_id
        for item in report.scope.enrollments:
            try:
                name = item.program.phase(phase_id).name
                break
            except KeyError:
                continue
        result.append((day, name))
    return result


def _visa_change(scores: trends.DailySeries) -> dict[str, Any] | None:
    if len(scores) < 2:
        return None
    first, last = scores[0][1], scores[-1][1]
    change = last - first
    return {
        "first": first,
        "last": last,
        "change": f"{change:+d}",
        "size": "at least" if abs(change) >= CLINICALLY_IMPORTANT_CHANGE else "less than",
        "important": CLINICALLY_IMPORTANT_CHANGE,
    }


def _flag(scope: Scope, item: RaisedFlag) -> dict[str, Any]:
    """A red flag as printed: the day, the flags in words, and who cleared it when."""
    names = "; ".join(f"{i}: {red_flag(i).label or red_flag(i).question}" for i in item.ids)
    if item.source == "log":
        names = f"from the log: {names}" + (f" ({item.detail})" if item.detail else "")
    if item.paused_from is None:
        pause = "no program to pause"
    elif item.paused_to is None:
        pause = f"paused since {_d(item.paused_from)}"
    else:
        pause = f"paused {_d(item.paused_from)} to {_d(item.paused_to)}"
    if item.cleared_by is None or item.cleared_on is None:
        cleared = "not cleared yet"
    else:
        cleared = f"cleared by {item.cleared_by} on {_d(item.cleared_on)}"
    after = "; the answer was taken back after its clearance" if item.voided else ""
    return {"day": _d(item.day), "names": names, "cleared": cleared, "pause": pause, "after": after}


def _decision(scope: Scope, change: PhaseRow) -> dict[str, str]:
    phase = (
        f"{_phase_of(scope, change.enrollment_id, change.from_phase)} → "
        f"{_phase_of(scope, change.enrollment_id, change.to_phase)}"
    )
    if change.load_level:
        phase += f", load level {change.load_level}"
    return {
        "from": _d(change.effective_date),
        "decision": change.decision,
        "phase": phase,
        "accepted": _when(scope, change.accepted_at),
        "withdrawn": "" if change.voided_at is None else _when(scope, change.voided_at),
        "by": change.decided_by,
        "why": change.reason,
    }


def _phase_of(scope: Scope, enrollment_id: int, phase_id: str | None) -> str:
    """'Phase 2' for the id 'phase-2' (the name's short form), the id if it is unknown."""
    program = scope.program_of(enrollment_id)
    if phase_id is None or program is None:
        return phase_id or "–"
    try:
        return svg.short_phase(program.phase(phase_id).name)
    except KeyError:
        return phase_id


# --- rendering ------------------------------------------------------------------------------


@cache
def _css() -> str:
    from importlib.resources import files as package_files

    return (package_files("rehab.export") / "templates" / "report.css").read_text("utf-8")


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("rehab.export", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render(report: Report) -> str:
    """The report as one HTML page (Jinja2, autoescaped; the SVG charts marked safe)."""
    from markupsafe import Markup

    return _environment().get_template(TEMPLATE).render(v=view(report, Markup))


def export(session: Session, scope: Scope, target: files.Target) -> dict[str, int]:
    report = gather(session, scope)
    page = render(report)
    with files.open_text(target) as handle:
        handle.write(page)
    return {
        "adherence rows": sum(r.kind in ("active", "period") for r in report.rows),
        "pain days": len(report.pain.morning),
        "notes": len(report.notes),
        "corrections": len(report.voided),
    }
