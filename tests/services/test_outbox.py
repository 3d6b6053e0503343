"""The outbox: e-mail exists exactly when its change was committed; the commit hands it to the
worker, and delivery is recorded (the worker's own behaviour: tests/worker/)."""

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboundEmail
from portal.services import notifications
from portal.worker.queue import queue_for
from tests.builders.factories import UserFactory
from tests.conftest import run_worker_tasks
from tests.helpers import Forms, link_in, path_of

pytestmark = pytest.mark.usefixtures("ctx")


def pending():
    return db.session.scalars(select(OutboundEmail).where(OutboundEmail.state == "pending")).all()


def test_rendered_in_the_recipients_language():
    user = UserFactory(locale="az")
    row = notifications.queue_for_user(user, "password_changed")
    assert row.locale == "az" and row.subject == "Şifrəniz dəyişdirildi"
    assert 'lang="az"' in row.body_html and "Hörmətli" in row.body_text


def test_queued_mail_is_rolled_back_with_its_change():
    user = UserFactory()
    db.session.commit()
    notifications.queue_for_user(user, "password_changed")
    db.session.rollback()
    assert pending() == []


def enqueued(app) -> list[list[int]]:
    """The row ids of the delivery tasks waiting in the app's (in-memory) queue."""
    return [task.args[0] for task in queue_for(app).huey.pending()]


def test_the_commit_hands_the_rows_to_the_worker(app):
    first = notifications.queue_for_user(UserFactory(), "password_changed")
    second = notifications.queue_for_user(UserFactory(), "password_changed")
    assert enqueued(app) == []  # nothing before the commit
    db.session.commit()
    assert enqueued(app) == [[first.id, second.id]]
    db.session.commit()
    assert enqueued(app) == [[first.id, second.id]]  # once


def test_rolled_back_mail_is_not_enqueued(app):
    notifications.queue_for_user(UserFactory(), "password_changed")
    db.session.rollback()
    db.session.commit()
    kept = notifications.queue_for_user(UserFactory(), "password_changed")
    with db.session.begin_nested() as savepoint:
        notifications.queue_for_user(UserFactory(), "password_changed")
        savepoint.rollback()
    db.session.commit()
    assert enqueued(app) == [[kept.id]]


def test_an_unreachable_queue_loses_nothing(app, monkeypatch, caplog):
    def down(ids):
        raise ConnectionError("queue down")

    monkeypatch.setattr("portal.services.notifications.enqueue_delivery", down)
    row = notifications.queue_for_user(UserFactory(), "password_changed")
    db.session.commit()  # the commit stands; the worker's sweep finds the row
    assert pending() == [row] and "not enqueued" in caplog.text


def test_message_id_is_fixed_at_queueing_in_the_senders_domain(app):
    rows = [notifications.queue_for_user(UserFactory(), "password_changed") for _ in range(3)]
    ids = [row.message_id for row in rows]
    assert len(set(ids)) == 3
    assert all(re.fullmatch(r"<[^@<>]+@example\.edu>", message_id) for message_id in ids)


def test_extra_headers_and_attachments_are_kept_on_the_row():
    ics = {"filename": "interview.ics", "content_type": "text/calendar", "content": "BEGIN:VCALENDAR"}
    row = notifications.queue_for_user(UserFactory(), "password_changed", attachments=[ics],
                                       headers={"List-Unsubscribe": "<https://example.edu/u/1>"})
    db.session.commit()
    db.session.expire_all()
    assert row.headers == {"List-Unsubscribe": "<https://example.edu/u/1>"} and row.attachments == [ics]


def test_a_request_that_queues_mail_only_enqueues_it(app, monkeypatch):
    """The web process never sends: the request leaves a task; the worker (here played by the
    test) delivers."""
    user = UserFactory()
    db.session.commit()
    sent = []
    monkeypatch.setattr("flask_mailman.backends.locmem.EmailBackend.send_messages",
                        lambda self, messages: sent.extend(messages) or len(messages))
    client = app.test_client()
    client.plays_worker = False
    response = Forms(client).post("/auth/reset", {"email": user.email})
    assert response.status_code == 302 and sent == []
    [row] = pending()
    assert enqueued(app) == [[row.id]]
    run_worker_tasks(app)
    assert [message.to for message in sent] == [[user.email]]


@pytest.mark.smtp
def test_verification_email_arrives_over_real_smtp(smtp_app, smtp_server):
    _host, _port, sink = smtp_server
    client = smtp_app.test_client()
    forms = Forms(client)
    forms.post("/language", {"language": "ru"}, page="/")
    response = forms.post("/auth/register", {"email": "leyla@example.com",
                                             "password": "Quiet meadow lantern 1972",
                                             "confirm": "Quiet meadow lantern 1972"})
    assert response.status_code == 302
    assert len(sink.messages) == 1
    message = sink.messages[0]
    assert message["To"] == "leyla@example.com"
    # Flask-Mailman folds an encoded subject onto a continuation line; unfolding leaves a space.
    assert message["Subject"].strip() == "Подтвердите адрес электронной почты"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Здравствуйте" in text and 'lang="ru"' in html
    link = link_in(text)
    assert link in html
    assert client.get(path_of(link)).status_code == 302
    row = db.session.scalars(select(OutboundEmail)).one()
    assert row.state == "sent" and message["Message-ID"] == row.message_id


@pytest.mark.smtp
def test_smtp_down_keeps_the_mail_pending(database_url, tmp_path):
    from portal import create_app
    from tests.conftest import IsolatedClient, settings_for

    app = create_app(settings_for(database_url, tmp_path, MAIL_BACKEND="smtp",
                                   MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_TIMEOUT=2))
    app.test_client_class = IsolatedClient
    forms = Forms(app.test_client())
    response = forms.post("/auth/reset", {"email": UserFactory().email})
    assert response.status_code == 302  # the person is not shown a transport error
    row = db.session.scalars(select(OutboundEmail)).one()
    assert row.state == "pending" and row.attempts == 1 and "Connection refused" in row.last_error
