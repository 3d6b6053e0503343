"""Two tabs (or a double click) submitting at the same moment yield exactly one submission.

Runs with real commits on separate connections and threads; on PostgreSQL the second UPDATE
waits for the first and then finds a newer version; on SQLite the database lock decides."""

import re
import threading

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, ApplicationEvent, Intake, OutboundEmail
from tests.builders.factories import PASSWORD, ApplicationFactory
from tests.helpers import Forms

pytestmark = pytest.mark.live_db
DECLARATIONS = {"accept_terms": "y", "consent_data": "y", "confirm_true": "y", "no_agent": "y"}


@pytest.mark.parametrize("attempts", [2, 4])
def test_simultaneous_submits_make_one_submission(committed, attempts):
    app = committed
    with app.test_request_context():
        application = ApplicationFactory(complete=True)
        db.session.commit()
        email, application_id, intake_id = application.applicant.email, application.id, application.intake_id

    clients = []
    for _ in range(attempts):
        forms = Forms(app.test_client())
        forms.login(email, PASSWORD)
        page = forms.client.get("/apply/review").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
        clients.append((forms.client, {**DECLARATIONS, "csrf_token": token, "version": version}))

    barrier = threading.Barrier(attempts)
    statuses = []

    def submit(client, data):
        barrier.wait()
        statuses.append(client.post("/apply/review", data=data).status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(statuses) == [302] * attempts  # nobody sees an error page
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.status == "submitted" and application.reference.endswith("-000001")
        events = db.session.scalar(select(func.count()).select_from(ApplicationEvent).where(
            ApplicationEvent.application_id == application_id, ApplicationEvent.to_status == "submitted"))
        receipts = db.session.scalar(select(func.count()).select_from(OutboundEmail).where(
            OutboundEmail.template == "application_submitted"))
        assert events == 1 and receipts == 1
        assert db.session.get(Intake, intake_id).last_reference == 1


def test_simultaneous_saves_never_fail_with_an_error_page(committed):
    """Two tabs saving the same step at the same moment: one is saved, the other is told so."""
    app = committed
    with app.test_request_context():
        application = ApplicationFactory(complete=True)
        db.session.commit()
        email = application.applicant.email
    posts = []
    for n in range(4):
        forms = Forms(app.test_client())
        forms.login(email, PASSWORD)
        token = forms.token("/apply/step/contact")
        posts.append((forms.client, {"phone": "+994 12 345 67 89", "address": f"{n} Nizami Street", "city": "Baku",
                                     "country": "AZ", "emergency_name": "Leyla Aliyeva",
                                     "emergency_phone": "+994 50 123 45 67", "save": "1", "csrf_token": token}))
    barrier = threading.Barrier(len(posts))
    statuses = []

    def save(client, data):
        barrier.wait()
        statuses.append(client.post("/apply/step/contact", data=data).status_code)

    threads = [threading.Thread(target=save, args=pair) for pair in posts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert 500 not in statuses and 302 in statuses, statuses
