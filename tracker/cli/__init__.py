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
from tracker.cli.context import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, App, UsageProblem
from tracker.github.errors import GitHubError
from tracker.logs import (
    LOG_FORMAT_ENV,
    LOG_FORMATS,
    configure_logging,
    log_format_from_environment,
    redact,
    secrets_from_environment,
)

log = logging.getLogger("tracker")


CONFIG_HELP = "Config file (default: $TRACKER_CONFIG, else ./tracker.toml)."
DEBUG_HELP = "Show tracebacks and debug logs."
LOG_FORMAT_HELP = "Log lines (and the final error) as text or JSON (default: $TRACKER_LOG_FORMAT, else text)."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="PATH", help=CONFIG_HELP)
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@click.option("--log-format", type=click.Choice(LOG_FORMATS, case_sensitive=False), help=LOG_FORMAT_HELP)
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, debug: bool, log_format: str | None) -> None:
    """Track what an organization gives back to open-source AI.

    The options above are accepted after the command too: `tracker stats --config PATH`.
    """
    ctx.obj = App(
        config_path=config_path, debug=debug, log_format=log_format or _log_format_from_environment()
    )
    _apply_logging(ctx.obj)


def _log_format_from_environment() -> str:
    value = log_format_from_environment()
    if value not in LOG_FORMATS:
        raise UsageProblem(f"{LOG_FORMAT_ENV}: {value!r} is not one of {', '.join(LOG_FORMATS)}")
    return value


def _apply_logging(app: App) -> None:
    configure_logging(debug=app.debug, log_format=app.log_format)


def _set_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    app = ctx.find_object(App)
    if value is not None and app is not None:
        app.config_path = value


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    app = ctx.find_object(App)
    if value and app is not None:
        app.debug = True
        _apply_logging(app)


def _set_log_format(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    app = ctx.find_object(App)
    if value is not None and app is not None:
        app.log_format = value.lower()
        _apply_logging(app)


def shared_options() -> list[click.Option]:
    """The group's own options, for a command: they write into the run's App, as if given first."""
    return [
        click.Option(
            ["--config"], metavar="PATH", help=CONFIG_HELP, expose_value=False, callback=_set_config
        ),
        click.Option(["--debug"], is_flag=True, help=DEBUG_HELP, expose_value=False, callback=_set_debug),
        click.Option(
            ["--log-format"],
            type=click.Choice(LOG_FORMATS, case_sensitive=False),
            help=LOG_FORMAT_HELP,
            expose_value=False,
            callback=_set_log_format,
        ),
    ]


def accept_shared_options(command: click.Command) -> None:
    """Give `command` and every command under it the group's options (`tracker stats --config x`)."""
    command.params.extend(shared_options())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            accept_shared_options(sub)


for _command in (
    sync.sync,
    query.query,
    query.stats,
    members.members,
    repos.repos,
    schedule.schedule,
    bot.bot,
    doctor.doctor,
    db.db,
    digest.digest,
):
    accept_shared_options(_command)
    cli.add_command(_command)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (0 ok, 1 failure at run time, 2 usage or config, 130
    interrupted). Whatever ends the run ends it with one line, in the log format asked for."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    # Until the options are read (a mistake in them ends the run before), a glance at them decides.
    configure_logging(debug=debug, log_format=_log_format_asked(args))
    try:
        outcome = cli.main(args=args, prog_name="tracker", standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.UsageError as problem:
        return _fail(problem, problem.exit_code, debug, text=_usage_line(problem))
    except click.ClickException as problem:
        return _fail(problem, problem.exit_code, debug, text=problem.format_message())
    except click.exceptions.Abort:
        log.error("aborted")
        return EXIT_INTERRUPTED
    except UsageProblem as problem:
        return _fail(problem, EXIT_USAGE, debug)
    except GitHubError as problem:
        return _fail(problem, EXIT_FAILURE, debug)
    except Cancelled:
        log.info("stopped at a safe point: what was fetched is kept; run again to continue")
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        log.error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as problem:
        return _fail_loaded(problem, debug)
    return outcome if isinstance(outcome, int) else EXIT_OK


def _log_format_asked(args: Sequence[str]) -> str | None:
    """The --log-format among `args`, if one is there: for the lines written before Click reads it."""
    for option, value in zip(args, [*args[1:], ""], strict=True):
        if option == "--log-format":
            return value.lower()
        if option.startswith("--log-format="):
            return option.partition("=")[2].lower()
    return None


def _usage_line(problem: click.UsageError) -> str:
    """Click's message, and where to read how the command is called: one line."""
    where = problem.ctx.command_path if problem.ctx is not None else "tracker"
    return f"{problem.format_message()} (see '{where} --help')"


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
        log.debug("failed", exc_info=problem)
    shown = redact(text or str(problem), secrets_from_environment())
    if unexpected:
        shown = f"unexpected error ({type(problem).__name__}): {shown}"
        if not debug:
            shown += "; run again with --debug for details"
    log.error(shown)
    return code


def main() -> None:
    sys.exit(run())
