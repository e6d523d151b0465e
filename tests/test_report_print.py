"""The printed report: two sheets of A4 and two of Letter, however long the history.

Each report is printed to PDF by headless Chromium and its pages are counted by pdfinfo
(poppler-utils); the words are read back with pdftotext. None of them is ours. The paper
is chosen the way a print dialog does, with a CSS `@page { size: ... }` added to a copy of
the file. The histories: the export tests' ten weeks, the same with many notes,
corrections, red flags, VISA-A scores, pauses and decisions (the stress case), and two and
ten years from the benchmark generator with VISA-A every four weeks and a red flag every
five months.

These tests carry the `print` marker. They need `chromium` and `pdfinfo` on PATH
(`.ci/run` installs both with apt-get): without them they fail, naming what is missing,
rather than pass unseen. Deselect them on purpose with `-m "not print"`. Chromium gets a
generous timeout and one retry, and nothing here is timed.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from rehab.export import DISCLAIMER
from tests.conftest import Rehab
from tests.export_history import History, at, module_history

pytestmark = pytest.mark.print

REPO = Path(__file__).resolve().parents[1]
LONG_TODAY = date(2026, 12, 2)
PAPERS = {"A4": (595.92, 842.88), "Letter": (612.0, 792.0)}  # points, as pdfinfo says
CHROMIUM_TIMEOUT = 300  # seconds: a shared, busy machine can be slow to start a browser
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def _tool(*names: str, package: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        f"{' or '.join(names)} not found: install {package} (apt-get install {package}), "
        'or deselect the print tests with -m "not print"',
        pytrace=False,
    )


# --- the histories --------------------------------------------------------------------------


def _add_clinical_rows(
    db: Path, *, first: date, last: date, every_visa: int, every_flag: int
) -> None:
    """VISA-A scores every `every_visa` days and a red flag (cleared two days later, or still
    open for the last one) every `every_flag` days, straight into the database."""
    with sqlite3.connect(db) as conn:
        patient_id, enrollment_id = conn.execute(
            "SELECT patient_id, id FROM enrollment ORDER BY start_date DESC LIMIT 1"
        ).fetchone()
        answers = json.dumps([5, 5, 5, 5, 5, 5, 4, 14])
        day, score = first + timedelta(days=3), 40
        while day <= last:
            stamp = f"{day.isoformat()} 09:00:00.000000"
            conn.execute(
                "INSERT INTO assessment (patient_id, enrollment_id, instrument, taken_on,"
                " answers_json, score, logged_at) VALUES (?, ?, 'visa-a', ?, ?, ?, ?)",
                (patient_id, enrollment_id, day.isoformat(), answers, score, stamp),
            )
            score = 40 + (score - 37) % 55
            day += timedelta(days=every_visa)
        flags = ("nerve", "pop", "infection")
        day, n = first + timedelta(days=20), 0
        while day <= last - timedelta(days=3):
            cleared = day + timedelta(days=2)
            open_one = day + timedelta(days=every_flag) > last - timedelta(days=3)
            conn.execute(
                "INSERT INTO redflagentry (patient_id, enrollment_id, flag, source, raised_on,"
                " raised_at, cleared_by, cleared_on, cleared_at) VALUES (?, ?, ?, 'answer', ?,"
                " ?, ?, ?, ?)",
                (
                    patient_id,
                    enrollment_id,
                    flags[n % len(flags)],
                    day.isoformat(),
                    f"{day.isoformat()} 08:00:00.000000",
                    None if open_one else "Dr Silva",
                    None if open_one else cleared.isoformat(),
                    None if open_one else f"{cleared.isoformat()} 10:00:00.000000",
                ),
            )
            n += 1
            day += timedelta(days=every_flag)


LONG_NOTE = (
    "Woke at 02:30 with a throbbing heel; it eased after ten minutes of walking about the "
    "kitchen, then came back on the stairs at work — Schmerz über der Ferse, 踵の痛み 🦶, "
    '"sharp", not burning; no numbness. Took the bus instead of cycling.'
)


def _add_stress_rows(history: History) -> None:
    """On top of the export tests' history: 50 more notes (some long), 42 more entries
    undone, 8 more VISA-A scores, 6 more red flags, 6 more pauses, 6 more decisions."""
    db = history.path
    with sqlite3.connect(db) as conn:
        patient_id, enrollment_id = conn.execute(
            "SELECT patient_id, id FROM enrollment ORDER BY id DESC LIMIT 1"
        ).fetchone()
        days = [
            history.start + timedelta(days=i) for i in range((history.today - history.start).days)
        ]
        for i in range(50):
            day = days[(i * 7) % len(days)]
            note = (
                LONG_NOTE if i % 4 == 0 else f"note {i}: stiff for {i % 30} minutes, better by noon"
            )
            stamp = f"{day.isoformat()} 19:{i % 60:02d}:00.000000"
            conn.execute(
                "INSERT INTO painentry (patient_id, enrollment_id, at, local_date, context,"
                " score, note, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (patient_id, enrollment_id, stamp, day.isoformat(), "night", i % 7, note, stamp),
            )
        for i in range(42):
            day = days[(i * 5) % len(days)]
            stamp = f"{day.isoformat()} 20:{i % 60:02d}:00.000000"
            undone = f"{day.isoformat()} 20:{i % 60:02d}:30.000000"
            conn.execute(
                "INSERT INTO painentry (patient_id, enrollment_id, at, local_date, context,"
                " score, logged_at, voided_at) VALUES (?, ?, ?, ?, 'rest', 9, ?, ?)",
                (patient_id, enrollment_id, stamp, day.isoformat(), stamp, undone),
            )
        for i in range(6):
            start = history.start + timedelta(days=3 + 9 * i)
            conn.execute(
                "INSERT INTO pause (enrollment_id, start_date, end_date, reason, created_at,"
                " ended_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    enrollment_id,
                    start.isoformat(),
                    start.isoformat(),
                    f"cancelled pause {i}: the bus was late and I thought I would not make it",
                    f"{start.isoformat()} 07:00:00.000000",
                    f"{start.isoformat()} 07:30:00.000000",
                ),
            )
        for i in range(6):
            effective = history.start + timedelta(days=5 + 10 * i)
            conn.execute(
                "INSERT INTO phasechange (enrollment_id, effective_date, from_phase, to_phase,"
                " load_level, decision, reason, decided_by, accepted_at, voided_at) VALUES"
                " (?, ?, NULL, NULL, ?, 'progress', ?, 'Dr Silva', ?, ?)",
                (
                    enrollment_id,
                    effective.isoformat(),
                    i + 1,
                    "load raised after a pain-free week; to be reviewed at the next visit",
                    f"{effective.isoformat()} 10:00:00.000000",
                    f"{effective.isoformat()} 11:00:00.000000",  # withdrawn: the plan is as before
                ),
            )
    _add_clinical_rows(
        db, first=history.start, last=history.today - timedelta(days=1), every_visa=7, every_flag=12
    )


def _make_history_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_history", REPO / "benchmarks" / "make_history.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _long_history(folder: Path, years: int) -> History:
    db = folder / f"{years}y.db"
    days = round(365.25 * years)
    with at(LONG_TODAY):
        _make_history_module().build(db, days, 1)
    with sqlite3.connect(db) as conn:
        first = date.fromisoformat(
            conn.execute("SELECT MIN(start_date) FROM enrollment").fetchone()[0]
        )
    _add_clinical_rows(db, first=first, last=LONG_TODAY, every_visa=28, every_flag=150)
    return History(db, "me", LONG_TODAY, first)


# --- printing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Printed:
    pages: int
    size: tuple[float, float]
    text: str  # pdftotext of the whole PDF
    last_page: str


def _print(html: Path, paper: str, work: Path) -> Printed:
    chromium = _tool("chromium", "chromium-browser", "google-chrome", package="chromium")
    pdfinfo = _tool("pdfinfo", package="poppler-utils")
    pdftotext = _tool("pdftotext", package="poppler-utils")
    folder = work / paper
    folder.mkdir()
    page = folder / "report.html"
    raw = html.read_text(encoding="utf-8")
    assert raw.count("</head>") == 1
    page.write_text(raw.replace("</head>", f"<style>@page {{ size: {paper}; }}</style></head>"))
    pdf = folder / "report.pdf"
    for attempt in range(2):  # a browser killed or stalled by a busy machine gets one more go
        profile = folder / f"profile-{attempt}"
        try:
            done = subprocess.run(
                [
                    chromium,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    f"--print-to-pdf={pdf}",
                    page.as_uri(),
                ],
                capture_output=True,
                text=True,
                timeout=CHROMIUM_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            continue
        if done.returncode == 0 and pdf.exists() and pdf.stat().st_size > 0:
            break
    else:
        pytest.fail(f"chromium printed no PDF of {html.name} at {paper}", pytrace=False)
    info = subprocess.run(
        [pdfinfo, str(pdf)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    pages = re.search(r"^Pages:\s+(\d+)", info, re.M)
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert pages and size, info
    count = int(pages[1])

    def text(*args: str) -> str:
        return subprocess.run(
            [pdftotext, *args, str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout

    return Printed(
        count,
        (float(size[1]), float(size[2])),
        text(),
        text("-f", str(count), "-l", str(count)),
    )


def _export(history: History, out: Path) -> Path:
    rehab = Rehab(history.path)
    with at(history.today, 18):
        result = rehab(
            "--patient", history.patient, "export", "report", "--from", history.start.isoformat(),
            "--out", str(out),
        )  # fmt: skip
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def histories(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Each case's report, as HTML."""
    reports: dict[str, Path] = {}
    for name in ("ten weeks", "stress"):
        for history in module_history(tmp_path_factory):
            if name == "stress":
                _add_stress_rows(history)
            reports[name] = _export(history, tmp_path_factory.mktemp("out") / f"{name}.html")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REHAB_HOME", str(tmp_path_factory.mktemp("home")))
        mp.delenv("REHAB_DB", raising=False)
        for years in (2, 10):
            history = _long_history(tmp_path_factory.mktemp(f"{years}y"), years)
            reports[f"{years} years"] = _export(
                history, tmp_path_factory.mktemp("out") / f"{years}y.html"
            )
    yield reports


