"""The printed systemd unit: it runs the same database with the same REHAB_HOME, escapes
`%` (a specifier to systemd), and `systemd-analyze verify` accepts it."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rehab.cli import Options
from rehab.cli.remind import _quoted, _systemd, _unit


def _exec_start(unit: str) -> list[str]:
    (line,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart=").replace("%%", "%"))


def test_percent_is_doubled_and_environment_quoted() -> None:
    assert _systemd("/data/50%off.db") == "/data/50%%off.db"
    assert _quoted('REHAB_HOME=/a "b"\\c 5%') == '"REHAB_HOME=/a \\"b\\"\\\\c 5%%"'


def test_a_path_with_percent_is_escaped(tmp_path: Path) -> None:
    db = tmp_path / "50%off.db"
    unit = _unit(Options(db=str(db), patient="me", debug=False))
    assert "50%%off.db" in unit and "50%off" not in unit.replace("%%", "")
    assert _exec_start(unit)[-5:] == ["--db", str(db), "--patient", "me", "remind"]


def test_rehab_db_and_rehab_home_are_carried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "my home"
    monkeypatch.setenv("REHAB_HOME", str(home))
    monkeypatch.delenv("REHAB_DB", raising=False)
    unit = _unit(Options(db=None, patient=None, debug=False))
    assert f'Environment="REHAB_HOME={home}"' in unit.splitlines()
    command = _exec_start(unit)
    assert command[command.index("--db") + 1] == str(home / "data" / "rehab.db")
    monkeypatch.setenv("REHAB_DB", str(tmp_path / "elsewhere.db"))
    command = _exec_start(_unit(Options(db=None, patient=None, debug=False)))
    assert command[command.index("--db") + 1] == str(tmp_path / "elsewhere.db")


def test_a_relative_db_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    command = _exec_start(_unit(Options(db="rel.db", patient=None, debug=False)))
    assert command[command.index("--db") + 1] == str(tmp_path / "rel.db")


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not on this machine"
)
def test_systemd_analyze_verify_accepts_the_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REHAB_HOME", str(tmp_path / "home 100%"))
    unit = _unit(
        Options(db=str(tmp_path / "dir with space" / "50%off.db"), patient="me", debug=False)
    )
    path = tmp_path / "rehab-remind.service"
    path.write_text(unit)
    done = subprocess.run(
        ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert str(path) not in done.stderr, done.stderr  # no warning about our unit
    assert sys.executable in unit.replace("%%", "%")
