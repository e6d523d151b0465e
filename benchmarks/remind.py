"""Reminder service cost, measured in one run:

- `rehab remind` idle for N minutes of wall time (default 10): CPU time as a share of one core
  (target <= 1%) and resident memory ÷ that of `python -c "import sqlmodel, apscheduler"`
  (target <= 1.2);
- `rehab remind --once` ÷ `rehab today` on the 10-year database (medians; target <= 1.1).

    python benchmarks/remind.py [--minutes 10] [--runs 7]

It reports and always exits 0. Uses benchmarks/.data/10y.db (built by run.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / ".data"


def env(home: str) -> dict[str, str]:
    return {**os.environ, "REHAB_HOME": home, "PYTHONPATH": str(REPO)}


def timed(argv: list[str], environ: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environ)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    db = DATA / "10y.db"
    if not db.exists():
        subprocess.run([sys.executable, str(HERE / "run.py"), "--runs", "1"], check=True)
    home = tempfile.mkdtemp(prefix="rehab-bench-")
    environ = env(home)
    app = [sys.executable, "-m", "rehab", "--db", str(db)]

    once, today = [], []
    timed([*app, "today"], environ)
    for _ in range(args.runs):
        today.append(timed([*app, "today"], environ)[0])
        once.append(
            timed([*app, "remind", "--once", "--at", "2026-11-21T03:00"], environ)[0]
        )  # quiet hours: measures the check, sends nothing, writes nothing
    base_rss = statistics.median(
        timed([sys.executable, "-c", "import sqlmodel, apscheduler"], environ)[1] for _ in range(3)
    )

    proc = subprocess.Popen(
        [*app, "remind"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environ
    )
    time.sleep(5)  # start-up and catch-up are not idle time
    before = _cpu_seconds(proc.pid)
    time.sleep(args.minutes * 60)
    after = _cpu_seconds(proc.pid)
    rss_kib = _rss_kib(proc.pid)
    proc.terminate()
    proc.wait()

    share = 100 * (after - before) / (args.minutes * 60)
    ratio_once = statistics.median(once) / statistics.median(today)
    ratio_rss = rss_kib / base_rss
    print(
        f"medians of {args.runs}: remind --once {1000 * statistics.median(once):.0f} ms, "
        f"today {1000 * statistics.median(today):.0f} ms"
    )
    print(
        f"idle {args.minutes:g} min: cpu {after - before:.2f} s = {share:.3f}% of a core "
        f"(target <= 1%) {'PASS' if share <= 1 else 'MISS'}"
    )
    print(
        f"rss {rss_kib / 1024:.1f} MiB / baseline {base_rss / 1024:.1f} MiB = {ratio_rss:.2f} "
        f"(target <= 1.2) {'PASS' if ratio_rss <= 1.2 else 'MISS'}"
    )
    print(
        f"remind --once / today = {ratio_once:.3f} (target <= 1.1) "
        f"{'PASS' if ratio_once <= 1.1 else 'MISS'}"
    )


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


if __name__ == "__main__":
    main()
