"""Questions asked at the terminal. Input that ends before an answer (stdin closed, a
script with too few lines, ctrl+d) is a usage error that names the question, exit 2; only
ctrl+c is 'stopped' (130)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from rehab.errors import UsageProblem


def ask(prompt: str, *, question: str, value_proc: Callable[[str], Any], hint: str) -> Any:
    """`click.prompt(prompt)`; `question` names it and `hint` says what else can be done
    when there is no answer to read."""
    try:
        return click.prompt(prompt, value_proc=value_proc)
    except click.Abort as exc:
        # click turns both ctrl+c and end of input into Abort; the EOFError it caught is
        # kept as the exception's context
        if isinstance(exc.__context__, EOFError):
            raise UsageProblem(f"no answer to '{question}' (end of input); {hint}") from None
        raise
