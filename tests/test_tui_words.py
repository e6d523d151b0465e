"""No message the app can show names a CLI command or option: every string in the store,
the core and the app that speaks of a `rehab ...` command or a --option reads in keys
once `rehab.tui.words.plain` has said it in the app's words."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rehab.tui.words import plain

ROOT = Path(__file__).parents[1] / "rehab"


def messages() -> list[tuple[str, str]]:
    """(where, text) for each string constant that mentions a command or an option; an
    f-string's fields become {}."""
    found = []
    for folder in ("store", "core", "tui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts or path.name == "words.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {
                id(node.body[0].value)
                for node in ast.walk(tree)
                if isinstance(
                    node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef
                )
                and node.body
                and isinstance(node.body[0], ast.Expr)
                and isinstance(node.body[0].value, ast.Constant)
            }
            for node in ast.walk(tree):
                if isinstance(node, ast.JoinedStr):
                    text = "".join(
                        v.value if isinstance(v, ast.Constant) else "{}" for v in node.values
                    )
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    if id(node) in docstrings:
                        continue
                    text = node.value
                else:
                    continue
                if "`rehab " in text or " --" in text or text.startswith("--"):
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


MESSAGES = messages()


def test_there_are_messages_to_check() -> None:
    assert len(MESSAGES) > 10


@pytest.mark.parametrize(("where", "text"), MESSAGES, ids=[w for w, _ in MESSAGES])
def test_the_app_says_it_without_commands(where: str, text: str) -> None:
    said = plain(text)
    assert "`rehab" not in said, (where, said)
    assert " --" not in said and not said.startswith("--"), (where, said)


def test_examples_read_as_a_patient_would_want() -> None:
    assert plain("a clinician must clear it first (then `rehab cleared --by NAME`)") == (
        "a clinician must clear it first (then press P on Today and give their name)"
    )
    assert "u (Undo)" in plain("already done; `rehab undo` takes back the last entry")
    assert plain("--date: 2026-13-01 is not a date") == "2026-13-01 is not a date"
