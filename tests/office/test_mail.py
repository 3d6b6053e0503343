"""/office/mail (admins only): the outbox's failed and waiting e-mails, filtered and paged, with a
Retry per failed e-mail and for every failed one the filters match; each retry audited and sent
by the worker. And the application page's timeline shows the applicant's e-mails with their state."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditLog, OutboundEmail
from portal.services import mail_log
from tests.builders.factories import PASSWORD, ApplicationFactory, UserFactory
from tests.helpers import text_of
from tests.services.test_mail_log import email, fresh

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def admin(forms):
    user = UserFactory(admin=True, email="chief@example.com")
    forms.login(user.email, PASSWORD)
    return user


def rows_of(response) -> list[str]:
    """The text of each row of the mail table, in page order."""
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", row))).strip() for row in body.split("</tr>")[:-1]]


def listed(client, query="") -> list[int]:
    response = client.get("/office/mail" + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return [int(n) for n in re.findall(r'<tr id="mail-(\d+)"', response.get_data(as_text=True))]


def retry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "mail.retry"))


# --- access --------------------------------------------------------------------------------

def test_anonymous_goes_to_login(client, forms):
    assert client.get("/office/mail").headers["Location"].startswith("/auth/login")
    row = email()
    for path in (f"/office/mail/{row.id}/retry", "/office/mail/retry-failed"):
        response = forms.post(path, page="/auth/login")
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    assert fresh(row).state == "failed"


@pytest.mark.parametrize("role", ["officer", "applicant"])
def test_only_admins(client, forms, role):
    forms.login(UserFactory(role=role).email, PASSWORD)
    row = email()
    assert client.get("/office/mail").status_code == 403
    for path in (f"/office/mail/{row.id}/retry", "/office/mail/retry-failed"):
        assert forms.post(path, page="/account" if role == "applicant" else "/office/").status_code == 403
    assert fresh(row).state == "failed" and retry_count() == 0


def test_nav_link_for_admins_only(client, forms, admin):
    page = client.get("/office/mail").get_data(as_text=True)
    assert 'href="/office/mail" aria-current="page"' in page
    forms.logout()
    forms.login(UserFactory(officer=True).email, PASSWORD)
    assert 'href="/office/mail"' not in client.get("/office/").get_data(as_text=True)


# --- what the page shows ---------------------------------------------------------------------

def test_failed_and_waiting_newest_first_with_their_details(client, admin):
    application = ApplicationFactory(complete=True, status="submitted", reference="T27-000007")
    draft = ApplicationFactory()
    sent = email(application.applicant, state="sent")
    failed = email(application.applicant, template="application_submitted", subject="Application received",
                   attempts=3, last_error="SMTPDataError: 554 <b>rejected</b>")
    waiting = email(draft.applicant, state="pending", template="verify_email")
    response = client.get("/office/mail")
    assert "Choose a state" not in text_of(response) and 'aria-invalid' not in response.get_data(as_text=True)
    assert listed(client) == [waiting.id, failed.id] and sent.id not in listed(client)
    html = response.get_data(as_text=True)
    assert "<b>rejected</b>" not in html and "&lt;b&gt;rejected&lt;/b&gt;" in html
    second = rows_of(response)[1]
    for part in (application.applicant.email, "Application T27-000007", "Application received",
                 "application_submitted", "failed", "3", "SMTPDataError: 554 <b>rejected</b>", "Written:", "Retry"):
        assert part in second, part
    assert 'href="/office/applications/T27-000007"' in html
    first = rows_of(response)[0]
    assert "waiting to be sent" in first and "Next attempt:" in first and "Application" not in first
    assert f'action="/office/mail/{waiting.id}/retry' not in html  # only failed rows have Retry
    assert f'action="/office/mail/{failed.id}/retry' in html


def test_filters(client, admin):
    day = datetime(2027, 5, 10, 12, 0, tzinfo=UTC)
    sent = email(state="sent", when=day)
    old = email(template="verify_email", recipient="old_person@example.com", when=day - timedelta(days=1))
    new = email(state="pending", recipient="new.person@example.org", when=day + timedelta(days=1))
    assert listed(client, "state=sent") == [sent.id]
    assert listed(client, "state=failed") == [old.id]
    assert listed(client, "template=verify_email") == [old.id]
    assert listed(client, "recipient=OLD_") == [old.id]
    assert listed(client, "recipient=%25") == []  # a LIKE wildcard is a character
    assert listed(client, "date_from=2027-05-10") == [new.id]
    assert listed(client, "date_to=2027-05-10&state=") == [old.id]
    assert listed(client, "date_from=2027-05-09&date_to=2027-05-11&recipient=example") == [new.id, old.id]


@pytest.mark.parametrize("query, message", [
    ("state=bogus", "Choose a state from the list."),
    ("template=../../etc/passwd", "Choose a kind of e-mail from the list."),
    ("date_from=10/05/2027", "Enter a real date"),
    ("date_to=2027-02-30", "Enter a real date"),
    ("date_from=2027-05-11&date_to=2027-05-10", "must not be before the start date"),
    ("recipient=" + "x" * 300, "Use at most 254 characters."),
])
def test_bad_filters_are_explained_and_ignored(client, admin, query, message):
    rows = [email(when=datetime(2027, 5, 10, 12, tzinfo=UTC)), email(state="pending")]
    response = client.get(f"/office/mail?{query}")
    assert response.status_code == 200 and message in text_of(response)
    if "date_from=2027-05-11" not in query:
        assert listed(client, query) == [rows[1].id, rows[0].id]


@pytest.mark.parametrize("query", ["before=abc", "before=-5", "after=1e9", f"before={10**30}", f"after={2**63}",
                                   "state=%00", "template=%ff", "%ff=%fe", "recipient=%00"])
def test_bad_cursors_and_junk_never_fail(client, admin, query):
    email()
    assert client.get(f"/office/mail?{query}").status_code == 200


def test_pages_keep_the_filters(client, admin, monkeypatch):
    monkeypatch.setattr(mail_log, "PER_PAGE", 2)
    made = [email(template="verify_email") for _ in range(5)]
    email(template="password_changed")
    first = client.get("/office/mail?template=verify_email")
    assert listed(client, "template=verify_email") == [made[4].id, made[3].id]
    older = unescape(re.search(r'rel="next" href="([^"]+)"', first.get_data(as_text=True)).group(1))
    assert "template=verify_email" in older and "before=" in older
    second = client.get(older)
    assert re.findall(r'<tr id="mail-(\d+)"', second.get_data(as_text=True)) == [str(made[2].id), str(made[1].id)]


def test_query_count_stays_flat_as_rows_grow(client, admin, count_queries):
    email(ApplicationFactory(complete=True, reference="T27-000100", status="submitted").applicant)
    db.session.commit()
    with count_queries() as few:
        assert len(listed(client)) == 1
    for n in range(60):
        applicant = ApplicationFactory(complete=True, reference=f"T27-{n + 200:06d}", status="submitted").applicant
        email(applicant, state="failed" if n % 2 else "pending")
    db.session.commit()
    with count_queries() as many:
        assert len(listed(client)) == mail_log.PER_PAGE
    with count_queries() as filtered:
        listed(client, "state=failed&recipient=person&date_from=2000-01-01")
    assert len(few) == len(many) == len(filtered), (few, many)


# --- retry ---------------------------------------------------------------------------------

def test_retry_one_sends_it_again_audited(client, forms, admin, outbox):
    row = email(subject="Your application was received", attempts=5)
    response = forms.post(f"/office/mail/{row.id}/retry?state=failed", page="/office/mail")
    assert response.status_code == 302 and response.headers["Location"] == "/office/mail?state=failed"
    assert "will be sent again" in text_of(client.get(response.headers["Location"]))
    assert [m.subject for m in outbox] == ["Your application was received"]  # the worker sent it
    assert (fresh(row).state, fresh(row).attempts) == ("sent", 1)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "mail.retry"))
    assert (entry.actor_id, entry.target_id, entry.details["attempts"]) == (admin.id, str(row.id), 5)


@pytest.mark.parametrize("state", ["sent", "pending"])
def test_retry_of_a_row_that_did_not_fail_is_refused(client, forms, admin, outbox, state):
    row = email(state=state)
    response = forms.post(f"/office/mail/{row.id}/retry", page="/office/mail", follow=True)
    assert "Only an e-mail that failed can be sent again" in text_of(response)
    assert fresh(row).state == state and retry_count() == 0 and outbox == []


@pytest.mark.parametrize("email_id", ["999999999", str(2**63), str(10**30)])
def test_retry_of_a_missing_or_huge_id_is_404(forms, admin, email_id):
    assert forms.post(f"/office/mail/{email_id}/retry", page="/office/mail").status_code == 404
    assert retry_count() == 0


@pytest.mark.parametrize("path", ["/office/mail/{id}/retry", "/office/mail/retry-failed"])
def test_retry_needs_a_csrf_token(client, admin, path):
    row = email()
    assert client.post(path.format(id=row.id)).status_code == 400
    assert fresh(row).state == "failed" and retry_count() == 0


def test_retry_all_failed_matching_the_filters(client, forms, admin, outbox):
    matching = [email(template="verify_email", subject=f"Verify {n}") for n in range(3)]
    other = email(template="password_changed")
    sent = email(template="verify_email", state="sent")
    page = client.get("/office/mail?template=verify_email").get_data(as_text=True)
    assert 'action="/office/mail/retry-failed?template=verify_email"' in page
    response = forms.post("/office/mail/retry-failed?template=verify_email", page="/office/mail", follow=True)
    assert "3 e-mails will be sent again." in text_of(response)
    assert sorted(m.subject for m in outbox) == ["Verify 0", "Verify 1", "Verify 2"]
    assert [fresh(r).state for r in matching] == ["sent"] * 3
    assert fresh(other).state == "failed" and fresh(sent).attempts == 0
    assert retry_count() == 3
    again = forms.post("/office/mail/retry-failed?template=verify_email", page="/office/mail", follow=True)
    assert "No failed e-mail matches the filters." in text_of(again)


def test_retry_all_says_when_more_remain(client, forms, admin, outbox, monkeypatch):
    monkeypatch.setattr(mail_log, "RETRY_ALL_MAX", 2)
    for _ in range(3):
        email()
    response = forms.post("/office/mail/retry-failed", page="/office/mail", follow=True)
    assert "2 e-mails will be sent again." in text_of(response)
    assert "press the button again for the rest" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)
                             .where(OutboundEmail.state == "failed")) == 1


def test_no_retry_all_button_when_only_waiting_or_sent_are_shown(client, admin):
    email()
    for query in ("state=pending", "state=sent"):
        assert "retry-failed" not in client.get(f"/office/mail?{query}").get_data(as_text=True)


# --- the application page's timeline ---------------------------------------------------------

@pytest.fixture
def officer(forms):
    user = UserFactory(officer=True)
    forms.login(user.email, PASSWORD)
    return user


def timeline_of(response) -> str:
    html = response.get_data(as_text=True)
    return text_of_html(html.split('id="timeline"', 1)[1].split("</section>", 1)[0])


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def test_timeline_shows_each_email_with_its_state(client, officer):
    application = ApplicationFactory(complete=True, status="submitted", reference="T27-000031")
    applicant = application.applicant
    email(applicant, state="sent", subject="Welcome, before the application",
          when=application.created_at - timedelta(days=2))
    email(applicant, state="sent", subject="Application received")
    email(applicant, state="pending", subject="Under review")
    email(applicant, state="failed", subject="Action required", last_error="SMTPRecipientsRefused: 550 mailbox full")
    email(UserFactory(), state="failed", subject="Someone else's mail")
    db.session.commit()
    timeline = timeline_of(client.get("/office/applications/T27-000031"))
    assert "E-mail to the applicant: Application received sent" in timeline
    assert "E-mail to the applicant: Under review waiting to be sent" in timeline
    assert "E-mail to the applicant: Action required failed SMTPRecipientsRefused: 550 mailbox full" in timeline
    assert "before the application" not in timeline and "Someone else" not in timeline
    # newest first, as the rest of the timeline
    assert timeline.index("Action required") < timeline.index("Under review") < timeline.index("Application received")


def test_timeline_merges_emails_with_events_by_time(client, forms, officer, outbox):
    application = ApplicationFactory(complete=True, status="submitted", reference="T27-000032")
    db.session.commit()
    forms.post("/office/applications/T27-000032/start-review", {"version": str(application.version)},
               page="/office/applications/T27-000032")
    timeline = timeline_of(client.get("/office/applications/T27-000032"))
    subject = outbox[-1].subject
    assert f"E-mail to the applicant: {subject} sent" in timeline
    assert timeline.index(subject) < timeline.index("Under review")  # written just after the status event


def test_timeline_query_count_does_not_grow_with_emails(client, officer, count_queries):
    application = ApplicationFactory(complete=True, status="submitted", reference="T27-000033")
    email(application.applicant, state="sent")
    db.session.commit()
    with count_queries() as few:
        assert client.get("/office/applications/T27-000033").status_code == 200
    for state in ("sent", "failed", "pending") * 10:
        email(application.applicant, state=state)
    db.session.commit()
    with count_queries() as many:
        assert client.get("/office/applications/T27-000033").status_code == 200
    assert len(few) == len(many), (few, many)
