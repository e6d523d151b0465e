"""VISA-A scoring by hand-computed cases, every item-8 branch and band, and bad answers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehab.core.visa import (
    CLINICALLY_IMPORTANT_CHANGE,
    FULL_RECOVERY_SCORE,
    HEALTHY_SCORE,
    ITEMS,
    Answers,
    describe_change,
    interpret,
    is_important_change,
    item_scores,
    score,
)

BEST = Answers(10, 10, 10, 10, 10, 10, 10, "A", 45)
WORST = Answers(0, 0, 0, 0, 0, 0, 0, "C", 0)


def test_all_best_is_100_and_all_worst_is_0() -> None:
    assert score(BEST) == 100
    assert score(WORST) == 0
    assert score(replace(WORST, training_branch="A")) == 0  # no training time in any branch


def test_a_mixed_case_computed_by_hand() -> None:
    # items 1–7: 7 + 5 + 6 + 8 + 4 + 3 + 4 = 37; item 8: branch B, 15 minutes (11–20) = 10
    answers = Answers(7, 5, 6, 8, 4, 3, 4, "B", 15)
    assert item_scores(answers) == (7, 5, 6, 8, 4, 3, 4, 10)
    assert score(answers) == 47


def test_another_mixed_case_computed_by_hand() -> None:
    # 2 + 0 + 9 + 10 + 1 + 0 + 7 = 29; item 8: branch A, 25 minutes (21–30) = 21; total 50
    assert score(Answers(2, 0, 9, 10, 1, 0, 7, "A", 25)) == 50


@pytest.mark.parametrize(
    ("branch", "minutes", "points"),
    [
        ("A", 0, 0),
        ("A", 1, 7),
        ("A", 10, 7),
        ("A", 11, 14),
        ("A", 20, 14),
        ("A", 21, 21),
        ("A", 30, 21),
        ("A", 31, 30),
        ("A", 120, 30),
        ("B", 0, 0),
        ("B", 1, 4),
        ("B", 10, 4),
        ("B", 11, 10),
        ("B", 20, 10),
        ("B", 21, 14),
        ("B", 30, 14),
        ("B", 31, 20),
        ("C", 0, 0),
        ("C", 1, 2),
        ("C", 10, 2),
        ("C", 11, 5),
        ("C", 20, 5),
        ("C", 21, 7),
        ("C", 30, 7),
        ("C", 31, 10),
    ],
)
def test_item_8_every_branch_and_band(branch: str, minutes: int, points: int) -> None:
    answers = Answers(0, 0, 0, 0, 0, 0, 0, branch, minutes)  # type: ignore[arg-type]
    assert item_scores(answers)[7] == points
    assert score(answers) == points


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "activity_level",
            5,
            r"^item 7 \(sport or activity level\): 5 is not allowed \(allowed: 0, 4, 7 or 10\)$",
        ),
        (
            "morning_stiffness",
            11,
            r"^item 1 \(morning stiffness\): 11 is not allowed "
            r"\(allowed: a whole number from 0 to 10\)$",
        ),
        ("stretch_pain", -1, r"^item 2 \(pain on a step-edge stretch\): -1 is not allowed"),
        ("walking_pain", 4.5, r"^item 3 \(pain after walking\): 4.5 is not allowed"),
        ("downstairs_pain", True, r"^item 4 \(pain going downstairs\): True is not allowed"),
        ("pain_free_hops", 12, r"^item 6 \(pain-free one-leg hops\): 12 is not allowed"),
        (
            "training_branch",
            "D",
            r"^item 8 \(training time\): branch 'D' is not allowed \(allowed: A, B or C\)$",
        ),
        ("training_branch", "a", r"branch 'a' is not allowed"),
        (
            "training_minutes",
            -5,
            r"^item 8 \(training time\): -5 minutes is not allowed "
            r"\(allowed: whole minutes from 0 to 1440, a day\)$",
        ),
        (
            "training_minutes",
            10**30,
            r"^item 8 \(training time\): 10{30} minutes is not allowed "
            r"\(allowed: whole minutes from 0 to 1440, a day\)$",
        ),
        ("training_minutes", 1441, r"1441 minutes is not allowed"),
    ],
)
def test_invalid_answers_name_the_item_and_what_is_allowed(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        replace(BEST, **{field: value})  # type: ignore[arg-type]


def test_a_whole_day_of_training_is_the_most_allowed() -> None:
    assert replace(BEST, training_minutes=1440).training_minutes == 1440


def test_answers_round_trip_through_a_dict() -> None:
    answers = Answers(7, 5, 6, 8, 4, 3, 4, "B", 15)
    assert Answers.from_dict(answers.to_dict()) == answers


def test_from_dict_refuses_unknown_and_missing_keys() -> None:
    data = BEST.to_dict()
    with pytest.raises(ValueError, match=r"unknown VISA-A answer 'item9' \(allowed: morning_"):
        Answers.from_dict({**data, "item9": 3})
    del data["training_minutes"]
    with pytest.raises(ValueError, match=r"item 8 \(training time\): training_minutes is missing"):
        Answers.from_dict(data)
    with pytest.raises(ValueError, match=r"item 7 \(sport or activity level\): 5 is not allowed"):
        Answers.from_dict({**BEST.to_dict(), "activity_level": 5})


def test_items_are_defined_with_their_allowed_answers() -> None:
    assert [item.number for item in ITEMS] == list(range(1, 9))
    for item in ITEMS[:6]:
        assert [c.value for c in item.choices] == list(range(11))
    assert [c.value for c in ITEMS[6].choices] == [0, 4, 7, 10]
    assert [c.value for c in ITEMS[7].choices] == ["A", "B", "C"]
    assert all(item.question.endswith("?") or item.question.endswith(".") for item in ITEMS)
    # the 0–10 scales name both ends, since 10 is the good end here
    assert ITEMS[1].choices[0].label == "0: very strong pain"
    assert ITEMS[1].choices[10].label == "10: no pain"


answers = st.builds(
    Answers,
    *[st.integers(0, 10)] * 6,
    st.sampled_from([0, 4, 7, 10]),
    st.sampled_from(["A", "B", "C"]),
    st.integers(0, 600),
)


@given(answers)
def test_every_valid_answer_scores_0_to_100(answers: Answers) -> None:
    assert 0 <= score(answers) <= 100
    assert score(answers) == sum(item_scores(answers))


@pytest.mark.parametrize(
    ("total", "says"),
    [
        (100, "healthy tendons (96 or more)"),
        (96, "healthy tendons"),
        (95, "about full recovery"),
        (90, "about full recovery"),
        (89, "symptoms remain"),
        (0, "symptoms remain"),
    ],
)
def test_interpretation(total: int, says: str) -> None:
    assert says in interpret(total)


def test_clinical_reference_points() -> None:
    assert (CLINICALLY_IMPORTANT_CHANGE, HEALTHY_SCORE, FULL_RECOVERY_SCORE) == (14, 96, 90)
    assert is_important_change(54, 68)
    assert not is_important_change(54, 67)
    assert is_important_change(80, 66)
    assert describe_change(54, 72) == (
        "up 18 points (54 → 72): a clinically important improvement (14 or more)"
    )
    assert describe_change(60, 55).startswith("down 5 points (60 → 55): less than the 14")
    assert describe_change(60, 60) == "no change (60 → 60)"
    with pytest.raises(ValueError, match=r"VISA-A score 101 is not allowed"):
        interpret(101)
