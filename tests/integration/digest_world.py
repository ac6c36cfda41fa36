"""A small, hand-counted organization for the digest tests, stored through the sync's store code.

The week of 3-9 March 2025 (UTC) holds 10 counted contributions:

    kind          ada  bob  carol*  erin   total
    pr_merged      1    1     1      1       4
    pr_opened      1    -     -      -       1
    review         1    -     -      1       2
    issue_opened   -    -     1      -       1
    comment        1    1     -      -       2
    total          4    2     2      2      10        (* carol is public = false)

    repo: huggingface/transformers 5, vllm-project/vllm 2, meta-llama/llama3 2, datasets-org/cc-data 1
    OSI: transformers and vllm (Apache-2.0) = 7 of 10 = 70%

The week before (24 February to 2 March) holds 2: bob's merge in vllm (#40) and ada's comment.
Not counted: ada reviewing her own PR, a bot's PR, a private repo, a fork, an outsider, and
a comment at 2025-03-10T00:00Z (the next week). First merges this week: ada → transformers,
carol → llama3 (not named), erin → cc-data (through her alias erin-work); bob's merge in vllm
is not his first there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.config import Settings, load_settings
from tracker.domain import Contribution, Kind, OrgMember, RepoRecord
from tracker.membership import Listing
from tracker.store.contributions import upsert_contributions
from tracker.store.repos import upsert_repo
from tracker.store.runs import start_sync_run
from tracker.sync.people import take_listing

WEEK_START = datetime(2025, 3, 3, tzinfo=UTC)
WEEK_END = datetime(2025, 3, 10, tzinfo=UTC)
SYNC_ENDED = datetime(2025, 3, 10, 6, 0, tzinfo=UTC)

ROSTER = """
[[member]]
login = "ada"
name = "Ada Lovelace"
team = "Research"

[[member]]
login = "bob"
team = "Research"

[[member]]
login = "carol"
name = "Carol Secret"
team = "Infra"
public = false

[[member]]
login = "erin"
team = "Infra"
aliases = ["erin-work"]
"""


def write_config(
    directory: Path,
    database_url: str,
    *,
    timezone: str = "UTC",
    highlights: int = 10,
    slack: str = "",
) -> Path:
    (directory / "roster.toml").write_text(ROSTER, encoding="utf-8")
    config = directory / "tracker.toml"
    config.write_text(
        f"""
[github]
org = "acme"

[members]
roster = "roster.toml"

[repos]
include = ["huggingface/*", "meta-llama/*", "vllm-project/*", "datasets-org/*", "acme/*", "someone/*"]

[database]
url = "{database_url}"

[digest]
timezone = "{timezone}"
highlights = {highlights}

