"""Every test gets its own REHAB_HOME: no test reads or writes the real user folders."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def rehab_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "rehab-home"
    monkeypatch.setenv("REHAB_HOME", str(home))
    monkeypatch.delenv("REHAB_DB", raising=False)
    monkeypatch.setenv("TZ", "Europe/Lisbon")
    yield home


@dataclass
class Result:
    code: int
    out: str
    err: str


class Rehab:
    """Runs `rehab` in-process through the same `main()` the console script uses."""

    def __init__(self, db: Path):
        self.db = db

    def __call__(self, *args: str, db: bool = True) -> Result:
        from rehab.cli import main

        argv = (["--db", str(self.db)] if db else []) + list(args)
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def rehab(tmp_path: Path) -> Rehab:
    return Rehab(tmp_path / "rehab.db")


def run_process(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Result:
    """`python -m rehab ...` in a real subprocess (for exit codes and stderr as a user sees)."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "rehab", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=60,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
