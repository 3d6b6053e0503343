"""The interview stage's rules (services/interviews.py, transitions.invite and the decision after
an interview): fee, booking, moving, cut-off, results, reminders, and who may do what."""

from datetime import timedelta
from decimal import Decimal

import icalendar
import pytest
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import Document, InterviewSlot, OutboundEmail
from portal.services import documents, interviews, letters, transitions
from portal.services.applications import IllegalTransition, StaleApplication
from portal.services.interviews import InterviewError
from portal.services.letters import LetterError
from tests.builders.factories import ApplicationFactory, DocumentTypeFactory, IntakeFactory, UserFactory

pytestmark = pytest.mark.usefixtures("ctx")
SCORES = {"biology": Decimal("80"), "chemistry": Decimal("75.5"), "physics": Decimal("70"),
          "language": Decimal("90")}


@pytest.fixture
def officer():
    return UserFactory(officer=True)


def make_application(status="under_review", fee=Decimal("100"), **extra):
    intake = IntakeFactory(interview_required=True, interview_fee_amount=fee, interview_fee_currency="AZN",
                           interview_fee_instructions="Pay at any Kapital Bank branch, account AZ00 0000.")
    application = ApplicationFactory(complete=True, status=status, intake=intake,
                                     reference=f"T{intake.id:02d}-000001", **extra)
    db.session.flush()
    return application


def make_slot(hours=72, capacity=1, language="en", **extra):
    slot = InterviewSlot(starts_at=utcnow() + timedelta(hours=hours), duration_minutes=30, capacity=capacity,
                         meeting_url="https://meet.example.org/amu-1", language=language, **extra)
    db.session.add(slot)
    db.session.flush()
    return slot


def mails(template):
    return db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == template)).all()


def pay(application):
    interviews.mark_fee_paid(application, "receipt", None)


# --- invite and the decision's interview rules ----------------------------------------------

def test_invite_moves_to_interview_and_mails_the_fee(officer):
    application = make_application()
    transitions.invite(application, officer, application.version)
    assert application.status == "interview"
    mail = mails("interview_invited")[0]
    assert "100.00" in mail.body_text and "Kapital Bank" in mail.body_text
    assert "/apply/interview" in mail.body_text


def test_invite_refuses_wrong_status_role_and_stale_version(officer):
    application = make_application(status="submitted")
    with pytest.raises(IllegalTransition):
        transitions.invite(application, officer, application.version)
    application.status = "under_review"
    db.session.flush()
    with pytest.raises(StaleApplication):
        transitions.invite(application, officer, application.version - 1)
    with pytest.raises(IllegalTransition, match="Only the admissions office"):
        transitions.invite(application, application.applicant, application.version)
    assert application.status == "under_review"


def test_required_interview_blocks_accepting_from_review_but_not_rejecting(officer):
    application = make_application()
    assert "accept" not in transitions.allowed_actions(application)
    assert {"invite", "reject"} <= set(transitions.allowed_actions(application))
    with pytest.raises(IllegalTransition, match="invite the applicant first"):
        transitions.decide(application, officer, application.version, "accept")
    transitions.decide(application, officer, application.version, "reject", "Grades below the minimum.")
    assert application.status == "rejected"


def test_accepting_after_an_interview_needs_its_result(officer):
    application = make_application(status="interview", fee=None)
    slot = make_slot()
    interviews.book(application, slot.id, application.applicant)
    with pytest.raises(IllegalTransition, match="result"):
        transitions.decide(application, officer, application.version, "accept")
    slot.starts_at = utcnow() - timedelta(hours=1)
    interviews.record_result(application, officer, attendance="attended", scores=SCORES, notes="Good.")
    transitions.decide(application, officer, application.version, "accept")
    assert application.status == "accepted"
    assert [letter.kind for letter in application.letters] == ["admission", "visa_invitation"]  # IR needs one
    assert len(mails("letter_issued")) == 1


# --- the fee -------------------------------------------------------------------------------

def test_slots_open_only_after_the_receipt_is_accepted(officer):
    receipt_type = DocumentTypeFactory(requirement="conditional", condition="interview", code="receipt")
    application = make_application(status="interview")
    assert not interviews.may_book(application)
    document = Document(application=application, document_type=receipt_type, original_name="receipt.pdf",
                        storage_key="k-receipt", content_type="application/pdf", size=10, sha256="0" * 64)
    db.session.add(document)
    db.session.flush()
    documents.review_document(document, officer, False, "The amount is not visible.")
    assert not interviews.may_book(application)
    assert "The amount is not visible." in mails("document_rejected")[0].body_text
    documents.review_document(document, officer, True, None)
    assert interviews.may_book(application) and application.interview_fee.paid_via == "receipt"
    assert len(mails("interview_fee_verified")) == 1


def test_no_fee_means_slots_open_at_once():
    application = make_application(status="interview", fee=None)
    assert interviews.may_book(application)


# --- booking -------------------------------------------------------------------------------

def test_booking_mails_both_zones_and_an_ics():
    application = make_application(status="interview")
    application.applicant.timezone = "Asia/Kolkata"
    pay(application)
    slot = make_slot()
    slot.starts_at = slot.starts_at.replace(hour=20, minute=0, second=0, microsecond=0)  # 00:00 Baku, 01:30 Kolkata
    booking = interviews.book(application, slot.id, application.applicant)
    assert slot.booked == 1 and booking.slot_id == slot.id
    mail = mails("interview_booked")[0]
    assert "Asia/Kolkata" in mail.body_text and "Asia/Baku" in mail.body_text
    assert "01:30" in mail.body_text and "00:00" in mail.body_text
    calendar = icalendar.Calendar.from_ical(mail.attachments[0]["content"])
    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("DTSTART") == slot.starts_at


