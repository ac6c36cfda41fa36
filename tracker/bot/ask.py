"""One question in, one answer out: what every listener calls, whether a slash command or a mention.

It parses the words, picks the window, reads the store through the counting path and applies the
privacy rule: the numbers of a person whose roster entry is `public = false` are answered to that
person only; anyone else gets the same words as for someone who is not tracked at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.bot.answers import (
    BotAnswer,
    Footer,
    help_answer,
    never_synced_answer,
    not_tracked_answer,
    org_answer,
    person_answer,
    repo_answer,
    top_answer,
    unknown_slack_user_answer,
    unmatched_answer,
    window_problem_answer,
    you_are_not_tracked_answer,
)
from tracker.bot.commands import Question, parse_question
from tracker.bot.numbers import Store, last_sync_end, open_store, read_org, read_person, read_repo, read_top
from tracker.bot.people import EmailOf, roster_login_of
from tracker.bot.windows import Window, WindowProblem, window_for
from tracker.config import Settings
from tracker.rules import Person


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks (their Slack member ID), how they call the bot, and how to read a Slack email."""

    user_id: str
    call: str
    email_of: EmailOf


def answer_question(engine: Engine, settings: Settings, text: str, asker: Asker, now: datetime) -> BotAnswer:
    question = parse_question(text)
    if question.topic == "help":
        return help_answer(settings.org, asker.call, question.problem)
    try:
        window = window_for(question, now, settings.digest.timezone)
    except WindowProblem as problem:
        return window_problem_answer(str(problem))
    with Session(engine) as session:
        synced_at = last_sync_end(session)
        if synced_at is None:
            return never_synced_answer()
        store = open_store(session, settings)
        return _answer(store, question, window, Footer(synced_at, settings.digest.timezone), asker)


def _answer(store: Store, question: Question, window: Window, footer: Footer, asker: Asker) -> BotAnswer:
    org = store.settings.org
    if question.topic in ("week", "month"):
        return org_answer(org, read_org(store, window), footer)
    if question.topic == "top":
        return top_answer(org, read_top(store, window), footer)
    if question.topic == "repo":
        return repo_answer(org, read_repo(store, question.subject or "", window), footer)
    if question.topic == "me":
        return _about_the_asker(store, window, footer, asker)
    return _about_someone(store, question, window, footer, asker)


def _about_the_asker(store: Store, window: Window, footer: Footer, asker: Asker) -> BotAnswer:
    login = roster_login_of(asker.user_id, store.settings.roster, asker.email_of)
    if login is None:
        return unmatched_answer(asker.user_id)
    person = store.context.person_for(login)
    if person is None:
        return you_are_not_tracked_answer(login)
    return person_answer(read_person(store, person, window), footer, to_self=True)


def _about_someone(
    store: Store, question: Question, window: Window, footer: Footer, asker: Asker
) -> BotAnswer:
    subject = question.subject or ""
    if question.topic == "mention":
        login = roster_login_of(subject, store.settings.roster, asker.email_of)
        if login is None:
            return unknown_slack_user_answer()
        person = store.context.person_for(login)
        shown_login = None  # a Slack mention names nobody's GitHub login back
    else:
        person = store.context.person_for(subject)
        shown_login = subject
    if person is None:
        return not_tracked_answer(shown_login)
    if person.public:
        return person_answer(read_person(store, person, window), footer, to_self=False)
    if _is_the_asker(store, person, asker):
        return person_answer(read_person(store, person, window), footer, to_self=True)
    return not_tracked_answer(shown_login)


def _is_the_asker(store: Store, person: Person, asker: Asker) -> bool:
    login = roster_login_of(asker.user_id, store.settings.roster, asker.email_of)
    return login is not None and store.context.person_for(login) is person
