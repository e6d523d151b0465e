"""The report's pain chart keeps every tick label inside its drawing (it printed "2 De" when
the range ended on a labelled tick), and escapes what it draws from the patient's data."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from rehab.export import svg

NS = "{http://www.w3.org/2000/svg}"


def _ticks(first: date, last: date) -> list[ET.Element]:
    chart = svg.pain_chart(
        first=first,
        last=last,
        morning=[(first, 3.0), (last, 2.0)],
        average=[],
        during=[],
        after=[],
        phases=[(date(2026, 10, 20), "Phase 2: <b>loading</b>")],
        pauses=[],
    )
    root = ET.fromstring(chart)  # well-formed: the phase name's markup was escaped
    assert "<b>" not in chart
    return [t for t in root.iter(f"{NS}text") if t.get("class") == "tick"]


def test_the_last_tick_label_ends_at_the_right_edge() -> None:
    ticks = _ticks(date(2026, 9, 23), date(2026, 12, 2))  # the demo: 2 Dec is a tick
    last = ticks[-1]
    assert last.text == "2 Dec"
    assert last.get("text-anchor") == "end"
    assert float(last.get("x", "0")) <= svg.WIDTH
    middle = ticks[len(ticks) // 2]
    assert middle.get("text-anchor") == "middle"


def test_every_tick_label_fits_inside_the_chart() -> None:
    for last in (date(2026, 12, 2), date(2026, 11, 29), date(2027, 1, 3)):
        for tick in _ticks(date(2026, 9, 23), last):
            x, label = float(tick.get("x", "0")), tick.text or ""
            half = svg.TICK_CHAR * len(label) / 2
            if tick.get("text-anchor") == "end":
                assert x <= svg.WIDTH - 1
            else:
                assert x + half <= svg.WIDTH - 1, (label, x)
