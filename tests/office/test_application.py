"""The office's application page and its actions."""

import re
import threading

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, ApplicationEvent, AuditLog, OutboundEmail
from tests.builders.factories import PASSWORD, ApplicationFactory, UserFactory
from tests.helpers import Forms, text_of


@pytest.fixture
def officer(forms, ctx):
    user = UserFactory(officer=True)
    forms.login(user.email, PASSWORD)
    return user


@pytest.fixture
def submitted(ctx):
    application = ApplicationFactory(complete=True, status="submitted", reference="T27-000001")
    db.session.commit()
    return application


def url(application, action=""):
    return f"/office/applications/{application.reference}" + (f"/{action}" if action else "")


def fresh(application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def post(forms, application, action, data=None, version=None):
    fields = {"version": str(fresh(application).version if version is None else version), **(data or {})}
    return forms.post(url(application, action), fields, page=url(application), follow=True)


def test_page_shows_every_answer_and_logs_the_view(client, officer, submitted):
    page = text_of(client.get(url(submitted)))
    for text in ("ALIYEVA", "Passport number", submitted.passport_number, "+989121234567", "Biology grade"):
        assert text in page
    views = db.session.scalars(select(AuditLog).where(AuditLog.action == "application.view")).all()
    assert len(views) == 1 and views[0].actor_id == officer.id and views[0].ip == "127.0.0.1"


def test_review_request_changes_and_decide(client, forms, officer, submitted, outbox):
    assert "now “Under review" in text_of(post(forms, submitted, "start-review"))
    response = post(forms, submitted, "request-changes", {"steps": ["contact"], "message": "Update your phone."})
    assert "Action required" in text_of(response)
    application = fresh(submitted)
    assert application.reopened_steps == ["contact"]
    submitted_again = application
    submitted_again.status = "submitted"  # the applicant resubmits (tested in test_wizard)
    db.session.commit()
    post(forms, submitted, "start-review")
    response = post(forms, submitted, "decide", {"outcome": "reject", "reason": ""})
    assert "Give the reason for the rejection" in text_of(response)
    assert fresh(submitted).status == "under_review"
    post(forms, submitted, "decide", {"outcome": "accept"})
    assert fresh(submitted).status == "accepted"
    subjects = [m.subject for m in outbox]
    assert subjects[-2:] == ["You have been accepted: T27-000001", "Your letters are ready: T27-000001"]
    assert any(s.startswith("Action required") for s in subjects)
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.action != "application.view")).all()
    assert actions.count("application.decide") == 1 and "application.request_changes" in actions


def test_stale_form_changes_nothing(forms, officer, submitted):
    seen = fresh(submitted).version
    post(forms, submitted, "start-review", version=seen)
    response = post(forms, submitted, "decide", {"outcome": "accept"}, version=seen)
    assert "changed since you opened it" in text_of(response)
    assert fresh(submitted).status == "under_review"


def test_illegal_action_is_refused(forms, officer, submitted):
    response = post(forms, submitted, "decide", {"outcome": "waitlist"})
    assert "cannot be done while the application is" in text_of(response)
    assert fresh(submitted).status == "submitted"


@pytest.mark.parametrize("version", ["", "abc", "99999"])
def test_tampered_version_is_stale(forms, officer, submitted, version):
    response = forms.post(url(submitted, "start-review"), {"version": version}, page=url(submitted), follow=True)
    assert response.status_code == 200 and "changed since you opened it" in text_of(response)


def test_notes_stay_internal(client, forms, officer, submitted):
    post(forms, submitted, "notes", {"body": "School confirmed by phone."})
    assert "School confirmed by phone." in text_of(client.get(url(submitted)))
    applicant = Forms(client.application.test_client())
    applicant.login(submitted.applicant.email, PASSWORD)
    assert "School confirmed by phone." not in text_of(applicant.client.get("/apply/"))


def test_messages_and_assignment(client, forms, officer, submitted, outbox):
    post(forms, submitted, "messages", {"body": "Please send a clearer scan."})
    assert outbox[-1].to == [submitted.applicant.email]
    post(forms, submitted, "assign", {"officer": str(officer.id)})
    assert fresh(submitted).assigned_officer_id == officer.id
    response = post(forms, submitted, "assign", {"officer": "999999"})
    assert "Choose an officer from the list" in text_of(response)
    empty = post(forms, submitted, "messages", {"body": ""})
    assert "Write your message first." in text_of(empty)


def test_unknown_reference_is_404(client, officer):
    assert client.get("/office/applications/NOPE-000000").status_code == 404


def test_applicants_and_anonymous_are_refused(client, forms, submitted):
    for action in ("", "start-review", "decide", "request-changes", "assign", "notes", "messages"):
        response = client.get(url(submitted, action)) if not action else client.post(url(submitted, action))
        assert response.status_code in (302, 400), action
    forms.login(submitted.applicant.email, PASSWORD)
    assert client.get(url(submitted)).status_code == 403
    token = forms.token("/apply/")
    for action in ("start-review", "decide", "request-changes", "assign", "notes", "messages"):
        assert client.post(url(submitted, action), data={"csrf_token": token}).status_code == 403


@pytest.mark.live_db
def test_two_officers_deciding_at_once_leave_one_decision(committed):
    app = committed
    with app.test_request_context():
        application = ApplicationFactory(complete=True, status="under_review", reference="T27-000009")
        officers = [UserFactory(officer=True).email for _ in range(2)]
        db.session.commit()
        reference, application_id = application.reference, application.id
    posts = []
    for email, outcome in zip(officers, ("accept", "reject"), strict=True):
        forms = Forms(app.test_client())
        forms.login(email, PASSWORD)
        page = forms.client.get(f"/office/applications/{reference}").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
        posts.append((forms.client, {"csrf_token": token, "version": version, "outcome": outcome,
                                     "reason": "Grades below the minimum."}))
    barrier = threading.Barrier(2)
    pages = []

    def decide(client, data):
        barrier.wait()
        pages.append(text_of(client.post(f"/office/applications/{reference}/decide", data=data,
                                          follow_redirects=True)))

    threads = [threading.Thread(target=decide, args=pair) for pair in posts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum("changed since you opened it" in page for page in pages) == 1
    with app.app_context():
        decided = db.session.scalar(select(func.count()).select_from(ApplicationEvent).where(
            ApplicationEvent.application_id == application_id,
            ApplicationEvent.to_status.in_(("accepted", "rejected"))))
        mails = db.session.scalar(select(func.count()).select_from(OutboundEmail).where(
            OutboundEmail.template.in_(("application_accepted", "application_rejected"))))
        assert decided == 1 and mails == 1
