"""`rehab visa`: the VISA-A questionnaire (asked on the terminal, or given as JSON), its score
and the change since the first and the previous one. Also `rehab cleared` and the red-flag
report that `rehab check` and `rehab pain` print: what to do, what was recorded, the pause."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rehab.cli.ask import ask
from rehab.cli.params import DATE, TEXT
from rehab.cli.session import action
from rehab.core.typed import MAX_DIGITS, is_whole_number
from rehab.core.visa import (
    ITEMS,
    MINUTE_BANDS,
    TRAINING_MINUTES_MAX,
    Answers,
    Item,
    describe_change,
    interpret,
)
from rehab.errors import UsageProblem

if TYPE_CHECKING:
    from rehab.store.assessments import VisaEntry, VisaRecorded
    from rehab.store.redflags import RaisedFlags

from rehab.core.vocabulary import DISCLAIMER as DISCLAIMER

VISA_HINT = "answer each question at a terminal, or give all eight with --answers JSON|@FILE"
MINUTES_MAX = TRAINING_MINUTES_MAX

# Item 8's minutes, typed as a band: stored as the band's top (31 for "more than 30"), which
# scores the same as any number of minutes in that band.
BANDS_TEXT = "none, 1-10, 11-20, 21-30 or 30+"
_BANDS: dict[str, int] = {
    "none": 0,
    "nil": 0,
    "1-10": 10,
    "11-20": 20,
    "21-30": 30,
    "30+": 31,
    ">30": 31,
    "31+": 31,
    "morethan30": 31,
}


@click.command()
@click.option(
    "--answers",
    "answers_text",
    metavar="JSON|@FILE",
    help="All eight answers as a JSON object, or @FILE to read it from a file (keys above).",
)
@click.option("--date", "day", type=DATE, help="The day it was filled in (default: today).")
@click.option("--list", "show_list", is_flag=True, help="Print every VISA-A score so far.")
@click.pass_context
def visa(ctx: click.Context, answers_text: str | None, day: date | None, show_list: bool) -> None:
    """Fill in the VISA-A questionnaire about your Achilles tendon (score 0-100, 100 means
    no symptoms) and see the change since the first and the previous score.

    Not on a plantar-fascia program (the VISA-A is for Achilles problems), and not while
    the program is paused for a red flag (it asks for hops and heel raises).

    Without --answers each question is asked in turn. With --answers, a JSON object with
    exactly these keys (on items 1-6, 10 is the good end):

    \b
      morning_stiffness   item 1, 0-10 (10: not stiff)
      stretch_pain        item 2, 0-10 (10: no pain)
      walking_pain        item 3, 0-10
      downstairs_pain     item 4, 0-10
      heel_raise_pain     item 5, 0-10
      pain_free_hops      item 6, 0-10 hops
      activity_level      item 7: 0, 4, 7 or 10
      training_branch     item 8: "A" no pain, "B" pain but can carry on, "C" pain stops it
      training_minutes    item 8: whole minutes it can be kept up (0: not at all),
                          or a band: "none", "1-10", "11-20", "21-30", "30+"

    \b
    Example:
      rehab visa --answers '{"morning_stiffness": 6, "stretch_pain": 5, "walking_pain": 6,
        "downstairs_pain": 7, "heel_raise_pain": 5, "pain_free_hops": 4,
        "activity_level": 4, "training_branch": "B", "training_minutes": "11-20"}'
    """
    from rehab.store import assessments

    if show_list:
        if answers_text is not None or day is not None:
            raise click.UsageError("--list takes no --answers or --date")
        with action(ctx) as act:
            history = assessments.visa_history(act.session, patient=act.patient)
        _print_history(history)
        return
    # Refuse before the eight questions, not after: on a program that does not use the
    # VISA-A, while a red flag is open (it asks for hops and heel raises), or for a bad date.
    with action(ctx) as act:
        assessments.refuse_visa_if_not_offered(act.session, patient=act.patient)
        assessments.check_visa_date(act.patient, day or act.today)
    answers = parse_answers(answers_text) if answers_text is not None else ask_answers()
    with action(ctx) as act:  # record_visa checks again, in the transaction that writes
        recorded = assessments.record_visa(
            act.session, patient=act.patient, answers=answers, taken_on=day or act.today
        )
    _print_recorded(recorded)


# --- answers given as JSON ------------------------------------------------------------------


def parse_answers(text: str) -> Answers:
    """--answers JSON or @FILE, validated; every problem is one line (exit 2)."""
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageProblem(f"--answers: cannot read {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise UsageProblem(f"--answers: {path} is not a UTF-8 text file") from None
    try:
        data = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise UsageProblem(
            f"--answers: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise UsageProblem(
            "--answers: the JSON is nested too deeply (allowed: one flat object of the eight "
            "answers; see `rehab visa --help`)"
        ) from None
    if not isinstance(data, dict):
        raise UsageProblem(
            '--answers: give a JSON object, like {"morning_stiffness": 6, ...} '
            "(see `rehab visa --help` for the keys)"
        )
    minutes = data.get("training_minutes")
    if isinstance(minutes, str):
        band = _band(minutes)
        if band is None:
            raise UsageProblem(
                f"--answers: item 8 (training time): training_minutes {minutes!r} is not "
                f"allowed (allowed: whole minutes, or {BANDS_TEXT})"
            )
        data["training_minutes"] = band
    try:
        return Answers.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise UsageProblem(f"--answers: {exc}") from None


def _json_int(text: str) -> int:
    """A JSON integer, refused before int() when it is longer than any answer can be."""
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise UsageProblem(
            f"--answers: a number with {len(text.lstrip('-'))} digits (allowed: whole numbers "
            f"of up to {MAX_DIGITS} digits; the answers are 0-10, and 0 to {MINUTES_MAX} minutes)"
        )
    return int(text)


def _band(text: str) -> int | None:
    key = re.sub(r"\s+|minutes?|mins?", "", text.lower().replace("–", "-"))
    if key in _BANDS:
        return _BANDS[key]
    if is_whole_number(key) and int(key) <= MINUTES_MAX:  # 0-9 only: not ３, ٣ or ²
        return int(key)
    return None


# --- answers asked one by one -----------------------------------------------------------------


def ask_answers() -> Answers:
    """Ask the eight questions on the terminal; a bad answer is asked again."""
    click.echo(
        "VISA-A: eight questions about your Achilles tendon. Type the value shown for your "
        "answer; on every 0-10 question, 10 is the good end."
    )
    values: dict[str, object] = {}
    for item in ITEMS[:7]:
        values[item.key] = _ask_item(item)
    item8 = ITEMS[7]
    click.echo("")
    click.echo(f"{item8.number}. {item8.question}")
    for choice in item8.choices:
        click.echo(f"   {choice.label}")
    values["training_branch"] = ask(
        "Your answer (A, B or C)",
        question=f"VISA-A item 8 ({item8.topic}): A, B or C",
        value_proc=_pick({"A": "A", "B": "B", "C": "C"}, "A, B or C"),
        hint=VISA_HINT,
    )
    click.echo("For how many minutes can you keep it up?")
    click.echo("   " + ", ".join(label for _, _, label in MINUTE_BANDS))
    values["training_minutes"] = ask(
        f"Minutes ({BANDS_TEXT}, or a number)",
        question=f"VISA-A item 8 ({item8.topic}): minutes",
        value_proc=_minutes,
        hint=VISA_HINT,
    )
    return Answers.from_dict(values)


def _ask_item(item: Item) -> int:
    click.echo("")
    click.echo(f"{item.number}. {item.question}")
    numbers = [int(c.value) for c in item.choices]
    if numbers == list(range(11)):
        click.echo(f"   ({item.choices[0].label} … {item.choices[-1].label})")
        allowed = "a whole number from 0 to 10"
        prompt = "Your answer (0 to 10)"
    else:
        for choice in item.choices:
            click.echo(f"   {choice.value}: {choice.label}")
        allowed = ", ".join(str(n) for n in numbers[:-1]) + f" or {numbers[-1]}"
        prompt = f"Your answer ({allowed})"
    value = ask(
        prompt,
        question=f"VISA-A item {item.number} ({item.topic})",
        value_proc=_pick({str(n): n for n in numbers}, allowed),
        hint=VISA_HINT,
    )
    assert isinstance(value, int)
    return value


def _pick(values: dict[str, object], allowed: str) -> Callable[[str], object]:
    def convert(text: str) -> object:
        key = text.strip().upper()
        if key in values:
            return values[key]
        raise click.BadParameter(f"{text.strip()!r} is not one of the answers (allowed: {allowed})")

    return convert


def _minutes(text: str) -> int:
    band = _band(text)
    if band is None:
        raise click.BadParameter(
            f"{text.strip()!r} is not one of the answers "
            f"(allowed: {BANDS_TEXT}, or whole minutes from 0 to {MINUTES_MAX})"
        )
    return band


# --- output ---------------------------------------------------------------------------------


def _print_recorded(recorded: VisaRecorded) -> None:
    entry = recorded.entry
    click.echo(f"VISA-A on {entry.taken_on}: {interpret(entry.score)}")
    first, previous = recorded.first, recorded.previous
    if first is None or previous is None:
        click.echo("This is the first score: later ones are compared with it.")
    elif first.id == previous.id:
        click.echo(
            f"Since the first and previous score ({first.taken_on}): "
            f"{describe_change(first.score, entry.score)}"
        )
    else:
        click.echo(
            f"Since the first score ({first.taken_on}): {describe_change(first.score, entry.score)}"
        )
        click.echo(
            f"Since the previous score ({previous.taken_on}): "
            f"{describe_change(previous.score, entry.score)}"
        )
    click.echo(DISCLAIMER)


def _print_history(history: list[VisaEntry]) -> None:
    if not history:
        click.echo("No VISA-A scores yet. `rehab visa` asks the eight questions.")
        return
    click.echo("VISA-A scores (0-100, 100 means no symptoms):")
    previous: VisaEntry | None = None
    for entry in history:
        change = ""
        if previous is not None:
            delta = entry.score - previous.score
            change = f"  {delta:+d} since the previous" if delta else "  no change"
        click.echo(f"  {entry.taken_on}  {entry.score:>3}/100{change}")
        previous = entry
    if len(history) > 1:
        first, last = history[0], history[-1]
        click.echo(
            f"Since the first ({first.taken_on}): {describe_change(first.score, last.score)}"
        )


# --- red flags --------------------------------------------------------------------------------


def ask_red_flags(skip: tuple[str, ...] = ()) -> list[str]:
    """Ask each red-flag question (y/n); the ids answered yes."""
    from rehab.core.redflags import RED_FLAGS

    click.echo("Red-flag questions: answer y (yes) or n (no).")
    raised = []
    for flag in RED_FLAGS:
        if flag.id in skip:
            continue
        answer = ask(
            f"{flag.question} (y/n)",
            question=flag.question,
            value_proc=_yes_no,
            hint="answer y or n at a terminal, or give --flag ID for each yes (or --no-red-flags)",
        )
        if answer:
            raised.append(flag.id)
    return raised


def _yes_no(text: str) -> bool:
    key = text.strip().lower()
    if key in ("y", "yes"):
        return True
    if key in ("n", "no"):
        return False
    raise click.BadParameter(f"{text.strip()!r} is not an answer here (allowed: y or n)")


def report_red_flags(raised: RaisedFlags) -> None:
    """Say it plainly and first: stop, see a clinician (same day for rupture signs)."""
    result = raised.result
    if not result.raised:
        click.echo(result.message)
        return
    ids = ", ".join(flag.id for flag in result.raised)
    click.echo("")
    click.secho(f"!! RED FLAG ({ids}) !!", fg="red", bold=True)
    click.secho(result.message, fg="red", bold=True)
    click.echo("")
    if raised.entries:
        click.echo(f"Recorded for {raised.entries[0].raised_on}: red flag ({ids}).")
    pause = raised.pause
    if raised.state == "no-program" or pause is None:
        click.echo("No program is active, so there is nothing to pause.")
    else:
        verb = "is paused from" if raised.state == "paused" else "stays paused, since"
        click.echo(
            f"The program {verb} {pause.start_date} ({pause.reason}). No exercises until a "
            "clinician has cleared it; then `rehab cleared --by NAME` resumes it."
        )
    click.echo(DISCLAIMER)


@click.command()
@click.option(
    "--by",
    "cleared_by",
    type=TEXT,
    required=True,
    metavar="NAME",
    help="The clinician who cleared them.",
)
@click.pass_context
def cleared(ctx: click.Context, cleared_by: str) -> None:
    """Record that a clinician has cleared the red flags, and end the red-flag pause."""
    from rehab.store.redflags import clear_red_flags

    with action(ctx) as act:
        pause, entries = clear_red_flags(act.session, patient=act.patient, cleared_by=cleared_by)
    flags = ", ".join(dict.fromkeys(e.flag for e in entries)) or "red flag"
    who = " ".join(cleared_by.split())
    click.echo(
        f"Cleared by {who} ({flags}): the program resumes on {pause.end_date} "
        f"(paused since {pause.start_date}). Restart as your clinician advised."
    )