CASES = ("ten weeks", "stress", "2 years", "10 years")
SECTIONS = (
    "Adherence",
    "Pain trend",
    "Load progression",
    "VISA-A",
    "Skipped doses",
    "Red flags",
    "Notes",
    "Corrections and decisions",
)


@pytest.mark.parametrize("paper", sorted(PAPERS))
@pytest.mark.parametrize("case", CASES)
def test_report_prints_on_two_sheets(
    histories: dict[str, Path], case: str, paper: str, tmp_path: Path
) -> None:
    printed = _print(histories[case], paper, tmp_path)
    width, height = PAPERS[paper]
    assert abs(printed.size[0] - width) < 2 and abs(printed.size[1] - height) < 2, printed.size
    assert printed.pages <= 2, f"{case} at {paper}: {printed.pages} sheets"
    words = " ".join(printed.text.split())
    for section in SECTIONS:
        assert section in words, section
    assert words.count(DISCLAIMER) >= 2  # under the header and in the footer
    # the footer never sits alone on the last sheet
    assert "Generated" in printed.last_page
    assert len(printed.last_page.split()) > 60, printed.last_page


def test_long_histories_are_summarised_not_cut(histories: dict[str, Path]) -> None:
    """What the summaries keep: a red flag that is not cleared, the first VISA-A score and
    the change, how many notes and corrections the CSV and JSON exports have."""
    for case in ("stress", "2 years", "10 years"):
        raw = " ".join(histories[case].read_text(encoding="utf-8").split())
        assert "not cleared yet" in raw, case
        assert "earlier notes are not shown here" in raw, case
        assert re.search(r"earlier corrections are not shown here \(\d+ in all: ", raw), case
        assert "between the first and the latest are not shown here" in raw, case
        assert "points</b>" in raw, case  # the VISA-A change
    ten = " ".join(histories["10 years"].read_text(encoding="utf-8").split())
    assert "before the current program, per year" in ten
    two = " ".join(histories["2 years"].read_text(encoding="utf-8").split())
    assert "before the current program, per quarter" in two
