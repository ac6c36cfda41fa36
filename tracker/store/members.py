"""Org members: the organization's members as last fetched, replaced as a whole each sync."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from tracker.domain import OrgMember
from tracker.store.tables import OrgMemberRow

# The members are replaced as a whole: the bulk DELETE need not be matched against the objects
# the session holds, which callers do not use afterwards.
_NO_SYNC = {"synchronize_session": False}
_ORG_MEMBER: sa.Table = OrgMemberRow.__table__  # type: ignore[attr-defined]


def replace_org_members(session: Session, members: Sequence[OrgMember], *, now: datetime) -> None:
    session.execute(sa.delete(OrgMemberRow), execution_options=_NO_SYNC)
    for member in members:
        session.add(
            OrgMemberRow(
                login_key=member.login.lower(), login=member.login, user_type=member.user_type, seen_at=now
            )
        )


def list_org_members(session: Session) -> list[OrgMember]:
    table = _ORG_MEMBER
    statement = sa.select(table.c.login, table.c.user_type).order_by(table.c.login_key)
    return [OrgMember(login, user_type) for login, user_type in session.connection().execute(statement)]
