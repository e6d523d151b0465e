"""The headless core imports no UI, scheduler, database or CLI library, and the store no UI
or CLI library (each module in a fresh interpreter)."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import rehab.core
import rehab.store

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ("textual", "plotext", "apscheduler", "sqlalchemy", "sqlmodel", "alembic", "click")
MODULES = sorted(
    info.name for info in pkgutil.walk_packages(rehab.core.__path__, prefix="rehab.core.")
)

STORE_FORBIDDEN = ("textual", "plotext", "click")
STORE_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(rehab.store.__path__, prefix="rehab.store.")
    if not info.name.startswith("rehab.store.migrations")  # run by Alembic, not imported
)

CHECK = """
import importlib, sys
importlib.import_module({module!r})
forbidden = {forbidden!r}
loaded = sorted(
    name for name in sys.modules if name.split(".")[0] in forbidden
)
if loaded:
    sys.exit("imported " + ", ".join(loaded))
"""


def test_modules_are_discovered() -> None:
    assert {"rehab.core.template", "rehab.core.schedule", "rehab.core.catalog"} <= set(MODULES)


def fresh_import(module: str, forbidden: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-c", CHECK.format(module=module, forbidden=forbidden)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize("module", ["rehab.core", *MODULES])
def test_core_module_imports_nothing_heavy(module: str) -> None:
    result = fresh_import(module, FORBIDDEN)
    assert result.returncode == 0, result.stderr


def test_store_modules_are_discovered() -> None:
    assert {"rehab.store.rows", "rehab.store.schema", "rehab.store.journal"} <= set(STORE_MODULES)


@pytest.mark.parametrize("module", ["rehab.store", *STORE_MODULES])
def test_store_module_imports_no_ui(module: str) -> None:
    result = fresh_import(module, STORE_FORBIDDEN)
    assert result.returncode == 0, result.stderr


def test_the_check_catches_a_forbidden_import() -> None:
    """The subprocess check really fails when a forbidden package is loaded."""
    code = CHECK.format(module="click", forbidden=FORBIDDEN)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    assert "imported click" in result.stderr
