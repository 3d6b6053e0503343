"""Reminders (services/reminders.py): a draft before its intake closes and a change request left
unanswered, each once per occasion, never to a withdrawn or decided application, an inactive
account or one that opted out; the interview reminder is not optional. The unsubscribe token."""

from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditLog, OutboundEmail, ReminderSent, Status
from portal.services import interviews, reminders, tokens
from portal.services.timeline import set_status
from tests.builders.factories import ApplicationFactory, IntakeFactory, UserFactory
from tests.services.test_interviews import make_application, make_slot

pytestmark = pytest.mark.usefixtures("ctx")
NOT_REMINDED = ["submitted", "under_review", "interview", "withdrawn", "accepted", "rejected", "waitlisted"]
_numbers = count(1)


def draft(days=3, status="draft", **user):
    """An application whose intake closes in ``days`` days."""
    intake = IntakeFactory(closes_at=utcnow() + timedelta(days=days))
    return ApplicationFactory(complete=True, intake=intake, status=status, applicant=UserFactory(**user),
                              reference=None if status == "draft" else f"R{next(_numbers):06d}")


def change_requested(days_ago=6, message="Please upload a clearer scan of your passport.", **user):
    """A submitted application the office asked to change ``days_ago`` days ago."""
    application = ApplicationFactory(complete=True, status="under_review", applicant=UserFactory(**user),
                                     reference=f"R{next(_numbers):06d}")
    request_changes(application, days_ago, message)
    return application


def request_changes(application, days_ago, message="Please change it."):
    set_status(application, None, Status.ACTION_REQUIRED, message)
    db.session.flush()
    application.events[-1].created_at = utcnow() - timedelta(days=days_ago)
    db.session.flush()


def mails(template):
    return db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == template)
                              .order_by(OutboundEmail.id)).all()


# --- drafts ---------------------------------------------------------------------------------

def test_a_draft_is_reminded_once_before_its_intake_closes():
    application = draft(days=3)
    assert reminders.queue_draft_reminders() == 1
    assert reminders.queue_draft_reminders() == 0  # the second run finds the claim
    [mail] = mails("reminder_draft")
    assert mail.recipient == application.applicant.email and mail.subject == "Your application is not submitted yet"
    assert application.intake.name in mail.body_text and "/apply/" in mail.body_text
    claim = db.session.scalar(select(ReminderSent))
    assert (claim.kind, claim.application_id, claim.occasion) == (
        "draft", application.id, application.intake.closes_at.date().isoformat())


