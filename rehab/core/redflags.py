"""Red flags: the answers that mean stop home rehab and see a clinician (CLINICAL.md).

Rupture signs are same-day: a torn Achilles tendon can still let a person walk, which is why
the advice says so in as many words. Everything else is "soon". The app never diagnoses, so
each question and piece of advice names what a clinician should check, not what it is.
Three red flags can also be read from the log (`rehab.core.progression` finds them): pain at
night or at rest (the same flag as the question), pain above 5/10 on most days of a week
despite a reduction, and no important improvement after about 12 weeks. `LOG_FLAGS` holds the
two that have no question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Urgency = Literal["same day", "soon"]

_SAME_DAY = "Stop the exercises and see a clinician the same day"
_SOON = "Stop the exercises and see a clinician soon"
_RUPTURE = "this can be a sign of a torn Achilles tendon. Being able to walk does not rule it out."
_NERVE = "a nerve may be irritated or trapped, which needs checking."
_INFLAMMATION = "infection or an inflammatory condition needs to be ruled out."
_REST_PAIN = "pain at night or at rest is not the usual pattern of an overloaded tendon."
_DESPITE = "pain that stays above 5/10 after cutting back needs a clinician to look again."
_NO_CHANGE = "no important improvement after a course of loading needs a clinician's review."


@dataclass(frozen=True)
class RedFlag:
    id: str
    question: str  # yes raises the flag
    urgency: Urgency
    why: str  # what a clinician should check, in plain words
    label: str = ""  # what was found, in a few plain words

    @property
    def advice(self) -> str:
        return f"{_SAME_DAY if self.urgency == 'same day' else _SOON}: {self.why}"


# CLINICAL.md, "Red flags: stop home rehab and see a clinician": rupture signs (same day),
# nerve signs, infection or inflammatory signs.
RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        "pop",
        "Did you feel a sudden pop at the back of the leg, or as if someone had kicked you there?",
        "same day",
        _RUPTURE,
        "a sudden pop or kick at the back of the leg",
    ),
    RedFlag(
        "no-heel-raise",
        "Standing on the painful leg alone, are you unable to rise onto your toes?",
        "same day",
        _RUPTURE,
        "cannot rise onto the toes on the painful leg",
    ),
    RedFlag(
        "gap",
        "Can you feel a gap or dip in the tendon, about 2–6 cm above the heel?",
        "same day",
        _RUPTURE,
        "a gap or dip in the tendon",
    ),
    RedFlag(
        "nerve",
        "Do you have numbness, burning, tingling or electric-shock pain in the foot or heel?",
        "soon",
        _NERVE,
        "numbness, burning, tingling or electric-shock pain",
    ),
    RedFlag(
        "infection",
        "Do you have a fever, or is the heel hot, red and swollen?",
        "soon",
        _INFLAMMATION,
        "fever, or a hot, red, swollen heel",
    ),
    RedFlag(
        "rest-pain",
        "Does the heel hurt at night, or at rest when you are not using it?",
        "soon",
        _REST_PAIN,
        "pain at night or at rest",
    ),
    RedFlag(
        "both-heels",
        "Did both heels start hurting at the same time?",
        "soon",
        _INFLAMMATION,
        "both heels started hurting at once",
    ),
)
FLAG_IDS: tuple[str, ...] = tuple(flag.id for flag in RED_FLAGS)

# CLINICAL.md, red flags: "Pain above 5/10 on most days of a week despite reduced load, or no
# improvement after about 12 weeks of regular rehab": read from the log, never asked.
LOG_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        "pain-despite-reduction",
        "",
        "soon",
        _DESPITE,
        "pain above 5/10 on most sessions of a week despite a reduction",
    ),
    RedFlag(
        "no-improvement",
        "",
        "soon",
        _NO_CHANGE,
        "no important improvement at the end of the course",
    ),
)
ALL_FLAG_IDS: tuple[str, ...] = FLAG_IDS + tuple(flag.id for flag in LOG_FLAGS)


@dataclass(frozen=True)
class RedFlagResult:
    raised: list[RedFlag]
    urgent: bool
    message: str


def flag(flag_id: str) -> RedFlag:
    for item in (*RED_FLAGS, *LOG_FLAGS):
        if item.id == flag_id:
            return item
    raise KeyError(flag_id)


def evaluate(answers: Mapping[str, bool]) -> RedFlagResult:
    """Answers by flag id (True: yes); an unanswered question counts as no. The log's own
    flags (LOG_FLAGS) may be given too, as found."""
    for key, value in answers.items():
        if key not in ALL_FLAG_IDS:
            raise ValueError(f"unknown red-flag question {key!r} (allowed: {', '.join(FLAG_IDS)})")
        if not isinstance(value, bool):
            raise ValueError(f"red-flag answer {key!r}: {value!r} is not allowed (allowed: yes/no)")
    raised = [item for item in (*RED_FLAGS, *LOG_FLAGS) if answers.get(item.id, False)]
    urgent = any(item.urgency == "same day" for item in raised)
    if not raised:
        message = (
            "No red flags: carry on with your program. Not medical advice; follow your clinician."
        )
    else:
        first = _SAME_DAY if urgent else _SOON
        whys = dict.fromkeys(item.why for item in raised)  # in order, each once
        sentences = [why[0].upper() + why[1:] for why in whys]
        message = f"{first}. " + " ".join(sentences)
    return RedFlagResult(raised, urgent, message)
