"""Progress commands, measured in one run (medians of whole-process runs):

- `rehab chart pain --weeks 52` on the 10-year database ÷ on a 12-week one (target <= 1.1:
  aggregated in SQL over the window, not by loading every row);
- `rehab advice` ÷ `rehab today`, both on the 10-year database (target <= 1.1).

    python benchmarks/progress.py [--runs 9]

It reports and always exits 0. Builds benchmarks/.data/10y.db and 12w.db if missing.
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


def ensure(db: Path, *period: str) -> None:
    if not db.exists():
        DATA.mkdir(exist_ok=True)
        subprocess.run(
            [sys.executable, str(HERE / "make_history.py"), "--db", str(db), *period], check=True
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    big, small = DATA / "10y.db", DATA / "12w.db"
    ensure(big, "--years", "10")
    ensure(small, "--weeks", "12")
    env = {**os.environ, "REHAB_HOME": tempfile.mkdtemp(prefix="rehab-bench-"),
           "PYTHONPATH": str(REPO)}  # fmt: skip

    def run(db: Path, *command: str) -> float:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rehab", "--db", str(db), *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            check=False,
        )
        return time.perf_counter() - start

    cases = {
        "chart 10y": (big, "chart", "pain", "--weeks", "52"),
        "chart 12w": (small, "chart", "pain", "--weeks", "52"),
        "advice 10y": (big, "advice"),
        "today 10y": (big, "today"),
    }
    for db, *command in cases.values():
        run(db, *command)  # warm-up
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (db, *command) in cases.items():
            times[name].append(run(db, *command))
    median = {name: statistics.median(values) for name, values in times.items()}
    for name, value in median.items():
        print(f"{name:<11} {1000 * value:7.0f} ms")
    for label, top, bottom in (
        ("chart pain 52w: 10y / 12w", "chart 10y", "chart 12w"),
        ("advice / today (10y)", "advice 10y", "today 10y"),
    ):
        ratio = median[top] / median[bottom]
        print(f"{label:<27} {ratio:.3f}  target <= 1.1  {'PASS' if ratio <= 1.1 else 'MISS'}")


if __name__ == "__main__":
    main()