def test_the_reminder_carries_the_one_click_unsubscribe_headers_and_link():
    application = draft()
    reminders.queue_draft_reminders()
    [mail] = mails("reminder_draft")
    link = reminders.unsubscribe_link(application.applicant)
    assert mail.headers == {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    assert "/unsubscribe/" in link and link in mail.body_text and link in mail.body_html


@pytest.mark.parametrize("days, reminded", [(8, False), (6.9, True), (0.01, True)])
def test_only_drafts_closing_within_the_setting_are_reminded(app, monkeypatch, days, reminded):
    monkeypatch.setitem(app.config, "REMINDER_DRAFT_DAYS", 7)
    draft(days=days)
    assert reminders.queue_draft_reminders() == int(reminded)


def test_a_closed_intake_sends_no_reminder():
    application = draft(days=3)
    reminders.queue_draft_reminders(now=application.intake.closes_at + timedelta(minutes=1))
    assert mails("reminder_draft") == []


def test_a_new_closing_date_is_a_new_occasion():
    application = draft(days=3)
    reminders.queue_draft_reminders()
    application.intake.closes_at += timedelta(days=2)
    db.session.flush()
    assert reminders.queue_draft_reminders() == 1
    assert len(mails("reminder_draft")) == 2


@pytest.mark.parametrize("status", NOT_REMINDED)
def test_only_drafts_get_the_draft_reminder(status):
    draft(days=3, status=status)
    assert reminders.queue_draft_reminders() == 0


# --- change requests ------------------------------------------------------------------------

def test_an_unanswered_change_request_is_reminded_once():
    application = change_requested(days_ago=6)
    assert reminders.queue_changes_reminders() == 1
    assert reminders.queue_changes_reminders() == 0
    [mail] = mails("reminder_changes")
    assert application.reference in mail.subject and "Please upload a clearer scan" in mail.body_text
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert db.session.scalar(select(ReminderSent)).occasion == str(application.events[-1].id)


@pytest.mark.parametrize("days_ago, reminded", [(4.9, False), (5.1, True)])
def test_changes_are_reminded_after_the_setting(app, monkeypatch, days_ago, reminded):
    monkeypatch.setitem(app.config, "REMINDER_CHANGES_DAYS", 5)
    change_requested(days_ago=days_ago)
    assert reminders.queue_changes_reminders() == int(reminded)


def test_each_change_request_is_its_own_occasion_and_only_the_latest_counts():
    application = change_requested(days_ago=20)
    reminders.queue_changes_reminders()
    set_status(application, application.applicant, Status.SUBMITTED)  # answered
    set_status(application, None, Status.UNDER_REVIEW)
    request_changes(application, days_ago=1, message="Now the school certificate, please.")
    assert reminders.queue_changes_reminders() == 0  # the new request is recent; the old one is answered
    application.events[-1].created_at = utcnow() - timedelta(days=6)
    db.session.flush()
    assert reminders.queue_changes_reminders() == 1
    assert "school certificate" in mails("reminder_changes")[-1].body_text


@pytest.mark.parametrize("status", NOT_REMINDED)
def test_only_applications_waiting_for_changes_are_reminded(status):
    application = change_requested(days_ago=6)
    application.status = status  # answered, withdrawn or decided since
    db.session.flush()
    assert reminders.queue_changes_reminders() == 0


# --- who gets them --------------------------------------------------------------------------

@pytest.mark.parametrize("user", [{"active": False}, {"unverified": True}, {"reminders_opt_out": True}])
def test_no_optional_reminder_to_inactive_unverified_or_opted_out_accounts(user):
    draft(**user)
    change_requested(**user)
    assert reminders.queue_draft_reminders() == 0 and reminders.queue_changes_reminders() == 0
    assert db.session.scalars(select(ReminderSent)).all() == []  # turned on again later, they would go


def test_opted_out_applicants_still_get_the_interview_reminder():
    application = make_application(status="interview", fee=None)
    application.applicant.reminders_opt_out = True
    slot = make_slot(hours=72)
    interviews.book(application, slot.id, application.applicant)
    slot.starts_at = utcnow() + timedelta(hours=20)
    db.session.flush()
    assert interviews.queue_day_before_reminders() == 1
    assert interviews.queue_day_before_reminders() == 0
    [mail] = mails("interview_reminder")
    assert mail.recipient == application.applicant.email and "List-Unsubscribe" not in mail.headers


# --- turning them off -----------------------------------------------------------------------

def test_the_unsubscribe_token_names_its_user_and_nothing_else_passes():
    user = UserFactory()
    token = reminders.unsubscribe_link(user).rsplit("/", 1)[1]
    assert reminders.user_for_unsubscribe(token) == user
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert reminders.user_for_unsubscribe(tampered) is None
    assert reminders.user_for_unsubscribe("not-a-token") is None
    assert reminders.user_for_unsubscribe(tokens.make_token("verify-email", {"user": user.id})) is None
    assert reminders.user_for_unsubscribe(tokens.make_token("unsubscribe", {"user": 10**30})) is None
    assert reminders.user_for_unsubscribe(tokens.make_token("unsubscribe", {"user": "1"})) is None
    assert reminders.user_for_unsubscribe(tokens.make_token("unsubscribe", {"user": 987654321})) is None


def test_setting_reminders_is_audited_only_when_it_changes():
    user = UserFactory()
    assert reminders.set_reminders(user, False, via="account") and user.reminders_opt_out
    assert not reminders.set_reminders(user, False, via="unsubscribe")
    assert reminders.set_reminders(user, True, via="account") and not user.reminders_opt_out
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "account.reminders")
                                 .order_by(AuditLog.id)).all()
    assert [entry.details for entry in entries] == [{"reminders": False, "via": "account"},
                                                    {"reminders": True, "via": "account"}]
