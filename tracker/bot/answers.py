"""The bot's answers as Slack messages: Block Kit (`slack_sdk.models.blocks`) plus a `text` fallback.

Pure. Text from the store (titles, names, logins, teams, repo names) goes through the digest's
`escape_mrkdwn`, mrkdwn is sent `verbatim`, and what a person typed is never repeated, so an
answer can neither ping anyone (`<!channel>`, `<@U…>`) nor forge a link. Each answer names the
`tracker stats` command that prints the same numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from tracker.bot.numbers import OrgNumbers, PersonNumbers, RepoNumbers, TopRepos
from tracker.bot.windows import RECENT_WEEKS, Window
from tracker.digest.blocks import SLACK_LIMITS, list_sections
from tracker.digest.content import KIND_ORDER, TOP_REPOS, Change, PeriodSummary
from tracker.digest.text import (
    FALLBACK,
    LICENSE_MARKERS,
    MRKDWN,
    TITLE_CHARS,
    ListSection,
    Markup,
    delta_text,
    escape_mrkdwn,
    person_label,
    plural,
    shorten,
)
from tracker.domain import KIND_LABELS, CountedContribution, Kind
from tracker.periods import local_time
from tracker.reports import StatsRow

DEFAULT_COMMAND = "/contrib"
_COMMAND_NAME = re.compile(r"/[a-z0-9_-]{1,31}")
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
KIND_SINGULAR: dict[Kind, str] = {
    Kind.PR_MERGED: "PR merged",
    Kind.PR_OPENED: "PR opened",
    Kind.REVIEW: "review",
    Kind.ISSUE_OPENED: "issue opened",
    Kind.COMMENT: "comment",
}


@dataclass(frozen=True, slots=True)
class BotAnswer:
    """`private`: it shows the numbers of someone whose roster entry is `public = false`, so it
    may only ever be shown to that person."""

    text: str
    blocks: tuple[Block, ...]
    private: bool = False

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": [block.to_dict() for block in self.blocks]}


@dataclass(frozen=True, slots=True)
class Footer:
    """What closes every answer with numbers: where they come from and how fresh they are."""

    synced_at: datetime
    timezone: str


def invocation(command: str | None) -> str:
    """How people call the bot, for the help: the slash command it was installed under."""
    return command if command is not None and _COMMAND_NAME.fullmatch(command) else DEFAULT_COMMAND


# --- answers without numbers --------------------------------------------------------------------


def help_answer(org: str, call: str, problem: str | None = None) -> BotAnswer:
    c = escape_mrkdwn(call)
    lines = [
        f"*Ask me what {escape_mrkdwn(org)} gives to open-source AI*",
        f"• `{c} week` or `{c} month`: the last complete week or month, each number with its change",
        f"• `{c} me`: your own contributions in the last {RECENT_WEEKS} complete weeks, by kind and repo",
        f"• `{c} person LOGIN` or `{c} @someone`: a colleague's, the same way",
        f"• `{c} repo OWNER/NAME`: what went to one repo, and from whom",
        f"• `{c} top`: the repos that received the most this month",
        "• add `since YYYY-MM-DD` (and `until YYYY-MM-DD`, exclusive) to any of them for other days",
    ]
    blocks: list[Block] = [_section("\n".join(lines))]
    if problem:
        blocks.insert(0, _section(escape_mrkdwn(problem)))
    return BotAnswer(escape_mrkdwn(problem or f"What I can answer: {call} help"), tuple(blocks))


def never_synced_answer() -> BotAnswer:
    return _sentence(
        "No sync has completed yet, so there is nothing to count: run `tracker sync` "
        "(or wait for the scheduled one) and ask again."
    )


def unmatched_answer(user_id: str) -> BotAnswer:
    member = f" (`{user_id}`)" if _SLACK_USER_ID.fullmatch(user_id) else ""
    return _sentence(
        "I do not know which GitHub account is yours: ask whoever keeps the tracker's roster to add "
        f"your Slack member ID{member} as `slack`, or your Slack email as `email`, to your entry."
    )


def unknown_slack_user_answer() -> BotAnswer:
    return _sentence(
        "That person is not tracked: their Slack account is in no roster entry "
        "(as `slack` or `email`). Try `person LOGIN` with their GitHub login."
    )


def not_tracked_answer(login: str | None) -> BotAnswer:
    """The same words for someone not counted and someone whose numbers are private to them."""
    who = f"`{escape_mrkdwn(login)}`" if login else "That person"
    return _sentence(f"{who} is not tracked, or keeps their numbers private.")


def you_are_not_tracked_answer(login: str) -> BotAnswer:
    return _sentence(
        f"The roster says you are `{escape_mrkdwn(login)}`, but that login is not counted "
        "(excluded, a bot, or neither in the organization nor in the roster's windows)."
    )


def apology_answer() -> BotAnswer:
    return _sentence("Something went wrong on the tracker's side; its log says what. Please try again later.")


def window_problem_answer(problem: str) -> BotAnswer:
    return _sentence(escape_mrkdwn(problem))


# --- answers with numbers -----------------------------------------------------------------------


def org_answer(org: str, numbers: OrgNumbers, footer: Footer) -> BotAnswer:
    summary, before = numbers.current, numbers.before
    head = _org_sentence(org, summary, numbers.window, MRKDWN)
    blocks: list[Block] = [_section(head)]
    if summary.total or before.total:
        changes = [
            *(
                (KIND_LABELS[kind], Change(summary.by_kind[kind], before.by_kind[kind]))
                for kind in KIND_ORDER
            ),
            ("contributors", Change(summary.contributors, before.contributors)),
            ("projects", Change(summary.repos, before.repos)),
        ]
        blocks.append(
            _fields([f"*{_capital(label)}*\n{c.current:,}   {delta_text(c)}" for label, c in changes])
        )
        blocks.append(_context([f"▲ ▼ against {numbers.previous.label}"]))
    blocks.append(_footer(f"tracker stats --by kind {numbers.window.stats_options()}", footer))
    return BotAnswer(_org_sentence(org, summary, numbers.window, FALLBACK), tuple(blocks))


def person_answer(numbers: PersonNumbers, footer: Footer, *, to_self: bool) -> BotAnswer:
    person, summary = numbers.person, numbers.summary
    who = person_label(person.login, person.name, MRKDWN)
    team = f" · {escape_mrkdwn(person.team)}" if person.team else ""
    blocks: list[Block] = [_section(f"*{who}*{team}\n{_given(summary, numbers.window, MRKDWN)}")]
    if summary.total:
        blocks.append(_kind_fields(summary))
        shown = numbers.repos[:TOP_REPOS]
        lines = [_repo_line(row, numbers.repo_urls.get(row.group)) for row in shown]
        blocks.extend(_list("*Where it went*", lines, len(numbers.repos) - len(shown)))
        blocks.extend(_list("*Merged*", [_merged_line(row) for row in numbers.merged]))
    if not person.public:
        whose = "your roster entry is" if to_self else "this person's roster entry is"
        blocks.append(_context([f"🔒 Only you see this: {whose} not public."]))
    cli = f"tracker stats --by repo --login {escape_mrkdwn(person.login)} {numbers.window.stats_options()}"
    blocks.append(_footer(cli, footer))
    text = f"{person_label(person.login, person.name, FALLBACK)}: {_given(summary, numbers.window, FALLBACK)}"
    return BotAnswer(text, tuple(blocks), private=not person.public)


def repo_answer(org: str, numbers: RepoNumbers, footer: Footer) -> BotAnswer:
    name = escape_mrkdwn(numbers.name)
    if not numbers.counted and not numbers.summary.total:
        return _sentence(
            f"*{name}* is not among the repos the tracker counts, so nothing is counted there: "
            "`tracker repos` says which repos count and why."
        )
    summary = numbers.summary
    sentence = _repo_sentence(org, summary, numbers.window, MRKDWN)
    blocks: list[Block] = [_section(f"*{name}*\n{sentence}")]
    if summary.total:
        blocks.append(_kind_fields(summary))
        people = [
            f"• {person_label(line.login, line.name, MRKDWN)} · {line.count:,}"
            for line in numbers.people.items
        ]
        blocks.extend(_list("*Who gave*", people, numbers.people.more))
        blocks.extend(_list("*Merged*", [_merged_line(row) for row in numbers.merged]))
    blocks.append(_footer(f"tracker stats --by login --repo {name} {numbers.window.stats_options()}", footer))
    return BotAnswer(f"{name}: {_repo_sentence(org, summary, numbers.window, FALLBACK)}", tuple(blocks))


def top_answer(org: str, top: TopRepos, footer: Footer) -> BotAnswer:
    title = f"Where {escape_mrkdwn(org)} gave most in {escape_mrkdwn(top.window.label)}"
    if not top.summary.total:
        sentence = f"No counted contributions from {escape_mrkdwn(org)} in {escape_mrkdwn(top.window.label)}."
        return BotAnswer(sentence, (_section(sentence), _footer(_top_cli(top), footer)))
    lines = []
    for rank, repo in enumerate(top.repos.items, start=1):
        marker = LICENSE_MARKERS.get(repo.license_class)
        suffix = f" · `{marker}`" if marker else ""
        lines.append(f"{rank}. {MRKDWN.link(repo.url, escape_mrkdwn(repo.name))} · {repo.count:,}{suffix}")
    blocks = [*_list(f"*{title}*", lines, top.repos.more), _footer(_top_cli(top), footer)]
    return BotAnswer(f"{title}: {plural(top.summary.total, 'contribution')}", tuple(blocks))


def _top_cli(top: TopRepos) -> str:
    return f"tracker stats --by repo {top.window.stats_options()}"


# --- sentences ----------------------------------------------------------------------------------


def _org_sentence(org: str, summary: PeriodSummary, window: Window, m: Markup) -> str:
    name, label = m.bold(m.escape(org)), m.escape(window.label)
    if not summary.total:
        return f"No counted contributions from {name} to open-source AI projects in {label}."
    gave = m.bold(plural(summary.total, "contribution"))
    projects = m.bold(plural(summary.repos, "open-source AI project"))
    people = m.bold(plural(summary.contributors, "person", "people"))
    return f"In {label} {name} gave {gave} to {projects}, from {people}."


def _given(summary: PeriodSummary, window: Window, m: Markup) -> str:
    label = m.escape(window.label)
    if not summary.total:
        return f"No counted contributions in {label}."
    gave = m.bold(plural(summary.total, "contribution"))
    return f"{gave} to {m.bold(plural(summary.repos, 'open-source AI project'))} in {label}."


def _repo_sentence(org: str, summary: PeriodSummary, window: Window, m: Markup) -> str:
    name, label = m.bold(m.escape(org)), m.escape(window.label)
    if not summary.total:
        return f"No counted contributions from {name} in {label}."
    gave = m.bold(plural(summary.total, "contribution"))
    people = m.bold(plural(summary.contributors, "person", "people"))
    return f"In {label} {name} gave {gave}, from {people}."


def _repo_line(row: StatsRow, url: str | None) -> str:
    kinds = ", ".join(_kind_count(kind, row.counts[kind]) for kind in KIND_ORDER if row.counts[kind])
    return f"• {MRKDWN.link(url, escape_mrkdwn(row.group))} · {row.total:,}: {kinds}"


def _kind_count(kind: Kind, count: int) -> str:
    return f"{count:,} {KIND_SINGULAR[kind] if count == 1 else KIND_LABELS[kind]}"


def _merged_line(row: CountedContribution) -> str:
    title = MRKDWN.link(row.url, escape_mrkdwn(shorten(row.title, TITLE_CHARS)))
    return f"• {title} · {escape_mrkdwn(row.repo)} #{row.number}"


def _capital(label: str) -> str:
    return label[:1].upper() + label[1:]


# --- blocks -------------------------------------------------------------------------------------


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text, verbatim=True))


def _context(lines: Sequence[str]) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text="\n".join(lines), verbatim=True)])


def _fields(texts: Sequence[str]) -> SectionBlock:
    return SectionBlock(fields=[MarkdownTextObject(text=text, verbatim=True) for text in texts])


def _kind_fields(summary: PeriodSummary) -> SectionBlock:
    return _fields([f"*{_capital(KIND_LABELS[kind])}*\n{summary.by_kind[kind]:,}" for kind in KIND_ORDER])


def _list(title: str, lines: Sequence[str], more: int = 0) -> list[Block]:
    if not lines and not more:
        return []
    texts = list_sections(ListSection(title, lines, more), max_blocks=1, max_chars=SLACK_LIMITS.section_chars)
    return [_section(text) for text in texts]


def _footer(cli: str, footer: Footer) -> ContextBlock:
    synced = local_time(footer.synced_at, footer.timezone)
    return _context([f"Same numbers: `{cli}`", f"Data as of the last sync, which ended {synced}."])


def _sentence(text: str) -> BotAnswer:
    return BotAnswer(text, (_section(text),))
