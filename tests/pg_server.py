"""A throwaway PostgreSQL server for a test module, from the machine's server binaries
(the pattern of tests/test_postgres.py): a fresh cluster in a temporary folder, trust
authentication, a unix socket and 127.0.0.1 on a free port, stopped and removed after."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def server_binaries() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def throwaway_server() -> Iterator[str]:
    """A URL for the `postgres` database of a new server; skips without binaries."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL server binaries (Debian package postgresql)")
    pytest.importorskip("psycopg")
    folder = Path(tempfile.mkdtemp(prefix="rehab-pg-"))
    as_root = os.geteuid() == 0  # the server refuses to run as root: as its own user then
    if as_root:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()

    def server(*args: str) -> None:
        user = "postgres" if as_root else None
        subprocess.run(args, check=True, capture_output=True, timeout=120, user=user, group=user)

    server(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "rehab", "--no-sync")
    options = f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    server(str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
           str(folder / "log"), "-w", "start")  # fmt: skip
    try:
        yield f"postgresql+psycopg://rehab@127.0.0.1:{port}/postgres"
    finally:
        server(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def new_database(server_url: str, name: str) -> str:
    """An empty database on the server, for one test."""
    import psycopg

    base = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def plain_url(url: str) -> str:
    """The URL for psycopg itself (no SQLAlchemy driver name)."""
    return url.replace("postgresql+psycopg://", "postgresql://")
