"""Accounts: registration, e-mail verification, login, password reset and change.

Why it is shaped this way:
- the e-mail is normalised once here (email-validator, then lower-cased) so uniqueness is
  case-insensitive on SQLite and PostgreSQL alike;
- passwords are Argon2id hashes; the policy is length plus a guessability check (zxcvbn),
  so long passphrases in any script pass and common passwords do not;
- the session token stored in the login cookie is rotated on logout and password change,
  which kills every other cookie of that user at once;
- a password-reset token carries a fingerprint of the current hash, so it works once;
- nothing tells a stranger whether an address has an account: registering a taken address answers
  as for a new one (the owner is told by e-mail), every refused log-in is the same message after
  the same Argon2 work (an unknown address is checked against a dummy hash), and a reset request
  for an unknown address renders the same e-mail as for a real one, then throws it away;
- wrong passwords slow an account down only briefly (doubling from 1 s, capped), never on a
  browser that has logged in to it before (a signed "known device" cookie): a stranger cannot
  keep the owner out. The address that keeps failing is throttled by the view
  (``security.LoginThrottle``), where the client address is known.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from zxcvbn import zxcvbn

from portal.database import utcnow
from portal.extensions import db
from portal.models import Role, User
from portal.models.user import new_session_token
from portal.services import notifications, tokens
from portal.services.errors import ServiceError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
MIN_PASSWORD_SCORE = 3  # zxcvbn: "safely unguessable: moderate protection from offline attacks"


class AccountError(ServiceError):
    """A refusal about an account (registration, log-in, password, links)."""


class InvalidEmail(AccountError):
    field = "email"


class EmailTaken(AccountError):
    field = "email"


class WeakPassword(AccountError):
    field = "password"


class InvalidCredentials(AccountError):
    pass


class AccountDisabled(AccountError):
    pass


class WrongPassword(AccountError):
    field = "current_password"


class BadLink(AccountError):
    """A verification or reset link that is tampered, expired or already used."""


# --- e-mail and passwords ------------------------------------------------------------------

def normalise_email(raw: str) -> str:
    try:
        result = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(_l("Enter a valid e-mail address, like name@example.com.")) from exc
    return result.normalized.lower()


def password_problem(password: str, email: str | None = None):
    """The reason a password is refused, or None when it is acceptable."""
    user_inputs = [email, email.split("@")[0]] if email else []
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("Use at least %(n)s characters. A phrase of several words is easiest to remember.",
                  n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("Use at most %(n)s characters.", n=MAX_PASSWORD_LENGTH)
    # zxcvbn's matching is quadratic in length; the first 64 characters decide commonness.
    if zxcvbn(password[:64], user_inputs=user_inputs)["score"] < MIN_PASSWORD_SCORE:
        return _l("This password is too common or easy to guess. "
                  "Try a phrase of several unrelated words.")
    return None


def check_password_policy(password: str, email: str | None = None) -> None:
    problem = password_problem(password, email)
    if problem:
        raise WeakPassword(problem)


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"],
                          parallelism=cfg["ARGON2_PARALLELISM"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


_dummy_hashes: dict[tuple[int, int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random password with the current parameters, made once per process."""
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash(secrets.token_urlsafe(32))
    return _dummy_hashes[key]


def spend_password_check(password: str) -> None:
    """Check ``password`` against a dummy hash: the work (and time) of checking a real account's."""
    hasher = _hasher()
    try:
        hasher.verify(_dummy_hash(hasher), password)
    except VerificationError:
        pass


def password_matches(user: User | None, password: str) -> bool:
    hasher = _hasher()
    if user is None:
        # The same verification work as for a real account, so timing does not tell who exists.
        spend_password_check(password)
        return False
    try:
        hasher.verify(user.password_hash, password)
    except VerificationError:
        return False
    except InvalidHashError:  # an invited account without a password yet: take the same time
        spend_password_check(password)
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.failed_login_count = 0
    user.locked_until = None
    rotate_session(user)


