"""Grouping and shaping of counted contributions for query and stats output."""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tracker.domain import CountedContribution, CountedGroup, Kind
from tracker.reports import (
    GROUP_BY_CHOICES,
    NO_TEAM,
    Bucket,
    GroupBy,
    StatsRow,
    bucket_label,
    contribution_record,
    group_totals,
    period_buckets,
    period_edges,
    stats_record,
    stats_totals,
)

_ids = itertools.count(1)
ZERO = dict.fromkeys(Kind, 0)
PLUS3 = timezone(timedelta(hours=3))
MINUS8 = timezone(timedelta(hours=-8))


def counted(
    kind: Kind = Kind.PR_OPENED,
    *,
    person: str = "fay",
    team: str | None = "Inference",
    repo: str = "huggingface/transformers",
    at: datetime = datetime(2026, 10, 7, 12, tzinfo=UTC),
    number: int = 1,
) -> CountedContribution:
    return CountedContribution(
        kind=kind,
        github_id=next(_ids),
        person=person,
        team=team,
        public=True,
        repo=repo,
        number=number,
        title=f"Change {number}",
        url=f"https://github.com/{repo}/pull/{number}",
        occurred_at=at,
    )


def counts(**by_kind: int) -> dict[Kind, int]:
    return {**ZERO, **{Kind(name): value for name, value in by_kind.items()}}


def grouped(
    rows: Sequence[CountedContribution], by: GroupBy, *, license_classes: Mapping[str, str] | None = None
) -> list[StatsRow]:
    """`group_totals` of these contributions, each counted as a group of one.

    By week or month, the buckets are cut as `tracker stats` cuts them (`period_edges`, in UTC).
    """
    if by not in ("week", "month") or not rows:
        groups = [_group_of(row, 0) for row in rows]
        return group_totals(groups, by, license_classes=license_classes)
    moments = [row.occurred_at for row in rows]
    edges = period_edges(min(moments), max(moments) + timedelta(seconds=1), by)
    buckets = period_buckets(edges, by)
    groups = [_group_of(row, bisect_right(edges, row.occurred_at) - 1) for row in rows]
    return group_totals(groups, by, buckets=buckets)


def _group_of(row: CountedContribution, bucket: int) -> CountedGroup:
    return CountedGroup(bucket, row.person, row.team, row.public, row.repo, row.kind, 1)


# --- group_totals --------------------------------------------------------------------------


def test_group_by_repo_counts_each_kind_and_orders_largest_first() -> None:
    rows = grouped(
        [
            counted(Kind.PR_OPENED, repo="pytorch/pytorch"),
            counted(Kind.PR_OPENED, repo="huggingface/transformers"),
            counted(Kind.PR_MERGED, repo="huggingface/transformers"),
            counted(Kind.REVIEW, repo="huggingface/transformers"),
            counted(Kind.COMMENT, repo="vllm-project/vllm"),
            counted(Kind.COMMENT, repo="vllm-project/vllm"),
        ],
        "repo",
    )

    assert rows == [
        StatsRow("huggingface/transformers", counts(pr_opened=1, pr_merged=1, review=1)),
        StatsRow("vllm-project/vllm", counts(comment=2)),
        StatsRow("pytorch/pytorch", counts(pr_opened=1)),
    ]
    assert [row.total for row in rows] == [3, 2, 1]


def test_ties_are_ordered_by_name_ignoring_case() -> None:
    rows = grouped(
        [counted(person="zoe"), counted(person="Bob"), counted(person="amy"), counted(person="Cid")], "login"
    )

    assert [row.group for row in rows] == ["amy", "Bob", "Cid", "zoe"]


def test_groups_differing_only_in_case_are_one_group_named_as_first_seen() -> None:
    rows = grouped(
        [
            counted(Kind.PR_OPENED, repo="HuggingFace/Transformers"),
            counted(Kind.REVIEW, repo="huggingface/transformers"),
        ],
        "repo",
    )

    assert rows == [StatsRow("HuggingFace/Transformers", counts(pr_opened=1, review=1))]


