"""The digest as a Slack message (Block Kit objects plus a `text` fallback) and as plain text.

Pure. Every piece of untrusted text (titles, repo names, logins, names) goes through
`escape_mrkdwn`, so it cannot mention anyone (`<!channel>`, `<@U…>`) nor forge a link, and
mrkdwn text objects are sent `verbatim` so that Slack does not link-ify names on its own.
Slack's limits (blocks per message, characters per section and header) are met by cutting
lists short with "and N more", never by failing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from tracker.digest import Change, DigestContent, MergedPullRequest, PersonLine
from tracker.domain import KIND_LABELS
from tracker.openness import LicenseChange, LicenseClass
from tracker.periods import EN_DASH, local_time

SPARK_LEVELS = "▁▂▃▄▅▆▇█"
TITLE_CHARS = 120
ELLIPSIS = "…"
LICENSE_MARKERS: dict[LicenseClass, str] = {
    LicenseClass.NOT_OSI: "non-OSI license",
    LicenseClass.UNKNOWN: "unidentified license",
    LicenseClass.NONE: "no license",
}


@dataclass(frozen=True, slots=True)
class SlackLimits:
    blocks: int = 50
    section_chars: int = 3000
    header_chars: int = 150
    fallback_chars: int = 3000


SLACK_LIMITS = SlackLimits()


@dataclass(frozen=True, slots=True)
class SlackMessage:
    text: str
    blocks: tuple[Block, ...]

    def payload(self) -> dict[str, Any]:
        """The exact JSON body posted (without the channel)."""
        return {
            "text": self.text,
            "blocks": [block.to_dict() for block in self.blocks],
            "unfurl_links": False,
            "unfurl_media": False,
        }


# --- markup -------------------------------------------------------------------------------------


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters, escaped as Slack documents it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit for `<url|label>`, or None for anything else."""
    if url is None or not url.lower().startswith(("https://", "http://")) or any(c.isspace() for c in url):
        return None
    return escape_mrkdwn(url).replace("|", "%7C")


@dataclass(frozen=True, slots=True)
class Markup:
    """How a renderer writes emphasis and links; the same sentences serve Slack and plain text."""

    escape: Callable[[str], str]
    bold: Callable[[str], str]
    code: Callable[[str], str]
    link: Callable[[str | None, str], str]
    bullet: str


def _mrkdwn_link(url: str | None, label: str) -> str:
    target = safe_url(url)
    return f"<{target}|{label}>" if target else label


MRKDWN = Markup(
    escape=escape_mrkdwn,
    bold=lambda text: f"*{text}*",
    code=lambda text: f"`{text}`",
    link=_mrkdwn_link,
    bullet="•",
)
FALLBACK = Markup(
    escape=escape_mrkdwn,
    bold=lambda text: text,
    code=lambda text: text,
    link=lambda url, label: label,
    bullet="•",
)
PLAIN = Markup(
    escape=lambda text: text,
    bold=lambda text: text,
    code=lambda text: text,
    link=lambda url, label: label,
    bullet="  •",
)


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + ELLIPSIS


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count:,} {singular if count == 1 else (plural_form or singular + 's')}"


def delta_text(change: Change) -> str:
    if change.delta > 0:
        return f"▲ {change.delta:,}"
    if change.delta < 0:
        return f"▼ {-change.delta:,}"
    return "—"


def sparkline(values: Sequence[int]) -> str:
    """▁ for zero, ▂ to █ for the rest in proportion to the largest."""
    top = max(values, default=0)
    steps = len(SPARK_LEVELS) - 1
    return "".join(
        SPARK_LEVELS[0] if value <= 0 else SPARK_LEVELS[max(1, round(value * steps / top))]
        for value in values
    )


# --- sentences ----------------------------------------------------------------------------------


def header_text(content: DigestContent) -> str:
    return f"{content.org} · open-source AI · {content.period.label}"


