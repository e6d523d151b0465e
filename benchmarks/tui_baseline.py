"""The baseline for benchmarks/tui.py: the smallest Textual app that shows one line.

    python benchmarks/tui_baseline.py [--sqlmodel]

With --sqlmodel it imports sqlmodel first (what any app on this stack pays before it can
show data). Quits on q or ctrl+c; the benchmark kills it anyway.
"""

import sys

if "--sqlmodel" in sys.argv:
    import sqlmodel  # noqa: F401

from textual.app import App, ComposeResult
from textual.widgets import Static


class Baseline(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("baseline ready")


if __name__ == "__main__":
    Baseline().run()
