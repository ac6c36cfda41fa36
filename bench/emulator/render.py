"""GitHub's REST JSON shapes for the world's records, copied field by field from real responses.

Every function is pure: a record and the base URLs in, a JSON-ready dict out.
API URLs point at the emulator (so clients that follow `url` fields stay on
it); web URLs point at github.com like GitHub's own.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .index import Event, EventType, WorldIndex
from .model import Account, AccountType, Comment, License, Repository, Review, Thread, World, format_time

JSON = dict[str, Any]

REACTION_CONTENTS = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")
LABELS = (
    ("bug", "d73a4a", "Something isn't working", True),
    ("enhancement", "a2eeef", "New feature or request", True),
    ("documentation", "0075ca", "Improvements or additions to documentation", True),
    ("good first issue", "7057ff", "Good for newcomers", True),
    ("help wanted", "008672", "Extra attention is needed", True),
    ("question", "d876e3", "Further information is requested", True),
    ("performance", "fbca04", "Speed or memory", False),
    ("training", "0e8a16", "Training loop and optimizers", False),
)
REACTION_ID_BASE = 300_000_000


@dataclass(frozen=True, slots=True)
class Urls:
    api: str
    web: str = "https://github.com"

    def repo(self, repo: Repository) -> str:
        return f"{self.api}/repos/{repo.full_name}"

    def user(self, login: str) -> str:
        return f"{self.api}/users/{quote(login)}"


@dataclass(frozen=True, slots=True)
class View:
    """What rendering needs besides the record: base URLs, the world and its index."""

    urls: Urls
    world: World
    index: WorldIndex


def node_id(type_name: str, record_id: int) -> str:
    """GitHub's legacy global node id: base64 of "0<len>:<Type><id>"."""
    return base64.b64encode(f"0{len(type_name)}:{type_name}{record_id}".encode()).decode()


def mix(value: int, salt: int = 0) -> int:
    """A cheap stable hash for details that need no storage (reactions, commits)."""
    return ((value ^ salt) * 2_654_435_761 + 40_503) & 0xFFFFFFFF


