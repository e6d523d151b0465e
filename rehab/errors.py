"""Errors a user can act on. Each carries the one line to print and the exit status."""

from __future__ import annotations


class Problem(Exception):
    """Shown as one line, no traceback (unless --debug)."""

    exit_code = 1


class UsageProblem(Problem):
    """Bad input: a flag, a date, a score, a file. Exit status 2."""

    exit_code = 2


class FieldProblem(UsageProblem):
    """Bad input in one field, named in words ('quiet hours', 'date'): the app shows it as
    it is; the CLI names the option that fills the field instead (`rehab.cli`)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


class EnvironmentProblem(Problem):
    """The machine or the database stands in the way. Exit status 1."""

    exit_code = 1


class WriteProblem(EnvironmentProblem):
    """A file being written could not be finished: the disk is full, the file too large.
    Exit status 1; nothing is left half-written, and the app stays up."""


class Refused(Problem):
    """The input is fine, but the program's state refuses it for now (an uncleared red flag).
    Exit status 1, nothing written. The text names no command or key: `cli_hint` and
    `app_hint` say what ends the state, in the CLI's words and in the app's."""

    exit_code = 1

    def __init__(self, text: str, *, cli_hint: str | None = None, app_hint: str | None = None):
        super().__init__(text)
        self.cli_hint = cli_hint
        self.app_hint = app_hint


def for_cli(exc: Problem) -> str:
    """The one line the CLI prints: the text, then the CLI's hint if it has one."""
    hint = exc.cli_hint if isinstance(exc, Refused) else None
    return f"{exc} ({hint})" if hint else str(exc)


def for_app(exc: Problem) -> str:
    """The one line the app shows: the text as a sentence, then the app's hint if any."""
    hint = exc.app_hint if isinstance(exc, Refused) else None
    text = f"{exc} ({hint})" if hint else str(exc)
    return text[:1].upper() + text[1:]
