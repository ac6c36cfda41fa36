"""Text as the databases accept it.

PostgreSQL refuses NUL in text and cannot encode lone surrogates (which JSON's `\\ud800` escapes
produce); SQLite takes both. A PR title with either must not fail every sync on one backend, so
stored text loses NUL and has lone surrogates replaced, on both backends alike.
"""

from __future__ import annotations

import re

_REFUSED = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    return _REFUSED.sub(_replacement, text) if _REFUSED.search(text) else text


def storable_or_none(text: str | None) -> str | None:
    return None if text is None else storable(text)


def _replacement(match: re.Match[str]) -> str:
    return "" if match.group() == "\x00" else "\ufffd"
