"""Reading the tracker's files (the config, the roster, the catalog) and wording their problems.

Every problem is a ConfigError that names the file and the key (or line) that is wrong.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from tracker.domain import LOGIN_RULE, is_github_login

MAX_CONFIG_BYTES = 4 * 1024 * 1024

M = TypeVar("M", bound=BaseModel)


class ConfigError(Exception):
    """A configuration problem, worded for the person who has to fix the file."""


def _github_login(text: str) -> str:
    if not is_github_login(text):
        raise ValueError(f"{text!r} is not a GitHub login ({LOGIN_RULE})")
    return text


GitHubLogin = Annotated[str, AfterValidator(_github_login)]


class Section(BaseModel):
    """A table of a file: an unknown key is an error, and nothing changes once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def read_toml(path: Path) -> dict[str, Any]:
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def read_text(path: Path) -> str:
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


def validate(model: type[M], raw: dict[str, Any], path: Path) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error, path)) from None


def describe_validation_error(error: ValidationError, path: Path) -> str:
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
