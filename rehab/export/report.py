"""The printable report: one self-contained HTML file for the therapist, about two pages on
A4 or Letter.

Self-contained means it opens and prints with no network: inline CSS, inline SVG, no
scripts, no fonts, images or links to fetch (a Content-Security-Policy says so to the
browser too). Everything a person typed (notes, reasons, names) is HTML-escaped.

The figures come from the same aggregate queries as the app's charts and weekly summary
(`rehab.store.trends`), each bounded by the range, so the report of the last 12 weeks costs
the same on ten years of history as on twelve weeks. The lists (notes, corrections) come
from queries that read only rows with something to show. `Report` gathers the figures;
`render` turns them into HTML without touching the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from html import escape
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as columns
from sqlmodel import Session, col

from rehab import __version__
from rehab.core.redflags import flag as red_flag
from rehab.core.schedule import current_phase, program_day
from rehab.core.series import moving_average
from rehab.core.template import Program
from rehab.core.visa import CLINICALLY_IMPORTANT_CHANGE, FULL_RECOVERY_SCORE
from rehab.export import DISCLAIMER, files, source, svg
from rehab.export.scope import Enrolled, Scope
from rehab.store import journal, trends
from rehab.store.models import DoseLog

GROUP_AFTER_WEEKS = 16  # more program weeks than this: 4-week blocks
LIST_LIMIT = 40  # notes or corrections shown; the rest are in the CSV/JSON export


def h(value: object) -> str:
    """Escape anything a person or file may have written."""
    return escape("" if value is None else str(value), quote=True)


# --- what goes in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
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
class Flag:
    """Red flags raised together (one answer sheet, or one finding in the log)."""

    day: date
    ids: tuple[str, ...]
    source: str  # answer | log
    detail: str | None
    voided: bool  # the entry that raised it was taken back later, after its clearance
    paused_from: date | None
    paused_to: date | None
    cleared_by: str | None
    cleared_on: date | None


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
    rows: list[Row]
    grouped: bool
    pain: trends.DailyPain
    markers: trends.Markers
    program_starts: list[tuple[date, str]]  # enrollments that began inside the range
    loads: list[trends.LoadSeries]
    visa: trends.DailySeries
    skips: list[tuple[str, int]]
    notes: list[Note]
    flags: list[Flag]
    voided: list[Voided]
    decisions: list[source.PhaseRow]
    pauses: list[source.PauseRow]


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
    read = source.session_reader(session)
    pauses = list(source.pauses(read, scope.span))
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
        skips=skip_reasons(session, scope),
        notes=notes(session, scope),
        flags=raised_flags(session, scope),
        voided=voided(session, scope),
        decisions=list(source.phases(read, scope.span)),
        pauses=pauses,
    )


def adherence_rows(weeks: Sequence[trends.Week]) -> list[Row]:
    """Program weeks as rows; more than 16 become blocks of 4 (13 past two years). A short
    pause is counted inside its week (the week goes on after it); a pause of a week or more,
    and time without a program, get a row of their own."""
    numbered = {(w.program_id, w.number) for w in weeks if w.status == "active"}
    size = 1 if len(numbered) <= GROUP_AFTER_WEEKS else 4 if len(numbered) <= 104 else 13
    rows: list[Row] = []
    block: list[trends.Week] = []

    def flush() -> None:
        if block:
            rows.append(_block_row(block))
            block.clear()

    def numbers() -> set[int | None]:
        return {w.number for w in block if w.status == "active"}

    for week in weeks:
        if week.status == "off" or (week.status == "paused" and _days(week) >= 7):
            flush()
            kind, label = ("off", "no program") if week.status == "off" else ("paused", "paused")
            if rows and rows[-1].kind == kind:
                rows[-1] = replace(
                    rows[-1], last=week.end, paused_days=rows[-1].paused_days + _days(week)
                )
            else:
                rows.append(
                    Row(
                        label,
                        week.start,
                        week.end,
                        kind,
                        0,
                        0,
                        (),
                        _days(week) if kind == "paused" else 0,
                    )
                )
            continue
        if week.status == "active" and block:
            other_program = block[0].program_id != week.program_id
            if other_program or (week.number not in numbers() and len(numbers()) >= size):
                flush()
        block.append(week)
    flush()
    return rows


def _days(week: trends.Week) -> int:
    return (week.end - week.start).days + 1


def _block_row(block: Sequence[trends.Week]) -> Row:
    active = [w for w in block if w.status == "active"]
    paused = sum(_days(w) for w in block if w.status == "paused")
    if not active:
        return Row(
            "paused", block[0].start, block[-1].end, "paused", 0, 0, (), paused, block[0].program_id
        )
    numbers = [w.number for w in active if w.number is not None]
    if not numbers:
        label = "after the program"
    elif numbers[0] == numbers[-1]:
        label = f"week {numbers[0]}"
    else:
        label = f"weeks {numbers[0]}–{numbers[-1]}"
    phases = tuple(dict.fromkeys(p for w in active for p in w.phases))
    return Row(
        label,
        block[0].start,
        block[-1].end,
        "active",
        sum(w.done for w in active),
        sum(w.planned for w in active),
        phases,
        paused,
        block[0].program_id,
    )


def _live_doses(scope: Scope) -> list[ColumnElement[bool]]:
    return [
        col(DoseLog.enrollment_id).in_(scope.enrollment_ids),
        col(DoseLog.plan_date) >= scope.first,
        col(DoseLog.plan_date) <= scope.last,
    ]


def skip_reasons(session: Session, scope: Scope) -> list[tuple[str, int]]:
    """Skipped entries (one per leg) per reason, most frequent first; undone ones left out."""
    if not scope.enrollments:
        return []
    rows = session.execute(
        columns(col(DoseLog.reason), func.count())
        .where(
            *_live_doses(scope), col(DoseLog.status) == "skipped", col(DoseLog.voided_at).is_(None)
        )
        .group_by(col(DoseLog.reason))
    ).all()
    counted = [(reason or "(no reason given)", int(n)) for reason, n in rows]
    return sorted(counted, key=lambda item: (-item[1], item[0]))


def notes(session: Session, scope: Scope) -> list[Note]:
    """What the patient wrote on check-offs, pain scores and symptom checks (not undone)."""
    from rehab.store.observations import PainEntry, SymptomCheck

    found: list[Note] = []
    names = source.Names(scope.span.snapshots)
    if scope.enrollments:
        for eid, day, exercise_id, note in session.execute(
            columns(
                col(DoseLog.enrollment_id),
                col(DoseLog.plan_date),
                col(DoseLog.exercise_id),
                col(DoseLog.note),
            ).where(
                *_live_doses(scope),
                col(DoseLog.note).is_not(None),
                col(DoseLog.voided_at).is_(None),
            )
        ).all():
            found.append(Note(day, names(eid, exercise_id, 1)[2], note))
    for day, context, score, note in session.execute(
        columns(
            col(PainEntry.local_date),
            col(PainEntry.context),
            col(PainEntry.score),
            col(PainEntry.note),
        ).where(
            col(PainEntry.patient_id) == scope.patient_id,
            col(PainEntry.local_date) >= scope.first,
            col(PainEntry.local_date) <= scope.last,
            col(PainEntry.note).is_not(None),
            col(PainEntry.voided_at).is_(None),
        )
    ).all():
        found.append(Note(day, f"pain {score}/10 ({context})", note))
    for day, note in session.execute(
        columns(col(SymptomCheck.check_date), col(SymptomCheck.note)).where(
            col(SymptomCheck.patient_id) == scope.patient_id,
            col(SymptomCheck.check_date) >= scope.first,
            col(SymptomCheck.check_date) <= scope.last,
            col(SymptomCheck.note).is_not(None),
            col(SymptomCheck.voided_at).is_(None),
        )
    ).all():
        text = str(note)
        if text:
            found.append(Note(day, "symptom check", text))
    return sorted(found, key=lambda n: n.day)


def raised_flags(session: Session, scope: Scope) -> list[Flag]:
    """Red flags raised in the range, each with the pause it opened and who cleared it."""
    from rehab.store.models import Pause
    from rehab.store.observations import PainEntry, RedFlagEntry, SymptomCheck

    rows = session.execute(
        columns(
            col(RedFlagEntry.raised_on),
            col(RedFlagEntry.raised_at),
            col(RedFlagEntry.flag),
            col(RedFlagEntry.source),
            col(RedFlagEntry.detail),
            col(RedFlagEntry.cleared_by),
            col(RedFlagEntry.cleared_on),
            col(Pause.start_date),
            col(Pause.end_date),
            col(SymptomCheck.voided_at),
            col(PainEntry.voided_at),
        )
        .select_from(RedFlagEntry)
        .outerjoin(Pause, col(Pause.id) == col(RedFlagEntry.pause_id))
        .outerjoin(SymptomCheck, col(SymptomCheck.id) == col(RedFlagEntry.check_id))
        .outerjoin(PainEntry, col(PainEntry.id) == col(RedFlagEntry.pain_id))
        .where(
            col(RedFlagEntry.patient_id) == scope.patient_id,
            col(RedFlagEntry.raised_on) >= scope.first,
            col(RedFlagEntry.raised_on) <= scope.last,
        )
        .order_by(col(RedFlagEntry.raised_on), col(RedFlagEntry.id))
    ).all()
    groups: dict[tuple[date, datetime, str], list[Any]] = {}
    for row in rows:
        groups.setdefault((row[0], row[1], row[3]), []).append(row)
    found = []
    for (day, _, origin), members in groups.items():
        first = members[0]
        found.append(
            Flag(
                day=day,
                ids=tuple(m[2] for m in members),
                source=str(origin),
                detail=first[4],
                voided=first[9] is not None or first[10] is not None,
                paused_from=first[7],
                paused_to=first[8],
                cleared_by=first[5],
                cleared_on=first[6],
            )
        )
    return found


def voided(session: Session, scope: Scope) -> list[Voided]:
    """Entries taken back: check-offs and skips (one line per command), pain scores, checks
    and questionnaires, oldest first."""
    from rehab.store.observations import Assessment, PainEntry, SymptomCheck

    found: list[Voided] = []
    names = source.Names(scope.span.snapshots)
    if scope.enrollments:
        for eid, day, exercise_id, status, entries, logged_at, voided_at in session.execute(
            columns(
                func.min(DoseLog.enrollment_id),
                func.min(DoseLog.plan_date),
                func.min(DoseLog.exercise_id),
                func.min(DoseLog.status),
                func.count(),
                func.min(DoseLog.logged_at),
                func.max(DoseLog.voided_at),
            )
            .where(*_live_doses(scope), col(DoseLog.voided_at).is_not(None))
            .group_by(col(DoseLog.action))
        ).all():
            what = "check-off" if status == "done" else "skip"
            name = names(eid, exercise_id, 1)[2]
            found.append(
                Voided(
                    day,
                    f"{what}: {name}" + (f" ×{entries}" if entries > 1 else ""),
                    source.instant(logged_at),
                    source.instant(voided_at),
                )
            )
    for day, context, score, logged_at, voided_at in session.execute(
        columns(
            col(PainEntry.local_date),
            col(PainEntry.context),
            col(PainEntry.score),
            col(PainEntry.logged_at),
            col(PainEntry.voided_at),
        ).where(
            col(PainEntry.patient_id) == scope.patient_id,
            col(PainEntry.local_date) >= scope.first,
            col(PainEntry.local_date) <= scope.last,
            col(PainEntry.voided_at).is_not(None),
        )
    ).all():
        found.append(Voided(day, f"pain {score}/10 ({context})", logged_at, voided_at))
    for day, logged_at, voided_at in session.execute(
        columns(
            col(SymptomCheck.check_date), col(SymptomCheck.logged_at), col(SymptomCheck.voided_at)
        ).where(
            col(SymptomCheck.patient_id) == scope.patient_id,
            col(SymptomCheck.check_date) >= scope.first,
            col(SymptomCheck.check_date) <= scope.last,
            col(SymptomCheck.voided_at).is_not(None),
        )
    ).all():
        found.append(Voided(day, "symptom check", logged_at, voided_at))
    for day, score, logged_at, voided_at in session.execute(
        columns(
            col(Assessment.taken_on),
            col(Assessment.score),
            col(Assessment.logged_at),
            col(Assessment.voided_at),
        ).where(
            col(Assessment.patient_id) == scope.patient_id,
            col(Assessment.taken_on) >= scope.first,
            col(Assessment.taken_on) <= scope.last,
            col(Assessment.voided_at).is_not(None),
        )
    ).all():
        found.append(Voided(day, f"VISA-A {score}", logged_at, voided_at))
    return sorted(found, key=lambda v: (v.voided_at, v.day))


# --- how it looks ---------------------------------------------------------------------------

CSS = """
@page { margin: 12mm 12mm 13mm; }
* { box-sizing: border-box; }
html { font: 8.5pt/1.3 Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif;
  color: #111; background: #fff; }
body { margin: 0 auto; max-width: 186mm; }
@media screen { body { padding: 6mm 4mm; } }
h1 { font-size: 14pt; margin: 0 0 1mm; }
h2 { font-size: 10pt; margin: 3.5mm 0 1.2mm; padding-bottom: 0.4mm;
  border-bottom: 0.8pt solid #333; break-after: avoid; }
h3 { font-size: 8.5pt; margin: 2mm 0 0.8mm; break-after: avoid; }
p { margin: 0.8mm 0; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 0.3mm 1.4mm; text-align: left; vertical-align: top;
  border-bottom: 0.5pt solid #bbb; }
th { font-weight: bold; border-bottom: 0.8pt solid #333; }
tfoot td { font-weight: bold; border-top: 0.8pt solid #333; border-bottom: none; }
.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.nowrap { white-space: nowrap; }
tr, figure, .keep { break-inside: avoid; }
figure { margin: 1mm 0 0; }
figure svg.chart { width: 100%; height: auto; display: block; }
svg.spark { vertical-align: middle; }
.facts { display: grid; grid-template-columns: auto 1fr auto 1fr; gap: 0.3mm 3mm; margin: 1mm 0; }
.facts dt { font-weight: bold; }
.facts dd { margin: 0; }
.disclaimer { border: 1.2pt solid #000; padding: 1mm 2mm; font-weight: bold; margin: 1.5mm 0; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 0 6mm; }
.cols > section { min-width: 0; }
.quiet { color: #444; }
tr.paused td, tr.off td { font-style: italic; color: #444; }
.note { white-space: pre-wrap; overflow-wrap: anywhere; }
ul.list { font-size: 7.8pt; columns: 2; column-gap: 6mm; margin: 0.5mm 0; padding: 0;
  list-style: none; }
ul.list li { break-inside: avoid; padding: 0.2mm 0 0.2mm 3mm; text-indent: -3mm;
  border-bottom: 0.5pt solid #ddd; }
footer { margin-top: 3mm; font-size: 7.5pt; color: #333; }
"""

DAGGER = "†"


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


def _local_day(scope: Scope, moment: datetime) -> date:
    return moment.astimezone(scope.zone).date()


def _stamp(scope: Scope, moment: datetime, day: date) -> str:
    """'19:05' on `day` itself, else '21 Apr 19:05' (all in the patient's zone)."""
    local = moment.astimezone(scope.zone)
    if local.date() == day:
        return f"{local:%H:%M}"
    return f"{local.day} {local:%b} {local:%H:%M}"


def _kg(value: float) -> str:
    return f"{value:g} kg"


def _unverified_names(scope: Scope) -> tuple[set[str], set[str]]:
    """Phase names and exercise ids marked unverified in the programs of the range."""
    phases: set[str] = set()
    exercises: set[str] = set()
    for item in scope.enrollments:
        program: Program = item.program
        phases.update(p.name for p in program.phases if p.unverified)
        exercises.update(e.id for e in program.exercises if e.unverified)
    return phases, exercises


def render(report: Report) -> str:
    scope = report.scope
    title = f"Rehab progress report: {scope.patient.name}, {scope.first} to {scope.last}"
    body = [
        _header(report),
        _adherence(report),
        _pain(report),
        _loads(report),
        '<div class="cols">',
        _visa(report),
        _skips(report),
        "</div>",
        _flags(report),
        _notes(report),
        _corrections(report),
        _footer(report),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{h(title)}</title><style>{CSS}</style></head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body></html>\n"
    )


def _header(report: Report) -> str:
    scope = report.scope
    facts: list[tuple[str, str]] = [("Patient", h(scope.patient.name))]
    current = report.current
    if current is None:
        facts.append(("Program", "none in this period"))
    else:
        row = current.enrollment
        facts += [
            ("Program", h(row.program_name)),
            ("Side", h(row.side)),
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
            facts.append(("Phase", h(report.phase_now) + mark))
        if current.end is not None:
            facts.append(("Planned end", _d(current.end)))
    facts.append(("Period", f"{_d(scope.first)} – {_d(scope.last)}"))
    facts.append(("Time zone", h(scope.zone.key)))
    cells = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    return (
        "<header>"
        f"<h1>Home rehab progress report</h1>"
        f'<dl class="facts">{cells}</dl>'
        f'<p class="disclaimer">{h(DISCLAIMER)}</p>'
        "</header>"
    )


def _adherence(report: Report) -> str:
    unverified, _ = _unverified_names(report.scope)
    lines = []
    names = {item.program.id: item.enrollment.program_name for item in report.scope.enrollments}
    several = len({r.program_id for r in report.rows if r.program_id}) > 1
    program = None
    for row in report.rows:
        if several and row.program_id and row.program_id != program:
            program = row.program_id
            lines.append(
                f'<tr class="program"><th colspan="5">{h(names.get(program, program))}</th></tr>'
            )
        if row.kind == "off":
            lines.append(
                f'<tr class="off"><td>no program</td><td>{_span(row.first, row.last)}</td>'
                '<td class="n">–</td><td class="n">–</td><td></td></tr>'
            )
            continue
        if row.kind == "paused":
            lines.append(
                f'<tr class="paused"><td>paused</td>'
                f'<td class="nowrap">{_span(row.first, row.last)}</td>'
                '<td class="n">–</td><td class="n">paused</td><td>not counted as missed</td></tr>'
            )
            continue
        phases = ", ".join(h(p) + (f" {DAGGER}" if p in unverified else "") for p in row.phases)
        if row.paused_days:
            days = _plural(row.paused_days, "paused day")
            phases += f' <span class="quiet">({days} not counted)</span>'
        percent = "–" if row.percent is None else f"{row.percent}%"
        lines.append(
            f"<tr><td>{h(row.label)}</td><td class='nowrap'>{_span(row.first, row.last)}</td>"
            f'<td class="n">{row.done} / {row.planned}</td><td class="n">{percent}</td>'
            f"<td>{phases}</td></tr>"
        )
    done = sum(r.done for r in report.rows)
    planned = sum(r.planned for r in report.rows)
    total = "–" if planned == 0 else f"{round(100 * done / planned)}%"
    grouped = " in 4-week blocks" if report.grouped else ""
    return (
        '<section id="adherence">'
        f"<h2>Adherence: planned doses done, per program week{grouped}</h2>"
        '<table class="keep"><thead><tr><th class="nowrap">Program week</th><th>Dates</th>'
        '<th class="n">Done / planned</th><th class="n">%</th><th>Phase</th></tr></thead>'
        f"<tbody>{''.join(lines)}</tbody>"
        f'<tfoot><tr><td>Total</td><td></td><td class="n">{done} / {planned}</td>'
        f'<td class="n">{total}</td><td></td></tr></tfoot></table>'
        '<p class="quiet">A dose counts as done when all its sets were checked off. Paused days '
        "plan nothing, so they are not missed doses; as-needed items (icing) are not counted."
        f"{_not_yet(report.scope)}</p></section>"
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _not_yet(scope: Scope) -> str:
    if scope.last < scope.today:
        return ""
    return f" Days from {_d(scope.today)} on are not counted yet: they are not over."


def _pauses_inclusive(report: Report) -> list[tuple[date, date]]:
    last = report.scope.last
    return [
        (p.start, last if p.end is None else p.end - timedelta(days=1))
        for p in report.markers.pauses
        if p.end is None or p.end > p.start
    ]


def _pain(report: Report) -> str:
    scope, pain = report.scope, report.pain
    if not (pain.morning or pain.during or pain.after):
        return (
            '<section id="pain"><h2>Pain trend</h2><p>No morning pain and no pain during or '
            "after exercise were logged in this period (the chart shows those; scores at rest "
            "or at night are in the CSV and JSON exports).</p></section>"
        )
    chart = svg.pain_chart(
        first=scope.first,
        last=scope.last,
        morning=pain.morning,
        average=moving_average(pain.morning),
        during=pain.during,
        after=pain.after,
        phases=sorted([*_phase_names(report), *report.program_starts]),
        pauses=_pauses_inclusive(report),
    )
    morning = [v for _, v in pain.morning]
    summary = ""
    if morning:
        first_week = [v for d, v in pain.morning if d < pain.morning[0][0] + timedelta(days=7)]
        last_week = [v for d, v in pain.morning if d > pain.morning[-1][0] - timedelta(days=7)]
        summary = (
            f"<p>Morning pain (0–10) on {_plural(len(morning), 'day')}: mean "
            f"{_mean(first_week)} in the "
            f"first logged week, {_mean(last_week)} in the last. "
            f'<span class="quiet">The pain guide allows up to 5/10 during exercise; a change of '
            "about 2 points (or 30%) is considered clinically important.</span></p>"
        )
    return f'<section id="pain"><h2>Pain trend</h2><figure>{chart}</figure>{summary}</section>'


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


def _mean(values: Sequence[int]) -> str:
    return f"{sum(values) / len(values):.1f}" if values else "–"


def _loads(report: Report) -> str:
    scope = report.scope
    _, unverified = _unverified_names(scope)
    if not report.loads:
        body = "<p>No strengthening exercises were checked off in this period.</p>"
    else:
        lines = []
        for series in report.loads:
            values = [v for _, v in series.points]
            mark = f" {DAGGER}" if series.exercise_id in unverified else ""
            spark = svg.sparkline(series.points, first=scope.first, last=scope.last)
            lines.append(
                f"<tr><td>{h(series.name)}{mark}</td><td class='n'>{len(values)}</td>"
                f"<td class='n'>{_kg(values[0])} → {_kg(values[-1])}</td>"
                f"<td class='n'>{_kg(max(values))}</td><td>{spark}</td></tr>"
            )
        body = (
            '<table class="keep"><thead><tr><th>Exercise</th><th class="n">Days</th>'
            '<th class="n">First → last</th><th class="n">Most</th><th>Course</th></tr></thead>'
            f"<tbody>{''.join(lines)}</tbody></table>"
            '<p class="quiet">Extra load on top of body weight, heaviest of each day.</p>'
        )
    return f'<section id="load"><h2>Load progression</h2>{body}</section>'


def _visa(report: Report) -> str:
    scores = report.visa
    if not scores:
        body = "<p>No VISA-A questionnaire was filled in during this period.</p>"
    else:
        rows = "".join(f"<tr><td>{_d(d)}</td><td class='n'>{s}</td></tr>" for d, s in scores)
        first, last = scores[0][1], scores[-1][1]
        change = last - first
        if len(scores) < 2:
            verdict = "One score so far: a change needs a second questionnaire."
        else:
            size = "at least" if abs(change) >= CLINICALLY_IMPORTANT_CHANGE else "less than"
            verdict = (
                f"Change {first} → {last}: <b>{change:+d} points</b>, {size} the "
                f"{CLINICALLY_IMPORTANT_CHANGE}-point change considered clinically important "
                "(over about 12 weeks)."
            )
        body = (
            '<table class="keep"><thead><tr><th>Taken</th><th class="n">Score (0–100)</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>"
            f'<p class="visa-change">{verdict}</p>'
            f'<p class="quiet">100 means no symptoms; about {FULL_RECOVERY_SCORE} is usual '
            "after recovery. A score is a questionnaire total, not a diagnosis.</p>"
        )
    return f'<section id="visa"><h2>VISA-A (Achilles questionnaire)</h2>{body}</section>'


def _cleared(item: Flag) -> str:
    """Who cleared a red flag and when, or that it is still open."""
    if item.paused_from is None:
        pause = "no program to pause"
    elif item.paused_to is None:
        pause = f"paused since {_d(item.paused_from)}"
    else:
        pause = f"paused {_d(item.paused_from)} to {_d(item.paused_to)}"
    if item.cleared_by is None or item.cleared_on is None:
        return f"<b>not cleared yet</b>; {pause}"
    return f"<b>cleared by {h(item.cleared_by)} on {_d(item.cleared_on)}</b>; {pause}"


def _flags(report: Report) -> str:
    lines = []
    for item in report.flags:
        names = "; ".join(h(f"{i}: {red_flag(i).question or red_flag(i).label}") for i in item.ids)
        if item.source == "log":
            names = f"from the log: {names}" + (f" ({h(item.detail)})" if item.detail else "")
        state = _cleared(item)
        if item.voided:
            state += "; the answer was taken back after its clearance"
        lines.append(
            f"<tr><td class='nowrap'>{_d(item.day)}</td><td>{names}</td><td>{state}</td></tr>"
        )
    if not lines:
        body = "<p>No red flags were raised in this period.</p>"
    else:
        body = (
            '<table class="keep"><thead><tr><th>Raised</th><th>Red flag</th>'
            f"<th>Cleared</th></tr></thead><tbody>{''.join(lines)}</tbody></table>"
        )
    return f'<section id="red-flags"><h2>Red flags</h2>{body}</section>'


def _skips(report: Report) -> str:
    if not report.skips:
        body = "<p>No doses were skipped in this period.</p>"
    else:
        rows = "".join(f"<tr><td>{h(r)}</td><td class='n'>{n}</td></tr>" for r, n in report.skips)
        total = sum(n for _, n in report.skips)
        body = (
            '<table class="keep"><thead><tr><th>Reason</th><th class="n">Skipped</th></tr>'
            f"</thead><tbody>{rows}</tbody>"
            f'<tfoot><tr><td>Total</td><td class="n">{total}</td></tr></tfoot></table>'
            '<p class="quiet">Counted per leg: a dose for both legs skipped counts twice.</p>'
        )
    return f'<section id="skips"><h2>Skipped doses, by reason</h2>{body}</section>'


def _limited(items: Sequence[object], what: str) -> tuple[Sequence[object], str]:
    if len(items) <= LIST_LIMIT:
        return items, ""
    left = len(items) - LIST_LIMIT
    return items[-LIST_LIMIT:], (
        f'<p class="quiet">{left} earlier {what} are not shown here; the CSV and JSON '
        "exports have them all.</p>"
    )


def _notes(report: Report) -> str:
    if not report.notes:
        return '<section id="notes"><h2>Notes</h2><p>No notes in this period.</p></section>'
    shown, more = _limited(report.notes, "notes")
    items = "".join(
        f"<li><b>{_short(report.scope, n.day)}</b> <span class='quiet'>{h(n.what)}:</span> "
        f"<span class='note'>{h(n.text)}</span></li>"
        for n in shown
        if isinstance(n, Note)
    )
    return (
        '<section id="notes"><h2>Notes by the patient</h2>'
        f'<ul class="list">{items}</ul>{more}</section>'
    )


def _corrections(report: Report) -> str:
    scope = report.scope
    parts = ['<section id="corrections"><h2>Corrections and decisions (audit trail)</h2>']
    if report.voided:
        shown, more = _limited(report.voided, "corrections")
        items = "".join(
            f"<li><b>{_short(scope, v.day)}</b> {h(v.what)} <span class='quiet'>entered "
            f"{_stamp(scope, v.logged_at, v.day)}, undone "
            f"{_stamp(scope, v.voided_at, _local_day(scope, v.logged_at))}</span></li>"
            for v in shown
            if isinstance(v, Voided)
        )
        parts.append(
            "<h3>Entries undone (kept in the log, marked void; not counted above)</h3>"
            f'<ul class="list" id="voided">{items}</ul>{more}'
        )
    else:
        parts.append("<p>No entries were taken back in this period.</p>")
    if report.decisions:
        rows = "".join(_decision(scope, c) for c in report.decisions)
        parts.append(
            '<h3>Phase and load decisions</h3><table id="decisions"><thead><tr><th>From</th>'
            "<th>Decision</th><th>Phase</th><th>Accepted</th><th>By</th><th>Why</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    if report.pauses:
        rows = "".join(
            f"<tr><td class='nowrap'>{_d(p.start_date)}</td><td class='nowrap'>"
            + (_d(p.end_date) if p.end_date else "still paused")
            + f"</td><td class='note'>{h(p.reason)}</td>"
            f"<td class='nowrap'>{_when(scope, p.created_at)}</td></tr>"
            for p in report.pauses
        )
        parts.append(
            '<h3>Pauses</h3><table id="pauses"><thead><tr><th>Paused from</th>'
            "<th>Resumed</th><th>Reason</th><th>Entered</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    parts.append("</section>")
    return "".join(parts)


def _decision(scope: Scope, change: source.PhaseRow) -> str:
    phase = (
        f"{_phase_of(scope, change.enrollment_id, change.from_phase)} → "
        f"{_phase_of(scope, change.enrollment_id, change.to_phase)}"
    )
    if change.load_level:
        phase += f", load level {change.load_level}"
    accepted = _when(scope, change.accepted_at)
    if change.voided_at is not None:
        accepted += f"; <b>withdrawn {_when(scope, change.voided_at)}</b>"
    return (
        f"<tr><td class='nowrap'>{_d(change.effective_date)}</td><td>{h(change.decision)}</td>"
        f"<td class='nowrap'>{h(phase)}</td><td class='nowrap'>{accepted}</td>"
        f"<td>{h(change.decided_by)}</td><td class='note'>{h(change.reason)}</td></tr>"
    )


def _phase_of(scope: Scope, enrollment_id: int, phase_id: str | None) -> str:
    """'Phase 2' for the id 'phase-2' (the name's short form), the id if it is unknown."""
    program = scope.program_of(enrollment_id)
    if phase_id is None or program is None:
        return phase_id or "–"
    try:
        return svg.short_phase(program.phase(phase_id).name)
    except KeyError:
        return phase_id


def _footer(report: Report) -> str:
    scope = report.scope
    phases, exercises = _unverified_names(scope)
    shown = {p for r in report.rows for p in r.phases} | {report.phase_now or ""}
    dagger = bool(phases & shown) or any(s.exercise_id in exercises for s in report.loads)
    note = (
        f"{DAGGER} Details of this phase or exercise are not verified: ask your clinician. "
        if dagger
        else ""
    )
    return (
        f"<footer><p>{note}The report shows no medication doses. Generated "
        f"{_when(scope, scope.generated_at)} ({h(scope.zone.key)}) by rehab {h(__version__)}. "
        f"<b>{h(DISCLAIMER)}</b></p></footer>"
    )


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
