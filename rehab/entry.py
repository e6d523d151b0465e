"""The `rehab` console script. With no command on a terminal it opens the app straight
away, without loading click (about 70 ms); everything else goes to the click CLI."""

from __future__ import annotations

import sys

GLOBAL_VALUE_OPTIONS = ("--db", "--patient")


def _app_options(args: list[str]) -> dict[str, str | None] | None:
    """{"db": ..., "patient": ..., "debug": ...} if args are only global options, else None."""
    found: dict[str, str | None] = {"db": None, "patient": None, "debug": None}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--debug":
            found["debug"] = "1"
        elif arg in GLOBAL_VALUE_OPTIONS and i + 1 < len(args):
            found[arg[2:]] = args[i + 1]
            i += 1
        elif arg.startswith(tuple(f"{o}=" for o in GLOBAL_VALUE_OPTIONS)):
            name, value = arg[2:].split("=", 1)
            found[name] = value
        else:
            return None
        i += 1
    return found


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    options = _app_options(args)
    if options is None or not (sys.stdin.isatty() and sys.stdout.isatty()):
        from rehab.cli import main as cli_main

        cli_main(args)
        return
    from rehab.errors import Problem
    from rehab.tui.run import run_app

    try:
        run_app(db=options["db"], patient=options["patient"])
    except Problem as exc:
        if options["debug"]:
            raise
        print(f"rehab: {' '.join(str(exc).split())}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
