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
# The latest notes and corrections shown; the rest are in the CSV and JSON exports. With
# both lists full, a long history still prints on two sheets of A4 or Letter.
NOTES_LIMIT = 16
CORRECTIONS_LIMIT = 12
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
    kind: str  # active | paused | off
    done: int
    planned: int
    phases: tuple[str, ...]
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
    return Report(
        scope=scope,
        current=current,
        week_now=week_now,
        phase_now=phase_now,
        phase_unverified=unverified,
        paused_now=paused_now,
        rows=adherence_rows(weeks),
        grouped=sum(w.status == "active" for w in weeks) > GROUP_AFTER_WEEKS,
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


def _left(count: int, noun: str) -> str:
    """'3 earlier notes are not shown here' ('' for none)."""
    if count <= 0:
        return ""
    verb = "is" if count == 1 else "are"
    return f"{_plural(count, 'earlier ' + noun)} {verb} not shown here"


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
    css: str
    disclaimer: str
    facts: list[tuple[str, str]]
    lines: list[Line]
    total: tuple[str, str]  # done / planned, percent
    grouped: bool
    not_yet: str | None  # the first day not counted yet
    pain_chart: Any  # Markup: drawn by rehab.export.svg
    pain_summary: dict[str, str] | None
    loads: list[dict[str, Any]]
    visa: list[tuple[str, int]]
    visa_change: dict[str, Any] | None
    full_recovery: int
    flags: list[dict[str, Any]]
    skips: list[tuple[str, int]]
    skips_total: int
    notes: list[tuple[str, str, str]]
    notes_left: str  # how many earlier notes are not shown, "" if none
    voided: list[tuple[str, str, str, str]]
    voided_left: str
    decisions: list[dict[str, str]]
    pauses: list[tuple[str, str, str, str]]
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
    return View(
        title=f"Rehab progress report: {scope.patient.name}, {scope.first} to {scope.last}",
        css=_css(),
        disclaimer=DISCLAIMER,
        facts=_facts(report),
        lines=_lines(report, phases_unverified),
        total=(f"{done} / {planned}", _percent(done, planned)),
        grouped=report.grouped,
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
            for series in report.loads
        ],
        visa=[(_d(d), s) for d, s in report.visa],
        visa_change=_visa_change(report.visa),
        full_recovery=FULL_RECOVERY_SCORE,
        flags=[_flag(scope, item) for item in report.flags],
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
        voided_left=_left(len(report.voided) - len(voided), "correction"),
        decisions=[_decision(scope, c) for c in report.decisions],
        pauses=[
            (
                _d(p.start_date),
                _d(p.end_date) if p.end_date else "still paused",
                p.reason,
                _when(scope, p.created_at),
            )
            for p in report.pauses
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
    for row in report.rows:
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
    names = "; ".join(f"{i}: {red_flag(i).question or red_flag(i).label}" for i in item.ids)
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
        "adherence rows": sum(r.kind == "active" for r in report.rows),
        "pain days": len(report.pain.morning),
        "notes": len(report.notes),
        "corrections": len(report.voided),
    }
