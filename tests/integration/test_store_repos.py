"""The repo aggregate: one row per repo, found by GitHub's id and by every name it has had."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.domain import Contribution, Kind, RepoRecord
from tracker.store.contributions import (
    ContributionFilter,
    first_merge_per_person_repo,
    group_contributions,
    list_contributions,
    upsert_contributions,
)
from tracker.store.repos import (
    claim_missing_warning,
    get_repo,
    list_repo_keys,
    list_repos,
    upsert_repo,
)

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def repo(
    full_name: str, github_id: int | None, *, exists: bool = True, license_spdx: str = "MIT"
) -> RepoRecord:
    return RepoRecord(
        full_name, exists, False, False, False, 10, ("llm",), None, license_spdx, True, None, NOW, github_id
    )


def merged(github_id: int, login: str, repo_name: str, day: int) -> Contribution:
    at = datetime(2026, 10, day, tzinfo=UTC)
    return Contribution(Kind.PR_MERGED, github_id, login, repo_name, github_id, "T", "https://x", at)


def test_a_rename_seen_later_keeps_one_repo_and_its_contributions_under_the_new_name(engine: Engine) -> None:
    with Session(engine) as session:
        upsert_repo(session, repo("jacquev6/PyGithub", 42))
        upsert_contributions(session, [merged(1, "fay", "jacquev6/PyGithub", 1)], now=NOW)
        before = upsert_repo(session, repo("PyGithub/PyGithub", 42, license_spdx="LGPL-3.0-only"))
        result = upsert_contributions(
            session,
            [merged(1, "fay", "PyGithub/PyGithub", 1), merged(2, "fay", "jacquev6/PyGithub", 2)],
            now=NOW,
        )
        session.commit()
        repos = list_repos(session)
        rows = list(list_contributions(session, where=ContributionFilter()))
        by_old_name = list(
            list_contributions(session, where=ContributionFilter(repos=frozenset({"jacquev6/pygithub"})))
        )
        firsts = first_merge_per_person_repo(session, logins=["fay"], repos=["PyGithub/PyGithub"])
        keys = list_repo_keys(session)

    assert before is not None and before.full_name == "jacquev6/PyGithub"
    assert (result.new, result.updated) == (1, 0)  # the same PR under the new name is no change
    assert [(r.full_name, r.github_id, r.former_names, r.license_spdx) for r in repos] == [
        ("PyGithub/PyGithub", 42, ("jacquev6/PyGithub",), "LGPL-3.0-only")
    ]
    assert [(c.github_id, c.repo) for c in rows] == [(2, "PyGithub/PyGithub"), (1, "PyGithub/PyGithub")]
    assert [c.github_id for c in by_old_name] == [2, 1]
    assert [(m.github_id, m.repo) for m in firsts] == [(1, "PyGithub/PyGithub")]
    assert set(keys) == {"jacquev6/pygithub", "pygithub/pygithub"}


def test_grouped_counts_name_a_renamed_repo_once(engine: Engine) -> None:
    with Session(engine) as session:
        upsert_repo(session, repo("old/name", 7))
        upsert_contributions(session, [merged(1, "fay", "old/name", 1)], now=NOW)
        upsert_repo(session, repo("new/name", 7))
        upsert_contributions(
            session, [merged(2, "fay", "new/name", 2), merged(3, "fay", "old/name", 3)], now=NOW
        )
        session.commit()
        edges = [datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)]
        groups = list(group_contributions(session, where=ContributionFilter(), edges=edges))

    assert [(g.repo, g.total) for g in groups] == [("new/name", 3)]


def test_a_repo_stored_twice_before_ids_were_kept_becomes_one_when_github_says_so(engine: Engine) -> None:
    with Session(engine) as session:
        upsert_repo(session, repo("old/name", None))
        upsert_repo(session, repo("new/name", None))
        upsert_contributions(
            session, [merged(1, "fay", "old/name", 1), merged(2, "fay", "new/name", 2)], now=NOW
        )
        # asked under its old name, GitHub answers (through the 301) with the repo under its new one
        upsert_repo(session, repo("new/name", 7), key="old/name")
        session.commit()
        repos = list_repos(session)
        rows = list(list_contributions(session, where=ContributionFilter(repos=frozenset({"new/name"}))))
        firsts = first_merge_per_person_repo(session, logins=["fay"], repos=["old/name"])

    assert [(r.full_name, r.github_id, r.former_names) for r in repos] == [("new/name", 7, ("old/name",))]
    assert [(c.github_id, c.repo) for c in rows] == [(2, "new/name"), (1, "new/name")]
    assert [m.github_id for m in firsts] == [1]


def test_a_name_taken_again_by_another_repo_leads_to_that_one(engine: Engine) -> None:
    with Session(engine) as session:
        upsert_repo(session, repo("acme/model", 1))
        upsert_contributions(session, [merged(1, "fay", "acme/model", 1)], now=NOW)
        upsert_repo(session, repo("acme/model-v1", 1))
        upsert_repo(session, repo("acme/model", 2))  # a new repo under the freed name
        upsert_contributions(session, [merged(2, "fay", "acme/model", 2)], now=NOW)
        session.commit()
        repos = list_repos(session)
        rows = list(list_contributions(session, where=ContributionFilter()))

    assert [(r.full_name, r.github_id, r.former_names) for r in repos] == [
        ("acme/model", 2, ()),
        ("acme/model-v1", 1, ()),
    ]
    assert [(c.github_id, c.repo) for c in rows] == [(2, "acme/model"), (1, "acme/model-v1")]


def test_the_missing_warning_is_claimed_once_until_the_repo_is_seen_again(engine: Engine) -> None:
    later = NOW + timedelta(days=2)
    with Session(engine) as session:
        upsert_repo(session, repo("ghost/missing", None, exists=False))
        claims = [
            claim_missing_warning(session, "ghost/missing"),
            claim_missing_warning(session, "Ghost/Missing"),
        ]
        upsert_repo(session, dataclasses.replace(repo("ghost/missing", 9), fetched_at=later))
        upsert_repo(session, dataclasses.replace(repo("ghost/missing", None, exists=False), fetched_at=later))
        claims.append(claim_missing_warning(session, "ghost/missing"))
        session.commit()
        stored = get_repo(session, "ghost/missing")

    assert claims == [True, False, True]
    assert stored is not None and (stored.exists, stored.github_id) == (False, 9)
