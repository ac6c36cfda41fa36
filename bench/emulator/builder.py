"""Hand-made worlds for tests: name the people, repos and activity; ids and numbers follow.

For example::

    builder = WorldBuilder(org="acme", now="2026-11-28T00:00:00Z")
    alice = builder.member("alice")
    repo = builder.repo("acme/llm-kit", topics=("llm",))
    builder.pull(repo, alice, "2026-11-02T10:00:00Z", merged="2026-11-03T10:00:00Z")
    world = builder.build()

Threads get their numbers in creation order per repo, so #1 is the oldest.
"""

from __future__ import annotations

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
)

Moment = str | int


def _epoch(moment: Moment) -> int:
    return parse_time(moment) if isinstance(moment, str) else moment


class WorldBuilder:
    def __init__(self, org: str = "acme", now: Moment = DEFAULT_NOW, seed: int = 0) -> None:
        created = _epoch(now) - 2_000 * 86_400
        self.world = World(
            org=Account(9_100_000, org, AccountType.ORGANIZATION, org.title(), created),
            now=_epoch(now),
            seed=seed,
        )
        self.world.add_account(self.world.org)
        self._threads: list[Thread] = []
        self._comments: list[Comment] = []
        self._reviews: list[Review] = []
        self._next_account_id = 20_000_000

    def _account(self, login: str, kind: AccountType) -> Account:
        self._next_account_id += 101
        created = self.world.now - 900 * 86_400
        return self.world.add_account(Account(self._next_account_id, login, kind, login.title(), created))

    def member(self, login: str, *, public: bool = True, bot: bool = False) -> Account:
        account = self._account(login, AccountType.BOT if bot else AccountType.USER)
        account.is_member = True
        account.is_public_member = public and not bot
        return account

    def outsider(self, login: str) -> Account:
        return self._account(login, AccountType.USER)

    def repo(
        self,
        full_name: str,
        *,
        topics: tuple[str, ...] = (),
        fork: bool = False,
        private: bool = False,
        archived: bool = False,
        license: License | None = None,
    ) -> Repository:
        owner_login, name = full_name.split("/", 1)
        owner = self.world.account(owner_login) or self._account(owner_login, AccountType.ORGANIZATION)
        repo_id = 800_000_000 + len(self.world.repos) * 1_009
        created = self.world.now - 1_000 * 86_400
        repo = Repository(
            repo_id,
            owner,
            name,
            f"{name} (hand-made)",
            topics,
            license,
            created,
            fork=fork,
            archived=archived,
            private=private,
            stargazers_count=10,
        )
        return self.world.add_repo(repo)

    def issue(
        self, repo: Repository, author: Account, created: Moment, *, closed: Moment | None = None
    ) -> Thread:
        thread = Thread(repo, author, False, f"Issue by {author.login}", _epoch(created))
        if closed is not None:
            thread.closed_at, thread.closed_by, thread.state_reason = _epoch(closed), author, "completed"
        self._threads.append(thread)
        return thread

    def pull(
        self,
        repo: Repository,
        author: Account,
        created: Moment,
        *,
        merged: Moment | None = None,
        closed: Moment | None = None,
        merged_by: Account | None = None,
    ) -> Thread:
        thread = Thread(repo, author, True, f"Pull request by {author.login}", _epoch(created))
        if merged is not None:
            thread.merged_at = thread.closed_at = _epoch(merged)
            thread.closed_by = merged_by or author
        elif closed is not None:
            thread.closed_at, thread.closed_by = _epoch(closed), author
        self._threads.append(thread)
        return thread

    def comment(
        self, thread: Thread, author: Account, created: Moment, updated: Moment | None = None
    ) -> Comment:
        moment = _epoch(created)
        comment = Comment(thread, author, moment, _epoch(updated) if updated is not None else moment)
        self._comments.append(comment)
        return comment

    def review(self, thread: Thread, author: Account, state: ReviewState | str, at: Moment) -> Review:
        review_state = ReviewState(state)
        moment = _epoch(at)
        submitted = None if review_state is ReviewState.PENDING else moment
        review = Review(thread, author, review_state, moment, submitted)
        self._reviews.append(review)
        return review

    def build(self) -> World:
        self.world.commit(self._threads, self._comments, self._reviews)
        self._threads, self._comments, self._reviews = [], [], []
        return self.world
