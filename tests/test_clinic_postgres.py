"""The clinic roster on PostgreSQL: the same clinic built in both engines gives the same
`rehab clinic --json`, and every report exports from it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clinic_history import PATIENTS, build_clinic
from tests.conftest import Rehab
from tests.pg_server import new_database, throwaway_server


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    with pytest.MonkeyPatch.context() as mp, throwaway_server() as server:
        mp.setenv("TZ", "Europe/Lisbon")
        mp.setenv("REHAB_HOME", str(tmp_path_factory.mktemp("home")))
        mp.delenv("REHAB_DB", raising=False)
        sqlite = tmp_path_factory.mktemp("clinic") / "clinic.db"
        build_clinic(f"sqlite:///{sqlite}")
        postgres = new_database(server, "clinic")
        build_clinic(postgres)
        yield str(sqlite), postgres


def test_roster_json_is_the_same_on_postgresql(engines: tuple[str, str], tmp_path: Path) -> None:
    documents = []
    for db in engines:
        result = Rehab(tmp_path / "unused.db")("--db", db, "clinic", "--json", db=False)
        assert result.code == 0, result.err
        documents.append(json.loads(result.out))
    sqlite, postgres = documents
    assert len(sqlite["patients"]) == PATIENTS
    assert postgres == sqlite
    assert any(p["red_flags"] for p in sqlite["patients"])
    assert any(p["advice"]["waiting"] for p in sqlite["patients"])


def test_every_report_from_postgresql(engines: tuple[str, str], tmp_path: Path) -> None:
    out = tmp_path / "reports"
    args = ("--db", engines[1], "clinic", "--export-reports", str(out), "--filter", "attention")
    result = Rehab(tmp_path / "unused.db")(*args, db=False)
    assert result.code == 0, result.err
    files = list(out.glob("*.html"))
    assert files and result.out.startswith(f"Wrote {len(files)} reports")
