"""Checks every journal action shares on what a person typed: reasons are one short line,
and days are neither in the future nor too long ago."""

from __future__ import annotations

from datetime import date, timedelta

from rehab.core.vocabulary import PAIN_CONTEXTS as PAIN_CONTEXTS
from rehab.core.vocabulary import SKIP_REASONS as SKIP_REASONS
from rehab.errors import FieldProblem

REASON_MAX = 200


def one_line_reason(text: str, *, examples: str) -> str:
    """A reason is one short line: spaces folded, at most REASON_MAX characters."""
    folded = " ".join(text.split())
    if not folded:
        raise FieldProblem("reason", f"say why (for example: {examples})")
    if len(folded) > REASON_MAX:
        raise FieldProblem(
            "reason", f"{len(folded)} characters is too long (allowed: up to {REASON_MAX})"
        )
    return folded


OLDEST_DAYS = 366


def not_too_old(day: date, today: date, what: str) -> None:
    """Backfilling is for days the patient can still remember: up to a year back."""
    oldest = today - timedelta(days=OLDEST_DAYS)
    if day < oldest:
        raise FieldProblem(what, f"{day} is more than a year ago (allowed: {oldest} to {today})")


def not_future(day: date, today: date, what: str) -> None:
    if day > today:
        raise FieldProblem(
            what, f"{day} is in the future (allowed: today, {today}, or an earlier day)"
        )
