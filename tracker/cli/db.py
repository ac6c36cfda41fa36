"""`tracker db`: database maintenance."""

from __future__ import annotations

import click

from tracker.cli.context import App


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(app: App) -> None:
    """Apply pending schema migrations (sync, query and the other commands also do this)."""
    from tracker.store import migrate

    engine = app.engine()
    click.echo(f"database at revision {migrate.current_revision(engine)}", err=True)
    engine.dispose()
