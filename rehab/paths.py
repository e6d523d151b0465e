"""Where rehab keeps its files: the one place that decides, so tests can redirect it.

`REHAB_HOME` (used by the test suite and by people who want a portable setup) puts the data
and config folders under one directory; otherwise platformdirs picks the usual places.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "rehab"


def _home() -> Path | None:
    home = os.environ.get("REHAB_HOME")
    return Path(home).expanduser() if home else None


def data_dir() -> Path:
    home = _home()
    if home is not None:
        return home / "data"
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def config_dir() -> Path:
    home = _home()
    if home is not None:
        return home / "config"
    from platformdirs import user_config_path

    return user_config_path(APP, appauthor=False)


def make_private_folders(folder: Path) -> None:
    """Make `folder` and any missing parents, each with mode 0700 whatever the umask (the
    mode given to mkdir is masked, so it is set again). Folders that were already there,
    or that another process made meanwhile, are left as they are."""
    missing: list[Path] = []
    here = folder
    while not os.path.lexists(here) and here != here.parent:
        missing.append(here)
        here = here.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        os.chmod(path, 0o700)
    if not folder.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(folder))


def default_db_path() -> Path:
    return data_dir() / "rehab.db"


def user_programs_dir() -> Path:
    return config_dir() / "programs"


def builtin_programs_dir() -> Path:
    """Templates shipped in the wheel (rehab/programs), or the checkout's programs/."""
    here = Path(__file__).resolve().parent
    packaged = here / "programs"
    if packaged.is_dir():
        return packaged
    return here.parent / "programs"
