"""/office/users: admins invite staff (no password chosen by the admin), resend invitations,
change roles, deactivate (sessions die at once) and reactivate; the rules in services/staff.py."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditLog, OutboundEmail, User
from portal.services import staff
from tests.builders.factories import PASSWORD, UserFactory
from tests.helpers import Forms, link_in, path_of, text_of

pytestmark = pytest.mark.usefixtures("ctx")
NEW_PASSWORD = "Amber orchard violin 2029"
INVITE = {"email": "New.Officer@Example.com", "role": "officer", "locale": "en"}


@pytest.fixture
def admin(forms):
    user = UserFactory(admin=True, email="chief@example.com")
    forms.login(user.email, PASSWORD)
    return user


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def audit_actions(target_id=None) -> list[str]:
    query = select(AuditLog.action).order_by(AuditLog.id)
    if target_id is not None:
        query = query.where(AuditLog.target_type == "user", AuditLog.target_id == str(target_id))
    return list(db.session.scalars(query))


def invite(forms, **overrides):
    return forms.post("/office/users/new", {**INVITE, **overrides})


# --- list and search -----------------------------------------------------------------------

def test_list_shows_staff_and_search_finds_any_account(client, admin):
    officer = UserFactory(officer=True, email="reviewer@example.com")
    UserFactory(email="student.one@example.com")
    page = text_of(client.get("/office/users"))
    assert officer.email in page and admin.email in page
    assert "student.one@example.com" not in page
    found = text_of(client.get("/office/users?q=STUDENT.one"))
    assert "Accounts matching" in found and "student.one@example.com" in found
    assert "No account matches." in text_of(client.get("/office/users?q=%25_nobody"))


# --- invitation ----------------------------------------------------------------------------

def test_invite_creates_an_account_without_a_password_and_mails_the_link(client, forms, admin, outbox):
    response = invite(forms, locale="ru")
    user = user_by_email("new.officer@example.com")
    assert response.status_code == 302 and response.headers["Location"] == f"/office/users/{user.id}"
    assert user.role == "officer" and user.locale == "ru" and not user.is_verified and user.active
    assert staff.invitation_pending(user)
    assert "invitation not accepted yet" in text_of(client.get(response.headers["Location"]))
    # Nobody can log in before the person chooses a password.
    other = Forms(client.application.test_client())
    assert "not correct" in text_of(other.login(user.email, user.password_hash))
    [message] = outbox
    assert message.to == ["new.officer@example.com"]
    row = db.session.scalar(select(OutboundEmail).where(OutboundEmail.user_id == user.id))
    assert row.locale == "ru" and 'lang="ru"' in row.body_html and "Здравствуйте" in row.body_text
    assert "/auth/invite/" in link_in(message.body) and admin.email in message.body
    [entry] = db.session.scalars(select(AuditLog).where(AuditLog.action == "user.invite")).all()
    assert entry.actor_id == admin.id and entry.details == {"email": user.email, "role": "officer",
                                                             "locale": "ru"}


@pytest.mark.parametrize("overrides, message", [
    ({"email": "not-an-email"}, "Enter a valid e-mail address"),
    ({"email": "someone@"}, "Enter a valid e-mail address"),
    ({"email": ""}, "Enter the e-mail address."),
    ({"email": "TAKEN@example.com"}, "already exists"),
    ({"role": "superuser"}, "Choose officer or admin."),
    ({"role": "applicant"}, "Choose officer or admin."),
    ({"locale": "fr"}, "Choose a language from the list."),
])
def test_invite_bad_input_is_explained_and_changes_nothing(forms, admin, outbox, overrides, message):
    UserFactory(email="taken@example.com")
    before = db.session.scalar(select(func.count()).select_from(User))
    response = invite(forms, **overrides)
    assert response.status_code == 200 and message in text_of(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert outbox == [] and "user.invite" not in audit_actions()


def test_invited_officer_sets_a_password_once_and_lands_in_the_office(app, client, forms, admin, outbox):
    invite(forms)
    path = path_of(link_in(outbox[0].body))
    person = app.test_client()
    person_forms = Forms(person)
    opened = person.get(path)
    assert opened.status_code == 302 and opened.headers["Location"] == "/auth/invite/accept"
    page = text_of(person.get("/auth/invite/accept"))
    assert "Choose your password" in page and "new.officer@example.com" in page
    weak = person_forms.post("/auth/invite/accept", {"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 200 and "too common" in text_of(weak)
    mismatch = person_forms.post("/auth/invite/accept", {"password": NEW_PASSWORD, "confirm": "other"})
    assert "do not match" in text_of(mismatch)
    done = person_forms.post("/auth/invite/accept", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"] == "/auth/login"
    user = user_by_email("new.officer@example.com")
    assert user.is_verified and not staff.invitation_pending(user)
    assert person_forms.login(user.email, NEW_PASSWORD).headers["Location"] == "/office/"
    assert person.get("/office/").status_code == 200
    # The link works once, and the session keeps nothing that could be replayed.
    again = app.test_client().get(path)
    assert again.status_code == 400 and "already been used" in text_of(again)
    assert app.test_client().get("/auth/invite/accept").status_code == 400
    assert audit_actions(user.id) == ["user.invite", "user.invite_accept", "auth.login"]


def test_expired_invitation(app, forms, admin, outbox):
    invite(forms)
    path = path_of(link_in(outbox[0].body))
    app.config["INVITE_MAX_AGE"] = -1
    try:
        response = app.test_client().get(path)
    finally:
        app.config["INVITE_MAX_AGE"] = 7 * 24 * 3600
    assert response.status_code == 400 and "invitation has expired" in text_of(response)


@pytest.mark.parametrize("token", ["garbage", "eyJ1aWQiOjF9.Zm9v.YmFy"])
def test_tampered_invitation(client, token):
    response = client.get(f"/auth/invite/{token}")
    assert response.status_code == 400 and "not valid" in text_of(response)


def test_reset_token_is_not_an_invitation(app, client, forms, outbox):
    """One salt per purpose: a password-reset link cannot be replayed as an invitation."""
    user = UserFactory(officer=True)
    forms.post("/auth/reset", {"email": user.email})
    token = link_in(outbox[0].body).rsplit("/", 1)[1]
    assert client.get(f"/auth/invite/{token}").status_code == 400


def test_resend_voids_the_earlier_link(app, client, forms, admin, outbox):
    invite(forms)
    user = user_by_email("new.officer@example.com")
    first = path_of(link_in(outbox[0].body))
    response = forms.post(f"/office/users/{user.id}/invite", page=f"/office/users/{user.id}")
    assert response.headers["Location"] == f"/office/users/{user.id}"
    assert len(outbox) == 2
    second = path_of(link_in(outbox[1].body))
    assert "replaced by a newer one" in text_of(app.test_client().get(first))
    assert app.test_client().get(second).status_code == 302
    assert audit_actions(user.id) == ["user.invite", "user.invite_resend"]


def test_resend_is_refused_once_the_password_is_chosen(client, forms, admin, outbox):
    officer = UserFactory(officer=True)
    response = forms.post(f"/office/users/{officer.id}/invite", page=f"/office/users/{officer.id}")
    assert response.status_code == 200 and "already chosen a password" in text_of(response)
    assert outbox == []


def test_deactivated_invitee_cannot_use_the_link(app, forms, admin, outbox):
    invite(forms)
    user = user_by_email("new.officer@example.com")
    forms.post(f"/office/users/{user.id}/deactivate", page=f"/office/users/{user.id}")
    response = app.test_client().get(path_of(link_in(outbox[0].body)))
    assert response.status_code == 400 and "not valid" in text_of(response)
    forms.post(f"/office/users/{user.id}/reactivate", page=f"/office/users/{user.id}")
    assert app.test_client().get(path_of(link_in(outbox[0].body))).status_code == 400  # still void
    forms.post(f"/office/users/{user.id}/invite", page=f"/office/users/{user.id}")
    assert app.test_client().get(path_of(link_in(outbox[-1].body))).status_code == 302


# --- deactivation and roles ----------------------------------------------------------------

def test_deactivation_ends_open_sessions_at_once_and_reactivation_lets_them_back(app, client, forms, admin):
    officer = UserFactory(officer=True)
    officer_client = app.test_client()
    Forms(officer_client).login(officer.email, PASSWORD)
    assert officer_client.get("/office/").status_code == 200
    old_token = officer.session_token
    response = forms.post(f"/office/users/{officer.id}/deactivate", page=f"/office/users/{officer.id}")
    assert response.headers["Location"] == f"/office/users/{officer.id}"
    db.session.refresh(officer)
    assert not officer.active and officer.session_token != old_token
    next_request = officer_client.get("/office/")
    assert next_request.status_code == 302 and next_request.headers["Location"].startswith("/auth/login")
    assert "disabled" in text_of(Forms(app.test_client()).login(officer.email, PASSWORD))
    assert "deactivated" in text_of(client.get(f"/office/users/{officer.id}"))

    forms.post(f"/office/users/{officer.id}/reactivate", page=f"/office/users/{officer.id}")
    db.session.refresh(officer)
    assert officer.active
    assert Forms(app.test_client()).login(officer.email, PASSWORD).headers["Location"] == "/office/"
    assert audit_actions(officer.id) == ["auth.login", "user.deactivate", "user.reactivate", "auth.login"]


def test_admin_may_deactivate_an_applicant_found_by_search(app, forms, admin):
    applicant = UserFactory()
    forms.post(f"/office/users/{applicant.id}/deactivate", page=f"/office/users/{applicant.id}")
    db.session.refresh(applicant)
    assert not applicant.active


def test_change_role_between_officer_and_admin(client, forms, admin):
    officer = UserFactory(officer=True)
    response = forms.post(f"/office/users/{officer.id}/role", {"role": "admin"}, page=f"/office/users/{officer.id}")
    assert response.headers["Location"] == f"/office/users/{officer.id}"
    db.session.refresh(officer)
    assert officer.role == "admin"
    forms.post(f"/office/users/{officer.id}/role", {"role": "officer"}, page=f"/office/users/{officer.id}")
    db.session.refresh(officer)
    assert officer.role == "officer"
    details = db.session.scalars(select(AuditLog.details).where(AuditLog.action == "user.role")
                                 .order_by(AuditLog.id)).all()
    assert [(d["from"], d["to"]) for d in details] == [("officer", "admin"), ("admin", "officer")]


@pytest.mark.parametrize("role, message", [
    ("superuser", "Choose officer or admin."),
    ("applicant", "Choose officer or admin."),
    ("", "Choose officer or admin."),
])
def test_unknown_role_is_refused(forms, admin, role, message):
    officer = UserFactory(officer=True)
    response = forms.post(f"/office/users/{officer.id}/role", {"role": role}, page=f"/office/users/{officer.id}")
    assert response.status_code == 200 and message in text_of(response)
    db.session.refresh(officer)
    assert officer.role == "officer"


def test_applicant_accounts_do_not_become_staff_here(forms, admin):
    applicant = UserFactory()
    response = forms.post(f"/office/users/{applicant.id}/role", {"role": "officer"},
                          page=f"/office/users/{applicant.id}")
    assert "Only staff accounts can change role here" in text_of(response)
    db.session.refresh(applicant)
    assert applicant.role == "applicant"


def test_admin_cannot_deactivate_or_demote_themselves(client, forms, admin):
    page = text_of(client.get(f"/office/users/{admin.id}"))
    assert "This is your own account" in page and "Deactivate account" not in page
    response = forms.post(f"/office/users/{admin.id}/deactivate", page=f"/office/users/{admin.id}")
    assert response.status_code == 200 and "cannot deactivate your own account" in text_of(response)
    response = forms.post(f"/office/users/{admin.id}/role", {"role": "officer"}, page=f"/office/users/{admin.id}")
    assert "cannot remove your own admin role" in text_of(response)
    db.session.refresh(admin)
    assert admin.active and admin.role == "admin"
    assert client.get("/office/users").status_code == 200  # still logged in, still admin


def test_the_last_active_admin_is_never_removed():
    """Two admins removing each other at the same moment: the one who comes second would leave
    no active admin and is refused (on PostgreSQL the admins are read FOR UPDATE)."""
    first, second = UserFactory(admin=True), UserFactory(admin=True)
    staff.deactivate(first, second)  # what the concurrent request by ``first`` has just done
    for remove in (lambda: staff.deactivate(second, first), lambda: staff.change_role(second, first, "officer")):
        with pytest.raises(staff.LastAdmin, match="at least one active admin"):
            remove()
    assert first.active and first.role == "admin"


def test_another_admin_may_be_demoted_and_deactivated(forms, admin):
    other = UserFactory(admin=True)
    forms.post(f"/office/users/{other.id}/role", {"role": "officer"}, page=f"/office/users/{other.id}")
    forms.post(f"/office/users/{other.id}/deactivate", page=f"/office/users/{other.id}")
    db.session.refresh(other)
    assert other.role == "officer" and not other.active


# --- access and CSRF -----------------------------------------------------------------------

def _routes(user_id: int) -> tuple[list[str], list[tuple[str, dict]]]:
    pages = ["/office/users", "/office/users/new", f"/office/users/{user_id}"]
    posts = [("/office/users/new", INVITE), (f"/office/users/{user_id}/role", {"role": "admin"}),
             *((f"/office/users/{user_id}/{action}", {}) for action in ("deactivate", "reactivate", "invite"))]
    return pages, posts


@pytest.mark.parametrize("role", ["officer", "applicant"])
def test_every_route_refuses_officers_and_applicants(client, forms, role):
    target = UserFactory(officer=True)
    forms.login(UserFactory(role=role).email, PASSWORD)
    pages, posts = _routes(target.id)
    for url in pages:
        assert client.get(url).status_code == 403, url
    for url, data in posts:
        assert forms.post(url, data, page="/").status_code == 403, url
    db.session.refresh(target)
    assert target.active and target.role == "officer" and user_by_email("new.officer@example.com") is None


def test_every_route_sends_anonymous_people_to_login(client, forms):
    target = UserFactory(officer=True)
    pages, posts = _routes(target.id)
    for url in pages:
        assert client.get(url).headers["Location"].startswith("/auth/login"), url
    for url, data in posts:
        assert forms.post(url, data, page="/").headers["Location"].startswith("/auth/login"), url


def test_missing_user_is_404(client, forms, admin):
    pages, posts = _routes(999999)
    assert client.get(pages[2]).status_code == 404
    for url, data in posts[1:]:
        assert forms.post(url, data, page="/office/users").status_code == 404, url


def test_posts_without_csrf_token_are_refused(client, admin, outbox):
    officer = UserFactory(officer=True)
    assert client.post("/office/users/new", data=INVITE).status_code == 400
    assert client.post(f"/office/users/{officer.id}/deactivate").status_code == 400
    assert client.post(f"/office/users/{officer.id}/role", data={"role": "admin"}).status_code == 400
    db.session.refresh(officer)
    assert officer.active and officer.role == "officer"
    assert user_by_email("new.officer@example.com") is None and outbox == []


def test_invitation_accept_without_csrf_is_refused(app, forms, admin, outbox):
    invite(forms)
    person = app.test_client()
    person.get(path_of(link_in(outbox[0].body)))
    response = person.post("/auth/invite/accept", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert staff.invitation_pending(user_by_email("new.officer@example.com"))