def headline(content: DigestContent, m: Markup) -> str:
    org = m.bold(m.escape(content.org))
    if content.is_empty:
        return (
            f"🌱 A quiet {content.period.kind}: no counted contributions from {org} "
            f"to open-source AI projects this time. See you next {content.period.kind}!"
        )
    gave = m.bold(plural(content.total.current, "contribution"))
    projects = m.bold(plural(content.repo_count.current, "open-source AI project"))
    people = m.bold(plural(content.contributors.current, "person", "people"))
    return f"This {content.period.kind} {org} gave {gave} to {projects}, from {people}."


def total_rows(content: DigestContent) -> list[tuple[str, Change]]:
    rows = [(_capitalized(KIND_LABELS[kind]), change) for kind, change in content.by_kind]
    return [*rows, ("Contributors", content.contributors), ("Projects", content.repo_count)]


def _capitalized(label: str) -> str:
    return label[:1].upper() + label[1:]


def comparison_note(content: DigestContent) -> str | None:
    if content.previous is None:
        return None
    return f"▲ ▼ against the previous {content.period.kind} ({content.previous.label})"


def openness_lines(content: DigestContent, m: Markup) -> list[str]:
    lines: list[str] = []
    percent = content.openness.osi_percent
    if percent is not None:
        lines.append(
            f"🔓 {m.bold(f'{percent}%')} of this {content.period.kind}'s contributions went to "
            "projects under an OSI-approved license."
        )
    lines.extend(license_change_line(change, content, m) for change in content.openness.license_changes)
    return lines


def license_change_line(change: LicenseChange, content: DigestContent, m: Markup) -> str:
    old = m.code(m.escape(change.old or "no license"))
    new = m.code(m.escape(change.new or "no license"))
    seen = change.seen_at.astimezone(ZoneInfo(content.period.timezone))
    return (
        f"📜 License change: {m.bold(m.escape(change.full_name))} went from {old} to {new} "
        f"(seen {seen.day} {seen:%b})."
    )


def person_label(login: str, name: str | None, m: Markup) -> str:
    if name and name.lower() != login.lower():
        return f"{m.escape(name)} ({m.escape(login)})"
    return m.escape(login)


def repo_lines(content: DigestContent, m: Markup) -> list[str]:
    lines = []
    for repo in content.repos.items:
        marker = LICENSE_MARKERS.get(repo.license_class)
        suffix = f" · {m.code(marker)}" if marker else ""
        lines.append(f"{m.bullet} {m.link(repo.url, m.escape(repo.name))} · {repo.count:,}{suffix}")
    return lines


def people_lines(content: DigestContent, m: Markup) -> list[str]:
    return [_person_line(person, m) for person in content.people.items]


def _person_line(person: PersonLine, m: Markup) -> str:
    return f"{m.bullet} {person_label(person.login, person.name, m)} · {person.count:,}"


def team_lines(content: DigestContent, m: Markup) -> list[str]:
    if content.teams is None:
        return []
    return [
        f"{m.bullet} {m.escape(team.name)} · {team.count:,} from {plural(team.people, 'person', 'people')}"
        for team in content.teams.items
    ]


def first_contribution_lines(content: DigestContent, m: Markup) -> list[str]:
    return [_first_line(pull, m) for pull in content.first_contributions.items]


def _first_line(pull: MergedPullRequest, m: Markup) -> str:
    who = person_label(pull.author or "", pull.author_name, m)
    repo = m.link(pull.repo_url, m.escape(pull.repo))
    return f"{m.bullet} {who} → {repo} ({m.link(pull.url, f'#{pull.number}')})"


def highlight_lines(content: DigestContent, m: Markup, *, with_urls: bool = False) -> list[str]:
    return [_highlight_line(pull, m, with_urls) for pull in content.highlights.items]


