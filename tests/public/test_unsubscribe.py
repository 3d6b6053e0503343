"""Turning the optional reminders off: the unsubscribe link of a reminder (/unsubscribe/<token>,
RFC 8058 one-click) and the checkbox on /account (/account/reminders)."""

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditLog, OutboundEmail, User
from portal.services import reminders, tokens
from tests.builders.factories import PASSWORD, UserFactory
from tests.helpers import CSRF_RE, path_of, text_of

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def applicant(ctx):
    user = UserFactory()
    db.session.commit()
    return user


def link_for(user) -> str:
    return path_of(reminders.unsubscribe_link(user))


def opted_out(user) -> bool:
    db.session.expire_all()
    return db.session.get(User, user.id).reminders_opt_out


# --- the link -------------------------------------------------------------------------------

def test_opening_the_link_changes_nothing_and_offers_a_button(app, applicant):
    link = link_for(applicant)
    for _ in range(2):  # a link scanner, then the person
        page = app.test_client().get(link)
        assert page.status_code == 200 and not opted_out(applicant)
    assert applicant.email in text_of(page) and "Stop reminder e-mails" in text_of(page)
    assert f'action="{link}"' in page.get_data(as_text=True)
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow" and page.headers["Cache-Control"] == "no-store"


def test_one_click_post_without_cookie_or_csrf_turns_reminders_off(app, applicant):
    client = app.test_client()  # a mail client: no session, no CSRF token, just the RFC 8058 body
    response = client.post(link_for(applicant), data=ONE_CLICK)
    assert response.status_code == 200 and "Reminder e-mails are off" in text_of(response)
    assert opted_out(applicant)
    assert client.post(link_for(applicant), data=ONE_CLICK).status_code == 200  # a repeat is harmless
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "account.reminders")).all()
    assert [entry.details for entry in audit] == [{"reminders": False, "via": "unsubscribe"}]


def test_the_pages_button_turns_reminders_off(app, applicant):
    client = app.test_client()
    page = client.get(link_for(applicant)).get_data(as_text=True)
    assert 'name="List-Unsubscribe" value="One-Click"' in page
    response = client.post(link_for(applicant), data=ONE_CLICK)
    assert response.status_code == 200 and opted_out(applicant)
    again = client.get(link_for(applicant))
    assert "Reminder e-mails are off" in text_of(again)
    assert f'action="{link_for(applicant)}"' not in again.get_data(as_text=True)  # no button any more


def test_the_link_in_a_queued_reminder_works(app, ctx):
    from tests.services.test_reminders import draft

    application = draft(days=2)
    reminders.queue_draft_reminders()
    db.session.commit()
    mail = db.session.scalar(select(OutboundEmail).where(OutboundEmail.template == "reminder_draft"))
    link = mail.headers["List-Unsubscribe"].strip("<>")
    assert app.test_client().post(path_of(link), data=ONE_CLICK).status_code == 200
    assert opted_out(application.applicant)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_token_gets_a_clear_page_and_changes_nothing(app, applicant, method):
    good = link_for(applicant).rsplit("/", 1)[1]
    bad_tokens = [good[:-3] + ("xyz" if not good.endswith("xyz") else "abc"),  # tampered signature
                  good[: len(good) // 2],  # truncated
                  "nonsense",
                  tokens.make_token("verify-email", {"user": applicant.id}),  # another purpose
                  tokens.make_token("unsubscribe", {"user": 987654321})]  # nobody
    client = app.test_client()
    for token in bad_tokens:
        response = getattr(client, method)(f"/unsubscribe/{token}", data=ONE_CLICK)
        assert response.status_code == 404, token
        assert "This unsubscribe link is not valid" in text_of(response)
    assert not opted_out(applicant)


def test_other_posts_still_need_a_csrf_token(app, applicant):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": applicant.email, "password": PASSWORD}).status_code == 400


# --- the account page -------------------------------------------------------------------------

def account_form(client) -> tuple[str, str]:
    page = client.get("/account").get_data(as_text=True)
    return page, CSRF_RE.search(page.split('action="/account/reminders"', 1)[1]).group(1)


def checkbox(page: str) -> str:
    return re.search(r'<input[^>]*name="reminders"[^>]*>', page).group(0)


def test_the_account_checkbox_turns_reminders_off_and_on(client, forms, applicant):
    forms.login(applicant.email, PASSWORD)
    page, token = account_form(client)
    assert "Send me reminder e-mails" in page and " checked " in checkbox(page)
    off = client.post("/account/reminders", data={"csrf_token": token}, follow_redirects=True)  # unticked
    assert "Reminder e-mails are off" in text_of(off) and opted_out(applicant)
    page, token = account_form(client)
    assert "checked" not in checkbox(page)
    on = client.post("/account/reminders", data={"csrf_token": token, "reminders": "y"}, follow_redirects=True)
    assert "Reminder e-mails are on" in text_of(on) and not opted_out(applicant)


def test_the_account_checkbox_needs_csrf(client, forms, applicant):
    forms.login(applicant.email, PASSWORD)
    assert client.post("/account/reminders", data={}).status_code == 400
    assert not opted_out(applicant)


def test_the_account_checkbox_needs_a_login(client, forms, applicant):
    response = forms.post("/account/reminders", page="/auth/login")  # a valid token, nobody logged in
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get("/account").status_code == 302
    assert not opted_out(applicant)


def test_staff_see_no_reminders_section(client, forms, ctx):
    officer = UserFactory(officer=True)
    db.session.commit()
    forms.login(officer.email, PASSWORD)
    assert "Send me reminder e-mails" not in text_of(client.get("/account"))
