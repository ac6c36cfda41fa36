"""Who a Slack user is in the roster: by the `slack` member ID, else by the profile's email. Pure.

The email comes from Slack (users.info) through `email_of`, asked only when the roster has
emails at all and the member ID matched no one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tracker.rules import RosterEntry

EmailOf = Callable[[str], str | None]


def roster_login_of(user_id: str, roster: Iterable[RosterEntry], email_of: EmailOf) -> str | None:
    """The roster login of the Slack user `user_id`, or None when nobody in the roster is them."""
    entries = list(roster)
    for entry in entries:
        if entry.slack is not None and entry.slack.upper() == user_id.upper():
            return entry.login
    by_email = {entry.email.lower(): entry.login for entry in entries if entry.email is not None}
    if not by_email:
        return None
    email = email_of(user_id)
    return by_email.get(email.strip().lower()) if email else None