def _highlight_line(pull: MergedPullRequest, m: Markup, with_urls: bool) -> str:
    title = m.link(pull.url, m.escape(shorten(pull.title, TITLE_CHARS)))
    who = person_label(pull.author or "", pull.author_name, m)
    first = " · 🎉 first contribution" if pull.first else ""
    line = f"{m.bullet} {title} · {m.escape(pull.repo)} #{pull.number} · {who}{first}"
    return f"{line}\n      {pull.url}" if with_urls else line


def trend_line(content: DigestContent, m: Markup) -> str | None:
    points = content.trend
    if len(points) < 2 or all(point.total == 0 for point in points):
        return None
    spark = m.code(sparkline([point.total for point in points]))
    span = f"{points[0].label} {EN_DASH} {points[-1].label}"
    return (
        f"{m.bold(f'Last {len(points)} {content.period.kind}s')}  {spark}  "
        f"{points[0].total:,} → {points[-1].total:,} ({span})"
    )


def freshness_lines(content: DigestContent, now: datetime) -> list[str]:
    fresh = content.freshness
    zone = content.period.timezone
    if fresh.last_success_at is None:
        return ["⚠️ No sync has completed yet: these numbers come from an empty or partial database."]
    lines = [f"Data as of the last successful sync, which ended {local_time(fresh.last_success_at, zone)}."]
    if fresh.last_sync_failed:
        lines.append("⚠️ The last sync failed: run `tracker sync` and check its log.")
    if fresh.stale:
        lines.append(f"⚠️ That sync is {_age(now - fresh.last_success_at)} old; newer work is missing.")
    elif fresh.ends_before_period:
        lines.append(f"⚠️ That sync ended before the {content.period.kind} did; its last days may be missing.")
    return lines


def _age(age: timedelta) -> str:
    days = int(age.total_seconds() // 86400)
    return plural(days, "day") if days >= 1 else plural(int(age.total_seconds() // 3600), "hour")


def more_line(count: int) -> str:
    return f"_and {count:,} more_"


# --- lists that fit ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListSection:
    title: str
    lines: Sequence[str]
    more: int


def list_sections(section: ListSection, *, max_blocks: int, max_chars: int) -> list[str]:
    """Section texts holding the title and as many whole lines as fit, then "and N more".

    Lines are never cut (a cut could break a link); one that cannot fit is left out and
    counted in "and N more", like everything after it.
    """
    reserve = len(more_line(len(section.lines) + section.more)) + 1
    chunks: list[list[str]] = [[section.title]]
    shown = 0
    for line in section.lines:
        if _fits(chunks[-1], line, max_chars - reserve):
            chunks[-1].append(line)
        elif len(chunks) < max_blocks and len(line) <= max_chars - reserve:
            chunks.append([line])
        else:
            break
        shown += 1
    hidden = len(section.lines) - shown + section.more
    if hidden:
        chunks[-1].append(more_line(hidden))
    return ["\n".join(chunk) for chunk in chunks]


def _fits(chunk: list[str], line: str, limit: int) -> bool:
    return sum(len(text) + 1 for text in chunk) + len(line) <= limit


def content_lists(content: DigestContent, m: Markup, *, with_urls: bool = False) -> list[ListSection]:
    kind = content.period.kind
    sections = [
        ListSection(m.bold("Where it went"), repo_lines(content, m), content.repos.more),
        ListSection(m.bold(f"Who gave this {kind}"), people_lines(content, m), content.people.more),
    ]
    if content.teams is not None and content.teams.items:
        sections.append(ListSection(m.bold("Teams"), team_lines(content, m), content.teams.more))
    sections.append(
        ListSection(
            m.bold("🎉 First contributions"),
            first_contribution_lines(content, m),
            content.first_contributions.more,
        )
    )
    sections.append(
        ListSection(
            m.bold("Highlights: merged PRs"),
            highlight_lines(content, m, with_urls=with_urls),
            content.highlights.more,
        )
    )
    return [section for section in sections if section.lines or section.more]


# --- Slack --------------------------------------------------------------------------------------


def build_message(
    content: DigestContent, *, now: datetime, limits: SlackLimits = SLACK_LIMITS
) -> SlackMessage:
    head = _head_blocks(content, limits)
    tail = _tail_blocks(content, now)
    budget = limits.blocks - len(head) - len(tail)
    middle = [] if content.is_empty else _list_blocks(content, budget, limits)
    return SlackMessage(text=fallback_text(content, limits), blocks=(*head, *middle, *tail))


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text, verbatim=True))


def _context(lines: Sequence[str]) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text="\n".join(lines), verbatim=True)])


