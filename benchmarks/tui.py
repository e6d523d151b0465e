"""TUI benchmarks for `rehab`: time to first frame and to today's doses (in tmux), key press
to committed row (Pilot), and peak memory of the app on the 10-year history.

    python benchmarks/tui.py [--runs 7] [--presses 100] [--rounds 3] [--rebuild]

1. Start-up, in a real terminal. A private tmux server (`tmux -L rehabbench`, 80x24,
   TERM=xterm-256color, REHAB_HOME a temporary folder) starts each program as the command of
   a new session; the pane is read with `tmux capture-pane -p` every ~10 ms until the
   program's text shows. Times run from just before `tmux new-session` to the midpoint of
   the first capture that shows the text. Every program runs once as a warm-up, then
   --runs times, round-robin; the session is killed after each run.
   - first frame: `rehab · loading` or the footer's `^p palette` (the Today screen; Textual's
     default screen before it is blank) ÷ benchmarks/tui_baseline.py showing its line.
   - today's doses: the first dose name that `rehab today` prints on the 10-year database
     ÷ tui_baseline.py --sqlmodel showing its line. ("Morning" would not do: the footer
     shows "m Morning" from the first frame on.)
   - a shell that echoes one word is timed too: the floor that tmux and polling add to
     every number (it shrinks both sides of a ratio alike, so ratios lean towards 1).
2. Key press to committed row. In-process, `app.run_test(size=(80, 24))` on a fresh small
   database (plantar-fasciitis, both legs, started 5 days ago: ~70 check-offs a day; when
   the selected row has nothing left, `[` goes back a day to backfill). Each press is
   timed from `pilot.press("space")` until a new doselog row is visible through an
   independent sqlite3 connection, polled every 0.5 ms from a thread started just before
   the press (pilot.press itself waits for the app to go idle, ~90 ms, so polling after it
   returns would time Pilot, not the app); the app is settled (workers done,
   screen idle) between presses, so each press starts from an idle app. p95 of --presses
   presses, median over --rounds rounds. One more round on a copy of the 10-year database
   is reported for information.
3. Peak memory: VmHWM (= the process's ru_maxrss) from /proc/<pid>/status of the app
   process in tmux (the pane's own process: tmux execs the argv directly), read 0.3 s
   after today's doses showed; median over the start-up runs. The same for the
   sqlmodel baseline, for scale.

Bytecode caches go to .data/pycache for every child (as in run.py). It reports; it never
fails (exit status 0).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / ".data"
PY = sys.executable
SOCKET = "rehabbench"
TMUX = ["tmux", "-L", SOCKET]
POLL = 0.010
TIMEOUT = 20.0
FRAME_MARKERS = ("rehab · loading", "^p palette")
BASELINE_MARKER = "baseline ready"

sys.path.insert(0, str(HERE))
sys.path.insert(1, str(REPO))


# --- 1 and 3: start-up and memory, in tmux ---------------------------------------------------


@dataclass
class Launch:
    argv: list[str]
    markers: dict[str, tuple[str, ...]]  # name -> any of these texts
    memory_after: str | None = None  # read VmHWM this long after this marker showed
    times: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)  # process CPU s at the marker
    hwm_kb: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def median(self, marker: str) -> float:
        return statistics.median(self.times[marker])

    def minimum(self, marker: str) -> float:
        return min(self.times[marker])


def tmux(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TMUX, *args], capture_output=True, text=True, check=check)


def start_server(env: dict[str, str]) -> None:
    tmux("kill-server", check=False)
    # A session that keeps the server up, so each run pays only for a client call.
    subprocess.run(
        [*TMUX, "new-session", "-d", "-s", "keep", "-x", "80", "-y", "24", "sleep", "86400"],
        env=env,
        check=True,
    )
    tmux("set-option", "-g", "default-terminal", "xterm-256color")  # else TERM=tmux-256color
    tmux("set-option", "-g", "remain-on-exit", "on")  # keep a crash on screen to report


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of the whole process (all threads), 10 ms resolution."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm_kb(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) if found else None


def run_in_tmux(launch: Launch, env_args: list[str], record: bool) -> None:
    name = "run"
    seen: dict[str, float] = {}
    cpu: dict[str, float | None] = {}
    screen = ""
    began = time.perf_counter()
    tmux(
        "new-session", "-d", "-s", name, "-x", "80", "-y", "24", "-c", str(REPO),
        *env_args, "--", *launch.argv,
    )  # fmt: skip
    try:
        pid = int(tmux("list-panes", "-t", name, "-F", "#{pane_pid}").stdout.split()[0])
        while len(seen) < len(launch.markers):
            before = time.perf_counter()
            capture = tmux("capture-pane", "-p", "-t", name, check=False)
            after = time.perf_counter()
            screen = capture.stdout
            for marker, texts in launch.markers.items():
                if marker not in seen and any(t in screen for t in texts):
                    seen[marker] = (before + after) / 2 - began
                    cpu[marker] = cpu_seconds(pid)
            dead = tmux("display-message", "-p", "-t", name, "#{pane_dead}", check=False)
            if dead.stdout.strip() == "1" or after - began > TIMEOUT:
                break
            time.sleep(max(0.0, POLL - (time.perf_counter() - before)))
        hwm = None
        if launch.memory_after in seen:
            time.sleep(0.3)
            hwm = vm_hwm_kb(pid)
    finally:
        tmux("kill-session", "-t", name, check=False)
    missing = [m for m in launch.markers if m not in seen]
    if missing:
        last = " | ".join(line.strip() for line in screen.splitlines() if line.strip())[-400:]
        launch.failures.append(f"{' '.join(launch.argv[-3:])}: no {missing}; screen: {last}")
        return
    if record:
        for marker, seconds in seen.items():
            launch.times.setdefault(marker, []).append(seconds)
            used = cpu[marker]
            if used is not None:
                launch.cpu.setdefault(marker, []).append(used)
        if hwm is not None:
            launch.hwm_kb.append(hwm)


def first_dose_name(db: Path, env: dict[str, str]) -> str:
    """The text of the first dose row that `rehab today` prints, cut to a few words."""
    out = subprocess.run(
        [PY, "-m", "rehab", "--db", str(db), "today"],
        cwd=REPO, env=env, capture_output=True, text=True,
    ).stdout  # fmt: skip
    for line in out.splitlines():
        row = re.match(r"\s+\[.\]\s+\S+\s+(.+)", line)
        if row:
            return re.split(r"[,(]", row.group(1))[0].strip()[:30]
    return "Plantar fascia stretch"


def startup(db: Path, env: dict[str, str], runs: int) -> tuple[dict[str, Launch], str]:
    dose = first_dose_name(db, env)
    baseline = str(HERE / "tui_baseline.py")
    launches = {
        "floor": Launch(
            ["sh", "-c", "echo floor-ready; exec sleep 60"], {"shown": ("floor-ready",)}
        ),
        "textual": Launch([PY, baseline], {"shown": (BASELINE_MARKER,)}),
        "textual+sqlmodel": Launch(
            [PY, baseline, "--sqlmodel"], {"shown": (BASELINE_MARKER,)}, memory_after="shown"
        ),
        "rehab 10y": Launch(
            [PY, "-m", "rehab", "--db", str(db)],
            {"frame": FRAME_MARKERS, "doses": (dose,)},
            memory_after="doses",
        ),
    }  # fmt: skip
    env_args: list[str] = []
    for key in ("REHAB_HOME", "PYTHONPATH", "PYTHONPYCACHEPREFIX"):
        env_args += ["-e", f"{key}={env[key]}"]
    env_args += ["-e", "TERM=xterm-256color"]
    start_server(env)
    try:
        for round_no in range(runs + 1):  # round 0 is the warm-up
            for launch in launches.values():
                run_in_tmux(launch, env_args, record=round_no > 0)
    finally:
        tmux("kill-server", check=False)
    return launches, dose


# --- 2: key press to committed row, in Pilot -------------------------------------------------


def small_database(path: Path) -> None:
    from sqlmodel import Session

    from rehab.core.catalog import load_catalog
    from rehab.paths import builtin_programs_dir
    from rehab.store import journal
    from rehab.store.db import open_engine

    catalog = load_catalog(builtin_programs_dir(), None)
    engine = open_engine(f"sqlite:///{path}")
    with Session(engine) as session, session.begin():
        patient = journal.find_patient(session, name=None)
        journal.start_program(
            session,
            patient=patient,
            program=catalog.get("plantar-fasciitis"),
            side="both",
            start=date.today() - timedelta(days=5),
        )
    engine.dispose()


async def _settle(pilot: object) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


class RowWatcher(threading.Thread):
    """Polls the database, from its own thread and connection, for a doselog id above
    `after`, and notes the time it first sees one. A thread rather than an asyncio task, so
    the app's event loop (busy in pilot.press, rendering) cannot delay the observation."""

    def __init__(self, db: Path, after: int) -> None:
        super().__init__(daemon=True)
        self.con = sqlite3.connect(db, check_same_thread=False)
        self.after = after
        self.seen: float | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        sql = "SELECT coalesce(max(id), 0) FROM doselog"
        while not self.stop.is_set():
            if self.con.execute(sql).fetchone()[0] > self.after:
                self.seen = time.perf_counter()
                return
            time.sleep(0.0005)

    def close(self) -> None:
        self.stop.set()
        self.join()
        self.con.close()


