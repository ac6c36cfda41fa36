"""The `tracker` command: parses arguments, wires the parts, formats output. Nothing else."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker import __version__, openness
from tracker.cancel import Cancelled, CancelToken, stop_on_signals
from tracker.cli_digest import digest
from tracker.config import ConfigError, Settings, find_config_path, load_openness_annotations, load_settings
from tracker.console import ConsoleProgress
from tracker.counting import (
    QueryFilter,
    RepoView,
    UnknownFilterValue,
    counted_contributions,
    counted_groups,
    license_classes,
    load_people,
    load_repos,
)
from tracker.digest.post import post_scheduled_digest
from tracker.doctor import Status, run_checks
from tracker.domain import Kind, RepoRecord
from tracker.github.client import GitHubClient
from tracker.github.errors import GitHubError
from tracker.logs import configure_logging, redact, secrets_from_environment
from tracker.reports import (
    GROUP_BY_CHOICES,
    GroupBy,
    StatsRow,
    bucket_label,
    contribution_record,
    group_totals,
    period_edges,
    stats_record,
)
from tracker.rules import build_people, is_bot
from tracker.slack.post import SlackError, SlackSetupError, target_from_environment
from tracker.store import migrate
from tracker.store.contributions import stored_time_range
from tracker.store.engine import StoreError, make_engine, redact_url
from tracker.store.members import list_org_members
from tracker.store.repos import list_license_changes
from tracker.sync import sync_once

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
FORMATS = ("table", "json", "csv")
log = logging.getLogger("tracker")


class UsageProblem(Exception):
    """Something the user must fix in how they call the tool or in its environment (exit 2)."""


@dataclass
class App:
    config_path: str | None
    debug: bool
    _settings: Settings | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(find_config_path(self.config_path))
        return self._settings

    def engine(self) -> Engine:
        engine = make_engine(self.settings().database_url)
        try:
            migrate.upgrade(engine)
        except sa.exc.OperationalError as error:
            raise StoreError(
                f"cannot open the database {redact_url(self.settings().database_url)}: {error.orig}"
            ) from None
        return engine


@contextmanager
def _session(app: App) -> Iterator[Session]:
    engine = app.engine()
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _day(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A date option as the instant its day starts in `zone`, in UTC."""
    return None if value is None else datetime.combine(value.date(), time.min, tzinfo=zone).astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {name!r}", param_hint="--timezone") from None


_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help="Config file (default: $TRACKER_CONFIG, else ./tracker.toml).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, debug: bool) -> None:
    """Track what an organization gives back to open-source AI."""
    configure_logging(debug=debug)
    ctx.obj = App(config_path=config_path, debug=debug)


# sync ----------------------------------------------------------------------------------------


@cli.command()
@click.option("--since", type=_DATE, help="Fetch (again) everyone's history from this UTC date (YYYY-MM-DD).")
@click.pass_obj
def sync(app: App, since: datetime | None) -> None:
    """Fetch new contributions from GitHub into the database."""
    settings = app.settings()
    token = _github_token()
    engine = app.engine()
    cancel = CancelToken()
    with stop_on_signals(cancel), ConsoleProgress() as progress:
        client = GitHubClient(token=token, api_url=settings.api_url, report=progress.say, cancel=cancel)
        try:
            summary = sync_once(
                settings=settings,
                engine=engine,
                client=client,
                progress=progress,
                since=since.date() if since else None,
                cancel=cancel,
            )
        finally:
            client.close()
            engine.dispose()
    if summary is not None:
        log.info(summary.line(), extra={"job": "sync", **summary.figures()})


def _github_token() -> str:
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise UsageProblem(
            "GITHUB_TOKEN is not set: export a GitHub token (classic: read:org; fine-grained: read)"
        )
    return token


# query and stats -----------------------------------------------------------------------------


def _filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--login", help="One person (any of their logins)."),
        click.option("--team", help="One roster team."),
        click.option("--repo", help="One repo, owner/name."),
        click.option(
            "--kind", "kinds", multiple=True, type=click.Choice([k.value for k in Kind]), help="Repeatable."
        ),
        click.option("--since", type=_DATE, help="From this date, inclusive."),
        click.option("--until", type=_DATE, help="Up to this date, exclusive."),
        click.option(
            "--timezone",
            "timezone_name",
            default="UTC",
            show_default=True,
            help="Time zone of --since/--until days (and of stats weeks and months).",
        ),
        click.option("--format", "output", type=click.Choice(FORMATS), default="table", show_default=True),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _query_filter(
    login: str | None,
    team: str | None,
    repo: str | None,
    kinds: Sequence[str],
    since: datetime | None,
    until: datetime | None,
    timezone_name: str,
) -> QueryFilter:
    zone = _zone(timezone_name)
    return QueryFilter(
        login=login,
        team=team,
        repo=repo,
        kinds=frozenset(Kind(kind) for kind in kinds) if kinds else None,
        since=_day(since, zone),
        until=_day(until, zone),
    )


