"""The digest in words: its sentences, mrkdwn escaping and markup, and plain-text renderings.

Pure. Every piece of untrusted text (titles, repo names, logins, names) goes through
`escape_mrkdwn`, so it cannot mention anyone (`<!channel>`, `<@U…>`) nor forge a link. The same
sentences are written in Slack mrkdwn, as a plain `text` fallback, and as plain text for
`tracker digest --dry-run`, each through its `Markup`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tracker.digest.content import Change, DigestContent, MergedPullRequest, PersonLine
from tracker.domain import KIND_LABELS
from tracker.openness import LicenseChange, LicenseClass
from tracker.periods import EN_DASH, Period, local_time

SPARK_LEVELS = "▁▂▃▄▅▆▇█"
TITLE_CHARS = 120
FALLBACK_CHARS = 3000
ELLIPSIS = "…"
LICENSE_MARKERS: dict[LicenseClass, str] = {
    LicenseClass.NOT_OSI: "non-OSI license",
    LicenseClass.UNKNOWN: "unidentified license",
    LicenseClass.NONE: "no license",
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


def shorten_block(text: str, limit: int) -> str:
    """A section text of our own wording that is too long (it never is in practice): cut it."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


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


def period_phrase(period: Period) -> str:
    return f"the week {period.label}" if period.kind == "week" else period.label


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


def membership_note(content: DigestContent) -> str | None:
    """How many people joined and left during the period: numbers only, never names."""
    joined, left, kind = content.joined, content.left, content.period.kind
    if joined and left:
        return f"👋 {plural(joined, 'person', 'people')} joined and {left:,} left this {kind}"
    if joined or left:
        count = joined or left
        return f"👋 {plural(count, 'person', 'people')} {'joined' if joined else 'left'} this {kind}"
    return None


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


# --- lists --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListSection:
    title: str
    lines: Sequence[str]
    more: int


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


# --- fallback and plain text (--dry-run --format text) ------------------------------------------


def fallback_text(content: DigestContent, limit: int = FALLBACK_CHARS) -> str:
    """The `text` sent beside the blocks (notifications, accessibility): header and headline, escaped."""
    text = f"{escape_mrkdwn(header_text(content))}: {headline(content, FALLBACK)}"
    return shorten_block(text, limit)


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
    notes = [f"  {note}" for note in (comparison_note(content), membership_note(content)) if note]
    return "\n".join([*lines, *notes])
