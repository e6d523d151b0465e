"""`rehab visa`: scoring hand-checked through the CLI, the questions asked on the terminal
(a bad answer is asked again), one-line refusals that write nothing, `--list`, the
"VISA-A due" line of `rehab today` on Achilles programs, and the refusals on a plantar-fascia
program and while a red flag is open (the VISA-A asks for hops and heel raises)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import REPO, Rehab, Result

LISBON = ZoneInfo("Europe/Lisbon")
TODAY = date(2026, 3, 20)
DUE = "VISA-A due: `rehab visa`"

# Hand-computed: 6+5+6+7+5+4 + 4 (cut-down activity) + 10 (branch B, 11–20 minutes) = 47.
MIXED = {
    "morning_stiffness": 6,
    "stretch_pain": 5,
    "walking_pain": 6,
    "downstairs_pain": 7,
    "heel_raise_pain": 5,
    "pain_free_hops": 4,
    "activity_level": 4,
    "training_branch": "B",
    "training_minutes": 15,
}


WITHOUT_ITEM_3 = {k: v for k, v in MIXED.items() if k != "walking_pain"}


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(datetime(2026, 3, 20, 19, 0, tzinfo=LISBON), tick=False):
        yield


@pytest.fixture
def achilles(rehab: Rehab) -> Rehab:
    result = rehab("start", "achilles-midportion", "--side", "left", "--start", "2026-03-02")
    assert result.code == 0, result.err
    return rehab


def answers(**changes: object) -> str:
    return json.dumps({**MIXED, **changes})


def assessments(db: Path) -> list[tuple[str, str, int, dict[str, object]]]:
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT instrument, taken_on, score, answers_json FROM assessment ORDER BY id"
        ).fetchall()
    return [(i, t, s, json.loads(a)) for i, t, s, a in rows]


def one_line_error(result: Result, code: int = 2) -> str:
    assert result.code == code, (result.code, result.out, result.err)
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    return result.err


@pytest.mark.parametrize(
    ("changes", "total"),
    [
        ({}, 47),
        # 9+8+9+9+8+8 + 7 + 21 (branch A, 21–30 minutes) = 79
        (
            {
                "morning_stiffness": 9,
                "stretch_pain": 8,
                "walking_pain": 9,
                "downstairs_pain": 9,
                "heel_raise_pain": 8,
                "pain_free_hops": 8,
                "activity_level": 7,
                "training_branch": "A",
                "training_minutes": 25,
            },
            79,
        ),
        # no symptoms at all: 6 × 10 + 10 + 30 (A, more than 30 minutes) = 100
        (
            dict.fromkeys(
                [
                    "morning_stiffness",
                    "stretch_pain",
                    "walking_pain",
                    "downstairs_pain",
                    "heel_raise_pain",
                    "pain_free_hops",
                    "activity_level",
                ],
                10,
            )
            | {"training_branch": "A", "training_minutes": 45},
            100,
        ),
        # the worst of everything, and branch C at 0 minutes: 0
        (
            dict.fromkeys(
                [
                    "morning_stiffness",
                    "stretch_pain",
                    "walking_pain",
                    "downstairs_pain",
                    "heel_raise_pain",
                    "pain_free_hops",
                    "activity_level",
                ],
                0,
            )
            | {"training_branch": "C", "training_minutes": 0},
            0,
        ),
        # item 8 by band: C and "21-30" is 7, so 37 + 7 = 44
        ({"training_branch": "C", "training_minutes": "21-30"}, 44),
        # "30+" in branch B is 20: 37 + 20 = 57
        ({"training_minutes": "30+"}, 57),
    ],
)
def test_scores_are_hand_computed_and_stored(
    achilles: Rehab, changes: dict[str, object], total: int
) -> None:
    result = achilles("visa", "--answers", answers(**changes))
    assert result.code == 0, result.err
    assert f"VISA-A on {TODAY}: {total}/100" in result.out
    assert "This is the first score" in result.out
    ((instrument, taken_on, score, stored),) = assessments(achilles.db)
    assert (instrument, taken_on, score) == ("visa-a", str(TODAY), total)
    assert set(stored) == set(MIXED)


def test_interpretation_of_high_scores(achilles: Rehab) -> None:
    best = answers(
        morning_stiffness=10,
        stretch_pain=10,
        walking_pain=10,
        downstairs_pain=10,
        heel_raise_pain=10,
        pain_free_hops=10,
        activity_level=10,
        training_branch="A",
        training_minutes=40,
    )
    out = achilles("visa", "--answers", best).out
    assert "100/100: in the range of people with healthy tendons" in out


def test_change_since_the_first_and_the_previous_score(achilles: Rehab) -> None:
    assert achilles("visa", "--answers", answers(), "--date", "2026-03-02").code == 0  # 47
    second = achilles("visa", "--answers", answers(pain_free_hops=10), "--date", "2026-03-09")
    assert second.code == 0  # 53
    assert (
        "Since the first and previous score (2026-03-02): up 6 points (47 → 53): "
        "less than the 14 points that count as important"
    ) in second.out
    third = achilles("visa", "--answers", answers(pain_free_hops=10, activity_level=10))  # 59
    assert third.code == 0
    assert (
        "Since the first score (2026-03-02): up 12 points (47 → 59): less than the 14 points"
    ) in third.out
    assert "Since the previous score (2026-03-09): up 6 points (53 → 59)" in third.out
    best_item_8 = answers(
        pain_free_hops=10, activity_level=10, training_branch="A", training_minutes=35
    )
    fourth = achilles("visa", "--answers", best_item_8)
    assert fourth.code == 0  # 37 + 6 + 6 + 30 = 79
    assert (
        "Since the first score (2026-03-02): up 32 points (47 → 79): "
        "a clinically important improvement (14 or more)"
    ) in fourth.out
    assert "Since the previous score (2026-03-20): up 20 points (59 → 79): a clinically" in (
        fourth.out
    )


def test_answers_from_a_file(achilles: Rehab, tmp_path: Path) -> None:
    path = tmp_path / "visa.json"
    path.write_text(answers(), encoding="utf-8")
    result = achilles("visa", "--answers", f"@{path}")
    assert result.code == 0, result.err
    assert "47/100" in result.out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--answers", "{bad"], "not valid JSON"),
        (["--answers", "[1, 2]"], "give a JSON object"),
        (["--answers", answers(hops=3)], "unknown VISA-A answer 'hops' (allowed: morning_stiff"),
        (["--answers", json.dumps(WITHOUT_ITEM_3)], "item 3 (pain after walking): walking_pain is"),
        (["--answers", answers(morning_stiffness=11)], "item 1 (morning stiffness): 11 is not"),
        (["--answers", answers(stretch_pain=True)], "item 2"),
        (["--answers", answers(heel_raise_pain=4.5)], "item 5"),
        (["--answers", answers(activity_level=5)], "(allowed: 0, 4, 7 or 10)"),
        (["--answers", answers(training_branch="D")], "branch 'D' is not allowed"),
        (["--answers", answers(training_minutes=-1)], "whole minutes from 0 to 1440"),
        (["--answers", answers(training_minutes="lots")], "training_minutes 'lots' is not"),
        (["--answers", "@/no/such/file.json"], "cannot read /no/such/file.json"),
        (["--answers", answers(), "--date", "2026-03-21"], "2026-03-21 is in the future"),
        (["--answers", answers(), "--date", "2025-01-01"], "2025-01-01 is more than a year ago"),
        (["--answers", answers(), "--date", "2026-02-30"], "not a real calendar date"),
        (["--list", "--answers", answers()], "--list takes no --answers or --date"),
    ],
)
def test_bad_answers_are_one_line_exit_2_and_nothing_is_written(
    achilles: Rehab, args: list[str], expected: str
) -> None:
    err = one_line_error(achilles("visa", *args))
    assert expected in err
    assert assessments(achilles.db) == []


def test_a_future_date_is_refused_before_the_questions(achilles: Rehab) -> None:
    err = one_line_error(achilles("visa", "--date", "2026-04-01"))
    assert "in the future" in err
    assert assessments(achilles.db) == []


def test_list_prints_the_history(achilles: Rehab) -> None:
    empty = achilles("visa", "--list")
    assert empty.code == 0 and "No VISA-A scores yet" in empty.out
    achilles("visa", "--answers", answers(), "--date", "2026-03-01")
    achilles("visa", "--answers", answers(pain_free_hops=10))
    out = achilles("visa", "--list").out
    assert "2026-03-01   47/100" in out
    assert "2026-03-20   53/100  +6 since the previous" in out
    assert "Since the first (2026-03-01): up 6 points (47 → 53)" in out


def _run_with_input(db: Path, text: str, *args: str) -> Result:
    """`python -m rehab` with `text` on stdin (the prompts read it as typed lines)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "rehab", "--db", str(db), *args],
        input=text,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def test_the_questions_are_asked_and_a_bad_answer_is_asked_again(achilles: Rehab) -> None:
    # item 1 gets "eleven" then 11 (both refused) before 6; item 7 gets 5 (refused) then 4;
    # item 8: "d" (refused) then "b", then "a while" (refused) then the band "11-20"
    typed = "eleven\n11\n6\n5\n6\n7\n5\n4\n5\n4\nd\nb\na while\n11-20\n"
    result = _run_with_input(achilles.db, typed, "visa")
    assert result.code == 0, result.err
    out = result.out
    assert "1. When you get out of bed" in out
    assert "(0: stiff for a very long time … 10: not stiff at all)" in out
    assert "'eleven' is not one of the answers (allowed: a whole number from 0 to 10)" in out
    assert "'11' is not one of the answers" in out
    assert "'5' is not one of the answers (allowed: 0, 4, 7 or 10)" in out
    assert "'d' is not one of the answers (allowed: A, B or C)" in out
    assert "'a while' is not one of the answers (allowed: none, 1-10, 11-20, 21-30 or 30+" in out
    assert "47/100" in out  # the same answers as MIXED
    ((_, _, score, stored),) = assessments(achilles.db)
    assert score == 47
    assert stored["training_branch"] == "B" and stored["training_minutes"] == 20