def test_group_by_team_puts_people_without_a_team_under_no_team() -> None:
    rows = grouped(
        [
            counted(team="Inference"),
            counted(team=None, person="jon"),
            counted(team=None, person="kim"),
            counted(team="Training", person="ivy"),
            counted(Kind.REVIEW, team="Inference"),
        ],
        "team",
    )

    assert NO_TEAM == "(no team)"
    assert rows == [
        StatsRow("(no team)", counts(pr_opened=2)),
        StatsRow("Inference", counts(pr_opened=1, review=1)),
        StatsRow("Training", counts(pr_opened=1)),
    ]


def test_group_by_kind_uses_the_kind_values() -> None:
    rows = grouped([counted(Kind.COMMENT), counted(Kind.COMMENT), counted(Kind.ISSUE_OPENED)], "kind")

    assert rows == [StatsRow("comment", counts(comment=2)), StatsRow("issue_opened", counts(issue_opened=1))]


def test_group_by_week_is_in_time_order_keyed_by_monday() -> None:
    rows = grouped(
        [
            counted(at=datetime(2026, 11, 25, tzinfo=UTC)),
            counted(Kind.REVIEW, at=datetime(2026, 11, 3, tzinfo=UTC)),
            counted(at=datetime(2026, 11, 23, tzinfo=UTC)),
            counted(at=datetime(2026, 11, 30, 1, 0, tzinfo=PLUS3)),  # still Sunday in UTC
            counted(at=datetime(2026, 12, 30, tzinfo=UTC)),
        ],
        "week",
    )

    assert rows == [
        # The range runs from the first contribution to the last: it starts and ends mid-week.
        StatsRow("2026-11-02", counts(review=1), partial=True),
        StatsRow("2026-11-23", counts(pr_opened=3)),
        StatsRow("2026-12-28", counts(pr_opened=1), partial=True),
    ]


def test_group_by_month_is_in_time_order() -> None:
    rows = grouped(
        [
            counted(at=datetime(2026, 12, 1, 1, 0, tzinfo=PLUS3)),  # November in UTC
            counted(Kind.COMMENT, at=datetime(2027, 1, 2, tzinfo=UTC)),
            counted(Kind.COMMENT, at=datetime(2027, 1, 3, tzinfo=UTC)),
            counted(Kind.COMMENT, at=datetime(2027, 1, 4, tzinfo=UTC)),
            counted(at=datetime(2026, 10, 31, tzinfo=UTC)),
        ],
        "month",
    )

    assert rows == [
        StatsRow("2026-10", counts(pr_opened=1), partial=True),
        StatsRow("2026-11", counts(pr_opened=1)),
        StatsRow("2027-01", counts(comment=3), partial=True),
    ]


@pytest.mark.parametrize("by", GROUP_BY_CHOICES)
def test_no_contributions_give_no_rows(by: GroupBy) -> None:
    assert grouped([], by) == []


def test_group_by_choices() -> None:
    assert GROUP_BY_CHOICES == ("repo", "login", "team", "kind", "week", "month", "license_class")


def test_license_class_groups_use_the_mapping_and_unknown_for_the_rest() -> None:
    rows = [
        counted(repo="Huggingface/Transformers"),
        counted(repo="meta-llama/llama3"),
        counted(repo="someone/else"),
    ]
    classes = {"huggingface/transformers": "osi", "meta-llama/llama3": "unknown"}

    totals = {row.group: row.total for row in grouped(rows, "license_class", license_classes=classes)}

    assert totals == {"osi": 1, "unknown": 2}


# --- records -------------------------------------------------------------------------------


def test_contribution_record_has_the_documented_fields_and_a_z_timestamp() -> None:
    contribution = counted(
        Kind.PR_MERGED,
        person="fay",
        team=None,
        repo="pytorch/pytorch",
        number=4242,
        at=datetime(2026, 10, 12, 14, 30, 5, 123456, tzinfo=PLUS3),
    )

    assert contribution_record(contribution) == {
        "kind": "pr_merged",
        "login": "fay",
        "team": None,
        "repo": "pytorch/pytorch",
        "number": 4242,
        "title": "Change 4242",
        "url": "https://github.com/pytorch/pytorch/pull/4242",
        "occurred_at": "2026-10-12T11:30:05Z",
    }


def test_stats_record_has_the_group_every_kind_and_the_total() -> None:
    row = StatsRow("Inference", counts(pr_opened=3, pr_merged=2, review=4, comment=1))

    record = stats_record(row, "team")

    assert record == {
        "team": "Inference",
        "pr_opened": 3,
        "pr_merged": 2,
        "issue_opened": 0,
        "review": 4,
        "comment": 1,
        "total": 10,
    }
    assert list(record) == ["team", "pr_opened", "pr_merged", "issue_opened", "review", "comment", "total"]