def sha(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def time_or_none(moment: int | None) -> str | None:
    return None if moment is None else format_time(moment)


# --- users and organizations -------------------------------------------------


def simple_user(account: Account, view: View) -> JSON:
    url = view.urls.user(account.login)
    is_bot = account.type is AccountType.BOT
    app_name = account.login.removesuffix("[bot]")
    return {
        "login": account.login,
        "id": account.id,
        "node_id": node_id(str(account.type), account.id),
        "avatar_url": f"https://avatars.githubusercontent.com/{'in' if is_bot else 'u'}/{account.id}?v=4",
        "gravatar_id": "",
        "url": url,
        "html_url": f"{view.urls.web}/apps/{app_name}" if is_bot else f"{view.urls.web}/{account.login}",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": str(account.type),
        "user_view_type": "public",
        "site_admin": False,
    }


def full_user(account: Account, view: View, public_repos: int) -> JSON:
    details: JSON = {
        "name": account.name,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": public_repos,
        "public_gists": 0,
        "followers": mix(account.id) % 300,
        "following": mix(account.id, 7) % 60,
        "created_at": format_time(account.created_at),
        "updated_at": format_time(account.created_at + 86_400 * 30),
    }
    return {**simple_user(account, view), **details}


def organization_simple(org: Account, view: View) -> JSON:
    url = f"{view.urls.api}/orgs/{org.login}"
    return {
        "login": org.login,
        "id": org.id,
        "node_id": node_id("Organization", org.id),
        "url": url,
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events",
        "hooks_url": f"{url}/hooks",
        "issues_url": f"{url}/issues",
        "members_url": f"{url}/members{{/member}}",
        "public_members_url": f"{url}/public_members{{/member}}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{org.id}?v=4",
        "description": None,
    }


def organization_full(org: Account, view: View, public_repos: int) -> JSON:
    return {
        **organization_simple(org, view),
        "name": org.name,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "twitter_username": None,
        "is_verified": False,
        "has_organization_projects": True,
        "has_repository_projects": True,
        "public_repos": public_repos,
        "public_gists": 0,
        "followers": mix(org.id) % 5000,
        "following": 0,
        "html_url": f"{view.urls.web}/{org.login}",
        "created_at": format_time(org.created_at),
        "updated_at": format_time(org.created_at + 86_400 * 400),
        "archived_at": None,
        "type": "Organization",
    }


# --- repositories ------------------------------------------------------------


def license_json(license_: License | None, view: View) -> JSON | None:
    if license_ is None:
        return None
    url = None if license_.url is None else f"{view.urls.api}/licenses/{license_.key}"
    return {
        "key": license_.key,
        "name": license_.name,
        "spdx_id": license_.spdx_id,
        "url": url,
        "node_id": license_.node_id,
    }


def repository(repo: Repository, view: View, *, detailed: bool = True) -> JSON:
    """The repository object; `detailed` adds what only GET /repos/{owner}/{repo} returns."""
    url = view.urls.repo(repo)
    html = f"{view.urls.web}/{repo.full_name}"
    open_issues, pushed_at = view.index.repo_summary(repo)
    body: JSON = {
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "owner": simple_user(repo.owner, view),
        "html_url": html,
        "description": repo.description,
        "fork": repo.fork,
        "url": url,
        **_repository_link_templates(url),
        "created_at": format_time(repo.created_at),
        "updated_at": format_time(max(pushed_at, repo.created_at)),
        "pushed_at": format_time(pushed_at),
        "git_url": f"git://github.com/{repo.full_name}.git",
        "ssh_url": f"git@github.com:{repo.full_name}.git",
        "clone_url": f"{html}.git",
        "svn_url": html,
        "homepage": None,
        "size": mix(repo.id) % 90_000,
        "stargazers_count": repo.stargazers_count,
        "watchers_count": repo.stargazers_count,
        "language": repo.language,
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": not repo.fork,
        "has_pages": False,
        "has_discussions": repo.stargazers_count > 500,
        "forks_count": repo.forks_count,
        "mirror_url": None,
        "archived": repo.archived,
        "disabled": False,
        "open_issues_count": open_issues,
        "license": license_json(repo.license, view),
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": list(repo.topics),
        "visibility": "private" if repo.private else "public",
        "forks": repo.forks_count,
        "open_issues": open_issues,
        "watchers": repo.stargazers_count,
        "default_branch": "main",
        "permissions": _viewer_permissions(repo, view.world),
    }
    if not detailed:
        return body
    body.update(
        {
            "temp_clone_token": None,
            "allow_squash_merge": True,
            "allow_merge_commit": True,
            "allow_rebase_merge": True,
            "allow_auto_merge": False,
            "delete_branch_on_merge": False,
            "allow_update_branch": False,
            "use_squash_pr_title_as_default": False,
        }
    )
    if repo.owner.type is AccountType.ORGANIZATION:
        body["organization"] = simple_user(repo.owner, view)
    if repo.parent is not None:
        body["parent"] = repository(repo.parent, view, detailed=False)
        body["source"] = body["parent"]
    body["network_count"] = repo.forks_count
    body["subscribers_count"] = mix(repo.id, 3) % 400
    return body


def _viewer_permissions(repo: Repository, world: World) -> JSON:
    own_org = repo.owner is world.org
    return {"admin": False, "maintain": False, "push": own_org, "triage": own_org, "pull": True}


def _repository_link_templates(url: str) -> JSON:
    return {
        "forks_url": f"{url}/forks",
        "keys_url": f"{url}/keys{{/key_id}}",
        "collaborators_url": f"{url}/collaborators{{/collaborator}}",
        "teams_url": f"{url}/teams",
        "hooks_url": f"{url}/hooks",
        "issue_events_url": f"{url}/issues/events{{/number}}",
        "events_url": f"{url}/events",
        "assignees_url": f"{url}/assignees{{/user}}",
        "branches_url": f"{url}/branches{{/branch}}",
        "tags_url": f"{url}/tags",
        "blobs_url": f"{url}/git/blobs{{/sha}}",
        "git_tags_url": f"{url}/git/tags{{/sha}}",
        "git_refs_url": f"{url}/git/refs{{/sha}}",
        "trees_url": f"{url}/git/trees{{/sha}}",
        "statuses_url": f"{url}/statuses/{{sha}}",
        "languages_url": f"{url}/languages",
        "stargazers_url": f"{url}/stargazers",
        "contributors_url": f"{url}/contributors",
        "subscribers_url": f"{url}/subscribers",
        "subscription_url": f"{url}/subscription",
        "commits_url": f"{url}/commits{{/sha}}",
        "git_commits_url": f"{url}/git/commits{{/sha}}",
        "comments_url": f"{url}/comments{{/number}}",
        "issue_comment_url": f"{url}/issues/comments{{/number}}",
        "contents_url": f"{url}/contents/{{+path}}",
        "compare_url": f"{url}/compare/{{base}}...{{head}}",
        "merges_url": f"{url}/merges",
        "archive_url": f"{url}/{{archive_format}}{{/ref}}",
        "downloads_url": f"{url}/downloads",
        "issues_url": f"{url}/issues{{/number}}",
        "pulls_url": f"{url}/pulls{{/number}}",
        "milestones_url": f"{url}/milestones{{/number}}",
        "notifications_url": f"{url}/notifications{{?since,all,participating}}",
        "labels_url": f"{url}/labels{{/name}}",
        "releases_url": f"{url}/releases{{/id}}",
        "deployments_url": f"{url}/deployments",
    }


# --- issues, comments, reactions ----------------------------------------------


def author_association(account: Account, repo: Repository, world: World) -> str:
    if account is repo.owner:
        return "OWNER"
    if account.is_member and repo.owner is world.org:
        return "MEMBER"
    if account is not repo.owner and mix(account.id, repo.id) % 3 == 0:
        return "CONTRIBUTOR"
    return "NONE"


def label_json(label_index: int, repo: Repository, view: View) -> JSON:
    name, color, description, default = LABELS[label_index]
    label_id = repo.id * 16 + label_index
    return {
        "id": label_id,
        "node_id": node_id("Label", label_id),
        "url": f"{view.urls.repo(repo)}/labels/{quote(name)}",
        "name": name,
        "color": color,
        "default": default,
        "description": description,
    }


def reaction_count(record_id: int) -> int:
    hashed = mix(record_id, 0x5EED)
    return 1 + (hashed >> 8) % 3 if hashed % 8 == 0 else 0


def reactions_summary(record_id: int, url: str) -> JSON:
    counts = dict.fromkeys(REACTION_CONTENTS, 0)
    for position in range(reaction_count(record_id)):
        counts[_reaction_content(record_id, position)] += 1
    return {"url": url, "total_count": sum(counts.values()), **counts}


def _reaction_content(record_id: int, position: int) -> str:
    return REACTION_CONTENTS[mix(record_id, position + 1) % len(REACTION_CONTENTS)]


def reaction_list(record_id: int, created_at: int, view: View) -> list[JSON]:
    people = view.index.people
    reactions = []
    for position in range(reaction_count(record_id)):
        reaction_id = REACTION_ID_BASE + mix(record_id, position + 11) % 900_000_000
        user = people[mix(record_id, position + 101) % len(people)]
        reactions.append(
            {
                "id": reaction_id,
                "node_id": node_id("Reaction", reaction_id),
                "user": simple_user(user, view),
                "content": _reaction_content(record_id, position),
                "created_at": format_time(created_at + 60 * (position + 1)),
            }
        )
    return reactions


def thread_updated_at(thread: Thread, as_of: int) -> int:
    moments = [thread.created_at]
    moments.extend(
        moment for moment in (thread.closed_at, thread.merged_at) if moment is not None and moment <= as_of
    )
    moments.extend(comment.updated_at for comment in thread.comments if comment.updated_at <= as_of)
    moments.extend(
        review.submitted_at
        for review in thread.reviews
        if review.submitted_at is not None and review.submitted_at <= as_of
    )
    return max(moments)


def issue(
    thread: Thread,
    view: View,
    *,
    as_of: int | None = None,
    search: bool = False,
    single: bool = False,
) -> JSON:
    """The issue object (PRs too). `as_of` renders the state at that moment (for event payloads)."""
    repo = thread.repo
    url = f"{view.urls.repo(repo)}/issues/{thread.number}"
    closed = thread.closed_at is not None and (as_of is None or thread.closed_at <= as_of)
    web_kind = "pull" if thread.is_pull else "issues"
    body: JSON = {
        "url": url,
        "repository_url": view.urls.repo(repo),
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{view.urls.web}/{repo.full_name}/{web_kind}/{thread.number}",
        "id": thread.id,
        "node_id": node_id("PullRequest" if thread.is_pull else "Issue", thread.id),
        "number": thread.number,
        "title": thread.title,
        "user": simple_user(thread.author, view),
        "labels": [label_json(index, repo, view) for index in thread.labels],
        "state": "closed" if closed else "open",
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": len(thread.comments) if as_of is None else thread.comments_at(as_of),
        "created_at": format_time(thread.created_at),
        "updated_at": format_time(thread.updated_at if as_of is None else thread_updated_at(thread, as_of)),
        "closed_at": time_or_none(thread.closed_at) if closed else None,
        "author_association": author_association(thread.author, repo, view.world),
        "type": None,
        "active_lock_reason": None,
    }
    if thread.is_pull:
        merged = thread.merged_at is not None and closed
        web = f"{view.urls.web}/{repo.full_name}/pull/{thread.number}"
        body["draft"] = thread.draft and not closed
        body["pull_request"] = {
            "url": f"{view.urls.repo(repo)}/pulls/{thread.number}",
            "html_url": web,
            "diff_url": f"{web}.diff",
            "patch_url": f"{web}.patch",
            "merged_at": time_or_none(thread.merged_at) if merged else None,
        }
    body["body"] = f"{thread.title}.\n\nSynthetic {'pull request' if thread.is_pull else 'issue'} body."
    if single:
        body["closed_by"] = simple_user(thread.closed_by, view) if closed and thread.closed_by else None
    body["reactions"] = reactions_summary(thread.id, f"{url}/reactions")
    body["timeline_url"] = f"{url}/timeline"
    body["performed_via_github_app"] = None
    body["state_reason"] = _state_reason(thread, closed)
    if search:
        body["score"] = 1.0
    return body


def _state_reason(thread: Thread, closed: bool) -> str | None:
    if thread.is_pull or not closed:
        return None
    return thread.state_reason or "completed"


def issue_comment(comment: Comment, view: View) -> JSON:
    thread = comment.thread
    repo = thread.repo
    web_kind = "pull" if thread.is_pull else "issues"
    url = f"{view.urls.repo(repo)}/issues/comments/{comment.id}"
    return {
        "url": url,
        "html_url": f"{view.urls.web}/{repo.full_name}/{web_kind}/{thread.number}#issuecomment-{comment.id}",
        "issue_url": f"{view.urls.repo(repo)}/issues/{thread.number}",
        "id": comment.id,
        "node_id": node_id("IssueComment", comment.id),
        "user": simple_user(comment.author, view),
        "created_at": format_time(comment.created_at),
        "updated_at": format_time(comment.updated_at),
        "author_association": author_association(comment.author, repo, view.world),
        "body": f"Synthetic comment {comment.id} on #{thread.number}.",
        "reactions": reactions_summary(comment.id, f"{url}/reactions"),
        "performed_via_github_app": None,
    }


# --- pull requests, reviews, commits ------------------------------------------


def head_sha(thread: Thread) -> str:
    return sha(f"commit:{thread.pull_id}:{commit_count(thread) - 1}")


def commit_count(thread: Thread) -> int:
    return 1 + mix(thread.id, 0xC0) % 4


def review(item: Review, view: View, *, for_event: bool = False) -> JSON:
    thread = item.thread
    repo = thread.repo
    html = f"{view.urls.web}/{repo.full_name}/pull/{thread.number}#pullrequestreview-{item.id}"
    pull_url = f"{view.urls.repo(repo)}/pulls/{thread.number}"
    body: JSON = {
        "id": item.id,
        "node_id": node_id("PullRequestReview", item.id),
        "user": simple_user(item.author, view),
        "body": "" if mix(item.id) % 3 else f"Synthetic review {item.id}.",
        "state": str(item.state).lower() if for_event else str(item.state),
        "html_url": html,
        "pull_request_url": pull_url,
        "author_association": author_association(item.author, repo, view.world),
        "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
    }
    if item.submitted_at is not None:
        body["submitted_at"] = format_time(item.submitted_at)
    body["commit_id"] = head_sha(thread)
    if for_event:
        body["updated_at"] = body.get("submitted_at")
    return body


def trimmed_pull_request(thread: Thread, view: View) -> JSON:
    """The pull request as events carry it since October 2025: no title, user or merge state."""
    repo = thread.repo
    short_repo = {"id": repo.id, "name": repo.full_name, "url": view.urls.repo(repo)}
    return {
        "url": f"{view.urls.repo(repo)}/pulls/{thread.number}",
        "id": thread.pull_id,
        "number": thread.number,
        "head": {"ref": f"feature/{thread.number}", "sha": head_sha(thread), "repo": short_repo},
        "base": {"ref": "main", "sha": sha(f"base:{thread.pull_id}"), "repo": short_repo},
    }


def pull_request(thread: Thread, view: View, *, detailed: bool = True) -> JSON:
    """The pull request object; `detailed` is GET /pulls/{number}, otherwise the list item."""
    repo = thread.repo
    url = f"{view.urls.repo(repo)}/pulls/{thread.number}"
    web = f"{view.urls.web}/{repo.full_name}/pull/{thread.number}"
    issue_url = f"{view.urls.repo(repo)}/issues/{thread.number}"
    merged = thread.merged_at is not None
    body: JSON = {
        "url": url,
        "id": thread.pull_id,
        "node_id": node_id("PullRequest", thread.pull_id),
        "html_url": web,
        "diff_url": f"{web}.diff",
        "patch_url": f"{web}.patch",
        "issue_url": issue_url,
        "number": thread.number,
        "state": "closed" if thread.closed_at is not None else "open",
        "locked": False,
        "title": thread.title,
        "user": simple_user(thread.author, view),
        "body": f"{thread.title}.\n\nSynthetic pull request body.",
        "created_at": format_time(thread.created_at),
        "updated_at": format_time(thread.updated_at),
        "closed_at": time_or_none(thread.closed_at),
        "merged_at": time_or_none(thread.merged_at),
        "merge_commit_sha": sha(f"merge:{thread.pull_id}"),
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [label_json(index, repo, view) for index in thread.labels],
        "milestone": None,
        "draft": thread.draft and thread.closed_at is None,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{view.urls.repo(repo)}/pulls/comments{{/number}}",
        "comments_url": f"{issue_url}/comments",
        "statuses_url": f"{view.urls.repo(repo)}/statuses/{head_sha(thread)}",
        "head": _branch(thread, view, f"feature/{thread.number}", head_sha(thread)),
        "base": _branch(thread, view, "main", sha(f"base:{thread.pull_id}")),
        "_links": _pull_links(url, web, issue_url, view.urls.repo(repo), head_sha(thread)),
        "author_association": author_association(thread.author, repo, view.world),
        "auto_merge": None,
        "active_lock_reason": None,
    }
    if not detailed:
        return body
    body.update(
        {
            "merged": merged,
            "mergeable": None if thread.closed_at is not None else True,
            "rebaseable": None if thread.closed_at is not None else True,
            "mergeable_state": "unknown" if thread.closed_at is not None else "clean",
            "merged_by": simple_user(thread.closed_by, view) if merged and thread.closed_by else None,
            "comments": len(thread.comments),
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": commit_count(thread),
            "additions": mix(thread.id, 1) % 400,
            "deletions": mix(thread.id, 2) % 150,
            "changed_files": 1 + mix(thread.id, 3) % 12,
        }
    )
    return body


def _branch(thread: Thread, view: View, ref: str, commit: str) -> JSON:
    repo = thread.repo
    return {
        "label": f"{repo.owner.login}:{ref}",
        "ref": ref,
        "sha": commit,
        "user": simple_user(repo.owner, view),
        "repo": repository(repo, view, detailed=False),
    }


def _pull_links(url: str, web: str, issue_url: str, repo_url: str, commit: str) -> JSON:
    return {
        "self": {"href": url},
        "html": {"href": web},
        "issue": {"href": issue_url},
        "comments": {"href": f"{issue_url}/comments"},
        "review_comments": {"href": f"{url}/comments"},
        "review_comment": {"href": f"{repo_url}/pulls/comments{{/number}}"},
        "commits": {"href": f"{url}/commits"},
        "statuses": {"href": f"{repo_url}/statuses/{commit}"},
    }


def pull_commits(thread: Thread, view: View) -> list[JSON]:
    repo = thread.repo
    author = thread.author
    commits = []
    previous = sha(f"base:{thread.pull_id}")
    total = commit_count(thread)
    for position in range(total):
        commit = sha(f"commit:{thread.pull_id}:{position}")
        moment = format_time(thread.created_at - 600 * (total - position))
        person = {
            "name": author.name,
            "email": f"{author.id}+{author.login}@users.noreply.github.com",
            "date": moment,
        }
        commits.append(
            {
                "sha": commit,
                "node_id": node_id("Commit", mix(thread.id, position)),
                "commit": {
                    "author": person,
                    "committer": person,
                    "message": f"{thread.title} (part {position + 1})",
                    "tree": {
                        "sha": sha(f"tree:{commit}"),
                        "url": f"{view.urls.repo(repo)}/git/trees/{sha(f'tree:{commit}')}",
                    },
                    "url": f"{view.urls.repo(repo)}/git/commits/{commit}",
                    "comment_count": 0,
                    "verification": {
                        "verified": False,
                        "reason": "unsigned",
                        "signature": None,
                        "payload": None,
                        "verified_at": None,
                    },
                },
                "url": f"{view.urls.repo(repo)}/commits/{commit}",
                "html_url": f"{view.urls.web}/{repo.full_name}/commit/{commit}",
                "comments_url": f"{view.urls.repo(repo)}/commits/{commit}/comments",
                "author": simple_user(author, view),
                "committer": simple_user(author, view),
                "parents": [
                    {
                        "sha": previous,
                        "url": f"{view.urls.repo(repo)}/commits/{previous}",
                        "html_url": f"{view.urls.web}/{repo.full_name}/commit/{previous}",
                    }
                ],
            }
        )
        previous = commit
    return commits


# --- events -------------------------------------------------------------------


def event(item: Event, view: View) -> JSON:
    actor = item.actor
    repo = item.thread.repo
    body: JSON = {
        "id": str(item.id),
        "type": str(item.type),
        "actor": {
            "id": actor.id,
            "login": actor.login,
            "display_login": actor.login.removesuffix("[bot]"),
            "gravatar_id": "",
            "url": view.urls.user(actor.login),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{actor.id}?",
        },
        "repo": {"id": repo.id, "name": repo.full_name, "url": view.urls.repo(repo)},
        "payload": _event_payload(item, view),
        "public": True,
        "created_at": format_time(item.created_at),
    }
    if repo.owner.type is AccountType.ORGANIZATION:
        owner = repo.owner
        body["org"] = {
            "id": owner.id,
            "login": owner.login,
            "gravatar_id": "",
            "url": f"{view.urls.api}/orgs/{owner.login}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{owner.id}?",
        }
    return body


def _event_payload(item: Event, view: View) -> JSON:
    thread = item.thread
    if item.type is EventType.ISSUES:
        return {"action": item.action, "issue": issue(thread, view, as_of=item.created_at)}
    if item.type is EventType.ISSUE_COMMENT and item.comment is not None:
        return {
            "action": "created",
            "issue": issue(thread, view, as_of=item.created_at),
            "comment": issue_comment(item.comment, view),
        }
    if item.type is EventType.PULL_REQUEST_REVIEW and item.review is not None:
        return {
            "action": "created",
            "review": review(item.review, view, for_event=True),
            "pull_request": trimmed_pull_request(thread, view),
        }
    return {
        "action": item.action,
        "number": thread.number,
        "pull_request": trimmed_pull_request(thread, view),
    }
