"""Where the database is: `--db` (a path or a URL), else $REHAB_DB, else the data folder.

Kept apart from db.py so that deciding the URL imports no database library (the app
paints its first frame before SQLAlchemy loads).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, unquote

from rehab.core.typed import printable, unstorable
from rehab.errors import UsageProblem
from rehab.paths import default_db_path

SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg", "postgresql+psycopg2")


def is_default(db: str | None) -> bool:
    """True when no --db and no REHAB_DB: the one database rehab may create unasked."""
    return not db and not os.environ.get("REHAB_DB")


def database_url(db: str | None) -> str:
    """`--db` (a path or a URL), else $REHAB_DB, else the user data dir's rehab.db."""
    if db is not None and not db.strip():
        raise UsageProblem("--db: empty (allowed: a file path or a database URL)")
    value = db if db else os.environ.get("REHAB_DB") or None
    if value is None:
        return sqlite_url(default_db_path())
    if unstorable(value):
        raise UsageProblem(
            f"--db: {printable(value)!r} is not valid UTF-8 "
            "(allowed: a file path or database URL in UTF-8)"
        )
    if "://" in value:
        scheme = value.split("://", 1)[0]
        if scheme not in SCHEMES:
            raise UsageProblem(
                f"--db: unsupported database URL scheme {scheme!r} "
                "(allowed: a file path, sqlite:///PATH or postgresql+psycopg://...)"
            )
        if scheme == "sqlite":
            _refuse_memory(value)
        return value
    return sqlite_url(Path(value))


def _refuse_memory(url: str) -> None:
    """An in-memory SQLite database takes every write and loses it when rehab exits."""
    rest = url.removeprefix("sqlite://")
    path, _, query = rest.partition("?")
    name = path.removeprefix("/")
    options = {part.partition("=")[0].lower(): part.partition("=")[2] for part in query.split("&")}
    if (
        not path.startswith("/")
        or name in ("", ":memory:")
        or name.startswith("file::memory:")
        or options.get("mode", "").lower() == "memory"
    ):
        raise UsageProblem(
            f"--db: {url} is an in-memory database, whose entries vanish when rehab exits "
            "(allowed: a file path, sqlite:///PATH or postgresql+psycopg://...)"
        )


def sqlite_url(path: Path) -> str:
    """Percent-encoded as a URL must be: SQLAlchemy reads '?' as the start of options and
    decodes '%xx', so a file named 'my?db.db' or 'pc%20x.db' would otherwise open another."""
    text = str(path)
    if unstorable(text):
        raise UsageProblem(
            f"--db: the path {printable(text)!r} is not valid UTF-8 "
            "(allowed: a file path in UTF-8; SQLite cannot open other names)"
        )
    return f"sqlite:///{quote(str(expand_home(path, '--db').resolve()))}"


def expand_home(path: Path, option: str) -> Path:
    """`~` and `~user` expanded; a user with no home folder is a usage error, not a crash."""
    try:
        return path.expanduser()
    except RuntimeError:
        user = str(path).split("/", 1)[0]
        raise UsageProblem(
            f"{option}: cannot find the home folder of {user!r} (no such user; allowed: "
            "~/..., ~USER/... for an existing user, or a full path)"
        ) from None


def sqlite_path(url: str) -> Path | None:
    """The file a sqlite:/// URL names, read as SQLAlchemy reads it (options cut, decoded)."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(unquote(url.removeprefix("sqlite:///").split("?", 1)[0]))
    return None
