"""Accounts through HTTP: register, verify, log in and out, reset and change the password."""

import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import OutboundEmail, User
from tests.builders.factories import PASSWORD, UserFactory
from tests.helpers import link_in, path_of, text_of

NEW_PASSWORD = "Brand new passphrase 2027"


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def register(forms, email="amina@example.com", password=PASSWORD, confirm=None, **kwargs):
    return forms.post("/auth/register", {"email": email, "password": password,
                                         "confirm": password if confirm is None else confirm}, **kwargs)


# --- register -------------------------------------------------------------------------------

def test_register_creates_account_sends_link_and_asks_to_log_in(app, client, forms, outbox):
    response = register(forms, email="Amina@Example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert "We have sent a message to Amina@Example.com" in text_of(client.get("/auth/login"))
    user = db.session.scalar(select(User).where(User.email == "amina@example.com"))
    assert user is not None and not user.is_verified and user.role == "applicant"
    assert len(outbox) == 1 and outbox[0].to == ["amina@example.com"]
    assert client.get("/apply/").status_code == 302  # not logged in: the same answer as for a taken address
    forms.login("amina@example.com", PASSWORD)
    assert "not verified yet" in text_of(client.get("/apply/"))


@pytest.mark.parametrize("email, password, confirm, message", [
    ("amina@example.com", "short pass", None, "at least 12 characters"),
    ("amina@example.com", "password1234", None, "too common"),
    ("amina@example.com", PASSWORD, PASSWORD + "x", "do not match"),
    ("amina@", PASSWORD, None, "valid e-mail address"),
    ("", PASSWORD, None, "Enter your e-mail address"),
    ("amina@example.com", "", "", "Choose a password"),
])
def test_register_bad_input_is_explained_and_creates_nothing(forms, outbox, email, password, confirm,
                                                              message):
    before = user_count()
    response = register(forms, email=email, password=password, confirm=confirm)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in text_of(response)
    assert 'aria-invalid="true"' in page and "aria-describedby=" in page
    assert user_count() == before and outbox == []


def test_register_duplicate_email_in_other_case_answers_alike_and_tells_the_owner(client, forms, outbox, ctx):
    UserFactory(email="taken@example.com")
    response = register(forms, email="TAKEN@example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    page = text_of(client.get("/auth/login"))
    assert "We have sent a message to TAKEN@example.com" in page and "already exists" not in page
    assert [(m.to, m.subject) for m in outbox] == [(["taken@example.com"],
                                                    "Someone tried to create an account with your address")]


def test_register_without_csrf_token_is_refused(client):
    response = client.post("/auth/register", data={"email": "x@example.com", "password": PASSWORD,
                                                   "confirm": PASSWORD})
    assert response.status_code == 400
    assert "form has expired" in text_of(response)
    assert user_count() == 0


def test_register_errors_in_russian(client, forms):
    client.post("/language", data={"language": "ru", "csrf_token": forms.token("/")})
    response = register(forms, password="короткий")
    assert "Используйте не менее 12 символов" in text_of(response)


# --- verify ---------------------------------------------------------------------------------

def test_verify_link_verifies_once(client, forms, outbox):
    register(forms)
    path = path_of(link_in(outbox[0].body))
    response = client.get(path)
    assert response.status_code == 302
    assert "is verified" in text_of(client.get(response.headers["Location"]))
    user = db.session.scalar(select(User).where(User.email == "amina@example.com"))
    assert user.is_verified
    assert "already verified" in text_of(client.get(path, follow_redirects=True))


@pytest.mark.parametrize("token", ["garbage", "eyJ1aWQiOjF9.Zm9v.YmFy"])
def test_bad_verify_link_is_explained(client, token):
    response = client.get(f"/auth/verify/{token}")
    assert response.status_code == 400
    assert "not valid" in text_of(response)


def test_resend_verification(client, forms, outbox):
    register(forms)
    forms.login("amina@example.com", PASSWORD)
    outbox.clear()
    response = forms.post("/auth/verify/resend", page="/apply/")
    assert response.status_code == 302 and len(outbox) == 1
    assert "/auth/verify/" in outbox[0].body


# --- login / logout -------------------------------------------------------------------------

def test_login_and_logout(client, forms, ctx):
    user = UserFactory()
    response = forms.login(user.email.upper(), PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/apply/"
    assert user.email in text_of(client.get("/apply/"))
    response = forms.logout()
    assert response.status_code == 302
    assert client.get("/apply/").status_code == 302


def test_staff_land_in_the_office(forms, ctx):
    user = UserFactory(officer=True)
    assert forms.login(user.email, PASSWORD).headers["Location"] == "/office/"


@pytest.mark.parametrize("email, password", [
    ("nobody@example.com", PASSWORD),
    ("USER", "whatever"),
    (None, "wrong password guess"),
])
def test_login_failure_gives_one_generic_message(forms, ctx, email, password):
    user = UserFactory()
    response = forms.login(email or user.email, password)
    assert response.status_code == 200
    assert "e-mail address or password is not correct" in text_of(response)


def test_logout_kills_every_cookie_of_the_user(app, ctx):
    user = UserFactory()
    from tests.helpers import Forms
    first, second = app.test_client(), app.test_client()
    Forms(first).login(user.email, PASSWORD)
    Forms(second).login(user.email, PASSWORD)
    assert second.get("/apply/").status_code == 200
    Forms(first).logout()
    assert second.get("/apply/").status_code == 302  # the other device is logged out too


def test_logout_get_asks_for_confirmation(client, forms, ctx):
    forms.login(UserFactory().email, PASSWORD)
    response = client.get("/auth/logout")
    assert response.status_code == 200 and "Do you want to log out" in text_of(response)
    assert client.get("/apply/").status_code == 200  # still logged in


@pytest.mark.parametrize("target, expected", [
    ("/account", "/account"),
    ("/apply/?tab=status", "/apply/?tab=status"),
    ("//evil.example.com/", "/apply/"),
    ("https://evil.example.com/", "/apply/"),
    ("/\\evil.example.com", "/apply/"),
    ("javascript:alert(1)", "/apply/"),
    ("\t//evil.example.com", "/apply/"),
])
def test_login_next_redirect_is_safe(forms, ctx, target, expected):
    user = UserFactory()
    response = forms.post(f"/auth/login?next={target}", {"email": user.email, "password": PASSWORD},
                          page="/auth/login")
    assert response.headers["Location"] == expected


def test_remember_me_sets_a_persistent_cookie(client, forms, ctx):
    user = UserFactory()
    forms.post("/auth/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("portal_remember") is not None


# --- reset ----------------------------------------------------------------------------------

def test_reset_does_not_reveal_whether_an_account_exists(client, forms, outbox, ctx):
    user = UserFactory()
    known = forms.post("/auth/reset", {"email": user.email}, follow=True)
    unknown = forms.post("/auth/reset", {"email": "ghost@example.com"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'value="[^"]+"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(known) == strip(unknown)
    assert [m.to for m in outbox] == [[user.email]]


def test_reset_flow_and_reused_link(client, forms, outbox, ctx):
    user = UserFactory()
    forms.post("/auth/reset", {"email": user.email})
    path = path_of(link_in(outbox[0].body))
    opened = client.get(path)
    assert opened.status_code == 302 and opened.headers["Location"] == "/auth/reset/new"
    assert "For the account" in text_of(client.get("/auth/reset/new"))
    weak = forms.post("/auth/reset/new", {"password": "password1234", "confirm": "password1234"})
    assert "too common" in text_of(weak)
    done = forms.post("/auth/reset/new", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"] == "/auth/login"
    assert forms.login(user.email, NEW_PASSWORD).status_code == 302
    again = client.get(path)
    assert again.status_code == 400 and "already been used" in text_of(again)
    assert client.get("/auth/reset/new").status_code == 400  # nothing left in the session
    assert outbox[-1].subject == "Your password was changed"


def test_expired_reset_link(app, client, forms, outbox, ctx):
    user = UserFactory()
    forms.post("/auth/reset", {"email": user.email})
    path = path_of(link_in(outbox[0].body))
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        response = client.get(path)
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    assert response.status_code == 400 and "expired" in text_of(response)


# --- change password ------------------------------------------------------------------------

def test_change_password_keeps_this_device_and_logs_out_others(app, client, forms, outbox, ctx):
    user = UserFactory()
    from tests.helpers import Forms
    other = app.test_client()
    Forms(other).login(user.email, PASSWORD)
    forms.login(user.email, PASSWORD)
    wrong = forms.post("/account/password", {"current_password": "not it at all",
                                             "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "current password is not correct" in text_of(wrong)
    mismatch = forms.post("/account/password", {"current_password": PASSWORD,
                                                "password": NEW_PASSWORD, "confirm": "different"})
    assert "do not match" in text_of(mismatch)
    ok = forms.post("/account/password", {"current_password": PASSWORD,
                                          "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert ok.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert [m.subject for m in outbox] == ["Your password was changed"]


def test_account_requires_login(client):
    response = client.get("/account")
    assert response.status_code == 302 and "/auth/login?next=" in response.headers["Location"]


def test_failed_request_queues_no_mail(forms, ctx):
    register(forms, password="short")
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 0


def test_reset_form_without_a_link_is_refused(client):
    response = client.get("/auth/reset/new")
    assert response.status_code == 400 and "not valid" in text_of(response)


def test_deactivated_user_is_logged_out_at_once(client, forms, ctx):
    user = UserFactory()
    forms.login(user.email, PASSWORD)
    assert client.get("/account").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_verification_link_does_not_carry_the_address(forms, outbox):
    import base64

    register(forms)
    token = link_in(outbox[0].body).rsplit("/", 1)[1]
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"amina" not in decoded and b"example.com" not in decoded
