"""A synthetic stored history for the store-only scenarios (query speed, ingest): no HTTP.

Rows are generated lazily and deterministically from a seed, in GitHub's shapes: kinds in the
proportions the emulator's worlds have, activity skewed towards a few busy people and repos
(each person working mostly in a few home repos and reviewing mostly their team's pull requests),
moments spread evenly over `days` before `end`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from tracker.domain import Contribution, Kind, OrgMember, RepoRecord

COUNTED_TOPIC = "llm"
OTHER_TOPIC = "web"
HOME_REPOS = 4
HOME_SHARE = 0.8
TEAM_SIZE = 25
TEAM_SHARE = 0.8
KIND_WEIGHTS: tuple[tuple[Kind, float], ...] = (
    (Kind.COMMENT, 0.50),
    (Kind.REVIEW, 0.20),
    (Kind.PR_OPENED, 0.13),
    (Kind.PR_MERGED, 0.08),
    (Kind.ISSUE_OPENED, 0.09),
)


@dataclass(frozen=True, slots=True)
class SyntheticOrg:
    people: int
    repos: int
    days: int
    end: datetime
    counted_repo_share: float = 0.85
    seed: int = 7

    def logins(self) -> list[str]:
        return [f"person{index:05d}" for index in range(self.people)]

    def members(self) -> list[OrgMember]:
        return [OrgMember(login, "User") for login in self.logins()]

    def repo_names(self) -> list[str]:
        return [f"owner{index % 40:02d}/project-{index:04d}" for index in range(self.repos)]

    def repo_records(self) -> list[RepoRecord]:
        counted = round(self.repos * self.counted_repo_share)
        return [
            RepoRecord(
                full_name=name,
                exists=True,
                private=False,
                fork=False,
                archived=False,
                stars=1_000 - index % 1_000,
                topics=(COUNTED_TOPIC,) if index < counted else (OTHER_TOPIC,),
                description=f"synthetic repo {index}",
                license_spdx="Apache-2.0",
                has_license=True,
                html_url=f"https://github.com/{name}",
                fetched_at=self.end,
            )
            for index, name in enumerate(self.repo_names())
        ]

    def contributions(
        self, count: int, *, first_id: int = 1, seed: int | None = None
    ) -> Iterator[Contribution]:
        """`count` contributions with github ids from `first_id`, in no particular time order.

        Like real activity, each person works mostly in a few home repos (HOME_SHARE of their
        activity) and reviews mostly their own team's pull requests (TEAM_SHARE of reviews).
        """
        rng = random.Random(self.seed if seed is None else seed)
        logins = self.logins()
        repos = self.repo_names()
        people = range(len(logins))
        login_weights = list(accumulate(1 / (rank + 20) for rank in people))
        repo_weights = list(accumulate(1 / (rank + 5) for rank in range(len(repos))))
        homes = [rng.choices(repos, cum_weights=repo_weights, k=HOME_REPOS) for _ in people]
        kinds = [kind for kind, _ in KIND_WEIGHTS]
        kind_weights = list(accumulate(weight for _, weight in KIND_WEIGHTS))
        span = self.days * 86_400
        for offset in range(count):
            github_id = first_id + offset
            kind = rng.choices(kinds, cum_weights=kind_weights)[0]
            person = rng.choices(people, cum_weights=login_weights)[0]
            login = logins[person]
            if rng.random() < HOME_SHARE:
                repo = rng.choice(homes[person])
            else:
                repo = rng.choices(repos, cum_weights=repo_weights)[0]
            number = rng.randrange(1, 20_000)
            author = _pull_author(rng, logins, person) if kind is Kind.REVIEW else None
            yield Contribution(
                kind=kind,
                github_id=github_id,
                login=login,
                repo=repo,
                number=number,
                title=f"Synthetic change {github_id} to the {repo.rsplit('/', 1)[1]} pipeline",
                url=f"https://github.com/{repo}/pull/{number}",
                occurred_at=self.end - timedelta(seconds=rng.randrange(span)),
                subject_author=author if author != login else None,
            )


def _pull_author(rng: random.Random, logins: list[str], person: int) -> str:
    if rng.random() < TEAM_SHARE:
        team = person - person % TEAM_SIZE
        return logins[min(team + rng.randrange(TEAM_SIZE), len(logins) - 1)]
    return rng.choice(logins)


def retitled(contribution: Contribution) -> Contribution:
    """The same contribution with a changed title (what a re-sync sees after an edit)."""
    return contribution._replace(title=contribution.title + " (edited)")
