"""A template's sources and phases as a reader can take them in.

Phases: a phase's `weeks` are the published program's usual timing, and in phased
programs they overlap (Silbernagel: Phase 2 in weeks 2–5, Phase 3 in weeks 3–12), because
the pain-monitoring model, not the calendar, decides when to move on; `min_weeks` is the
least time in a phase before the move may be considered (rehab.core.progression). Said
bare, "weeks 2–5" then "weeks 3–12" reads like a mistake, so the ranges come with that.

Sources:
The built-in templates cite the seed documents by file name (`000_4546d74372f3ff20.txt`),
so that tests can check each citation names a real file; a person reading `rehab programs
show` sees the document's own title instead. Anything else (a paper, or a user template's
own citation) is shown as written.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rehab.core.template import Phase, Program

PHASES_MOVE = (
    "You move to the next phase when your pain allows it (with your clinician), not on a set date."
)

# The seed documents' titles: the first line of each file in ../shared/seeds
# (tests/test_programs.py checks them against the files when the folder is there).
SEED_TITLES: dict[str, str] = {
    "000_4546d74372f3ff20.txt": "What Causes Pain in Back of Heel When Walking?",
    "001_e9ad59e2cb018b7e.txt": "The back of my heel hurts",
    "002_c98f0c718b15c81d.txt": "Posterior Heel Pain [Causes, Symptoms & Best Treatment]",
}
_SEED_FILE = re.compile(r"([0-9]{3})_[0-9a-f]{16}\.txt")


def source_title(source: str) -> str:
    """`Seed document 000, "What Causes Pain…"` for a seed file; other sources as written."""
    title = SEED_TITLES.get(source)
    match = _SEED_FILE.fullmatch(source)
    if match is None:
        return source
    number = match.group(1)
    return f'Seed document {number}, "{title}"' if title else f"Seed document {number}"


def phases_overlap(program: Program) -> bool:
    return any(b.weeks.low <= a.weeks.high for a, b in pairwise(program.phases))


def phase_timing(program: Program, phase: Phase) -> str:
    """`usually weeks 3–12, at least 9 weeks`: the phase's usual weeks, and its least time
    when that is more than a week (not said for the last phase, which has no next one)."""
    low, high = int(phase.weeks.low), int(phase.weeks.high)
    when = f"usually week {low}" if low == high else f"usually weeks {low}–{high}"
    last = phase is program.phases[-1]
    if not last and phase.min_weeks > 1:
        when += f", at least {phase.min_weeks} weeks"
    return when


def phases_intro(program: Program) -> str:
    """The sentence before a list of phases (a one-phase program needs none)."""
    timing = "so they overlap" if phases_overlap(program) else "not fixed dates"
    return f"{PHASES_MOVE} The weeks are the usual timing, {timing}."
