"""Deterministic world generation from a seed and size flags, and `advance` for new activity.

`contributions` counts activity records: issues and pull requests opened,
conversation comments and reviews (merges and closes come with their pull
requests and issues). A share of it (`member_share`, 60% by default) is by org
members, the rest by outsiders whose work must not be counted.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Generic, TypeVar

from .model import (
    DEFAULT_NOW,
    Account,
    AccountType,
    Comment,
    License,
    Repository,
    Review,
    ReviewState,
    Thread,
    World,
    parse_time,
    refresh_updated_at,
)

DAY = 86_400

THREAD_SHARE = 0.22
COMMENT_SHARE = 0.53
PULL_SHARE_OF_THREADS = 0.62
DEFAULT_MEMBER_SHARE = 0.6
MERGES_PER_ADVANCED_ITEM = 0.04

AI_CORE_TOPICS = ("llm", "machine-learning", "deep-learning")
AI_EXTRA_TOPICS = (
    "pytorch",
    "transformers",
    "nlp",
    "computer-vision",
    "generative-ai",
    "ai",
    "reinforcement-learning",
    "diffusion-models",
    "inference",
    "mlops",
    "jax",
)
NON_AI_TOPICS = ("web", "database", "cli", "devops", "javascript", "kubernetes", "static-site")

LICENSES = (
    License(
        "apache-2.0",
        "Apache License 2.0",
        "Apache-2.0",
        "https://api.github.com/licenses/apache-2.0",
        "MDc6TGljZW5zZTI=",
    ),
    License("mit", "MIT License", "MIT", "https://api.github.com/licenses/mit", "MDc6TGljZW5zZTEz"),
    License(
        "bsd-3-clause",
        'BSD 3-Clause "New" or "Revised" License',
        "BSD-3-Clause",
        "https://api.github.com/licenses/bsd-3-clause",
        "MDc6TGljZW5zZTU=",
    ),
    License("other", "Other", "NOASSERTION", None, "MDc6TGljZW5zZTA="),
    License(
        "gpl-3.0",
        "GNU General Public License v3.0",
        "GPL-3.0",
        "https://api.github.com/licenses/gpl-3.0",
        "MDc6TGljZW5zZTk=",
    ),
    License(
        "cc-by-4.0",
        "Creative Commons Attribution 4.0 International",
        "CC-BY-4.0",
        "https://api.github.com/licenses/cc-by-4.0",
        "MDc6TGljZW5zZTI1",
    ),
)

OTHER_LICENSE = LICENSES[3]
OTHER_OWNERS = ("open-llm", "deepforge-ai", "tensorlab", "vision-works", "datasmith", "neural-commons")
REPO_WORDS_A = (
    "fast",
    "tiny",
    "open",
    "deep",
    "sparse",
    "quant",
    "mega",
    "micro",
    "flash",
    "auto",
    "neural",
    "hyper",
    "lite",
    "smart",
    "meta",
    "multi",
    "data",
    "vector",
    "graph",
    "prompt",
)
REPO_WORDS_B = (
    "transformers",
    "tokenizers",
    "diffusion",
    "vision",
    "serve",
    "train",
    "eval",
    "bench",
    "agents",
    "rag",
    "kernels",
    "datasets",
    "hub",
    "lab",
    "infer",
    "align",
    "embed",
    "speech",
    "router",
    "cache",
)
NON_AI_NAMES = (
    "website",
    "infra-tools",
    "docs-theme",
    "db-migrator",
    "ops-scripts",
    "status-page",
    "cli-kit",
)
FIRST_NAMES = (
    "ada",
    "alan",
    "grace",
    "linus",
    "guido",
    "barbara",
    "ken",
    "dennis",
    "margaret",
    "tim",
    "radia",
    "frances",
    "edsger",
    "donald",
    "john",
    "leslie",
    "niklaus",
    "shafi",
    "yoshua",
    "fei",
    "andrew",
    "geoffrey",
    "yann",
    "daphne",
    "judea",
    "cynthia",
    "sophie",
    "hedy",
    "katherine",
    "annie",
    "jean",
    "mary",
    "carl",
    "emmy",
    "sofia",
    "ravi",
    "mei",
    "kenji",
    "ines",
    "omar",
    "lena",
    "pavel",
    "amara",
    "tariq",
    "noor",
    "diego",
)
LAST_NAMES = (
    "lovelace",
    "turing",
    "hopper",
    "torvalds",
    "rossum",
    "liskov",
    "thompson",
    "ritchie",
    "hamilton",
    "lee",
    "perlman",
    "allen",
    "dijkstra",
    "knuth",
    "mccarthy",
    "lamport",
    "wirth",
    "goldwasser",
    "bengio",
    "li",
    "ng",
    "hinton",
    "lecun",
    "koller",
    "pearl",
    "dwork",
    "wilson",
    "lamarr",
    "johnson",
    "easley",
    "sammet",
    "kenneth",
    "sagan",
    "noether",
    "kovalevskaya",
    "rao",
    "chen",
    "sato",
    "garcia",
    "haddad",
    "berg",
    "novak",
    "okafor",
)
TITLE_VERBS = (
    "Fix",
    "Add",
    "Support",
    "Refactor",
    "Document",
    "Speed up",
    "Remove",
    "Handle",
    "Update",
    "Test",
)
TITLE_OBJECTS = (
    "tokenizer padding",
    "KV cache",
    "LoRA adapters",
    "mixed precision",
    "beam search",
    "dataset loader",
    "CUDA kernels",
    "attention mask",
    "checkpoint loading",
    "quantization",
    "eval harness",
    "streaming output",
    "gradient accumulation",
    "model card",
    "ONNX export",
    "batch inference",
    "rotary embeddings",
    "docs",
)
TITLE_CONTEXTS = (
    "for long contexts",
    "on Apple silicon",
    "in the CLI",
    "when resuming",
    "for multi-GPU",
    "in CI",
    "with bf16",
    "on Windows",
    "for small models",
    "in the server",
    "",
    "",
    "",
)
BOT_TITLES = ("Bump torch from 2.4 to 2.5", "Update pre-commit hooks", "Release notes", "Sync translations")


@dataclass(frozen=True, slots=True)
class WorldConfig:
    seed: int = 1
    org: str = "acme"
    people: int = 200
    outsiders: int | None = None
    repos: int = 60
    contributions: int = 100_000
    days: int = 365
    now: str = DEFAULT_NOW
    member_share: float = DEFAULT_MEMBER_SHARE
    """Share of all activity (threads, comments, reviews, closes) done by org members, in (0, 1]."""

    @property
    def outsider_count(self) -> int:
        return self.outsiders if self.outsiders is not None else max(3, self.people // 2)


T = TypeVar("T")


@dataclass(slots=True)
class _WeightedPool(Generic[T]):
    items: list[T]
    cumulative: list[float]

    def pick(self, rng: random.Random) -> T:
        return rng.choices(self.items, cum_weights=self.cumulative, k=1)[0]

    def pick_many(self, rng: random.Random, count: int) -> list[T]:
        if not self.items:
            return []
        return rng.choices(self.items, cum_weights=self.cumulative, k=count)


def _pool(items: list[T], weights: list[float]) -> _WeightedPool[T]:
    return _WeightedPool(items, list(accumulate(weights)))


def generate_world(config: WorldConfig) -> World:
    """The same config always gives the same world, ids and times included."""
    if config.people < 2:
        raise ValueError("need at least 2 people (one of them a bot)")
    if not 0 < config.member_share <= 1:
        raise ValueError(f"member_share must be in (0, 1], not {config.member_share}")
    rng = random.Random(config.seed)
    now = parse_time(config.now)
    start = now - config.days * DAY
    org = Account(9_100_000, config.org, AccountType.ORGANIZATION, config.org.title(), start - 900 * DAY)
    world = World(org=org, now=now, seed=config.seed)
    world.add_account(org)
    owners = [world.add_account(_owner_org(index, name, start)) for index, name in enumerate(OTHER_OWNERS)]
    members, bots = _add_people(world, rng, config, start)
    outsiders = [
        world.add_account(_person(rng, world, 40_000_000, index, start))
        for index in range(config.outsider_count)
    ]
    _add_repos(world, rng, config.repos, [org, *owners], members, outsiders, start)
    authors = _author_pool(rng, members, bots, outsiders, config.member_share)
    generator = _ActivityGenerator(rng, world, authors, _repo_pool(rng, world.repos))
    threads = generator.new_threads(_share(config.contributions, THREAD_SHARE), start, now)
    world.commit(threads, [], [])
    comments = generator.comments_on(world.threads, _share(config.contributions, COMMENT_SHARE), now)
    pulls = [thread for thread in world.threads if thread.is_pull]
    review_count = max(0, config.contributions - len(threads) - len(comments))
    reviews = generator.reviews_on(pulls, review_count, now)
    world.commit([], comments, reviews)
    return world


def advance_world(
    world: World, *, days: float, new_contributions: int, seed: int, authors: Sequence[str] = ()
) -> dict[str, int]:
    """Adds activity in [now, now + days) and moves `now`; nothing changes without activity.

    `authors` (logins) makes them the only ones who open, comment and review; by default
    everyone acts, weighted by their past activity.
    """
    old_now = world.now
    new_now = old_now + int(days * DAY)
    if new_contributions > 0 and new_now <= old_now:
        raise ValueError("new activity needs days > 0")
    world.now = new_now
    if new_contributions <= 0:
        return {"threads": 0, "comments": 0, "reviews": 0, "merged": 0}
    rng = random.Random(f"{world.seed}:{seed}:{world.version}:{old_now}")
    acting = _chosen_authors(world, authors) if authors else _activity_weighted_authors(world)
    generator = _ActivityGenerator(rng, world, acting, _activity_weighted_repos(world))
    threads = generator.new_threads(_share(new_contributions, THREAD_SHARE), old_now, new_now)
    merged = generator.merge_open_pulls(round(new_contributions * MERGES_PER_ADVANCED_ITEM), old_now, new_now)
    world.commit(threads, [], [])
    recent = world.threads[-max(1, len(world.threads) // 5) :]
    targets = recent + world.threads
    comments = generator.comments_in_window(
        targets, _share(new_contributions, COMMENT_SHARE), old_now, new_now
    )
    open_pulls = [thread for thread in targets if thread.is_pull and thread.is_open_at(old_now)]
    review_count = max(0, new_contributions - len(threads) - len(comments))
    reviews = generator.reviews_in_window(open_pulls, review_count, old_now, new_now)
    world.commit([], comments, reviews)
    for thread in merged:
        refresh_updated_at(thread)
    return {
        "threads": len(threads),
        "comments": len(comments),
        "reviews": len(reviews),
        "merged": len(merged),
    }


def _share(total: int, share: float) -> int:
    return round(total * share)


def _owner_org(index: int, login: str, start: int) -> Account:
    return Account(9_200_000 + index * 977, login, AccountType.ORGANIZATION, login.title(), start - 700 * DAY)


def _add_people(
    world: World, rng: random.Random, config: WorldConfig, start: int
) -> tuple[list[Account], list[Account]]:
    bot_count = 1 if config.people < 20 else 2
    humans: list[Account] = []
    for index in range(config.people - bot_count):
        person = world.add_account(_person(rng, world, 10_000_000, index, start))
        person.is_member = True
        person.is_public_member = rng.random() < 0.6
        humans.append(person)
    bots: list[Account] = []
    for index, name in enumerate(("ci", "release")[:bot_count]):
        login = f"{config.org}-{name}[bot]"
        bot = Account(41_000_000 + index * 31, login, AccountType.BOT, login, start - 300 * DAY, True, False)
        bots.append(world.add_account(bot))
    return humans, bots


def _person(rng: random.Random, world: World, id_base: int, index: int, start: int) -> Account:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    login = f"{first}-{last}"
    if rng.random() < 0.1:
        login = f"{first.title()}{last.title()}"
    while world.account(login) is not None:
        login = f"{login}{rng.randrange(10)}"
    created = start - rng.randrange(30, 3000) * DAY
    return Account(
        id_base + index * 1_319 + rng.randrange(1_000),
        login,
        AccountType.USER,
        f"{first.title()} {last.title()}",
        created,
    )


def _repo_roles(count: int) -> list[str]:
    forks = max(1, round(count * 0.07)) if count >= 4 else 0
    non_ai = max(1, round(count * 0.1)) if count >= 3 else 0
    private = 1 if count >= 8 else 0
    archived = 1 if count >= 5 else 0
    ai = count - forks - non_ai - private - archived
    return (
        ["fork"] * forks + ["non_ai"] * non_ai + ["private"] * private + ["archived"] * archived + ["ai"] * ai
    )


def _add_repos(
    world: World,
    rng: random.Random,
    count: int,
    owners: list[Account],
    members: list[Account],
    outsiders: list[Account],
    start: int,
) -> None:
    roles = _repo_roles(count)
    rng.shuffle(roles)
    roles.sort(key=lambda role: role == "fork")
    for index, role in enumerate(roles):
        owner = _repo_owner(rng, role, owners, members, outsiders, index)
        upstreams = [repo for repo in world.repos if not repo.fork and not repo.private]
        parent = rng.choice(upstreams) if role == "fork" and upstreams else None
        name = _repo_name(rng, world, owner, role, parent)
        topics = parent.topics if parent is not None else _repo_topics(rng, role)
        repo = Repository(
            id=700_000_000 + index * 104_729 + rng.randrange(10_000),
            owner=owner,
            name=name,
            description=f"{name.replace('-', ' ').capitalize()}: a synthetic {role} repository",
            topics=topics,
            license=None if rng.random() < 0.12 else rng.choice(LICENSES),
            created_at=start - rng.randrange(60, 2000) * DAY,
            fork=role == "fork",
            parent=parent,
            archived=role == "archived",
            private=role == "private",
            stargazers_count=int(rng.paretovariate(1.2) * 40),
            forks_count=int(rng.paretovariate(1.3) * 8),
            language="TypeScript"
            if role == "non_ai"
            else rng.choice(("Python", "Python", "C++", "Rust", "Jupyter Notebook")),
        )
        world.add_repo(repo)
    _ensure_license_variety(world.repos)


def _ensure_license_variety(repos: list[Repository]) -> None:
    """At least one public repo without a license and one whose license GitHub cannot identify."""
    public = [repo for repo in repos if not repo.fork and not repo.private]
    if len(public) < 3:
        return
    if all(repo.license is not None for repo in public):
        public[1].license = None
    if all(repo.license is None or repo.license.spdx_id != "NOASSERTION" for repo in public):
        public[2].license = OTHER_LICENSE


def _repo_owner(
    rng: random.Random,
    role: str,
    owners: list[Account],
    members: list[Account],
    outsiders: list[Account],
    index: int,
) -> Account:
    if role == "fork":
        return rng.choice(members)
    if role == "private" or index % 7 == 0:
        return owners[0]
    if index % 11 == 5 and outsiders:
        return rng.choice(outsiders)
    return rng.choice(owners[1:])


def _repo_name(rng: random.Random, world: World, owner: Account, role: str, parent: Repository | None) -> str:
    if parent is not None and world.repo(owner.login, parent.name) is None:
        return parent.name
    while True:
        name = (
            rng.choice(NON_AI_NAMES)
            if role == "non_ai"
            else f"{rng.choice(REPO_WORDS_A)}-{rng.choice(REPO_WORDS_B)}"
        )
        if world.repo(owner.login, name) is None:
            return name
        name = f"{name}-{rng.randrange(2, 99)}"
        if world.repo(owner.login, name) is None:
            return name


def _repo_topics(rng: random.Random, role: str) -> tuple[str, ...]:
    if role == "non_ai":
        return tuple(sorted(rng.sample(NON_AI_TOPICS, 2)))
    topics = set(rng.sample(AI_EXTRA_TOPICS, rng.randint(1, 3)))
    if rng.random() < 0.75:
        topics.update(rng.sample(AI_CORE_TOPICS, rng.randint(1, 2)))
    return tuple(sorted(topics))


def _zipf_weights(count: int, exponent: float) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(count)]


def _author_pool(
    rng: random.Random,
    members: list[Account],
    bots: list[Account],
    outsiders: list[Account],
    member_share: float,
) -> _WeightedPool[Account]:
    """Members (3% of their share to bots) and outsiders, each group Zipf-weighted within itself."""
    shuffled_members = members[:]
    rng.shuffle(shuffled_members)
    shuffled_outsiders = outsiders[:]
    rng.shuffle(shuffled_outsiders)
    member_weights = _normalized(_zipf_weights(len(shuffled_members), 1.0), member_share * 0.97)
    bot_weights = _normalized([1.0] * len(bots), 0.03 * member_share)
    outsider_weights = _normalized(_zipf_weights(len(shuffled_outsiders), 0.8), 1 - member_share)
    return _pool(
        [*shuffled_members, *bots, *shuffled_outsiders], [*member_weights, *bot_weights, *outsider_weights]
    )


def _normalized(weights: list[float], total: float) -> list[float]:
    current = sum(weights)
    return [weight * total / current for weight in weights] if current else []


def _repo_pool(rng: random.Random, repos: list[Repository]) -> _WeightedPool[Repository]:
    ranked = repos[:]
    rng.shuffle(ranked)
    weights = _zipf_weights(len(ranked), 0.9)
    adjusted = [weight * (0.05 if repo.fork else 1.0) for weight, repo in zip(weights, ranked, strict=True)]
    return _pool(ranked, adjusted)


def _activity_weighted_authors(world: World) -> _WeightedPool[Account]:
    activity: dict[int, int] = {}
    for comment in world.comments:
        activity[comment.author.id] = activity.get(comment.author.id, 0) + 1
    people = [account for account in world.accounts if account.type is not AccountType.ORGANIZATION]
    return _pool(people, [1.0 + activity.get(person.id, 0) for person in people])


def _chosen_authors(world: World, logins: Sequence[str]) -> _WeightedPool[Account]:
    accounts = [world.account(login) for login in logins]
    missing = [login for login, account in zip(logins, accounts, strict=True) if account is None]
    if missing:
        raise ValueError(f"no such account: {', '.join(missing)}")
    return _pool([account for account in accounts if account is not None], [1.0] * len(accounts))


def _activity_weighted_repos(world: World) -> _WeightedPool[Repository]:
    return _pool(world.repos[:], [1.0 + len(repo.threads) for repo in world.repos])


class _ActivityGenerator:
    def __init__(
        self,
        rng: random.Random,
        world: World,
        authors: _WeightedPool[Account],
        repos: _WeightedPool[Repository],
    ) -> None:
        self.rng = rng
        self.world = world
        self.authors = authors
        self.repos = repos

    def new_threads(self, count: int, start: int, end: int) -> list[Thread]:
        rng = self.rng
        authors = self.authors.pick_many(rng, count)
        repos = self.repos.pick_many(rng, count)
        threads = []
        for author, repo in zip(authors, repos, strict=True):
            created = start + int(rng.random() * (end - start))
            is_pull = rng.random() < PULL_SHARE_OF_THREADS or author.type is AccountType.BOT
            thread = Thread(repo, author, is_pull, self._title(author), created, self._labels())
            if is_pull:
                self._settle_pull(thread, end)
            else:
                self._settle_issue(thread, end)
            threads.append(thread)
        return threads

    def _title(self, author: Account) -> str:
        rng = self.rng
        if author.type is AccountType.BOT:
            return rng.choice(BOT_TITLES)
        return f"{rng.choice(TITLE_VERBS)} {rng.choice(TITLE_OBJECTS)} {rng.choice(TITLE_CONTEXTS)}".strip()

    def _labels(self) -> tuple[int, ...]:
        rng = self.rng
        count = rng.choice((0, 0, 1, 1, 2))
        return tuple(sorted(rng.sample(range(8), count)))

    def _settle_pull(self, thread: Thread, end: int) -> None:
        rng = self.rng
        settled = thread.created_at + int(rng.expovariate(1 / (3 * DAY))) + 60
        outcome = rng.random()
        if settled >= end or outcome >= 0.8:
            thread.draft = rng.random() < 0.1
            return
        thread.closed_at = settled
        if outcome < 0.62:
            thread.merged_at = settled
            thread.closed_by = thread.author if rng.random() < 0.3 else self.authors.pick(rng)
        else:
            thread.closed_by = thread.author if rng.random() < 0.5 else self.authors.pick(rng)

    def _settle_issue(self, thread: Thread, end: int) -> None:
        rng = self.rng
        settled = thread.created_at + int(rng.expovariate(1 / (10 * DAY))) + 60
        if settled >= end or rng.random() >= 0.55:
            return
        thread.closed_at = settled
        thread.closed_by = thread.author if rng.random() < 0.4 else self.authors.pick(rng)
        thread.state_reason = "completed" if rng.random() < 0.8 else "not_planned"

    def merge_open_pulls(self, count: int, start: int, end: int) -> list[Thread]:
        rng = self.rng
        candidates = [thread for thread in self.world.threads if thread.is_pull and thread.closed_at is None]
        chosen = rng.sample(candidates, min(count, len(candidates)))
        for thread in chosen:
            thread.merged_at = thread.closed_at = start + int(rng.random() * (end - start))
            thread.closed_by = self.authors.pick(rng)
            thread.draft = False
        return chosen

    def comments_on(self, threads: list[Thread], count: int, end: int) -> list[Comment]:
        """Comments soon after each thread opened, all before `end`."""
        comments = []
        for thread, author in self._pairs(threads, count):
            created = self._moment_after(thread.created_at, end, 2 * DAY)
            comments.append(self._comment(thread, author, created, end))
        return comments

    def comments_in_window(self, threads: list[Thread], count: int, start: int, end: int) -> list[Comment]:
        rng = self.rng
        comments = []
        for thread, author in self._pairs(threads, count):
            created = max(start, thread.created_at) + int(
                rng.random() * (end - max(start, thread.created_at))
            )
            comments.append(self._comment(thread, author, min(created, end - 1), end))
        return comments

    def _pairs(self, threads: list[Thread], count: int) -> list[tuple[Thread, Account]]:
        """`count` random (thread, author) pairs; none when there is nothing to act on."""
        if not threads:
            return []
        targets = [self.rng.choice(threads) for _ in range(count)]
        return list(zip(targets, self.authors.pick_many(self.rng, count), strict=True))

    def _comment(self, thread: Thread, author: Account, created: int, end: int) -> Comment:
        rng = self.rng
        if rng.random() < 0.25:
            author = thread.author
        updated = created
        if rng.random() < 0.08:
            updated = min(end - 1, created + rng.randrange(60, 3 * DAY))
        return Comment(thread, author, created, updated)

    def _moment_after(self, start: int, end: int, mean: float) -> int:
        rng = self.rng
        moment = start + 30 + int(rng.expovariate(1 / mean))
        if moment >= end:
            moment = start + int(rng.random() * max(1, end - start - 1))
        return min(moment, end - 1)

    def reviews_on(self, pulls: list[Thread], count: int, end: int) -> list[Review]:
        reviews = []
        for pull, reviewer in self._pairs(pulls, count):
            limit = pull.closed_at if pull.closed_at is not None else end
            moment = self._moment_after(pull.created_at, max(limit, pull.created_at + 2), 1.5 * DAY)
            reviews.append(self._review(pull, reviewer, moment))
        return reviews

    def reviews_in_window(self, pulls: list[Thread], count: int, start: int, end: int) -> list[Review]:
        rng = self.rng
        reviews = []
        for pull, reviewer in self._pairs(pulls, count):
            begin = max(start, pull.created_at)
            limit = pull.closed_at if pull.closed_at is not None and pull.closed_at > begin else end
            moment = begin + int(rng.random() * max(1, limit - begin - 1))
            reviews.append(self._review(pull, reviewer, moment))
        return reviews

    def _review(self, pull: Thread, reviewer: Account, moment: int) -> Review:
        rng = self.rng
        own = rng.random() < 0.06
        if own:
            reviewer = pull.author
        roll = rng.random()
        state = (
            ReviewState.APPROVED
            if roll < 0.38
            else ReviewState.CHANGES_REQUESTED
            if roll < 0.53
            else ReviewState.COMMENTED
            if roll < 0.87
            else ReviewState.DISMISSED
            if roll < 0.93
            else ReviewState.PENDING
        )
        if reviewer is pull.author and state in (ReviewState.APPROVED, ReviewState.CHANGES_REQUESTED):
            state = ReviewState.COMMENTED
        submitted = None if state is ReviewState.PENDING else moment
        return Review(pull, reviewer, state, moment, submitted)
