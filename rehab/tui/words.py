"""The app speaks of keys, not commands: store and core messages are written for the CLI
(`rehab cleared --by NAME`); `plain` says the same in the app's terms before it is shown.
tests/test_tui_words.py checks every such message in the code against this table."""

from __future__ import annotations

import re

# (what the CLI text says, what the app says instead); the first match wins, in order.
IN_THE_APP = (
    (r"with `rehab cleared\s+--by\s+NAME`", "with P on Today"),
    (
        r"\(?(?:then )?`rehab cleared\s+--by\s+NAME`\)?",
        "(then press P on Today and give their name)",
    ),
    (r"`rehab undo`", "u (Undo)"),
    (r"`rehab pause`", "P (Pause)"),
    (r"`rehab resume`", "P (Resume)"),
    (r"`rehab advice`", "a (Advice)"),
    (r"\(`rehab start ID --replace`\)", "(started from the first-run setup)"),
    (r"`rehab programs` lists them, `rehab start[^`]*`", "the first-run setup lists them"),
    (r"`rehab start[^`]*`", "the first-run setup"),
    (r"`rehab programs[^`]*`", "the list of programs"),
    (r"`rehab pain N --context morning`", "p (Pain)"),
    (r"`rehab done KEY --load KG`", "l (Load used)"),
    (r"`rehab check`", "! (Warning signs)"),
    (r"`rehab visa`", "v (VISA-A)"),
    (r"`rehab [^`]*`", "the rehab command line"),
    (r"with `--pain`", "in the pain dialog"),
    (r"add --replace to end it and start this one", "end it first"),
    (r"^--[a-z-]+: ", ""),
    (r"say whose records with --patient NAME", "choose whose records to open"),
    (r"use --db to pick", "open rehab with"),
    (r"use --db PATH", "open rehab with another database file"),
    (r"with --db PATH or REHAB_DB", "when you open rehab"),
    (r"--db", "the database"),
)
_RULES = tuple((re.compile(pattern), words) for pattern, words in IN_THE_APP)


def plain(text: str) -> str:
    """A message in the app's words: keys instead of commands, no option names."""
    for pattern, words in _RULES:
        text = pattern.sub(words, text)
    return text
