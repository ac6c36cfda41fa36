"""The digest as a Slack message: Block Kit objects (`slack_sdk.models.blocks`) plus a `text` fallback.

Pure. mrkdwn text objects are sent `verbatim` so that Slack does not link-ify names on its own.
Slack's limits (blocks per message, characters per section and header) are met by cutting
lists short with "and N more", never by failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from tracker.digest.content import DigestContent
from tracker.digest.text import (
    FALLBACK_CHARS,
    MRKDWN,
    ListSection,
    comparison_note,
    content_lists,
    delta_text,
    fallback_text,
    freshness_lines,
    header_text,
    headline,
    membership_note,
    more_line,
    openness_lines,
    shorten,
    shorten_block,
    total_rows,
    trend_line,
)


@dataclass(frozen=True, slots=True)
class SlackLimits:
    blocks: int = 50
    section_chars: int = 3000
    header_chars: int = 150
    fallback_chars: int = FALLBACK_CHARS


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


# --- lists that fit -----------------------------------------------------------------------------


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


# --- Block Kit ----------------------------------------------------------------------------------


def build_message(
    content: DigestContent, *, now: datetime, limits: SlackLimits = SLACK_LIMITS
) -> SlackMessage:
    head = _head_blocks(content, limits)
    tail = _tail_blocks(content, now)
    budget = limits.blocks - len(head) - len(tail)
    middle = [] if content.is_empty else _list_blocks(content, budget, limits)
    return SlackMessage(text=fallback_text(content, limits.fallback_chars), blocks=(*head, *middle, *tail))


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
    notes = [note for note in (comparison_note(content), membership_note(content)) if note]
    if notes:
        blocks.append(_context(notes))
    openness = openness_lines(content, MRKDWN)
    if openness:
        lines = ListSection(openness[0], openness[1:], 0)
        blocks.extend(
            _section(text) for text in list_sections(lines, max_blocks=1, max_chars=limits.section_chars)
        )
    blocks.append(DividerBlock())
    return blocks


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
