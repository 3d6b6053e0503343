"""The application's status: the states of the admission process and their human text.

The machine itself (which action moves an application from which state to which) lives in
``services/transitions.py`` and ``services/submission.py``; see docs/architecture.md for the
diagram. Each state's text is written here once and shown everywhere (badges, e-mails,
exports, the office's counts).
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    ACTION_REQUIRED = "action_required"
    INTERVIEW = "interview"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"

    @property
    def text(self):
        """What the status means, in the page's language (a lazy string)."""
        return STATUS_TEXT[self]


STATUS_TEXT = {
    Status.DRAFT: _l("Draft: not submitted yet"),
    Status.SUBMITTED: _l("Submitted: waiting for the admissions office"),
    Status.UNDER_REVIEW: _l("Under review by the admissions office"),
    Status.ACTION_REQUIRED: _l("Action required: the admissions office asked you to change something"),
    Status.INTERVIEW: _l("Invited to an interview"),
    Status.ACCEPTED: _l("Accepted"),
    Status.REJECTED: _l("Not accepted"),
    Status.WAITLISTED: _l("On the waiting list"),
    Status.WITHDRAWN: _l("Withdrawn"),
}
STATUSES = tuple(Status)
DECIDED = frozenset({Status.ACCEPTED, Status.REJECTED, Status.WAITLISTED})
# The applicant may still change something: a draft, or what the office reopened.
OPEN_FOR_APPLICANT = frozenset({Status.DRAFT, Status.ACTION_REQUIRED})
WITHDRAWABLE = frozenset({Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.ACTION_REQUIRED,
                          Status.INTERVIEW})


def status_text(status: str | None):
    """The human text of a status value as stored (a plain string); '' for None."""
    return Status(status).text if status else ""
