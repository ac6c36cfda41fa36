"""Who asks: a roster entry by Slack member ID first, else by the Slack profile's email."""

from __future__ import annotations

from tracker.bot.people import roster_login_of
from tracker.rules import RosterEntry

ROSTER = (
    RosterEntry("ada", slack="U0ADA0001", email="ada@acme.example"),
    RosterEntry("bob", email="Bob@Acme.example"),
    RosterEntry("gus"),
)


def never_asked(user_id: str) -> str | None:
    raise AssertionError(f"Slack was asked for the email of {user_id}")


def test_the_member_id_matches_first_without_asking_slack() -> None:
    assert roster_login_of("U0ADA0001", ROSTER, never_asked) == "ada"


def test_else_the_slack_email_matches_ignoring_case_and_spaces() -> None:
    assert roster_login_of("U0BOB0001", ROSTER, lambda user: " bob@ACME.example ") == "bob"


def test_nobody_matches_a_stranger_or_a_profile_without_email() -> None:
    assert roster_login_of("U0NOBODY1", ROSTER, lambda user: "who@acme.example") is None
    assert roster_login_of("U0NOBODY1", ROSTER, lambda user: None) is None


def test_a_roster_without_emails_never_asks_slack() -> None:
    assert roster_login_of("U0NOBODY1", (RosterEntry("gus"),), never_asked) is None
