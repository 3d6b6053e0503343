"""The outbox: e-mail exists exactly when its change was committed, and delivery is recorded."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboundEmail
from portal.services import notifications
from tests.builders.factories import UserFactory
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


def test_send_pending_delivers_and_records(outbox):
    user = UserFactory(locale="ru")
    notifications.queue_for_user(user, "password_changed")
    db.session.commit()
    report = notifications.send_pending()
    assert (report.sent, report.failed) == (1, 0)
    row = db.session.scalars(select(OutboundEmail)).one()
    assert row.state == "sent" and row.attempts == 1 and row.sent_at is not None
    message = outbox[0]
    assert message.to == [user.email] and message.subject == row.subject
    assert message.alternatives[0][1] == "text/html"
    assert notifications.send_pending().sent == 0  # nothing is sent twice


def test_failure_is_recorded_and_retried_until_the_limit(app, monkeypatch):
    user = UserFactory()
    notifications.queue_for_user(user, "password_changed")
    db.session.commit()

    def broken(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("flask_mailman.EmailMultiAlternatives.send", broken)
    for _attempt in range(1, app.config["MAIL_MAX_ATTEMPTS"] + 1):
        report = notifications.send_pending()
        assert report.failed == 1
    row = db.session.scalars(select(OutboundEmail)).one()
    assert row.state == "failed" and row.attempts == app.config["MAIL_MAX_ATTEMPTS"]
    assert row.last_error == "ConnectionRefusedError: smtp down"
    assert notifications.send_pending().failed == 0  # given up: not tried again


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
    assert row.state == "sent"


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