def _head_blocks(content: DigestContent, limits: SlackLimits) -> list[Block]:
    blocks: list[Block] = [
        HeaderBlock(
            text=PlainTextObject(text=shorten(header_text(content), limits.header_chars), emoji=True)
        ),
        _section(shorten_block(headline(content, MRKDWN), limits.section_chars)),
    ]
    if content.is_empty:
        return blocks
    fields = [
        MarkdownTextObject(text=f"*{label}*\n{change.current:,}   {delta_text(change)}", verbatim=True)
        for label, change in total_rows(content)
    ]
    blocks.append(SectionBlock(fields=fields))
    note = comparison_note(content)
    if note:
        blocks.append(_context([note]))
    openness = openness_lines(content, MRKDWN)
    if openness:
        lines = ListSection(openness[0], openness[1:], 0)
        blocks.extend(
            _section(text) for text in list_sections(lines, max_blocks=1, max_chars=limits.section_chars)
        )
    blocks.append(DividerBlock())
    return blocks


def shorten_block(text: str, limit: int) -> str:
    """A section text of our own wording that is too long (it never is in practice): cut it."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _list_blocks(content: DigestContent, budget: int, limits: SlackLimits) -> list[Block]:
    sections = content_lists(content, MRKDWN)
    blocks: list[Block] = []
    for index, section in enumerate(sections):
        allowed = budget - len(blocks) - (len(sections) - index - 1)
        if allowed < 1:
            break
        texts = list_sections(section, max_blocks=allowed, max_chars=limits.section_chars)
        blocks.extend(_section(text) for text in texts)
    return blocks


def _tail_blocks(content: DigestContent, now: datetime) -> list[Block]:
    blocks: list[Block] = []
    trend = trend_line(content, MRKDWN)
    if trend:
        blocks.append(_section(trend))
    blocks.append(DividerBlock())
    blocks.append(_context(freshness_lines(content, now)))
    return blocks


def fallback_text(content: DigestContent, limits: SlackLimits = SLACK_LIMITS) -> str:
    """The notification and accessibility text: the header and the headline, escaped."""
    text = f"{escape_mrkdwn(header_text(content))}: {headline(content, FALLBACK)}"
    return shorten_block(text, limits.fallback_chars)


# --- plain text (--dry-run --format text) -------------------------------------------------------


def render_text(content: DigestContent, *, now: datetime) -> str:
    parts = [header_text(content), headline(content, PLAIN)]
    if not content.is_empty:
        parts.append(_totals_table(content))
        parts.extend(filter(None, ["\n".join(openness_lines(content, PLAIN))]))
        for section in content_lists(content, PLAIN, with_urls=True):
            more = [f"  and {section.more:,} more"] if section.more else []
            parts.append("\n".join([section.title, *section.lines, *more]))
    trend = trend_line(content, PLAIN)
    if trend:
        parts.append(trend)
    parts.append("\n".join(freshness_lines(content, now)))
    return "\n\n".join(parts) + "\n"


def _totals_table(content: DigestContent) -> str:
    rows = total_rows(content)
    width = max(len(label) for label, _ in rows)
    lines = [f"  {label:<{width}}  {change.current:>6,}  {delta_text(change)}" for label, change in rows]
    note = comparison_note(content)
    return "\n".join([*lines, f"  {note}" if note else ""]).rstrip()
