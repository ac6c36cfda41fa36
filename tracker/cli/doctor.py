"""`tracker doctor`: one line per check of the config, GitHub, the database and Slack."""

from __future__ import annotations

import click

from tracker.cli.context import EXIT_FAILURE, App


@click.command()
@click.pass_obj
def doctor(app: App) -> None:
    """Check the configuration, the GitHub token, the database and the Slack destination."""
    from tracker.doctor import Status, run_checks

    checks = run_checks(app.config_path)
    for check in checks:
        click.echo(check.line())
    if any(check.status is Status.FAIL for check in checks):
        raise click.exceptions.Exit(EXIT_FAILURE)