@cli.command()
@_filter_options
@click.pass_obj
def query(app: App, /, output: str, **filters: Any) -> None:
    """List counted contributions, newest first."""
    settings = app.settings()
    with _session(app) as session:
        rows = counted_contributions(session, settings, _query_filter(**filters))
    records = [contribution_record(row) for row in rows]
    columns = ["occurred_at", "kind", "login", "team", "repo", "number", "title", "url"]
    _emit(records, columns, output, empty="no contributions match")


@cli.command()
@click.option("--by", "group_by", type=click.Choice(GROUP_BY_CHOICES), default="kind", show_default=True)
@_filter_options
@click.pass_obj
def stats(app: App, /, group_by: GroupBy, output: str, **filters: Any) -> None:
    """Count contributions per group and kind."""
    settings = app.settings()
    where = _query_filter(**filters)
    zone = _zone(filters["timezone_name"])
    with _session(app) as session:
        rows = _stats_rows(session, settings, where, group_by, zone)
    records = [stats_record(row, group_by) for row in rows]
    columns = [group_by, *(kind.value for kind in Kind), "total"]
    _emit(records, columns, output, empty="no contributions match")


def _stats_rows(
    session: Session, settings: Settings, where: QueryFilter, group_by: GroupBy, zone: ZoneInfo
) -> list[StatsRow]:
    if group_by not in ("week", "month"):
        classes = license_classes(session) if group_by == "license_class" else {}
        return group_totals(counted_groups(session, settings, where), group_by, license_classes=classes)
    span = stored_time_range(session)
    if span is None:
        return []
    start = where.since or span[0]
    end = where.until or span[1] + timedelta(seconds=1)
    if start >= end:
        return []
    edges = period_edges(start, end, group_by, zone)
    labels = [bucket_label(edge, group_by, zone) for edge in edges[:-1]]
    return group_totals(counted_groups(session, settings, where, edges), group_by, bucket_labels=labels)


# members and repos ---------------------------------------------------------------------------


