"""Finding 2 (answers): registration said "An account with this e-mail address already exists", and
a throttled account answered "Too many failed attempts" where an unknown one said "not correct".
Whether an address has an account must show neither in the answer nor in who gets logged in."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboundEmail, User
from portal.services import accounts
from portal.worker.queue import queue_for
from tests.builders.factories import PASSWORD, UserFactory
from tests.helpers import Forms, link_in, path_of, text_of

NEW_PASSWORD = "Quiet meadow lantern 1972"


def register(forms, email):
    return forms.post("/auth/register", {"email": email, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})


def answer(client, response) -> tuple:
    """What the person sees: status, where it leads, that page (minus tokens and the address)."""
    page = client.get(response.headers["Location"]) if response.status_code == 302 else response
    html = re.sub(r'value="[^"]*"', "", page.get_data(as_text=True))
    html = re.sub(r"\S+@example\.com", "ADDRESS", html, flags=re.I)
    return response.status_code, response.headers.get("Location"), html


def test_registering_a_taken_address_answers_as_for_a_new_one(app, ctx, outbox):
    owner = UserFactory(email="owner@example.com")
    password_hash = owner.password_hash
    new_client, taken_client = app.test_client(), app.test_client()
    new = register(Forms(new_client), "someone.new@example.com")
    taken = register(Forms(taken_client), "Owner@Example.com")
    assert answer(new_client, new) == answer(taken_client, taken)
    assert "already exists" not in text_of(taken_client.get("/auth/login"))
    assert new_client.get("/apply/").status_code == taken_client.get("/apply/").status_code == 302  # nobody in
    verify, attempt = outbox
    assert verify.to == ["someone.new@example.com"] and attempt.to == [owner.email]
    assert attempt.subject == "Someone tried to create an account with your address"
    body = attempt.body
    assert "http://localhost/auth/login" in body and "http://localhost/auth/reset" in body
    db.session.refresh(owner)
    assert owner.password_hash == password_hash  # the owner's account is untouched


def test_registration_attempt_mail_leads_to_log_in_and_reset(app, client, forms, ctx, outbox):
    owner = UserFactory(email="owner@example.com")
    register(forms, owner.email)
    [mail] = outbox
    assert client.get(path_of(link_in(mail.body))).status_code == 200  # the login page
    html = mail.alternatives[0][0]
    assert 'href="http://localhost/auth/login"' in html and 'href="http://localhost/auth/reset"' in html


def test_login_refusals_are_one_message_whatever_the_reason(client, forms, ctx):
    wrong = UserFactory()
    throttled = UserFactory(locked_until=utcnow() + timedelta(minutes=1))
    answers = {
        "unknown": forms.login("nobody@example.com", PASSWORD),
        "wrong password": forms.login(wrong.email, "wrong password guess"),
        "throttled, right password": forms.login(throttled.email, PASSWORD),
        "throttled, wrong password": forms.login(throttled.email, "wrong password guess"),
    }
    pages = {reason: answer(client, response) for reason, response in answers.items()}
    assert len(set(pages.values())) == 1, pages.keys()
    assert "The e-mail address or password is not correct." in text_of(answers["unknown"])
    assert "Too many" not in text_of(answers["throttled, right password"])


def test_a_reset_for_an_unknown_address_leaves_nothing_behind(app, ctx):
    """It renders and writes the e-mail as for a real account (the same time), then rolls it back."""
    accounts.request_password_reset("Ghost@Example.com")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert queue_for(app).huey.pending_count() == 0  # nothing handed to the worker
