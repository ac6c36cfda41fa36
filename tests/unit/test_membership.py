"""Membership over time, one rule at a time, on plain values: intervals, listings, the safety rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from tracker.domain import OrgMember
from tracker.membership import (
    Interval,
    Listing,
    MemberAccount,
    Observation,
    first_member_moment,
    is_member_at,
    is_suspect,
    joins_and_departures,
    membership_changes,
    membership_span,
    observe_listing,
)

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)
T2 = T0 + timedelta(hours=2)
T3 = T0 + timedelta(hours=3)
T4 = T0 + timedelta(hours=4)


def member(login: str, user_id: int | None = None, user_type: str = "User") -> OrgMember:
    return OrgMember(login, user_type, user_id if user_id is not None else sum(map(ord, login)))


def listing(members: Sequence[OrgMember | str], at: datetime) -> Listing:
    return Listing(tuple(m if isinstance(m, OrgMember) else member(m) for m in members), at)


class History:
    """Listings applied one after the other, as successive syncs apply them."""

    def __init__(self) -> None:
        self.accounts: tuple[MemberAccount, ...] = ()
        self.last_at: datetime | None = None

    def observe(
        self, members: Sequence[OrgMember | str], at: datetime, *, accept: bool = False
    ) -> Observation:
        observation = observe_listing(
            self.accounts, listing(members, at), previous_at=self.last_at, accept=accept
        )
        if observation.applied:
            self.accounts, self.last_at = observation.accounts, at
        return observation

    def intervals(self, login: str) -> tuple[Interval, ...]:
        (account,) = [a for a in self.accounts if a.login.lower() == login.lower()]
        return account.intervals


# Intervals ----------------------------------------------------------------------------------


def test_an_interval_includes_its_start_and_excludes_its_end() -> None:
    interval = Interval(T1, T2)

    assert [interval.contains(moment) for moment in (T0, T1, T2 - timedelta(seconds=1), T2)] == [
        False,
        True,
        True,
        False,
    ]


def test_an_interval_without_start_or_end_reaches_the_beginning_of_history_or_now() -> None:
    assert Interval().contains(datetime(1990, 1, 1, tzinfo=UTC))
    assert Interval(None, T1).contains(datetime(1990, 1, 1, tzinfo=UTC))
    assert Interval(T1).contains(datetime(2100, 1, 1, tzinfo=UTC))


def test_membership_is_being_inside_any_interval() -> None:
    intervals = (Interval(None, T1), Interval(T3))

    assert [is_member_at(intervals, moment) for moment in (T0, T1, T2, T3, T4)] == [
        True,
        False,
        False,
        True,
        True,
    ]


def test_the_first_moment_of_membership_skips_the_gaps() -> None:
    intervals = (Interval(None, T1), Interval(T3, T4))

    assert first_member_moment(intervals, T0) == T0
    assert first_member_moment(intervals, T2) == T3
    assert first_member_moment(intervals, T4) is None


def test_the_span_to_fetch_is_clipped_to_the_history_and_to_now() -> None:
    assert membership_span((Interval(),), start=T0, end=T4) == (T0, T4)
    assert membership_span((Interval(T2),), start=T0, end=T4) == (T2, T4)
    assert membership_span((Interval(None, T1), Interval(T2, T3)), start=T0, end=T4) == (T0, T3)
    assert membership_span((Interval(None, T0),), start=T1, end=T4) is None
    assert membership_span((), start=T0, end=T4) is None


# Listings -----------------------------------------------------------------------------------


def test_the_first_listing_makes_every_member_one_from_the_beginning_of_history() -> None:
    history = History()

    observation = history.observe(["fay", "gus"], T0)

    assert observation.applied and observation.joined == ("fay", "gus")
    assert history.intervals("fay") == history.intervals("gus") == (Interval(),)


def test_a_newly_listed_member_counts_from_the_previous_listings_start() -> None:
    history = History()
    history.observe(["fay"], T0)

    observation = history.observe(["fay", "gus"], T1)

    assert observation.joined == ("gus",)
    assert history.intervals("gus") == (Interval(T0),)
    assert history.intervals("fay") == (Interval(),)


def test_a_member_no_longer_listed_counts_until_this_listings_start() -> None:
    history = History()
    history.observe(["fay", "gus"], T0)

    observation = history.observe(["fay"], T1)

    assert observation.left == ("gus",)
    assert history.intervals("gus") == (Interval(None, T1),)
    assert not is_member_at(history.intervals("gus"), T1)
    assert is_member_at(history.intervals("gus"), T1 - timedelta(seconds=1))


def test_leaving_and_coming_back_opens_a_new_interval() -> None:
    history = History()
    history.observe(["fay", "gus"], T0)
    history.observe(["fay"], T1)
    history.observe(["fay"], T2)

    observation = history.observe(["fay", "gus"], T3)

    assert observation.joined == ("gus",)
    assert history.intervals("gus") == (Interval(None, T1), Interval(T2))


def test_absent_from_a_single_listing_is_no_gap_at_all() -> None:
    history = History()
    history.observe(["fay", "gus"], T0)
    history.observe(["fay"], T1)

    history.observe(["fay", "gus"], T2)

    # gus was last seen absent at T1, where his interval ended: it simply goes on
    assert history.intervals("gus") == (Interval(),)


def test_an_unchanged_listing_changes_nothing() -> None:
    history = History()
    history.observe(["fay", "gus"], T0)

    observation = history.observe(["fay", "gus"], T1)

    assert observation.applied
    assert (observation.changed, observation.joined, observation.left) == ((), (), ())


def test_only_the_accounts_that_changed_are_to_be_stored() -> None:
    history = History()
    history.observe(["fay", "gus", "hal"], T0)

    observation = history.observe(["fay", "hal", "ivy"], T1)

    assert sorted(account.login for account in observation.changed) == ["gus", "ivy"]


def test_a_renamed_account_keeps_its_intervals_under_its_new_login() -> None:
    history = History()
    history.observe([member("fay", 7), "gus"], T0)
    history.observe([member("gus")], T1)  # fay left, and came back: two intervals to keep
    history.observe([member("gus")], T2)
    history.observe([member("fay", 7), member("gus")], T3)

    observation = history.observe([member("fay-renamed", 7), member("gus")], T4)

    assert observation.renamed == (("fay", "fay-renamed"),)
    assert (observation.joined, observation.left) == ((), ())
    (account,) = [a for a in history.accounts if a.user_id == 7]
    assert account.login == "fay-renamed"
    assert account.former_logins == ("fay",)
    assert account.intervals == (Interval(None, T1), Interval(T2))


def test_a_rename_that_only_changes_case_is_not_a_former_login() -> None:
    history = History()
    history.observe([member("fay", 7)], T0)

    history.observe([member("Fay", 7)], T1)

    (account,) = history.accounts
    assert (account.login, account.former_logins, account.intervals) == ("Fay", (), (Interval(),))


def test_logins_compare_case_insensitively_for_accounts_without_an_id() -> None:
    carried_over = MemberAccount("FAY", None, "User", (Interval(),), key=1)

    observation = observe_listing((carried_over,), listing([member("fay", 7)], T1), previous_at=T0)

    (account,) = observation.accounts
    assert (account.login, account.user_id, account.intervals, account.key) == ("fay", 7, (Interval(),), 1)
    assert observation.joined == ()


def test_a_freed_login_taken_by_another_account_is_a_new_member() -> None:
    history = History()
    history.observe([member("fay", 7), "gus"], T0)
    history.observe(["gus"], T1)

    observation = history.observe([member("fay", 8), "gus"], T2)

    assert observation.joined == ("fay",)
    assert sorted((a.user_id, a.intervals) for a in history.accounts if a.login == "fay") == [
        (7, (Interval(None, T1),)),
        (8, (Interval(T1),)),
    ]


# The safety rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "dropped", "listed", "suspect"),
    [
        (10, 6, 4, True),  # more than half, and more than 3
        (10, 5, 5, False),  # half is not more than half
        (8, 5, 3, True),
        (4, 3, 1, False),  # more than half, but only 3
        (6, 4, 2, True),
        (100, 40, 60, False),
        (3, 3, 0, True),  # everyone gone: an empty listing after a non-empty one
        (1, 1, 0, True),
        (2, 2, 5, False),  # a whole new organization is not an empty one
        (0, 0, 0, False),  # nothing to lose
    ],
)
def test_the_safety_rule(previous: int, dropped: int, listed: int, suspect: bool) -> None:
    assert is_suspect(previous=previous, dropped=dropped, listed=listed) is suspect


def test_a_listing_that_drops_most_members_is_not_applied() -> None:
    history = History()
    history.observe(["a", "b", "c", "d", "e", "f"], T0)
    before = history.accounts

    observation = history.observe(["a", "b", "new"], T1)

    assert (observation.applied, observation.suspect) == (False, True)
    assert (observation.previous, observation.dropped) == (6, 4)
    assert observation.accounts == before and observation.changed == ()
    assert history.last_at == T0


def test_a_suspect_listing_is_applied_when_accepted() -> None:
    history = History()
    history.observe(["a", "b", "c", "d", "e", "f"], T0)

    observation = history.observe(["a", "b"], T1, accept=True)

    assert (observation.applied, observation.suspect) == (True, True)
    assert observation.left == ("c", "d", "e", "f")
    assert history.intervals("c") == (Interval(None, T1),)


def test_an_empty_listing_after_a_non_empty_one_is_not_applied() -> None:
    history = History()
    history.observe(["fay"], T0)

    observation = history.observe([], T1)

    assert not observation.applied
    assert history.intervals("fay") == (Interval(),)


def test_an_empty_first_listing_is_applied_and_changes_nothing() -> None:
    observation = History().observe([], T0)

    assert observation.applied and observation.accounts == ()


def test_bots_count_as_logins_like_any_other_in_the_safety_rule() -> None:
    history = History()
    bots = [member(f"ci-{index}[bot]", user_type="Bot") for index in range(5)]
    history.observe(["fay", *bots], T0)

    assert not history.observe(["fay"], T1).applied


def test_a_renamed_member_is_not_dropped() -> None:
    history = History()
    history.observe([member(login, index) for index, login in enumerate("abcdef")], T0)

    observation = history.observe(
        [member(login.upper() + "2", index) for index, login in enumerate("abcdef")], T1
    )

    assert observation.applied and observation.dropped == 0
    assert len(observation.renamed) == 6


# Seeing it ------------------------------------------------------------------------------------


def test_the_changes_observed_are_every_join_and_departure_oldest_first() -> None:
    history = History()
    history.observe(["fay", "gus"], T0)
    history.observe(["fay", "gus", member("ci[bot]", user_type="Bot")], T1)
    history.observe(["fay", member("ci[bot]", user_type="Bot")], T2)

    changes = membership_changes(history.accounts)

    assert [(c.at, c.change, c.login, c.user_type) for c in changes] == [
        (T0, "joined", "ci[bot]", "Bot"),
        (T2, "left", "gus", "User"),
    ]
    assert [c.login for c in membership_changes(history.accounts, since=T1)] == ["gus"]


def test_joins_and_departures_in_a_period_count_people_not_intervals() -> None:
    memberships = [
        (Interval(None, T1), Interval(T2)),  # left and came back: one of each
        (Interval(T2, T3),),  # joined and left
        (Interval(T3),),  # joined at the end of the period: not in it
        (Interval(),),
    ]

    assert joins_and_departures(memberships, T0, T3) == (2, 1)
    assert joins_and_departures(memberships, T3, T4) == (1, 1)
