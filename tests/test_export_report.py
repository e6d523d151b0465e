"""`rehab export report`: the printable HTML report of the known history (export_history),
run through the real command line and read back with Python's own html.parser and
xml.etree, independent of the report's code. Expected figures come from plain sqlite3 or
from `rehab.store.trends`, which the app's charts already rely on."""

from __future__ import annotations

import re
import stat
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlmodel import Session

from rehab.export import DISCLAIMER
from rehab.store import journal, trends
from rehab.store.db import open_engine
from tests.conftest import Rehab
from tests.export_history import CLEARED_BY, FORMULA_NOTE, History, at, build_history

SCRIPT_NOTE = "<script>alert('x')</script> & more"
SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Page:
    """What a reader of the HTML sees: text by section id, tags and attributes."""

    raw: str
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    text: dict[str, str] = field(default_factory=dict)  # section id -> its text
    rows: dict[str, list[list[str]]] = field(default_factory=dict)  # section id -> table rows
    body: str = ""

    def section(self, name: str) -> str:
        return self.text[name]


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, str | None]] = []
        self.in_body = False
        self.skip = 0  # inside <style>/<title>
        self.row: list[str] | None = None
        self.cell: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.page.tags.append((tag, values))
        if tag == "body":
            self.in_body = True
        if tag in ("style", "title"):
            self.skip += 1
        if tag == "tr":
            self.row = []
        if tag in ("td", "th"):
            self.cell = ""
        self._gap()
        if tag not in ("br", "meta", "link", "img", "input", "hr"):
            self.stack.append((tag, values.get("id") if tag == "section" else None))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self.skip -= 1
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        if tag == "tr" and self.row is not None:
            section = self._section()
            if section:
                self.page.rows.setdefault(section, []).append(self.row)
            self.row = None
        self._gap()
        while self.stack:
            name, _ = self.stack.pop()
            if name == tag:
                break

    def _section(self) -> str | None:
        return next((name for _, name in reversed(self.stack) if name), None)

    def _gap(self) -> None:
        """Tags separate words, as they do on screen."""
        self.handle_data(" ")

    def handle_data(self, data: str) -> None:
        if self.skip or not self.in_body:
            return
        if self.cell is not None:
            self.cell += data
        self.page.body += data
        for _, section in self.stack:
            if section:
                self.page.text[section] = self.page.text.get(section, "") + data


def read(path: Path) -> Page:
    raw = path.read_text(encoding="utf-8")
    page = Page(raw)
    reader = _Reader(page)
    reader.feed(raw)
    reader.close()
    return page


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    folder = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REHAB_HOME", str(folder / "home"))
        mp.setenv("TZ", "Europe/Lisbon")
        mp.delenv("REHAB_DB", raising=False)
        found = build_history(folder / "history.db")
        with at(found.today, 19):
            done = Rehab(found.path)("--patient", "demo", "pain", "3", "--note", SCRIPT_NOTE)
        assert done.code == 0, done.err
    yield found


def export(history: History, rehab: Rehab, out: Path, *args: str) -> Page:
    rehab.db = history.path
    with at(history.today):
        result = rehab("--patient", "demo", "export", "report", "--out", str(out), *args)
    assert result.code == 0, result.err
    return read(out)


@pytest.fixture(scope="module")
def whole(history: History, tmp_path_factory: pytest.TempPathFactory) -> Page:
    out = tmp_path_factory.mktemp("whole") / "report.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REHAB_HOME", str(out.parent / "home"))
        return export(history, Rehab(history.path), out)


def test_nothing_is_fetched_from_anywhere(whole: Page) -> None:
    for tag, attrs in whole.tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed", "base")
        for name in ("src", "href", "xlink:href", "action", "srcset"):
            value = attrs.get(name, "")
            assert not re.match(r"\s*(https?:|//|ftp:|data:)", value), (tag, name, value)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    assert "<script" not in whole.raw.lower()
    assert "@import" not in whole.raw
    assert re.findall(r"url\(\s*([^)]*)\)", whole.raw)  # the pause hatching
    for target in re.findall(r"url\(\s*([^)]*)\)", whole.raw):
        assert target.startswith("#"), target
    assert "javascript:" not in whole.raw.lower()


