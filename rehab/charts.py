"""Trend charts as text, drawn with plotext; the CLI prints them, and the app and the printable
report can show the same strings.

Each function takes plain series (lists of (date, value)) and returns the whole chart as one
string: axes with dates on x, a legend, and markers for phase changes and pauses. With
`color=False` the string has no escape codes at all, for pipes, files and the report. An
empty series gives one sentence saying how to log the first value, not axes around nothing.

plotext is imported inside the functions: `rehab --help` and `rehab today` never load it.
plotext keeps one global figure, so these functions are not safe to call from two threads
at once.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from rehab.core.series import Series, moving_average
from rehab.core.visa import CLINICALLY_IMPORTANT_CHANGE as CLINICALLY_IMPORTANT_VISA

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlmodel import Session

    from rehab.store.models import Patient
    from rehab.store.trends import Window


# plotext keeps one global figure: hold this while drawing from any thread (the app draws in
# workers, and a resize can start a second drawing before the first is done).
DRAWING = threading.Lock()

TICK_WIDTH = 13  # a date label and a little space


@dataclass(frozen=True)
class Marks:
    """What to mark on a time axis: accepted phase changes and pauses."""

    phases: Sequence[tuple[date, str]] = ()  # (first day of the phase, its id)
    pauses: Sequence[tuple[date, date | None]] = field(default=())  # [start, end) or open
    names: Mapping[str, str] = field(default_factory=dict)  # phase id -> its short name


def pain_chart(
    *,
    morning: Series,
    during: Series = (),
    after: Series = (),
    marks: Marks = Marks(),
    last: date,
    period: str = "",
    width: int = 80,
    height: int = 24,
    color: bool = False,
    for_app: bool = False,
) -> str:
    """Morning pain per day with its 7-day average, and pain during and after exercise, all
    on the 0–10 scale; phase changes and pauses marked."""
    if not (morning or during or after):
        return _sentence("morning pain logged", period, HINTS[for_app]["pain"])
    chart = _Chart(width, height, color)
    if morning:
        chart.points(morning, "•", "blue", "morning pain (worst of the day)")
        chart.line(moving_average(morning), "⠒", "cyan", "7-day average")
    if during:
        chart.points(during, "+", "orange", "during exercise")
    if after:
        chart.points(after, "x", "magenta", "after exercise")
    left = chart.time_axis([morning, during, after], last)
    chart.plt.ylim(0, 10.9)
    chart.plt.yticks([0, 2, 4, 6, 8, 10])
    chart.mark(marks, left, last, top=10.9)
    return chart.build(f"Pain 0–10 (0 = none), {_span(period, left)}")


def adherence_chart(
    *,
    weeks: Sequence[tuple[date, int | None]],
    period: str = "",
    width: int = 80,
    height: int = 24,
    color: bool = False,
    for_app: bool = False,
) -> str:
    """Percent of the planned doses done, one bar per week (labelled by its first day);
    `None` is a week with nothing planned (paused), shown as a gap marked 'paused'."""
    if all(percent is None for _, percent in weeks):
        return _sentence("planned doses", period, HINTS[for_app]["adherence"])
    chart = _Chart(width, height, color)
    plt = chart.plt
    positions = list(range(1, len(weeks) + 1))
    plt.bar(positions, [percent or 0 for _, percent in weeks], width=0.6, color="green")
    chart.legend.append(("█", "green", "% of the week's planned doses done"))
    roomy = len(weeks) * 6 <= width - 10
    for position, (_, percent) in zip(positions, weeks, strict=True):
        if percent is None:
            plt.text("paused", position, 5, orientation="vertical", alignment="center")
        elif roomy:
            plt.text(f"{percent}%", position, min(percent + 4, 104), alignment="center")
    if any(percent is None for _, percent in weeks):
        chart.legend.append(("", "", "paused days are left out; a paused week has no bar"))
    every = max(1, -(-len(weeks) * TICK_WIDTH // max(width - 10, TICK_WIDTH)))
    plt.xticks(positions[::every], [start.isoformat() for start, _ in weeks][::every])
    plt.xlim(0.4, len(weeks) + 0.6)
    plt.ylim(0, 108)
    plt.yticks([0, 20, 40, 60, 80, 100])
    return chart.build(f"Adherence per week, {_span(period, weeks[0][0])}")


# One marker per exercise (a program has at most this many strengthening exercises in
# view; beyond it, markers repeat with a different colour).
LOAD_MARKERS = ("•", "+", "x", "o", "*", "#", "@", "%", "=", "~", "^", "&")
LOAD_COLORS = ("blue", "orange", "green", "magenta", "cyan", "red")

# What adds a first entry, in the CLI's words (False) and the app's (True).
HINTS = {
    False: {
        "pain": "`rehab pain N --context morning` adds one",
        "adherence": "`rehab start ID --side left|right|both` starts a program",
        "load": "`rehab done KEY --load KG` logs one with its weight",
    },
    True: {
        "pain": "press p on Today and log a morning score",
        "adherence": "start a program first",
        "load": "press l on Today on a strengthening exercise to log one with its weight",
    },
}


def load_chart(
    *,
    series: Mapping[str, Series],
    marks: Marks = Marks(),
    last: date,
    period: str = "",
    width: int = 80,
    height: int = 24,
    color: bool = False,
    for_app: bool = False,
) -> str:
    """Extra load (kg) of each strengthening exercise on each day it was done, one line per
    exercise, named in the legend."""
    if not any(series.values()):
        return _sentence("strengthening exercises checked off", period, HINTS[for_app]["load"])
    chart = _Chart(width, height, color)
    shown = [(name, points) for name, points in series.items() if points]
    for i, (name, points) in enumerate(shown):
        chart.line(
            points, LOAD_MARKERS[i % len(LOAD_MARKERS)], LOAD_COLORS[i % len(LOAD_COLORS)], name
        )
    left = chart.time_axis([points for _, points in shown], last)
    heaviest = max(value for _, points in shown for _, value in points)
    top = max(5.0, heaviest * 1.25)
    chart.plt.ylim(0, top)
    if top == 5.0:  # whole kilograms, not 0.83, 1.67 …
        chart.plt.yticks([0, 1, 2, 3, 4, 5])
    if heaviest == 0:
        chart.legend.append(("", "", "every session so far was at body weight (0 kg extra)"))
    chart.mark(marks, left, last, top=top)
    return chart.build(f"Extra load in kg (0 = body weight), {_span(period, left)}")


def visa_chart(
    *,
    scores: Series,
    marks: Marks = Marks(),
    last: date,
    period: str = "",
    width: int = 80,
    height: int = 24,
    color: bool = False,
    for_app: bool = False,  # the same words for both: nothing to type
    not_offered: str | None = None,
) -> str:
    """VISA-A totals (0–100, 100 = no symptoms) with a band of ±14 points around the first
    score shown: a score outside the band is a clinically important change from it.
    `not_offered`: why the questionnaire cannot be filled in now (then an empty chart says
    that instead of inviting one)."""
    if not scores and not_offered:
        return f"No VISA-A scores{f' {period}' if period else ''}: {not_offered}."
    if not scores:
        return _sentence(
            "VISA-A scores",
            period,
            "a score appears here once the VISA-A questionnaire is filled in",
        )
    chart = _Chart(width, height, color)
    plt = chart.plt
    first_day, first = scores[0]
    band_x = [first_day.isoformat(), last.isoformat()]
    for edge in (first - CLINICALLY_IMPORTANT_VISA, first + CLINICALLY_IMPORTANT_VISA):
        if 0 <= edge <= 100:
            plt.plot(band_x, [edge, edge], marker="-", color="gray")
    chart.legend.append(
        (
            "-",
            "gray",
            f"first score {first:g} ± {CLINICALLY_IMPORTANT_VISA}: outside it is a clinically "
            "important change",
        )
    )
    chart.line(scores, "•", "blue", "VISA-A score")
    left = chart.time_axis([scores], last)
    plt.ylim(0, 109)
    plt.yticks([0, 20, 40, 60, 80, 100])
    chart.mark(marks, left, last, top=109)
    return chart.build(f"VISA-A 0–100 (100 = no symptoms), {_span(period, left)}")


# --- plumbing -----------------------------------------------------------------------------


def _sentence(what: str, period: str, hint: str) -> str:
    when = f" {period}" if period else ""
    return f"No {what}{when} yet: {hint}."


def _span(period: str, left: date) -> str:
    """'last 12 weeks' for a window, 'since 2025-01-06' for the whole history."""
    return period.removeprefix("in the ").strip() if period else f"since {left}"


def _xy(points: Series) -> tuple[list[str], list[float]]:
    return [day.isoformat() for day, _ in points], [float(value) for _, value in points]


class _Chart:
    """One plotext figure and the legend printed under it (plotext's own legend sits on
    top of the data in the upper left corner, so it is not used)."""

    def __init__(self, width: int, height: int, color: bool) -> None:
        import plotext as plt  # type: ignore[import-untyped]

        self.plt: Any = plt
        self.width = max(width, 30)
        self.height = max(height, 8)
        self.color = color
        self.legend: list[tuple[str, str, str]] = []  # (marker, colour, label)
        plt.clear_figure()
        plt.date_form("Y-m-d")
        plt.theme("clear")  # the terminal's own background; series colours set per call

    def points(self, series: Series, marker: str, color: str, label: str) -> None:
        self.plt.scatter(*_xy(series), marker=marker, color=color)
        self.legend.append((marker, color, label))

    def line(self, series: Series, marker: str, color: str, label: str) -> None:
        """A line through the points; braille dots for "⠒", else drawn with `marker`."""
        drawn = "braille" if marker == "⠒" else marker
        self.plt.plot(*_xy(series), marker=drawn, color=color)
        self.legend.append((marker, color, label))

    def time_axis(self, series: Sequence[Series], last: date) -> date:
        """Dates from the first value to `last`, with evenly spaced date labels that include
        both ends; returns the first date shown."""
        left = min(day for points in series for day, _ in points)
        left = min(left, last - timedelta(days=1))
        days = (last - left).days
        count = max(2, min(days + 1, (self.width - 8) // TICK_WIDTH))
        ticks = [left + timedelta(days=round(i * days / (count - 1))) for i in range(count)]
        labels = [day.isoformat() for day in dict.fromkeys(ticks)]
        self.plt.xlim(left.isoformat(), last.isoformat())
        self.plt.xticks(labels, labels)
        return left

    def mark(self, marks: Marks, left: date, last: date, *, top: float) -> None:
        """Phase changes as a vertical line labelled with the new phase; pauses as a bar
        along the top of the chart from the first paused day to the last."""
        changed = False
        for day, name in marks.phases:
            if left <= day <= last:
                self.plt.vline(day.isoformat(), color="gray")
                label = marks.names.get(name, name)
                self.plt.text(f"▸{label}", day.isoformat(), top, alignment="left", color="gray")
                changed = True
        if changed:
            self.legend.append(("│▸", "gray", "new phase"))
        paused = False
        for start, end in marks.pauses:
            first = max(start, left)
            final = min(last if end is None else end - timedelta(days=1), last)
            if first > final:
                continue
            # a one-day pause still shows: a line needs two points a day apart
            final = max(final, first + timedelta(days=1))
            self.plt.plot(
                [first.isoformat(), final.isoformat()], [top, top], marker="▀", color="red"
            )
            paused = True
        if paused:
            self.legend.append(("▀", "red", "paused"))

    def build(self, title: str) -> str:
        legend = self._legend_lines()
        self.plt.title(title)
        self.plt.plotsize(self.width, max(6, self.height - len(legend)))
        text = str(self.plt.build())
        self.plt.clear_figure()
        if not self.color:
            text = str(self.plt.uncolorize(text))
        lines = [line.rstrip() for line in text.splitlines()]
        return "\n".join([*lines, *legend])

    def _legend_lines(self) -> list[str]:
        entries = []
        for marker, color, label in self.legend:
            shown = marker * 2 if len(marker) == 1 else marker
            if self.color and marker:
                shown = str(self.plt.colorize(shown, color))
            entries.append(f"{shown} {label}" if marker else label)
        lines: list[str] = []
        current = ""
        used = 0
        for entry in entries:
            size = len(self.plt.uncolorize(entry)) if self.color else len(entry)
            if current and used + 3 + size > self.width:
                lines.append(current)
                current, used = "", 0
            current += ("   " if current else "") + entry
            used += (3 if used else 0) + size
        if current:
            lines.append(current)
        return lines


def _marks(session: Session, patient: Patient, window: Window) -> Marks:
    from rehab.store import trends

    first, last = window.first, window.last
    spans = trends.stretches(session, patient=patient, first=first, last=last)
    found = trends.markers(session, first=first, last=last, spans=spans)
    return Marks(
        phases=found.phase_changes,
        pauses=[(p.start, p.end) for p in found.pauses],
        names=_phase_labels(session, patient),
    )


def _read_pain(session: Session, patient: Patient, window: Window) -> Callable[..., str]:
    from rehab.store import trends

    pain = trends.daily_pain(session, patient=patient, first=window.first, last=window.last)
    return partial(
        pain_chart,
        morning=pain.morning,
        during=pain.during,
        after=pain.after,
        marks=_marks(session, patient, window),
        last=window.last,
    )


def _read_adherence(session: Session, patient: Patient, window: Window) -> Callable[..., str]:
    from rehab.store import trends

    weekly = trends.weeks(session, patient=patient, first=window.first, last=window.last)
    return partial(
        adherence_chart, weeks=[(w.start, w.percent) for w in weekly if w.status != "off"]
    )


def _read_load(session: Session, patient: Patient, window: Window) -> Callable[..., str]:
    from rehab.store import trends

    loads = trends.load_by_exercise(session, patient=patient, first=window.first, last=window.last)
    return partial(
        load_chart,
        series={s.name: s.points for s in loads},
        marks=_marks(session, patient, window),
        last=window.last,
    )


def _read_visa(session: Session, patient: Patient, window: Window) -> Callable[..., str]:
    from rehab.store import trends
    from rehab.store.assessments import visa_refusal

    scores = trends.visa_scores(session, patient=patient, first=window.first, last=window.last)
    return partial(
        visa_chart,
        scores=scores,
        marks=_marks(session, patient, window),
        last=window.last,
        not_offered=visa_refusal(session, patient=patient),
    )


@dataclass(frozen=True)
class ChartKind:
    """One kind of chart: its name (the CLI's argument), its label (the app's tab), and
    how its numbers are read (inside the transaction; the result draws it later)."""

    name: str
    label: str
    read: Callable[[Session, Patient, Window], Callable[..., str]]


# The one list of charts: `rehab chart KIND`, the Trends screen's tabs and keys read it.
KINDS: dict[str, ChartKind] = {
    kind.name: kind
    for kind in (
        ChartKind("pain", "Pain", _read_pain),
        ChartKind("adherence", "Adherence", _read_adherence),
        ChartKind("load", "Load", _read_load),
        ChartKind("visa", "VISA-A", _read_visa),
    )
}


def chart_for(kind: str, session: Session, patient: Patient, window: Window) -> Callable[..., str]:
    """Read what the chart needs (inside the transaction); draw it later, with its size."""
    return KINDS[kind].read(session, patient, window)


def _phase_labels(session: Session, patient: Patient) -> dict[str, str]:
    """Phase id -> the short name a marker shows ('Phase 2', from 'Phase 2: heel raises')."""
    from rehab.store import journal

    enrollment = journal.active_enrollment(session, patient=patient)
    if enrollment is None:
        return {}
    phases = journal.program_of(enrollment).phases
    return {phase.id: phase.name.partition(":")[0].strip() for phase in phases}
