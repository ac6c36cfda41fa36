"""`tracker repos`: the repos known, whether each counts and why, and how open each is."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tracker.cli.context import App
from tracker.cli.options import format_option
from tracker.cli.output import emit

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker import openness
    from tracker.counting import RepoView
    from tracker.domain import RepoRecord


@click.command()
@format_option
@click.option("--openness", "openness_view", is_flag=True, help="Only counted repos, open-washing first.")
@click.option("--changes", is_flag=True, help="License changes seen by sync.")
@click.pass_obj
def repos(app: App, output: str, openness_view: bool, changes: bool) -> None:
    """Repos the tracker knows, whether each counts and why, and how open each is."""
    from tracker import openness
    from tracker.config import load_openness_annotations
    from tracker.counting import load_repos

    settings = app.settings()
    with app.session() as session:
        if changes:
            _emit_license_changes(session, output)
            return
        views = load_repos(session, settings)
    annotations = load_openness_annotations()
    assessed = [(view, _assess(view.record, annotations)) for view in views]
    if openness_view:
        kept = [item for item in assessed if item[0].decision.counts]
        ranked = openness.sort_for_openness_report(assessment for _, assessment in kept)
        order = {assessment.full_name: index for index, assessment in enumerate(ranked)}
        assessed = sorted(kept, key=lambda item: order[item[1].full_name])
    records = [_repo_record(view, assessment) for view, assessment in assessed]
    columns = ["full_name", "counts", "reason", "license", "license_class", "open_washing"]
    columns += ["weights", "training_data"] if openness_view else ["stars", "archived"]
    emit(records, columns, output, empty="no repos known yet: run `tracker sync`")


def _emit_license_changes(session: Session, output: str) -> None:
    from tracker.store.repos import list_license_changes

    records: list[dict[str, object]] = [
        {
            "full_name": row.full_name,
            "old_license": row.old_license,
            "new_license": row.new_license,
            "seen_at": row.seen_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for row in list_license_changes(session)
    ]
    columns = ["full_name", "old_license", "new_license", "seen_at"]
    emit(records, columns, output, empty="no license changes seen")


def _assess(record: RepoRecord, annotations: dict[str, openness.ModelOpenness]) -> openness.RepoOpenness:
    from tracker import openness

    license_obj = {"spdx_id": record.license_spdx} if record.has_license else None
    return openness.assess_repo(
        record.full_name,
        license_obj,
        record.description,
        record.topics,
        annotations.get(record.full_name.lower()),
    )


def _repo_record(view: RepoView, assessment: openness.RepoOpenness) -> dict[str, object]:
    note = assessment.annotation
    return {
        "full_name": view.record.full_name,
        "counts": view.decision.counts,
        "reason": view.decision.reason,
        "license": assessment.license,
        "license_class": assessment.license_class.value,
        "open_washing": assessment.open_washing,
        "weights": note.weights if note else None,
        "training_data": note.training_data if note else None,
        "openness_source": note.source if note else None,
        "openness_note": note.note if note else None,
        "stars": view.record.stars,
        "archived": view.record.archived,
        "description": view.record.description,
    }
