"""Checks of the URLs a user gives (pure): what they name must be something the tracker can use.

Each check returns the URL or raises ValueError with a sentence naming `source` (the variable or
key the URL came from) and what to write instead; a URL that may carry a secret is never shown.
"""

from __future__ import annotations

import re

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


def _shown(url: str) -> str:
    """The URL without a password, for a message."""
    return repr(re.sub(r"(://[^:/@\s]+):[^@/\s]*@", r"\1:***@", url))
