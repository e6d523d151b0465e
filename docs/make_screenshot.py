"""Regenerate docs/today.svg, the README's picture of the app, with the app's own
`save_screenshot` (fake clock, temporary database, 80×24):

    python docs/make_screenshot.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REHAB_HOME"] = tmp
        os.environ["TZ"] = "Europe/Lisbon"
        from tests.tui_helpers import enroll, make

        db = Path(tmp) / "rehab.db"
        enroll(db, "plantar-fasciitis", side="left")
        app, _ = make(db)
        async with app.run_test(size=(80, 24)) as pilot:
            for keys in (("space",), ("down", "down", "space", "space"), ()):
                await pilot.press(*keys)
                for _ in range(3):
                    await app.workers.wait_for_complete()
                    await pilot.pause()
            await pilot.pause(3.5)  # let the check-off notices fade
            app.save_screenshot(filename="today.svg", path=str(HERE))
    print(HERE / "today.svg")


if __name__ == "__main__":
    asyncio.run(main())
