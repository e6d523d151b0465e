"""The clinic roster on 2,000 patients with six months each, on SQLite and PostgreSQL.

    python benchmarks/clinic.py [--runs 5] [--patients 2000] [--rebuild] [--pg URL] [--only ENGINE]

Builds benchmarks/.data/clinic.db with make_clinic.py when it is missing or was built on
another day, and the same clinic in PostgreSQL: `--pg URL` (an empty database), or else a
throwaway server started from the machine's binaries (tests/pg_server.py), built anew.

For each engine it times, as whole processes, one warm-up and then `--runs` rounds
round-robin:

- `rehab --db DB clinic --json` on the clinic;
- the same on a one-patient clinic: the app's fixed start-up (Python, click, SQLAlchemy,
  SQLModel, the tables, opening the database), which the SQL client never pays;
- `sqlite3 DB < roster.sql` / `psql URL -f roster.sql`: one hand-written aggregate query
  that computes the roster's columns in the database (benchmarks/clinic_roster.sql).

It prints medians and these ratios, with the target (≤ 1.5 once the start-up is set
aside): app ÷ SQL, and (app − start-up) ÷ SQL. It only reports and always exits 0.

What the SQL does not do, and the app does: the planned doses come from each program
template and day (the SQL counts the doses done, not done ÷ planned), today's advice runs
the pain-monitoring model over four weeks of daily observations (the SQL reads the same
daily figures and compares this week with last), and every patient's day is their own
time zone's (the SQL takes one date for all).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / ".data"
PY = sys.executable
SQL = HERE / "clinic_roster.sql"
TARGET = 1.5


def today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Europe/Lisbon")).date()


def build(url_or_path: str, patients: int) -> None:
    subprocess.run(
        [PY, str(HERE / "make_clinic.py"), "--db", url_or_path, "--patients", str(patients)]
        + (["--force"] if "://" not in url_or_path else []),
        check=True,
        cwd=REPO,
    )


def ensure_sqlite(patients: int, rebuild: bool) -> tuple[Path, Path]:
    DATA.mkdir(exist_ok=True)
    out = []
    for name, count in (("clinic", patients), ("clinic-1", 1)):
        db = DATA / f"{name}.db"
        stamp = DATA / f"{name}.built"
        want = f"{today()} {count}"
        if rebuild or not (db.exists() and stamp.exists() and stamp.read_text().strip() == want):
            build(str(db), count)
            stamp.write_text(want + "\n")
        out.append(db)
    return out[0], out[1]


@contextlib.contextmanager
def postgres(url: str | None, patients: int) -> Iterator[tuple[str, str] | None]:
    """(clinic URL, one-patient URL), on the given server or a throwaway one."""
    sys.path.insert(0, str(REPO))
    from tests.pg_server import new_database, server_binaries, throwaway_server

    if url is None and server_binaries() is None:
        print("PostgreSQL: no server binaries; skipped", file=sys.stderr)
        yield None
        return
    with contextlib.ExitStack() as stack:
        server = url or stack.enter_context(throwaway_server())
        big, small = new_database(server, "clinic"), new_database(server, "clinic1")
        began = time.perf_counter()
        build(big, patients)
        build(small, 1)
        print(f"PostgreSQL clinic built in {time.perf_counter() - began:.0f} s")
        yield big, small


def run_once(
    argv: list[str], env: dict[str, str], stdin: Path | None = None
) -> tuple[float, float, int]:
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(open(stdin, "rb")) if stdin else subprocess.DEVNULL
        began = time.perf_counter()
        proc = subprocess.Popen(
            argv, cwd=REPO, env=env, stdin=source, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - began
        code = os.waitstatus_to_exitcode(status)
        assert proc.stderr is not None
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if code != 0:
            print(f"{' '.join(argv[:4])}...: exit {code}: {err.strip()[:300]}", file=sys.stderr)
        return elapsed, usage.ru_utime + usage.ru_stime, code


def sql_file(engine: str, folder: Path) -> Path:
    """roster.sql with today's dates and the engine's date arithmetic filled in."""
    day = today()
    text = SQL.read_text()
    plus6 = "date(a.start_date, '+6 days')" if engine == "sqlite" else "(a.start_date + 6)"
    text = (
        text.replace("{today}", day.isoformat())
        .replace("{d7}", (day - timedelta(days=6)).isoformat())
        .replace("{d14}", (day - timedelta(days=13)).isoformat())
        .replace("{d28}", (day - timedelta(days=27)).isoformat())
        .replace("{start_plus_6}", plus6)
    )
    path = folder / f"roster-{engine}.sql"
    path.write_text(text)
    return path


def measure(commands: dict[str, tuple[list[str], Path | None]], env: dict[str, str], runs: int):  # type: ignore[no-untyped-def]
    seconds: dict[str, list[float]] = {k: [] for k in commands}
    cpu: dict[str, list[float]] = {k: [] for k in commands}
    for round_no in range(runs + 1):
        for name, (argv, stdin) in commands.items():
            wall, used, _ = run_once(argv, env, stdin)
            if round_no:
                seconds[name].append(wall)
                cpu[name].append(used)
    return seconds, cpu


def report(engine: str, seconds: dict[str, list[float]], cpu: dict[str, list[float]]) -> None:
    med = {k: statistics.median(v) for k, v in seconds.items()}
    cpum = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"\n{engine}: medians of {len(next(iter(seconds.values())))} runs")
    print(f"{'command':<28} {'wall ms':>9} {'min':>8} {'cpu ms':>8}")
    for name in seconds:
        print(
            f"{name:<28} {med[name] * 1000:>9.1f} {min(seconds[name]) * 1000:>8.1f}"
            f" {cpum[name] * 1000:>8.1f}"
        )
    app, start, sql = med["rehab clinic --json"], med["start-up (1 patient)"], med["SQL"]
    raw = app / sql
    net = (app - start) / sql
    verdict = "PASS" if net <= TARGET else "MISS"
    print(f"app / SQL                        {raw:6.2f}   (no target: includes start-up)")
    print(f"(app - start-up) / SQL           {net:6.2f}   target <= {TARGET}  {verdict}")
    capp, cstart, csql = (
        cpum["rehab clinic --json"],
        cpum["start-up (1 patient)"],
        cpum["SQL"],
    )
    if engine == "SQLite":  # psql's own CPU time leaves out the server's work
        print(
            f"  of CPU time: app / SQL {capp / csql:.2f}, (app - start-up) / SQL "
            f"{(capp - cstart) / csql:.2f} (steadier on a busy machine)"
        )
    mins = {k: min(v) for k, v in seconds.items()}
    print(
        "  of the minimum times: "
        f"{mins['rehab clinic --json'] / mins['SQL']:.2f} and "
        f"{(mins['rehab clinic --json'] - mins['start-up (1 patient)']) / mins['SQL']:.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--pg", help="an empty PostgreSQL database URL to build the clinic in")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="rehab-bench-clinic-"))
    drop = ("REHAB_DB", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        REHAB_HOME=str(folder / "home"),
        PYTHONPATH=str(REPO),
        PYTHONPYCACHEPREFIX=str(DATA / "pycache"),
    )
    rehab = [PY, "-m", "rehab"]
    try:
        if args.only in (None, "sqlite"):
            big, small = ensure_sqlite(args.patients, args.rebuild)
            sqlite3 = shutil.which("sqlite3")
            commands = {
                "rehab clinic --json": ([*rehab, "--db", str(big), "clinic", "--json"], None),
                "start-up (1 patient)": ([*rehab, "--db", str(small), "clinic", "--json"], None),
                "SQL": ([sqlite3 or "sqlite3", "-readonly", str(big)], sql_file("sqlite", folder)),
            }
            report("SQLite", *measure(commands, env, args.runs))
        if args.only in (None, "postgresql"):
            psql = shutil.which("psql") or "psql"
            with postgres(args.pg, args.patients) as urls:
                if urls is not None:
                    big_url, small_url = urls
                    plain = big_url.replace("postgresql+psycopg://", "postgresql://")
                    commands = {
                        "rehab clinic --json": (
                            [*rehab, "--db", big_url, "clinic", "--json"],
                            None,
                        ),
                        "start-up (1 patient)": (
                            [*rehab, "--db", small_url, "clinic", "--json"],
                            None,
                        ),
                        "SQL": (
                            [psql, "-q", "-X", "-o", "/dev/null", plain],
                            sql_file("pg", folder),
                        ),
                    }
                    report("PostgreSQL", *measure(commands, env, args.runs))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
