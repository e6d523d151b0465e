"""Exports, measured in one run (medians of whole-process runs, interleaved):

- CSV throughput: (`rehab export csv` of the whole 10-year database − of the whole 12-week
  one) ÷ (the same difference for benchmarks/export_baseline.py, the same rows with plain
  sqlite3 and the csv module): the cost per row once start-up is set aside, target <= 2;
  printed again for a copy of the 10-year database whose patient lives in Asia/Kolkata
  (+05:30);
- `rehab export report` for the last 12 weeks, on the 10-year database ÷ on a 12-week one:
  target <= 1.2 (every query is bounded by the range);
- `rehab export ics` (the current program, its default range) on the 10-year database ÷
  on the 12-week one: target <= 1.2 (the calendar reads the current enrollment's plan and
  settings only, however long the history);
- `rehab export json` and `rehab export fhir` of the whole 10-year database: time, file
  size and peak memory (the child's ru_maxrss from wait4): target <= 300 MB each.

    python benchmarks/export.py [--runs 5]

It reports and always exits 0. Builds benchmarks/.data/10y.db and 12w.db if missing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from progress import ensure  # benchmarks/ is on sys.path when a script here runs

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / ".data"


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    size: int = 0
    failed: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")


def run(argv: list[str], env: dict[str, str], out: Path, sample: Sample) -> None:
    if out.is_dir():
        shutil.rmtree(out)
    elif out.exists():
        out.unlink()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    error = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        sample.failed = error.strip() or f"exit {proc.returncode}"
        return
    sample.seconds.append(elapsed)
    sample.cpu.append(usage.ru_utime + usage.ru_stime)
    sample.peak_mib.append(usage.ru_maxrss / 1024)
    paths = out.iterdir() if out.is_dir() else [out]
    sample.size = sum(p.stat().st_size for p in paths)


def span(db: Path) -> tuple[str, str]:
    with sqlite3.connect(db) as conn:
        first = conn.execute("select min(start_date) from enrollment").fetchone()[0]
    return first, date.today().isoformat()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="run only the cases whose name contains this text")
    args = parser.parse_args()
    big, small = DATA / "10y.db", DATA / "12w.db"
    ensure(big, "--years", "10")
    ensure(small, "--weeks", "12")
    work = Path(tempfile.mkdtemp(prefix="rehab-export-bench-"))
    drop = ("REHAB_DB", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(REHAB_HOME=str(work / "home"), PYTHONPATH=str(REPO),
               PYTHONPYCACHEPREFIX=str(DATA / "pycache"))  # fmt: skip
    first, last = span(big)
    kolkata = work / "10y-kolkata.db"
    shutil.copy(big, kolkata)
    with sqlite3.connect(kolkata) as conn:
        conn.execute("update patient set timezone = 'Asia/Kolkata'")
    twelve = (date.today() - timedelta(days=83)).isoformat()
    rehab = [sys.executable, "-m", "rehab"]

    def export(db: Path, fmt: str, out: Path, *extra: str) -> list[str]:
        return [*rehab, "--db", str(db), "export", fmt, "--out", str(out), "--force", *extra]

    baseline = HERE / "export_baseline.py"
    plain = [sys.executable, str(baseline), str(big), str(work / "plain"), first, last]
    small_first, _ = span(small)
    plain12 = [sys.executable, str(baseline), str(small), str(work / "p12"), small_first, last]
    cases: dict[str, tuple[list[str], Path]] = {
        "csv 10y": (export(big, "csv", work / "csv", "--from", first, "--to", last), work / "csv"),
        "csv 12w": (
            export(small, "csv", work / "c12", "--from", small_first, "--to", last),
            work / "c12",
        ),
        "plain sqlite3+csv 10y": (plain, work / "plain"),
        "plain sqlite3+csv 12w": (plain12, work / "p12"),
        "csv 10y Asia/Kolkata": (
            export(kolkata, "csv", work / "csvk", "--from", first, "--to", last),
            work / "csvk",
        ),
        "report 12 weeks of 10y": (
            export(big, "report", work / "r10.html", "--from", twelve),
            work / "r10.html",
        ),
        "report 12 weeks of 12w": (
            export(small, "report", work / "r12.html", "--from", twelve),
            work / "r12.html",
        ),
        "ics now, 10y db": (export(big, "ics", work / "i10.ics"), work / "i10.ics"),
        "ics now, 12w db": (export(small, "ics", work / "i12.ics"), work / "i12.ics"),
        "json 10y": (export(big, "json", work / "x.json", "--from", first), work / "x.json"),
        "fhir 10y": (export(big, "fhir", work / "x.fhir", "--from", first), work / "x.fhir"),
    }
    if args.only:
        cases = {name: case for name, case in cases.items() if args.only in name}
    samples = {name: Sample() for name in cases}
    for argv, out in cases.values():  # warm-up: bytecode caches, page cache
        run(argv, env, out, Sample())
    for _ in range(args.runs):
        for name, (argv, out) in cases.items():
            run(argv, env, out, samples[name])

    print(f"exports, median of {args.runs} runs each ({first} to {last} on the 10-year db)")
    for name, sample in samples.items():
        if sample.failed:
            print(f"  {name:26} FAILED: {sample.failed.splitlines()[-1]}")
            continue
        peak = statistics.median(sample.peak_mib)
        print(
            f"  {name:26} {sample.median:7.3f} s  (cpu {sample.cpu_median:6.3f} s)  "
            f"peak {peak:6.1f} MiB  {sample.size / 1e6:8.2f} MB written"
        )

    def ratio(a: str, b: str, target: float | None, label: str) -> None:
        if a not in samples or b not in samples:
            return
        if samples[a].failed or samples[b].failed:
            print(f"  {label}: not measured (a run failed)")
            return
        value = samples[a].median / samples[b].median
        cpu = samples[a].cpu_median / samples[b].cpu_median
        if target is None:
            print(f"  {label}: {value:.2f} (no target); in cpu time {cpu:.2f}")
            return
        verdict = "PASS" if value <= target else "MISS"
        print(f"  {label}: {value:.2f} (target <= {target}) {verdict}; in cpu time {cpu:.2f}")

    def throughput(big_case: str, target: float, label: str) -> None:
        names = (big_case, "csv 12w", "plain sqlite3+csv 10y", "plain sqlite3+csv 12w")
        if any(name not in samples for name in names):
            return
        if any(samples[name].failed for name in names):
            print(f"  {label}: not measured (a run failed)")
            return
        a, b, c, d = (samples[name] for name in names)
        value = (a.median - b.median) / (c.median - d.median)
        cpu = (a.cpu_median - b.cpu_median) / (c.cpu_median - d.cpu_median)
        verdict = "PASS" if value <= target else "MISS"
        print(f"  {label}: {value:.2f} (target <= {target}) {verdict}; in cpu time {cpu:.2f}")

    print("ratios")
    throughput("csv 10y", 2.0, "csv throughput (10y - 12w) ÷ plain sqlite3+csv (10y - 12w)")
    throughput("csv 10y Asia/Kolkata", 2.0, "the same, in Asia/Kolkata")
    ratio("csv 10y", "plain sqlite3+csv 10y", None, "whole csv 10y ÷ plain sqlite3+csv 10y")
    ratio("report 12 weeks of 10y", "report 12 weeks of 12w", 1.2, "report 12w: 10y db ÷ 12w db")
    ratio("ics now, 10y db", "ics now, 12w db", 1.2, "ics: 10y db ÷ 12w db")
    for name in ("json 10y", "fhir 10y"):
        sample = samples.get(name)
        if sample is not None and not sample.failed:
            peak = max(sample.peak_mib)
            verdict = "PASS" if peak <= 300 else "MISS"
            print(f"  {name} peak memory: {peak:.1f} MiB (target <= 300) {verdict}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
