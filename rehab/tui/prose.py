"""Reading text in the app: headings, paragraphs and lists that wrap with a hanging indent,
so a long reason or caution stays readable at 80 columns (Rich renderables for a Static)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rehab.core.vocabulary import DISCLAIMER as DISCLAIMER


def heading(words: str) -> Text:
    return Text(f"\n{words}", style="bold underline")


def paragraph(words: str, style: str = "") -> Text:
    return Text(words, style=style)


def listed(lines: Iterable[str], mark: str = "•") -> Table:
    """Items each behind a mark; a wrapped line starts under the text, not the mark."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for line in lines:
        table.add_row(f"  {mark}", sentence(line))
    return table


def keyed(rows: Iterable[tuple[str, str]]) -> Table:
    """Keys and what they do, the words wrapping in their own column."""
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold")
    table.add_column(ratio=1)
    for keys, words in rows:
        table.add_row(f"  {keys}", words)
    return table


def sentence(line: str) -> str:
    line = line.strip()
    return line[:1].upper() + line[1:] if line else line


def page(parts: Iterable[RenderableType]) -> Group:
    return Group(*parts, Text(f"\n{DISCLAIMER}", style="dim"))