def last_id(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute("SELECT coalesce(max(id), 0) FROM doselog").fetchone()[0])


async def checkoffs(db: Path, presses: int) -> tuple[list[float], int]:
    """Seconds from each space press to its doselog row; and how many `[` were needed."""
    from rehab.tui.app import make_app
    from rehab.tui.screens.today import TodayScreen

    latencies: list[float] = []
    days_back = 0
    app = make_app(str(db), None)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        for _ in range(presses):
            screen = app.screen
            if not isinstance(screen, TodayScreen):
                raise RuntimeError(f"not on Today but on {type(screen).__name__}")
            tries = 0
            while (row := screen.selected_row()) is None or row.next_target() is None:
                tries += 1
                if tries > 5:
                    raise RuntimeError("no dose left to check off")
                await pilot.press("left_square_bracket")
                await _settle(pilot)
                days_back += 1
            watcher = RowWatcher(db, last_id(db))
            watcher.start()
            began = time.perf_counter()
            await pilot.press("space")
            while watcher.seen is None and watcher.is_alive():
                if time.perf_counter() - began > 5:
                    break
                await asyncio.sleep(0.001)  # let the app run while the watcher waits
            watcher.close()
            if watcher.seen is None:
                raise RuntimeError("a check-off did not reach the database in 5 s")
            latencies.append(watcher.seen - began)
            await _settle(pilot)
    return latencies, days_back


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank


