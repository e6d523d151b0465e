"""Dated values as the charts and the report draw them: (day, value) pairs in day order,
and the 7-day moving average both show over the morning pain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

Series = Sequence[tuple[date, float]]


def moving_average(points: Series, *, days: int = 7) -> list[tuple[date, float]]:
    """For each day with a value, the mean of the values logged in the `days` days ending
    that day (days without a value are left out, not counted as zero)."""
    result = []
    start = 0
    total = 0.0
    for end, (day, value) in enumerate(points):
        total += value
        while points[start][0] <= day - timedelta(days=days):
            total -= points[start][1]
            start += 1
        result.append((day, total / (end - start + 1)))
    return result