def test_input_ending_half_way_is_one_line_exit_2_and_writes_nothing(achilles: Rehab) -> None:
    result = _run_with_input(achilles.db, "6\n5\n", "visa")
    assert result.code == 2, result
    assert result.err == (
        "rehab: no answer to 'VISA-A item 3 (pain after walking)' (end of input); answer "
        "each question at a terminal, or give all eight with --answers JSON|@FILE\n"
    )
    assert assessments(achilles.db) == []


def test_ctrl_c_at_a_question_still_stops_with_130(
    achilles: Rehab, monkeypatch: pytest.MonkeyPatch
) -> None:
    import click.termui

    def interrupted(prompt: str) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(click.termui, "visible_prompt_func", interrupted)
    result = achilles("visa")
    assert result.code == 130 and result.err == "rehab: stopped\n"
    assert assessments(achilles.db) == []


@pytest.mark.parametrize(
    ("typed", "question"),
    [
        ("", "VISA-A item 1 (morning stiffness)"),
        ("6\n5\n6\n7\n5\n4\n4\n", "VISA-A item 8 (training time): A, B or C"),
        ("6\n5\n6\n7\n5\n4\n4\nb\n", "VISA-A item 8 (training time): minutes"),
    ],
)
def test_no_answer_names_the_question(achilles: Rehab, typed: str, question: str) -> None:
    result = _run_with_input(achilles.db, typed, "visa")
    assert result.code == 2, result
    assert result.err.startswith(f"rehab: no answer to '{question}' (end of input); ")
    assert result.err.count("\n") == 1
    assert assessments(achilles.db) == []


