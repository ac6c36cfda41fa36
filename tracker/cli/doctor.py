"""`tracker doctor`: one line per check of the config, GitHub, the database, Slack and the bot."""

from __future__ import annotations

import click

from tracker.cli.context import EXIT_FAILURE, App


@click.command()
@click.option(
    "--health",
    is_flag=True,
    help="Only check that `tracker schedule` is alive (its heartbeat); for container health checks.",
)
@click.pass_obj
def doctor(app: App, health: bool) -> None:
    """Check the configuration, the GitHub token, the database, the Slack destination and the bot."""
    if health:
        _check_scheduler_health()
        return
    from tracker.doctor import Status, run_checks

    checks = run_checks(app.config_path)
    for check in checks:
        click.echo(check.line())
    if any(check.status is Status.FAIL for check in checks):
        raise click.exceptions.Exit(EXIT_FAILURE)


def _check_scheduler_health() -> None:
    from datetime import UTC, datetime

    from tracker.health import health, heartbeat_path

    verdict = health(heartbeat_path(), datetime.now(UTC))
    click.echo(f"{'ok' if verdict.healthy else 'FAIL':<4}  {'health':<8}  {verdict.detail}")
    if not verdict.healthy:
        raise click.exceptions.Exit(EXIT_FAILURE)
