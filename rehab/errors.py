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