def test_disclaimer_and_header(whole: Page) -> None:
    assert DISCLAIMER in whole.body
    head = squash(whole.body[: whole.body.index("Adherence")])
    assert "demo" in head and "left" in head and "9 Feb 2026" in head
    assert "week 11 of 26" in head
    assert "Phase 2: heel raises on a step edge" in head


def _weeks(history: History, first: date, last: date) -> list[trends.Week]:
    engine = open_engine(history.url)
    try:
        with Session(engine) as session:
            patient = journal.find_patient(session, name=history.patient)
            return trends.weeks(session, patient=patient, first=first, last=last)
    finally:
        engine.dispose()


def _cells(page: Page) -> list[tuple[int, int]]:
    """(done, planned) of each adherence row that has them, the total last."""
    found = []
    for row in page.rows["adherence"]:
        pair = re.fullmatch(r"(\d+) / (\d+)", row[2]) if len(row) > 2 else None
        if pair:
            found.append((int(pair[1]), int(pair[2])))
    return found


def test_adherence_matches_the_weeks_and_the_log(history: History, whole: Page) -> None:
    yesterday = history.today - timedelta(days=1)  # today is not over: not counted yet
    weeks = _weeks(history, history.start, yesterday)
    cells = _cells(whole)
    *rows, total = cells
    assert total == (sum(w.done for w in weeks), sum(w.planned for w in weeks))
    assert sum(d for d, _ in rows) == total[0] and sum(p for _, p in rows) == total[1]
    by_number: dict[int, list[int]] = {}
    for week in weeks:
        if week.status == "active" and week.number is not None:
            pair = by_number.setdefault(week.number, [0, 0])
            pair[0] += week.done
            pair[1] += week.planned
    assert [tuple(pair) for _, pair in sorted(by_number.items())] == rows
    # a done dose needs a live check-off on a day that was not paused
    logged = history.scalar(
        "SELECT COUNT(*) FROM (SELECT DISTINCT plan_date, item_key, side FROM doselog "
        "WHERE status = 'done' AND voided_at IS NULL AND plan_date BETWEEN ? AND ? "
        "AND NOT EXISTS (SELECT 1 FROM pause WHERE plan_date >= pause.start_date "
        "AND (pause.end_date IS NULL OR plan_date < pause.end_date)))",
        history.start.isoformat(),
        yesterday.isoformat(),
    )
    assert isinstance(logged, int)
    assert 0.9 * logged <= total[0] <= logged
    assert total[0] <= total[1]
    text = squash(whole.section("adherence"))
    assert "paused days not counted" in text  # the pause in week 11 is not a missed dose
    assert "Days from 26 Apr 2026 on are not counted yet" in text


def test_future_days_are_not_missed_and_now_is_today(
    history: History, rehab: Rehab, tmp_path: Path
) -> None:
    ahead = export(
        history, rehab, tmp_path / "ahead.html", "--from", "2026-05-04", "--to", "2026-05-31"
    )
    assert _cells(ahead) == [] or _cells(ahead)[-1] == (0, 0)
    assert "0%" not in ahead.section("adherence")
    past = export(
        history, rehab, tmp_path / "past.html", "--from", "2026-02-09", "--to", "2026-02-22"
    )
    for page in (ahead, past):
        head = squash(page.body[: page.body.index("Adherence")])
        assert "week 11 of 26" in head  # "now" is the history's today, whatever the range


def _svg(page: Page) -> ET.Element:
    match = re.search(r'<svg[^>]*id="pain-chart".*?</svg>', page.raw, re.S)
    assert match is not None
    return ET.fromstring(match.group(0))


def _classed(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in e.get("class", "").split()]


def test_pain_chart_has_a_point_per_morning(history: History, whole: Page) -> None:
    root = _svg(whole)
    mornings = history.scalar(
        "SELECT COUNT(DISTINCT local_date) FROM painentry WHERE context = 'morning' "
        "AND voided_at IS NULL AND local_date BETWEEN ? AND ?",
        history.start.isoformat(),
        history.today.isoformat(),
    )
    points = [e for e in _classed(root, "morning") if e.tag == f"{SVG}circle"]
    assert len(points) == mornings
    labels = {e.text for e in root.iter(f"{SVG}text")}
    assert {"0", "2", "4", "6", "8", "10"} <= labels
    assert {"morning pain (worst of the day)", "7-day average", "during exercise", "paused"} <= (
        labels
    )
    assert "9 Feb 2026" in labels  # dates on the x axis
    assert len(_classed(root, "average")) == 1
    assert _classed(root, "during")  # a different marker, not only a different colour
    changes = history.scalar("SELECT COUNT(*) FROM phasechange WHERE voided_at IS NULL")
    assert len(_classed(root, "phase-change")) == changes
    assert len(_classed(root, "pause")) == history.scalar("SELECT COUNT(*) FROM pause")


