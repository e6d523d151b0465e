"""The report's charts as inline SVG: plain XML text, no scripts, fonts or links, so the
report stays one file that opens and prints without a network.

Printed in black and white a colour says nothing, so every series differs by shape as
well: morning pain is filled dots, its 7-day average a solid line, pain during exercise
open triangles, pain after exercise crosses; a phase change is a dashed vertical line, a
pause a hatched band. Colour only helps on screen.

The functions take plain series (lists of (date, value)) and return a string; they know
nothing about the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

Series = Sequence[tuple[date, float]]

WIDTH = 700  # user units; the SVG scales to the column width
FONT = "font-family:Helvetica,Arial,'Liberation Sans',sans-serif"
INK = "#222"
GRID = "#ccc"
MORNING = "#1f4e9c"
AVERAGE = "#111"
DURING = "#b0470c"
AFTER = "#6a2c8c"
PAUSE = "#888"


def text(value: object) -> str:
    """Text for SVG content or an attribute (XML-safe, quotes too)."""
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class _Frame:
    """Maps days and 0–`top` values to positions inside the plot area."""

    first: date
    last: date
    left: float
    right: float
    upper: float
    lower: float
    top: float

    def x(self, day: date) -> float:
        span = max((self.last - self.first).days, 1)
        return self.left + (self.right - self.left) * (day - self.first).days / span

    def y(self, value: float) -> float:
        return self.lower - (self.lower - self.upper) * value / self.top


TICK_CHAR = 6.0  # the widest a 10 px sans-serif character of a tick label runs, in px


def date_ticks(first: date, last: date, *, most: int = 9) -> list[date]:
    """Evenly stepped tick days (whole weeks when the range is long enough), first included."""
    days = (last - first).days
    step = max(1, -(-days // max(most - 1, 1)))
    if step >= 7:
        step = -(-step // 7) * 7
    ticks = []
    day = first
    while day <= last:
        ticks.append(day)
        day += timedelta(days=step)
    return ticks


def _tick_label(day: date, previous: date | None) -> str:
    label = f"{day.day} {day:%b}"
    if previous is None or previous.year != day.year:
        label += f" {day.year}"
    return label


def short_phase(name: str) -> str:
    """'Phase 2: heel raises on a step edge' → 'Phase 2' (labels on a chart stay short)."""
    head = name.split(":", 1)[0].strip()
    return head if len(head) <= 18 else head[:17] + "…"


def pain_chart(
    *,
    first: date,
    last: date,
    morning: Series,
    average: Series,
    during: Series,
    after: Series,
    phases: Sequence[tuple[date, str]],
    pauses: Sequence[tuple[date, date]],  # first and last paused day, both included
    height: int = 232,
) -> str:
    """Pain 0–10 per day over [first, last]: the report's pain trend."""
    frame = _Frame(first, last, left=34, right=WIDTH - 10, upper=22, lower=height - 58, top=10)
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="pain-chart" class="chart" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Pain 0 to 10 per day, {first} to {last}" style="{FONT}">',
        "<defs>"
        '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{PAUSE}" stroke-width="1.4"/>'
        "</pattern></defs>",
    ]
    # pauses under everything else
    for start, end in pauses:
        a, b = max(start, first), min(end, last)
        if a > b:
            continue
        x0 = frame.x(a) - 0.5 * _day_width(frame)
        x1 = frame.x(b) + 0.5 * _day_width(frame)
        x0, x1 = max(x0, frame.left), min(x1, frame.right)
        out.append(
            f'<rect class="pause" x="{x0:.1f}" y="{frame.upper:.1f}" width="{x1 - x0:.1f}" '
            f'height="{frame.lower - frame.upper:.1f}" fill="url(#hatch)" '
            f'stroke="{PAUSE}" stroke-width="0.6"/>'
        )
    # the grid and axes
    for level in range(0, 11, 2):
        y = frame.y(level)
        out.append(
            f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="0.6"/>'
            f'<text x="{frame.left - 5}" y="{y + 3.5:.1f}" font-size="10" '
            f'text-anchor="end" fill="{INK}">{level}</text>'
        )
    out.append(
        f'<text x="10" y="{(frame.upper + frame.lower) / 2:.1f}" font-size="10" fill="{INK}" '
        f'text-anchor="middle" transform="rotate(-90 10 {(frame.upper + frame.lower) / 2:.1f})">'
        "pain 0–10</text>"
    )
    previous: date | None = None
    for day in date_ticks(first, last):
        x = frame.x(day)
        label = _tick_label(day, previous)
        # a label centred on a tick at the right edge would be cut off ("2 De"): end it there
        anchor = "end" if x + TICK_CHAR * len(label) / 2 > WIDTH - 1 else "middle"
        out.append(
            f'<line x1="{x:.1f}" y1="{frame.lower}" x2="{x:.1f}" y2="{frame.lower + 4}" '
            f'stroke="{INK}" stroke-width="0.8"/>'
            f'<text class="tick" x="{x:.1f}" y="{frame.lower + 15}" font-size="10" '
            f'text-anchor="{anchor}" fill="{INK}">{text(label)}</text>'
        )
        previous = day
    out.append(
        f'<polyline points="{frame.left},{frame.upper} {frame.left},{frame.lower} '
        f'{frame.right},{frame.lower}" fill="none" stroke="{INK}" stroke-width="1"/>'
    )
    # phase changes: dashed lines, labels staggered so neighbours do not overlap
    last_label_end = {0: -1e9, 1: -1e9}
    for day, name in phases:
        if not first <= day <= last:
            continue
        x = frame.x(day)
        label = short_phase(name)
        row = 0 if x > last_label_end[0] + 4 else 1
        y = frame.upper - 10 + 9 * row
        anchor = "end" if x > frame.right - 60 else "start"
        out.append(
            f'<line class="phase-change" x1="{x:.1f}" y1="{frame.upper - 8 + 9 * row}" '
            f'x2="{x:.1f}" y2="{frame.lower}" stroke="{INK}" stroke-width="0.9" '
            'stroke-dasharray="4 3"/>'
            f'<text x="{x + (2 if anchor == "start" else -2):.1f}" y="{y:.1f}" font-size="9" '
            f'text-anchor="{anchor}" fill="{INK}">{text(label)}</text>'
        )
        width = 5.2 * len(label) + 6
        last_label_end[row] = x + width if anchor == "start" else x
    # the series
    if len(average) >= 2:
        points = " ".join(f"{frame.x(d):.1f},{frame.y(v):.1f}" for d, v in average)
        out.append(
            f'<polyline class="average" points="{points}" fill="none" stroke="{AVERAGE}" '
            'stroke-width="1.8" stroke-linejoin="round"/>'
        )
    for day, value in during:
        x, y = frame.x(day), frame.y(value)
        out.append(
            f'<path class="during" d="M{x:.1f},{y - 3.6:.1f} L{x + 3.4:.1f},{y + 2.4:.1f} '
            f'L{x - 3.4:.1f},{y + 2.4:.1f} Z" fill="#fff" stroke="{DURING}" stroke-width="1.1">'
            f"<title>{day}: during exercise {_num(value)}/10</title></path>"
        )
    for day, value in after:
        x, y = frame.x(day), frame.y(value)
        out.append(
            f'<path class="after" d="M{x - 3:.1f},{y - 3:.1f} L{x + 3:.1f},{y + 3:.1f} '
            f'M{x - 3:.1f},{y + 3:.1f} L{x + 3:.1f},{y - 3:.1f}" stroke="{AFTER}" '
            f'stroke-width="1.3"><title>{day}: after exercise {_num(value)}/10</title></path>'
        )
    for day, value in morning:
        out.append(
            f'<circle class="morning" cx="{frame.x(day):.1f}" cy="{frame.y(value):.1f}" '
            f'r="2.6" fill="{MORNING}"><title>{day}: morning {_num(value)}/10</title></circle>'
        )
    out.append(_legend(height - 18, bool(pauses), bool(phases)))
    out.append("</svg>")
    return "".join(out)


