"""Bulk actions on applications selected in the office's list (/office/): assign to an officer,
or start the review. Each application goes through services/transitions.py like a single one
would, in its own savepoint, so one that is refused (wrong state, changed meanwhile) is reported
and the others still change; each change is in the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, Status, User
from portal.services import audit, transitions
from portal.services.applications import ApplicationError
from portal.services.office_list import forget_counts

MAX_BULK = 200
BULK_ACTIONS = ("assign", "start_review")


@dataclass
class BulkResult:
    changed: list[str] = field(default_factory=list)  # references
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)


def bulk_apply(officer: User, ids: list[int], action: str, assignee: User | None = None) -> BulkResult:
    """Assign (``assignee`` None: unassign) or start the review of each selected application."""
    result = BulkResult()
    if action not in BULK_ACTIONS or not ids:
        return result
    found = db.session.scalars(select(Application).where(Application.id.in_(ids[:MAX_BULK]),
                                                         Application.reference.isnot(None))
                               .order_by(Application.reference))
    target = assignee.id if assignee else None
    for application in list(found):
        reference = application.reference
        if action == "assign" and application.assigned_officer_id == target:
            result.skipped.append((reference, str(_l("already assigned to this officer"))))
            continue
        try:
            with db.session.begin_nested():
                if action == "assign":
                    transitions.assign(application, officer, assignee)
                    details = {"reference": reference, "assignee": assignee.email if assignee else None}
                else:
                    transitions.start_review(application, officer, application.version)
                    details = {"reference": reference, "to": Status.UNDER_REVIEW.value}
                audit.record(officer, f"application.bulk_{action}", "application", application.id, details)
        except ApplicationError as error:
            result.skipped.append((reference, str(error.message)))
        else:
            result.changed.append(reference)
    if result.changed:
        forget_counts()
    return result