def test_visa_scores_and_change(history: History, whole: Page) -> None:
    scores = [
        row[0]
        for row in history.query(
            "SELECT score FROM assessment WHERE voided_at IS NULL ORDER BY taken_on, id"
        )
    ]
    text = squash(whole.section("visa"))
    first, last = scores[0], scores[-1]
    assert isinstance(first, int) and isinstance(last, int)
    for score in scores:
        assert str(score) in text
    assert f"{first} → {last}" in text
    assert f"{last - first:+d} points" in text
    assert "14-point" in text


def test_red_flag_and_who_cleared_it(whole: Page) -> None:
    text = squash(whole.section("red-flags"))
    assert "24 Apr 2026" in text
    assert "pop" in text
    assert f"cleared by {CLEARED_BY}" in text


def test_skip_reasons_are_counted(history: History, whole: Page) -> None:
    expected = dict(
        history.query(
            "SELECT reason, COUNT(*) FROM doselog WHERE status = 'skipped' AND voided_at IS NULL "
            "GROUP BY reason"
        )
    )
    text = squash(whole.section("skips"))
    for reason, count in expected.items():
        assert f"{reason} {count}" in text
    assert f"Total {sum(expected.values())}" in text  # type: ignore[arg-type]


def test_corrections_show_what_was_undone(history: History, whole: Page) -> None:
    text = squash(whole.section("corrections"))
    assert "Calf stretch" in text  # the check-off taken back
    assert "pain 9/10 (rest)" in text  # the typo
    actions = history.scalar(
        "SELECT COUNT(DISTINCT action) FROM doselog WHERE voided_at IS NOT NULL"
    )
    pains = history.scalar("SELECT COUNT(*) FROM painentry WHERE voided_at IS NOT NULL")
    voided = re.search(r'<ul class="list" id="voided">(.*?)</ul>', whole.raw, re.S)
    assert voided is not None
    assert voided.group(1).count("<li>") == actions + pains  # type: ignore[operator]
    assert "undone 20:00" in text
    assert "travel" in text
    assert text.count("progress") == 2 and "reduce" in text  # the phase decisions


def test_notes_are_escaped(whole: Page) -> None:
    notes = whole.section("notes")
    assert FORMULA_NOTE in notes
    assert SCRIPT_NOTE in notes
    assert "+1 after the stairs" in notes
    assert "&lt;script&gt;" in whole.raw
    assert "<script" not in whole.raw
    assert not any(tag == "a" for tag, _ in whole.tags)  # the formula's link is only text


def test_a_range_limits_the_content(history: History, rehab: Rehab, tmp_path: Path) -> None:
    first, last = date(2026, 3, 9), date(2026, 3, 22)
    page = export(
        history,
        rehab,
        tmp_path / "march.html",
        "--from",
        first.isoformat(),
        "--to",
        last.isoformat(),
    )
    weeks = _weeks(history, first, last)
    assert _cells(page)[-1] == (
        sum(w.done for w in weeks),
        sum(w.planned for w in weeks),
    )
    assert "week 4" not in page.section("adherence") and "week 7" not in page.section("adherence")
    mornings = history.scalar(
        "SELECT COUNT(DISTINCT local_date) FROM painentry WHERE context = 'morning' "
        "AND voided_at IS NULL AND local_date BETWEEN ? AND ?",
        first.isoformat(),
        last.isoformat(),
    )
    assert len(_classed(_svg(page), "morning")) == mornings
    visa = squash(page.section("visa"))
    assert "61" in visa and "47" not in visa and "74" not in visa
    assert FORMULA_NOTE not in page.raw and "Calf stretch" not in page.section("corrections")
    assert "No red flags" in page.section("red-flags")
    assert squash(page.section("corrections")).count("reduce") == 1