def test_today_offers_the_questionnaire_on_an_achilles_program(achilles: Rehab) -> None:
    assert DUE in achilles("today").out
    assert DUE not in achilles("today", "--date", "2026-03-19").out
    assert DUE not in achilles("today", "--json").out
    achilles("visa", "--answers", answers(), "--date", "2026-03-10")
    assert DUE not in achilles("today").out  # 10 days old
    with time_machine.travel(datetime(2026, 3, 24, 9, 0, tzinfo=LISBON), tick=False):
        assert DUE in achilles("today").out  # 14 days old


def test_today_does_not_offer_it_on_plantar_fasciitis(rehab: Rehab) -> None:
    assert rehab("start", "plantar-fasciitis", "--side", "left", "--start", "2026-03-02").code == 0
    out = rehab("today").out
    assert "week" in out and DUE not in out


# --- not offered: on a plantar-fascia program, or while a red flag is open -------------------

PF_REFUSAL = (
    "rehab: the VISA-A questionnaire is for Achilles problems; the Plantar fasciitis: "
    "stretch, strengthen, support program does not use it\n"
)
RED_FLAG_REFUSAL = (
    "rehab: the program is paused for a red flag: the VISA-A asks for hops and heel raises; "
    "a clinician must clear the red flag first (then `rehab cleared --by NAME`)\n"
)


