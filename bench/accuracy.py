"""The tracker's counted contributions against the emulator's ground truth, by (kind, github_id).

The database is read through `tracker.counting.counted_contributions`, the path every
`tracker query` and `tracker stats` number comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from tracker.config import load_settings
from tracker.counting import QueryFilter, counted_contributions, load_people, load_repos
from tracker.store.engine import make_engine

EXAMPLES = 5
Key = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Accuracy:
    expected: int
    counted: int
    missing: int
    extra: int
    mismatched: int
    examples: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return self.missing == 0 and self.extra == 0 and self.mismatched == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "counted": self.counted,
            "missing": self.missing,
            "extra": self.extra,
            "mismatched": self.mismatched,
            "exact": self.exact,
            "examples": self.examples,
        }


@dataclass(frozen=True, slots=True)
class Tracked:
    people: int
    counted_repos: list[str]


def _counted(config_path: Path) -> dict[Key, tuple[str, datetime]]:
    settings = load_settings(config_path, environ={})
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            rows = counted_contributions(session, settings, QueryFilter())
    finally:
        engine.dispose()
    return {(row.kind.value, row.github_id): (row.person.lower(), row.occurred_at) for row in rows}


def check_against_truth(config_path: Path, truth_rows: list[dict[str, Any]]) -> Accuracy:
    """Missing, extra, and matched-but-different (person or moment) contributions."""
    got = _counted(config_path)
    want = {
        (str(row["kind"]), int(row["github_id"])): (
            str(row["login"]).lower(),
            datetime.fromisoformat(str(row["occurred_at"]).replace("Z", "+00:00")),
        )
        for row in truth_rows
    }
    missing = sorted(want.keys() - got.keys())
    extra = sorted(got.keys() - want.keys())
    mismatched = sorted(key for key in want.keys() & got.keys() if want[key] != got[key])
    examples = (
        [f"missing {key} {want[key]}" for key in missing[:EXAMPLES]]
        + [f"extra {key} {got[key]}" for key in extra[:EXAMPLES]]
        + [f"differs {key}: truth {want[key]}, tracker {got[key]}" for key in mismatched[:EXAMPLES]]
    )
    return Accuracy(
        len(want), len(got), len(missing), len(extra), len(mismatched), [str(e) for e in examples]
    )


def tracked(config_path: Path) -> Tracked:
    """The people and the counted repos the tracker knows (what `tracker members` / `repos` list)."""
    settings = load_settings(config_path, environ={})
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            people = load_people(session, settings)
            repos = [view.record.full_name for view in load_repos(session, settings) if view.decision.counts]
    finally:
        engine.dispose()
    return Tracked(len(people), sorted(repos))
