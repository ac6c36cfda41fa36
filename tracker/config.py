"""Load and validate the TOML configuration, the roster and the shipped catalog.

Reads files only; secrets come from the environment, never from these files.
Every error names the file and the key (or line) that is wrong.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from tracker.domain import LOGIN_RULE, is_github_login
from tracker.openness import ModelOpenness, parse_openness_annotation
from tracker.rules import RepoRules, RosterEntry
from tracker.urls import check_database_url, check_https_url

CONFIG_ENV = "TRACKER_CONFIG"
MAX_CONFIG_BYTES = 4 * 1024 * 1024
ROSTER_COLUMNS = ("login", "name", "team", "since", "until", "public", "aliases", "slack", "email")
_EXTRA_FIELDS = "\0extra"
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

M = TypeVar("M", bound=BaseModel)


class ConfigError(Exception):
    """A configuration problem, worded for the person who has to fix the file."""


def _github_login(text: str) -> str:
    if not is_github_login(text):
        raise ValueError(f"{text!r} is not a GitHub login ({LOGIN_RULE})")
    return text


GitHubLogin = Annotated[str, AfterValidator(_github_login)]


# As a Slack profile's "Copy member ID" gives it: U (W in Enterprise Grid), then capitals and digits.
SlackUserId = Annotated[str, StringConstraints(pattern=r"^[UW][A-Z0-9]{2,20}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GithubSection(_Section):
    org: GitHubLogin
    api_url: str = DEFAULT_API_URL
    # The longest wait for a rate limit: GitHub's budgets reset within the hour, so a longer wait
    # is an answer to stop on (the next run resumes), not to sleep through.
    max_wait_minutes: int = Field(default=60, ge=1, le=24 * 60)


class MembersSection(_Section):
    roster: str | None = None
    exclude: list[GitHubLogin] = []


class ReposSection(_Section):
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


class SyncSection(_Section):
    backfill_days: int = Field(default=90, ge=1, le=3650)


class DatabaseSection(_Section):
    url: str = "sqlite:///tracker.db"


def _known_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error
    return name


class DigestSection(_Section):
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


class SlackSection(_Section):
    channel: str | None = None
    api_url: str | None = None
    # The longest wait Slack may ask for (Retry-After); a longer one fails the post at once.
    max_wait_seconds: float = DEFAULT_SLACK_MAX_WAIT_SECONDS

    @field_validator("max_wait_seconds", mode="before")
    @classmethod
    def _unreadable_means_the_default(cls, value: object) -> float:
        return finite_seconds(value, default=DEFAULT_SLACK_MAX_WAIT_SECONDS)


class ScheduleSection(_Section):
    timezone: str = "UTC"
    _timezone_is_known = field_validator("timezone")(_known_timezone)
    sync: str | None = "0 * * * *"
    digest: str | None = "0 9 * * MON"


class ConfigFile(_Section):
    github: GithubSection
    members: MembersSection = MembersSection()
    repos: ReposSection | None = None
    sync: SyncSection = SyncSection()
    database: DatabaseSection = DatabaseSection()
    digest: DigestSection = DigestSection()
    slack: SlackSection = SlackSection()
    schedule: ScheduleSection = ScheduleSection()


class RosterMember(_Section):
    login: GitHubLogin
    name: str | None = None
    team: str | None = None
    aliases: list[GitHubLogin] = []
    since: date | None = None
    until: date | None = None
    public: bool = True
    slack: SlackUserId | None = None
    email: Email | None = None

    @model_validator(mode="after")
    def _window_is_ordered(self) -> RosterMember:
        if self.since and self.until and self.since >= self.until:
            raise ValueError(f"since ({self.since}) must be before until ({self.until})")
        return self

    def to_entry(self) -> RosterEntry:
        """Field for field: the roster file's names are RosterEntry's."""
        return RosterEntry(**{**self.model_dump(), "aliases": tuple(self.aliases)})


class RosterFile(_Section):
    member: list[RosterMember] = []


class Settings(BaseModel):
    """The validated configuration the rest of the program works with."""

    model_config = ConfigDict(frozen=True)

    path: Path
    org: str
    api_url: str
    max_wait_seconds: float
    database_url: str
    backfill_days: int
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


def load_settings(path: Path, environ: Mapping[str, str] = os.environ) -> Settings:
    raw = _read_toml(path)
    config = _validate(ConfigFile, raw, path)
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
        exclude=tuple(config.members.exclude),
        roster=roster,
        repo_rules=repos.to_rules(),
        repo_source=source,
        digest=config.digest,
        slack=config.slack,
        schedule=config.schedule,
    )


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


def load_roster(path: Path) -> tuple[RosterEntry, ...]:
    """A TOML roster (`[[member]]` tables), or a CSV one (what HR systems export), by extension."""
    if path.suffix.lower() == ".csv":
        members = _csv_roster_members(path)
    else:
        members = _validate(RosterFile, _read_toml(path), path).member
    entries = tuple(member.to_entry() for member in members)
    _check_unique(entries, path)
    return entries


def _csv_roster_members(path: Path) -> list[RosterMember]:
    reader = csv.DictReader(io.StringIO(_read_text(path), newline=""), restkey=_EXTRA_FIELDS)
    header = [column.strip().lower() for column in reader.fieldnames or ()]
    unknown = [column for column in header if column not in ROSTER_COLUMNS]
    if unknown or "login" not in header:
        problem = f"unknown column {unknown[0]!r}" if unknown else "no login column"
        raise ConfigError(f"{path}: line 1: {problem} (columns: {', '.join(ROSTER_COLUMNS)})")
    reader.fieldnames = header
    return [_csv_roster_member(row, path, reader.line_num) for row in reader]


def _csv_roster_member(row: dict[str, Any], path: Path, line: int) -> RosterMember:
    if row.get(_EXTRA_FIELDS):
        raise ConfigError(f"{path}: line {line}: more fields than columns")
    values = {column: value.strip() for column, value in row.items() if value and value.strip()}
    aliases = [alias.strip() for alias in values.pop("aliases", "").split(";") if alias.strip()]
    try:
        return RosterMember.model_validate({**values, "aliases": aliases})
    except ValidationError as error:
        raise ConfigError(_describe_validation_error(error, Path(f"{path}: line {line}"))) from None


def load_catalog() -> ReposSection:
    return _validate(ReposSection, catalog_raw().get("repos", {}), Path(f"<shipped {CATALOG_FILE}>"))


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


def _read_toml(path: Path) -> dict[str, Any]:
    text = _read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def _read_text(path: Path) -> str:
    try:
        return _read_config_text(path)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except PermissionError:
        raise ConfigError(f"{path}: cannot be read (permission denied)") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None


def _read_config_text(path: Path) -> str:
    """A regular file of sane size: a directory or a device (`/dev/zero`) is a mistake, not a config."""
    if path.exists() and not path.is_file():
        raise ConfigError(f"{path}: not a regular file")
    with path.open("rb") as handle:
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB; is this the right file?")
    return data.decode("utf-8").removeprefix("\ufeff")  # a BOM, as spreadsheet exports write


def _validate(model: type[M], raw: dict[str, Any], path: Path) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(_describe_validation_error(error, path)) from None


def _describe_validation_error(error: ValidationError, path: Path) -> str:
    problems = []
    for issue in error.errors():
        where = _key_path(issue["loc"])
        message = issue["msg"].removeprefix("Value error, ")
        if issue["type"] == "extra_forbidden":
            message = "unknown key"
        problems.append(f"{path}: {where}: {message}")
    return "\n".join(problems)


def _key_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part + 1}]" if parts else f"[{part + 1}]"
        else:
            parts.append(str(part))
    return ".".join(parts) or "(top level)"


def _check_unique(roster: tuple[RosterEntry, ...], path: Path) -> None:
    """A login (an alias too), a Slack member ID or an email belongs to one person: the bot must
    never take one person's question for another's."""
    identities: dict[str, Callable[[RosterEntry], tuple[str | None, ...]]] = {
        "login": lambda entry: (entry.login, *entry.aliases),
        "slack": lambda entry: (entry.slack,),
        "email": lambda entry: (entry.email,),
    }
    for what, values_of in identities.items():
        seen: dict[str, str] = {}
        for entry in roster:
            for value in filter(None, values_of(entry)):
                if value.lower() in seen:
                    raise ConfigError(
                        f"{path}: roster {what} {value!r} appears twice (also under {seen[value.lower()]!r})"
                    )
                seen[value.lower()] = entry.login