def test_private_file_and_no_overwrite(history: History, rehab: Rehab, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    export(history, rehab, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    before = out.read_bytes()
    with at(history.today):
        again = rehab("--patient", "demo", "export", "report", "--out", str(out))
    assert again.code == 2
    assert "already exists" in again.err and "--force" in again.err
    assert out.read_bytes() == before
    export(history, rehab, out, "--force")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_long_ranges_are_grouped_in_blocks() -> None:
    from rehab.export.report import adherence_rows

    start = date(2025, 1, 6)
    weeks = [
        trends.Week(
            start=date.fromordinal(start.toordinal() + 7 * i),
            end=date.fromordinal(start.toordinal() + 7 * i + 6),
            status="active",
            program_id="p",
            number=i + 1,
            phases=("one",),
            done=10,
            planned=14,
        )
        for i in range(20)
    ]
    rows = adherence_rows(weeks)
    assert [r.label for r in rows] == [
        "weeks 1–4",
        "weeks 5–8",
        "weeks 9–12",
        "weeks 13–16",
        "weeks 17–20",
    ]
    assert [(r.done, r.planned) for r in rows] == [(40, 56)] * 5


HOSTILE = "<script>alert('phase')</script> & <b>bold</b>"


def _gathered(history: History) -> object:
    """The report of the whole history, gathered as `rehab export report` does."""
    from rehab.export import report, scope

    engine = open_engine(history.url)
    try:
        with Session(engine) as session:
            patient = journal.find_patient(session, name=history.patient)
            found = scope.resolve(
                session,
                patient=patient,
                today=history.today,
                generated_at=at_noon(history.today),
            )
            return report.gather(session, found)
    finally:
        engine.dispose()


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def test_the_template_escapes_everything_but_the_charts(history: History, tmp_path: Path) -> None:
    """A phase name, a note, a skip reason and a pause reason holding markup come out as
    text; the SVG the report draws is markup (parsed back as elements)."""
    from dataclasses import replace

    from rehab.export import report

    gathered = _gathered(history)
    assert isinstance(gathered, report.Report)
    hostile = replace(
        gathered,
        phase_now=HOSTILE,
        rows=[replace(r, phases=(HOSTILE,)) if r.kind == "active" else r for r in gathered.rows],
        notes=[*gathered.notes, report.Note(history.today, HOSTILE, HOSTILE)],
        skips=[(HOSTILE, 3)],
        pauses=[p._replace(reason=HOSTILE) for p in gathered.pauses],
    )
    assert hostile.pauses, "the history has a pause whose reason is printed"
    out = tmp_path / "hostile.html"
    out.write_text(report.render(hostile), encoding="utf-8")
    page = read(out)
    tags = [tag for tag, _ in page.tags]
    assert "script" not in tags and "b" in tags  # <b> is the template's own, never the text's
    assert "<script" not in page.raw and "&lt;script&gt;" in page.raw
    assert squash(HOSTILE) in squash(page.body.split("Adherence")[0])  # the header's phase
    for section in ("adherence", "notes", "skips", "corrections"):
        assert squash(HOSTILE) in squash(page.section(section)), section
    assert page.raw.count("&lt;b&gt;bold&lt;/b&gt;") >= 5
    # the charts are markup: the pain chart parses as SVG with its points, sparklines too
    assert "&lt;svg" not in page.raw
    assert _classed(_svg(page), "morning")
    assert any(tag == "svg" and "spark" in a.get("class", "") for tag, a in page.tags)


def test_jinja_is_imported_only_to_render() -> None:
    """The CLI, the export runner and the report module load no template engine until a
    report is rendered (start-up cost of every other command)."""
    import subprocess
    import sys

    code = (
        "import sys, rehab.cli, rehab.entry, rehab.export.runner, rehab.export.report\n"
        "loaded = [m for m in ('jinja2', 'markupsafe') if m in sys.modules]\n"
        "sys.exit(', '.join(loaded) or None)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_stylesheet_is_not_escaped(whole: Page) -> None:
    """The CSS is the package's own file, byte for byte: escaped, its quoted font names and
    its `>` selector would be broken, and the browser would drop the base font size (the
    report then printed at 12 pt serif on four sheets instead of two)."""
    from importlib.resources import files

    css = (files("rehab.export") / "templates" / "report.css").read_text("utf-8")
    style = re.search(r"<style>\n(.*?)</style>", whole.raw, re.S)
    assert style is not None
    assert style.group(1) == css
    assert '"Liberation Sans"' in style.group(1) and ".cols > section" in style.group(1)