def test_a_full_slot_a_late_slot_and_another_language_are_refused():
    application = make_application(status="interview", fee=None)
    other = make_application(status="interview", fee=None)
    full = make_slot()
    interviews.book(other, full.id, other.applicant)
    late = make_slot(hours=2)
    russian = make_slot(language="ru")
    for slot in (full, late, russian):
        assert slot not in interviews.open_slots(application)
        with pytest.raises(InterviewError, match="no longer available"):
            interviews.book(application, slot.id, application.applicant)
    assert interviews.live_booking(application) is None


def test_moving_releases_the_old_place_and_keeps_the_calendar_uid():
    application = make_application(status="interview", fee=None)
    first, second = make_slot(), make_slot(hours=96)
    interviews.book(application, first.id, application.applicant)
    interviews.move(application, second.id, application.applicant)
    db.session.refresh(first)
    assert first.booked == 0 and interviews.live_booking(application).slot_id == second.id
    booked, moved = mails("interview_booked")[0], mails("interview_moved")[0]
    uid = [icalendar.Calendar.from_ical(m.attachments[0]["content"]).walk("VEVENT")[0] for m in (booked, moved)]
    assert uid[0]["UID"] == uid[1]["UID"] and uid[1]["SEQUENCE"] > uid[0]["SEQUENCE"]
    with pytest.raises(InterviewError, match="already booked this time"):
        interviews.move(application, second.id, application.applicant)


def test_no_move_after_the_cut_off(app):
    application = make_application(status="interview", fee=None)
    slot, other = make_slot(hours=30), make_slot(hours=96)
    interviews.book(application, slot.id, application.applicant)
    app.config["INTERVIEW_BOOKING_CUTOFF_HOURS"] = 48
    try:
        with pytest.raises(InterviewError, match="can no longer be moved"):
            interviews.move(application, other.id, application.applicant)
    finally:
        app.config["INTERVIEW_BOOKING_CUTOFF_HOURS"] = 24


def test_one_booking_at_a_time():
    application = make_application(status="interview", fee=None)
    interviews.book(application, make_slot().id, application.applicant)
    with pytest.raises(InterviewError, match="cannot book"):
        interviews.book(application, make_slot(hours=80).id, application.applicant)


# --- results -------------------------------------------------------------------------------

def test_result_needs_every_score_and_a_started_interview(officer):
    application = make_application(status="interview", fee=None)
    slot = make_slot()
    interviews.book(application, slot.id, application.applicant)
    with pytest.raises(InterviewError, match="not started"):
        interviews.record_result(application, officer, attendance="attended", scores=SCORES, notes=None)
    slot.starts_at = utcnow() - timedelta(minutes=5)
    with pytest.raises(InterviewError, match="every score"):
        interviews.record_result(application, officer, attendance="attended",
                                 scores={**SCORES, "physics": Decimal("101")}, notes=None)
    with pytest.raises(InterviewError, match="Only the admissions office"):
        interviews.record_result(application, application.applicant, attendance="attended", scores=SCORES,
                                 notes=None)


def test_a_no_show_may_be_offered_one_new_slot_once(officer):
    application = make_application(status="interview", fee=None)
    slot = make_slot()
    interviews.book(application, slot.id, application.applicant)
    slot.starts_at = utcnow() - timedelta(hours=1)
    interviews.record_result(application, officer, attendance="no_show", scores={}, notes=None,
                             offer_new_slot=True)
    assert interviews.may_book(application) and len(mails("interview_missed")) == 1
    second = make_slot()
    interviews.book(application, second.id, application.applicant)
    second.starts_at = utcnow() - timedelta(hours=1)
    with pytest.raises(InterviewError, match="already offered once"):
        interviews.record_result(application, officer, attendance="no_show", scores={}, notes=None,
                                 offer_new_slot=True)
    interviews.record_result(application, officer, attendance="no_show", scores={}, notes=None)
    assert not interviews.may_book(application)
    transitions.decide(application, officer, application.version, "reject", "Did not attend twice.")


# --- reminders -----------------------------------------------------------------------------

def test_day_before_reminder_is_sent_once():
    application = make_application(status="interview", fee=None)
    interviews.book(application, make_slot(hours=30).id, application.applicant)
    later = make_application(status="interview", fee=None)
    interviews.book(later, make_slot(hours=80).id, later.applicant)
    now = utcnow() + timedelta(hours=10)
    assert interviews.queue_day_before_reminders(now) == 1
    assert interviews.queue_day_before_reminders(now) == 0
    assert [m.recipient for m in mails("interview_reminder")] == [application.applicant.email]


def test_letters_refuse_the_wrong_user_and_state(officer):
    application = make_application(status="accepted", fee=None)
    letter = letters.issue_on_acceptance(application, officer)[0]
    with pytest.raises(LetterError, match="Only the admissions office"):
        letters.revoke(letter, application.applicant, "No reason.")
    with pytest.raises(LetterError, match="Only the admissions office"):
        letters.reissue(letter, application.applicant)
    with pytest.raises(LetterError, match="Give the reason"):
        letters.revoke(letter, officer, "  ")
    newer = letters.reissue(letter, officer)
    with pytest.raises(LetterError, match="Only a valid letter"):
        letters.revoke(letter, officer, "Superseded already.")
    assert newer.code != letter.code and letter.state == "superseded" and newer.state == "valid"
    assert letters.issue_on_acceptance(application, officer) == []  # a valid one of each kind exists
