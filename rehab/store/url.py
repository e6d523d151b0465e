"""Where the database is: `--db` (a path or a URL), else $REHAB_DB, else the data folder.

Kept apart from db.py so that deciding the URL imports no database library (the app
paints its first frame before SQLAlchemy loads).
"""

from __future__ import annotations

import os
from pathlib import Path

from rehab.errors import UsageProblem
from rehab.paths import default_db_path


def database_url(db: str | None) -> str:
    """`--db` (a path or a URL), else $REHAB_DB, else the user data dir's rehab.db."""
    value = db if db else os.environ.get("REHAB_DB") or None
    if value is None:
        return _sqlite_url(default_db_path())
    if "://" in value:
        if not value.startswith(("sqlite", "postgresql")):
            scheme = value.split("://", 1)[0]
            raise UsageProblem(
                f"--db: unsupported database URL scheme {scheme!r} "
                "(allowed: a file path, sqlite:///PATH or postgresql+psycopg://...)"
            )
        return value
    return _sqlite_url(Path(value))


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///"))
    return None