[slack]
{slack}
""",
        encoding="utf-8",
    )
    return config


def settings_for(directory: Path, database_url: str, *, timezone: str = "UTC") -> Settings:
    return load_settings(write_config(directory, database_url, timezone=timezone))


def repo(
    full_name: str,
    *,
    license_spdx: str | None,
    stars: int = 100,
    private: bool = False,
    fork: bool = False,
    fetched_at: datetime = datetime(2025, 1, 1, tzinfo=UTC),
) -> RepoRecord:
    return RepoRecord(
        full_name=full_name,
        exists=True,
        private=private,
        fork=fork,
        archived=False,
        stars=stars,
        topics=(),
        description=None,
        license_spdx=license_spdx,
        has_license=license_spdx is not None,
        html_url=f"https://github.com/{full_name}",
        fetched_at=fetched_at,
    )


REPOS = [
    repo("huggingface/transformers", license_spdx="Apache-2.0", stars=130_000),
    repo("vllm-project/vllm", license_spdx="Apache-2.0", stars=40_000),
    repo("meta-llama/llama3", license_spdx="NOASSERTION", stars=27_000),
    repo("datasets-org/cc-data", license_spdx="MIT", stars=10),
    repo("acme/private-thing", license_spdx="MIT", private=True),
    repo("someone/fork", license_spdx="MIT", fork=True),
]

MEMBERS = [
    OrgMember("ada"),
    OrgMember("bob"),
    OrgMember("carol"),
    OrgMember("erin"),
    OrgMember("dependabot[bot]", "Bot"),
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def contribution(
    kind: Kind,
    github_id: int,
    login: str,
    repo_name: str,
    number: int,
    when: str,
    *,
    title: str = "",
    subject_author: str | None = None,
) -> Contribution:
    path = "pull" if kind in (Kind.PR_MERGED, Kind.PR_OPENED, Kind.REVIEW) else "issues"
    return Contribution(
        kind=kind,
        github_id=github_id,
        login=login,
        repo=repo_name,
        number=number,
        title=title or f"{repo_name} #{number}",
        url=f"https://github.com/{repo_name}/{path}/{number}",
        occurred_at=at(when),
        subject_author=subject_author,
    )


T, V, L, C = "huggingface/transformers", "vllm-project/vllm", "meta-llama/llama3", "datasets-org/cc-data"

CONTRIBUTIONS = [
    # the week of 3-9 March 2025: counted
    contribution(
        Kind.PR_OPENED, 1001, "ada", T, 101, "2025-03-03T00:00:00", title="Fix <!channel> tokenizer"
    ),
    contribution(
        Kind.PR_MERGED, 1001, "ada", T, 101, "2025-03-04T10:00:00", title="Fix <!channel> tokenizer"
    ),
    contribution(Kind.REVIEW, 5001, "ada", V, 55, "2025-03-05T09:00:00", subject_author="bob"),
    contribution(Kind.COMMENT, 7002, "ada", T, 101, "2025-03-06T12:00:00"),
    contribution(Kind.PR_MERGED, 1002, "bob", V, 55, "2025-03-05T15:00:00", title="Speed up paged attention"),
    contribution(Kind.COMMENT, 7001, "bob", T, 101, "2025-03-04T11:00:00"),
    contribution(Kind.PR_MERGED, 1003, "carol", L, 7, "2025-03-06T08:00:00", title="Carol's secret fix"),
    contribution(Kind.ISSUE_OPENED, 1004, "carol", L, 8, "2025-03-07T08:00:00", title="Carol's issue"),
    contribution(Kind.PR_MERGED, 1005, "erin-work", C, 3, "2025-03-09T22:59:59", title="Add dataset card"),
    contribution(Kind.REVIEW, 5002, "erin", T, 101, "2025-03-08T10:00:00", subject_author="ada"),
    # the same week: not counted
    contribution(Kind.REVIEW, 5003, "ada", T, 99, "2025-03-05T10:00:00", subject_author="ada"),
    contribution(Kind.PR_OPENED, 1006, "dependabot[bot]", T, 102, "2025-03-05T10:00:00"),
    contribution(Kind.PR_OPENED, 1007, "ada", "acme/private-thing", 1, "2025-03-05T10:00:00"),
    contribution(Kind.PR_OPENED, 1008, "bob", "someone/fork", 1, "2025-03-05T10:00:00"),
    contribution(Kind.COMMENT, 7003, "outsider", T, 101, "2025-03-05T10:00:00"),
    contribution(Kind.COMMENT, 7004, "ada", T, 101, "2025-03-10T00:00:00"),
    # the week before
    contribution(Kind.PR_MERGED, 1000, "bob", V, 40, "2025-02-26T10:00:00", title="Earlier vllm fix"),
    contribution(Kind.COMMENT, 7000, "ada", T, 100, "2025-03-02T23:59:59"),
    # seven weeks before
    contribution(Kind.COMMENT, 6999, "ada", V, 1, "2025-01-14T10:00:00"),
]


def fill(engine: Engine, *, sync_failed_after: bool = True) -> None:
    """Store the world as sync would: members, repos (with license changes), contributions, runs."""
    with Session(engine) as session:
        take_listing(session, Listing(tuple(MEMBERS), at("2025-01-01T00:00:00")))
        for record in REPOS:
            upsert_repo(session, record)
        session.flush()
        _change_licenses(session)
        upsert_contributions(session, CONTRIBUTIONS, now=at("2025-03-10T05:00:00"))
        _sync_runs(session, failed_after=sync_failed_after)
        session.commit()


def _change_licenses(session: Session) -> None:
    upsert_repo(session, repo(C, license_spdx="CC-BY-4.0", stars=10, fetched_at=at("2025-03-05T12:00:00")))
    upsert_repo(
        session,
        repo(
            "acme/private-thing", license_spdx="BUSL-1.1", private=True, fetched_at=at("2025-03-05T12:00:00")
        ),
    )
    upsert_repo(session, repo(V, license_spdx="MIT", stars=40_000, fetched_at=at("2025-02-20T12:00:00")))
    upsert_repo(
        session, repo(V, license_spdx="Apache-2.0", stars=40_000, fetched_at=at("2025-02-21T12:00:00"))
    )


def _sync_runs(session: Session, *, failed_after: bool) -> None:
    run = start_sync_run(session, now=at("2025-03-10T05:00:00"))
    run.status, run.finished_at = "ok", SYNC_ENDED
    session.add(run)
    session.commit()
    if failed_after:
        failed = start_sync_run(session, now=at("2025-03-10T07:00:00"))
        failed.status, failed.finished_at, failed.error = "failed", at("2025-03-10T07:01:00"), "boom"
        session.add(failed)
        session.commit()
