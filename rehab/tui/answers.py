"""What the app's question dialogs hand back: one frozen dataclass per dialog, instead of
tuples whose order a caller has to remember. The dialogs write nothing; the caller records."""

from __future__ import annotations

from dataclasses import dataclass

from rehab.core.visa import Answers, score


@dataclass(frozen=True)
class RedFlagAnswers:
    """Every red-flag question's answer, in the order asked: (flag id, yes?)."""

    answers: tuple[tuple[str, bool], ...]

    @property
    def yes(self) -> list[str]:
        """The ids answered yes ([] when every answer was no)."""
        return [flag_id for flag_id, answer in self.answers if answer]


@dataclass(frozen=True)
class VisaAnswers:
    """A completed VISA-A (validated by rehab.core.visa.Answers)."""

    answers: Answers

    @property
    def score(self) -> int:
        return score(self.answers)


@dataclass(frozen=True)
class PainAnswer:
    score: int  # 0–10
    context: str  # one of rehab.tui.painguide.PAIN_CONTEXTS
    note: str | None
    warning: bool  # "a warning sign" ticked: the red-flag questions come next


@dataclass(frozen=True)
class MorningAnswer:
    pain: int | None  # morning pain 0–10, logged as a pain entry in the morning context
    stiffness_minutes: int | None
    swelling: bool
    redness: bool
    tiptoe_pain: bool
    warning: bool


@dataclass(frozen=True)
class LoadAnswer:
    """The load used for some sets of a strengthening dose."""

    load_kg: float  # added load, 0 for body weight
    sets: int  # sets done with it, 1 to the sets left
