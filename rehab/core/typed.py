"""What a person types, read strictly: numbers in plain ASCII digits, text that can be
stored (valid UTF-8), and days inside the calendar rehab works with.

Python reads more as a number than a person means: `int()` takes '1_000' (1000), the
full-width '３' and the Arabic-Indic '٣' (3), and `float()` takes '1e3', 'nan' and 'inf'.
Someone who types one of those has made a slip, not given a dose, so every number typed at
the command line or in the app goes through `whole_number` or `decimal_number` here.

Dates and instants are kept between FIRST_DAY and LAST_DAY: far more than any program or
history needs, and far enough from the ends of Python's calendar (years 1 and 9999) that
adding a program's weeks or a time zone's offset never overflows it.
"""

from __future__ import annotations

import re
from datetime import date

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
CALENDAR_TEXT = f"{FIRST_DAY} to {LAST_DAY}"

# More digits than any dose, score or count can need; also keeps int() far below its
# 4,300-digit conversion limit.
MAX_DIGITS = 12

_WHOLE = re.compile(rf"[+-]?[0-9]{{1,{MAX_DIGITS}}}", re.ASCII)
_DECIMAL = re.compile(
    rf"[+-]?(?:[0-9]{{1,{MAX_DIGITS}}}(?:\.[0-9]{{0,{MAX_DIGITS}}})?|\.[0-9]{{1,{MAX_DIGITS}}})",
    re.ASCII,
)


def whole_number(text: str) -> int | None:
    """The whole number in `text` (ASCII digits, an optional sign), else None."""
    cleaned = text.strip()
    return int(cleaned) if _WHOLE.fullmatch(cleaned) else None


def decimal_number(text: str) -> float | None:
    """The decimal number in `text` (ASCII digits, an optional sign and point), else None:
    no exponent, no underscores, no 'nan' or 'inf'."""
    cleaned = text.strip()
    return float(cleaned) if _DECIMAL.fullmatch(cleaned) else None


def is_whole_number(text: str) -> bool:
    """True for plain ASCII digits only (no sign): what a count typed in the app must be."""
    return bool(re.fullmatch(rf"[0-9]{{1,{MAX_DIGITS}}}", text, re.ASCII))


def unstorable(text: str) -> bool:
    """True if `text` holds lone surrogates: what Python makes of bytes in a command-line
    argument that are not UTF-8. Such text cannot be stored, printed or exported."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def in_calendar(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def printable(text: str) -> str:
    """`text` with its undecodable bytes shown as \\xNN, for an error message."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")
