"""`rehab import` of a 10-year export, measured in one run (medians of whole-process runs,
interleaved):

- `rehab import` of the whole 10-year JSON export into a new database ÷ `rehab export json`
  of it (target <= 3);
- the same file imported again into that database (everything already there), for scale;
- peak memory (the child's ru_maxrss from wait4) of each import (target <= 300 MB).

    python benchmarks/imports.py [--runs 3]

It reports and always exits 0. Builds benchmarks/.data/10y.db if missing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from export import Sample, span  # benchmarks/ is on sys.path when a script here runs
from progress import ensure

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / ".data"


def measure(argv: list[str], env: dict[str, str], sample: Sample, before: object = None) -> None:
    if callable(before):
        before()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    error = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sample.failed = error.strip() or "failed"
        return
    sample.seconds.append(elapsed)
    sample.cpu.append(usage.ru_utime + usage.ru_stime)
    sample.peak_mib.append(usage.ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    big = DATA / "10y.db"
    ensure(big, "--years", "10")
    work = Path(tempfile.mkdtemp(prefix="rehab-import-bench-"))
    drop = ("REHAB_DB", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(REHAB_HOME=str(work / "home"), PYTHONPATH=str(REPO),
               PYTHONPYCACHEPREFIX=str(DATA / "pycache"))  # fmt: skip
    first, _ = span(big)
    rehab = [sys.executable, "-m", "rehab"]
    exported, fresh, again = work / "10y.json", work / "fresh.db", work / "again.db"
    export = [*rehab, "--db", str(big), "export", "json", "--from", first, "--out",
              str(exported), "--force"]  # fmt: skip
    subprocess.run(export, env=env, check=True, capture_output=True)
    subprocess.run([*rehab, "--db", str(again), "import", str(exported)], env=env, check=True,
                   capture_output=True)  # fmt: skip

    def new_database() -> None:
        for extra in ("", "-wal", "-shm"):
            Path(f"{fresh}{extra}").unlink(missing_ok=True)

    cases = {
        "export json 10y": (export, None),
        "import into a new db": ([*rehab, "--db", str(fresh), "import", str(exported)],
                                 new_database),
        "import again (all there)": ([*rehab, "--db", str(again), "import", str(exported)],
                                     None),
    }  # fmt: skip
    samples = {name: Sample() for name in cases}
    for argv, before in cases.values():  # warm-up: bytecode caches, page cache
        measure(argv, env, Sample(), before)
    for _ in range(args.runs):
        for name, (argv, before) in cases.items():
            measure(argv, env, samples[name], before)

    size = exported.stat().st_size
    print(f"import, median of {args.runs} runs each ({size / 1e6:.1f} MB export, from {first})")
    for name, sample in samples.items():
        if sample.failed:
            print(f"  {name:26} FAILED: {sample.failed.splitlines()[-1]}")
            continue
        print(
            f"  {name:26} {sample.median:7.3f} s  (cpu {sample.cpu_median:6.3f} s)  "
            f"peak {statistics.median(sample.peak_mib):6.1f} MiB"
        )
    print("ratios")
    base = samples["export json 10y"]
    for name in ("import into a new db", "import again (all there)"):
        sample = samples[name]
        if sample.failed or base.failed:
            print(f"  {name}: not measured (a run failed)")
            continue
        value, cpu = sample.median / base.median, sample.cpu_median / base.cpu_median
        if name == "import into a new db":
            verdict = "PASS" if value <= 3 else "MISS"
            print(f"  {name} ÷ export json: {value:.2f} (target <= 3) {verdict}; cpu {cpu:.2f}")
        else:
            print(f"  {name} ÷ export json: {value:.2f} (no target); cpu {cpu:.2f}")
        peak = max(sample.peak_mib)
        verdict = "PASS" if peak <= 300 else "MISS"
        print(f"  {name} peak memory: {peak:.1f} MiB (target <= 300) {verdict}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
