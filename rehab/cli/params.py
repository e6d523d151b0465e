"""Parameter types whose errors say what was wrong and what is allowed.

Numbers are ASCII digits only, dates and instants lie within the calendar rehab handles
(`rehab.core.typed`: 1900-01-01 to 2199-12-31), and free text must be storable: an
argument whose bytes are not UTF-8 is refused here rather than failing when it is written.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import click

from rehab.core.typed import (
    CALENDAR_TEXT,
    FIRST_DAY,
    LAST_DAY,
    decimal_number,
    in_calendar,
    printable,
    unstorable,
    whole_number,
)

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if not _DATE.fullmatch(text):
            self.fail(f"{text!r} is not a date (allowed: YYYY-MM-DD)", param, ctx)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a real calendar date (allowed: YYYY-MM-DD)", param, ctx)
        if not in_calendar(day):
            self.fail(
                f"{text} is outside the dates rehab handles (allowed: {CALENDAR_TEXT})", param, ctx
            )
        return day


class InstantType(click.ParamType):
    """An ISO 8601 date-time; without an offset it is read in the patient's zone later."""

    name = "ISO-DATETIME"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        allowed = "allowed: ISO 8601, e.g. 2026-03-01T08:30"
        if not text.isascii():
            self.fail(f"{text!r} is not a date-time ({allowed})", param, ctx)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a date-time ({allowed})", param, ctx)
        # the local day and, with an offset, the UTC day must both be in the calendar, so
        # that neither reading it in a zone nor converting it can run off Python's years
        utc_day = moment.date() if moment.tzinfo is None else _utc_day(moment)
        if not (in_calendar(moment.date()) and in_calendar(utc_day)):
            self.fail(
                f"{text} is outside the dates rehab handles (allowed: {FIRST_DAY}T00:00 to "
                f"{LAST_DAY}T23:59, that is {CALENDAR_TEXT})",
                param,
                ctx,
            )
        return moment


def _utc_day(moment: datetime) -> date:
    offset = moment.utcoffset()
    assert offset is not None
    try:
        return (moment.replace(tzinfo=None) - offset).date()
    except OverflowError:
        return date.min


class BoundedNumber(click.ParamType):
    """An int or float within [low, high], with the range in the error. Only ASCII digits
    (an optional sign, and a decimal point for a float) are a number here."""

    def __init__(self, kind: type[int] | type[float], low: float, high: float, unit: str = ""):
        self.kind = kind
        self.low = low
        self.high = high
        self.unit = unit
        self.name = "INTEGER" if kind is int else "NUMBER"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        allowed = f"allowed: {_n(self.low)} to {_n(self.high)}{self.unit}"
        if isinstance(value, int | float) and not isinstance(value, bool):
            number: Any = self.kind(value)
        else:
            text = str(value)
            number = whole_number(text) if self.kind is int else decimal_number(text)
        if number is None:
            shown = _shown(str(value))
            if self.kind is int:
                self.fail(f"{shown} is not a whole number ({allowed}, in digits 0-9)", param, ctx)
            self.fail(f"{shown} is not a number ({allowed}, in digits 0-9, e.g. 2.5)", param, ctx)
        if number != number or not self.low <= number <= self.high:  # NaN fails too
            self.fail(f"{value} is out of range ({allowed})", param, ctx)
        return number


def _shown(text: str, limit: int = 40) -> str:
    """A bad value as quoted in an error: a 5,000-digit number is not echoed whole."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text)} characters)"


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class TextType(click.ParamType):
    """Free text (a note, a reason, a name, a key) that can be stored and printed."""

    name = "TEXT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if unstorable(text):
            self.fail(
                f"{_shown(printable(text))} is not valid UTF-8 text (allowed: text in UTF-8; "
                "check the terminal's or the script's character encoding)",
                param,
                ctx,
            )
        return text


DATE = DateType()
INSTANT = InstantType()
TEXT = TextType()
SETS = BoundedNumber(int, 1, 50)
REPS = BoundedNumber(int, 1, 500)
SECONDS = BoundedNumber(float, 1, 3600, " s")
MINUTES = BoundedNumber(float, 1, 240, " min")
LOAD = BoundedNumber(float, 0, 500, " kg")
PAIN = BoundedNumber(int, 0, 10)
STIFFNESS = BoundedNumber(int, 0, 1440, " min")
