"""Every e-mail the portal sends, rendered in every language: a subject, a text and an HTML part
with the institution's branding, a link to the right page, and words translated in ru and az.

The list of kinds is the folder ``templates/email/`` itself, so a new template is checked the day
it is added; ``EVENTS`` names the kind each event of the admission process sends, so a missing
template fails here too."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from portal.database import utcnow
from portal.extensions import db
from portal.models import Document, InterviewSlot, Letter
from portal.services import notifications
from tests.builders.factories import ApplicationFactory, DocumentTypeFactory, InquiryFactory, UserFactory

pytestmark = pytest.mark.usefixtures("ctx")
EMAIL_DIR = Path(__file__).resolve().parents[1] / "templates" / "email"
KINDS = sorted(p.stem for p in EMAIL_DIR.glob("*.txt") if not p.stem.startswith("_"))
EVENTS = {
    "verify e-mail": "verify_email", "password reset": "reset_password", "password changed": "password_changed",
    "application submitted": "application_submitted", "resubmitted": "application_resubmitted",
    "under review": "application_under_review", "change requested": "application_action_required",
    "document accepted": "document_accepted", "document rejected": "document_rejected",
    "invited to the interview": "interview_invited", "fee receipt verified": "interview_fee_verified",
    "slot booked": "interview_booked", "slot moved": "interview_moved", "interview tomorrow": "interview_reminder",
    "interview missed": "interview_missed", "accepted": "application_accepted", "rejected": "application_rejected",
    "waiting list": "application_waitlisted", "withdrawn": "application_withdrawn",
    "letter issued": "letter_issued", "letter revoked": "letter_revoked", "message to the applicant":
    "message_to_applicant", "message to the office": "message_to_office", "inquiry acknowledged":
    "inquiry_received", "inquiry answered": "inquiry_reply", "staff invitation": "staff_invitation",
    "registration with a known address": "registration_attempt", "draft not submitted": "reminder_draft",
    "change request unanswered": "reminder_changes",
}
LINK = "https://admissions.example.edu/the/right/page"
NO_LINK = {"inquiry_received", "inquiry_reply"}  # to visitors without an account: nothing to open
SAME_SUBJECT = {"inquiry_reply"}  # "Re: <their own subject>" in every language


def context() -> dict:
    application = ApplicationFactory(complete=True, status="interview", reference="FC27-000042")
    application.intake.interview_fee_amount, application.intake.interview_fee_currency = Decimal("100"), "AZN"
    document_type = DocumentTypeFactory(name_en="Passport", name_ru="Паспорт", name_az="Pasport")
    document = Document(document_type=document_type, original_name="p.pdf", storage_key="k",
                        content_type="application/pdf", size=1, sha256="0" * 64)
    application.documents.append(document)
    slot = InterviewSlot(starts_at=utcnow() + timedelta(days=2), duration_minutes=30, capacity=1, language="en",
                         meeting_url="https://meet.example.org/x")
    letter = Letter(kind="admission", code="AAAA-BBBB-CCCC-DDDD-EEEE", content={})
    application.letters.append(letter)
    inquiry = InquiryFactory(reference="Q26-000042")
    db.session.flush()
    return {"user": UserFactory(officer=True), "application": application, "intake": application.intake, "link": LINK,
            "message": "Please send a sharper scan.", "reason": "The scan is blurred.", "parts": ["Contact"],
            "document": document, "document_type": document_type, "slot": slot, "letters": [letter],
            "letter": letter, "time_text": "Tuesday, 2 March 2027, 10:30 (Asia/Kolkata, GMT+05:30)",
            "previous_text": "Monday, 1 March 2027, 10:30", "fee_due": True, "inquiry": inquiry,
            "reply": "Yes, you can.", "body": "A question about my documents.", "days": 7, "hours": 72,
            "role": "officer", "requested_at": utcnow(), "closes_text": "15 June 2027, 20:00 (Asia/Baku)",
            "unsubscribe_link": "https://admissions.example.edu/unsubscribe/token", "reset_link": LINK}


def test_every_event_has_its_template_in_both_forms():
    for event, kind in EVENTS.items():
        assert (EMAIL_DIR / f"{kind}.txt").exists() and (EMAIL_DIR / f"{kind}.html").exists(), event
    assert {p.stem for p in EMAIL_DIR.glob("*.html") if not p.stem.startswith("_")} == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_renders_in_every_language(kind):
    values = context()
    rendered = {}
    for locale in ("en", "ru", "az"):
        row = notifications.queue_email("someone@example.org", kind, values, locale=locale)
        assert row.subject and "{{" not in row.subject + row.body_text + row.body_html, (kind, locale)
        assert not row.body_text.startswith("Subject:"), (kind, locale)
        assert "Azerbaijan Medical University" in row.body_html and row.body_html.startswith("<!doctype html>")
        assert f'lang="{locale}"' in row.body_html
        if kind not in NO_LINK:
            assert LINK in row.body_text and f'href="{LINK}"' in row.body_html, (kind, locale)
        rendered[locale] = row
    for locale in ("ru", "az"):  # translated, not the English words
        if kind not in SAME_SUBJECT:
            assert rendered[locale].subject != rendered["en"].subject, (kind, locale)
        assert rendered[locale].body_text.split("\n")[0] != rendered["en"].body_text.split("\n")[0], (kind, locale)
