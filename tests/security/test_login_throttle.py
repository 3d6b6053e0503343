"""Finding 3: ten wrong passwords locked any account (staff included) for 15 minutes, again and
again, for anyone who knew the address. Now the account only waits briefly (doubling, capped),
never on a browser that logged in to it before, and it is the failing address that is held back,
told when to try again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from limits.storage import MemoryStorage

from portal.database import utcnow
from portal.extensions import db
from portal.models import User
from portal.services import accounts
from tests.builders.factories import PASSWORD, UserFactory
from tests.helpers import Forms, text_of

ATTACKER, OWNER_AT_HOME, OWNER_ELSEWHERE = "203.0.113.9", "198.51.100.7", "192.0.2.44"


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Forms(client)


@pytest.fixture
def throttled_app(make_app):
    return make_app(RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_FAILURES=3, LOGIN_ACCOUNT_MAX_DELAY_SECONDS=60,
                    LOGIN_ADDRESS_FAILURES=5, LOGIN_ADDRESS_MAX_DELAY_MINUTES=15)


def fresh(user: User) -> User:
    db.session.refresh(user)
    return user


def test_a_stranger_cannot_keep_the_owner_out(throttled_app, ctx):
    officer = UserFactory(officer=True)
    home = client_at(throttled_app, OWNER_AT_HOME)
    home.login(officer.email, PASSWORD)  # this browser has logged in before
    home.logout()
    attacker = client_at(throttled_app, ATTACKER)
    codes = [attacker.login(officer.email, f"guess number {n}").status_code for n in range(8)]
    assert codes == [200] * 5 + [429] * 3  # the address that fails is held back ...
    officer = fresh(officer)
    # The account waited 1 s after its third failure; the next two guesses came within it and
    # were refused unread, and the address's later ones never reached the account.
    assert officer.failed_login_count == 3 and officer.locked_until <= utcnow() + timedelta(seconds=1)
    assert home.login(officer.email, PASSWORD).headers["Location"] == "/office/"  # a known browser: at once
    elsewhere = client_at(throttled_app, OWNER_ELSEWHERE)
    officer.locked_until = utcnow() - timedelta(seconds=1)  # a new browser waits out the few seconds
    db.session.commit()
    assert elsewhere.login(officer.email, PASSWORD).headers["Location"] == "/office/"


def test_the_failing_address_is_told_when_to_try_again(throttled_app, ctx):
    user = UserFactory()
    attacker = client_at(throttled_app, ATTACKER)
    for n in range(5):
        assert "is not correct" in text_of(attacker.login(f"user{n}@example.com", "wrong password guess"))
    refused = attacker.login(user.email, PASSWORD)  # even the right password, for anyone
    assert refused.status_code == 429 and 55 <= int(refused.headers["Retry-After"]) <= 61
    assert "Too many failed log-in attempts from your connection. Please try again in 1 minute." in text_of(refused)
    ru = attacker.post("/auth/login", {"email": user.email, "password": PASSWORD},
                       headers={"Accept-Language": "ru"})
    assert ru.status_code == 429 and 'lang="ru"' in ru.get_data(as_text=True)
    other = client_at(throttled_app, OWNER_ELSEWHERE)
    assert other.login(user.email, PASSWORD).status_code == 302  # nobody else waits


def test_the_address_waits_longer_each_time_up_to_the_cap():
    from portal.security import LoginThrottle

    throttle = LoginThrottle(MemoryStorage(), free_failures=2, max_delay_seconds=15 * 60)
    waits = []
    throttle.record_failure("a")
    assert throttle.wait_seconds("a") == 0
    for _ in range(6):
        throttle.record_failure("a")
        waits.append(throttle.wait_seconds("a"))
        throttle.storage.clear(f"{throttle.PREFIX}:wait:a")  # time passes
    assert waits == [60, 120, 240, 480, 900, 900]
    assert throttle.wait_seconds("b") == 0


def test_the_account_waits_doubling_seconds_up_to_the_cap(app, ctx):
    user = UserFactory()
    delays = []
    for _ in range(app.config["LOGIN_ACCOUNT_FAILURES"] + 7):
        user.locked_until = None
        with pytest.raises(accounts.InvalidCredentials):
            accounts.authenticate(user.email, "wrong password guess")
        if user.locked_until is not None:
            delays.append(round((user.locked_until - utcnow()).total_seconds()))
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60]  # from the fifth failure in a row on
    assert app.config["LOGIN_ACCOUNT_MAX_DELAY_SECONDS"] == 60


def test_a_known_browser_is_tied_to_its_account_and_password(app, ctx):
    user, other = UserFactory(), UserFactory()
    token = accounts.device_token(user)
    assert accounts.is_known_device(user, token)
    assert not accounts.is_known_device(other, token)
    assert not accounts.is_known_device(user, token + "x") and not accounts.is_known_device(user, None)
    accounts.change_password(user, PASSWORD, "Brand new passphrase 2027")
    assert not accounts.is_known_device(user, token)  # a new password forgets every browser
