"""Findings 5 and 6: pages that show an account's e-mail address to a browser that is not logged in
(reset and invitation links) could be kept by a cache; and the session, with its CSRF token,
survived the log-in unchanged, so a token learned before the log-in kept working after it."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboundEmail
from portal.services import staff
from tests.builders.factories import PASSWORD, UserFactory
from tests.helpers import CSRF_RE, Forms, link_in, path_of, text_of


def test_reset_and_invitation_pages_are_never_stored(app, client, forms, outbox, ctx):
    user = UserFactory()
    forms.post("/auth/reset", {"email": user.email})
    link = client.get(path_of(link_in(outbox[-1].body)))
    assert link.headers["Cache-Control"] == "no-store"
    page = client.get("/auth/reset/new")
    assert page.status_code == 200 and user.email in text_of(page)
    assert page.headers["Cache-Control"] == "no-store"
    assert client.get("/auth/reset/not-a-token").headers["Cache-Control"] == "no-store"

    staff.invite(UserFactory(admin=True), "new.officer@example.com", "officer", "en")
    db.session.commit()
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "staff_invitation")).one()
    guest = app.test_client()
    invitation = guest.get(path_of(link_in(mail.body_text)))
    assert invitation.status_code == 302 and invitation.headers["Cache-Control"] == "no-store"
    accept = guest.get("/auth/invite/accept")
    assert accept.status_code == 200 and "new.officer@example.com" in text_of(accept)
    assert accept.headers["Cache-Control"] == "no-store"
    posted = Forms(guest).post("/auth/invite/accept", {"password": "short", "confirm": "short"})
    assert posted.status_code == 200 and posted.headers["Cache-Control"] == "no-store"


def csrf_token_of(client, path: str) -> str:
    return CSRF_RE.search(client.get(path).get_data(as_text=True)).group(1)


def test_log_in_starts_a_new_session_and_csrf_token(client, ctx):
    user = UserFactory()
    client.post("/language", data={"language": "az"})
    before = csrf_token_of(client, "/auth/login")
    cookie_before = client.get_cookie("portal_session").value
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": before})
    assert response.status_code == 302
    after = csrf_token_of(client, "/account/password")
    assert after != before and client.get_cookie("portal_session").value != cookie_before
    stale = client.post("/account/password", data={"csrf_token": before, "current_password": PASSWORD,
                                                   "password": "Brand new passphrase 2027",
                                                   "confirm": "Brand new passphrase 2027"})
    assert stale.status_code == 400 and "form has expired" in text_of(stale)
    assert client.get("/account").status_code == 200  # still logged in
    fresh = client.post("/account/password", data={"csrf_token": after, "current_password": PASSWORD,
                                                  "password": "Brand new passphrase 2027",
                                                  "confirm": "Brand new passphrase 2027"})
    assert fresh.status_code == 302
    Forms(client).logout()
    assert '<html lang="az">' in client.get("/").get_data(as_text=True)  # the chosen language survives both


def test_log_out_drops_the_session_too(client, forms, ctx):
    user = UserFactory()
    forms.post("/auth/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    logged_in_token = csrf_token_of(client, "/account")
    assert client.get_cookie("portal_remember") is not None
    forms.logout()
    assert csrf_token_of(client, "/auth/login") != logged_in_token
    assert client.get_cookie("portal_remember") is None and client.get("/account").status_code == 302
