"""`tracker digest`: preview the weekly (or monthly) digest, or post it to Slack once per period."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

import click

from tracker.cli.context import App, UsageProblem
from tracker.cli.options import DATE
from tracker.periods import PERIOD_KINDS, PeriodKind, local_day_start

if TYPE_CHECKING:
    from tracker.config import Settings
    from tracker.digest.post import DigestRequest, PreparedDigest
    from tracker.slack.targets import SlackTarget

DIGEST_FORMATS = ("text", "json")


class DigestPostFailed(click.ClickException):
    """The digest was not posted, or may not have been (exit 1); the message says what happens next."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@click.command()
@click.option("--period", "kind", type=click.Choice(PERIOD_KINDS), help="Default: [digest] period.")
@click.option(
    "--end",
    type=DATE,
    metavar="YYYY-MM-DD",
    help="Digest the last complete period before this day (YYYY-MM-DD, [digest] timezone). Default: now.",
)
@click.option("--dry-run", is_flag=True, help="Print the digest; post nothing.")
@click.option(
    "--force",
    is_flag=True,
    help="Post even if this period already went (or may have gone) to this destination.",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(DIGEST_FORMATS),
    default="text",
    show_default=True,
    help="With --dry-run: a readable rendering, or the exact Block Kit payload.",
)
@click.pass_obj
def digest(
    app: App, kind: PeriodKind | None, end: datetime | None, dry_run: bool, force: bool, output: str
) -> None:
    """Post the digest of the last complete week (or month) to Slack, once."""
    from tracker.digest.once import DigestPostError
    from tracker.digest.post import PeriodNotOver, post_digest, preview_digest

    settings = app.settings()
    request = _request(settings, kind, end)
    target = None if dry_run else _target(settings)
    engine = app.engine()
    try:
        if target is None:
            _print_preview(preview_digest(engine, settings, request), output, request.now)
            return
        outcome = post_digest(engine, settings, request, target, force=force)
    except PeriodNotOver as problem:
        raise UsageProblem(str(problem)) from None
    except DigestPostError as problem:
        raise DigestPostFailed(str(problem)) from None
    finally:
        engine.dispose()
    click.echo(outcome.summary(), err=True)


def _request(settings: Settings, kind: PeriodKind | None, end: datetime | None) -> DigestRequest:
    from tracker.digest.post import DigestRequest

    now = datetime.now(UTC)
    until = local_day_start(end.date(), settings.digest.timezone) if end is not None else now
    return DigestRequest(kind=kind or settings.digest.period, end=until, now=now)


def _target(settings: Settings) -> SlackTarget:
    from tracker.slack.errors import SlackSetupError
    from tracker.slack.targets import require_target

    try:
        return require_target(os.environ, channel=settings.slack.channel, api_url=settings.slack.api_url)
    except SlackSetupError as problem:
        raise UsageProblem(f"{problem}; or preview with --dry-run") from None


def _print_preview(prepared: PreparedDigest, output: str, now: datetime) -> None:
    from tracker.digest.text import render_text

    if output == "json":
        click.echo(json.dumps(prepared.message.payload(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(prepared.content, now=now), nl=False)
