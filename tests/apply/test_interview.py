"""The applicant's interview page (/apply/interview), booking through it, the letters' downloads,
and the time zone on /account: happy paths, bad input, other people's objects."""

import re
import threading
from datetime import timedelta

import pypdfium2
import pytest
from sqlalchemy import func, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import InterviewBooking, InterviewSlot, User
from portal.services import interviews, letters
from tests.builders.factories import PASSWORD, ApplicationFactory, IntakeFactory, UserFactory
from tests.helpers import CSRF_RE, Forms, text_of
from tests.services.test_interviews import make_application, make_slot


@pytest.fixture
def invited(ctx, forms):
    application = make_application(status="interview", fee=None)
    db.session.commit()
    forms.login(application.applicant.email, PASSWORD)
    return application


def test_page_lists_open_slots_in_the_applicants_zone(client, invited):
    invited.applicant.timezone = "Asia/Kolkata"
    slot = make_slot()
    db.session.commit()
    page = client.get("/apply/interview")
    assert page.status_code == 200
    text = text_of(page)
    assert "Asia/Kolkata" in text and "GMT+05:30" in text
    assert f'value="{slot.id}"' in page.get_data(as_text=True)


def test_book_then_move_by_form(client, forms, invited, outbox):
    first, second = make_slot(), make_slot(hours=100)
    db.session.commit()
    page = forms.post("/apply/interview/book", {"slot": first.id}, page="/apply/interview", follow=True)
    assert "Your interview is booked" in text_of(page)
    page = forms.post("/apply/interview/book", {"slot": second.id}, page="/apply/interview", follow=True)
    assert "has been moved" in text_of(page)
    assert interviews.live_booking(invited).slot_id == second.id
    booked, moved = outbox[-2:]
    assert "is booked" in booked.subject and "has been moved" in moved.subject
    assert [a[0] for a in moved.attachments] == ["interview.ics"]


@pytest.mark.parametrize("slot, status, message", [
    ("", 400, "Choose an interview time"), ("abc", 400, "Choose an interview time"),
    ("999999999999999999999999", 409, "no longer available"), ("0", 400, "Choose an interview time"),
    ("12345", 409, "no longer available")])
def test_bad_slot_gets_a_message_not_an_error(client, forms, invited, slot, status, message):
    make_slot()
    db.session.commit()
    page = forms.post("/apply/interview/book", {"slot": slot}, page="/apply/interview")
    assert page.status_code == status and message in text_of(page)
    assert interviews.live_booking(invited) is None


def test_a_slot_taken_meanwhile_is_explained(client, forms, invited):
    slot = make_slot()
    db.session.commit()
    token = forms.token("/apply/interview")
    other = make_application(status="interview", fee=None)
    interviews.book(other, slot.id, other.applicant)
    db.session.commit()
    page = client.post("/apply/interview/book", data={"csrf_token": token, "slot": slot.id})
    assert page.status_code == 409 and "no longer available" in text_of(page)
    assert interviews.live_booking(invited) is None


def test_not_invited_is_sent_home(client, forms, ctx):
    application = ApplicationFactory(complete=True, status="under_review", reference="T99-000001")
    db.session.commit()
    forms.login(application.applicant.email, PASSWORD)
    page = client.get("/apply/interview", follow_redirects=True)
    assert "not been invited" in text_of(page)
    refused = forms.post("/apply/interview/book", {"slot": "1"}, page="/apply/")
    assert refused.status_code == 409 and "cannot book an interview time now" in text_of(refused)


def test_staff_and_anonymous_cannot_use_the_page(client, forms, ctx):
    assert client.get("/apply/interview").status_code in (302, 401)
    officer = UserFactory(officer=True)
    db.session.commit()
    forms.login(officer.email, PASSWORD)
    assert client.get("/apply/interview").status_code in (403, 404)


def test_letters_download_own_valid_only(client, forms, invited):
    officer = UserFactory(officer=True)
    issued = letters.issue_on_acceptance(invited, officer)
    other = make_application(status="accepted", fee=None)
    foreign = letters.issue_on_acceptance(other, officer)[0]
    db.session.commit()
    response = client.get(f"/apply/letters/{issued[0].id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = pypdfium2.PdfDocument(response.data)[0].get_textpage().get_text_range()
    assert invited.passport_number in text
    assert client.get(f"/apply/letters/{foreign.id}").status_code == 404
    assert client.get("/apply/letters/99999999999999999999999").status_code == 404
    letters.revoke(issued[0], officer, "Issued by mistake.")
    db.session.commit()
    assert client.get(f"/apply/letters/{issued[0].id}").status_code == 404
    assert "Issued by mistake." in text_of(client.get("/apply/"))


def test_timezone_is_proposed_saved_and_validated(client, forms, invited):
    page = client.get("/account/timezone")
    assert page.status_code == 200
    assert re.search(r'<option selected value="Asia/Tehran"|value="Asia/Tehran" selected',
                     page.get_data(as_text=True))  # proposed from the citizenship (IR)
    bad = forms.post("/account/timezone", {"timezone": "Mars/Olympus"})
    assert bad.status_code == 400 and "Choose a time zone from the list" in text_of(bad)
    forms.post("/account/timezone", {"timezone": "America/Sao_Paulo"})
    db.session.expire_all()
    assert db.session.get(User, invited.applicant_id).timezone == "America/Sao_Paulo"


@pytest.mark.live_db
def test_exactly_capacity_bookings_succeed_at_once(committed):
    app = committed
    capacity, people = 3, 8
    with app.test_request_context():
        intake = IntakeFactory(interview_required=True, code="CC1")
        slot = InterviewSlot(starts_at=utcnow() + timedelta(days=3), duration_minutes=30, capacity=capacity,
                             meeting_url="https://meet.example.org/x", language="en")
        db.session.add(slot)
        emails = []
        for n in range(people):
            application = ApplicationFactory(complete=True, status="interview", intake=intake,
                                             reference=f"CC1-{n:06d}")
            emails.append(application.applicant.email)
        db.session.commit()
        slot_id = slot.id
    posts = []
    for email in emails:
        forms = Forms(app.test_client())
        forms.login(email, PASSWORD)
        token = CSRF_RE.search(forms.client.get("/apply/interview").get_data(as_text=True)).group(1)
        posts.append((forms.client, token))
    barrier = threading.Barrier(people)
    codes = []

    def book(client, token):
        barrier.wait()
        codes.append(client.post("/apply/interview/book", data={"csrf_token": token, "slot": slot_id}).status_code)

    threads = [threading.Thread(target=book, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(codes) == [302] * capacity + [409] * (people - capacity)
    with app.app_context():
        assert db.session.get(InterviewSlot, slot_id).booked == capacity
        assert db.session.scalar(select(func.count()).select_from(InterviewBooking)) == capacity
