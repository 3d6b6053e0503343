"""The office's interview pages: slots (/office/interviews), invite, attendance and result on the
application page, letters (view, re-issue, revoke): happy paths, bad input, the wrong user."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditLog, InterviewSlot, Letter
from portal.services import interview_times, interviews, letters
from tests.builders.factories import PASSWORD, UserFactory
from tests.helpers import text_of
from tests.office.test_application import fresh, post, url
from tests.services.test_interviews import SCORES, make_application, make_slot


@pytest.fixture
def officer(forms, ctx):
    user = UserFactory(officer=True)
    db.session.commit()
    forms.login(user.email, PASSWORD)
    return user


def local_tomorrow():
    return (utcnow().astimezone(interview_times.institution_zone()) + timedelta(days=2)).date()


def publish(forms, **fields):
    data = {"day": local_tomorrow().isoformat(), "start": "10:00", "until": "", "every_minutes": "30",
            "duration_minutes": "30", "meeting_url": "https://meet.example.org/amu", "capacity": "2",
            "language": "en", "interviewer": "", **fields}
    return forms.post("/office/interviews/publish", data, page="/office/interviews")


def slot_count():
    return db.session.scalar(select(func.count()).select_from(InterviewSlot))


def test_publish_a_series_and_see_the_day(client, forms, officer):
    response = publish(forms, until="16:00")
    assert response.status_code == 302
    assert slot_count() == 12  # 10:00, 10:30 ... 15:30
    day = local_tomorrow()
    page = text_of(client.get(f"/office/interviews?day={day.isoformat()}"))
    assert "10:00–10:30" in page and "15:30–16:00" in page and "Asia/Baku" in page
    first = db.session.scalars(select(InterviewSlot).order_by(InterviewSlot.starts_at)).first()
    assert first.starts_at == interview_times.to_utc(day, time(10, 0), interview_times.institution_zone())
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "interview.slots_published"))


@pytest.mark.parametrize("fields, message", [
    ({"day": "2020-01-01"}, "in the future"),
    ({"meeting_url": "http://meet.example.org/x"}, "https://"),
    ({"meeting_url": "javascript:alert(1)"}, "https://"),
    ({"capacity": "0"}, "From 1 to 50"),
    ({"capacity": "many"}, "whole number"),
    ({"until": "09:00"}, "end after it starts"),
    ({"start": "25:99"}, "hours and minutes"),
    ({"day": "31/02/2027"}, "real date"),
    ({"until": "23:59", "every_minutes": "5"}, "at most 60"),
])
def test_bad_slot_input_is_explained_and_nothing_saved(forms, officer, fields, message):
    response = publish(forms, **fields)
    assert response.status_code == 400 and message in text_of(response)
    assert slot_count() == 0


def test_remove_only_an_unbooked_slot(client, forms, officer):
    free = make_slot()
    taken = make_slot(hours=80)
    application = make_application(status="interview", fee=None)
    interviews.book(application, taken.id, application.applicant)
    db.session.commit()
    forms.post(f"/office/interviews/slots/{free.id}/remove", page="/office/interviews")
    page = forms.post(f"/office/interviews/slots/{taken.id}/remove", page="/office/interviews", follow=True)
    assert "has bookings" in text_of(page)
    assert slot_count() == 1
    assert client.post("/office/interviews/slots/99999999999999999999/remove").status_code in (400, 404)


def test_invite_record_result_accept_and_manage_letters(client, forms, officer, outbox):
    application = make_application(status="under_review", fee=None)
    db.session.commit()
    page = text_of(post(forms, application, "invite"))
    assert "invited to the interview" in page and fresh(application).status == "interview"
    slot = make_slot()
    interviews.book(fresh(application), slot.id, application.applicant)
    slot.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    bad = forms.post(url(application, "interview-result"), {"attendance": "attended", "biology_score": "abc"},
                     page=url(application), follow=True)
    assert "Enter a number" in text_of(bad)
    scores = {f"{k}_score": str(v) for k, v in SCORES.items()}
    post(forms, application, "interview-result", {"attendance": "attended", "notes": "Confident.", **scores})
    assert interviews.result_recorded(fresh(application))
    post(forms, application, "decide", {"outcome": "accept"})
    application = fresh(application)
    assert application.status == "accepted" and len(application.letters) == 2
    admission = application.letters[0]
    response = client.get(f"/office/letters/{admission.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"].startswith("inline;")
    forms.post(f"/office/letters/{admission.id}/reissue", page=url(application))
    db.session.expire_all()
    assert db.session.get(Letter, admission.id).state == "superseded"
    newest = db.session.scalars(select(Letter).where(Letter.kind == "admission", Letter.state == "valid")).one()
    empty = forms.post(f"/office/letters/{newest.id}/revoke", {f"revoke-{newest.id}-reason": ""},
                       page=url(application), follow=True)
    assert "Give the reason" in text_of(empty) and db.session.get(Letter, newest.id).state == "valid"
    forms.post(f"/office/letters/{newest.id}/revoke", {f"revoke-{newest.id}-reason": "Passport changed."},
               page=url(application))
    db.session.expire_all()
    assert db.session.get(Letter, newest.id).state == "revoked"
    assert "has been revoked" in outbox[-1].subject and "Passport changed." in outbox[-1].body


def test_stale_invite_changes_nothing(forms, officer):
    application = make_application(status="under_review", fee=None)
    db.session.commit()
    page = text_of(post(forms, application, "invite", version=application.version - 1))
    assert "changed since you opened it" in page and fresh(application).status == "under_review"


def test_applicants_and_anonymous_are_refused(client, forms, ctx):
    application = make_application(status="interview", fee=None)
    letter = letters.issue_on_acceptance(application, UserFactory(officer=True))[0]
    db.session.commit()
    assert client.get("/office/interviews").status_code == 302
    forms.login(application.applicant.email, PASSWORD)
    assert client.get("/office/interviews").status_code == 403
    assert client.get(f"/office/letters/{letter.id}").status_code == 403
    token = forms.token("/apply/")
    for path in ("/office/interviews/publish", url(application, "invite"), url(application, "interview-result"),
                 f"/office/letters/{letter.id}/revoke", f"/office/letters/{letter.id}/reissue"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403
    assert db.session.get(Letter, letter.id).state == "valid"


def test_unknown_letter_is_404(client, officer):
    for letter_id in ("12345", "99999999999999999999999"):
        assert client.get(f"/office/letters/{letter_id}").status_code == 404
