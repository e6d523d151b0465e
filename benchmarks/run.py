"""Whole-process benchmarks for `rehab`: start-up time, history-size scaling, peak memory.

    python benchmarks/run.py [--runs 9] [--rebuild]

Builds benchmarks/.data/10y.db and 1w.db with make_history.py when they are missing or were
built on another day (the active enrollment is placed relative to today), then runs every
command once as a warm-up and `--runs` more times, round-robin, and reports medians.

The app runs as `[sys.executable, "-m", "rehab", ...]` with cwd and PYTHONPATH set to the
checkout (no install needed); the baselines use the same interpreter. Each child runs with
REHAB_HOME pointing at a temporary folder and REHAB_DB unset, so nothing touches the user's
real files. Wall time is time.perf_counter() around start-to-reap of each child; peak memory
is that child's own ru_maxrss, from os.wait4() (which also gives its CPU time, shown as a
cross-check on a busy machine). Bytecode caches go to .data/pycache for every child
(PYTHONPYCACHEPREFIX), so neither side pays for compiling sources even where
PYTHONDONTWRITEBYTECODE is set. It reports; it never fails (exit status 0).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / ".data"
DBS = {"10y": ["--years", "10"], "1w": ["--weeks", "1"]}
PY = sys.executable


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    maxrss_kb: list[int] = field(default_factory=list)

    @property
    def time(self) -> float:
        return statistics.median(self.seconds)

    @property
    def rss(self) -> float:
        return statistics.median(self.maxrss_kb)


def ensure_databases(rebuild: bool) -> dict[str, Path]:
    DATA.mkdir(exist_ok=True)
    paths = {}
    for name, period in DBS.items():
        db = DATA / f"{name}.db"
        stamp = DATA / f"{name}.built"
        fresh = db.exists() and stamp.exists() and stamp.read_text().strip() == str(date.today())
        if rebuild or not fresh:
            subprocess.run(
                [PY, str(HERE / "make_history.py"), "--db", str(db), *period, "--force"],
                check=True,
                cwd=REPO,
            )
            stamp.write_text(f"{date.today()}\n")
        paths[name] = db
    return paths


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, int, str]:
    """Wall and CPU seconds, the child's own peak RSS (KiB on Linux), exit status, stderr."""
    with tempfile.TemporaryFile() as err:
        began = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return elapsed, cpu, usage.ru_maxrss, proc.returncode, err.read().decode(errors="replace")


def report(samples: dict[str, Sample], runs: int) -> None:
    print(f"\nmedians of {runs} runs (after 1 warm-up); app = {PY} -m rehab")
    print(f"{'command':<16} {'wall ms':>8} {'min':>7} {'max':>7} {'cpu ms':>7} {'maxrss MiB':>11}")
    for name, one in samples.items():
        print(
            f"{name:<16} {one.time * 1000:>8.1f} {min(one.seconds) * 1000:>7.1f} "
            f"{max(one.seconds) * 1000:>7.1f} {statistics.median(one.cpu) * 1000:>7.1f} "
            f"{one.rss / 1024:>11.1f}"
        )
    s = samples
    ratios = [
        ("rehab --help / import click", s["rehab --help"], s["import click"], 1.5),
        ("today(10y) / import sqlmodel", s["today 10y"], s["import sqlmodel"], 1.25),
        ("today(10y) / today(1w)", s["today 10y"], s["today 1w"], 1.05),
    ]
    print(f"\n{'ratio (of medians)':<30} {'value':>6} {'target':>7}  result  (ratio of mins)")
    for label, app, base, target in ratios:
        value = app.time / base.time
        of_mins = min(app.seconds) / min(base.seconds)
        verdict = "PASS" if value <= target else "MISS"
        print(f"{label:<30} {value:>6.3f} {'<= ' + str(target):>7}  {verdict}    ({of_mins:.3f})")
    value = s["today 10y"].rss / s["import sqlmodel"].rss
    verdict = "PASS" if value <= 1.3 else "MISS"
    print(f"{'maxrss today(10y) / sqlmodel':<30} {value:>6.3f} {'<= 1.3':>7}  {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="measured runs per command")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the databases")
    args = parser.parse_args()

    dbs = ensure_databases(args.rebuild)
    home = tempfile.TemporaryDirectory(prefix="rehab-bench-home-")
    drop = ("REHAB_DB", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    # Bytecode caches for every child (app and baselines alike) go under .data/, so the
    # checkout gets no __pycache__ and no run pays for compiling sources, as after an install.
    env.update(
        REHAB_HOME=home.name, PYTHONPATH=str(REPO), PYTHONPYCACHEPREFIX=str(DATA / "pycache")
    )
    rehab = [PY, "-m", "rehab"]
    commands = {
        "import click": [PY, "-c", "import click"],
        "rehab --help": [*rehab, "--help"],
        "import sqlmodel": [PY, "-c", "import sqlmodel"],
        "today 10y": [*rehab, "--db", str(dbs["10y"]), "today"],
        "today 1w": [*rehab, "--db", str(dbs["1w"]), "today"],
    }

    # Check that each command works, and show what `today` prints on the big database.
    for name, argv in commands.items():
        check = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True)
        if check.returncode != 0:
            print(f"{name}: exit {check.returncode}: {check.stderr.strip()}", file=sys.stderr)
        elif name == "today 10y":
            first_lines = check.stdout.splitlines()[:2]
            print("today on 10y.db: " + " | ".join(first_lines))

    samples = {name: Sample() for name in commands}
    for round_no in range(args.runs + 1):  # round 0 is the warm-up
        for name, argv in commands.items():
            seconds, cpu, rss, code, err = run_once(argv, env)
            if code != 0:
                print(f"{name}: exit {code}: {err.strip()[:300]}", file=sys.stderr)
            if round_no > 0:
                samples[name].seconds.append(seconds)
                samples[name].cpu.append(cpu)
                samples[name].maxrss_kb.append(rss)
    home.cleanup()

    report(samples, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
