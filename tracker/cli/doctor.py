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
@click.option(
    "--post-test",
    is_flag=True,
    help="Also post a harmless test message where the digest goes (bot token or webhook).",
)
@click.pass_obj
def doctor(app: App, health: bool, post_test: bool) -> None:
    """Check the configuration, the schedule, the GitHub token, the database and the last sync, the
    Slack destination and the bot; one line each, secrets only said to be set or unset."""
    if health:
        _check_scheduler_health()
        return
    from jobs.triggers import next_fire_time  # the scheduler's own parser: the core never imports it
    from tracker.doctor import Status, run_checks

    checks = run_checks(app.config_path, next_run=next_fire_time, post_test=post_test)
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
