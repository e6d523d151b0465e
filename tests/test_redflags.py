"""Red flags: none, one to see a clinician about soon, and rupture signs the same day."""

from __future__ import annotations

import pytest

from rehab.core.redflags import FLAG_IDS, RED_FLAGS, evaluate, flag

RUPTURE = ["pop", "no-heel-raise", "gap"]
SOON = ["nerve", "infection", "rest-pain", "both-heels"]


def test_the_flags_of_clinical_md_as_data() -> None:
    assert sorted(FLAG_IDS) == sorted(RUPTURE + SOON)
    assert len(set(FLAG_IDS)) == len(RED_FLAGS)
    for item in RED_FLAGS:
        assert item.question.endswith("?")
        assert item.advice.startswith("Stop the exercises and see a clinician")
        assert item.urgency == ("same day" if item.id in RUPTURE else "soon")
    for flag_id in RUPTURE:
        assert "Being able to walk does not rule it out." in flag(flag_id).advice
        assert "the same day" in flag(flag_id).advice


@pytest.mark.parametrize("answers", [{}, dict.fromkeys(FLAG_IDS, False)])
def test_none_raised(answers: dict[str, bool]) -> None:
    result = evaluate(answers)
    assert result.raised == []
    assert not result.urgent
    assert result.message.startswith("No red flags")
    assert "follow your clinician" in result.message


@pytest.mark.parametrize("flag_id", SOON)
def test_one_non_urgent_flag(flag_id: str) -> None:
    result = evaluate({**dict.fromkeys(FLAG_IDS, False), flag_id: True})
    assert [item.id for item in result.raised] == [flag_id]
    assert not result.urgent
    assert result.message.startswith("Stop the exercises and see a clinician soon.")
    assert "same day" not in result.message


@pytest.mark.parametrize("flag_id", RUPTURE)
def test_a_rupture_sign_is_urgent(flag_id: str) -> None:
    result = evaluate({flag_id: True})
    assert [item.id for item in result.raised] == [flag_id]
    assert result.urgent
    assert result.message == (
        "Stop the exercises and see a clinician the same day. This can be a sign of a torn "
        "Achilles tendon. Being able to walk does not rule it out."
    )


def test_several_flags_say_each_reason_once_and_the_most_urgent_wins() -> None:
    result = evaluate({"pop": True, "gap": True, "nerve": True, "infection": False})
    assert [item.id for item in result.raised] == ["pop", "gap", "nerve"]
    assert result.urgent
    assert result.message.startswith("Stop the exercises and see a clinician the same day.")
    assert result.message.count("torn Achilles tendon") == 1
    assert "A nerve may be irritated or trapped" in result.message


def test_bad_answers() -> None:
    with pytest.raises(ValueError, match=r"unknown red-flag question 'rash' \(allowed: pop, "):
        evaluate({"rash": True})
    with pytest.raises(ValueError, match=r"red-flag answer 'pop': 'yes' is not allowed"):
        evaluate({"pop": "yes"})  # type: ignore[dict-item]
    with pytest.raises(KeyError):
        flag("rash")
