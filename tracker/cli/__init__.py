"""The `tracker` command: parses arguments, wires the parts, formats output. Nothing else.

Each command lives in its own module and imports what it needs when it runs, so that
`tracker --help` and `tracker --version` import no database, GitHub, Slack or scheduler code.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

import click

from tracker import __version__
from tracker.cancel import Cancelled
from tracker.cli import bot, db, digest, doctor, members, query, repos, schedule, sync
from tracker.cli.context import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, App, UsageProblem
from tracker.github.errors import GitHubError
from tracker.logs import configure_logging, redact, secrets_from_environment

log = logging.getLogger("tracker")


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


cli.add_command(sync.sync)
cli.add_command(query.query)
cli.add_command(query.stats)
cli.add_command(members.members)
cli.add_command(repos.repos)
cli.add_command(schedule.schedule)
cli.add_command(bot.bot)
cli.add_command(doctor.doctor)
cli.add_command(db.db)
cli.add_command(digest.digest)


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
    except UsageProblem as problem:
        return _fail(problem, EXIT_USAGE, debug)
    except GitHubError as problem:
        return _fail(problem, EXIT_FAILURE, debug)
    except Cancelled:
        click.echo("stopped at a safe point: what was fetched is kept; run again to continue", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except Exception as problem:
        return _fail_loaded(problem, debug)
    return outcome if isinstance(outcome, int) else EXIT_OK


# The errors of modules that are slow to import, named rather than imported: an exception exists
# only once its class is loaded, so looking them up among the loaded modules is exact and keeps
# start-up light.
USAGE_ERRORS = (
    ("tracker.config_files", "ConfigError"),
    ("tracker.counting", "UnknownFilterValue"),
    ("tracker.slack.errors", "SlackSetupError"),
)
RUNTIME_ERRORS = (("tracker.store.engine", "StoreError"), ("tracker.slack.errors", "SlackError"))
DATABASE_ERRORS = (("sqlalchemy.exc", "SQLAlchemyError"),)


def loaded_classes(names: Sequence[tuple[str, str]]) -> tuple[type[BaseException], ...]:
    """The exception classes named, of the modules imported so far."""
    modules = ((sys.modules.get(module), name) for module, name in names)
    return tuple(getattr(module, name) for module, name in modules if module is not None)


def _fail_loaded(problem: Exception, debug: bool) -> int:
    if isinstance(problem, loaded_classes(USAGE_ERRORS)):
        return _fail(problem, EXIT_USAGE, debug)
    if isinstance(problem, loaded_classes(RUNTIME_ERRORS)):
        return _fail(problem, EXIT_FAILURE, debug)
    if isinstance(problem, loaded_classes(DATABASE_ERRORS)):
        detail = getattr(problem, "orig", None) or problem
        return _fail(problem, EXIT_FAILURE, debug, text=f"database error: {detail}")
    # The last line of defence: one clear line, the traceback with --debug.
    return _fail(problem, EXIT_FAILURE, debug, unexpected=True)


def _fail(
    problem: BaseException, code: int, debug: bool, *, text: str | None = None, unexpected: bool = False
) -> int:
    if debug:
        log.exception("failed")
    shown = redact(text or str(problem), secrets_from_environment())
    prefix = f"unexpected error ({type(problem).__name__}): " if unexpected else ""
    click.echo(f"error: {prefix}{shown}", err=True)
    if unexpected and not debug:
        click.echo("run again with --debug for details", err=True)
    return code


def main() -> None:
    sys.exit(run())