@cli.command()
@click.option("--format", "output", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def members(app: App, output: str) -> None:
    """People whose contributions count, and members that do not count (bots, excluded)."""
    settings = app.settings()
    with _session(app) as session:
        org_members = list_org_members(session)
        people = load_people(session, settings)
    records: list[dict[str, object]] = [
        {
            "login": person.login,
            "name": person.name,
            "team": person.team,
            "aliases": ", ".join(person.aliases),
            "since": person.since.date().isoformat() if person.since else None,
            "until": person.until.date().isoformat() if person.until else None,
            "public": person.public,
            "source": person.source,
            "counts": True,
            "reason": "",
        }
        for person in people
    ]
    counted = {
        login.lower()
        for person in build_people(org_members, settings.roster, settings.exclude)
        for login in person.logins
    }
    excluded = {login.lower() for login in settings.exclude}
    for member in org_members:
        if member.login.lower() in counted:
            continue
        reason = (
            "bot"
            if is_bot(member.login, member.user_type)
            else ("excluded" if member.login.lower() in excluded else "alias")
        )
        records.append({"login": member.login, "source": "org", "counts": False, "reason": reason})
    columns = ["login", "name", "team", "aliases", "since", "until", "public", "source", "counts", "reason"]
    _emit(records, columns, output, empty="no members known yet: run `tracker sync`")


@cli.command()
@click.option("--format", "output", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--openness", "openness_view", is_flag=True, help="Only counted repos, open-washing first.")
@click.option("--changes", is_flag=True, help="License changes seen by sync.")
@click.pass_obj
def repos(app: App, output: str, openness_view: bool, changes: bool) -> None:
    """Repos the tracker knows, whether each counts and why, and how open each is."""
    settings = app.settings()
    with _session(app) as session:
        if changes:
            rows = list_license_changes(session)
            records: list[dict[str, object]] = [
                {
                    "full_name": row.full_name,
                    "old_license": row.old_license,
                    "new_license": row.new_license,
                    "seen_at": row.seen_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
                for row in rows
            ]
            _emit(
                records,
                ["full_name", "old_license", "new_license", "seen_at"],
                output,
                empty="no license changes seen",
            )
            return
        views = load_repos(session, settings)
    annotations = load_openness_annotations()
    assessed = [(view, _assess(view.record, annotations)) for view in views]
    if openness_view:
        kept = [item for item in assessed if item[0].decision.counts]
        ranked = openness.sort_for_openness_report(assessment for _, assessment in kept)
        order = {assessment.full_name: index for index, assessment in enumerate(ranked)}
        assessed = sorted(kept, key=lambda item: order[item[1].full_name])
    records = [_repo_record(view, assessment) for view, assessment in assessed]
    columns = ["full_name", "counts", "reason", "license", "license_class", "open_washing"]
    columns += ["weights", "training_data"] if openness_view else ["stars", "archived"]
    _emit(records, columns, output, empty="no repos known yet: run `tracker sync`")


def _assess(record: RepoRecord, annotations: dict[str, openness.ModelOpenness]) -> openness.RepoOpenness:
    license_obj = {"spdx_id": record.license_spdx} if record.has_license else None
    return openness.assess_repo(
        record.full_name,
        license_obj,
        record.description,
        record.topics,
        annotations.get(record.full_name.lower()),
    )


def _repo_record(view: RepoView, assessment: openness.RepoOpenness) -> dict[str, object]:
    note = assessment.annotation
    return {
        "full_name": view.record.full_name,
        "counts": view.decision.counts,
        "reason": view.decision.reason,
        "license": assessment.license,
        "license_class": assessment.license_class.value,
        "open_washing": assessment.open_washing,
        "weights": note.weights if note else None,
        "training_data": note.training_data if note else None,
        "openness_source": note.source if note else None,
        "openness_note": note.note if note else None,
        "stars": view.record.stars,
        "archived": view.record.archived,
        "description": view.record.description,
    }


# schedule and doctor -------------------------------------------------------------------------


@cli.command()
@click.pass_obj
def schedule(app: App) -> None:
    """Run sync and digest on the [schedule] in the foreground until SIGTERM or SIGINT."""
    from jobs.runner import make_sync_job, run_schedule  # the core never imports APScheduler
    from jobs.triggers import ScheduleSpecError

    settings = app.settings()
    token = _github_token()
    engine = app.engine()
    cancel = CancelToken()
    sync_job = make_sync_job(settings=settings, engine=engine, token=token, cancel=cancel)
    try:
        run_schedule(settings, sync_job=sync_job, digest_job=_digest_job(settings, engine), cancel=cancel)
    except ScheduleSpecError as error:
        raise UsageProblem(f"{settings.path}: [schedule] {error}") from None
    finally:
        engine.dispose()


def _digest_job(settings: Settings, engine: Engine) -> Callable[[], None] | None:
    """The scheduled digest, or None (with a warning) when no Slack destination is configured."""
    if (
        target_from_environment(os.environ, channel=settings.slack.channel, api_url=settings.slack.api_url)
        is None
    ):
        log.warning("no Slack destination (SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL): the digest job is off")
        return None

    def run_digest() -> None:
        outcome = post_scheduled_digest(engine, settings, environ=os.environ, now=datetime.now(UTC))
        log.info(outcome.summary(), extra={"job": "digest"})

    return run_digest


@cli.command()
@click.pass_obj
def doctor(app: App) -> None:
    """Check the configuration, the GitHub token, the database and the Slack destination."""
    checks = run_checks(app.config_path)
    for check in checks:
        click.echo(check.line())
    if any(check.status is Status.FAIL for check in checks):
        raise click.exceptions.Exit(EXIT_FAILURE)


# db ------------------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(app: App) -> None:
    """Apply pending schema migrations (sync, query and the other commands also do this)."""
    engine = app.engine()
    click.echo(f"database at revision {migrate.current_revision(engine)}", err=True)
    engine.dispose()


# output --------------------------------------------------------------------------------------


def _emit(records: list[dict[str, object]], columns: list[str], output: str, *, empty: str) -> None:
    if output == "json":
        # Not indented: json's C encoder only serves compact output, and the output can be a year of rows.
        click.echo(json.dumps(records, ensure_ascii=False))
    elif output == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        click.echo(buffer.getvalue(), nl=False)
    elif not records:
        click.echo(empty, err=True)
    else:
        _print_table(records, columns)


def _print_table(records: list[dict[str, object]], columns: list[str]) -> None:
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for record in records:
        table.add_row(*(_cell(record.get(column)) for column in columns))
    width = None if sys.stdout.isatty() else 200
    Console(width=width, soft_wrap=False).print(table)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# entry point ---------------------------------------------------------------------------------


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (0 ok, 1 failure at run time, 2 usage or config)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        outcome = cli.main(args=args, prog_name="tracker", standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.ClickException as problem:
        problem.show()
        return problem.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except (ConfigError, UsageProblem, UnknownFilterValue, SlackSetupError) as problem:
        return _fail(problem, EXIT_USAGE, debug)
    except (GitHubError, StoreError, SlackError) as problem:
        return _fail(problem, EXIT_FAILURE, debug)
    except sa.exc.SQLAlchemyError as problem:
        detail = getattr(problem, "orig", None) or problem
        return _fail(StoreError(f"database error: {detail}"), EXIT_FAILURE, debug)
    except Cancelled:
        click.echo("stopped at a safe point: what was fetched is kept; run again to continue", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except Exception as problem:  # the last line of defence: one clear line, traceback with --debug
        return _fail(problem, EXIT_FAILURE, debug, unexpected=True)
    return outcome if isinstance(outcome, int) else EXIT_OK


def _fail(problem: BaseException, code: int, debug: bool, *, unexpected: bool = False) -> int:
    if debug:
        log.exception("failed")
    text = redact(str(problem), secrets_from_environment())
    prefix = f"unexpected error ({type(problem).__name__}): " if unexpected else ""
    click.echo(f"error: {prefix}{text}", err=True)
    if unexpected and not debug:
        click.echo("run again with --debug for details", err=True)
    return code


cli.add_command(digest)


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