def rotate_session(user: User) -> None:
    """Invalidate every login cookie of this user (the cookie holds the session token)."""
    user.session_token = new_session_token()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


# --- registration and verification ---------------------------------------------------------

def create_user(email: str, password: str, *, role: str = Role.APPLICANT.value, locale: str = "en",
                verified: bool = False) -> User:
    """Create an account after checking e-mail, uniqueness and the password policy."""
    if role not in Role.values():
        raise AccountError(_l("Unknown role."), field="role")
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise EmailTaken(_l("An account with this e-mail address already exists. "
                            "Log in, or reset your password if you forgot it."))
    check_password_policy(password, email)
    user = User(email=email, password_hash=hash_password(password), role=role,
                locale=locale if locale in current_app.config["LANGUAGES"] else "en",
                email_verified_at=utcnow() if verified else None)
    db.session.add(user)
    db.session.flush()
    return user


def register(email: str, password: str, locale: str) -> User | None:
    """A new account and its verification link. For an address that has an account already: no
    refusal (the view answers both alike), the owner is e-mailed instead, and the password is
    checked and hashed all the same, so the time taken does not tell the two apart either.
    Returns the new user, or None when the address was taken."""
    email = normalise_email(email)
    owner = find_by_email(email)
    if owner is None:
        user = create_user(email, password, locale=locale)
        send_verification(user)
        return user
    check_password_policy(password, email)
    hash_password(password)  # the work that creating the account would have done
    notifications.queue_for_user(owner, "registration_attempt",
                                 link=notifications.external_url("auth.login"),
                                 reset_link=notifications.external_url("auth.request_reset"))
    return None