@pytest.fixture
def plantar(rehab: Rehab) -> Rehab:
    result = rehab("start", "plantar-fasciitis", "--side", "left", "--start", "2026-03-02")
    assert result.code == 0, result.err
    return rehab


def test_refused_on_a_plantar_fasciitis_program_and_nothing_is_written(plantar: Rehab) -> None:
    assert one_line_error(plantar("visa", "--answers", answers())) == PF_REFUSAL
    assert one_line_error(plantar("visa", "--answers", "{bad")) == PF_REFUSAL  # before parsing
    assert assessments(plantar.db) == []


def test_refused_on_plantar_fasciitis_before_the_questions(plantar: Rehab) -> None:
    result = _run_with_input(plantar.db, "6\n5\n6\n7\n5\n4\n4\nB\n11-20\n", "visa")
    assert (result.code, result.err) == (2, PF_REFUSAL)
    assert "1." not in result.out and "Your answer" not in result.out
    assert assessments(plantar.db) == []


def test_past_scores_still_show_after_moving_to_plantar_fasciitis(achilles: Rehab) -> None:
    assert achilles("visa", "--answers", answers(), "--date", "2026-03-10").code == 0
    moved = achilles("start", "plantar-fasciitis", "--side", "left", "--replace")
    assert moved.code == 0, moved.err
    assert one_line_error(achilles("visa", "--answers", answers())) == PF_REFUSAL
    listed = achilles("visa", "--list")
    assert listed.code == 0 and "2026-03-10   47/100" in listed.out
    chart = achilles("chart", "visa", "--all")
    assert chart.code == 0 and "VISA-A score" in chart.out
    table = achilles(
        "export", "csv", "--table", "assessments", "--from", "2026-03-01", "--out", "-"
    )
    assert table.code == 0, table.err
    assert "2026-03-10" in table.out and "47" in table.out
    assert DUE not in achilles("today").out
    assert [row[:3] for row in assessments(achilles.db)] == [("visa-a", "2026-03-10", 47)]


def test_a_mixed_program_offers_it_without_the_reminder(rehab: Rehab) -> None:
    """heel-pain-self-care serves Achilles and plantar-fascia pain alike: the VISA-A can be
    filled in, but `rehab today` does not call it due every two weeks."""
    assert (
        rehab("start", "heel-pain-self-care", "--side", "left", "--start", "2026-03-02").code == 0
    )
    assert DUE not in rehab("today").out
    assert rehab("visa", "--answers", answers()).code == 0
    assert len(assessments(rehab.db)) == 1


@pytest.mark.parametrize("program_id", ["achilles-insertional", "retrocalcaneal-bursitis"])
def test_today_offers_it_on_the_other_achilles_programs(rehab: Rehab, program_id: str) -> None:
    assert rehab("start", program_id, "--side", "left", "--start", "2026-03-02").code == 0
    assert DUE in rehab("today").out


def test_refused_while_a_red_flag_is_open_until_a_clinician_clears_it(achilles: Rehab) -> None:
    assert DUE in achilles("today").out
    raised = achilles("check", "--flag", "pop")
    assert raised.code == 0, raised.err
    assert one_line_error(achilles("visa", "--answers", answers()), code=1) == RED_FLAG_REFUSAL
    typed = _run_with_input(achilles.db, "6\n5\n6\n7\n5\n4\n4\nB\n11-20\n", "visa")
    assert (typed.code, typed.err) == (1, RED_FLAG_REFUSAL)
    assert "Your answer" not in typed.out  # refused before the first question
    assert assessments(achilles.db) == []
    today = achilles("today").out
    assert "paused for a red flag" in today and DUE not in today
    assert achilles("visa", "--list").code == 0  # the history is still there to read
    assert achilles("cleared", "--by", "Dr Sousa").code == 0
    assert achilles("visa", "--answers", answers()).code == 0
    assert len(assessments(achilles.db)) == 1


def test_an_empty_visa_chart_does_not_invite_one_where_it_is_not_offered(plantar: Rehab) -> None:
    chart = plantar("chart", "visa").out
    assert "does not use it" in chart and "once the VISA-A questionnaire is filled in" not in chart


def test_an_empty_visa_chart_does_not_invite_one_during_a_red_flag(achilles: Rehab) -> None:
    assert "once the VISA-A questionnaire is filled in" in achilles("chart", "visa").out
    assert achilles("check", "--flag", "gap").code == 0
    chart = achilles("chart", "visa").out
    assert "paused for a red flag" in chart and "once the VISA-A" not in chart
