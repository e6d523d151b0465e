"""One list per vocabulary (rehab.core.vocabulary): the store's checks, the app's dialogs,
the reminders and the exports read the same objects, so a new reason or slot is added once."""

from __future__ import annotations

from rehab.core import vocabulary


def test_each_list_is_the_core_one() -> None:
    from rehab import export
    from rehab.core import rows, session, template
    from rehab.reminders import due
    from rehab.store import inputs
    from rehab.tui.screens import dialogs

    assert template.SLOTS is vocabulary.SLOTS
    assert rows.SLOT_TITLES is vocabulary.SLOT_TITLES
    assert session.TIMED_SLOTS is vocabulary.TIMED_SLOTS
    assert inputs.PAIN_CONTEXTS is vocabulary.PAIN_CONTEXTS is dialogs.PAIN_CONTEXTS
    assert inputs.SKIP_REASONS is vocabulary.SKIP_REASONS is dialogs.SKIP_REASONS
    assert dialogs.PAUSE_REASONS is vocabulary.PAUSE_REASONS
    assert list(due.SLOT_TITLES) == list(vocabulary.TIMED_SLOTS)
    assert export.DISCLAIMER is vocabulary.DISCLAIMER


def test_every_slot_has_a_title_and_reminders_cover_the_timed_ones() -> None:
    assert set(vocabulary.SLOT_TITLES) == set(vocabulary.SLOTS)
    assert set(vocabulary.TIMED_SLOTS) == set(vocabulary.SLOTS) - {"any"}
    assert {"rest", "night"} <= set(vocabulary.PAIN_CONTEXTS)  # the red-flag contexts


def test_the_disclaimer_is_written_once() -> None:
    from pathlib import Path

    root = Path(__file__).parents[1] / "rehab"
    assignments = [
        path for path in root.rglob("*.py") if 'DISCLAIMER = "' in path.read_text(encoding="utf-8")
    ]
    assert assignments == [root / "core" / "vocabulary.py"]


def test_charts_come_from_one_registry() -> None:
    """`rehab chart KIND`, the Trends screen's tabs and its number keys all read
    rehab.charts.KINDS: a new chart kind is added there and nowhere else."""
    from rehab import charts
    from rehab.cli import charts as cli_charts
    from rehab.tui.screens import trends
    from rehab.tui.screens.base import bindings_of

    names = list(charts.KINDS)
    assert names == ["pain", "adherence", "load", "visa"]
    assert list(cli_charts.KINDS) == names
    assert list(trends.KINDS) == names
    keys = {b.key: b.action for b in bindings_of(trends.TrendsScreen)}
    for number, name in enumerate(names, start=1):
        assert keys[str(number)] == f"kind('{name}')"
        assert trends.TITLES[name] == charts.KINDS[name].label
