"""`tracker repos`: the repos known, whether each counts and why, and how open each is."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tracker.cli.context import App
from tracker.cli.options import format_option
from tracker.cli.output import emit

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.counting import RepoView
    from tracker.openness import RepoOpenness


@click.command()
@format_option
@click.option("--openness", "openness_view", is_flag=True, help="Only counted repos, open-washing first.")
@click.option("--changes", is_flag=True, help="License changes seen by sync.")
@click.pass_obj
def repos(app: App, output: str, openness_view: bool, changes: bool) -> None:
    """Repos the tracker knows, whether each counts and why, and how open each is."""
    from tracker.config import load_openness_annotations
    from tracker.counting import load_repos
    from tracker.openness import assess_stored_repo, openness_report_key

    settings = app.settings()
    with app.session() as session:
        if changes:
            _emit_license_changes(session, output)
            return
        views = load_repos(session, settings)
    annotations = load_openness_annotations()
    assessed = [(view, assess_stored_repo(view.record, annotations)) for view in views]
    if openness_view:
        counted = [(view, assessment) for view, assessment in assessed if view.decision.counts]
        assessed = sorted(counted, key=lambda pair: openness_report_key(pair[1]))
    records = [_repo_record(view, assessment, output) for view, assessment in assessed]
    columns = ["full_name", "counts", "reason", "license", "license_class", "open_washing"]
    columns += ["weights", "training_data"] if openness_view else ["stars", "archived", "former_names"]
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


def _repo_record(view: RepoView, assessment: RepoOpenness, output: str) -> dict[str, object]:
    """One repo; `former_names` (a renamed or transferred repo's) is a list in JSON, else one cell."""
    note = assessment.annotation
    former = list(view.record.former_names)
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
        "former_names": former if output == "json" else ", ".join(former),
    }
