"""Flask commands: user create, seed-demo, mail send-pending (the worker: tests/worker/)."""

import pytest
from sqlalchemy import func, select

from portal.demo import DEMO_ACCOUNTS, DEMO_APPLICANTS, demo_intake
from portal.extensions import db
from portal.models import Application, OutboundEmail, User
from portal.services import accounts, notifications
from tests.builders.factories import UserFactory


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_user_create_with_password(runner, ctx):
    result = runner.invoke(args=["user", "create", "--email", "Officer@Example.com", "--role", "officer",
                                 "--password", "Quiet meadow lantern 1972"])
    assert result.exit_code == 0, result.output
    assert "Created officer officer@example.com" in result.output
    user = accounts.find_by_email("officer@example.com")
    assert user.role == "officer" and user.is_verified


def test_user_create_prompts_for_the_password(runner, ctx):
    secret = "Quiet meadow lantern 1972"
    result = runner.invoke(args=["user", "create", "--email", "a@example.com", "--role", "admin"],
                           input=f"{secret}\n{secret}\n")
    assert result.exit_code == 0, result.output
    assert secret not in result.output
    assert accounts.password_matches(accounts.find_by_email("a@example.com"), secret)


@pytest.mark.parametrize("args, message", [
    (["--email", "dup@example.com", "--role", "officer"], "already exists"),
    (["--email", "x@example.com", "--role", "dean"], "unknown role 'dean'"),
    (["--email", "not-an-email", "--role", "officer"], "valid e-mail address"),
])
def test_user_create_refuses_bad_input(runner, ctx, args, message):
    UserFactory(email="dup@example.com")
    db.session.commit()
    before = users()
    result = runner.invoke(args=["user", "create", *args, "--password", "Quiet meadow lantern 1972"])
    assert result.exit_code != 0
    assert message in result.output
    assert users() == before


def test_user_create_refuses_weak_password(runner, ctx):
    result = runner.invoke(args=["user", "create", "--email", "w@example.com", "--role", "officer",
                                 "--password", "password1234"])
    assert result.exit_code == 1 and "too common" in result.output


def test_seed_demo_is_idempotent_and_prints_the_accounts(runner, ctx):
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == second.exit_code == 0
    for email, role, password in DEMO_ACCOUNTS:
        assert email in first.output and password in first.output
        user = accounts.find_by_email(email)
        assert user.role == role and accounts.password_matches(user, password)
    assert users() == len(DEMO_ACCOUNTS) + len(DEMO_APPLICANTS)
    assert "exists" in second.output and "(created)" not in second.output
    applications = db.session.scalars(select(Application).order_by(Application.id)).all()
    assert [a.status for a in applications] == ["draft", "submitted", "submitted", "submitted"]
    code = demo_intake().code
    assert [a.reference for a in applications][1:] == [f"{code}-000001", f"{code}-000002", f"{code}-000003"]


def test_mail_send_pending(runner, ctx, outbox):
    notifications.queue_for_user(UserFactory(), "password_changed")
    db.session.commit()
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0 and "Sent 1, failed 0, to retry 0." in result.output
    assert len(outbox) == 1
    assert db.session.scalar(select(OutboundEmail.state)) == "sent"
