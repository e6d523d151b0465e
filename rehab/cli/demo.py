"""`rehab demo`: a separate demo database with ten weeks of history, then the app on it."""

from __future__ import annotations

from pathlib import Path

import click

from rehab.cli import Options


@click.command()
@click.option("--db", "db", metavar="PATH", help="Where to write the demo (default: demo.db "
              "in the data folder; never your own database).")  # fmt: skip
@click.option("--no-open", is_flag=True, help="Build it and print where it is; do not open it.")
@click.pass_context
def demo(ctx: click.Context, db: str | None, no_open: bool) -> None:
    """Build a demo: ten weeks into the mid-portion Achilles program, with a flare-up, a
    phase change and three VISA-A scores. The quickest way to see the app."""
    from rehab import demo as demo_data
    from rehab.core import clock
    from rehab.errors import UsageProblem
    from rehab.store.url import database_url, expand_home, sqlite_path

    options = ctx.find_object(Options)
    assert options is not None
    path = expand_home(Path(db), "--db").resolve() if db else demo_data.demo_path()
    own = sqlite_path(database_url(options.db))
    if own is not None and own.resolve() == path:
        raise UsageProblem(f"--db: {path} is your own database (allowed: another file)")
    if path.is_dir():
        raise UsageProblem(f"--db: {path} is a folder (allowed: a database file path)")
    demo_data.check_target(path, flag="--db" if db else "the demo database")
    today = clock.today_in(clock.zone(None))
    built = demo_data.build(path, today=today)
    click.echo(
        f"Demo written to {built.path}: {built.doses} check-offs, {built.pain_entries} pain "
        f"scores, VISA-A {', '.join(map(str, built.visa))}. Not medical advice."
    )
    if no_open:
        click.echo(f"Open it with: rehab --db {built.path} --patient {demo_data.PATIENT}")
        return
    from rehab.tui.run import run_app

    run_app(db=str(built.path), patient=demo_data.PATIENT)
