"""The account rules in services/accounts.py, without HTTP."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from itsdangerous import URLSafeTimedSerializer

from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboundEmail, User
from portal.services import accounts, tokens
from tests.builders.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.mark.parametrize("raw, expected", [
    ("Person@Example.COM", "person@example.com"),
    ("  spaced@example.com ", "spaced@example.com"),
    ("ÜNICODE@bücher.example.com", "ünicode@bücher.example.com"),
])
def test_email_is_normalised_and_lower_cased(raw, expected):
    assert accounts.normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["", "plainaddress", "a@b", "name@@example.com", "name@example..com",
                                 "x" * 250 + "@example.com", "name example@example.com"])
def test_malformed_email_is_refused(raw):
    with pytest.raises(accounts.InvalidEmail):
        accounts.normalise_email(raw)


def test_email_uniqueness_ignores_case():
    accounts.create_user("Ayla@Example.com", PASSWORD)
    with pytest.raises(accounts.EmailTaken):
        accounts.create_user("ayla@EXAMPLE.com", PASSWORD)
    assert db.session.query(User).count() == 1


@pytest.mark.parametrize("password", [
    "short",                    # too short
    "password1234",             # common
    "123456789012",             # sequence
    "qwertyuiopasdfgh",         # keyboard walk
    "aaaaaaaaaaaaaaaa",         # repetition
    "passwordpassword",
])
def test_weak_passwords_are_refused(password):
    with pytest.raises(accounts.WeakPassword):
        accounts.check_password_policy(password)


def test_password_containing_the_email_is_refused():
    with pytest.raises(accounts.WeakPassword):
        accounts.check_password_policy("farida.aliyeva2005", "farida.aliyeva2005@example.com")


@pytest.mark.parametrize("password", [
    "correct horse battery staple",
    "мой кот любит свежую рыбу",          # Cyrillic passphrase
    "Bakı dənizi səhər çox gözəldir",     # Azerbaijani with diacritics
    "z" + "long passphrase with many words " * 6,  # 200 characters
])
def test_passphrases_in_any_script_are_accepted(password):
    accounts.check_password_policy(password)


def test_too_long_password_is_refused():
    with pytest.raises(accounts.WeakPassword):
        accounts.check_password_policy("word " * 60)


def test_password_is_hashed_with_argon2id():
    user = accounts.create_user("hash@example.com", PASSWORD)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, PASSWORD)


def test_register_queues_verification_in_recipients_language():
    user = accounts.register("new@example.com", PASSWORD, "ru")
    mail = db.session.query(OutboundEmail).filter_by(user_id=user.id).one()
    assert mail.template == "verify_email" and mail.locale == "ru" and mail.state == "pending"
    assert "/auth/verify/" in mail.body_text and "/auth/verify/" in mail.body_html


def test_verification_token_is_bound_to_the_address():
    user = UserFactory(unverified=True)
    other = accounts._fingerprint("other@example.com")
    token = tokens.make_token("verify-email", {"uid": user.id, "em": other})
    with pytest.raises(accounts.BadLink):
        accounts.verify_email(token)
    assert not user.is_verified


def test_token_for_one_purpose_is_useless_for_another():
    user = UserFactory()
    token = tokens.make_token("verify-email", {"uid": user.id, "em": "x"})
    with pytest.raises(tokens.TokenInvalid):
        tokens.read_token("reset-password", token, 3600)


def test_expired_token_is_reported_as_expired(app):
    user = UserFactory(unverified=True)
    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=tokens.SALTS["verify-email"])
    token = old.dumps({"uid": user.id, "em": "x"})
    with pytest.raises(tokens.TokenExpired):
        tokens.read_token("verify-email", token, max_age=-1)


def test_repeated_failures_make_the_account_wait_briefly(app):
    user = UserFactory()
    for _ in range(app.config["LOGIN_ACCOUNT_FAILURES"] - 1):
        with pytest.raises(accounts.InvalidCredentials):
            accounts.authenticate(user.email, "wrong password guess")
    assert user.locked_until is None  # the first few mistakes cost nothing
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(user.email, "wrong password guess")
    assert utcnow() < user.locked_until <= utcnow() + timedelta(seconds=1)
    with pytest.raises(accounts.InvalidCredentials, match="not correct"):
        accounts.authenticate(user.email, PASSWORD)  # even the right password waits, told alike
    user.locked_until = utcnow() - timedelta(seconds=1)
    assert accounts.authenticate(user.email, PASSWORD) is user
    assert user.failed_login_count == 0 and user.locked_until is None


def test_register_with_a_taken_address_tells_the_owner_instead():
    owner = UserFactory(email="owner@example.com", locale="ru")
    assert accounts.register("Owner@Example.com", PASSWORD, "en") is None
    mail = db.session.query(OutboundEmail).one()
    assert mail.template == "registration_attempt" and mail.recipient == owner.email and mail.locale == "ru"
    assert "/auth/login" in mail.body_text and "/auth/reset" in mail.body_text
    with pytest.raises(accounts.WeakPassword):  # refused exactly as a new address would be
        accounts.register(owner.email, "password1234", "en")


def test_authenticate_refuses_inactive_account_after_the_right_password():
    user = UserFactory(active=False)
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(user.email, "wrong password guess")
    with pytest.raises(accounts.AccountDisabled):
        accounts.authenticate(user.email, PASSWORD)


def test_unknown_email_and_wrong_password_fail_alike():
    user = UserFactory()
    with pytest.raises(accounts.InvalidCredentials) as unknown:
        accounts.authenticate("nobody@example.com", PASSWORD)
    with pytest.raises(accounts.InvalidCredentials) as wrong:
        accounts.authenticate(user.email, "wrong password guess")
    assert str(unknown.value.message) == str(wrong.value.message)


def test_reset_token_works_once_and_rotates_the_session():
    user = UserFactory()
    old_session = user.session_token
    accounts.request_password_reset(user.email)
    mail = db.session.query(OutboundEmail).filter_by(template="reset_password").one()
    token = mail.body_text.split("/auth/reset/")[1].split()[0]
    accounts.reset_password(token, "Brand new passphrase 2027")
    assert user.session_token != old_session
    assert accounts.authenticate(user.email, "Brand new passphrase 2027") is user
    with pytest.raises(accounts.BadLink, match="already been used"):
        accounts.reset_password(token, "Another new passphrase 2027")


def test_reset_request_for_unknown_address_queues_nothing():
    accounts.request_password_reset("ghost@example.com")
    accounts.request_password_reset("not an address")
    assert db.session.query(OutboundEmail).count() == 0


def test_change_password_requires_the_current_one():
    user = UserFactory()
    with pytest.raises(accounts.WrongPassword):
        accounts.change_password(user, "not my password", "Brand new passphrase 2027")
    with pytest.raises(accounts.WeakPassword):
        accounts.change_password(user, PASSWORD, "password1234")
    accounts.change_password(user, PASSWORD, "Brand new passphrase 2027")
    assert accounts.password_matches(user, "Brand new passphrase 2027")


def test_unverified_user_cannot_pass_the_submit_hook():
    with pytest.raises(accounts.EmailNotVerified):
        accounts.require_verified(UserFactory(unverified=True))
    accounts.require_verified(UserFactory())


def test_rehash_when_parameters_change(app):
    user = UserFactory()
    old_hash = user.password_hash
    app.config["ARGON2_TIME_COST"] = 2
    try:
        assert accounts.password_matches(user, PASSWORD)
    finally:
        app.config["ARGON2_TIME_COST"] = 1
    assert user.password_hash != old_hash and "t=2" in user.password_hash
