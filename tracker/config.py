"""Load and validate the TOML configuration and the shipped catalog (the roster: `roster.py`).

Reads files only; secrets come from the environment, never from these files.
Every error names the file and the key (or line) that is wrong.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tracker.config_files import ConfigError, GitHubLogin, Section, read_toml, validate
from tracker.openness import ModelOpenness, parse_openness_annotation
from tracker.roster import load_roster
from tracker.rules import RepoRules, RosterEntry
from tracker.urls import check_database_url, check_https_url, https_url_problem

CONFIG_ENV = "TRACKER_CONFIG"
DATABASE_URL_ENV = "TRACKER_DATABASE_URL"
API_URL_ENV = "GITHUB_API_URL"
# Where the database lives when the config file does not say (the container image sets it to its
# data volume); unlike TRACKER_DATABASE_URL it never overrides a url the file sets.
DEFAULT_DATABASE_URL_ENV = "TRACKER_DEFAULT_DATABASE_URL"
DEFAULT_CONFIG_NAME = "tracker.toml"
DEFAULT_API_URL = "https://api.github.com"
DEFAULT_SLACK_MAX_WAIT_SECONDS = 300.0
CATALOG_PACKAGE = "tracker.catalog"
CATALOG_FILE = "catalog.toml"
SCHEDULED_JOBS = ("sync", "digest")

# Reads one `[schedule]` spec for a time zone with the scheduler's own parser, raising ValueError
# for a spec it cannot read. jobs/ provides it (`jobs.triggers.next_fire_time`) and the CLI passes
# it in: the core never imports APScheduler, yet accepts no spec that `tracker schedule` refuses.
ScheduleParser = Callable[[str, str], object]


class GithubSection(Section):
    org: GitHubLogin
    api_url: str = DEFAULT_API_URL
    # The longest wait for a rate limit: GitHub's budgets reset within the hour, so a longer wait
    # is an answer to stop on (the next run resumes), not to sleep through.
    max_wait_minutes: int = Field(default=60, ge=1, le=24 * 60)


class MembersSection(Section):
    roster: str | None = None
    exclude: list[GitHubLogin] = []


class ReposSection(Section):
    include: list[str] = []
    topics: list[str] = []
    exclude: list[str] = []
    merged_labels: dict[str, list[str]] = {}

    @field_validator("include", "exclude")
    @classmethod
    def _patterns_are_owner_slash_name(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            owner, _, name = pattern.partition("/")
            if not owner or not name or "/" in name or owner == "*":
                raise ValueError(f"{pattern!r} is not owner/name or owner/*")
        return patterns

    def to_rules(self) -> RepoRules:
        return RepoRules(
            include=tuple(self.include),
            topics=tuple(self.topics),
            exclude=tuple(self.exclude),
            merged_labels={repo: tuple(labels) for repo, labels in self.merged_labels.items()},
        )


class SyncSection(Section):
    backfill_days: int = Field(default=90, ge=1, le=3650)
    # Reviews through GraphQL search (a point per 100 pull requests) instead of one REST request each.
    graphql: bool = True


class DatabaseSection(Section):
    url: str = "sqlite:///tracker.db"


def _known_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error
    return name


class DigestSection(Section):
    timezone: str = "UTC"
    period: Literal["week", "month"] = "week"
    highlights: int = Field(default=10, ge=0, le=50)

    _timezone_is_known = field_validator("timezone")(_known_timezone)


def finite_seconds(value: object, *, default: float) -> float:
    """A number of seconds, or `default` for garbage, negative or infinite values: a cap on waiting
    that cannot be read must not become no cap."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        seconds = float(value)
    except ValueError:
        return default
    return seconds if math.isfinite(seconds) and seconds >= 0 else default


class SlackSection(Section):
    channel: str | None = None
    api_url: str | None = None
    # The longest wait Slack may ask for (Retry-After); a longer one fails the post at once.
    max_wait_seconds: float = DEFAULT_SLACK_MAX_WAIT_SECONDS

    @field_validator("api_url")
    @classmethod
    def _api_url_is_https(cls, url: str | None) -> str | None:
        problem = None if url is None else https_url_problem(url)
        if problem is not None:
            raise ValueError(problem)
        return url

    @field_validator("max_wait_seconds", mode="before")
    @classmethod
    def _unreadable_means_the_default(cls, value: object) -> float:
        return finite_seconds(value, default=DEFAULT_SLACK_MAX_WAIT_SECONDS)


class ScheduleSection(Section):
    timezone: str = "UTC"
    _timezone_is_known = field_validator("timezone")(_known_timezone)
    sync: str | None = "0 * * * *"
    digest: str | None = "0 9 * * MON"


class ConfigFile(Section):
    github: GithubSection
    members: MembersSection = MembersSection()
    repos: ReposSection | None = None
    sync: SyncSection = SyncSection()
    database: DatabaseSection = DatabaseSection()
    digest: DigestSection = DigestSection()
    slack: SlackSection = SlackSection()
    schedule: ScheduleSection = ScheduleSection()


