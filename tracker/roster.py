"""The roster: people beyond the organization's member list, their teams, aliases, windows,
privacy and Slack identities, from a TOML file (`[[member]]` tables) or a CSV export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import StringConstraints, ValidationError, model_validator

from tracker.config_files import (
    ConfigError,
    GitHubLogin,
    Section,
    describe_validation_error,
    read_text,
    read_toml,
    validate,
)
from tracker.rules import RosterEntry

ROSTER_COLUMNS = ("login", "name", "team", "since", "until", "public", "aliases", "slack", "email")
_EXTRA_FIELDS = "\0extra"

# As a Slack profile's "Copy member ID" gives it: U (W in Enterprise Grid), then capitals and digits.
SlackUserId = Annotated[str, StringConstraints(pattern=r"^[UW][A-Z0-9]{2,20}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class RosterMember(Section):
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


class RosterFile(Section):
    member: list[RosterMember] = []


def load_roster(path: Path) -> tuple[RosterEntry, ...]:
    """A TOML roster (`[[member]]` tables), or a CSV one (what HR systems export), by extension."""
    if path.suffix.lower() == ".csv":
        members = _csv_roster_members(path)
    else:
        members = validate(RosterFile, read_toml(path), path).member
    entries = tuple(member.to_entry() for member in members)
    _check_unique(entries, path)
    return entries


def _csv_roster_members(path: Path) -> list[RosterMember]:
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""), restkey=_EXTRA_FIELDS)
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
        raise ConfigError(describe_validation_error(error, Path(f"{path}: line {line}"))) from None


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
