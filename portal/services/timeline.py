"""An application's timeline: every status change, flag, note, assignment and document event.

The one place a status is written (``set_status``), always together with its event, so the
timeline can never disagree with the status. Who may make which change is decided by the
callers (services/applications.py, submission.py, transitions.py, documents.py).
"""

from __future__ import annotations

from portal.extensions import db
from portal.models import Application, ApplicationEvent, Status, User


def record_event(application: Application, actor: User | None, kind: str, from_status=None, to_status=None,
                 body: str | None = None, visible: bool = False) -> ApplicationEvent:
    """Add one event; ``visible`` events are shown to the applicant, the others only to staff."""
    event = ApplicationEvent(application=application, actor_id=actor.id if actor else None, kind=kind,
                             from_status=from_status, to_status=to_status, body=body,
                             visible_to_applicant=visible)
    db.session.add(event)
    return event


def set_status(application: Application, actor: User | None, new: Status, reason: str | None = None) -> None:
    old = application.status
    application.status = Status(new).value
    record_event(application, actor, "status", old, application.status, body=reason, visible=True)


def visible_events(application: Application) -> list[ApplicationEvent]:
    return [e for e in application.events if e.visible_to_applicant]


def change_request(application: Application) -> ApplicationEvent | None:
    """The office's latest request for changes (its message is the event's body)."""
    return next((e for e in reversed(application.events) if e.to_status == Status.ACTION_REQUIRED), None)