def _day_width(frame: _Frame) -> float:
    return (frame.right - frame.left) / max((frame.last - frame.first).days, 1)


def _legend(y: float, pauses: bool, phases: bool) -> str:
    """One row of keys under the plot, each a sample of its mark and a word or two."""
    keys = [
        (f'<circle cx="6" cy="0" r="2.6" fill="{MORNING}"/>', "morning pain (worst of the day)"),
        (
            f'<line x1="0" y1="0" x2="16" y2="0" stroke="{AVERAGE}" stroke-width="1.8"/>',
            "7-day average",
        ),
        (
            f'<path d="M6,-3.6 L9.4,2.4 L2.6,2.4 Z" fill="#fff" stroke="{DURING}" '
            'stroke-width="1.1"/>',
            "during exercise",
        ),
        (
            f'<path d="M3,-3 L9,3 M3,3 L9,-3" stroke="{AFTER}" stroke-width="1.3"/>',
            "after exercise",
        ),
    ]
    if phases:
        keys.append(
            (
                f'<line x1="6" y1="-6" x2="6" y2="6" stroke="{INK}" stroke-dasharray="4 3"/>',
                "new phase",
            )
        )
    if pauses:
        keys.append(
            (
                '<rect x="0" y="-5" width="14" height="10" fill="url(#hatch)" '
                f'stroke="{PAUSE}" stroke-width="0.6"/>',
                "paused",
            )
        )
    parts = [f'<g class="legend" font-size="10" fill="{INK}">']
    x = 34.0
    for sample, label in keys:
        parts.append(
            f'<g transform="translate({x:.0f},{y})">{sample}'
            f'<text x="{20}" y="3.5">{text(label)}</text></g>'
        )
        x += 28 + 5.3 * len(label)
    parts.append("</g>")
    return "".join(parts)


def sparkline(
    points: Series, *, first: date, last: date, width: int = 120, height: int = 18
) -> str:
    """A small step line of one exercise's load over the range (for a table cell)."""
    if not points:
        return ""
    top = max(max(v for _, v in points), 1.0)
    frame = _Frame(first, last, left=2, right=width - 2, upper=2, lower=height - 2, top=top)
    coords: list[str] = []
    for i, (day, value) in enumerate(points):
        x, y = frame.x(day), frame.y(value)
        if i:
            coords.append(f"{x:.1f},{frame.y(points[i - 1][1]):.1f}")
        coords.append(f"{x:.1f},{y:.1f}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-hidden="true">'
        f'<line x1="2" y1="{height - 2}" x2="{width - 2}" y2="{height - 2}" stroke="{GRID}" '
        'stroke-width="0.8"/>'
        f'<polyline points="{" ".join(coords)}" fill="none" stroke="{INK}" stroke-width="1.2"/>'
        "</svg>"
    )
