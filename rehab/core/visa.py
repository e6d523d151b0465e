"""VISA-A, the Achilles outcome questionnaire (Robinson 2001, Br J Sports Med 35:335).

Eight items, total 0–100, 100 meaning no symptoms. The wording here is our own: CLINICAL.md
gives the content and the scoring, and says the published wording is not ours to copy. Each
answer is stored as the point on the item's scale the patient chose (items 1–7) or as the
branch and minutes of item 8, so a stored answer can always be re-scored and re-validated.

On every 0–10 item here, 10 is the good end (no stiffness, no pain, all hops pain-free):
the opposite of the pain scale used elsewhere in the app, so each item names both ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Literal

# CLINICAL.md, "Outcome measure: VISA-A": total 0–100, 100 = no symptoms.
VISA_MAX = 100
# CLINICAL.md: "Healthy people score ≥96".
HEALTHY_SCORE = 96
# CLINICAL.md: "~90 is full recovery".
FULL_RECOVERY_SCORE = 90
# CLINICAL.md: "a change of about 14 points over 12 weeks is clinically important".
CLINICALLY_IMPORTANT_CHANGE = 14

Branch = Literal["A", "B", "C"]
BRANCHES: tuple[Branch, ...] = ("A", "B", "C")
# CLINICAL.md, item 8: minutes nil / 1–10 / 11–20 / 21–30 / >30, scored by branch.
MINUTE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 0, "none"),
    (1, 10, "1–10 minutes"),
    (11, 20, "11–20 minutes"),
    (21, 30, "21–30 minutes"),
    (31, None, "more than 30 minutes"),
)
ITEM8_POINTS: dict[Branch, tuple[int, int, int, int, int]] = {
    "A": (0, 7, 14, 21, 30),
    "B": (0, 4, 10, 14, 20),
    "C": (0, 2, 5, 7, 10),
}
# Item 8's minutes are scored in bands, the top one "more than 30"; a day (1,440 minutes) is
# the most anyone can train, and the prompt has always allowed no more.
TRAINING_MINUTES_MAX = 24 * 60
# CLINICAL.md, item 7: "current sport or activity level (0, 4, 7 or 10)".
ACTIVITY_POINTS = (0, 4, 7, 10)


@dataclass(frozen=True)
class Choice:
    value: int | str  # the stored answer: points for items 1–7, the branch for item 8
    label: str


@dataclass(frozen=True)
class Item:
    """One question. For items 1–7 the stored answer is the chosen value, which is also its
    points; item 8 is asked as a branch (its choices), then minutes (MINUTE_BANDS)."""

    number: int
    key: str  # the Answers field
    topic: str  # short name used in messages
    question: str
    choices: tuple[Choice, ...]


def _scale(worst: str, best: str) -> tuple[Choice, ...]:
    return tuple(
        Choice(n, f"{n}: {worst}" if n == 0 else f"{n}: {best}" if n == 10 else str(n))
        for n in range(11)
    )


ITEMS: tuple[Item, ...] = (
    Item(
        1,
        "morning_stiffness",
        "morning stiffness",
        "When you get out of bed, how long does the back of your heel or ankle stay stiff?",
        _scale("stiff for a very long time", "not stiff at all"),
    ),
    Item(
        2,
        "stretch_pain",
        "pain on a step-edge stretch",
        "Standing with the front of your foot on a step and letting the heel drop below it, "
        "how much does the tendon hurt as it stretches?",
        _scale("very strong pain", "no pain"),
    ),
    Item(
        3,
        "walking_pain",
        "pain after walking",
        "How much does the tendon hurt after you have walked on level ground for half an hour?",
        _scale("very strong pain", "no pain"),
    ),
    Item(
        4,
        "downstairs_pain",
        "pain going downstairs",
        "How much does the tendon hurt when you walk down a flight of stairs normally?",
        _scale("very strong pain", "no pain"),
    ),
    Item(
        5,
        "heel_raise_pain",
        "pain with one-leg heel raises",
        "How much does it hurt to rise onto your toes 10 times on the painful leg alone?",
        _scale("very strong pain", "no pain"),
    ),
    Item(
        6,
        "pain_free_hops",
        "pain-free one-leg hops",
        "Hopping on the painful leg only, how many hops can you manage before it hurts? "
        "Stop counting at 10.",
        tuple(Choice(n, f"{n} hops" if n != 1 else "1 hop") for n in range(11)),
    ),
    Item(
        7,
        "activity_level",
        "sport or activity level",
        "Which best describes the sport or physical activity you do now?",
        (
            Choice(0, "none at present"),
            Choice(4, "cut-down training or a cut-down version of my sport or activity"),
            Choice(7, "full training or activity, but below the level I had before the pain"),
            Choice(10, "the same level as before the pain, or higher"),
        ),
    ),
    Item(
        8,
        "training",
        "training time",
        "Think of the sport or activity that loads your Achilles tendon the most. Which branch "
        "fits you (A: it does not hurt; B: it hurts, but you can carry on; C: the pain makes "
        "you stop), and for how many minutes can you keep it up?",
        (
            Choice("A", "A: no pain while I do it"),
            Choice("B", "B: some pain, but I can finish"),
            Choice("C", "C: the pain stops me from finishing"),
        ),
    ),
)


def _item(key: str) -> Item:
    return next(item for item in ITEMS if item.key == key)


def _allowed(item: Item) -> str:
    values = [c.value for c in item.choices]
    if values == list(range(11)):
        return "a whole number from 0 to 10"
    return ", ".join(str(v) for v in values[:-1]) + f" or {values[-1]}"


def _fail(item: Item, what: str, allowed: str) -> ValueError:
    return ValueError(
        f"item {item.number} ({item.topic}): {what} is not allowed (allowed: {allowed})"
    )


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Answers:
    """One completed questionnaire, validated on creation."""

    morning_stiffness: int  # item 1, 0–10 (10: not stiff)
    stretch_pain: int  # item 2, 0–10 (10: no pain)
    walking_pain: int  # item 3, 0–10
    downstairs_pain: int  # item 4, 0–10
    heel_raise_pain: int  # item 5, 0–10
    pain_free_hops: int  # item 6, 0–10 hops
    activity_level: int  # item 7: 0, 4, 7 or 10
    training_branch: Branch  # item 8: A, B or C
    training_minutes: int  # item 8: minutes the activity can be kept up (0: not at all)

    def __post_init__(self) -> None:
        for item in ITEMS[:7]:
            value = getattr(self, item.key)
            if not _whole(value) or value not in {c.value for c in item.choices}:
                raise _fail(item, repr(value), _allowed(item))
        item8 = ITEMS[7]
        if self.training_branch not in BRANCHES:
            raise _fail(item8, f"branch {self.training_branch!r}", "A, B or C")
        minutes = self.training_minutes
        if not _whole(minutes) or not 0 <= minutes <= TRAINING_MINUTES_MAX:
            raise _fail(
                item8,
                f"{minutes!r} minutes",
                f"whole minutes from 0 to {TRAINING_MINUTES_MAX}, a day",
            )

    def to_dict(self) -> dict[str, int | str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Answers:
        """Validate stored or typed-in answers; an unknown or missing key is one line."""
        names = [f.name for f in fields(cls)]
        for key in data:
            if key not in names:
                raise ValueError(f"unknown VISA-A answer {key!r} (allowed: {', '.join(names)})")
        for name in names:
            if name not in data:
                item = _item("training" if name.startswith("training") else name)
                raise ValueError(f"item {item.number} ({item.topic}): {name} is missing")
        return cls(**data)  # type: ignore[arg-type]  # __post_init__ checks every value


def minute_band(minutes: int) -> int:
    """Index into MINUTE_BANDS: 0 none, 1 for 1–10, 2 for 11–20, 3 for 21–30, 4 for >30."""
    for i, (low, high, _) in enumerate(MINUTE_BANDS):
        if minutes >= low and (high is None or minutes <= high):
            return i
    raise ValueError(f"{minutes!r} minutes is not allowed (allowed: whole minutes, 0 or more)")


def item_scores(answers: Answers) -> tuple[int, ...]:
    """The eight items' points, in order."""
    first_seven = tuple(int(getattr(answers, item.key)) for item in ITEMS[:7])
    item8 = ITEM8_POINTS[answers.training_branch][minute_band(answers.training_minutes)]
    return (*first_seven, item8)


