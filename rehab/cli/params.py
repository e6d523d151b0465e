"""Parameter types whose errors say what was wrong and what is allowed."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import click

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if not _DATE.match(text):
            self.fail(f"{text!r} is not a date (allowed: YYYY-MM-DD)", param, ctx)
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a real calendar date (allowed: YYYY-MM-DD)", param, ctx)


class InstantType(click.ParamType):
    """An ISO 8601 date-time; without an offset it is read in the patient's zone later."""

    name = "ISO-DATETIME"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{text!r} is not a date-time (allowed: ISO 8601, e.g. 2026-03-01T08:30)",
                param,
                ctx,
            )


class BoundedNumber(click.ParamType):
    """An int or float within [low, high], with the range in the error."""

    def __init__(self, kind: type[int] | type[float], low: float, high: float, unit: str = ""):
        self.kind = kind
        self.low = low
        self.high = high
        self.unit = unit
        self.name = "INTEGER" if kind is int else "NUMBER"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        allowed = f"allowed: {_n(self.low)} to {_n(self.high)}{self.unit}"
        try:
            number = self.kind(value)
        except (TypeError, ValueError):
            self.fail(
                f"{value!r} is not a {'whole ' if self.kind is int else ''}number ({allowed})",
                param,
                ctx,
            )
        if number != number or not self.low <= number <= self.high:  # NaN fails too
            self.fail(f"{value} is out of range ({allowed})", param, ctx)
        return number


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


DATE = DateType()
INSTANT = InstantType()
SETS = BoundedNumber(int, 1, 50)
REPS = BoundedNumber(int, 1, 500)
SECONDS = BoundedNumber(float, 1, 3600, " s")
MINUTES = BoundedNumber(float, 1, 240, " min")
LOAD = BoundedNumber(float, 0, 500, " kg")
PAIN = BoundedNumber(int, 0, 10)
STIFFNESS = BoundedNumber(int, 0, 1440, " min")