# --- report ------------------------------------------------------------------------------------


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measured tmux runs per program")
    parser.add_argument("--presses", type=int, default=100, help="check-offs per Pilot round")
    parser.add_argument("--rounds", type=int, default=3, help="Pilot rounds on a small db")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the databases")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed: start-up and memory are not measured", file=sys.stderr)

    from run import ensure_databases  # benchmarks/run.py: the same 10y.db as the CLI timings

    db10 = ensure_databases(args.rebuild)["10y"]
    home = tempfile.TemporaryDirectory(prefix="rehab-bench-home-")
    drop = ("REHAB_DB", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        REHAB_HOME=home.name,
        PYTHONPATH=str(REPO),
        PYTHONPYCACHEPREFIX=str(DATA / "pycache"),
        TERM="xterm-256color",
    )
    # The in-process Pilot part uses the same temporary REHAB_HOME.
    os.environ["REHAB_HOME"] = home.name
    os.environ.pop("REHAB_DB", None)

    total = time.perf_counter()
    launches: dict[str, Launch] = {}
    dose = "?"
    if shutil.which("tmux"):
        launches, dose = startup(db10, env, args.runs)

    rounds: list[list[float]] = []
    big: list[float] = []
    backfills = []
    with tempfile.TemporaryDirectory(prefix="rehab-bench-pilot-") as tmp:
        for i in range(args.rounds):
            small = Path(tmp) / f"small{i}.db"
            small_database(small)
            lat, back = asyncio.run(checkoffs(small, args.presses))
            rounds.append(lat)
            backfills.append(back)
        copy = Path(tmp) / "10y.db"
        shutil.copyfile(db10, copy)
        big, _ = asyncio.run(checkoffs(copy, args.presses))
    home.cleanup()

    print(f"\nTUI benchmarks ({time.perf_counter() - total:.0f} s); app = {PY} -m rehab")
    if launches:
        print(f"\n1. start-up in tmux 80x24, medians of {args.runs} runs after 1 warm-up")
        print(f"   dose marker on 10y.db: {dose!r}")
        print(
            f"   {'program':<18} {'marker':<7} {'median ms':>9} {'min':>7} {'max':>7} {'cpu ms':>7}"
        )
        for name, launch in launches.items():
            for marker, values in launch.times.items():
                cpu = launch.cpu.get(marker)
                cpu_ms = f"{statistics.median(cpu) * 1000:>7.0f}" if cpu else f"{'-':>7}"
                print(
                    f"   {name:<18} {marker:<7} {statistics.median(values) * 1000:>9.1f} "
                    f"{min(values) * 1000:>7.1f} {max(values) * 1000:>7.1f} {cpu_ms}"
                )
            for failure in launch.failures:
                print(f"   FAILED {name}: {failure}")
        rehab, base, base_sql = (
            launches["rehab 10y"],
            launches["textual"],
            launches["textual+sqlmodel"],
        )
        pairs = [
            ("first frame / textual", rehab, "frame", base, 1.3),
            ("doses (10y) / textual+sqlmodel", rehab, "doses", base_sql, 1.3),
        ]
        print(
            f"\n   {'ratio (of medians)':<32} {'value':>6} {'target':>7}  result  (of mins; of cpu)"
        )
        for label, app, marker, ref, target in pairs:
            if marker not in app.times or "shown" not in ref.times:
                print(f"   {label:<32} {'n/a':>6} {'<= ' + str(target):>7}  MISS")
                continue
            value = app.median(marker) / ref.median("shown")
            of_mins = app.minimum(marker) / ref.minimum("shown")
            a_cpu, r_cpu = app.cpu.get(marker), ref.cpu.get("shown")
            of_cpu = (
                f"{statistics.median(a_cpu) / statistics.median(r_cpu):.3f}"
                if a_cpu and r_cpu
                else "-"
            )
            print(
                f"   {label:<32} {value:>6.3f} {'<= ' + str(target):>7}  "
                f"{verdict(value, target)}    ({of_mins:.3f}; {of_cpu})"
            )

    print(f"\n2. space -> committed doselog row, Pilot 80x24, {args.presses} presses per round")
    p95s = [p95(r) for r in rounds]
    for i, (r, back) in enumerate(zip(rounds, backfills, strict=True)):
        print(
            f"   small db round {i + 1}: median {statistics.median(r) * 1000:.1f} ms, "
            f"p95 {p95(r) * 1000:.1f} ms, max {max(r) * 1000:.1f} ms ({back} days back)"
        )
    if big:
        print(
            f"   10y db (info):       median {statistics.median(big) * 1000:.1f} ms, "
            f"p95 {p95(big) * 1000:.1f} ms, max {max(big) * 1000:.1f} ms"
        )
    value = statistics.median(p95s) * 1000
    print(
        f"   p95 (median of {len(p95s)} rounds): {value:.1f} ms  target <= 50  {verdict(value, 50)}"
    )

    if launches:
        print("\n3. peak memory (VmHWM) 0.3 s after the doses showed, median of runs")
        rehab_kb = launches["rehab 10y"].hwm_kb
        base_kb = launches["textual+sqlmodel"].hwm_kb
        if base_kb:
            print(f"   textual+sqlmodel baseline: {statistics.median(base_kb) / 1024:.1f} MiB")
        if rehab_kb:
            value = statistics.median(rehab_kb) / 1024
            print(f"   rehab on 10y.db: {value:.1f} MiB  target <= 150  {verdict(value, 150)}")
        else:
            print("   rehab on 10y.db: not measured  MISS")
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # report, never fail
        import traceback

        traceback.print_exc()
        print(f"benchmark error: {exc}", file=sys.stderr)
    sys.exit(0)