def score(answers: Answers) -> int:
    """VISA-A total, 0–100 (100: no symptoms)."""
    return sum(item_scores(answers))


def _check(value: int) -> None:
    if not _whole(value) or not 0 <= value <= VISA_MAX:
        raise ValueError(
            f"VISA-A score {value!r} is not allowed (allowed: a whole number from 0 to {VISA_MAX})"
        )


def interpret(total: int) -> str:
    """The score in words, against CLINICAL.md's reference points."""
    _check(total)
    if total >= HEALTHY_SCORE:
        return f"{total}/100: in the range of people with healthy tendons ({HEALTHY_SCORE} or more)"
    if total >= FULL_RECOVERY_SCORE:
        return f"{total}/100: about full recovery (around {FULL_RECOVERY_SCORE})"
    return f"{total}/100: symptoms remain (100 means none)"


def is_important_change(before: int, after: int) -> bool:
    """A change of at least CLINICALLY_IMPORTANT_CHANGE points, either way."""
    _check(before)
    _check(after)
    return abs(after - before) >= CLINICALLY_IMPORTANT_CHANGE


def describe_change(before: int, after: int) -> str:
    """'up 18 points (54 → 72): a clinically important improvement (14 or more)'."""
    important = is_important_change(before, after)
    change = after - before
    if change == 0:
        return f"no change ({before} → {after})"
    direction = "up" if change > 0 else "down"
    text = f"{direction} {abs(change)} points ({before} → {after})"
    if important:
        kind = "improvement" if change > 0 else "worsening"
        return f"{text}: a clinically important {kind} ({CLINICALLY_IMPORTANT_CHANGE} or more)"
    return f"{text}: less than the {CLINICALLY_IMPORTANT_CHANGE} points that count as important"
