"""/office/audit: admins read the audit log, filtered and paged with one query per page; and the
log never holds a password, a password hash or a token, whatever happened."""

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from flask_babel import force_locale, format_datetime
from sqlalchemy import delete, select

from portal.extensions import db
from portal.models import AuditLog, User
from portal.services import audit_search
from tests.builders.factories import PASSWORD, UserFactory
from tests.helpers import Forms, link_in, path_of, text_of

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def admin(forms):
    user = UserFactory(admin=True, email="chief@example.com")
    forms.login(user.email, PASSWORD)
    return user


def entry(actor, action, target_type="user", target_id=1, details=None, when=None, ip="203.0.113.9"):
    row = AuditLog(actor_id=actor.id if actor else None, action=action, target_type=target_type,
                   target_id=str(target_id), details=details or {}, ip=ip)
    if when is not None:
        row.created_at = when
    db.session.add(row)
    db.session.flush()
    return row


def rows_of(response) -> list[str]:
    """The text of each row of the log table, in page order."""
    html = response.get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", row))).strip() for row in body.split("</tr>")[:-1]]


# --- access --------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["officer", "applicant"])
def test_only_admins(client, forms, role):
    forms.login(UserFactory(role=role).email, PASSWORD)
    assert client.get("/office/audit").status_code == 403


def test_anonymous_goes_to_login(client):
    assert client.get("/office/audit").headers["Location"].startswith("/auth/login")


def test_admin_nav_links(client, forms, admin):
    page = client.get("/office/audit").get_data(as_text=True)
    assert 'href="/office/users"' in page and 'href="/office/audit" aria-current="page"' in page


def test_officer_nav_has_no_admin_links(client, forms):
    forms.login(UserFactory(officer=True).email, PASSWORD)
    page = client.get("/office/").get_data(as_text=True)
    assert 'href="/office/users"' not in page and 'href="/office/audit"' not in page


# --- what an entry shows -------------------------------------------------------------------

def test_entry_shows_actor_action_target_time_ip_and_safe_details(client, admin):
    officer = UserFactory(officer=True, email="reviewer@example.com")
    row = entry(officer, "notice.update", "notice", 7,
                {"slug": "<script>alert(1)</script>", "changed": ["title_en", "body_en"], "n": 3})
    entry(None, "system.job", "outbox", 5, ip=None)
    response = client.get("/office/audit")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    first, second = rows_of(response)[:2]  # newest first
    assert "the system" in first and "system.job" in first and "outbox #5" in first
    assert second.startswith(re.sub(r"\s+", " ", format_datetime(row.created_at, "medium")))
    for part in ("reviewer@example.com", "notice.update", "notice #7", "203.0.113.9",
                 "changed: title_en, body_en", "n: 3", "slug: <script>alert(1)</script>"):
        assert part in second, part


def test_time_is_shown_in_the_viewers_language(client, forms, admin):
    row = entry(admin, "user.role", when=datetime(2027, 3, 14, 9, 26, 53, tzinfo=UTC))
    admin.locale = "ru"
    db.session.commit()
    with force_locale("ru"):
        expected = format_datetime(row.created_at, "medium")
    assert "мар" in expected
    assert re.sub(r"\s+", " ", expected) in text_of(client.get("/office/audit"))


def test_user_targets_link_to_the_account(client, admin):
    officer = UserFactory(officer=True)
    entry(admin, "user.deactivate", "user", officer.id)
    assert f'href="/office/users/{officer.id}"' in client.get("/office/audit").get_data(as_text=True)


# --- filters -------------------------------------------------------------------------------

@pytest.fixture
def sample(admin):
    db.session.execute(delete(AuditLog))  # the admin's own login is in the log too
    officer = UserFactory(officer=True, email="reviewer@example.com")
    day = datetime(2027, 5, 10, 12, 0, tzinfo=UTC)
    entry(officer, "document.view", "document", 11, when=day - timedelta(days=2))
    entry(officer, "document.review", "document", 12, when=day - timedelta(days=1))
    entry(admin, "user.invite", "user", 40, when=day)
    entry(admin, "user.role", "user", 41, when=day + timedelta(days=1, hours=11, minutes=59))
    entry(officer, "notice.publish", "notice", 3, when=day + timedelta(days=3))
    return officer


@pytest.mark.parametrize("query, expected", [
    ("", ["notice.publish", "user.role", "user.invite", "document.review", "document.view"]),
    ("actor=REVIEWER", ["notice.publish", "document.review", "document.view"]),
    ("actor=chief%40example.com", ["user.role", "user.invite"]),
    ("action=document.", ["document.review", "document.view"]),
    ("action=document.view", ["document.view"]),
    ("action=%25", []),  # a LIKE wildcard is a character, not a pattern
    ("target_type=user", ["user.role", "user.invite"]),
    ("target_type=user&target_id=41", ["user.role"]),
    ("date_from=2027-05-10&date_to=2027-05-11", ["user.role", "user.invite"]),
    ("date_from=2027-05-09", ["notice.publish", "user.role", "user.invite", "document.review"]),
    ("date_to=2027-05-08", ["document.view"]),
    ("actor=reviewer&action=document&date_from=2027-05-09", ["document.review"]),
])
def test_filters(client, sample, query, expected):
    rows = rows_of(client.get(f"/office/audit?{query}"))
    actions = [next(a for a in r.split() if "." in a and "@" not in a and ":" not in a) for r in rows]
    assert actions == expected