def _fingerprint(value: str) -> str:
    """A short digest to bind a token to a value without putting the value in the URL."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def send_verification(user: User) -> None:
    token = tokens.make_token("verify-email", {"uid": user.id, "em": _fingerprint(user.email)})
    notifications.queue_for_user(user, "verify_email",
                                 link=notifications.external_url("auth.verify_email", token=token),
                                 hours=current_app.config["EMAIL_VERIFY_MAX_AGE"] // 3600)


def verify_email(token: str) -> tuple[User, bool]:
    """Mark the address verified; returns (user, newly_verified)."""
    data = _read_link("verify-email", token, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None or _fingerprint(user.email) != data.get("em"):
        raise BadLink(_l("This verification link is not valid. Log in and ask for a new one."))
    if user.is_verified:
        return user, False
    user.email_verified_at = utcnow()
    return user, True


def _read_link(purpose: str, token: str, max_age: int) -> dict:
    try:
        return tokens.read_token(purpose, token, max_age)
    except tokens.TokenExpired as exc:
        raise BadLink(_l("This link has expired. Please ask for a new one.")) from exc
    except tokens.TokenInvalid as exc:
        raise BadLink(_l("This link is not valid. Check that you copied the whole link, "
                         "or ask for a new one.")) from exc


# --- login ---------------------------------------------------------------------------------

LOGIN_REFUSED = _l("The e-mail address or password is not correct.")
KNOWN_DEVICE_MAX_AGE = 365 * 24 * 3600


def authenticate(email: str, password: str, *, device: str | None = None) -> User:
    """The user these credentials belong to. An unknown address, an account waiting out its delay
    and a wrong password are refused alike (``InvalidCredentials``, one message, one Argon2 check
    each). ``device``: the browser's known-device token, which skips the account's delay."""
    try:
        email = normalise_email(email)
    except InvalidEmail:
        email = ""
    user = find_by_email(email) if email else None
    now = utcnow()
    if (user is not None and user.locked_until and user.locked_until > now
            and not is_known_device(user, device)):
        spend_password_check(password)  # the password is not even looked at
        raise InvalidCredentials(LOGIN_REFUSED)
    if not password_matches(user, password):
        if user is not None:
            _record_failure(user, now)
        raise InvalidCredentials(LOGIN_REFUSED)
    if not user.active:
        raise AccountDisabled(_l("This account is disabled. Please contact the admissions office."))
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def _record_failure(user: User, now) -> None:
    """Count the failure (atomically: guesses arrive in parallel); from LOGIN_ACCOUNT_FAILURES in
    a row on, the next attempt waits 1 s, 2 s, 4 s ... at most LOGIN_ACCOUNT_MAX_DELAY_SECONDS."""
    cfg = current_app.config
    failures = db.session.execute(
        update(User).where(User.id == user.id)
        .values(failed_login_count=User.failed_login_count + 1)
        .returning(User.failed_login_count)).scalar_one()
    beyond = failures - cfg["LOGIN_ACCOUNT_FAILURES"]
    if beyond >= 0:
        delay = min(2 ** min(beyond, 30), cfg["LOGIN_ACCOUNT_MAX_DELAY_SECONDS"])
        user.locked_until = now + timedelta(seconds=delay)


def device_token(user: User) -> str:
    """For the known-device cookie set at a successful log-in; a new password voids it."""
    return tokens.make_token("known-device", {"uid": user.id, "fp": _fingerprint(user.password_hash)})


def is_known_device(user: User, token: str | None) -> bool:
    if not token:
        return False
    try:
        data = tokens.read_token("known-device", token, KNOWN_DEVICE_MAX_AGE)
    except tokens.TokenInvalid:
        return False
    return data.get("uid") == user.id and data.get("fp") == _fingerprint(user.password_hash)


# --- password reset and change -------------------------------------------------------------

def request_password_reset(email: str) -> None:
    """Queue a reset link if an active account exists; the caller says the same thing either way.
    Otherwise the same e-mail is rendered and written for a stand-in inside a savepoint that is
    rolled back: rendering is most of the work, and timing must not tell who has an account."""
    try:
        address = normalise_email(email)
    except InvalidEmail:
        return
    user = find_by_email(address)
    if user is not None and user.active:
        _queue_reset(user)
        return
    savepoint = db.session.begin_nested()
    try:
        _queue_reset(User(email=address, password_hash=secrets.token_urlsafe(16), locale="en"))
        db.session.flush()
    finally:
        savepoint.rollback()  # the row is gone, and a rolled-back row never reaches the worker


def _queue_reset(user: User) -> None:
    token = tokens.make_token("reset-password", {"uid": user.id, "fp": _fingerprint(user.password_hash)})
    notifications.queue_for_user(user, "reset_password",
                                 link=notifications.external_url("auth.reset_link", token=token),
                                 minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)


def user_for_reset(token: str) -> User:
    data = _read_link("reset-password", token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active:
        raise BadLink(_l("This link is not valid. Check that you copied the whole link, "
                         "or ask for a new one."))
    if data.get("fp") != _fingerprint(user.password_hash):
        raise BadLink(_l("This link has already been used. Ask for a new one if you still need it."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset(token)
    check_password_policy(new_password, user.email)
    _set_password(user, new_password)
    if not user.is_verified:  # the link proved the address works
        user.email_verified_at = utcnow()
    _tell_password_changed(user)
    return user


def change_password(user: User, current: str, new_password: str) -> None:
    if not password_matches(user, current):
        raise WrongPassword(_l("Your current password is not correct."))
    check_password_policy(new_password, user.email)
    _set_password(user, new_password)
    _tell_password_changed(user)


def _tell_password_changed(user: User) -> None:
    notifications.queue_for_user(user, "password_changed",
                                 link=notifications.external_url("auth.request_reset"))


def set_locale(user: User, locale: str) -> None:
    if locale in current_app.config["LANGUAGES"]:
        user.locale = locale


class EmailNotVerified(AccountError):
    pass


def require_verified(user: User) -> None:
    """The hook the application submit step calls: unverified applicants may not submit."""
    if not user.is_verified:
        raise EmailNotVerified(_l("Verify your e-mail address before you submit: open the link we "
                                  "sent you, or ask for a new one on your account page."))
