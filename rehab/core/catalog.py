"""The list of programs a patient can start: built-in templates plus the user's own."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rehab.core.template import Program, TemplateError, load_program_file


@dataclass(frozen=True)
class Entry:
    program: Program
    path: Path
    builtin: bool


@dataclass
class Catalog:
    entries: dict[str, Entry] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def get(self, program_id: str) -> Program:
        try:
            return self.entries[program_id].program
        except KeyError:
            known = ", ".join(sorted(self.entries)) or "none"
            raise KeyError(f"no program {program_id!r} (allowed: {known})") from None


def load_catalog(builtin_dir: Path, user_dir: Path | None) -> Catalog:
    """Load every template; a broken user file becomes a problem line, not a crash.

    A user file whose id is a built-in's is refused: silently replacing a clinician-reviewed
    program with a local copy is exactly the surprise a therapist must not get.
    """
    catalog = Catalog()
    for path in sorted(builtin_dir.glob("*.toml")):
        program = load_program_file(path)  # a broken built-in is a bug: let it raise
        catalog.entries[program.id] = Entry(program, path, builtin=True)
    if user_dir is None or not user_dir.is_dir():
        return catalog
    for path in sorted(user_dir.glob("*.toml")):
        try:
            program = load_program_file(path)
        except TemplateError as exc:
            catalog.problems.append(str(exc))
            continue
        if program.id in catalog.entries:
            catalog.problems.append(
                f"{path}: id: {program.id!r} is a built-in program "
                "(allowed: a new id; copy the file and rename it)"
            )
            continue
        catalog.entries[program.id] = Entry(program, path, builtin=False)
    return catalog
