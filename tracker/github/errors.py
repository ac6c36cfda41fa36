"""One exception family for the GitHub adapter. Messages carry what an operator needs
(status, GitHub's request id) and never the token."""

from __future__ import annotations


class GitHubError(Exception):
    def __init__(self, message: str, *, status: int | None = None, request_id: str | None = None) -> None:
        details = [f"HTTP {status}"] if status is not None else []
        if request_id:
            details.append(f"request id {request_id}")
        suffix = f" ({', '.join(details)})" if details else ""
        super().__init__(f"{message}{suffix}")
        self.status = status
        self.request_id = request_id


class AuthenticationError(GitHubError):
    """The token is missing, wrong, expired or revoked."""


class NotFoundError(GitHubError):
    """The resource does not exist, or the token cannot see it (GitHub answers 404 for both)."""


class ForbiddenError(GitHubError):
    """Access denied for a reason other than a rate limit (SSO enforcement, missing scope)."""


class UnreachableError(GitHubError):
    """The API could not be reached at all (DNS, refused connection, timeouts)."""


class SearchLimitError(GitHubError):
    """Search refused the query (422), e.g. paging past its first 1,000 results."""


class UnexpectedAnswer(GitHubError):
    """An answer that is not the one asked for: a status the call does not expect (a redirect it
    does not follow, a 202), or a body that is not JSON of the expected shape (an HTML page from a
    proxy, a truncated body, an item without its `id`). Nothing is taken from it."""


class GraphQLQueryError(GitHubError):
    """GitHub answered a GraphQL query with `errors` (other than its rate limit), after retries:
    nothing of the answer is taken, even the part of `data` that came with them."""


class CapReached(GitHubError):
    """A bound on what one run puts up with was reached; `cap` names it (for the run's figures)."""

    cap = "cap"


class WaitTooLong(CapReached):
    """GitHub asked for a wait longer than the cap: the run stops there, keeping what it fetched."""

    cap = "rate-limit wait"


class AnswerTooSlow(CapReached):
    """An answer did not arrive in full before the request's deadline."""

    cap = "request deadline"


class AnswerTooLarge(CapReached):
    """An answer is larger than the cap on the size of one answer."""

    cap = "answer size"


class ListingTooLong(CapReached):
    """A listing goes on (Link rel="next") past the most pages it is followed for."""

    cap = "pages of a listing"