def test_stats_records_from_grouped_rows_total_every_contribution() -> None:
    contributions = [counted(Kind.PR_OPENED), counted(Kind.REVIEW), counted(Kind.REVIEW, person="gus")]

    rows = grouped(contributions, "login")
    records = [stats_record(row, "login") for row in rows]

    assert records == [
        {
            "login": "fay",
            "pr_opened": 1,
            "pr_merged": 0,
            "issue_opened": 0,
            "review": 1,
            "comment": 0,
            "total": 2,
        },
        {
            "login": "gus",
            "pr_opened": 0,
            "pr_merged": 0,
            "issue_opened": 0,
            "review": 1,
            "comment": 0,
            "total": 1,
        },
    ]
    assert sum(row.total for row in rows) == len(contributions)


def test_period_edges_cut_at_local_mondays_across_a_dst_change() -> None:

    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 18, 12, tzinfo=UTC)
    end = datetime(2026, 4, 8, tzinfo=UTC)

    edges = period_edges(start, end, "week", berlin)

    assert edges[0] == start and edges[-1] == end
    assert edges[1:-1] == [
        datetime(2026, 3, 22, 23, tzinfo=UTC),
        datetime(2026, 3, 29, 22, tzinfo=UTC),
        datetime(2026, 4, 5, 22, tzinfo=UTC),
    ]


def test_period_edges_cut_at_month_starts() -> None:
    edges = period_edges(datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC), "month")

    assert edges[1:-1] == [datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)]
    assert [bucket_label(edge, "month") for edge in edges[:-1]] == ["2026-01", "2026-02", "2026-03"]


def test_group_totals_add_up_the_counts_of_groups_alike() -> None:
    rows = [
        counted(Kind.REVIEW, person="fay"),
        counted(Kind.REVIEW, person="fay"),
        counted(person="gus", team=None),
    ]
    groups = [
        CountedGroup(0, "fay", "Inference", True, "huggingface/transformers", Kind.REVIEW, 2),
        CountedGroup(0, "gus", None, True, "huggingface/transformers", Kind.PR_OPENED, 1),
    ]

    for by in ("repo", "login", "team", "kind"):
        assert group_totals(groups, by) == grouped(rows, by)  # type: ignore[arg-type]


def test_a_range_cut_mid_week_makes_its_first_and_last_weeks_partial() -> None:
    edges = period_edges(datetime(2026, 11, 5, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC), "week")

    assert period_buckets(edges, "week") == [
        Bucket("2026-11-02", partial=True),
        Bucket("2026-11-09", partial=False),
        Bucket("2026-11-16", partial=False),
        Bucket("2026-11-23", partial=True),
    ]


def test_whole_local_weeks_across_a_dst_change_are_not_partial() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 23, tzinfo=berlin).astimezone(UTC)  # Monday, CET
    end = datetime(2026, 4, 6, tzinfo=berlin).astimezone(UTC)  # Monday, CEST

    buckets = period_buckets(period_edges(start, end, "week", berlin), "week", berlin)

    assert buckets == [Bucket("2026-03-23", partial=False), Bucket("2026-03-30", partial=False)]


def test_a_range_of_whole_months_has_no_partial_month() -> None:
    edges = period_edges(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC), "month")

    assert [bucket.partial for bucket in period_buckets(edges, "month")] == [False, False]


def test_a_partial_week_is_said_so_in_its_record() -> None:
    row = StatsRow("2026-11-02", counts(review=1), partial=True)

    assert stats_record(row, "week")["partial"] is True
    assert "partial" not in stats_record(StatsRow("fay", counts(review=1)), "login")


def test_the_totals_row_adds_up_every_kind_of_every_row() -> None:
    rows = [
        StatsRow("huggingface/transformers", counts(pr_opened=1, pr_merged=1, review=1)),
        StatsRow("vllm-project/vllm", counts(comment=2, pr_opened=4)),
    ]

    totals = stats_totals(rows)

    assert totals == StatsRow("total", counts(pr_opened=5, pr_merged=1, review=1, comment=2))
    assert totals.total == sum(row.total for row in rows) == 9
