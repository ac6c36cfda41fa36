"""Digest content built from a few counted contributions, for the text and Block Kit tests."""

from collections.abc import Sequence
from datetime import UTC, date, datetime

from tracker.digest.content import (
    DigestContent,
    DigestFacts,
    PeriodContributions,
    SyncStatus,
    build_digest,
)
from tracker.domain import CountedContribution, Kind, RepoRecord
from tracker.openness import LicenseChange
from tracker.periods import Period, trailing_periods

WEEK = Period("week", "Europe/Berlin", date(2025, 3, 3), date(2025, 3, 10))
NOW = datetime(2025, 3, 10, 8, tzinfo=UTC)
SYNCED = SyncStatus(datetime(2025, 3, 10, 6, tzinfo=UTC), "ok", datetime(2025, 3, 10, 5, tzinfo=UTC))


def record(full_name: str, license_spdx: str | None = "MIT", stars: int = 10) -> RepoRecord:
    return RepoRecord(
        full_name=full_name,
        exists=True,
        private=False,
        fork=False,
        archived=False,
        stars=stars,
        topics=(),
        description=None,
        license_spdx=license_spdx,
        has_license=license_spdx is not None,
        html_url=f"https://github.com/{full_name}",
        fetched_at=NOW,
    )


def counted(
    kind: Kind,
    person: str,
    repo: str,
    *,
    github_id: int,
    title: str = "Improve docs",
    public: bool = True,
    team: str | None = None,
    day: int = 4,
) -> CountedContribution:
    return CountedContribution(
        kind=kind,
        github_id=github_id,
        person=person,
        team=team,
        public=public,
        repo=repo,
        number=github_id,
        title=title,
        url=f"https://github.com/{repo}/pull/{github_id}",
        occurred_at=datetime(2025, 3, day, 12, tzinfo=UTC),
    )


def content_for(
    rows: Sequence[CountedContribution],
    *,
    previous: Sequence[CountedContribution] = (),
    repos: dict[str, RepoRecord] | None = None,
    org: str = "acme",
    highlights: int = 10,
    sync: SyncStatus = SYNCED,
    names: dict[str, str] | None = None,
    changes: Sequence[LicenseChange] = (),
    trend: Sequence[int] = (),
) -> DigestContent:
    periods = trailing_periods(WEEK, 2 + len(trend))
    older = [
        PeriodContributions(period, filler(total)) for period, total in zip(periods, trend, strict=False)
    ]
    history = [*older, PeriodContributions(periods[-2], previous), PeriodContributions(periods[-1], rows)]
    known = repos if repos is not None else {row.repo.lower(): record(row.repo) for row in rows}
    facts = DigestFacts(
        org=org,
        history=history,
        first_merges={},
        repos=known,
        license_changes=changes,
        sync=sync,
        has_teams=any(row.team for row in rows),
        names=names or {},
    )
    return build_digest(facts, highlights=highlights, now=NOW)


def filler(total: int) -> list[CountedContribution]:
    return [counted(Kind.COMMENT, "ada", "a/b", github_id=index) for index in range(total)]