class Settings(BaseModel):
    """The validated configuration the rest of the program works with."""

    model_config = ConfigDict(frozen=True)

    path: Path
    org: str
    api_url: str
    max_wait_seconds: float
    database_url: str
    backfill_days: int
    graphql: bool
    exclude: tuple[str, ...]
    roster: tuple[RosterEntry, ...]
    repo_rules: RepoRules
    repo_source: str
    digest: DigestSection
    slack: SlackSection
    schedule: ScheduleSection


def find_config_path(explicit: str | None, environ: Mapping[str, str] = os.environ) -> Path:
    if explicit:
        return Path(explicit)
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    return Path(DEFAULT_CONFIG_NAME)


def load_settings(
    path: Path, environ: Mapping[str, str] = os.environ, *, parse_schedule: ScheduleParser | None = None
) -> Settings:
    """The validated settings; with `parse_schedule`, the `[schedule]` specs are validated too."""
    raw = read_toml(path)
    config = validate(ConfigFile, raw, path)
    if parse_schedule is not None:
        check_schedule(config.schedule, parse_schedule, path)
    base = path.resolve().parent
    roster = load_roster(_resolve(base, config.members.roster)) if config.members.roster else ()
    repos, source = (config.repos, str(path)) if config.repos is not None else (load_catalog(), "catalog")
    return Settings(
        path=path,
        org=config.github.org,
        api_url=_api_url(config.github, environ, path),
        max_wait_seconds=config.github.max_wait_minutes * 60.0,
        database_url=resolve_database_url(_database_url(config.database, environ, path), base),
        backfill_days=config.sync.backfill_days,
        graphql=config.sync.graphql,
        exclude=tuple(config.members.exclude),
        roster=roster,
        repo_rules=repos.to_rules(),
        repo_source=source,
        digest=config.digest,
        slack=config.slack,
        schedule=config.schedule,
    )


def check_schedule(section: ScheduleSection, parse: ScheduleParser, path: Path) -> None:
    """Every job's spec (an empty one turns the job off) as the scheduler reads it, or ConfigError."""
    for job in SCHEDULED_JOBS:
        spec = getattr(section, job)
        if not spec:
            continue
        try:
            parse(spec, section.timezone)
        except ValueError as error:
            raise ConfigError(f"{path}: schedule.{job}: {error}") from None


def _api_url(section: GithubSection, environ: Mapping[str, str], path: Path) -> str:
    """GITHUB_API_URL, else the file's api_url: https://, or http:// to this machine only."""
    if environ.get(API_URL_ENV):
        url, source = environ[API_URL_ENV].strip(), API_URL_ENV
    else:
        url, source = section.api_url, f"{path}: github.api_url"
    try:
        return check_https_url(url, source).rstrip("/")
    except ValueError as error:
        raise ConfigError(str(error)) from None


def _database_url(section: DatabaseSection, environ: Mapping[str, str], path: Path) -> str:
    """TRACKER_DATABASE_URL, else the file's url, else TRACKER_DEFAULT_DATABASE_URL, else the default."""
    if environ.get(DATABASE_URL_ENV):
        url, source = environ[DATABASE_URL_ENV].strip(), DATABASE_URL_ENV
    elif "url" in section.model_fields_set:
        url, source = section.url, f"{path}: database.url"
    else:
        url, source = environ.get(DEFAULT_DATABASE_URL_ENV) or section.url, DEFAULT_DATABASE_URL_ENV
    try:
        return check_database_url(url, source)
    except ValueError as error:
        raise ConfigError(str(error)) from None


def load_catalog() -> ReposSection:
    return validate(ReposSection, catalog_raw().get("repos", {}), Path(f"<shipped {CATALOG_FILE}>"))


def load_openness_annotations() -> dict[str, ModelOpenness]:
    """The catalog's notes on model repos (weights, training data, source), by lower-cased name."""
    raw = catalog_raw().get("openness", {})
    try:
        return {
            name.lower(): parse_openness_annotation(table, f"<shipped {CATALOG_FILE}>: openness.{name!r}")
            for name, table in raw.items()
        }
    except ValueError as error:
        raise ConfigError(str(error)) from None


def catalog_raw() -> dict[str, Any]:
    return tomllib.loads(_catalog_text())


def _catalog_text() -> str:
    """The catalog installed as tracker.catalog, or config/ itself in an editable source checkout."""
    try:
        return resources.files(CATALOG_PACKAGE).joinpath(CATALOG_FILE).read_text(encoding="utf-8")
    except ModuleNotFoundError:
        source = Path(__file__).resolve().parent.parent / "config" / CATALOG_FILE
        return source.read_text(encoding="utf-8")


def resolve_database_url(url: str, base: Path) -> str:
    """A relative SQLite path is relative to the config file, like every other path in it."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite:///:memory:":
        return url
    path = url.removeprefix(prefix)
    if path.startswith("/"):
        return url
    return prefix + str(base / path)


def _resolve(base: Path, relative: str) -> Path:
    candidate = Path(relative)
    return candidate if candidate.is_absolute() else base / candidate
