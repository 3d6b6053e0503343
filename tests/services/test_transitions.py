"""The office's transitions (services/transitions.py) and the message thread."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ApplicationEvent, Message, OutboundEmail
from portal.services import applications, messages, timeline, transitions
from portal.services.applications import IllegalTransition, StaleApplication
from tests.builders.factories import PASSWORD, ApplicationFactory, UserFactory
from tests.helpers import text_of

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def officer():
    return UserFactory(officer=True)


@pytest.fixture
def submitted():
    application = ApplicationFactory(complete=True, status="submitted", reference="T00-000001")
    db.session.flush()
    return application


def mails(template):
    return db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == template)).all()


def test_start_review_assigns_and_tells_the_applicant(submitted, officer):
    transitions.start_review(submitted, officer, submitted.version)
    assert submitted.status == "under_review" and submitted.assigned_officer_id == officer.id
    assert [m.recipient for m in mails("application_under_review")] == [submitted.applicant.email]


def test_request_changes_reopens_exactly_what_was_named(submitted, officer):
    transitions.start_review(submitted, officer, submitted.version)
    transitions.request_changes(submitted, officer, submitted.version, steps=["contact", "programme"],
                                 document_codes=["passport"], message="Please give your current address.")
    assert submitted.status == "action_required"
    assert submitted.reopened_steps == ["contact", "documents:passport"]  # the programme never reopens
    assert applications.editable_steps(submitted) == {"contact", "documents:passport"}
    assert "contact" not in submitted.completed_steps
    mail = mails("application_action_required")[0]
    assert "Please give your current address." in mail.body_text
    event = submitted.events[-1]
    assert event.visible_to_applicant and event.body == "Please give your current address."


@pytest.mark.parametrize("steps, codes, message, error", [
    ([], [], "Fix it", "at least one part"),
    (["contact"], [], "   ", "Write a message"),
])
def test_request_changes_needs_a_target_and_a_message(submitted, officer, steps, codes, message, error):
    with pytest.raises(applications.ApplicationError, match=error):
        transitions.request_changes(submitted, officer, submitted.version, steps=steps, document_codes=codes,
                                     message=message)
    assert submitted.status == "submitted"


@pytest.mark.parametrize("outcome, status", [("accept", "accepted"), ("waitlist", "waitlisted")])
def test_decisions(submitted, officer, outcome, status):
    transitions.start_review(submitted, officer, submitted.version)
    transitions.decide(submitted, officer, submitted.version, outcome)
    assert submitted.status == status and submitted.decided_at is not None
    assert len(mails(f"application_{status}")) == 1


def test_rejection_needs_a_reason_the_applicant_reads(submitted, officer):
    with pytest.raises(applications.ApplicationError, match="reason"):
        transitions.decide(submitted, officer, submitted.version, "reject", "  ")
    transitions.decide(submitted, officer, submitted.version, "reject", "Biology grade below the minimum.")
    assert submitted.status == "rejected"
    assert "Biology grade below the minimum." in mails("application_rejected")[0].body_text


@pytest.mark.parametrize("status, action", [
    ("draft", "start_review"), ("accepted", "start_review"), ("withdrawn", "accept"), ("submitted", "waitlist"),
    ("rejected", "reject"), ("action_required", "accept"),
])
def test_illegal_transitions_are_refused(officer, status, action):
    application = ApplicationFactory(complete=True, status=status, reference="T00-000002")
    db.session.flush()
    call = {"start_review": lambda: transitions.start_review(application, officer, application.version)}.get(
        action, lambda: transitions.decide(application, officer, application.version, action, "reason"))
    with pytest.raises(IllegalTransition):
        call()
    assert application.status == status


def test_a_stale_form_changes_nothing(submitted, officer):
    seen = submitted.version
    transitions.start_review(submitted, officer, seen)
    with pytest.raises(StaleApplication, match="changed since you opened it"):
        transitions.decide(submitted, officer, seen, "accept")
    assert submitted.status == "under_review"


def test_applicants_cannot_use_office_transitions(submitted):
    with pytest.raises(IllegalTransition):
        transitions.start_review(submitted, submitted.applicant, submitted.version)


def test_notes_are_internal(submitted, officer):
    transitions.add_note(submitted, officer, "Called the school: certificate confirmed.")
    note = db.session.scalars(select(ApplicationEvent).where(ApplicationEvent.kind == "note")).one()
    assert not note.visible_to_applicant
    assert note not in timeline.visible_events(submitted)


def test_messages_go_to_the_other_side(submitted, officer):
    submitted.assigned_officer_id = officer.id
    messages.post_message(submitted, submitted.applicant, "When is the interview?")
    to_office = mails("message_to_office")[0]
    assert to_office.recipient == officer.email and "When is the interview?" in to_office.body_text
    messages.post_message(submitted, officer, "Next week; you will get an invitation.")
    assert mails("message_to_applicant")[0].recipient == submitted.applicant.email
    assert messages.unread_for_applicant(submitted) == 1
    assert messages.unread_for_office([submitted.id]) == {submitted.id: 1}
    assert messages.mark_read(submitted, submitted.applicant) == 1
    assert messages.unread_for_applicant(submitted) == 0


def test_unassigned_messages_reach_the_institution_address(app, submitted):
    messages.post_message(submitted, submitted.applicant, "Hello")
    assert mails("message_to_office")[0].recipient == app.config["INSTITUTION_EMAIL"]


@pytest.mark.parametrize("body, error", [("", "Write your message"), ("x" * 5001, "at most 5000")])
def test_bad_messages_are_refused(submitted, body, error):
    with pytest.raises(messages.MessageError, match=error):
        messages.post_message(submitted, submitted.applicant, body)


def test_strangers_cannot_write_in_a_thread(submitted):
    with pytest.raises(messages.MessageError):
        messages.post_message(submitted, UserFactory(), "Hi")


def test_applicant_messages_page(client, forms, submitted):
    forms.login(submitted.applicant.email, PASSWORD)
    messages.post_message(submitted, UserFactory(officer=True), "Please upload a clearer passport scan.")
    db.session.commit()
    assert "1 new" in text_of(client.get("/apply/"))
    page = client.get("/apply/messages")
    assert "Please upload a clearer passport scan." in text_of(page)
    assert "1 new" not in text_of(client.get("/apply/"))
    empty = forms.post("/apply/messages", {"body": "  "})
    assert "Write your message first." in text_of(empty)
    sent = forms.post("/apply/messages", {"body": "Uploaded again, thank you."})
    assert sent.headers["Location"] == "/apply/messages"
    assert db.session.scalars(select(Message.body).where(Message.from_applicant.is_(True))).all() == [
        "Uploaded again, thank you."]


def test_messages_page_waits_for_submission(client, forms):
    draft = ApplicationFactory()
    db.session.commit()
    forms.login(draft.applicant.email, PASSWORD)
    assert client.get("/apply/messages").headers["Location"] == "/apply/"
