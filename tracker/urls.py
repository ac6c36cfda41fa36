"""Checks of the URLs a user gives (pure): what they name must be something the tracker can use.

Each check returns the URL or raises ValueError with a sentence naming `source` (the variable or
key the URL came from) and what to write instead; a URL that may carry a secret is never shown.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

SUPPORTED_DATABASES = "sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_DRIVERS = {"sqlite": "sqlite", "sqlite+pysqlite": "sqlite", "postgresql": "postgresql"}
_DRIVERS["postgresql+psycopg"] = "postgresql"


def check_database_url(url: str, source: str) -> str:
    match = _SCHEME.match(url)
    if match is None:
        hint = f"; for a SQLite file write sqlite:///{url}" if url and "://" not in url else ""
        raise ValueError(f"{source}: {_shown(url)} is not a database URL ({SUPPORTED_DATABASES}){hint}")
    scheme = match.group(1).lower()
    if scheme not in _DRIVERS:
        backend, _, driver = scheme.partition("+")
        if backend == "postgres":
            reason = "write postgresql:// (or postgresql+psycopg://), not postgres://"
        elif backend in ("postgresql", "sqlite") and driver:
            reason = f"the {driver} driver is not installed"
        else:
            reason = f"{backend} databases are not supported"
        raise ValueError(f"{source}: {reason} ({SUPPORTED_DATABASES})")
    return url


def check_https_url(url: str, source: str) -> str:
    """An https:// URL with a host; plain http:// only to this machine (127.0.0.0/8, ::1, localhost),
    where tests and local emulators run: a token must never cross a network unencrypted."""
    problem = https_url_problem(url)
    if problem is not None:
        raise ValueError(f"{source}: {problem}")
    return url


def https_url_problem(url: str) -> str | None:
    """What is wrong with `url` as the address a token is sent to, or None (see check_https_url)."""
    scheme, host = _scheme_and_host(url)
    if scheme not in ("https", "http") or not host:
        return f"{_shown(url)} is not an https:// URL with a host"
    if scheme == "http" and not is_loopback(host):
        return (
            f"{_shown(url)} must use https:// (plain http:// is only for this machine: "
            "localhost, 127.0.0.1, ::1)"
        )
    return None


def _scheme_and_host(url: str) -> tuple[str, str | None]:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return "", None
    return parts.scheme.lower(), parts.hostname


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shown(url: str) -> str:
    """The URL without a password, for a message."""
    return repr(re.sub(r"(://[^:/@\s]+):[^@/\s]*@", r"\1:***@", url))