def test_bad_dates_are_explained_and_ignored(client, sample):
    response = client.get("/office/audit?date_from=10/05/2027")
    assert response.status_code == 200 and "Enter a real date" in text_of(response)
    assert len(rows_of(response)) == 5
    backwards = client.get("/office/audit?date_from=2027-05-11&date_to=2027-05-10")
    assert "must not be before the start date" in text_of(backwards)
    assert len(rows_of(backwards)) == 2  # only "from" applies


def test_no_match(client, sample):
    assert "No entries match." in text_of(client.get("/office/audit?action=nothing.like.this"))


# --- pagination and query count ------------------------------------------------------------

def test_pages_newest_first_keep_the_filters(client, admin):
    for n in range(2 * audit_search.PER_PAGE + 20):
        entry(admin, "test.step", "thing", n)
    entry(admin, "other.step", "thing", 999)
    first = client.get("/office/audit?action=test.")
    rows = rows_of(first)
    assert len(rows) == audit_search.PER_PAGE and "thing #119" in rows[0] and "thing #70" in rows[-1]
    older = re.search(r'rel="next" href="([^"]+)"', first.get_data(as_text=True)).group(1).replace("&amp;", "&")
    assert "action=test." in older and "before=" in older
    second = client.get(older)
    assert "thing #69" in rows_of(second)[0]
    third_url = re.search(r'rel="next" href="([^"]+)"', second.get_data(as_text=True)).group(1).replace("&amp;", "&")
    third = client.get(third_url)
    assert len(rows_of(third)) == 20 and 'rel="next"' not in third.get_data(as_text=True)
    newer = re.search(r'rel="prev" href="([^"]+)"', third.get_data(as_text=True)).group(1).replace("&amp;", "&")
    assert "after=" in newer and rows_of(client.get(newer)) == rows_of(second)
    assert 'rel="prev"' not in first.get_data(as_text=True)


def test_query_count_stays_flat_as_rows_and_actors_grow(client, admin, count_queries):
    actors = UserFactory.create_batch(2, officer=True)
    for n, actor in enumerate(actors):
        entry(actor, "document.view", "document", n)
    db.session.commit()
    with count_queries() as few:
        assert client.get("/office/audit").status_code == 200
    actors = UserFactory.create_batch(25, officer=True)
    for n in range(2 * audit_search.PER_PAGE):
        entry(actors[n % len(actors)], "document.view", "document", n)
    db.session.commit()
    with count_queries() as many:
        assert client.get("/office/audit").status_code == 200
    with count_queries() as filtered:
        assert client.get("/office/audit?actor=person&action=document&date_from=2000-01-01").status_code == 200
    with count_queries() as older:
        assert client.get(f"/office/audit?before={10 ** 9}").status_code == 200
    assert len(many) == len(few) == len(filtered) == len(older), (few, many)
    selects = [s for s in few if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, selects  # the logged-in user, then the page with its actors joined


# --- nothing sensitive is ever logged --------------------------------------------------------

def test_no_password_hash_or_token_in_the_audit_log(app, client, forms, outbox):
    """A day of account activity, then every audit column is searched for the secrets used."""
    secrets = ["Fresh harbour window 2030", "Second quiet orchard 2031", "Third violet canyon 2032",
               PASSWORD]
    admin = UserFactory(admin=True, email="chief@example.com")
    officer = UserFactory(officer=True, email="reviewer@example.com")
    forms.login(admin.email, PASSWORD)
    # An invitation, accepted with a chosen password.
    forms.post("/office/users/new", {"email": "new.officer@example.com", "role": "officer", "locale": "en"})
    invite_link = link_in(outbox[-1].body)
    person = Forms(app.test_client())
    person.client.get(path_of(invite_link))
    person.post("/auth/invite/accept", {"password": secrets[0], "confirm": secrets[0]})
    person.login("new.officer@example.com", secrets[0])
    # A staff login, a password change and a logout.
    officer_forms = Forms(app.test_client())
    officer_forms.login(officer.email, PASSWORD)
    officer_forms.post("/account/password", {"current_password": PASSWORD, "password": secrets[1],
                                             "confirm": secrets[1]})
    officer_forms.logout()
    # A password reset through the e-mailed link, and a failed login.
    anonymous = Forms(app.test_client())
    anonymous.post("/auth/reset", {"email": officer.email})
    reset_link = link_in(outbox[-1].body)
    anonymous.client.get(path_of(reset_link))
    anonymous.post("/auth/reset/new", {"password": secrets[2], "confirm": secrets[2]})
    anonymous.login(officer.email, "a wrong password guess")
    anonymous.login(officer.email, secrets[2])
    # The admin's own actions: resend, role change, deactivate.
    invited = db.session.scalar(select(User).where(User.email == "new.officer@example.com"))
    forms.post(f"/office/users/{invited.id}/role", {"role": "admin"}, page=f"/office/users/{invited.id}")
    forms.post(f"/office/users/{invited.id}/deactivate", page=f"/office/users/{invited.id}")

    users = db.session.scalars(select(User)).all()
    forbidden = [*secrets, *(u.password_hash for u in users), *(u.session_token for u in users),
                 invite_link.rsplit("/", 1)[1], reset_link.rsplit("/", 1)[1], "$argon2", "!invited:"]
    entries = db.session.scalars(select(AuditLog)).all()
    actions = {e.action for e in entries}
    assert {"auth.login", "auth.logout", "user.invite", "user.invite_accept", "user.role",
            "user.deactivate"} <= actions
    for e in entries:
        stored = json.dumps([e.action, e.target_type, e.target_id, e.details, e.ip], ensure_ascii=False)
        for secret in forbidden:
            assert secret not in stored, (e.action, secret[:12])
        assert not ({"password", "token", "hash", "password_hash", "session_token"} & set(e.details))
